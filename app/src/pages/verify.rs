//! Check a licence code: the public verifier (`/verify`) and the officials' counter tab.
//! Scan the code with the camera or paste its text. Online, the server checks signature,
//! expiry, revocation and replay and records the check for the holder. With no network, the
//! code is checked on this device against the issuer keys it saved when it was last online,
//! and the page says so and how fresh those keys are.

use kapok_api::{
    IssuerKeys, VerifiedLicence, VerifyRequest,
    client::ClientError,
    token::{self, Claims, TokenError},
};
use kapok_components::{Button, ButtonVariant, Card, ErrorState, TextField};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::api,
    clock, device,
    errors::{error_text, token_error_text},
    format,
    i18n::{t_string, use_i18n},
    labels,
    page::Page,
    scanner::Scanner,
};

const KEYS_STORAGE: &str = "kapok.issuer-keys";
/// The codes this device checked offline, by nonce, until they expire (`first_offline_check`).
const CHECKED_OFFLINE: &str = "kapok.checked-offline";

/// What a check came to.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Online(Result<VerifiedLicence, ClientError>),
    Offline {
        result: Result<Claims, TokenError>,
        keys_as_of: i64,
    },
    /// Offline, and no keys were ever saved on this device.
    NoKeys,
    /// Offline, a good code this device had already checked offline: shown twice at one
    /// counter with no network (a screenshot passed along the queue, say).
    SeenOffline,
    /// Not a Kapok code at all (a pasted address, a code cut short, garbage): said at once,
    /// without asking the server, which could say no more.
    NotACode,
}

fn saved_keys() -> Option<IssuerKeys> {
    device::get_json(KEYS_STORAGE)
}

fn save_keys(keys: &IssuerKeys) {
    device::set_json(KEYS_STORAGE, keys);
}

async fn check_code(request: VerifyRequest) -> Outcome {
    if token::parse(&request.token).is_err() {
        return Outcome::NotACode;
    }
    match api().verify(&request).await {
        Err(e) if e.is_unavailable() => match saved_keys() {
            Some(keys) => {
                let now = clock::now();
                match token::verify_with_keys(&request.token, &keys.decoded(), now) {
                    Ok((_, claims)) if !first_offline_check(&claims, now) => Outcome::SeenOffline,
                    result => Outcome::Offline {
                        result: result.map(|(_, c)| c),
                        keys_as_of: keys.as_of,
                    },
                }
            }
            None => Outcome::NoKeys,
        },
        online => Outcome::Online(online),
    }
}

/// Whether this device checks the code `claims` come from offline for the first time, noting
/// it if so. With no network the server's record of checks cannot be asked, but this device
/// can still refuse a code it has seen: one counter is caught, though not two devices. Codes
/// are kept until they expire (a minute), so the list stays short.
fn first_offline_check(claims: &Claims, now: i64) -> bool {
    let mut checked: Vec<(String, i64)> = device::get_json(CHECKED_OFFLINE).unwrap_or_default();
    checked.retain(|(_, expires_at)| *expires_at + token::CLOCK_SKEW_SECS >= now);
    let nonce: String = claims.nonce.iter().map(|b| format!("{b:02x}")).collect();
    let first = !checked.iter().any(|(seen, _)| *seen == nonce);
    if first {
        checked.push((nonce, claims.expires_at));
    }
    device::set_json(CHECKED_OFFLINE, &checked);
    first
}

#[component]
pub fn VerifyPage(
    /// Inside the officials' shell the page is one of its tabs; on its own it links home.
    #[prop(optional)]
    public: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let token = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let empty = RwSignal::new(false);
    // Refresh the saved issuer keys whenever the page opens online.
    spawn_local(async {
        if let Ok(keys) = api().issuer_keys().await {
            save_keys(&keys);
        }
    });
    // Each outcome with the code it is for.
    let check = Action::new_local(|request: &VerifyRequest| {
        let request = request.clone();
        async move { (request.token.clone(), check_code(request).await) }
    });
    // A result belongs to the code it was given for: once the code is changed, or sent again,
    // the last one (perhaps someone else's "valid") is gone, never shown under a new code,
    // and neither is one that arrives for a code changed while it was being checked.
    Effect::watch(
        move || token.track(),
        move |_, _, _| check.value().set(None),
        false,
    );
    let outcome = Memo::new(move |_| {
        check.value().with(|checked| {
            checked
                .as_ref()
                .filter(|(checked, _)| token.with(|now| now.trim() == checked))
                .map(|(_, outcome)| outcome.clone())
        })
    });
    // The error for an empty field goes once there is a code to check.
    Effect::watch(
        move || token.with(|t| t.trim().is_empty()),
        move |now_empty, _, _| {
            if !now_empty {
                empty.set(false);
            }
        },
        false,
    );
    let submit = move || {
        check.value().set(None);
        let text = token.get_untracked();
        if text.trim().is_empty() {
            empty.set(true);
            // Where the code goes: a screen reader reads its label and the error with it.
            crate::page::focus("#licence-code");
            return;
        }
        empty.set(false);
        let place = Some(place.get_untracked()).filter(|p| !p.trim().is_empty());
        check.dispatch_local(VerifyRequest {
            token: text.trim().to_owned(),
            place,
        });
    };
    // The button goes with the result: the cursor goes where the next code is pasted.
    let reset = move || {
        token.set(String::new());
        check.value().set(None);
        crate::page::focus("#licence-code");
    };
    // The result comes below the form, which on a small phone in large text is off the
    // screen: it is brought into view, so the official sees that something happened.
    let result = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if outcome.with(Option::is_some) {
            // A frame is held back while the tab is hidden, so the page may be gone by then.
            request_animation_frame(move || {
                if let Some(region) = result.try_get_untracked().flatten()
                    && region.child_element_count() > 0
                {
                    region.scroll_into_view_with_bool(true);
                }
            });
        }
    });
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, verify.title).to_string())>
            <div class="kp-stack">
                <p class="kp-lead">{move || t_string!(i18n, verify.intro)}</p>
                <Scanner on_code=Callback::new(move |text: String| {
                    token.set(text);
                    submit();
                })/>
                <form class="kp-stack" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }>
                    <TextField id="licence-code" label=Signal::derive(move || t_string!(i18n, verify.token_label).to_string())
                        value=token autocomplete="off"
                        hint=Signal::derive(move || t_string!(i18n, verify.token_hint).to_string())
                        error=Signal::derive(move || empty.get().then(|| t_string!(i18n, verify.empty).to_string()))/>
                    <TextField id="check-place" label=Signal::derive(move || t_string!(i18n, verify.place_label).to_string())
                        value=place autocomplete="off" max_chars=kapok_api::PLACE_MAX/>
                    <Button submit=true disabled=check.pending()>
                        {move || if check.pending().get() { t_string!(i18n, verify.checking) } else { t_string!(i18n, verify.submit) }}
                    </Button>
                </form>
                // A polite live region that exists before the result does, so the outcome is announced.
                <div role="status" class="kp-stack" node_ref=result>
                    {move || outcome.get().map(|outcome| match outcome {
                        Outcome::Online(Ok(licence)) => view! { <Verified licence=licence/> }.into_any(),
                        Outcome::Online(Err(e)) => {
                            view! { <Refused message=Signal::derive(move || error_text(i18n, &e))/> }.into_any()
                        }
                        Outcome::Offline { result: Ok(claims), keys_as_of } => {
                            view! { <VerifiedOffline claims=claims keys_as_of=keys_as_of/> }.into_any()
                        }
                        Outcome::Offline { result: Err(e), .. } => {
                            view! { <Refused message=Signal::derive(move || token_error_text(i18n, e))/> }.into_any()
                        }
                        Outcome::SeenOffline => {
                            view! { <Refused message=Signal::derive(move || t_string!(i18n, verify.seen_offline).to_string())/> }
                                .into_any()
                        }
                        Outcome::NotACode => {
                            view! { <Refused message=Signal::derive(move || token_error_text(i18n, TokenError::Malformed))/> }
                                .into_any()
                        }
                        Outcome::NoKeys => {
                            view! { <Refused message=Signal::derive(move || t_string!(i18n, verify.no_keys).to_string())/> }
                                .into_any()
                        }
                    })}
                </div>
                {move || outcome.with(Option::is_some).then(|| view! {
                    <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| reset())>
                        {move || t_string!(i18n, verify.next)}
                    </Button>
                })}
                {public.then(|| view! { <a class="kp-link" href="/">{move || t_string!(i18n, not_found.home)}</a> })}
            </div>
        </Page>
    }
}

/// A code that checked out: the licence type, what may be seen of it, and how it was checked.
#[component]
fn Verdict(
    licence_type: kapok_api::LicenceType,
    issued_at: i64,
    expires_at: i64,
    /// How the code was checked (online with the issuer, or offline with saved keys).
    #[prop(into)]
    how: Signal<String>,
    /// The facts shown, as `<dt>`/`<dd>` pairs.
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let window = move || {
        t_string!(
            i18n,
            verify.code_window,
            from = clock::time_of_day(issued_at),
            to = clock::time_of_day(expires_at)
        )
        .to_string()
    };
    view! {
        <section class="kp-verdict" aria-labelledby="verdict-title">
            <h2 id="verdict-title" class="kp-verdict__title">{move || t_string!(i18n, verify.valid_title)}</h2>
            <p>{move || t_string!(i18n, verify.valid_message)}</p>
            <Card title=Signal::derive(move || labels::licence_type(i18n, licence_type).to_string())>
                <dl class="kp-facts">{children()}</dl>
            </Card>
            <p class="kp-verdict__note">{move || how.get()}" · "{window}</p>
        </section>
    }
}

#[component]
fn Verified(licence: VerifiedLicence) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Verdict
            licence_type=licence.licence_type
            issued_at=licence.issued_at
            expires_at=licence.expires_at
            how=Signal::derive(move || t_string!(i18n, verify.online).to_string())
        >
            {licence.shown_fields.iter().cloned().map(|f| {
                let lang = labels::value_lang(Some(f.key), &f.value, licence.licence_type);
                view! {
                    <dt>{move || labels::field(i18n, f.key)}</dt>
                    <dd lang=lang>{move || labels::field_value(i18n, f.key, &f.value)}</dd>
                }
            }).collect_view()}
            <dt>{move || t_string!(i18n, wallet.number)}</dt>
            <dd class="kp-code">{licence.number_masked.clone()}</dd>
            <dt>{move || t_string!(i18n, wallet.issued_by)}</dt>
            <dd lang=labels::value_lang(None, &licence.issuing_authority, licence.licence_type)>{licence.issuing_authority.clone()}</dd>
        </Verdict>
    }
}

/// A code that checked out on this device, with no network: what the code itself says.
#[component]
fn VerifiedOffline(claims: Claims, keys_as_of: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Verdict
            licence_type=claims.licence_type
            issued_at=claims.issued_at
            expires_at=claims.expires_at
            how=Signal::derive(move || t_string!(i18n, verify.offline, time = format::date_time(i18n.get_locale(), keys_as_of)).to_string())
        >
            <dt>{move || t_string!(i18n, verify.holder)}</dt>
            <dd lang=labels::value_lang(None, &claims.holder_name, claims.licence_type)>{claims.holder_name.clone()}</dd>
        </Verdict>
    }
}

#[component]
fn Refused(#[prop(into)] message: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! { <ErrorState title=Signal::derive(move || t_string!(i18n, verify.invalid_title).to_string()) message=message/> }
}
