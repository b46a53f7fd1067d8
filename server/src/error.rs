//! The server's one error type, mapped once to RFC 9457 problem+json with a stable code.

use axum::{
    extract::rejection::JsonRejection,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use kapok_api::{ErrorCode, Problem};

#[derive(Debug)]
pub enum ApiError {
    BadCredentials,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    MalformedBody(String),
    UnsupportedMediaType,
    PayloadTooLarge,
    /// The body did not all arrive within `Timeouts::body`.
    RequestTimeout,
    CrossOrigin,
    /// A presented code failed its checks.
    Token(kapok_api::token::TokenError),
    LicenceRevoked,
    LicenceExpired,
    TokenReplayed,
    NoPasskey,
    PasskeyRejected,
    PasskeyUnknown,
    UserNotVerified,
    CeremonyExpired,
    PasskeyExists,
    /// A limit on how often something may be done was reached; try again after this many
    /// seconds, when known.
    TooManyRequests {
        retry_after_secs: Option<i64>,
    },
    /// Too many wrong passwords for the username lately; try again after this many seconds.
    TooManySignInAttempts {
        retry_after_secs: i64,
    },
    /// Too many wrong passwords at sign-in from the caller's network lately, for any names.
    TooManySignInAttemptsFromNetwork {
        retry_after_secs: i64,
    },
    LinkInvalid,
    LinkExpired,
    RequestDecided,
    RequestChanged,
    NotApprover,
    ScopeNotGranted,
    GrantRevoked,
    GrantExpired,
    /// A new delegation request broke a rule; the detail names the field.
    InvalidDelegation(String),
    /// An application's form is incomplete or wrong; the detail lists `field: problem` pairs.
    InvalidApplication(String),
    /// The application is no longer where this step can be taken.
    ApplicationMovedOn,
    /// The same licence's renewal is already in progress.
    AlreadyApplied,
    /// A return or a rejection without a usable reason.
    ReasonRequired,
    /// A new policy broke a rule; the detail lists `field: problem` pairs.
    InvalidPolicy(String),
    /// A passkey's name broke a rule; the detail says which.
    InvalidPasskeyName(String),
    /// A new password is too short or too long.
    PasswordLength,
    /// A new password is easy to guess.
    PasswordGuessable,
    /// The new password is the current one.
    PasswordUnchanged,
    /// Too many password checks are waiting; try again after this many seconds.
    Busy {
        retry_after_secs: i64,
    },
    /// The database cannot be reached or cannot take the request now (`db::is_unavailable`);
    /// the cause is logged, never sent.
    Unavailable(String),
    /// Something on our side broke; the cause is logged, never sent.
    Internal(String),
}

/// `Retry-After` on a 503 `unavailable`: a database restart or a failover takes seconds to a
/// minute.
pub const UNAVAILABLE_RETRY_AFTER_SECS: i64 = 30;

impl ApiError {
    /// A body or query that could not be read, saying why: the reader's message names the
    /// field and position, and is cut so a hostile input is never echoed back at length.
    pub fn malformed(mut why: String) -> ApiError {
        crate::text::cut(&mut why, 200);
        ApiError::MalformedBody(why)
    }

    pub fn problem(&self) -> Problem {
        use ApiError::*;
        let (status, code, title, detail): (StatusCode, ErrorCode, &str, String) = match self {
            BadCredentials => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::BadCredentials,
                "Sign-in failed",
                "The username or password is not right.".into(),
            ),
            Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                "Not signed in",
                "Sign in first; the session is missing, expired or signed out.".into(),
            ),
            Forbidden => (
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "Not allowed",
                "This is not yours to see or change.".into(),
            ),
            NotFound => (
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "Not found",
                "There is nothing at this address.".into(),
            ),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "Method not allowed",
                "This address does not take this method.".into(),
            ),
            MalformedBody(why) => (
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedBody,
                "Malformed request body",
                why.clone(),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "JSON required",
                "Send the body as Content-Type: application/json.".into(),
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "Request body too large",
                format!("Bodies are limited to {} bytes.", crate::web::BODY_LIMIT),
            ),
            RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                "Request too slow",
                "The request's body did not all arrive in time, so nothing was done. Check the \
                 network and send it again."
                    .into(),
            ),
            CrossOrigin => (
                StatusCode::FORBIDDEN,
                ErrorCode::CrossOrigin,
                "Cross-site request refused",
                "Changes can only be made from Kapok's own pages.".into(),
            ),
            Token(kapok_api::token::TokenError::Malformed) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::TokenMalformed,
                "Not a licence code",
                "The text is not a Kapok licence code, or it is damaged.".into(),
            ),
            Token(kapok_api::token::TokenError::UnknownKey) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::TokenUnknownKey,
                "Unknown issuer",
                "The code was signed with a key that is not trusted.".into(),
            ),
            Token(kapok_api::token::TokenError::BadSignature) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::TokenBadSignature,
                "Altered code",
                "The code was changed after it was signed.".into(),
            ),
            Token(kapok_api::token::TokenError::Expired) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::TokenExpired,
                "Code expired",
                "Codes are valid for one minute; ask the holder to show a fresh one.".into(),
            ),
            Token(kapok_api::token::TokenError::NotYetValid) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::TokenNotYetValid,
                "Code not valid yet",
                "The code's minute has not begun; ask the holder to show the code on their \
                 screen now, and check the time on both phones."
                    .into(),
            ),
            LicenceRevoked => (
                StatusCode::GONE,
                ErrorCode::LicenceRevoked,
                "Licence revoked",
                "The issuer has revoked this licence.".into(),
            ),
            LicenceExpired => (
                StatusCode::GONE,
                ErrorCode::LicenceExpired,
                "Licence expired",
                "This licence is past its validity date.".into(),
            ),
            TokenReplayed => (
                StatusCode::CONFLICT,
                ErrorCode::TokenReplayed,
                "Code already used",
                "This exact code was checked before: it may be a copy or a screenshot.".into(),
            ),
            NoPasskey => (
                StatusCode::NOT_FOUND,
                ErrorCode::NoPasskey,
                "No passkey",
                "There is no passkey for this account; sign in with the password.".into(),
            ),
            PasskeyRejected => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::PasskeyRejected,
                "Passkey not accepted",
                "The passkey's answer did not check out. Try again with a passkey of this account."
                    .into(),
            ),
            PasskeyUnknown => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::PasskeyUnknown,
                "Passkey not on any account",
                "This passkey is not on any account (it may have been removed); sign in with the password."
                    .into(),
            ),
            UserNotVerified => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::UserNotVerified,
                "Not confirmed on the phone",
                "The phone did not confirm its owner with a face, fingerprint or screen lock."
                    .into(),
            ),
            CeremonyExpired => (
                StatusCode::GONE,
                ErrorCode::CeremonyExpired,
                "Step expired",
                "This step took too long or was already used; please start again.".into(),
            ),
            PasskeyExists => (
                StatusCode::CONFLICT,
                ErrorCode::PasskeyExists,
                "Passkey already registered",
                "This passkey is already registered.".into(),
            ),
            TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyRequests,
                "Too many requests",
                "Please wait a while before trying again.".into(),
            ),
            TooManySignInAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManySignInAttempts,
                "Too many wrong passwords",
                "Too many wrong passwords for this username lately; try again later, sign in with a passkey, or sign in from a browser this account signed in on before.".into(),
            ),
            TooManySignInAttemptsFromNetwork { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManySignInAttemptsFromNetwork,
                "Too many wrong passwords from this network",
                "Too many wrong passwords were typed from this network lately; try again later, sign in with a passkey, or sign in from a browser this account signed in on before.".into(),
            ),
            LinkInvalid => (
                StatusCode::NOT_FOUND,
                ErrorCode::LinkInvalid,
                "Link not recognised",
                "This authorisation link is wrong or unknown; ask for the link again.".into(),
            ),
            LinkExpired => (
                StatusCode::GONE,
                ErrorCode::LinkExpired,
                "Link expired",
                "This request was not decided on in time; the requester can ask again.".into(),
            ),
            RequestDecided => (
                StatusCode::CONFLICT,
                ErrorCode::RequestDecided,
                "Already decided",
                "This request was already approved, declined or withdrawn.".into(),
            ),
            RequestChanged => (
                StatusCode::CONFLICT,
                ErrorCode::RequestChanged,
                "Request changed",
                "The request is not the one that was shown; look at it again before deciding."
                    .into(),
            ),
            NotApprover => (
                StatusCode::FORBIDDEN,
                ErrorCode::NotApprover,
                "Not the approver",
                "Only the person the register names can decide on this request.".into(),
            ),
            ScopeNotGranted => (
                StatusCode::FORBIDDEN,
                ErrorCode::ScopeNotGranted,
                "Not covered by the grant",
                "The authority given does not cover this.".into(),
            ),
            GrantRevoked => (
                StatusCode::FORBIDDEN,
                ErrorCode::GrantRevoked,
                "Authority revoked",
                "The authority for this was revoked.".into(),
            ),
            GrantExpired => (
                StatusCode::FORBIDDEN,
                ErrorCode::GrantExpired,
                "Authority not in force",
                "The authority for this has ended or has not started yet.".into(),
            ),
            InvalidDelegation(why) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidDelegation,
                "Request not valid",
                why.clone(),
            ),
            InvalidApplication(why) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidApplication,
                "Application not complete",
                why.clone(),
            ),
            ApplicationMovedOn => (
                StatusCode::CONFLICT,
                ErrorCode::ApplicationMovedOn,
                "Application moved on",
                "The application is no longer where this step can be taken: it was already \
                 decided, claimed by someone else, sent, or not sent yet. Look at it again."
                    .into(),
            ),
            AlreadyApplied => (
                StatusCode::CONFLICT,
                ErrorCode::AlreadyApplied,
                "Already applied",
                "An application to renew this licence is already in progress. Follow that one \
                 (or change and send it again, if it was returned) rather than sending another."
                    .into(),
            ),
            ReasonRequired => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ReasonRequired,
                "Reason required",
                format!(
                    "A return or a rejection needs a reason the applicant can act on: \
                     1 to {} characters, without control or text-direction characters.",
                    kapok_api::REASON_MAX
                ),
            ),
            InvalidPolicy(why) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidPolicy,
                "Policy not valid",
                why.clone(),
            ),
            InvalidPasskeyName(why) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidPasskeyName,
                "Passkey name not valid",
                why.clone(),
            ),
            PasswordLength => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::PasswordLength,
                "Password too short or too long",
                format!(
                    "A new password has {} to {} characters.",
                    kapok_api::PASSWORD_MIN_CHARS,
                    kapok_api::PASSWORD_MAX_CHARS
                ),
            ),
            PasswordGuessable => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::PasswordGuessable,
                "Password easy to guess",
                "This password is easy to guess (a common password, a word, a pattern, a date or \
                 the account's name). Try a few unrelated words together."
                    .into(),
            ),
            PasswordUnchanged => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::PasswordUnchanged,
                "Same password",
                "The new password is the one the account has now.".into(),
            ),
            Busy { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Busy,
                "Busy",
                "Too many people are signing in at once for the password to be checked now. \
                 Nothing was done; try again in a few seconds."
                    .into(),
            ),
            Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "Service unavailable",
                "The database cannot be reached or cannot take this request now. Try again in a \
                 minute."
                    .into(),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "Internal error",
                "Something went wrong on our side. Nothing was changed; please try again.".into(),
            ),
        };
        Problem {
            retry_after: self
                .retry_after_secs()
                .map(|s| u32::try_from(s.max(1)).unwrap_or(u32::MAX)),
            ..Problem::new(status.as_u16(), code, title, detail)
        }
    }

    /// How long the caller should wait before trying again, when this failure knows.
    fn retry_after_secs(&self) -> Option<i64> {
        match *self {
            ApiError::TooManySignInAttempts { retry_after_secs }
            | ApiError::TooManySignInAttemptsFromNetwork { retry_after_secs }
            | ApiError::Busy { retry_after_secs }
            | ApiError::TooManyRequests {
                retry_after_secs: Some(retry_after_secs),
            } => Some(retry_after_secs),
            ApiError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        let mut response = problem_response(&self.problem());
        if let ApiError::RequestTimeout = self {
            // The rest of the body is still on its way: this connection cannot carry another
            // request.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// The problem document as an answer: its status, the document, and `Retry-After` when it
/// says how long to wait.
pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response();
    if let Some(seconds) = problem.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, seconds.into());
    }
    response
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        if crate::db::is_unavailable(&e) {
            ApiError::Unavailable(e.to_string())
        } else {
            ApiError::Internal(e.to_string())
        }
    }
}

impl From<crate::limits::Refused> for ApiError {
    fn from(refused: crate::limits::Refused) -> ApiError {
        ApiError::TooManyRequests {
            retry_after_secs: Some(refused.retry_after_secs),
        }
    }
}

impl From<crate::store::licences::NotRecorded> for ApiError {
    fn from(e: crate::store::licences::NotRecorded) -> ApiError {
        if e.unavailable {
            ApiError::Unavailable(e.cause)
        } else {
            ApiError::Internal(e.cause)
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            r if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            r => {
                // serde's message names the field and position.
                ApiError::malformed(r.body_text())
            }
        }
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(_: axum::extract::rejection::PathRejection) -> ApiError {
        ApiError::NotFound
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> ApiError {
        ApiError::malformed(rejection.body_text())
    }
}

impl From<kapok_api::token::TokenError> for ApiError {
    fn from(e: kapok_api::token::TokenError) -> ApiError {
        ApiError::Token(e)
    }
}

impl From<webauthn_rs::prelude::WebauthnError> for ApiError {
    fn from(e: webauthn_rs::prelude::WebauthnError) -> ApiError {
        use webauthn_rs::prelude::WebauthnError;
        match e {
            WebauthnError::UserNotVerified => ApiError::UserNotVerified,
            // Anything else about the answer (signature, origin, challenge, credential) is the
            // client's; the kind is logged for us, not told to a possible attacker.
            other => {
                tracing::info!(error = %other, "passkey answer rejected");
                ApiError::PasskeyRejected
            }
        }
    }
}
