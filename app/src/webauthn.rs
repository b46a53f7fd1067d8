//! The browser's side of a passkey ceremony: the server's options go in through
//! `PublicKeyCredential.parse…OptionsFromJSON`, the credential comes back through `toJSON()`,
//! so no WebAuthn structure is re-encoded by hand here.

use js_sys::{Function, JSON, Object, Promise, Reflect};
use kapok_api::{Ceremony, CeremonyAnswer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why the phone gave no credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasskeyError {
    /// This browser has no passkey support (or the page is not a secure context).
    Unsupported,
    /// The owner cancelled, the unlock failed, or the prompt timed out. The browser does not
    /// say which, on purpose.
    Cancelled,
    /// The authenticator already holds a passkey of this account.
    AlreadyRegistered,
    Failed,
}

#[derive(Clone, Copy)]
enum Ceremonial {
    Create,
    Get,
}

/// Creates a passkey for the server's registration ceremony.
pub async fn create(ceremony: &Ceremony) -> Result<CeremonyAnswer, PasskeyError> {
    run(ceremony, Ceremonial::Create).await
}

/// Asks for an assertion (sign-in or approval) with user verification.
pub async fn get(ceremony: &Ceremony) -> Result<CeremonyAnswer, PasskeyError> {
    run(ceremony, Ceremonial::Get).await
}

async fn run(ceremony: &Ceremony, kind: Ceremonial) -> Result<CeremonyAnswer, PasskeyError> {
    let window = web_sys::window().ok_or(PasskeyError::Unsupported)?;
    let (parse, method) = match kind {
        Ceremonial::Create => ("parseCreationOptionsFromJSON", "create"),
        Ceremonial::Get => ("parseRequestOptionsFromJSON", "get"),
    };
    let (class, parse) = static_method(&window, parse).ok_or(PasskeyError::Unsupported)?;
    let public_key = ceremony
        .options
        .get("publicKey")
        .ok_or(PasskeyError::Failed)?;
    let public_key = JSON::parse(&public_key.to_string()).map_err(|_| PasskeyError::Failed)?;
    let public_key = parse
        .call1(&class, &public_key)
        .map_err(|_| PasskeyError::Failed)?;
    let options = Object::new();
    let _ = Reflect::set(&options, &"publicKey".into(), &public_key);
    let credentials = Reflect::get(&window.navigator(), &"credentials".into())
        .ok()
        .filter(|c| c.is_object())
        .ok_or(PasskeyError::Unsupported)?;
    let call: Function = Reflect::get(&credentials, &method.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(PasskeyError::Unsupported)?;
    let pending: Promise = call
        .call1(&credentials, &options)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or(PasskeyError::Failed)?;
    let credential = JsFuture::from(pending).await.map_err(|error| {
        match Reflect::get(&error, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .as_deref()
        {
            Some("NotAllowedError" | "AbortError") => PasskeyError::Cancelled,
            Some("InvalidStateError") => PasskeyError::AlreadyRegistered,
            Some("NotSupportedError" | "SecurityError") => PasskeyError::Unsupported,
            _ => PasskeyError::Failed,
        }
    })?;
    if credential.is_null() {
        return Err(PasskeyError::Cancelled);
    }
    let json: JsValue = Reflect::get(&credential, &"toJSON".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(&credential).ok())
        .ok_or(PasskeyError::Failed)?;
    let text: String = JSON::stringify(&json)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(PasskeyError::Failed)?;
    let credential = serde_json::from_str(&text).map_err(|_| PasskeyError::Failed)?;
    Ok(CeremonyAnswer {
        ceremony: ceremony.ceremony.clone(),
        credential,
    })
}

/// Tells the phone's passkey store that this site no longer knows the passkey `credential_id`
/// (removed from its account), so it stops offering it (`signalUnknownCredential`). Browsers
/// without the signal API are left as they are; nothing waits on the answer.
pub fn forget(credential_id: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(rp_id) = window.location().hostname() else {
        return;
    };
    let Some((class, signal)) = static_method(&window, "signalUnknownCredential") else {
        return;
    };
    let details = Object::new();
    let _ = Reflect::set(&details, &"rpId".into(), &rp_id.into());
    let _ = Reflect::set(&details, &"credentialId".into(), &credential_id.into());
    if let Some(pending) = signal
        .call1(&class, &details)
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok())
    {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(pending).await;
        });
    }
}

/// `PublicKeyCredential` and its static method `name`, if this browser has both.
fn static_method(window: &web_sys::Window, name: &str) -> Option<(JsValue, Function)> {
    let class = Reflect::get(window, &"PublicKeyCredential".into())
        .ok()
        .filter(|c| c.is_function())?;
    let method = Reflect::get(&class, &name.into()).ok()?.dyn_into().ok()?;
    Some((class, method))
}
