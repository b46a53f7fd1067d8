//! What someone was typing when their session ended (the app's idle sign-out, or the server
//! having ended it), kept so that signing in again brings them back to it rather than to an
//! empty form.
//!
//! Nothing is written while they type: the open form is only read at the moment the session
//! ends, into this tab's `sessionStorage` (gone when the tab closes), and it is given back once,
//! to the same person on the same page. Anyone else who signs in here discards it unread.

use std::cell::RefCell;

use leptos::prelude::*;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::i18n::{t_string, use_i18n};

const KEY: &str = "kapok.unsaved";

#[derive(Serialize, Deserialize)]
struct Kept {
    user: String,
    path: String,
    /// The form as JSON text: kept as text, it needs no JSON value type in the client.
    form: String,
}

/// The form open now: a number to tell registrations apart, its page, and how to read it.
type Open = (u64, String, Box<dyn Fn() -> Option<String>>);

thread_local! {
    static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
    static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn here() -> String {
    leptos_router::hooks::use_location()
        .pathname
        .get_untracked()
}

/// Marks what `read` gives (the form on this page, as typed so far) as the work in progress
/// here, until the page is left.
pub fn guard<T: Serialize + 'static>(read: impl Fn() -> Option<T> + 'static) {
    let id = NEXT.get();
    NEXT.set(id + 1);
    let read = move || read().and_then(|form| serde_json::to_string(&form).ok());
    OPEN.with_borrow_mut(|open| *open = Some((id, here(), Box::new(read))));
    on_cleanup(move || {
        OPEN.with_borrow_mut(|open| {
            if open.as_ref().is_some_and(|(open_id, ..)| *open_id == id) {
                *open = None;
            }
        });
    });
}

/// The session of `user` is ending: keeps the open form, if any, for them.
pub fn keep(user: &str) {
    let Some((path, form)) = OPEN.with_borrow(|open| {
        open.as_ref()
            .and_then(|(_, path, read)| Some((path.clone(), read()?)))
    }) else {
        return;
    };
    let kept = Kept {
        user: user.to_owned(),
        path,
        form,
    };
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&kept)) {
        let _ = s.set_item(KEY, &json);
    }
}

/// What the person signed in now was typing on this page when their session ended, once.
pub fn take<T: DeserializeOwned>() -> Option<T> {
    let user = crate::auth::Auth::get().me_untracked()?.user.id;
    let s = storage()?;
    let kept: Kept = serde_json::from_str(&s.get_item(KEY).ok()??).ok()?;
    if kept.user != user {
        // Someone else signed in: theirs is not to be shown, now or later.
        let _ = s.remove_item(KEY);
        return None;
    }
    if kept.path != here() {
        return None;
    }
    let _ = s.remove_item(KEY);
    serde_json::from_str(&kept.form).ok()
}

/// Says, above a form, that what was typed before the sign-out is back.
#[component]
pub fn KeptNotice() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="kp-notice" role="status">{move || t_string!(i18n, idle.kept)}</p> }
}

/// `user` has just signed in: what another person left here goes, unread.
pub fn signed_in(user: &str) {
    let Some(s) = storage() else { return };
    let other = s
        .get_item(KEY)
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str::<Kept>(&json).ok())
        .is_none_or(|kept| kept.user != user);
    if other {
        let _ = s.remove_item(KEY);
    }
}
