//! Warns before the session ends for want of activity, and lets the person stay (WCAG 2.2.1).
//!
//! The server ends a session after [`SESSION_IDLE_SECS`] without a request. A tap or key
//! press tells it the person is still here (with a quiet request, at most once a minute).
//! Two minutes before the end a dialog asks whether to stay. Unanswered, the app signs out
//! by itself, wipes what the device saved for the person, and says why on the sign-in page:
//! a phone left on a counter does not stay open.

use std::time::Duration;

use kapok_api::{SESSION_IDLE_SECS, SESSION_TOUCH_SECS};
use kapok_components::{Button, ButtonVariant, Dialog};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use crate::{
    api::api,
    auth::{Auth, AuthState, Notice},
    clock, format,
    i18n::{t_string, use_i18n},
};

/// How long before the end the warning shows: time to read it and answer.
const WARN_SECS: i64 = 120;

/// When the server last heard from this person, in any tab of this browser: every tab shares
/// the one session, so a tab left alone must not end it while the person works in another.
const HEARD_KEY: &str = "kapok.heard";

/// The latest of `heard` and what another tab of this browser recorded.
fn heard_anywhere(heard: i64) -> i64 {
    crate::device::get(HEARD_KEY)
        .and_then(|s| s.parse::<i64>().ok())
        .map_or(heard, |other| other.max(heard))
}

/// Watches for inactivity while someone is signed in.
#[component]
pub fn IdleGuard() -> impl IntoView {
    let auth = Auth::get();
    let signed_in = Memo::new(move |_| matches!(auth.state.get(), AuthState::SignedIn(_)));
    move || signed_in.get().then(|| view! { <Watch/> })
}

#[component]
fn Watch() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let navigate = use_navigate();
    let now = RwSignal::new(clock::now());
    // When the server last heard from this person, by the device's clock, here or in another
    // tab (read each second, with the time).
    let heard = RwSignal::new(clock::now());
    crate::device::set(HEARD_KEY, &heard.get_untracked().to_string());
    // The server may record a request up to a minute late, so its end can come that much early.
    let ends_at = move || heard.get() + SESSION_IDLE_SECS - SESSION_TOUCH_SECS;
    let left = Memo::new(move |_| ends_at() - now.get());
    let warning = Memo::new(move |_| left.get() <= WARN_SECS);
    if let Ok(tick) = set_interval_with_handle(
        move || {
            // A tick already queued when the watch ends (at sign-out) finds its values gone.
            let Some(known) = heard.try_get_untracked() else {
                return;
            };
            let latest = heard_anywhere(known);
            if latest != known {
                heard.try_set(latest);
            }
            now.try_set(clock::now());
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || tick.clear());
    }

    let stay = move || {
        heard.set(clock::now());
        crate::device::set(HEARD_KEY, &clock::now().to_string());
        now.set(clock::now());
        spawn_local(async move {
            // A session the server already ended cannot be kept: the API client's hook signs
            // the person out, saying why. No answer at all (offline, a busy server) changes
            // nothing here; this clock still ends the session if nothing more is done.
            let _ = api().me().await;
        });
    };
    // Activity keeps the session alive; while the warning shows, only its answer does.
    let active = move || {
        if !warning.get_untracked() && clock::now() - heard.get_untracked() >= SESSION_TOUCH_SECS {
            stay();
        }
    };
    let keys = window_event_listener(leptos::ev::keydown, move |_| active());
    let taps = window_event_listener(leptos::ev::pointerdown, move |_| active());
    on_cleanup(move || {
        keys.remove();
        taps.remove();
    });

    let sign_out = move |notice: Notice| {
        let navigate = navigate.clone();
        // Timed out, they come back to the page they were on, and to what they were typing;
        // signing out is a choice to leave both.
        let back = (notice == Notice::TimedOut).then(|| {
            if let Some(me) = auth.me_untracked() {
                crate::unsaved::keep(&me.user.id);
            }
            crate::auth::sign_in_and_back()
        });
        spawn_local(async move {
            // Gone either way: the device forgets even if the server cannot be told now (it is
            // told when the app next starts) or refuses.
            let why = if back.is_some() {
                crate::device::SignedOut::TimedOut
            } else {
                crate::device::SignedOut::OnPurpose
            };
            if crate::auth::sign_out_here(why).await.is_err() {
                crate::device::forget_on_sign_out(why);
            }
            if back.is_none() {
                crate::unsaved::forget();
            }
            auth.notice.set(Some(notice));
            auth.state.set(AuthState::SignedOut);
            navigate(back.as_deref().unwrap_or("/"), Default::default());
        });
    };
    // The end is checked against the other tabs once more before it is acted on.
    let ended = Memo::new(move |_| left.get() <= 0 && heard_anywhere(heard.get()) == heard.get());
    let timed_out = sign_out.clone();
    Effect::new(move |_| {
        if ended.get() {
            timed_out(Notice::TimedOut);
        }
    });

    let remaining = move || {
        let s = left.get().max(0);
        format!("{}:{:02}", s / 60, s % 60)
    };
    let open = Signal::derive(move || warning.get() && !ended.get());
    view! {
        <Dialog open=open alert=true on_dismiss=Callback::new(move |_| stay())
            title=Signal::derive(move || t_string!(i18n, idle.title).to_string())>
            <p>{move || t_string!(i18n, idle.message, minutes = format::number(i18n.get_locale(), SESSION_IDLE_SECS / 60)).to_string()}</p>
            // The time left is only drawn while the warning shows: until then the page is not
            // touched each second (a closed dialog is still in the document).
            {move || open.get().then(|| view! {
                <p class="kp-idle__left">{move || t_string!(i18n, idle.left, time = remaining()).to_string()}</p>
            })}
            <div class="kp-actions">
                <Button autofocus=true on_click=Callback::new(move |_| stay())>{move || t_string!(i18n, idle.stay)}</Button>
                <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| sign_out(Notice::SignedOut))>
                    {move || t_string!(i18n, me.sign_out)}
                </Button>
            </div>
        </Dialog>
    }
}
