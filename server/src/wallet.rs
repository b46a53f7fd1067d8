//! The licence wallet: list, detail, live QR tokens, verification and "who saw my data".

use axum::{Json, extract::State};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::Signer;
use kapok_api::{
    FieldKey, IssuerKey, IssuerKeys, Licence, LicenceField, LicenceStatus, LicenceSummary,
    LicenceType, PLACE_MAX, Presentation, PresentationRequest, Problem, Verification,
    VerifiedLicence, VerifyRequest,
    token::{self, Claims, TokenError},
};

use crate::{
    AppState,
    authorize::{self, LicenceUse},
    clock,
    error::ApiError,
    session::{CurrentUser, MaybeUser},
    store::{self, keys, licences},
    text,
    web::{ApiJson, ApiPath, Network},
};

/// Presentations per request: enough for a few minutes offline, not a stockpile.
const MAX_BATCH: u8 = 5;
/// Consecutive tokens overlap by this much: a phone switches to the next code a little before
/// the shown one expires, and the next must already be valid then (with clock skew to spare).
const BATCH_OVERLAP_SECS: i64 = 20;
/// Checks a minute by people not signed in, from one network (`web::Network`). A shop or a
/// front desk checking the codes shown to it makes a few; a script trying codes, or writing
/// "checked by the public" into holders' logs, is slowed down. Signed-in callers are not counted.
const PUBLIC_CHECKS_PER_MINUTE: u32 = 120;

/// My licences: those I hold, those of enterprises I am the legal representative of, and those
/// I may present through an active grant (each naming its grant in `through_grant`).
#[utoipa::path(get, path = "/wallet", tag = "wallet",
    responses(
        (status = 200, description = "The caller's licences, own ones first", body = Vec<LicenceSummary>),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<LicenceSummary>>, ApiError> {
    let today = clock::today(store::now());
    let mut list = licences::held_by(&state.reads, &user.user_id, &today).await?;
    for granted in authorize::licences_through_grants(&state.db, &state.reads, &user).await? {
        if !list.iter().any(|own| own.id == granted.id) {
            list.push(granted);
        }
    }
    Ok(Json(list))
}

/// One licence with every field, for someone who may present it.
#[utoipa::path(get, path = "/wallet/{id}", tag = "wallet",
    params(("id" = String, Path, description = "Licence id")),
    responses(
        (status = 200, description = "The licence", body = Licence),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's grant over the holder is revoked (grant_revoked), not in force (grant_expired) or does not cover licences (scope_not_granted)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such licence, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Licence>, ApiError> {
    let stored = authorize::licence(&state.db, &state.reads, &user, &id, LicenceUse::View).await?;
    Ok(Json(stored.licence))
}

/// Short-lived signed tokens for the licence's live QR code.
#[utoipa::path(post, path = "/wallet/{id}/presentations", tag = "wallet",
    params(("id" = String, Path, description = "Licence id")),
    request_body = PresentationRequest,
    responses(
        (status = 200, description = "Consecutive tokens, each valid for at most 60 s: as many as asked for, or one for a licence presented under a grant", body = Vec<Presentation>),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's grant over the holder is revoked (grant_revoked), not in force (grant_expired) or does not cover licences (scope_not_granted)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such licence, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The licence is revoked or expired", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn present(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<PresentationRequest>,
) -> Result<Json<Vec<Presentation>>, ApiError> {
    // The body is checked first, so a bad count is a 400 whatever state the licence is in.
    let count = request.count.unwrap_or(1);
    if !(1..=MAX_BATCH).contains(&count) {
        return Err(ApiError::MalformedBody(format!(
            "count must be between 1 and {MAX_BATCH}"
        )));
    }
    let stored =
        authorize::licence(&state.db, &state.reads, &user, &id, LicenceUse::Present).await?;
    match stored.licence.summary.status {
        LicenceStatus::Revoked => return Err(ApiError::LicenceRevoked),
        LicenceStatus::Expired => return Err(ApiError::LicenceExpired),
        LicenceStatus::Valid | LicenceStatus::Expiring => {}
    }
    // Under a grant, one code at a time: a code lives a minute, so once the grant is revoked
    // the codes already issued through it stop verifying within a minute, not the few minutes
    // a batch covers. (The holder's own batches keep the code going offline.)
    let count = if stored.licence.summary.through_grant.is_some() {
        1
    } else {
        count
    };
    let now = store::now();
    let key = state.signing_key.get(&state.reads, &state.db, now).await?;
    let step = token::MAX_LIFETIME_SECS - BATCH_OVERLAP_SECS;
    let mut presentations = Vec::with_capacity(count.into());
    for i in 0..i64::from(count) {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|e| ApiError::Internal(e.to_string()))?;
        let issued_at = now + i * step;
        let claims = Claims {
            licence_id: stored.licence.summary.id.clone(),
            licence_type: stored.licence.summary.licence_type,
            holder: stored.holder_id().to_owned(),
            holder_name: stored.licence.summary.holder_name.clone(),
            issued_at,
            expires_at: issued_at + token::MAX_LIFETIME_SECS,
            nonce,
        };
        let text = token::encode(&claims, &key.key_id, |data| {
            key.signing_key.sign(data).to_bytes()
        });
        presentations.push(Presentation {
            token: text,
            issued_at,
            expires_at: claims.expires_at,
        });
    }
    Ok(Json(presentations))
}

/// Who checked this licence online, newest first: for its holder (or the company's legal
/// representative) only, never through a grant.
#[utoipa::path(get, path = "/wallet/{id}/verifications", tag = "wallet",
    params(("id" = String, Path, description = "Licence id")),
    responses(
        (status = 200, description = "The checks of this licence", body = Vec<Verification>),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such licence, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn verifications(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Verification>>, ApiError> {
    let stored = authorize::licence(
        &state.db,
        &state.reads,
        &user,
        &id,
        LicenceUse::SeeVerifications,
    )
    .await?;
    Ok(Json(
        licences::verifications(&state.db, &stored.licence.summary.id).await?,
    ))
}

/// Verifies a presented code: signature, expiry, revocation and replay; records the check.
/// Anyone may verify (the public verifier needs no account), up to
/// [`PUBLIC_CHECKS_PER_MINUTE`] a minute from one network; a signed-in official is named to
/// the holder, anyone else is shown to the holder as a public check.
#[utoipa::path(post, path = "/verify", tag = "wallet",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "The code is genuine and current; what the verifier may see", body = VerifiedLicence),
        (status = 409, description = "The code was already checked, by someone other than this official (token_replayed)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The licence is revoked or expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid code: token_malformed, token_unknown_key, token_bad_signature, token_expired or token_not_yet_valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Not signed in, and more than 120 checks from this network in a minute", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = i64, description = "Seconds until the limit lets this through again"))),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    verifier: MaybeUser,
    network: Network,
    ApiJson(request): ApiJson<VerifyRequest>,
) -> Result<Json<VerifiedLicence>, ApiError> {
    let now = store::now();
    if verifier.0.is_none() {
        state
            .limits
            .allow(
                &state.db,
                &format!("verify:network:{}", network.as_str()),
                PUBLIC_CHECKS_PER_MINUTE,
                60,
                now,
            )
            .await??;
    }
    let trusted = state.trusted_keys.get(&state.reads, now).await?;
    let (key_id, claims) = match token::verify_with_keys(&request.token, &trusted, now) {
        // A key made since the keys in memory were read is not refused on their word.
        Err(TokenError::UnknownKey) => {
            let trusted = state.trusted_keys.reload(&state.reads, now).await?;
            token::verify_with_keys(&request.token, &trusted, now)?
        }
        checked => checked?,
    };
    let today = clock::today(now);
    let stored = licences::find(&state.reads, &claims.licence_id, &today)
        .await?
        .ok_or(ApiError::Token(TokenError::Malformed))?;
    let summary = &stored.licence.summary;
    if stored.holder_id() != claims.holder || summary.licence_type != claims.licence_type {
        return Err(ApiError::Token(TokenError::Malformed));
    }
    match summary.status {
        LicenceStatus::Revoked => return Err(ApiError::LicenceRevoked),
        LicenceStatus::Expired => return Err(ApiError::LicenceExpired),
        LicenceStatus::Valid | LicenceStatus::Expiring => {}
    }
    let place = request.place.as_deref().and_then(place_label);
    let checked = state
        .verifications
        .record(
            &summary.id,
            &claims.nonce,
            verifier.0.as_ref().map(|u| u.user_id.as_str()),
            place.as_deref(),
            now,
        )
        .await?;
    if checked == licences::Checked::Replay {
        return Err(ApiError::TokenReplayed);
    }
    Ok(Json(VerifiedLicence {
        licence_type: summary.licence_type,
        holder_name: summary.holder_name.clone(),
        number_masked: summary.number_masked.clone(),
        valid_until: summary.valid_until.clone(),
        issuing_authority: summary.issuing_authority.clone(),
        shown_fields: stored
            .licence
            .fields
            .iter()
            .filter(|f| disclosed_to_verifier(summary.licence_type, f.key))
            .cloned()
            .collect::<Vec<LicenceField>>(),
        key_id,
        issued_at: claims.issued_at,
        expires_at: claims.expires_at,
    }))
}

/// The public keys that sign licence codes, for verifying offline.
#[utoipa::path(get, path = "/issuer-keys", tag = "wallet",
    responses((status = 200, description = "Trusted issuer keys", body = IssuerKeys)))]
pub async fn issuer_keys(State(state): State<AppState>) -> Result<Json<IssuerKeys>, ApiError> {
    let now = store::now();
    // The server made a key when it started; if it has been retired since with none to follow
    // it, one is made now, so a verifier that cached the keys can check the next codes offline.
    state.signing_key.get(&state.reads, &state.db, now).await?;
    let keys = keys::trusted(&state.db, now)
        .await?
        .into_iter()
        .map(|(key_id, public)| IssuerKey {
            key_id,
            public_key: URL_SAFE_NO_PAD.encode(public),
            algorithm: "EdDSA".into(),
        })
        .collect();
    Ok(Json(IssuerKeys { keys, as_of: now }))
}

/// A place label as the holder will read it. Anyone may write one, even the public, so
/// rather than refuse a check for it, what could disguise it (control and text-direction
/// characters) is left out, spaces and invisible characters at its ends too, and it is cut
/// to `PLACE_MAX` at the end of a whole character as the reader sees it (an emoji
/// flag or family is never split). `None` when nothing a reader would see is left.
fn place_label(place: &str) -> Option<String> {
    use unicode_segmentation::UnicodeSegmentation;
    let shown: String = place.chars().filter(|&c| !text::disguises(c)).collect();
    let shown = text::trim(&shown);
    let mut label = String::new();
    for grapheme in shown.graphemes(true) {
        if label.chars().count() + grapheme.chars().count() > PLACE_MAX {
            break;
        }
        label.push_str(grapheme);
    }
    let label = text::trim(&label);
    (!label.is_empty()).then(|| label.to_owned())
}

/// What a verifier sees of each licence type: enough to match the person and the purpose,
/// never an identity number in full (data minimisation, PIPL art. 6).
fn disclosed_to_verifier(licence_type: LicenceType, key: FieldKey) -> bool {
    use FieldKey::*;
    match licence_type {
        LicenceType::ResidentIdCard => matches!(key, Name | Sex | Ethnicity | BirthDate),
        LicenceType::SocialSecurityCard => matches!(key, Name),
        LicenceType::DrivingLicence => matches!(key, Name | VehicleClass | FirstIssued),
        LicenceType::VehicleLicence => matches!(key, PlateNumber | VehicleType | Owner),
        LicenceType::HouseholdRegister => {
            matches!(key, Name | HouseholdHead | Relationship | HouseholdType)
        }
        LicenceType::HkIdentityCard => matches!(key, Name | DateOfIssue),
        LicenceType::BusinessLicence => {
            matches!(
                key,
                CompanyName
                    | Uscc
                    | CompanyType
                    | LegalRepresentative
                    | EstablishedOn
                    | BusinessScope
            )
        }
        LicenceType::FoodBusinessPermit => {
            matches!(key, Operator | PermitNumber | Premises | BusinessItems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_label_reads_as_stored_and_is_cut_between_whole_characters() {
        assert_eq!(place_label("  3 号窗口 ").as_deref(), Some("3 号窗口"));
        // A right-to-left override would show "广州市公安局" for what is stored backwards.
        assert_eq!(
            place_label("窗口3号 \u{202E}局安公市州广\u{202C}").as_deref(),
            Some("窗口3号 局安公市州广")
        );
        assert_eq!(
            place_label("line1\nline2\u{7}").as_deref(),
            Some("line1line2")
        );
        for blank in ["", "   ", "\u{200B}\u{2060}\u{FEFF}", "\u{202E}\u{202C}"] {
            assert_eq!(place_label(blank), None, "{blank:?}");
        }
        let long = "长".repeat(PLACE_MAX + 10);
        assert_eq!(place_label(&long).unwrap().chars().count(), PLACE_MAX);
        // A flag is two characters and a family five: neither is split at the cut.
        let flags = "🇨🇳".repeat(PLACE_MAX);
        assert_eq!(place_label(&flags).unwrap(), "🇨🇳".repeat(PLACE_MAX / 2));
        let family = "👨\u{200D}👩\u{200D}👧";
        let label = place_label(&format!("{}{family}", "窗".repeat(PLACE_MAX - 2))).unwrap();
        assert!(label.ends_with('窗'), "{label:?}");
    }
}
