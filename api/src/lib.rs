//! The JSON contract between the Kapok client and server.
//!
//! Every type that crosses the wire is defined here once, so the client and the server cannot
//! drift apart. [`client::Client`] is the one typed HTTP client; it builds for wasm (the app)
//! and for native targets (the server's integration tests use the same client).

pub mod client;
pub mod delegation;
pub mod passkeys;
pub mod policies;
pub mod services;
pub mod text;
pub mod token;
pub mod uscc;
pub mod wallet;
pub mod whole_number;

pub use delegation::*;
pub use passkeys::*;
pub use policies::*;
pub use services::*;
pub use wallet::*;

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Every JSON endpoint lives under this prefix.
pub const API_PREFIX: &str = "/api/v1";

/// The session cookie. The `__Host-` prefix makes the browser refuse it unless it is `Secure`,
/// has `Path=/` and no `Domain`, so a sibling subdomain cannot plant or overwrite it.
pub const SESSION_COOKIE: &str = "__Host-kapok_session";

/// A session ends after this long without a request. The client warns before then.
pub const SESSION_IDLE_SECS: i64 = 30 * 60;
/// The server records a session's last request at most this often, so its idea of "last
/// seen" may be this much older than the last request.
pub const SESSION_TOUCH_SECS: i64 = 60;

/// Which shell a user lands in.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Persona {
    Resident,
    Enterprise,
    Official,
}

impl Persona {
    pub const ALL: [Persona; 3] = [Persona::Resident, Persona::Enterprise, Persona::Official];

    /// The client route of this persona's shell.
    pub fn home_path(self) -> &'static str {
        match self {
            Persona::Resident => "/resident",
            Persona::Enterprise => "/enterprise",
            Persona::Official => "/official",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Persona::Resident => "resident",
            Persona::Enterprise => "enterprise",
            Persona::Official => "official",
        }
    }

    pub fn parse(s: &str) -> Option<Persona> {
        Persona::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The three locales Kapok is written in, as BCP 47 tags.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum LocaleTag {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "zh-HK")]
    ZhHk,
    #[serde(rename = "en")]
    En,
}

impl LocaleTag {
    pub const ALL: [LocaleTag; 3] = [LocaleTag::ZhCn, LocaleTag::ZhHk, LocaleTag::En];

    pub fn as_str(self) -> &'static str {
        match self {
            LocaleTag::ZhCn => "zh-CN",
            LocaleTag::ZhHk => "zh-HK",
            LocaleTag::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<LocaleTag> {
        LocaleTag::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
}

/// Fewest characters a new password may have.
/// An idempotency key: what a client sends, the same on every try of one submission, so that
/// a try repeated after a lost answer finds what the first made. 16 to 64 characters of
/// `A–Z a–z 0–9 - _`.
pub fn is_idempotency_key(key: &str) -> bool {
    (16..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub const PASSWORD_MIN_CHARS: usize = 8;
/// Most characters a new password may have (enough for any passphrase).
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A new password for the signed-in account, confirmed with the one it has now.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordChange {
    pub current_password: String,
    /// [`PASSWORD_MIN_CHARS`] to [`PASSWORD_MAX_CHARS`] characters, not easy to guess, and not
    /// the current one.
    pub new_password: String,
}

/// How a session was opened.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    Password,
    Passkey,
}

impl SignInMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::Passkey => "passkey",
        }
    }
}

/// One of the account's live sessions: a device (or browser) signed in.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    /// What ends it: `DELETE /sessions/{id}`. Not the session's cookie, nor derived from it.
    pub id: String,
    /// The browser and system it was opened in, as the browser named them at sign-in
    /// ("Chrome · Android"), the browser being named for the app when it is a chat, payment or
    /// social app's own ("WeChat · iPhone"; also "WeCom", "DingTalk", "Alipay", "Feishu",
    /// "Lark", "QQ", "Weibo", "Douyin", "RedNote", "Baidu") and for itself when it is one that
    /// phones come with ("Huawei Browser · Android"; also "UC Browser", "Quark", "QQ Browser",
    /// "Xiaomi Browser", "vivo Browser", "OPPO Browser", "Samsung Internet"); empty when they
    /// could not be told.
    pub device: String,
    pub signed_in_with: SignInMethod,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; recorded at most once a minute (`SESSION_TOUCH_SECS`).
    pub last_seen_at: i64,
    /// The session this request came with.
    pub current: bool,
}

/// The signed-in user, their enterprises, and (once delegation exists) their active grants.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub user: User,
    pub enterprises: Vec<EnterpriseMembership>,
    /// Grants the user holds that are in force now: whom they may act for, and how.
    #[serde(default)]
    pub grants: Vec<Grant>,
    /// Relatives from the household register the user may ask for authority.
    #[serde(default)]
    pub relatives: Vec<Relative>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: String,
    pub username: String,
    /// The name as registered, in the script of the person's own documents.
    pub display_name: String,
    pub persona: Persona,
    /// The locale the account asks for on a device that has not chosen one yet.
    pub preferred_locale: LocaleTag,
    /// The account asks for elderly mode on a device that has not chosen a mode yet.
    pub prefers_elderly_mode: bool,
    /// The department an official works for; `None` for everyone else.
    pub department: Option<Department>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Department {
    MarketRegulation,
    /// The district's government service centre: its one-stop windows decide residents'
    /// everyday services.
    ServiceCentre,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EnterpriseMembership {
    pub enterprise: Enterprise,
    pub role: EnterpriseRole,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Enterprise {
    pub id: String,
    /// The registered name (Chinese, as on the business licence).
    pub name: String,
    /// The 18-character unified social credit code (统一社会信用代码).
    pub uscc: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseRole {
    /// 法定代表人, as in the enterprise register.
    LegalRepresentative,
    /// 经办人: acts for the company only within granted scopes.
    Staff,
}

/// The demo accounts, offered on the sign-in page only when the server runs in demo mode.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DemoAccounts {
    /// The one password all demo accounts share (public by design: it is a demo).
    pub password: String,
    pub accounts: Vec<DemoAccount>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub persona: Persona,
}

/// Stable machine codes of every error the API returns. The client maps each one to a
/// localized message, so adding a variant is a compile error until every locale has it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Username or password is wrong (deliberately not saying which).
    BadCredentials,
    /// No session, or it expired or was signed out.
    Unauthenticated,
    /// Signed in, but this is not yours to see or do.
    Forbidden,
    NotFound,
    MethodNotAllowed,
    /// The body is not JSON, or not the JSON this endpoint takes.
    MalformedBody,
    /// A state-changing request must say `Content-Type: application/json`.
    UnsupportedMediaType,
    PayloadTooLarge,
    /// The request's body did not all arrive in time (a stalled or very slow network); nothing
    /// was done, and the connection is closed.
    RequestTimeout,
    /// A state-changing request from another site (CSRF defence).
    CrossOrigin,
    TooManyRequests,
    /// Too many wrong passwords for this username lately; `Retry-After` says when to try
    /// again (a passkey still signs in).
    TooManySignInAttempts,
    /// Too many wrong passwords at sign-in from the caller's network lately, whatever the
    /// names; `Retry-After` says when to try again (a passkey still signs in).
    TooManySignInAttemptsFromNetwork,
    Internal,
    /// Too many people are signing in at once for the server to check every password now;
    /// `Retry-After` says when to try again.
    Busy,
    /// The database cannot be reached, or cannot take the request now (another program holds
    /// its lock, its disk is full); `Retry-After` says when to try again.
    Unavailable,
    /// The text is not a Kapok licence code.
    TokenMalformed,
    /// The code was signed with a key this verifier does not trust.
    TokenUnknownKey,
    /// The code was altered after it was signed.
    TokenBadSignature,
    /// The code is past its expiry (codes live for a minute).
    TokenExpired,
    /// The code's minute has not begun: shown early, or a phone's clock is wrong.
    TokenNotYetValid,
    /// The licence behind the code was revoked by its issuer.
    LicenceRevoked,
    /// The licence behind the code is past its validity date.
    LicenceExpired,
    /// This very code was already checked once: a copy or a screenshot.
    TokenReplayed,
    /// The account has no passkey yet (or there is no such account): sign in with the password.
    NoPasskey,
    /// The passkey's answer did not check out (wrong key, bad signature, wrong site).
    PasskeyRejected,
    /// The phone offered a passkey that is on no account here (removed from the account, or
    /// the account closed): sign in with the password.
    PasskeyUnknown,
    /// The phone did not confirm it was its owner (no face, fingerprint or screen lock).
    UserNotVerified,
    /// The sign-in or approval step took too long or was already used; start again.
    CeremonyExpired,
    /// This passkey is already registered.
    PasskeyExists,
    /// The authorisation link is wrong or unknown (mistyped, cut off or made up).
    LinkInvalid,
    /// The authorisation link was not decided on in time.
    LinkExpired,
    /// The request was already approved, declined or cancelled: one decision per request.
    RequestDecided,
    /// The request changed after it was shown; look at it again before deciding.
    RequestChanged,
    /// Only the approver the register names (legal representative, or the relative) decides.
    NotApprover,
    /// The grant does not cover this action.
    ScopeNotGranted,
    /// The authority for this was revoked.
    GrantRevoked,
    /// The authority for this has ended (or not started yet).
    GrantExpired,
    /// A new request is not valid: no scopes, a scope of the wrong kind, bad dates, a long note,
    /// or a principal the requester cannot ask.
    InvalidDelegation,
    /// The form is incomplete or has answers that cannot be right; `detail` names the fields.
    InvalidApplication,
    /// The application is no longer where this step can be taken (already decided, claimed by
    /// someone else, or not yet sent).
    ApplicationMovedOn,
    /// A return or a rejection needs a reason the applicant can act on.
    ReasonRequired,
    /// An application for the same thing (a renewal of this licence) is already in progress;
    /// follow that one rather than sending another.
    AlreadyApplied,
    /// A new policy is not fit to publish; `detail` lists `field: problem` pairs.
    InvalidPolicy,
    /// A passkey's name is blank (where one is needed), longer than `PASSKEY_LABEL_MAX`
    /// characters, or holds a control or text-direction character.
    InvalidPasskeyName,
    /// A new password is shorter than `PASSWORD_MIN_CHARS` or longer than `PASSWORD_MAX_CHARS`.
    PasswordLength,
    /// A new password is easy to guess: a common password, a word, a pattern, a date, or the
    /// account's own name.
    PasswordGuessable,
    /// The new password is the one the account has now.
    PasswordUnchanged,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::MalformedBody => "malformed_body",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::CrossOrigin => "cross_origin",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::TooManySignInAttempts => "too_many_sign_in_attempts",
            ErrorCode::TooManySignInAttemptsFromNetwork => "too_many_sign_in_attempts_from_network",
            ErrorCode::Internal => "internal",
            ErrorCode::Busy => "busy",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::TokenMalformed => "token_malformed",
            ErrorCode::TokenUnknownKey => "token_unknown_key",
            ErrorCode::TokenBadSignature => "token_bad_signature",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenNotYetValid => "token_not_yet_valid",
            ErrorCode::LicenceRevoked => "licence_revoked",
            ErrorCode::LicenceExpired => "licence_expired",
            ErrorCode::TokenReplayed => "token_replayed",
            ErrorCode::NoPasskey => "no_passkey",
            ErrorCode::PasskeyRejected => "passkey_rejected",
            ErrorCode::PasskeyUnknown => "passkey_unknown",
            ErrorCode::UserNotVerified => "user_not_verified",
            ErrorCode::CeremonyExpired => "ceremony_expired",
            ErrorCode::PasskeyExists => "passkey_exists",
            ErrorCode::LinkInvalid => "link_invalid",
            ErrorCode::LinkExpired => "link_expired",
            ErrorCode::RequestDecided => "request_decided",
            ErrorCode::RequestChanged => "request_changed",
            ErrorCode::NotApprover => "not_approver",
            ErrorCode::ScopeNotGranted => "scope_not_granted",
            ErrorCode::GrantRevoked => "grant_revoked",
            ErrorCode::GrantExpired => "grant_expired",
            ErrorCode::InvalidDelegation => "invalid_delegation",
            ErrorCode::InvalidApplication => "invalid_application",
            ErrorCode::ApplicationMovedOn => "application_moved_on",
            ErrorCode::AlreadyApplied => "already_applied",
            ErrorCode::ReasonRequired => "reason_required",
            ErrorCode::InvalidPolicy => "invalid_policy",
            ErrorCode::InvalidPasskeyName => "invalid_passkey_name",
            ErrorCode::PasswordLength => "password_length",
            ErrorCode::PasswordGuessable => "password_guessable",
            ErrorCode::PasswordUnchanged => "password_unchanged",
        }
    }
}

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    /// Not in the document: the seconds to wait before trying again, which the answer carries
    /// in its `Retry-After` header (a 429 or a 503 that knows when).
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

impl Problem {
    pub fn new(status: u16, code: ErrorCode, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            type_uri: format!("urn:kapok:problem:{}", code.as_str()),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            code,
            retry_after: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_serialises_with_rfc9457_member_names() {
        let p = Problem::new(401, ErrorCode::BadCredentials, "Sign-in failed", "wrong");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["type"], "urn:kapok:problem:bad_credentials");
        assert_eq!(v["code"], "bad_credentials");
        assert_eq!(v["status"], 401);
    }

    #[test]
    fn error_code_strings_match_their_serde_names() {
        for code in [
            ErrorCode::BadCredentials,
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::MalformedBody,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::PayloadTooLarge,
            ErrorCode::RequestTimeout,
            ErrorCode::CrossOrigin,
            ErrorCode::TooManyRequests,
            ErrorCode::TooManySignInAttempts,
            ErrorCode::TooManySignInAttemptsFromNetwork,
            ErrorCode::Internal,
            ErrorCode::Busy,
            ErrorCode::Unavailable,
            ErrorCode::TokenMalformed,
            ErrorCode::TokenUnknownKey,
            ErrorCode::TokenBadSignature,
            ErrorCode::TokenExpired,
            ErrorCode::TokenNotYetValid,
            ErrorCode::LicenceRevoked,
            ErrorCode::LicenceExpired,
            ErrorCode::TokenReplayed,
            ErrorCode::NoPasskey,
            ErrorCode::PasskeyRejected,
            ErrorCode::PasskeyUnknown,
            ErrorCode::UserNotVerified,
            ErrorCode::CeremonyExpired,
            ErrorCode::PasskeyExists,
            ErrorCode::LinkInvalid,
            ErrorCode::LinkExpired,
            ErrorCode::RequestDecided,
            ErrorCode::RequestChanged,
            ErrorCode::NotApprover,
            ErrorCode::ScopeNotGranted,
            ErrorCode::GrantRevoked,
            ErrorCode::GrantExpired,
            ErrorCode::InvalidDelegation,
            ErrorCode::InvalidApplication,
            ErrorCode::ApplicationMovedOn,
            ErrorCode::AlreadyApplied,
            ErrorCode::ReasonRequired,
            ErrorCode::InvalidPolicy,
            ErrorCode::InvalidPasskeyName,
            ErrorCode::PasswordLength,
            ErrorCode::PasswordGuessable,
            ErrorCode::PasswordUnchanged,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn locale_tags_round_trip() {
        for tag in LocaleTag::ALL {
            assert_eq!(LocaleTag::parse(tag.as_str()), Some(tag));
            assert_eq!(serde_json::to_value(tag).unwrap(), tag.as_str());
        }
        assert_eq!(LocaleTag::parse("zh-TW"), None);
    }

    #[test]
    fn every_persona_has_its_own_shell() {
        let paths: std::collections::HashSet<_> =
            Persona::ALL.iter().map(|p| p.home_path()).collect();
        assert_eq!(paths.len(), 3);
        for p in Persona::ALL {
            assert_eq!(Persona::parse(p.as_str()), Some(p));
        }
    }
}
