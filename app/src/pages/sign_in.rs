//! The start page: sign in, the display settings, and (in demo mode) accounts to try.

use kapok_api::{ErrorCode, Me, SignInRequest, client::ClientError};
use kapok_components::{Button, ButtonVariant, Card, Loading, TextField, Toast};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::{
    api::api,
    auth::{Auth, AuthState, Notice},
    errors::{error_text, passkey_error_text},
    i18n::{t, t_string, use_i18n},
    page::{GoTo, Page},
    pages::passkeys::Failure,
    prefs::Prefs,
    settings::DisplaySettings,
    shells::persona_label,
};

#[derive(Clone, Debug, PartialEq)]
enum Problem {
    MissingFields,
    Api(ClientError),
    Passkey(crate::webauthn::PasskeyError),
}

impl From<Failure> for Problem {
    fn from(f: Failure) -> Problem {
        match f {
            Failure::Api(e) => Problem::Api(e),
            Failure::Passkey(e) => Problem::Passkey(e),
        }
    }
}

/// Signs in with whichever of the phone's passkeys its owner picks; no username is asked for,
/// so the page tells no one which accounts have a passkey.
async fn sign_in_with_passkey() -> Result<Me, Failure> {
    let ceremony = api().passkey_sign_in_start().await?;
    let answer = crate::webauthn::get(&ceremony).await?;
    let signed_in = api().passkey_sign_in_finish(&answer).await;
    if let Err(e) = &signed_in
        && e.code() == Some(ErrorCode::PasskeyUnknown)
    {
        // A passkey removed from its account: the phone is told, so it stops offering it.
        if let Some(id) = answer.credential.get("id").and_then(|id| id.as_str()) {
            crate::webauthn::forget(id);
        }
    }
    Ok(signed_in?)
}

/// The sign-in page, or for someone already signed in (back at `/` from their home, say) the
/// page they are going to, without building the form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = Auth::get();
    let next = use_query_map()
        .with_untracked(|q| q.get("next"))
        .filter(|n| is_local_path(n));
    let signed_in = Memo::new(move |_| match auth.state.get() {
        AuthState::SignedIn(me) => Some(me.user.persona.home_path()),
        _ => None,
    });
    move || match signed_in.get() {
        Some(home) => {
            let path = next.clone().unwrap_or_else(|| home.to_owned());
            view! { <GoTo path=path/> }.into_any()
        }
        None => view! { <SignInForm next=next.clone()/> }.into_any(),
    }
}

#[component]
fn SignInForm(
    /// Where to go once signed in (a path on this site), else the account's home.
    next: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let prefs = Prefs::get();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let sign_in = Action::new_local(|request: &SignInRequest| {
        let request = request.clone();
        async move { api().sign_in(&request).await }
    });
    let signed_in = move |me: Me| {
        prefs.adopt_account_preferences(&me, i18n);
        crate::auth::signed_in(&me);
        let home = me.user.persona.home_path();
        auth.notice.set(None);
        auth.state.set(AuthState::SignedIn(Box::new(me)));
        navigate(next.as_deref().unwrap_or(home), Default::default());
    };
    let with_passkey = Action::new_local(|_: &()| sign_in_with_passkey());
    let signed_in_too = signed_in.clone();
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(me)) => signed_in(me),
        Some(Err(e)) => problem.set(Some(Problem::Api(e))),
        None => {}
    });
    Effect::new(move |_| match with_passkey.value().get() {
        Some(Ok(me)) => signed_in_too(me),
        Some(Err(e)) => problem.set(Some(e.into())),
        None => {}
    });
    // One sign-in at a time, whichever way it was started: a second one, tapped while the first
    // is under way (another demo account, the passkey after the password), could leave the
    // browser's cookie for one account and the page showing the other.
    let busy = Signal::derive(move || sign_in.pending().get() || with_passkey.pending().get());
    let passkey = move || {
        if busy.get_untracked() {
            return;
        }
        problem.set(None);
        with_passkey.dispatch_local(());
    };
    let submit = move |request: SignInRequest| {
        if busy.get_untracked() {
            return;
        }
        if request.username.trim().is_empty() || request.password.is_empty() {
            problem.set(Some(Problem::MissingFields));
            return;
        }
        problem.set(None);
        sign_in.dispatch_local(request);
    };
    let demo = LocalResource::new(|| async { api().demo_accounts().await.ok() });
    let problem_text = move || {
        problem.get().map(|p| match p {
            Problem::MissingFields => t_string!(i18n, sign_in.missing_fields).to_string(),
            Problem::Api(e) => error_text(i18n, &e),
            Problem::Passkey(e) => passkey_error_text(i18n, e),
        })
    };
    let notice = Signal::derive(move || {
        auth.notice.get().map(|n| match n {
            Notice::SignedOut => t_string!(i18n, sign_in.signed_out).to_string(),
            Notice::SignedOutOffline => t_string!(i18n, sign_in.signed_out_offline).to_string(),
            Notice::TimedOut => t_string!(i18n, sign_in.timed_out).to_string(),
            Notice::Expired => t_string!(i18n, sign_in.expired).to_string(),
        })
    });

    view! {
        <Page title=Signal::derive(move || t_string!(i18n, sign_in.title).to_string())>
            <div class="kp-stack">
                <Toast message=notice/>
                <p class="kp-lead">{move || t_string!(i18n, sign_in.intro)}</p>
                <form
                    class="kp-stack"
                    novalidate
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit(SignInRequest { username: typed_username(&username.get_untracked()), password: password.get_untracked() });
                    }
                >
                    <TextField id="username" label=Signal::derive(move || t_string!(i18n, sign_in.username).to_string())
                        value=username autocomplete="username"/>
                    <TextField id="password" label=Signal::derive(move || t_string!(i18n, sign_in.password).to_string())
                        value=password password=true autocomplete="current-password"/>
                    {move || problem_text().map(|text| view! { <p class="kp-form-error" role="alert">{text}</p> })}
                    <Button submit=true disabled=busy>
                        {move || if sign_in.pending().get() {
                            t_string!(i18n, sign_in.submitting)
                        } else {
                            t_string!(i18n, sign_in.submit)
                        }}
                    </Button>
                    <Button variant=ButtonVariant::Secondary disabled=busy
                        on_click=Callback::new(move |_| passkey())>
                        {move || if with_passkey.pending().get() {
                            t_string!(i18n, sign_in.passkey_pending)
                        } else {
                            t_string!(i18n, sign_in.passkey)
                        }}
                    </Button>
                    <p class="kp-hint">{move || t_string!(i18n, sign_in.passkey_hint)}</p>
                </form>
                // The settings come before the demo accounts, which arrive later: what arrives
                // late goes below everything already drawn, so nothing moves (CLS).
                <Card title=Signal::derive(move || t_string!(i18n, sign_in.settings).to_string())>
                    <DisplaySettings/>
                </Card>
                <Suspense fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                    {move || Suspend::new(async move {
                        demo.await.map(|demo| {
                            let password = demo.password.clone();
                            view! {
                                <Card title=Signal::derive(move || t_string!(i18n, sign_in.demo_heading).to_string())>
                                    <p>{
                                        let password = password.clone();
                                        move || t_string!(i18n, sign_in.demo_hint, password = password.clone()).to_string()
                                    }</p>
                                    <ul class="kp-demo-list">
                                        {demo.accounts.into_iter().map(|account| {
                                            let request = SignInRequest { username: account.username.clone(), password: password.clone() };
                                            let name = account.display_name.clone();
                                            let persona = account.persona;
                                            view! {
                                                <li>
                                                    <button type="button" class="kp-demo-account"
                                                        aria-disabled=move || busy.get().then_some("true")
                                                        on:click=move |_| submit(request.clone())>
                                                        <span class="kp-demo-account__name">{
                                                            let name = name.clone();
                                                            move || t!(i18n, sign_in.try_as, name = crate::labels::typed(name.clone()))
                                                        }</span>
                                                        <span class="kp-demo-account__detail">
                                                            {move || persona_label(persona, i18n)}" · "
                                                            <span class="kp-demo-account__username">{account.username.clone()}</span>
                                                        </span>
                                                    </button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </Card>
                            }
                        })
                    })}
                </Suspense>
            </div>
        </Page>
    }
}

/// A username as typed, as the account has it: without the space a phone keyboard's
/// suggestion leaves after it (no username has one), and in ASCII where a Chinese keyboard in
/// full-width mode typed ｒｅｓｉｄｅｎｔ (usernames are ASCII). The password is left as typed.
fn typed_username(typed: &str) -> String {
    kapok_api::text::half_width(typed).trim().to_owned()
}

/// Only a path on this site may follow sign-in (`/authorize`): never another site (`//evil`),
/// nor this page again (`/?next=/`), which would send someone signed in round in a circle.
/// No white space or control character either: the browser's URL parser drops tabs and line
/// breaks wherever they are, so `/<tab>/evil` would become `//evil`, another site.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
        && path != "/"
        && !path.starts_with("/?")
        && !path.starts_with("/#")
}

#[cfg(test)]
mod tests {
    use super::{is_local_path, typed_username};

    #[test]
    fn a_username_typed_full_width_or_with_a_space_after_it_is_the_account_s() {
        for typed in [
            "resident",
            "resident ",
            "ｒｅｓｉｄｅｎｔ",
            "\u{3000}ｒｅｓｉｄｅｎｔ\u{3000}",
        ] {
            assert_eq!(typed_username(typed), "resident", "{typed:?}");
        }
        assert_eq!(typed_username("ｌｅｇａｌ－ｒｅｐ"), "legal-rep");
        assert_eq!(typed_username("陈嘉欣"), "陈嘉欣");
    }

    #[test]
    fn only_a_path_on_this_site_follows_sign_in() {
        for local in ["/authorize", "/resident/me", "/resident/wallet/lic-1?x=1#y"] {
            assert!(is_local_path(local), "{local:?}");
        }
        for elsewhere in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "\t//evil.example",
            "/ /evil.example",
            "/\u{3000}/evil.example",
            "/\u{0}/evil.example",
            "/",
            "/?next=/",
            "/#x",
            "",
        ] {
            assert!(!is_local_path(elsewhere), "{elsewhere:?}");
        }
    }
}
