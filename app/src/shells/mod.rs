//! The three persona shells: a gate (signed in, and in the right shell), the page, and the
//! shell's tab bar.

pub mod enterprise;
pub mod official;
pub mod resident;

use kapok_api::Persona;
use kapok_components::{IconName, Loading, Tab, TabBar};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::{components::Outlet, hooks::use_location};

use crate::{
    api::api,
    auth::{Auth, AuthState, Notice},
    format,
    i18n::{Locale, t, t_string, use_i18n},
    page::{GoTo, LoadFailed},
    pages::messages::{Unread, unread_text},
    prefs::{clear_theme, set_theme},
};

/// The ring-for-help number on every elderly home: Guangdong's 12345 government service hotline.
pub const HELP_LINE: &str = "tel:12345";

#[derive(Clone, Debug, PartialEq)]
enum Gate {
    Wait,
    Out,
    Elsewhere(&'static str),
    In,
    Failed(kapok_api::client::ClientError),
}

/// The shell the current page belongs to, for its pages to name it.
#[derive(Clone, Copy)]
pub struct ShellOf(pub Persona);

/// Where a persona's Me tab is: their account, passkeys and devices.
pub fn me_path(persona: Persona) -> &'static str {
    match persona {
        Persona::Resident => "/resident/me",
        Persona::Enterprise => "/enterprise/me",
        Persona::Official => "/official/me",
    }
}

#[component]
pub fn Shell(persona: Persona) -> impl IntoView {
    provide_context(ShellOf(persona));
    let auth = Auth::get();
    let i18n = use_i18n();
    let gate = Memo::new(move |_| match auth.state.get() {
        AuthState::Checking => Gate::Wait,
        AuthState::SignedOut => Gate::Out,
        AuthState::Unreachable(e) => Gate::Failed(e),
        AuthState::SignedIn(me) if me.user.persona == persona => Gate::In,
        AuthState::SignedIn(me) => Gate::Elsewhere(me.user.persona.home_path()),
    });
    // The unread count follows the person around: asked again on every page they open.
    let unread = Unread::provide();
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        if gate.get() == Gate::In {
            unread.refresh();
        }
    });
    // The page scrolls inside the shell, not the window, so the router's scroll to the top
    // on a new page is done here: only when the path changes, as setting it makes the browser
    // lay the page out at once (which cost the first render about 15 ms of a phone's time).
    let page = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |last: Option<String>| {
        let path = location.pathname.get();
        if last.is_some_and(|last| last != path)
            && let Some(page) = page.get_untracked()
        {
            page.set_scroll_top(0);
        }
        path
    });
    Effect::new(move |_| set_theme(persona));
    on_cleanup(move || clear_theme(persona));
    move || match gate.get() {
        Gate::Wait => {
            view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }
                .into_any()
        }
        // Signing in brings the person back here: to a link opened while signed out, or after
        // a session ended by itself. Not after signing out, when whoever signs in next may be
        // someone else.
        Gate::Out => {
            let path = match auth.notice.get_untracked() {
                Some(Notice::SignedOut | Notice::SignedOutOffline) => "/".to_owned(),
                _ => crate::auth::sign_in_and_back(),
            };
            view! { <GoTo path=path/> }.into_any()
        }
        Gate::Elsewhere(path) => view! { <GoTo path=path.to_owned()/> }.into_any(),
        Gate::Failed(e) => view! {
            <main id="main" class="kp-main">
                <LoadFailed error=e on_retry=Callback::new(move |_| auth.refresh())/>
            </main>
        }
        .into_any(),
        Gate::In => view! {
            <div class="kp-shell">
                <a class="kp-skip-link" href="#main">{move || t_string!(i18n, skip_link)}</a>
                <div class="kp-shell__page" node_ref=page><Outlet/></div>
                <TabBar
                    label=Signal::derive(move || t_string!(i18n, tabs.label).to_string())
                    tabs=Signal::derive(move || tabs(persona, i18n, unread.0.get()))
                />
            </div>
        }
        .into_any(),
    }
}

fn tabs(persona: Persona, i18n: I18nContext<Locale>, unread: u32) -> Vec<Tab> {
    let home = persona.home_path();
    let tab = |href: &'static str, label: &str, icon, exact| Tab {
        href,
        label: label.to_string(),
        icon,
        exact,
        badge: None,
    };
    let messages = match persona {
        Persona::Resident => "/resident/messages",
        Persona::Enterprise => "/enterprise/messages",
        Persona::Official => "/official/messages",
    };
    let me = me_path(persona);
    let middle = match persona {
        Persona::Resident => [
            tab(
                "/resident/wallet",
                t_string!(i18n, tabs.wallet),
                IconName::Wallet,
                false,
            ),
            tab(
                "/resident/services",
                t_string!(i18n, tabs.services),
                IconName::Services,
                false,
            ),
        ],
        Persona::Enterprise => [
            tab(
                "/enterprise/wallet",
                t_string!(i18n, tabs.company_wallet),
                IconName::Wallet,
                false,
            ),
            tab(
                "/enterprise/delegation",
                t_string!(i18n, tabs.delegation),
                IconName::Delegation,
                false,
            ),
        ],
        Persona::Official => [
            tab(
                "/official/verify",
                t_string!(i18n, tabs.verify),
                IconName::Verify,
                false,
            ),
            tab(
                "/official/inbox",
                t_string!(i18n, tabs.inbox),
                // The applications waiting for a decision; the message inbox has the tray.
                IconName::Applications,
                false,
            ),
        ],
    };
    let mut tabs = vec![tab(home, t_string!(i18n, tabs.home), IconName::Home, true)];
    tabs.extend(middle);
    tabs.push(Tab {
        badge: (unread > 0).then(|| {
            let shown = if unread > 99 {
                "99+".to_string()
            } else {
                unread.to_string()
            };
            (shown, unread_text(i18n, unread))
        }),
        ..tab(
            messages,
            t_string!(i18n, tabs.messages),
            IconName::Inbox,
            false,
        )
    });
    tabs.push(tab(me, t_string!(i18n, tabs.me), IconName::Me, false));
    tabs
}

/// The shell's title for its home page.
pub fn shell_title(persona: Persona, i18n: I18nContext<Locale>) -> String {
    match persona {
        Persona::Resident => t_string!(i18n, shell.resident),
        Persona::Enterprise => t_string!(i18n, shell.enterprise),
        Persona::Official => t_string!(i18n, shell.official),
    }
    .to_string()
}

pub fn persona_label(persona: Persona, i18n: I18nContext<Locale>) -> String {
    match persona {
        Persona::Resident => t_string!(i18n, persona.resident),
        Persona::Enterprise => t_string!(i18n, persona.enterprise),
        Persona::Official => t_string!(i18n, persona.official),
    }
    .to_string()
}

/// A text from the locale files as a signal that follows the locale: `tr(i18n, |i| t_string!(i, key))`.
pub fn tr(
    i18n: I18nContext<Locale>,
    text: fn(I18nContext<Locale>) -> &'static str,
) -> Signal<String> {
    Signal::derive(move || text(i18n).to_string())
}

/// "Hello, <name>" at the top of a shell's home.
#[component]
pub fn Greeting() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let name = move || auth.me().map(|me| me.user.display_name).unwrap_or_default();
    view! { <p class="kp-greeting">{move || t!(i18n, home.greeting, name = crate::labels::typed(name()))}</p> }
}

/// "2 authorisation requests are waiting for you", with a link to `href` where they are
/// decided: the chat link is not the only way a request reaches the one who decides it.
#[component]
pub fn WaitingForYou(href: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let waiting = LocalResource::new(|| async {
        api()
            .delegation_requests()
            .await
            .map(|r| r.to_decide.len() as i64)
            .unwrap_or(0)
    });
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let n = waiting.await;
                (n > 0).then(|| view! {
                    <p class="kp-notice" role="status">
                        {move || waiting_text(i18n, n)}" "
                        <a class="kp-link" href=href>{t_string!(i18n, home.review)}</a>
                    </p>
                })
            })}
        </Suspense>
    }
}

/// "2 authorisation requests are waiting for you", in the locale's words and plural.
fn waiting_text(i18n: I18nContext<Locale>, n: i64) -> String {
    format::counted(
        i18n.get_locale(),
        n,
        |count| t_string!(i18n, home.waiting_count.one, count = count).to_string(),
        |count| t_string!(i18n, home.waiting_count.other, count = count).to_string(),
    )
}
