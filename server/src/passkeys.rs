//! Passkeys (WebAuthn with user verification): add, list and remove them, and sign in with one.
//!
//! Ceremony state stays in the database and is deleted on first use; the browser only ever
//! holds the ceremony's id. Registration asks for no attestation, so the synced passkeys of
//! ordinary phones work, and for a discoverable credential: signing in starts from no
//! username, the phone offers the passkeys it holds for this site, and the chosen one names
//! its account. So the sign-in page says nothing about which accounts exist or have a passkey.

use std::time::Duration;

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use kapok_api::{
    Ceremony, CeremonyAnswer, LabelProblem, Me, NewPasskey, PASSKEY_LABEL_MAX, PasskeyInfo,
    PasskeyRename, PasswordConfirmation, Problem, passkey_label,
};
use serde::{Serialize, de::DeserializeOwned};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

use crate::{
    AppState,
    error::ApiError,
    session::{self, CurrentUser},
    store::{
        self,
        passkeys::{self as stored, Kind, NewCeremony},
    },
    web::{ApiJson, ApiPath, Network},
};

/// How long a started ceremony may take (the browser's own prompt times out first).
pub const CEREMONY_SECS: i64 = 5 * 60;

/// Passkey sign-ins one network may start in a minute: each is a ceremony kept for
/// [`CEREMONY_SECS`], so this bounds how many one place can leave behind, while the people
/// behind one carrier's address still sign in.
pub const SIGN_IN_STARTS_PER_MINUTE: u32 = 120;

/// The relying party: Kapok's origin, whose host is the passkeys' RP ID.
pub fn relying_party(origin: &str) -> Result<Webauthn, String> {
    let url = Url::parse(origin).map_err(|e| format!("KAPOK_ORIGIN {origin:?}: {e}"))?;
    let host = url
        .host_str()
        .ok_or_else(|| format!("KAPOK_ORIGIN {origin:?} has no host"))?
        .to_owned();
    WebauthnBuilder::new(&host, &url)
        .and_then(|b| {
            b.rp_name("Kapok")
                .timeout(Duration::from_secs(CEREMONY_SECS as u64))
                .build()
        })
        .map_err(|e| format!("cannot set up passkeys for {origin:?}: {e}"))
}

/// Start adding a passkey to the signed-in account, which confirms it with its password.
#[utoipa::path(post, path = "/passkeys/register/start", tag = "session",
    request_body = PasswordConfirmation,
    responses(
        (status = 200, description = "Options for the browser's navigator.credentials.create", body = Ceremony),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session (unauthenticated), or not the account's password (bad_credentials)", body = Problem, content_type = "application/problem+json"),
        (status = 429, response = session::TooManyPasswords),
        (status = 503, response = session::PasswordChecksBusy),
    ))]
pub async fn register_start(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(confirmation): ApiJson<PasswordConfirmation>,
) -> Result<axum::Json<Ceremony>, ApiError> {
    // A passkey is a new way into the account, and can approve authority: whoever holds a
    // session (a stolen cookie, a phone left unlocked) must also know the password.
    let me = session::confirm_password(&state, &user, confirmation.password).await?;
    let handle = stored::webauthn_id(&state.db, &user.user_id, &Uuid::new_v4().to_string()).await?;
    let handle = Uuid::parse_str(&handle).map_err(|e| ApiError::Internal(e.to_string()))?;
    let existing = passkeys_of(&state, &user.user_id).await?;
    let exclude = existing.iter().map(|p| p.cred_id().clone()).collect();
    let (options, registration) = state.webauthn.start_passkey_registration(
        handle,
        &me.user.username,
        &me.user.display_name,
        Some(exclude),
    )?;
    let mut options = to_json(&options)?;
    // webauthn-rs discourages a resident key here; Kapok needs one, since sign-in asks the
    // phone which passkeys it holds. The phones' passkey stores make one anyway; a security
    // key that cannot is refused by the browser at once rather than added and never offered.
    // webauthn-rs does not check this choice when the ceremony finishes, so no state changes.
    let selection = &mut options["publicKey"]["authenticatorSelection"];
    selection["residentKey"] = "required".into();
    selection["requireResidentKey"] = true.into();
    let ceremony = begin(
        &state,
        Kind::Register,
        Some(&user.user_id),
        None,
        &registration,
    )
    .await?;
    Ok(axum::Json(Ceremony { ceremony, options }))
}

/// Finish adding a passkey.
#[utoipa::path(post, path = "/passkeys/register/finish", tag = "session",
    request_body = NewPasskey,
    responses(
        (status = 200, description = "The passkey was added", body = PasskeyInfo),
        (status = 400, description = "Malformed body, or a credential that is not WebAuthn JSON (the ceremony is kept)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No session, the answer did not check out (passkey_rejected) or the phone did not verify its owner (user_not_verified)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This passkey is already registered (passkey_exists)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A name longer than 60 characters or with a control character or direction mark (invalid_passkey_name; the ceremony is kept)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The ceremony expired or was used (ceremony_expired)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn register_finish(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiJson(request): ApiJson<NewPasskey>,
) -> Result<axum::Json<PasskeyInfo>, ApiError> {
    // One given no name is named after the browser and system it was made in, as the list of
    // devices signed in names them ("Chrome · Android"), so two are told apart by more than
    // their dates.
    let label = match checked_label(&request.label, false)? {
        "" => session::device_name(&headers),
        named => named.to_owned(),
    };
    let label = label.as_str();
    let credential: RegisterPublicKeyCredential = from_json(request.answer.credential)?;
    let registration: PasskeyRegistration = finish(
        &state,
        &request.answer.ceremony,
        Kind::Register,
        &user.user_id,
    )
    .await?;
    let passkey = state
        .webauthn
        .finish_passkey_registration(&credential, &registration)?;
    let id = URL_SAFE_NO_PAD.encode(passkey.cred_id());
    let now = store::now();
    if !stored::insert(
        &state.db,
        &user.user_id,
        &id,
        label,
        &to_json(&passkey)?.to_string(),
        now,
    )
    .await?
    {
        return Err(ApiError::PasskeyExists);
    }
    Ok(axum::Json(PasskeyInfo {
        id,
        label: label.to_owned(),
        created_at: now,
        last_used_at: None,
    }))
}

/// The signed-in account's passkeys.
#[utoipa::path(get, path = "/passkeys", tag = "session",
    responses(
        (status = 200, description = "The account's passkeys, oldest first", body = [PasskeyInfo]),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<Vec<PasskeyInfo>>, ApiError> {
    let passkeys = stored::of_user(&state.db, &user.user_id).await?;
    Ok(axum::Json(passkeys.into_iter().map(|p| p.info).collect()))
}

/// Give one of the signed-in account's passkeys a new name.
#[utoipa::path(patch, path = "/passkeys/{id}", tag = "session",
    params(("id" = String, Path, description = "The passkey's credential id")),
    request_body = PasskeyRename,
    responses(
        (status = 200, description = "Renamed", body = PasskeyInfo),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account has no passkey by this id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A name that is blank, longer than 60 characters or holds a control character or direction mark (invalid_passkey_name)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<PasskeyRename>,
) -> Result<axum::Json<PasskeyInfo>, ApiError> {
    let label = checked_label(&request.label, true)?;
    stored::rename(&state.db, &user.user_id, &id, label)
        .await?
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}

/// A passkey's name as it is kept, or why it is not one.
fn checked_label(label: &str, required: bool) -> Result<&str, ApiError> {
    passkey_label(label, required).map_err(|problem| {
        ApiError::InvalidPasskeyName(match problem {
            LabelProblem::Blank => "label: blank".to_owned(),
            LabelProblem::TooLong => format!("label: at most {PASSKEY_LABEL_MAX} characters"),
            LabelProblem::Disguised => "label: a control character or direction mark".to_owned(),
        })
    })
}

/// Remove one of the signed-in account's passkeys.
#[utoipa::path(delete, path = "/passkeys/{id}", tag = "session",
    params(("id" = String, Path, description = "The passkey's credential id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account has no passkey by this id", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    if stored::delete(&state.db, &user.user_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Start signing in with a passkey. No username: the options name no credential, so the phone
/// offers every passkey it holds for this site, and its answer says whose the chosen one is.
#[utoipa::path(post, path = "/session/passkey/start", tag = "session",
    responses(
        (status = 200, description = "Options for the browser's navigator.credentials.get, allowing any of the phone's passkeys for this site", body = Ceremony),
        (status = 429, description = "Too many passkey sign-ins started from the caller's network in the last minute (too_many_requests)", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = i64, description = "Seconds until the limit lets this through again"))),
    ))]
pub async fn sign_in_start(
    State(state): State<AppState>,
    network: Network,
) -> Result<axum::Json<Ceremony>, ApiError> {
    let bucket = format!("passkey-sign-in:{}", network.as_str());
    state
        .limits
        .allow(
            &state.db,
            &bucket,
            SIGN_IN_STARTS_PER_MINUTE,
            60,
            store::now(),
        )
        .await??;
    let (options, authentication) = state.webauthn.start_discoverable_authentication()?;
    let mut options = to_json(&options)?;
    // webauthn-rs asks for the browser's autofill (conditional mediation); the sign-in page
    // asks when its button is pressed instead, and the browser's own prompt then appears.
    if let Some(options) = options.as_object_mut() {
        options.remove("mediation");
    }
    let ceremony = begin(&state, Kind::SignIn, None, None, &authentication).await?;
    Ok(axum::Json(Ceremony { ceremony, options }))
}

/// Finish signing in with a passkey: a new session, as with a password.
#[utoipa::path(post, path = "/session/passkey/finish", tag = "session",
    request_body = CeremonyAnswer,
    responses(
        (status = 200, description = "Signed in; a new session cookie is set", body = Me),
        (status = 400, description = "Malformed body, or a credential that is not WebAuthn JSON (the ceremony is kept)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The answer did not check out (passkey_rejected), the passkey is on no account (passkey_unknown) or the phone did not verify its owner (user_not_verified)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The ceremony expired or was used (ceremony_expired)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn sign_in_finish(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(answer): ApiJson<CeremonyAnswer>,
) -> Result<Response, ApiError> {
    // Read before the ceremony is used up: an answer that is not WebAuthn JSON at all is a
    // 400 that leaves the ceremony for a proper answer.
    let credential = assertion(answer.credential)?;
    let taken = stored::take_ceremony(&state.db, &answer.ceremony, Kind::SignIn, store::now())
        .await?
        .ok_or(ApiError::CeremonyExpired)?;
    let authentication: DiscoverableAuthentication = from_stored(&taken.state)?;
    let (handle, credential_id) = state
        .webauthn
        .identify_discoverable_authentication(&credential)?;
    let owned = stored::by_credential(&state.db, &URL_SAFE_NO_PAD.encode(credential_id))
        .await?
        .ok_or(ApiError::PasskeyUnknown)?;
    // The user handle is not covered by the signature, so the credential alone decides whose
    // passkey this is; a handle naming anyone else is a tampered answer (WebAuthn §7.2 step 6).
    let owners_handle = owned.webauthn_id.as_deref().map(Uuid::parse_str);
    if !matches!(owners_handle, Some(Ok(h)) if h == handle) {
        tracing::info!("passkey answer names another account than the credential's");
        return Err(ApiError::PasskeyRejected);
    }
    let mut passkey: Passkey = from_stored(&owned.passkey)?;
    let result = state.webauthn.finish_discoverable_authentication_v2(
        &credential,
        authentication,
        &passkey,
    )?;
    record_use(&state, &mut passkey, &result).await?;
    session::open_session(&state, &headers, &owned.user_id, None).await
}

/// Starts an assertion ceremony with the user's passkeys, optionally bound to a subject (the
/// request an approval is about, and the hash of what was shown).
pub async fn ask_for_passkey(
    state: &AppState,
    kind: Kind,
    user_id: &str,
    subject: Option<(&str, &[u8])>,
) -> Result<Ceremony, ApiError> {
    let passkeys = passkeys_of(state, user_id).await?;
    if passkeys.is_empty() {
        return Err(ApiError::NoPasskey);
    }
    let (options, authentication) = state.webauthn.start_passkey_authentication(&passkeys)?;
    let ceremony = begin(state, kind, Some(user_id), subject, &authentication).await?;
    Ok(Ceremony {
        ceremony,
        options: to_json(&options)?,
    })
}

/// The browser's assertion (`credential.toJSON()` of a `navigator.credentials.get`), read as
/// WebAuthn JSON; anything else is a 400 `malformed_body`.
pub fn assertion(credential: serde_json::Value) -> Result<PublicKeyCredential, ApiError> {
    from_json(credential)
}

/// Checks an assertion against the ceremony state (`state_json`) and the user's passkeys, and
/// records the use. User verification is required: webauthn-rs refuses an answer without it.
pub async fn check_assertion(
    state: &AppState,
    user_id: &str,
    state_json: &str,
    credential: &PublicKeyCredential,
) -> Result<(), ApiError> {
    let authentication: PasskeyAuthentication = from_stored(state_json)?;
    let result = state
        .webauthn
        .finish_passkey_authentication(credential, &authentication)?;
    let mut passkeys = passkeys_of(state, user_id).await?;
    let passkey = passkeys
        .iter_mut()
        .find(|p| p.cred_id() == result.cred_id())
        .ok_or(ApiError::PasskeyRejected)?;
    record_use(state, passkey, &result).await
}

/// After an answer checked out: insists on user verification (webauthn-rs already refuses an
/// answer without it; this keeps the rule here should that change), then stores the new
/// signature counter and the time of use.
async fn record_use(
    state: &AppState,
    passkey: &mut Passkey,
    result: &AuthenticationResult,
) -> Result<(), ApiError> {
    if !result.user_verified() {
        return Err(ApiError::UserNotVerified);
    }
    let changed = passkey.update_credential(result) == Some(true);
    let updated = changed.then(|| to_json(&*passkey)).transpose()?;
    stored::used(
        &state.db,
        &URL_SAFE_NO_PAD.encode(result.cred_id()),
        updated.map(|v| v.to_string()).as_deref(),
        store::now(),
    )
    .await?;
    Ok(())
}

async fn passkeys_of(state: &AppState, user_id: &str) -> Result<Vec<Passkey>, ApiError> {
    stored::of_user(&state.db, user_id)
        .await?
        .into_iter()
        .map(|p| from_stored(&p.passkey))
        .collect()
}

async fn begin(
    state: &AppState,
    kind: Kind,
    user_id: Option<&str>,
    subject: Option<(&str, &[u8])>,
    ceremony_state: &impl Serialize,
) -> Result<String, ApiError> {
    let id = session::new_token()?;
    stored::start_ceremony(
        &state.db,
        NewCeremony {
            id: &id,
            kind,
            user_id,
            subject,
            state: &to_json(ceremony_state)?.to_string(),
            expires_at: store::now() + CEREMONY_SECS,
        },
        store::now(),
    )
    .await?;
    Ok(id)
}

/// Takes the caller's own live ceremony of this kind and returns its state.
async fn finish<T: DeserializeOwned>(
    state: &AppState,
    ceremony: &str,
    kind: Kind,
    user_id: &str,
) -> Result<T, ApiError> {
    let taken = stored::take_ceremony(&state.db, ceremony, kind, store::now())
        .await?
        .filter(|t| t.user_id.as_deref() == Some(user_id))
        .ok_or(ApiError::CeremonyExpired)?;
    from_stored(&taken.state)
}

/// Reads back what this server stored as JSON (ceremony state, a passkey).
fn from_stored<T: DeserializeOwned>(json: &str) -> Result<T, ApiError> {
    serde_json::from_str(json).map_err(|e| ApiError::Internal(format!("stored passkey state: {e}")))
}

fn to_json(value: &impl Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(e.to_string()))
}

fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::malformed(format!("credential: {e}")))
}
