//! What someone was typing on a form they have not sent, kept so that coming back to it brings
//! them back to what they typed rather than to an empty form: after their session ended (the
//! app's idle sign-out, or the server having ended it), after leaving the page for another,
//! and after the browser reloaded the tab (a phone discards a tab left in the background and
//! loads it afresh when it comes back, say from the chat app a link was copied from).
//!
//! Nothing is written while they type: the open form is read when its page is left, when the
//! tab is hidden or unloaded, and when the session ends, into this tab's `sessionStorage`
//! (gone when the tab closes). It is given back to the same person on the same page, and kept
//! again if they leave it unsent. A form sent, or put back as it opened, is nothing to keep.
//! Anyone else who signs in here discards it unread, and signing out on purpose discards it.

use std::cell::{Cell, RefCell};

use kapok_components::{Button, ButtonVariant};
use leptos::prelude::*;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::i18n::{t_string, use_i18n};

const KEY: &str = "kapok.unsaved";
/// Forms kept at once in a tab: the ones left most recently.
const MOST: usize = 8;

/// Why a form was kept, which the notice above it given back says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The session ended while it was open.
    SessionEnded,
    /// Its page was left, or the tab reloaded.
    Left,
}

#[derive(Serialize, Deserialize)]
struct Kept {
    user: String,
    path: String,
    /// The form as JSON text: kept as text, it needs no JSON value type in the client.
    form: String,
    why: Why,
}

/// The form open now.
struct Open {
    /// Tells registrations apart.
    id: u64,
    path: String,
    /// The form as typed so far, when it differs from how it opened.
    read: Box<dyn Fn() -> Option<String>>,
    /// The form as last sent (saved, or filed) from this page: nothing to keep while it is so.
    sent: Option<String>,
}

impl Open {
    fn unsent(&self) -> Option<String> {
        (self.read)().filter(|form| self.sent.as_ref() != Some(form))
    }
}

thread_local! {
    static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
    static NEXT: Cell<u64> = const { Cell::new(0) };
    static LISTENING: Cell<bool> = const { Cell::new(false) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn load() -> Vec<Kept> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn store(kept: &[Kept]) {
    let Some(s) = storage() else { return };
    if kept.is_empty() {
        let _ = s.remove_item(KEY);
    } else if let Ok(json) = serde_json::to_string(kept) {
        let _ = s.set_item(KEY, &json);
    }
}

/// Keeps `form` as what `user` left at `path`, or, with none, nothing there.
fn put(user: &str, path: &str, form: Option<String>, why: Why) {
    let mut kept = load();
    kept.retain(|k| k.path != path);
    if let Some(form) = form {
        kept.push(Kept {
            user: user.to_owned(),
            path: path.to_owned(),
            form,
            why,
        });
    }
    let over = kept.len().saturating_sub(MOST);
    kept.drain(..over);
    store(&kept);
}

fn here() -> String {
    leptos_router::hooks::use_location()
        .pathname
        .get_untracked()
}

/// A form marked as the work in progress on its page.
#[derive(Clone, Copy)]
pub struct Guarded {
    id: u64,
}

impl Guarded {
    /// The form as it is now has been sent: kept no more, and nothing to keep until it is
    /// changed again (a draft saved stays on its page).
    pub fn sent(self) {
        let path = OPEN.with_borrow_mut(|open| {
            let open = open.as_mut().filter(|o| o.id == self.id)?;
            open.sent = (open.read)();
            Some(open.path.clone())
        });
        if let Some(path) = path {
            let mut kept = load();
            kept.retain(|k| k.path != path);
            store(&kept);
        }
    }
}

/// Marks what `read` gives (the form on this page, as typed so far, when it differs from how
/// it opened) as the work in progress here. What it gives when the page is left is kept.
pub fn guard<T: Serialize + 'static>(read: impl Fn() -> Option<T> + 'static) -> Guarded {
    listen();
    let id = NEXT.get();
    NEXT.set(id + 1);
    let read = move || read().and_then(|form| serde_json::to_string(&form).ok());
    OPEN.with_borrow_mut(|open| {
        *open = Some(Open {
            id,
            path: here(),
            read: Box::new(read),
            sent: None,
        })
    });
    on_cleanup(move || {
        let left = OPEN.with_borrow_mut(|open| {
            if open.as_ref().is_some_and(|o| o.id == id) {
                open.take()
            } else {
                None
            }
        });
        if let Some(left) = left {
            keep_left(&left);
        }
    });
    Guarded { id }
}

/// The open form's page is being left, or the tab hidden or unloaded, with someone signed in.
fn keep_left(open: &Open) {
    if let Some(user) = crate::auth::signed_in_user() {
        put(&user, &open.path, open.unsent(), Why::Left);
    }
}

/// Keeps the open form when the tab is hidden (the last moment a phone is sure to give before
/// it discards a tab in the background) or unloaded (a reload).
fn listen() {
    use wasm_bindgen::{JsCast, closure::Closure};
    if LISTENING.replace(true) {
        return;
    }
    let keep = || OPEN.with_borrow(|open| open.as_ref().map(keep_left));
    let hidden = Closure::<dyn Fn()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            keep();
        }
    });
    let unloaded = Closure::<dyn Fn()>::new(move || {
        keep();
    });
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", hidden.as_ref().unchecked_ref());
    let _ =
        window().add_event_listener_with_callback("pagehide", unloaded.as_ref().unchecked_ref());
    // For the life of the app.
    hidden.forget();
    unloaded.forget();
}

/// The session of `user` is ending: keeps the open form, if any, for them.
pub fn keep(user: &str) {
    let open =
        OPEN.with_borrow(|open| open.as_ref().map(|open| (open.path.clone(), open.unsent())));
    if let Some((path, form @ Some(_))) = open {
        put(user, &path, form, Why::SessionEnded);
    }
}

/// What the person signed in now left unsent on this page, and why it was kept. Taken: kept
/// again only if they leave it unsent again.
pub fn take<T: DeserializeOwned>() -> Option<(T, Why)> {
    let user = crate::auth::Auth::get().me_untracked()?.user.id;
    let path = here();
    let mut kept = load();
    let at = kept.iter().position(|k| k.path == path && k.user == user)?;
    let found = kept.remove(at);
    store(&kept);
    Some((serde_json::from_str(&found.form).ok()?, found.why))
}

/// Says, above a form given back, that what was typed is back, and offers to start again.
#[component]
pub fn KeptNotice(why: Why, on_start_again: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || match why {
        Why::SessionEnded => t_string!(i18n, idle.kept),
        Why::Left => t_string!(i18n, idle.kept_left),
    };
    // The button goes with the notice: focus moves to the form's first field, where starting
    // again starts (or, in a form with none, to the page's main landmark).
    let start_again = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let button = ev.current_target();
        let form = button
            .as_ref()
            .and_then(|b| b.dyn_ref::<web_sys::Element>())
            .and_then(|b| b.closest("form, .kp-card").ok().flatten());
        on_start_again.run(());
        let first = form
            .and_then(|f| {
                f.query_selector("input:not([type=hidden]), textarea")
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        match first {
            Some(first) => {
                let _ = first.focus();
            }
            None => crate::page::keep_focus_after(button),
        }
    };
    view! {
        <div class="kp-notice kp-kept">
            <p role="status">{text}</p>
            <Button variant=ButtonVariant::Secondary on_click=Callback::new(start_again)>
                {move || t_string!(i18n, idle.start_again)}
            </Button>
        </div>
    }
}

/// `user` has just signed in: what another person left here goes, unread.
pub fn signed_in(user: &str) {
    let mut kept = load();
    let before = kept.len();
    kept.retain(|k| k.user == user);
    if kept.len() != before {
        store(&kept);
    }
}

/// Someone signed out on purpose: what they left unsent goes with them.
pub fn forget() {
    if let Some(s) = storage() {
        let _ = s.remove_item(KEY);
    }
}
