//! The frame of every page: the top bar with the page's `<h1>`, and the main landmark.

use kapok_api::{ErrorCode, client::ClientError};
use kapok_components::{AppBar, EmptyState, ErrorState, app_bar::BackLink};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::{
    errors::error_text,
    format,
    i18n::{Locale, t_string, use_i18n},
    shells::{ShellOf, shell_title},
};

/// Sends the person on to `path` once what holds this has been drawn, in place of the current
/// entry in the history. The router's `Redirect` navigates at once, and when it is built as
/// part of the page being entered (a signed-in person back at `/`), that page is torn down
/// while still being built, which crashed the app.
#[component]
pub fn GoTo(path: String) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let replace = leptos_router::NavigateOptions {
            replace: true,
            ..Default::default()
        };
        navigate(&path, replace);
    });
}

thread_local! {
    /// Whether a page has been left since the app started (so the current one came by a
    /// route change).
    static LEFT_A_PAGE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[component]
pub fn Page(
    #[prop(into)] title: Signal<String>,
    /// Where "back" leads, for pages below a tab.
    #[prop(optional)]
    back: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    // A distinct document title per page (WCAG 2.4.2), in the current locale.
    Effect::new(move |_| {
        let text = format!("{} · {}", title.get(), t_string!(i18n, app_name));
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&text);
        }
    });
    // After a route change the element that had focus is gone; without this, the next Tab
    // would start from the end of the document. Focus moves to the new page's main landmark.
    // The first page of a load is left alone: nothing had focus, the next Tab starts at the
    // top of the document as on any page the browser opens, and focusing would cost a
    // layout (about 45 ms in a Chromium trace at 4× CPU slowdown) in the middle of start-up.
    on_cleanup(|| LEFT_A_PAGE.set(true));
    let main = NodeRef::<leptos::html::Main>::new();
    request_animation_frame(move || {
        if !LEFT_A_PAGE.get() {
            return;
        }
        let body = document().body();
        let lost = document()
            .active_element()
            .is_none_or(|e| body.is_some_and(|b| e.is_same_node(Some(&b))));
        // The page may already be gone (the sign-in page giving way to a redirect within the
        // same frame): its main with it, and nothing to focus.
        if lost && let Some(main) = main.try_get_untracked().flatten() {
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = main.focus_with_options(&options);
        }
    });
    // Inside a shell, every page but its home says which shell it belongs to.
    let shell = use_context::<crate::shells::ShellOf>();
    let context = Signal::derive(move || {
        let name = shell_title(shell?.0, i18n);
        (name != title.get()).then_some(name)
    });
    let back = back.map(|href| BackLink {
        href: href.to_string(),
        label: Signal::derive(move || t_string!(i18n, back).to_string()),
    });
    view! {
        {match back {
            Some(back) => view! { <AppBar title=title context=context back=back/> }.into_any(),
            None => view! { <AppBar title=title context=context/> }.into_any(),
        }}
        <main id="main" class="kp-main" tabindex="-1" node_ref=main>
            <crate::read_aloud::ReadAloud/>
            // Whoever acts under a grant sees for whom, on every page.
            <crate::pages::delegation::ActingFor/>
            {children()}
        </main>
    }
}

/// The longest `Retry-After` a page waits out by itself: past it, the person is better told to
/// come back later than shown a page that changes long after they stopped looking.
const LONGEST_WAIT_SECS: u32 = 120;

/// The wait when nothing said how long: as long as the server asks for when its database is
/// away, which is what a restart or failover behind a proxy looks like.
const UNSAID_WAIT_SECS: u32 = 30;

/// A failure this soon after a page asked again by itself is that retry's own: the request
/// could have waited its whole time limit for an answer, and a moment more to draw the page.
const SAME_OUTAGE_MS: f64 = (kapok_api::client::TIME_LIMIT.as_secs() as f64 + 10.0) * 1000.0;

thread_local! {
    /// When a page last asked again by itself, and how many times in a row it had by then.
    static ASKED_AGAIN: std::cell::Cell<Option<(f64, u32)>> = const { std::cell::Cell::new(None) };
}

/// How a page whose data could not be loaded asks again without a tap.
#[derive(Clone, Copy)]
enum Again {
    /// After that many seconds; the retry is the given one in a row (the first is 0).
    After { secs: u32, in_a_row: u32 },
    /// The phone is offline: when it is back online.
    Online,
}

impl Again {
    /// With no network, once it is back. Otherwise, when the server said how long to wait
    /// (busy, or unavailable for a while), that long; when nothing answered for it (a proxy's
    /// own error page, no answer in time, no connection), half a minute. Either is spread over
    /// up to a quarter more, so that everyone turned away at once does not come back at once.
    /// The server's own failures (a 500) are not asked again by themselves: the same request
    /// may well fail the same way.
    ///
    /// When asking again by itself failed again, and not because of a limit (whose wait the
    /// server knows to the second), the wait doubles each time, up to two minutes: an outage
    /// that lasts is asked about less and less often by each phone still waiting on it.
    fn for_error(error: &ClientError) -> Option<Again> {
        let in_a_row = ASKED_AGAIN
            .take()
            .filter(|(at, _)| js_sys::Date::now() - at < SAME_OUTAGE_MS)
            .map_or(0, |(_, before)| before + 1);
        let offline = !window().navigator().on_line();
        if matches!(error, ClientError::Network(_)) && offline {
            return Some(Again::Online);
        }
        let secs = match error.retry_after() {
            Some(secs) => secs,
            None if matches!(
                error,
                ClientError::Unavailable { .. }
                    | ClientError::Network(_)
                    | ClientError::TimedOut { sending: false }
            ) =>
            {
                UNSAID_WAIT_SECS
            }
            None => return None,
        };
        if secs > LONGEST_WAIT_SECS {
            return None;
        }
        let limited = matches!(error, ClientError::Problem(p) if p.status == 429);
        let secs = wait_secs(secs, limited, in_a_row);
        let spread = (f64::from(secs) * 0.25 * js_sys::Math::random()).ceil() as u32;
        Some(Again::After {
            secs: secs + spread,
            in_a_row,
        })
    }

    /// Starts waiting; `retry` runs once, when the wait is over, unless the page went first.
    fn arm(self, retry: Callback<()>) {
        match self {
            Again::After { secs, in_a_row } => {
                let due = set_timeout_with_handle(
                    move || {
                        ASKED_AGAIN.set(Some((js_sys::Date::now(), in_a_row)));
                        retry.run(());
                    },
                    std::time::Duration::from_secs(secs.into()),
                );
                on_cleanup(move || {
                    if let Ok(due) = due {
                        due.clear();
                    }
                });
            }
            Again::Online => {
                let back = window_event_listener(leptos::ev::online, move |_| retry.run(()));
                on_cleanup(move || back.remove());
            }
        }
    }

    fn text(self, i18n: I18nContext<Locale>) -> String {
        match self {
            Again::After { secs, .. } if let Some(minutes) = in_minutes(secs) => format::counted(
                i18n.get_locale(),
                minutes.into(),
                |count| t_string!(i18n, errors.retrying_minutes.one, count = count).to_string(),
                |count| t_string!(i18n, errors.retrying_minutes.other, count = count).to_string(),
            ),
            Again::After { secs, .. } => format::counted(
                i18n.get_locale(),
                secs.into(),
                |count| t_string!(i18n, errors.retrying.one, count = count).to_string(),
                |count| t_string!(i18n, errors.retrying.other, count = count).to_string(),
            ),
            Again::Online => t_string!(i18n, errors.retrying_online).to_string(),
        }
    }
}

/// The wait before asking again, before its spread: a limit's (`limited`) as the server said,
/// to the second; any other doubled for each retry in a row that failed (`in_a_row`), up to
/// the longest a page waits.
fn wait_secs(secs: u32, limited: bool, in_a_row: u32) -> u32 {
    if limited {
        return secs.max(1);
    }
    secs.max(1)
        .saturating_mul(1 << in_a_row.min(8))
        .min(LONGEST_WAIT_SECS)
}

/// A wait of a minute and a half or more reads better in whole minutes, rounded.
fn in_minutes(secs: u32) -> Option<u32> {
    (secs >= 90).then(|| (secs + 30) / 60)
}

/// What a page shows when its data could not be loaded: why, in words, and a way to retry;
/// or, when there is nothing there (or nothing this person may see), a way home instead, as
/// asking again would find nothing again. When the server said how long to wait, or the phone
/// is offline, it also asks again by itself (`Again`), and says so.
#[component]
pub fn LoadFailed(error: ClientError, on_retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    if error.code() == Some(ErrorCode::NotFound) {
        let home = use_context::<ShellOf>().map_or("/", |shell| shell.0.home_path());
        return view! {
            <EmptyState
                title=Signal::derive(move || t_string!(i18n, not_found.title).to_string())
                message=Signal::derive(move || t_string!(i18n, errors.not_found).to_string())
            >
                <a class="kp-link" href=home>{move || t_string!(i18n, not_found.home)}</a>
            </EmptyState>
        }
        .into_any();
    }
    let again = Again::for_error(&error);
    if let Some(again) = again {
        again.arm(on_retry);
    }
    view! {
        <ErrorState
            title=Signal::derive(move || t_string!(i18n, errors.title).to_string())
            message=Signal::derive(move || error_text(i18n, &error))
            note=Signal::derive(move || again.map(|again| again.text(i18n)))
            retry_label=Signal::derive(move || t_string!(i18n, errors.retry).to_string())
            on_retry=on_retry
        />
    }
    .into_any()
}

/// Puts the cursor on the first element `selector` matches, such as the field to fix: a screen
/// reader then reads its label and the error tied to it.
pub fn focus(selector: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(el) = document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// For a control whose action takes it away (a list item's button, a button that goes when
/// nothing is left to do): once it has left the document, keyboard focus, which would drop
/// to the top of the page with it, moves to the page's main landmark instead. Watches for
/// ten seconds at most. Given the event's `current_target()`, which may be none.
pub fn keep_focus_after(control: Option<web_sys::EventTarget>) {
    use wasm_bindgen::JsCast;
    fn watch(control: web_sys::Element, frames: u32) {
        request_animation_frame(move || {
            if control.is_connected() {
                if frames < 600 {
                    watch(control, frames + 1);
                }
                return;
            }
            let body = document().body();
            let lost = document()
                .active_element()
                .is_none_or(|e| body.is_some_and(|b| e.is_same_node(Some(&b))));
            let main = document()
                .get_element_by_id("main")
                .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok());
            if lost && let Some(main) = main {
                let options = web_sys::FocusOptions::new();
                options.set_prevent_scroll(true);
                let _ = main.focus_with_options(&options);
            }
        });
    }
    if let Some(Ok(control)) = control.map(|c| c.dyn_into::<web_sys::Element>()) {
        watch(control, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_that_lasts_is_asked_about_less_often_and_a_limit_when_it_ends() {
        let waits: Vec<_> = (0..5).map(|n| wait_secs(30, false, n)).collect();
        assert_eq!(waits, [30, 60, 120, 120, 120]);
        assert_eq!(wait_secs(0, false, 0), 1, "never at once");
        assert_eq!(wait_secs(30, false, u32::MAX), LONGEST_WAIT_SECS);
        // The limit's window ends when the server said, however often it was met.
        assert_eq!(wait_secs(45, true, 3), 45);
    }

    #[test]
    fn a_long_wait_is_said_in_minutes() {
        assert_eq!(in_minutes(89), None);
        assert_eq!(in_minutes(90), Some(2));
        assert_eq!(in_minutes(120), Some(2));
        assert_eq!(in_minutes(149), Some(2));
        assert_eq!(in_minutes(150), Some(3));
    }
}
