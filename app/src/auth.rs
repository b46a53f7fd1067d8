//! Who is signed in, shared by every page.

use kapok_api::{ErrorCode, Me, client::ClientError};
use leptos::{prelude::*, task::spawn_local};

use crate::{api::api, device};

/// Keeps who is signed in on the device, for opening the app with no network.
pub fn remember(me: &Me) {
    device::set_json(&device::personal("me"), me);
}

/// Starts the device afresh for someone who has just signed in: nothing another person (or an
/// earlier session) left on it is shown to them, offline or while a page loads.
pub fn signed_in(me: &Me) {
    device::forget_personal_data();
    // The session a sign-out could not end is no longer this browser's: its cookie has just
    // been replaced, and telling the server later would end the new one.
    device::remove(SIGN_OUT_PENDING);
    crate::unsaved::signed_in(&me.user.id);
    remember(me);
}

/// Set while a sign-out made with no network (or a failing server) is still to be told to it.
const SIGN_OUT_PENDING: &str = "kapok.sign-out-pending";

/// Ends this device's session. The server is told; with no network or a failing server it is
/// told the next time the app starts ([`send_pending_sign_out`]), and meanwhile the person is
/// signed out here all the same: on a borrowed phone with no signal, signing out must not
/// depend on the signal. Either way the device forgets what it kept for them, and its other
/// tabs learn `why`. `Ok(false)`: the server is still to be told.
pub async fn sign_out_here(why: device::SignedOut) -> Result<bool, ClientError> {
    let told = match api().sign_out().await {
        Ok(()) => true,
        Err(e) if e.is_unavailable() => {
            device::set(SIGN_OUT_PENDING, "1");
            false
        }
        Err(e) => return Err(e),
    };
    device::forget_on_sign_out(why);
    Ok(told)
}

/// Tells the server of a sign-out it could not be told of when it was made. Sent as the app
/// starts, while no one is signed in here, so the cookie it carries is the one signed out.
fn send_pending_sign_out() {
    if device::get(SIGN_OUT_PENDING).is_none() {
        return;
    }
    spawn_local(async {
        match api().sign_out().await {
            Err(e) if e.is_unavailable() => {}
            // Ended, or already gone.
            _ => device::remove(SIGN_OUT_PENDING),
        }
    });
}

/// The sign-in page, to come back here (this page's path and query) once signed in again.
pub fn sign_in_and_back() -> String {
    let here = web_sys::window()
        .and_then(|w| Some(w.location().pathname().ok()? + &w.location().search().ok()?))
        .unwrap_or_default();
    if here.is_empty() {
        "/".to_owned()
    } else if here == "/" || here.starts_with("/?") {
        // Already on the sign-in page (sent there a moment ago): it stays as it is.
        here
    } else {
        format!(
            "/?next={}",
            String::from(js_sys::encode_uri_component(&here))
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum AuthState {
    /// Asking the server, once, at start-up.
    Checking,
    SignedOut,
    SignedIn(Box<Me>),
    /// The server could not be asked (offline, down).
    Unreachable(ClientError),
}

/// A confirmation for the next page to show (it outlives the page that caused it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    SignedOut,
    /// Signed out on this device with no network: the server is told when it is back.
    SignedOutOffline,
    /// Signed out by the app after a while with nothing done; sent back to the page they were on
    /// once they sign in again, like `Expired`.
    TimedOut,
    /// The server had already ended the session (idle, past its 12 hours, or signed out
    /// elsewhere); the person is sent back to the page they were on once they sign in again.
    Expired,
}

thread_local! {
    /// The app's one `Auth`, for the API client's hook (which cannot capture it).
    static CURRENT: std::cell::Cell<Option<Auth>> = const { std::cell::Cell::new(None) };
}

/// The API client's hook for a 401 `unauthenticated`: some request, on whichever page, found
/// that the session of the person signed in here has ended on the server. A request that
/// needs no one signed in (a forwarded link opened before signing in) changes nothing.
pub fn session_ended() {
    if let Some(auth) = CURRENT.get()
        && matches!(auth.state.get_untracked(), AuthState::SignedIn(_))
    {
        auth.ended();
    }
}

/// Who is signed in now, for code outside any page (a tab being hidden or unloaded), or
/// `None` while no one is.
pub fn signed_in_user() -> Option<String> {
    match CURRENT.get()?.state.try_get_untracked()? {
        AuthState::SignedIn(me) => Some(me.user.id),
        _ => None,
    }
}

#[derive(Clone, Copy)]
pub struct Auth {
    pub state: RwSignal<AuthState>,
    pub notice: RwSignal<Option<Notice>>,
}

impl Auth {
    pub fn provide() -> Auth {
        let auth = Auth {
            state: RwSignal::new(AuthState::Checking),
            notice: RwSignal::new(None),
        };
        provide_context(auth);
        CURRENT.set(Some(auth));
        auth.refresh();
        auth.follow_other_tabs();
        auth
    }

    /// Another tab of this browser signed out, or was signed out: this one shows nothing more
    /// of that person (a licence left open there would otherwise keep renewing its code), and
    /// follows as that tab did. Signed out on purpose, what was left unsent here goes too;
    /// signed out by the app or the server, the form open here is kept for them, and signing
    /// in again brings them back to it. If someone else signed in there, this tab asks the
    /// server who it is now speaking for.
    fn follow_other_tabs(self) {
        let me_key = device::personal("me");
        let handle = window_event_listener(leptos::ev::storage, move |ev| {
            if ev.key().as_deref() != Some(me_key.as_str()) {
                return;
            }
            let AuthState::SignedIn(shown) = self.state.get_untracked() else {
                return;
            };
            // Read now, not from the event: a sign-in there empties the key, then fills it.
            match device::get_json::<Me>(&me_key) {
                None => {
                    let notice = match device::SignedOut::last() {
                        device::SignedOut::OnPurpose => {
                            crate::unsaved::forget();
                            Notice::SignedOut
                        }
                        device::SignedOut::TimedOut => {
                            crate::unsaved::keep(&shown.user.id);
                            Notice::TimedOut
                        }
                        device::SignedOut::Ended => {
                            crate::unsaved::keep(&shown.user.id);
                            Notice::Expired
                        }
                    };
                    self.notice.set(Some(notice));
                    self.state.set(AuthState::SignedOut);
                }
                Some(now) if now.user.id != shown.user.id => self.refresh(),
                Some(_) => {}
            }
        });
        on_cleanup(move || handle.remove());
    }

    pub fn get() -> Auth {
        expect_context()
    }

    /// Asks the server who is signed in. A device nobody signed in on (or whose person signed
    /// out, or was signed out by the app) is signed out without asking: a first visit then
    /// makes no request that can only answer 401.
    pub fn refresh(self) {
        if device::get(&device::personal("me")).is_none() {
            send_pending_sign_out();
            self.state.set(AuthState::SignedOut);
            return;
        }
        self.state.set(AuthState::Checking);
        spawn_local(async move {
            let state = match api().me().await {
                Ok(me) => {
                    remember(&me);
                    AuthState::SignedIn(Box::new(me))
                }
                // The server has ended the session (idle, past its 12 hours, or signed out
                // elsewhere) while the app was closed: what the device kept for that person
                // goes with it, so a shared or lost phone does not open it offline later.
                Err(ClientError::Problem(p)) if p.code == ErrorCode::Unauthenticated => {
                    self.ended();
                    return;
                }
                // No network, or the server down or too busy to answer: whoever signed in on
                // this device (and has not signed out) can still open what the device saved for
                // them; the server is asked again later.
                Err(e) if e.is_unavailable() => {
                    match device::get_json::<Me>(&device::personal("me")) {
                        Some(me) => AuthState::SignedIn(Box::new(me)),
                        None => AuthState::Unreachable(e),
                    }
                }
                Err(_) => AuthState::SignedOut,
            };
            self.state.set(state);
        });
    }

    /// Asks the server again without leaving the signed-in state meanwhile, so the page
    /// stays put (e.g. after a grant arrives or is revoked).
    pub fn reload(self) {
        spawn_local(async move {
            if let Ok(me) = api().me().await {
                remember(&me);
                self.state.set(AuthState::SignedIn(Box::new(me)));
            }
        });
    }

    /// The session is over on the server: what the device kept for that person goes with it,
    /// so a shared or lost phone does not open it offline later, and the sign-in page says why.
    fn ended(self) {
        if let Some(me) = self.me_untracked() {
            crate::unsaved::keep(&me.user.id);
        }
        device::forget_on_sign_out(device::SignedOut::Ended);
        self.notice.set(Some(Notice::Expired));
        self.state.set(AuthState::SignedOut);
    }

    pub fn me_untracked(self) -> Option<Me> {
        match self.state.get_untracked() {
            AuthState::SignedIn(me) => Some(*me),
            _ => None,
        }
    }

    pub fn me(self) -> Option<Me> {
        match self.state.get() {
            AuthState::SignedIn(me) => Some(*me),
            _ => None,
        }
    }
}
