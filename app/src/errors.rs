//! Every API failure, in words the user can act on, in the current locale.

use kapok_api::{ErrorCode, client::ClientError, token::TokenError};
use leptos_i18n::I18nContext;

use crate::{
    clock, format,
    i18n::{Locale, t_string},
    webauthn::PasskeyError,
};

/// When a refusal that said how long to wait (`Retry-After`) lets the person try again: the
/// device's clock plus the wait, rounded up to the minute, as a date and time in their words.
pub fn retry_time(i18n: I18nContext<Locale>, error: &ClientError) -> Option<String> {
    let at = clock::now() + i64::from(error.retry_after()?);
    Some(format::date_time(i18n.get_locale(), (at + 59) / 60 * 60))
}

/// The message for a limit's refusal that says until when it holds, if `error` is one.
fn wait_text(i18n: I18nContext<Locale>, error: &ClientError) -> Option<String> {
    let time = retry_time(i18n, error)?;
    let text = match error.code()? {
        ErrorCode::TooManyRequests => {
            t_string!(i18n, errors.too_many_requests_until, time = time).to_string()
        }
        ErrorCode::TooManySignInAttempts => {
            t_string!(i18n, errors.too_many_sign_in_attempts_until, time = time).to_string()
        }
        ErrorCode::TooManySignInAttemptsFromNetwork => t_string!(
            i18n,
            errors.too_many_sign_in_attempts_from_network_until,
            time = time
        )
        .to_string(),
        _ => return None,
    };
    Some(text)
}

/// The message for `error`. Matching every code means a new one cannot ship untranslated.
pub fn error_text(i18n: I18nContext<Locale>, error: &ClientError) -> String {
    if let Some(text) = wait_text(i18n, error) {
        return text;
    }
    let text = match error {
        ClientError::Problem(problem) => match problem.code {
            ErrorCode::BadCredentials => t_string!(i18n, errors.bad_credentials),
            ErrorCode::Unauthenticated => t_string!(i18n, errors.unauthenticated),
            ErrorCode::Forbidden => t_string!(i18n, errors.forbidden),
            ErrorCode::NotFound => t_string!(i18n, errors.not_found),
            ErrorCode::MethodNotAllowed => t_string!(i18n, errors.method_not_allowed),
            ErrorCode::MalformedBody => t_string!(i18n, errors.malformed_body),
            ErrorCode::UnsupportedMediaType => t_string!(i18n, errors.unsupported_media_type),
            ErrorCode::PayloadTooLarge => t_string!(i18n, errors.payload_too_large),
            ErrorCode::RequestTimeout => t_string!(i18n, errors.request_timeout),
            ErrorCode::CrossOrigin => t_string!(i18n, errors.cross_origin),
            ErrorCode::TooManyRequests => t_string!(i18n, errors.too_many_requests),
            ErrorCode::TooManySignInAttempts => {
                t_string!(i18n, errors.too_many_sign_in_attempts)
            }
            ErrorCode::TooManySignInAttemptsFromNetwork => {
                t_string!(i18n, errors.too_many_sign_in_attempts_from_network)
            }
            ErrorCode::Internal => t_string!(i18n, errors.internal),
            ErrorCode::Busy => t_string!(i18n, errors.busy),
            ErrorCode::Unavailable => t_string!(i18n, errors.database_unavailable),
            ErrorCode::TokenMalformed => t_string!(i18n, errors.token_malformed),
            ErrorCode::TokenUnknownKey => t_string!(i18n, errors.token_unknown_key),
            ErrorCode::TokenBadSignature => t_string!(i18n, errors.token_bad_signature),
            ErrorCode::TokenExpired => t_string!(i18n, errors.token_expired),
            ErrorCode::TokenNotYetValid => t_string!(i18n, errors.token_not_yet_valid),
            ErrorCode::LicenceRevoked => t_string!(i18n, errors.licence_revoked),
            ErrorCode::LicenceExpired => t_string!(i18n, errors.licence_expired),
            ErrorCode::TokenReplayed => t_string!(i18n, errors.token_replayed),
            ErrorCode::NoPasskey => t_string!(i18n, errors.no_passkey),
            ErrorCode::PasskeyRejected => t_string!(i18n, errors.passkey_rejected),
            ErrorCode::PasskeyUnknown => t_string!(i18n, errors.passkey_unknown),
            ErrorCode::UserNotVerified => t_string!(i18n, errors.user_not_verified),
            ErrorCode::CeremonyExpired => t_string!(i18n, errors.ceremony_expired),
            ErrorCode::PasskeyExists => t_string!(i18n, errors.passkey_exists),
            ErrorCode::LinkInvalid => t_string!(i18n, errors.link_invalid),
            ErrorCode::LinkExpired => t_string!(i18n, errors.link_expired),
            ErrorCode::RequestDecided => t_string!(i18n, errors.request_decided),
            ErrorCode::RequestChanged => t_string!(i18n, errors.request_changed),
            ErrorCode::NotApprover => t_string!(i18n, errors.not_approver),
            ErrorCode::ScopeNotGranted => t_string!(i18n, errors.scope_not_granted),
            ErrorCode::GrantRevoked => t_string!(i18n, errors.grant_revoked),
            ErrorCode::GrantExpired => t_string!(i18n, errors.grant_expired),
            ErrorCode::InvalidDelegation => t_string!(i18n, errors.invalid_delegation),
            ErrorCode::InvalidApplication => t_string!(i18n, errors.invalid_application),
            ErrorCode::ApplicationMovedOn => t_string!(i18n, errors.application_moved_on),
            ErrorCode::AlreadyApplied => t_string!(i18n, errors.already_applied),
            ErrorCode::ReasonRequired => t_string!(i18n, errors.reason_required),
            ErrorCode::InvalidPolicy => t_string!(i18n, errors.invalid_policy),
            ErrorCode::InvalidPasskeyName => t_string!(i18n, errors.invalid_passkey_name),
            ErrorCode::PasswordLength => t_string!(i18n, errors.password_length),
            ErrorCode::PasswordGuessable => t_string!(i18n, errors.password_guessable),
            ErrorCode::PasswordUnchanged => t_string!(i18n, errors.password_unchanged),
        },
        ClientError::Network(_) => t_string!(i18n, errors.network),
        ClientError::TimedOut { sending: true } => t_string!(i18n, errors.timed_out),
        ClientError::TimedOut { sending: false } => t_string!(i18n, errors.timed_out_reading),
        ClientError::Decode(_) => t_string!(i18n, errors.unreadable),
        ClientError::Unavailable { sending: true, .. } => t_string!(i18n, errors.unavailable),
        ClientError::Unavailable { sending: false, .. } => {
            t_string!(i18n, errors.unavailable_reading)
        }
    };
    text.to_string()
}

/// Too many wrong passwords typed where the password is asked again (adding a passkey,
/// changing the password), saying until when when the server said.
pub fn too_many_passwords_text(i18n: I18nContext<Locale>, error: &ClientError) -> String {
    match retry_time(i18n, error) {
        Some(time) => t_string!(i18n, passkey.too_many_passwords_until, time = time).to_string(),
        None => t_string!(i18n, passkey.too_many_passwords).to_string(),
    }
}

/// The message for a code refused on this device (offline), in the same words the server's
/// refusal would get.
pub fn token_error_text(i18n: I18nContext<Locale>, error: TokenError) -> String {
    match error {
        TokenError::Malformed => t_string!(i18n, errors.token_malformed),
        TokenError::UnknownKey => t_string!(i18n, errors.token_unknown_key),
        TokenError::BadSignature => t_string!(i18n, errors.token_bad_signature),
        TokenError::Expired => t_string!(i18n, errors.token_expired),
        TokenError::NotYetValid => t_string!(i18n, errors.token_not_yet_valid),
    }
    .to_string()
}

/// The message for a passkey prompt that gave no credential.
pub fn passkey_error_text(i18n: I18nContext<Locale>, error: PasskeyError) -> String {
    match error {
        PasskeyError::Unsupported => t_string!(i18n, passkey.unsupported),
        PasskeyError::Cancelled => t_string!(i18n, passkey.cancelled),
        PasskeyError::AlreadyRegistered => t_string!(i18n, passkey.already_registered),
        PasskeyError::Failed => t_string!(i18n, passkey.failed),
    }
    .to_string()
}
