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
    /// A name the owner will recognise it by, such as the phone's; at most 60 characters, with
    /// no control or text-direction character. Empty: named after the browser and system it is
    /// made in, from the request's User-Agent.
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

/// A new name for one of the account's passkeys.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasskeyRename {
    /// At most 60 characters, not blank.
    pub label: String,
}

/// Longest passkey label accepted, in characters.
pub const PASSKEY_LABEL_MAX: usize = 60;

/// What is wrong with a passkey's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelProblem {
    /// Nothing a reader would see.
    Blank,
    /// Longer than [`PASSKEY_LABEL_MAX`] characters.
    TooLong,
    /// A control character or a direction mark, which could make the name on screen read
    /// otherwise than it is stored ([`crate::text::disguises`]).
    Disguised,
}

/// A passkey's name as it is kept: `label` without spaces at either end, when it is one.
/// A blank name is a problem only when `required` (a passkey added with no name is "unnamed").
pub fn passkey_label(label: &str, required: bool) -> Result<&str, LabelProblem> {
    let label = crate::text::trim(label);
    if label.is_empty() && required {
        Err(LabelProblem::Blank)
    } else if label.chars().count() > PASSKEY_LABEL_MAX {
        Err(LabelProblem::TooLong)
    } else if label.chars().any(crate::text::disguises) {
        Err(LabelProblem::Disguised)
    } else {
        Ok(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_checked_for_blankness_length_and_disguises() {
        assert_eq!(passkey_label("  我的手机\u{3000}", true), Ok("我的手机"));
        assert_eq!(passkey_label(" \u{200B} ", false), Ok(""));
        assert_eq!(passkey_label(" \u{200B} ", true), Err(LabelProblem::Blank));
        assert_eq!(passkey_label(&"机".repeat(60), true).map(str::len), Ok(180));
        assert_eq!(
            passkey_label(&"机".repeat(61), true),
            Err(LabelProblem::TooLong)
        );
        assert_eq!(
            passkey_label("工作\u{202E}机手", true),
            Err(LabelProblem::Disguised)
        );
        assert_eq!(passkey_label("a\nb", true), Err(LabelProblem::Disguised));
    }
}
