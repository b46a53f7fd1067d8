//! Delegation: a staff member asks the company (or a person asks a relative) for authority, the
//! approver the register names decides with a passkey, and the grant is scoped, time-boxed,
//! revocable and audited.
//!
//! The link the requester forwards is a locator plus a view capability, not an authenticator:
//! its 256-bit secret rides in the URL fragment and a POST body, only its SHA-256 is stored, and
//! anyone holding it may look. Deciding takes the approver's own session, and approving takes
//! a fresh passkey assertion with user verification, bound server-side to the hash of the exact
//! request that was shown (research notes §3.4).

use axum::{Json, extract::State, http::StatusCode};
use kapok_api::{
    ApprovalStart, AuditEntry, Ceremony, CeremonyAnswer, CreatedDelegationRequest,
    DEFAULT_GRANT_DAYS, DelegationKind, DelegationRequest, DelegationRequests, Grant, Grants,
    LINK_LIFETIME_SECS, LinkLookup, MAX_GRANT_DAYS, NOTE_MAX, NewDelegationRequest, Problem,
    RequestStatus, Scope,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, Duration};

use crate::{
    AppState,
    authorize::{self, GrantSide, RequestSide},
    clock,
    error::ApiError,
    passkeys,
    session::{self, CurrentUser, MaybeUser},
    store::{
        self,
        delegation::{CreationLimit, Decision, NewRequest, StoredRequest},
        passkeys::Kind,
    },
    text,
    web::{ApiJson, ApiPath, ApiQuery, Network},
};

/// Requests one person may make per hour: enough for honest retries, too few to flood an
/// approver with look-alike requests (the cross-device consent-phishing pattern).
const REQUESTS_PER_HOUR: i64 = 10;
/// Approval ceremonies per request per hour; counted only for the approver, so no one else
/// can use up the approver's attempts.
const APPROVAL_STARTS_PER_HOUR: u32 = 5;
/// Link lookups per minute: per signed-in caller, or per network (`web::Network`) for someone
/// not signed in. 256-bit secrets make guessing hopeless anyway; this caps what a script
/// hammering links costs, and one stranger's flood uses up only their own network's lookups.
const LOOKUPS_PER_MINUTE: u32 = 30;
/// The characters of a binding code: no 0/O, 1/I/L, 2/Z, 5/S, 6/G or 8/B, which people
/// misread when comparing two phones.
const BINDING_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY3479";
const BINDING_CODE_LEN: usize = 6;

/// Refuses a new request once the caller made `limit.max` since `limit.since`, saying when the
/// first of them leaves the window (and one more may be made).
async fn within_creation_limit(
    state: &AppState,
    user: &CurrentUser,
    limit: CreationLimit,
) -> Result<(), ApiError> {
    let (made, first) =
        store::delegation::created_since(&state.db, &user.user_id, limit.since).await?;
    if made < limit.max {
        return Ok(());
    }
    Err(ApiError::TooManyRequests {
        retry_after_secs: first.map(|at| (at - limit.since).max(1)),
    })
}

/// Ask for authority. Returns the request and, once only, the secret for its link.
#[utoipa::path(post, path = "/delegation-requests", tag = "delegation", operation_id = "create_delegation_request",
    request_body = NewDelegationRequest,
    responses(
        (status = 200, description = "The request, and the secret for the link's fragment (shown once; only its hash is kept)", body = CreatedDelegationRequest),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule was broken: scopes, dates, note, or a principal the caller cannot ask (invalid_delegation; the detail names the field)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "More than 10 requests in an hour", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = i64, description = "Seconds until the limit lets this through again"))),
    ))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewDelegationRequest>,
) -> Result<Json<CreatedDelegationRequest>, ApiError> {
    let now = store::now();
    let key = new.idempotency_key.as_deref();
    if key.is_some_and(|k| !kapok_api::is_idempotency_key(k)) {
        return Err(ApiError::InvalidDelegation(
            "idempotency_key: invalid".into(),
        ));
    }
    // A try repeated after its answer was lost: what the first try made.
    if let Some(made) = made_with(&state, &user, key, now).await? {
        return Ok(Json(made));
    }
    let limit = CreationLimit {
        max: REQUESTS_PER_HOUR,
        since: now - 3600,
    };
    // Refused early and cheaply here; the store enforces the limit exactly when it inserts.
    within_creation_limit(&state, &user, limit).await?;
    let checked = check_new_request(&new, today(now))?;
    let principal = new.principal.trim();
    let approver =
        authorize::approver_for_new_request(&state.db, &user, new.kind, principal).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let secret = session::new_token()?;
    let binding_code = binding_code()?;
    let created = store::delegation::create(
        &state.db,
        &NewRequest {
            id: &id,
            kind: new.kind,
            principal,
            requester_user_id: &user.user_id,
            approver_user_id: &approver,
            scopes: &checked.scopes,
            valid_from: &checked.valid_from,
            valid_until: &checked.valid_until,
            note: &checked.note,
            binding_code: &binding_code,
            link_hash: &link_hash(&secret),
            created_at: now,
            idempotency_key: key,
        },
        limit,
    )
    .await;
    let created = match created {
        Err(e) if store::delegation::is_idempotency_clash(&e) => {
            // Another try of the same submission got there first.
            return made_with(&state, &user, key, now)
                .await?
                .map(Json)
                .ok_or_else(|| ApiError::Internal("a new request vanished".into()));
        }
        created => created?,
    };
    if !created {
        // Others made at the same time filled the hour first: when may this caller try again?
        within_creation_limit(&state, &user, limit).await?;
        return Err(ApiError::TooManyRequests {
            retry_after_secs: None,
        });
    }
    let stored = store::delegation::find(&state.db, &id)
        .await?
        .ok_or_else(|| ApiError::Internal("a new request vanished".into()))?;
    Ok(Json(CreatedDelegationRequest {
        request: to_api(&stored, now, Some(&user.user_id)),
        secret,
    }))
}

/// The request `user` made with `key`, with a new link: the first try's secret was in the
/// answer that was lost, and only its hash is kept, so the link is made again (the old one,
/// never delivered, stops working).
async fn made_with(
    state: &AppState,
    user: &CurrentUser,
    key: Option<&str>,
    now: i64,
) -> Result<Option<CreatedDelegationRequest>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    let Some(id) = store::delegation::by_idempotency_key(&state.db, &user.user_id, key).await?
    else {
        return Ok(None);
    };
    let secret = session::new_token()?;
    store::delegation::replace_link(&state.db, &id, &link_hash(&secret)).await?;
    let stored = store::delegation::find(&state.db, &id)
        .await?
        .ok_or_else(|| ApiError::Internal("a request vanished".into()))?;
    Ok(Some(CreatedDelegationRequest {
        request: to_api(&stored, now, Some(&user.user_id)),
        secret,
    }))
}

/// Requests the caller made, and pending requests waiting for the caller's decision.
#[utoipa::path(get, path = "/delegation-requests", tag = "delegation", operation_id = "delegation_requests",
    responses(
        (status = 200, description = "Newest first; `to_decide` holds only pending requests whose link is live", body = DelegationRequests),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<DelegationRequests>, ApiError> {
    let now = store::now();
    let caller = Some(user.user_id.as_str());
    let listed = store::delegation::listed_for(
        &state.reads,
        &user.user_id,
        now - LINK_LIFETIME_SECS,
        &clock::today(now),
    )
    .await?;
    Ok(Json(DelegationRequests {
        mine: listed.mine.iter().map(|r| to_api(r, now, caller)).collect(),
        to_decide: listed
            .to_decide
            .iter()
            .map(|r| to_api(r, now, caller))
            .collect(),
    }))
}

/// One request, with its live status, for its requester or its approver.
#[utoipa::path(get, path = "/delegation-requests/{id}", tag = "delegation", operation_id = "delegation_request",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, description = "The request", body = DelegationRequest),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or the caller neither made it nor decides it", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DelegationRequest>, ApiError> {
    let (request, _) = authorize::delegation_request(&state.db, &user, &id).await?;
    Ok(Json(to_api(&request, store::now(), Some(&user.user_id))))
}

/// The request behind a link. Anyone holding the link may look (no session needed) until the
/// link expires, decided or not. Looks are audited, naming the viewer if signed in: the first
/// look of each viewer (the public counting as one) in a day, so that looking over and over
/// cannot bury the rest of the request's story. Looking changes nothing else.
#[utoipa::path(post, path = "/delegation-requests/lookup", tag = "delegation", operation_id = "lookup_link",
    request_body = LinkLookup,
    responses(
        (status = 200, description = "The request; `caller_decides` says whether the signed-in caller is its approver. A decided request shows its decision.", body = DelegationRequest),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The secret matches no link (link_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link was not decided on in time, or, decided, is past the time it could have been (link_expired)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many lookups in a minute", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = i64, description = "Seconds until the limit lets this through again"))),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    caller: MaybeUser,
    network: Network,
    ApiJson(lookup): ApiJson<LinkLookup>,
) -> Result<Json<DelegationRequest>, ApiError> {
    let now = store::now();
    let caller = caller.0.as_ref().map(|u| u.user_id.as_str());
    let hash = link_hash(&lookup.token);
    let bucket = match caller {
        Some(user_id) => format!("lookup:user:{user_id}"),
        None => format!("lookup:network:{}", network.as_str()),
    };
    state
        .limits
        .allow(&state.db, &bucket, LOOKUPS_PER_MINUTE, 60, now)
        .await??;
    let request = store::delegation::find_by_link(&state.db, &hash)
        .await?
        .ok_or(ApiError::LinkInvalid)?;
    // A decided request's link shows what it showed (names, scopes, the decision) for no longer
    // than a pending one's could be decided on: a link left in a chat does not read out
    // someone's details for ever.
    if request.status(now) == RequestStatus::Expired || now > request.link_expires_at() {
        return Err(ApiError::LinkExpired);
    }
    store::delegation::record_link_view(&state.db, &request, caller, now).await?;
    Ok(Json(to_api(&request, now, caller)))
}

/// The approver starts approving the version of the request they were shown: a passkey
/// ceremony bound to this request and to the hash of that version.
#[utoipa::path(post, path = "/delegation-requests/{id}/approve/start", tag = "delegation", operation_id = "approve_start",
    params(("id" = String, Path, description = "Request id")),
    request_body = ApprovalStart,
    responses(
        (status = 200, description = "Options for the browser's navigator.credentials.get", body = Ceremony),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not the approver the register names (not_approver)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or the approver has no passkey (no_passkey)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided (request_decided), or not the version shown (request_changed)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link expired (link_expired)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many approval attempts for this request in an hour", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = i64, description = "Seconds until the limit lets this through again"))),
    ))]
pub async fn approve_start(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(start): ApiJson<ApprovalStart>,
) -> Result<Json<Ceremony>, ApiError> {
    let now = store::now();
    let request = authorize::approver_of(&state.db, &user, &id).await?;
    state
        .limits
        .allow(
            &state.db,
            &format!("approve:{}", request.id),
            APPROVAL_STARTS_PER_HOUR,
            3600,
            now,
        )
        .await??;
    open_for_decision(&request, now)?;
    let hash = request_hash(&request);
    if !start.request_hash.eq_ignore_ascii_case(&hex(&hash)) {
        return Err(ApiError::RequestChanged);
    }
    let ceremony = passkeys::ask_for_passkey(
        &state,
        Kind::Approve,
        &user.user_id,
        Some((&request.id, &hash)),
    )
    .await?;
    Ok(Json(ceremony))
}

/// The approver's passkey answer: if it checks out and the request is still exactly the
/// version the ceremony was bound to, the request is approved and the grant made, at once.
#[utoipa::path(post, path = "/delegation-requests/{id}/approve/finish", tag = "delegation", operation_id = "approve_finish",
    params(("id" = String, Path, description = "Request id")),
    request_body = CeremonyAnswer,
    responses(
        (status = 200, description = "Approved; the grant", body = Grant),
        (status = 400, description = "Malformed body, or a credential that is not WebAuthn JSON (the ceremony is kept)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No session, the answer did not check out (passkey_rejected) or the phone did not verify its owner (user_not_verified)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not the approver (not_approver)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided (request_decided), or changed since the ceremony began (request_changed)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The ceremony expired or was used (ceremony_expired), or the link expired (link_expired)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn approve_finish(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(answer): ApiJson<CeremonyAnswer>,
) -> Result<Json<Grant>, ApiError> {
    let now = store::now();
    // Read before the ceremony is used up, as for sign-in: a garbled answer keeps it.
    let credential = passkeys::assertion(answer.credential)?;
    let request = authorize::approver_of(&state.db, &user, &id).await?;
    let taken = store::passkeys::take_ceremony(&state.db, &answer.ceremony, Kind::Approve, now)
        .await?
        .filter(|t| {
            t.user_id.as_deref() == Some(&user.user_id) && t.subject.as_deref() == Some(&request.id)
        })
        .ok_or(ApiError::CeremonyExpired)?;
    // The row as it is now against the version the approver was shown when the ceremony began:
    // any edit in between (scopes, dates, note, even the binding code) voids the approval.
    if taken.subject_hash.as_deref() != Some(&request_hash(&request)[..]) {
        return Err(ApiError::RequestChanged);
    }
    open_for_decision(&request, now)?;
    passkeys::check_assertion(&state, &user.user_id, &taken.state, &credential).await?;
    let grant_id = uuid::Uuid::new_v4().to_string();
    if !store::delegation::approve(&state.db, &request, &grant_id, now).await? {
        return Err(ApiError::RequestDecided);
    }
    let grant = store::delegation::find_grant(&state.db, &grant_id, &clock::today(now))
        .await?
        .ok_or_else(|| ApiError::Internal("a new grant vanished".into()))?;
    Ok(Json(grant.grant))
}

/// The approver declines. No passkey is needed: declining gives nothing away.
#[utoipa::path(post, path = "/delegation-requests/{id}/decline", tag = "delegation", operation_id = "decline",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 200, description = "Declined; the request as it now stands", body = DelegationRequest),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not the approver (not_approver)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided (request_decided)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link expired (link_expired)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn decline(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DelegationRequest>, ApiError> {
    let now = store::now();
    let request = authorize::approver_of(&state.db, &user, &id).await?;
    open_for_decision(&request, now)?;
    if !store::delegation::close(&state.db, &request, Decision::Declined, &user.user_id, now)
        .await?
    {
        return Err(ApiError::RequestDecided);
    }
    let request = store::delegation::find(&state.db, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(to_api(&request, now, Some(&user.user_id))))
}

/// The requester withdraws a pending request (its link then shows it as cancelled).
#[utoipa::path(delete, path = "/delegation-requests/{id}", tag = "delegation", operation_id = "cancel_delegation_request",
    params(("id" = String, Path, description = "Request id")),
    responses(
        (status = 204, description = "Withdrawn (also when it was withdrawn already: a try repeated after its answer was lost)"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The approver cannot withdraw it (they decline instead)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already approved or declined (request_decided)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let (request, side) = authorize::delegation_request(&state.db, &user, &id).await?;
    if side != RequestSide::Requester {
        return Err(ApiError::Forbidden);
    }
    // Withdrawn already, by this requester: a try repeated after its answer was lost, which
    // is told it is done, not that someone decided it.
    if request.decision == Decision::Cancelled {
        return Ok(StatusCode::NO_CONTENT);
    }
    // A pending request past its link's lifetime may still be withdrawn: it tidies the
    // requester's list and gives nothing to anyone.
    let closed = request.decision == Decision::Pending
        && store::delegation::close(
            &state.db,
            &request,
            Decision::Cancelled,
            &user.user_id,
            store::now(),
        )
        .await?;
    if closed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::RequestDecided)
    }
}

/// Grants the caller holds, and grants given for the caller (as a relative, or for a company
/// they are the legal representative of), whatever their status.
#[utoipa::path(get, path = "/grants", tag = "delegation", operation_id = "grants",
    responses(
        (status = 200, description = "Newest first", body = Grants),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn grants(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Grants>, ApiError> {
    let today = clock::today(store::now());
    let held = store::delegation::grants_held(&state.db, &user.user_id, &today).await?;
    let given = store::delegation::grants_given(&state.db, &user.user_id, &today).await?;
    Ok(Json(Grants {
        held: held.into_iter().map(|g| g.grant).collect(),
        given: given.into_iter().map(|g| g.grant).collect(),
    }))
}

/// Ends a grant at once: its principal revokes it, or its grantee gives it up. Revoking a
/// revoked grant changes nothing.
#[utoipa::path(delete, path = "/grants/{id}", tag = "delegation", operation_id = "revoke_grant",
    params(("id" = String, Path, description = "Grant id")),
    responses(
        (status = 204, description = "Revoked; the next request under it is refused"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A former legal representative may read the grant but no longer revoke it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such grant, or not the caller's to revoke", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let (grant, side) = authorize::grant(&state.db, &user, &id).await?;
    let detail = match side {
        GrantSide::Principal => "by_principal",
        GrantSide::Grantee => "by_grantee",
        GrantSide::FormerApprover => return Err(ApiError::Forbidden),
    };
    store::delegation::revoke(&state.db, &grant, &user.user_id, detail, store::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct AuditQuery {
    grant: Option<String>,
    before: Option<i64>,
}

/// The delegation audit trail the caller may see, newest first: entries where they acted, or
/// that concern a request or grant they made, hold or decide. A page at a time: the entries
/// before the oldest shown are asked for with its id as `before`.
#[utoipa::path(get, path = "/audit", tag = "delegation", operation_id = "audit",
    params(
        ("grant" = Option<String>, Query, description = "Only this grant's story: its request's entries and its own"),
        ("before" = Option<i64>, Query, description = "Only entries older than the entry with this id (the oldest of the page before)"),
    ),
    responses(
        (status = 200, description = "At most 50 entries (`AUDIT_PAGE`), newest first; fewer when there are no more", body = Vec<AuditEntry>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such grant, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let entries = match query.grant {
        Some(id) => {
            let (grant, _) = authorize::grant(&state.db, &user, &id).await?;
            store::audit::of_grant(
                &state.db,
                &grant.grant.id,
                &grant.grant.request_id,
                query.before,
            )
            .await?
        }
        None => store::audit::concerning(&state.db, &user.user_id, query.before).await?,
    };
    Ok(Json(entries))
}

/// A request may be decided on only while pending and its link live.
fn open_for_decision(request: &StoredRequest, now: i64) -> Result<(), ApiError> {
    match request.status(now) {
        RequestStatus::Pending => Ok(()),
        RequestStatus::Expired => Err(ApiError::LinkExpired),
        RequestStatus::Approved | RequestStatus::Declined | RequestStatus::Cancelled => {
            Err(ApiError::RequestDecided)
        }
    }
}

fn to_api(request: &StoredRequest, now: i64, caller: Option<&str>) -> DelegationRequest {
    DelegationRequest {
        id: request.id.clone(),
        kind: request.kind,
        principal: request.principal.clone(),
        principal_name: request.principal_name.clone(),
        uscc: request.uscc.clone(),
        requester: request.requester.clone(),
        approver_name: request.approver_name.clone(),
        scopes: request.scopes.clone(),
        valid_from: request.valid_from.clone(),
        valid_until: request.valid_until.clone(),
        note: request.note.clone(),
        binding_code: request.binding_code.clone(),
        status: request.status(now),
        created_at: request.created_at,
        link_expires_at: request.link_expires_at(),
        decided_at: request.decided_at,
        revoked_at: request.grant_revoked_at,
        request_hash: hex(&request_hash(request)),
        caller_decides: caller == Some(request.approver_user_id.as_str()),
    }
}

/// The canonical form of a request: everything an approval commits to, in a fixed field order
/// (serde writes struct fields in declaration order), with the scopes sorted. The format tag
/// keeps a hash of this from ever equalling a hash of anything else Kapok makes.
#[derive(Serialize)]
struct Canonical<'a> {
    format: &'static str,
    id: &'a str,
    kind: DelegationKind,
    principal: &'a str,
    requester: &'a str,
    approver: &'a str,
    scopes: &'a [Scope],
    valid_from: &'a str,
    valid_until: &'a str,
    note: &'a str,
    binding_code: &'a str,
}

/// SHA-256 of the request's canonical form. The approver is included as well as what is
/// asked: the same words addressed to someone else are a different request.
pub fn request_hash(request: &StoredRequest) -> [u8; 32] {
    let mut scopes = request.scopes.clone();
    scopes.sort();
    let canonical = Canonical {
        format: "kapok-delegation-request/1",
        id: &request.id,
        kind: request.kind,
        principal: &request.principal,
        requester: &request.requester_user_id,
        approver: &request.approver_user_id,
        scopes: &scopes,
        valid_from: &request.valid_from,
        valid_until: &request.valid_until,
        note: &request.note,
        binding_code: &request.binding_code,
    };
    let bytes = serde_json::to_vec(&canonical).expect("plain strings serialise");
    Sha256::digest(bytes).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the link's secret is stored as. Whatever the caller sends is hashed as it is; a
/// malformed secret simply matches nothing.
fn link_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Six characters from [`BINDING_ALPHABET`], uniformly (bytes that would bias the choice are
/// drawn again).
fn binding_code() -> Result<String, ApiError> {
    let alphabet = BINDING_ALPHABET.len();
    let unbiased_below = 256 - 256 % alphabet;
    let mut code = String::with_capacity(BINDING_CODE_LEN);
    while code.len() < BINDING_CODE_LEN {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
        for b in bytes.map(usize::from) {
            if b < unbiased_below && code.len() < BINDING_CODE_LEN {
                code.push(char::from(BINDING_ALPHABET[b % alphabet]));
            }
        }
    }
    Ok(code)
}

/// A new request's terms, checked and normalised.
#[derive(Debug, PartialEq, Eq)]
struct CheckedRequest {
    /// Sorted, no duplicates.
    scopes: Vec<Scope>,
    valid_from: String,
    valid_until: String,
    /// Trimmed.
    note: String,
}

/// The rules for a new request, which the client applies too:
/// - at least one scope, each one of the kind's (`Scope::ENTERPRISE` or `Scope::FAMILY`);
///   duplicates are dropped and the list sorted, so one request has one canonical form;
/// - `valid_from` is today (CST) or later, and today when absent;
/// - `valid_until` is on or after `valid_from`; when absent the grant lasts
///   `DEFAULT_GRANT_DAYS` days counting the first (so it ends on `valid_from + 29`);
/// - a grant lasts at most `MAX_GRANT_DAYS` days counting both ends
///   (`valid_until ≤ valid_from + 365`);
/// - the note, trimmed, is at most `NOTE_MAX` characters, with no control or bidirectional
///   formatting characters (which could make the approver read something else than is stored).
fn check_new_request(new: &NewDelegationRequest, today: Date) -> Result<CheckedRequest, ApiError> {
    let invalid = |why: String| ApiError::InvalidDelegation(why);
    let allowed: &[Scope] = match new.kind {
        DelegationKind::Enterprise => &Scope::ENTERPRISE,
        DelegationKind::Family => &Scope::FAMILY,
    };
    let mut scopes = new.scopes.clone();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(invalid("scopes: ask for at least one".into()));
    }
    if let Some(scope) = scopes.iter().find(|s| !allowed.contains(s)) {
        return Err(invalid(format!(
            "scopes: {} cannot be asked of a {}",
            scope.as_str(),
            match new.kind {
                DelegationKind::Enterprise => "company",
                DelegationKind::Family => "relative",
            }
        )));
    }
    let date = |field: &str, text: &Option<String>| -> Result<Option<Date>, ApiError> {
        text.as_deref()
            .map(|t| {
                clock::parse_date(t)
                    .ok_or_else(|| invalid(format!("{field}: not a date of the form YYYY-MM-DD")))
            })
            .transpose()
    };
    let valid_from = date("valid_from", &new.valid_from)?.unwrap_or(today);
    if valid_from < today {
        return Err(invalid(format!(
            "valid_from: cannot be before today ({})",
            clock::format_date(today)
        )));
    }
    let last_allowed = valid_from.checked_add(Duration::days(MAX_GRANT_DAYS - 1));
    let valid_until = match date("valid_until", &new.valid_until)? {
        Some(until) => until,
        None => valid_from
            .checked_add(Duration::days(DEFAULT_GRANT_DAYS - 1))
            .ok_or_else(|| invalid("valid_from: too far in the future".into()))?,
    };
    if valid_until < valid_from {
        return Err(invalid("valid_until: cannot be before valid_from".into()));
    }
    if last_allowed.is_some_and(|last| valid_until > last) {
        return Err(invalid(format!(
            "valid_until: a grant lasts at most {MAX_GRANT_DAYS} days"
        )));
    }
    let note = text::trim(&new.note);
    if note.chars().count() > NOTE_MAX {
        return Err(invalid(format!("note: at most {NOTE_MAX} characters")));
    }
    if note.chars().any(|c| c != '\n' && text::disguises(c)) {
        return Err(invalid(
            "note: contains control or text-direction characters".into(),
        ));
    }
    Ok(CheckedRequest {
        scopes,
        valid_from: clock::format_date(valid_from),
        valid_until: clock::format_date(valid_until),
        note: note.to_owned(),
    })
}

fn today(now: i64) -> Date {
    clock::parse_date(&clock::today(now)).expect("today formats as a date")
}

#[cfg(test)]
mod tests {
    use kapok_api::Party;
    use time::macros::date;

    use super::*;

    fn ask(kind: DelegationKind, scopes: &[Scope]) -> NewDelegationRequest {
        NewDelegationRequest {
            kind,
            principal: "kapok-digital".into(),
            scopes: scopes.to_vec(),
            valid_from: None,
            valid_until: None,
            note: String::new(),
            idempotency_key: None,
        }
    }

    fn refusal(new: &NewDelegationRequest) -> String {
        match check_new_request(new, date!(2026 - 11 - 21)) {
            Err(ApiError::InvalidDelegation(why)) => why,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn stored() -> StoredRequest {
        StoredRequest {
            id: "r1".into(),
            kind: DelegationKind::Enterprise,
            principal: "kapok-digital".into(),
            principal_name: "广州木棉数字科技有限公司".into(),
            uscc: None,
            requester_user_id: "staff".into(),
            requester: Party {
                name: "周晓彤".into(),
                id_masked: String::new(),
            },
            approver_user_id: "legal-rep".into(),
            approver_name: "梁国栋".into(),
            scopes: vec![Scope::PresentLicences, Scope::Applications],
            valid_from: "2026-11-21".into(),
            valid_until: "2026-12-20".into(),
            note: "年检材料".into(),
            binding_code: "ACD379".into(),
            decision: Decision::Pending,
            created_at: 0,
            decided_at: None,
            grant_revoked_at: None,
        }
    }

    #[test]
    fn a_request_without_dates_runs_thirty_days_from_today() {
        let checked = check_new_request(
            &ask(
                DelegationKind::Enterprise,
                &[Scope::Policies, Scope::PresentLicences, Scope::Policies],
            ),
            date!(2026 - 11 - 21),
        )
        .unwrap();
        assert_eq!(checked.valid_from, "2026-11-21");
        assert_eq!(checked.valid_until, "2026-12-20");
        assert_eq!(checked.scopes, [Scope::PresentLicences, Scope::Policies]);
    }

    #[test]
    fn a_grant_may_last_a_year_to_the_day_but_not_a_day_longer() {
        let mut new = ask(DelegationKind::Enterprise, &[Scope::Applications]);
        new.valid_from = Some("2026-11-21".into());
        new.valid_until = Some("2027-11-21".into());
        assert!(check_new_request(&new, date!(2026 - 11 - 21)).is_ok());
        new.valid_until = Some("2027-11-22".into());
        assert!(refusal(&new).starts_with("valid_until:"));
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        assert!(refusal(&ask(DelegationKind::Enterprise, &[])).starts_with("scopes:"));
        assert!(refusal(&ask(DelegationKind::Family, &[Scope::Policies])).starts_with("scopes:"));
        let mut new = ask(DelegationKind::Family, &[Scope::PresentLicences]);
        new.valid_from = Some("2026-11-20".into());
        assert!(refusal(&new).starts_with("valid_from:"));
        new.valid_from = Some("21/11/2026".into());
        assert!(refusal(&new).starts_with("valid_from:"));
        new.valid_from = Some("2026-12-01".into());
        new.valid_until = Some("2026-11-30".into());
        assert!(refusal(&new).starts_with("valid_until:"));
        new.valid_until = Some("2026-12-1".into());
        assert!(refusal(&new).starts_with("valid_until:"));
        new.valid_until = None;
        new.note = "长".repeat(NOTE_MAX + 1);
        assert!(refusal(&new).starts_with("note:"));
        new.note = "请批准\u{202E}拒绝".into();
        assert!(refusal(&new).starts_with("note:"));
    }

    #[test]
    fn a_note_may_have_lines_and_is_trimmed() {
        let mut new = ask(DelegationKind::Family, &[Scope::PresentLicences]);
        new.note = format!("  第一行\n{}  ", "长".repeat(NOTE_MAX - 4));
        let checked = check_new_request(&new, date!(2026 - 11 - 21)).unwrap();
        assert!(checked.note.starts_with("第一行\n"));
        // A note of nothing a reader would see is no note.
        new.note = "\u{200B}\u{FEFF} \u{3164}".into();
        let checked = check_new_request(&new, date!(2026 - 11 - 21)).unwrap();
        assert_eq!(checked.note, "");
    }

    #[test]
    fn the_hash_changes_with_every_term_but_not_with_scope_order() {
        let base = request_hash(&stored());
        let mut reordered = stored();
        reordered.scopes.reverse();
        assert_eq!(request_hash(&reordered), base);
        let edits: [fn(&mut StoredRequest); 8] = [
            |r| r.note.push('!'),
            |r| r.valid_until = "2026-12-21".into(),
            |r| r.valid_from = "2026-11-22".into(),
            |r| r.scopes.push(Scope::CompanyProfile),
            |r| r.binding_code = "ACD377".into(),
            |r| r.requester_user_id = "resident".into(),
            |r| r.approver_user_id = "elder".into(),
            |r| r.principal = "other-company".into(),
        ];
        for edit in edits {
            let mut changed = stored();
            edit(&mut changed);
            assert_ne!(request_hash(&changed), base);
        }
        // The decision is not part of what is approved.
        let mut decided = stored();
        decided.decision = Decision::Declined;
        assert_eq!(request_hash(&decided), base);
        assert_eq!(hex(&base).len(), 64);
    }

    #[test]
    fn binding_codes_use_only_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let code = binding_code().unwrap();
            assert_eq!(code.len(), BINDING_CODE_LEN);
            assert!(
                code.bytes().all(|b| BINDING_ALPHABET.contains(&b)),
                "{code}"
            );
        }
        assert_ne!(binding_code().unwrap(), binding_code().unwrap());
    }
}
