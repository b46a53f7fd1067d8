//! What this device keeps in localStorage: display settings, the issuer keys a verifier
//! saved, and, for a signed-in holder, their licences and a batch of codes so the wallet
//! works without a network. Personal data is wiped at sign-out, so the next person to use a
//! shared phone finds none of it.

use serde::{Serialize, de::DeserializeOwned};

/// Keys under this prefix hold the signed-in person's data.
const PERSONAL: &str = "kapok.data.";

fn storage() -> Option<web_sys::Storage> {
    // Private browsing or a blocked storage throws; the app then simply does not remember.
    web_sys::window()?.local_storage().ok()?
}

pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

pub fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        // A full storage only costs the offline copy, never the page.
        let _ = s.set_item(key, value);
    }
}

pub fn get_json<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&get(key)?).ok()
}

pub fn set_json<T: Serialize>(key: &str, value: &T) {
    if let Ok(json) = serde_json::to_string(value) {
        set(key, &json);
    }
}

/// Keeps `value` under a personal `key` for `asker`, the person signed in when it was asked
/// for, if they still are: an answer that arrives after they were signed out (another request
/// found the session ended, and the device was wiped) is not written back.
pub fn keep_personal<T: Serialize>(asker: Option<&str>, key: &str, value: &T) {
    if asker.is_some() && crate::auth::signed_in_user().as_deref() == asker {
        set_json(key, value);
    }
}

pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// The storage key for one piece of the signed-in person's data.
pub fn personal(name: &str) -> String {
    format!("{PERSONAL}{name}")
}

/// A new idempotency key: made once for a submission and sent with each of its tries, so a
/// try repeated after a lost answer makes nothing twice: 128 bits from `crypto`, or where it
/// fails, the time and `Math.random` (the key need only differ from the same person's others).
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    let random = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if random {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    } else {
        format!(
            "{:x}-{:x}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 2f64.powi(52)) as u64
        )
    }
}

/// Where a delegation link's secret waits in the tab (`sessionStorage`) while its approver
/// signs in.
pub const LINK_SECRET: &str = "kapok.authorize";

/// Where the request for authority asked last in this tab waits (`sessionStorage`), with its
/// link, until it is decided: the requester's share panel comes back after a reload.
pub const ASKED: &str = "kapok.asked";

/// Why the person signed in on this device was signed out, for its other tabs to follow in the
/// same way: what they say at sign-in, and whether a form left unsent there is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedOut {
    /// They chose to: whoever signs in next may be someone else.
    OnPurpose,
    /// The app signed them out after a while with nothing done.
    TimedOut,
    /// The server had ended the session (idle, past its 12 hours, or from another device).
    Ended,
}

/// Where the last sign-out's [`SignedOut`] is written, just before the person's data goes.
const SIGNED_OUT: &str = "kapok.signed-out";

impl SignedOut {
    fn as_str(self) -> &'static str {
        match self {
            SignedOut::OnPurpose => "on-purpose",
            SignedOut::TimedOut => "timed-out",
            SignedOut::Ended => "ended",
        }
    }

    /// Why the last sign-out on this device happened; with nothing written (a browser that
    /// wrote the data and not this), as if the server had ended the session.
    pub fn last() -> SignedOut {
        match get(SIGNED_OUT).as_deref() {
            Some("on-purpose") => SignedOut::OnPurpose,
            Some("timed-out") => SignedOut::TimedOut,
            _ => SignedOut::Ended,
        }
    }
}

/// What goes when someone signs out, or is signed out: their data, and a link they had opened
/// and not decided on, or made and not seen decided, so the next person at the same tab is not
/// shown the request. Why is
/// written first, so the other tabs know it when they see the data go.
pub fn forget_on_sign_out(why: SignedOut) {
    set(SIGNED_OUT, why.as_str());
    forget_personal_data();
    if let Some(tab) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = tab.remove_item(LINK_SECRET);
        let _ = tab.remove_item(ASKED);
    }
}

/// Wipes every piece of personal data from this device.
pub fn forget_personal_data() {
    let Some(s) = storage() else { return };
    let keys: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(PERSONAL))
        .collect();
    for key in keys {
        let _ = s.remove_item(&key);
    }
}
