//! Passkeys: WebAuthn enrolment and sign-in. The server runs webauthn-rs; the browser's own
//! `PublicKeyCredential.parse…OptionsFromJSON` and `credential.toJSON()` carry the ceremony
//! in between, so these types pass WebAuthn's JSON through untouched.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A WebAuthn ceremony the server has started: the browser answers it within five minutes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ceremony {
    /// Names this ceremony when it is finished; usable once.
    pub ceremony: String,
    /// WebAuthn's `{ "publicKey": … }` options, as JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: serde_json::Value,
}

/// The browser's answer to a ceremony.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CeremonyAnswer {
    pub ceremony: String,
    /// The credential, as `PublicKeyCredential.toJSON()` gives it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// Start adding a passkey: the account's password again, since a passkey is a new way in and
/// a signed-in device alone (a stolen cookie, a phone left unlocked) must not be enough.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordConfirmation {
    pub password: String,
}

/// Finish adding a passkey.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewPasskey {
    #[serde(flatten)]
    pub answer: CeremonyAnswer,
    /// A name the owner will recognise it by, such as the phone's; at most 60 characters.
    #[serde(default)]
    pub label: String,
}

/// A passkey on the account, as its owner sees it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasskeyInfo {
    pub id: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Longest passkey label accepted, in characters.
pub const PASSKEY_LABEL_MAX: usize = 60;
