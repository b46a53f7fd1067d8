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

pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// The storage key for one piece of the signed-in person's data.
pub fn personal(name: &str) -> String {
    format!("{PERSONAL}{name}")
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
