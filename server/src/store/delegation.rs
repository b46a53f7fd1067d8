//! Delegation requests and the grants they become. Every change of state is one transaction
//! together with its audit entry, so the log cannot miss a decision or record one that
//! did not happen.

use kapok_api::{
    AuditAction, DelegationKind, Grant, GrantStatus, LINK_LIFETIME_SECS, NotificationKind, Party,
    RequestStatus, Scope,
};
use sqlx::{Any, Row, Transaction, any::AnyRow};

use crate::{
    clock,
    db::{self, Db, Engine},
    store::{
        audit::{self, NewEntry},
        notifications, users,
    },
};

/// At most this many requests per list; older ones stay in the audit trail.
const PAGE: i64 = 100;

/// What the requests table records as decided. `Expired` is not stored: it follows from age.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Approved,
    Declined,
    Cancelled,
}

impl Decision {
    fn as_str(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Approved => "approved",
            Decision::Declined => "declined",
            Decision::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Option<Decision> {
        [
            Decision::Pending,
            Decision::Approved,
            Decision::Declined,
            Decision::Cancelled,
        ]
        .into_iter()
        .find(|d| d.as_str() == text)
    }
}

/// A request as stored, with the names the two sides see.
#[derive(Clone, Debug)]
pub struct StoredRequest {
    pub id: String,
    pub kind: DelegationKind,
    /// The enterprise id or the relative's user id.
    pub principal: String,
    pub principal_name: String,
    pub uscc: Option<String>,
    pub requester_user_id: String,
    pub requester: Party,
    pub approver_user_id: String,
    pub approver_name: String,
    pub scopes: Vec<Scope>,
    pub valid_from: String,
    pub valid_until: String,
    pub note: String,
    pub binding_code: String,
    pub decision: Decision,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    /// When the grant made from it was revoked, if it was.
    pub grant_revoked_at: Option<i64>,
}

impl StoredRequest {
    pub fn link_expires_at(&self) -> i64 {
        self.created_at + LINK_LIFETIME_SECS
    }

    /// Where the request stands. One still pending expires with its link, or once the last
    /// day it asks for has passed: approving it then would make a grant already over.
    pub fn status(&self, now: i64) -> RequestStatus {
        match self.decision {
            Decision::Pending
                if now > self.link_expires_at() || self.valid_until < clock::today(now) =>
            {
                RequestStatus::Expired
            }
            Decision::Pending => RequestStatus::Pending,
            Decision::Approved => RequestStatus::Approved,
            Decision::Declined => RequestStatus::Declined,
            Decision::Cancelled => RequestStatus::Cancelled,
        }
    }
}

/// A new request. `link_hash` is the SHA-256 of the link's secret; the secret itself is
/// never handed to the store.
pub struct NewRequest<'a> {
    pub id: &'a str,
    pub kind: DelegationKind,
    pub principal: &'a str,
    pub requester_user_id: &'a str,
    pub approver_user_id: &'a str,
    pub scopes: &'a [Scope],
    pub valid_from: &'a str,
    pub valid_until: &'a str,
    pub note: &'a str,
    pub binding_code: &'a str,
    pub link_hash: &'a [u8],
    pub created_at: i64,
    /// The client's key for this submission, unique per requester.
    pub idempotency_key: Option<&'a str>,
}

/// The request `requester_user_id` made with `key`, if any.
pub async fn by_idempotency_key(
    db: &Db,
    requester_user_id: &str,
    key: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT id FROM delegation_requests WHERE requester_user_id = $1 AND idempotency_key = $2",
    )
    .bind(requester_user_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Whether `error` is a second insert with a key already used.
pub fn is_idempotency_clash(error: &sqlx::Error) -> bool {
    super::violates_unique(
        error,
        "delegation_requests_by_idempotency_key",
        "delegation_requests",
        "idempotency_key",
    )
}

/// Gives request `id` a new link: the hash of a new secret replaces the old one, whose link
/// stops working.
pub async fn replace_link(db: &Db, id: &str, link_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("UPDATE delegation_requests SET link_hash = $1 WHERE id = $2")
        .bind(link_hash)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}

/// How many requests one requester may make in a window: at most `max` since `since`.
#[derive(Clone, Copy)]
pub struct CreationLimit {
    pub max: i64,
    pub since: i64,
}

/// Stores a new request, its `Requested` audit entry and the approver's notice; or, if the
/// requester already made `limit.max` requests since `limit.since`, stores nothing and returns
/// `false`. The count and the insert are one statement, which SQLite runs under its write
/// lock: a burst of concurrent requests cannot all count the same rows and slip past the
/// limit together (a separate count first let 32 of a 200-request burst through, not 10).
/// PostgreSQL lets concurrent statements count the same rows, so there the requester's row is
/// locked first and their requests are counted one after another.
pub async fn create(db: &Db, new: &NewRequest<'_>, limit: CreationLimit) -> sqlx::Result<bool> {
    let (enterprise, user) = principal_columns(new.kind, new.principal);
    let mut tx = db.begin().await?;
    if db::engine(db) == Engine::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(new.requester_user_id)
            .execute(&mut *tx)
            .await?;
    }
    let inserted = sqlx::query(
        "INSERT INTO delegation_requests (id, kind, principal_enterprise_id, principal_user_id,
             requester_user_id, approver_user_id, scopes, valid_from, valid_until, note,
             binding_code, link_hash, status, created_at, idempotency_key)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $17
         WHERE (SELECT COUNT(*) FROM delegation_requests
                WHERE requester_user_id = $14 AND created_at >= $15) < $16",
    )
    .bind(new.id)
    .bind(kind_str(new.kind))
    .bind(enterprise)
    .bind(user)
    .bind(new.requester_user_id)
    .bind(new.approver_user_id)
    .bind(scopes_text(new.scopes))
    .bind(new.valid_from)
    .bind(new.valid_until)
    .bind(new.note)
    .bind(new.binding_code)
    .bind(new.link_hash)
    .bind(new.created_at)
    .bind(new.requester_user_id)
    .bind(limit.since)
    .bind(limit.max)
    .bind(new.idempotency_key)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    audit::append(
        &mut *tx,
        &NewEntry {
            at: new.created_at,
            actor_user_id: Some(new.requester_user_id),
            action: AuditAction::Requested,
            request_id: Some(new.id),
            grant_id: None,
            requester_user_id: Some(new.requester_user_id),
            approver_user_id: Some(new.approver_user_id),
            detail: "",
        },
    )
    .await?;
    let requester_name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(new.requester_user_id)
        .fetch_one(&mut *tx)
        .await?;
    notifications::add(
        &mut *tx,
        new.approver_user_id,
        &NotificationKind::DelegationRequest {
            request_id: new.id.to_owned(),
            requester_name,
        },
        None,
        new.created_at,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// How many requests `requester_user_id` made since `since`, and when the first of them was
/// made (the creation rate limit's early, cheap refusal; `create` enforces it exactly).
pub async fn created_since(
    db: &Db,
    requester_user_id: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM delegation_requests
         WHERE requester_user_id = $1 AND created_at >= $2",
    )
    .bind(requester_user_id)
    .bind(since)
    .fetch_one(db)
    .await
}

const REQUEST_SELECT: &str = "
    SELECT r.id, r.kind, COALESCE(r.principal_enterprise_id, r.principal_user_id) AS principal,
           COALESCE(e.name, pu.display_name) AS principal_name, e.uscc,
           r.requester_user_id, ru.display_name AS requester_name,
           ru.id_number AS requester_id_number,
           r.approver_user_id, au.display_name AS approver_name,
           r.scopes, r.valid_from, r.valid_until, r.note, r.binding_code, r.status,
           r.created_at, r.decided_at, g.revoked_at AS grant_revoked_at
    FROM delegation_requests r
    JOIN users ru ON ru.id = r.requester_user_id
    JOIN users au ON au.id = r.approver_user_id
    LEFT JOIN enterprises e ON e.id = r.principal_enterprise_id
    LEFT JOIN users pu ON pu.id = r.principal_user_id
    LEFT JOIN grants g ON g.request_id = r.id";

pub async fn find(db: &Db, id: &str) -> sqlx::Result<Option<StoredRequest>> {
    let row = sqlx::query(&format!("{REQUEST_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(request_from_row).transpose()
}

/// The request whose link secret hashes to `link_hash`.
pub async fn find_by_link(db: &Db, link_hash: &[u8]) -> sqlx::Result<Option<StoredRequest>> {
    let row = sqlx::query(&format!("{REQUEST_SELECT} WHERE r.link_hash = $1"))
        .bind(link_hash)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(request_from_row).transpose()
}

/// The requests on `user_id`'s delegation page, newest first and at most a page of each: the
/// ones they made, and the pending ones they are to decide whose links are still live (made
/// at or after `made_since`) and whose last day has not passed (`today`, as `YYYY-MM-DD`).
/// One query for both, as the page is loaded each time it opens.
pub async fn listed_for(
    db: &Db,
    user_id: &str,
    made_since: i64,
    today: &str,
) -> sqlx::Result<Listed> {
    let rows = sqlx::query(&format!(
        "SELECT CAST(0 AS BIGINT) AS to_decide, made.* FROM (
           {REQUEST_SELECT} WHERE r.requester_user_id = $1
           ORDER BY r.created_at DESC, r.id LIMIT {PAGE}) AS made
         UNION ALL
         SELECT CAST(1 AS BIGINT) AS to_decide, waiting.* FROM (
           {REQUEST_SELECT} WHERE r.approver_user_id = $1 AND r.status = 'pending'
             AND r.created_at >= $2 AND r.valid_until >= $3
           ORDER BY r.created_at DESC, r.id LIMIT {PAGE}) AS waiting
         ORDER BY to_decide, created_at DESC, id"
    ))
    .bind(user_id)
    .bind(made_since)
    .bind(today)
    .fetch_all(db)
    .await?;
    let mut listed = Listed::default();
    for row in &rows {
        let list = match row.try_get::<i64, _>("to_decide")? {
            0 => &mut listed.mine,
            _ => &mut listed.to_decide,
        };
        list.push(request_from_row(row)?);
    }
    Ok(listed)
}

/// The two lists of [`listed_for`].
#[derive(Default)]
pub struct Listed {
    pub mine: Vec<StoredRequest>,
    pub to_decide: Vec<StoredRequest>,
}

/// Declines or cancels a pending request, with its audit entry; `false` if it was no longer
/// pending (someone decided first).
pub async fn close(
    db: &Db,
    request: &StoredRequest,
    decision: Decision,
    actor_user_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let action = match decision {
        Decision::Declined => AuditAction::Declined,
        Decision::Cancelled => AuditAction::Cancelled,
        Decision::Pending | Decision::Approved => {
            return Err(sqlx::Error::Protocol(
                "close() only declines or cancels".into(),
            ));
        }
    };
    let mut tx = db.begin().await?;
    if !mark_decided(&mut tx, &request.id, decision, now).await? {
        return Ok(false);
    }
    audit::append(
        &mut *tx,
        &NewEntry {
            at: now,
            actor_user_id: Some(actor_user_id),
            action,
            request_id: Some(&request.id),
            grant_id: None,
            requester_user_id: Some(&request.requester_user_id),
            approver_user_id: Some(&request.approver_user_id),
            detail: "",
        },
    )
    .await?;
    if decision == Decision::Declined {
        tell_requester(&mut tx, request, false, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Tells whoever asked that their request was decided: the link they shared may be long gone
/// from their screen, and the answer should not wait for them to look.
async fn tell_requester(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request: &StoredRequest,
    approved: bool,
    now: i64,
) -> sqlx::Result<()> {
    notifications::add(
        &mut **tx,
        &request.requester_user_id,
        &NotificationKind::DelegationDecided {
            request_id: request.id.clone(),
            delegation: request.kind,
            approver_name: request.approver_name.clone(),
            approved,
        },
        None,
        now,
    )
    .await
    .map(drop)
}

/// Approves a pending request: in one transaction the request is marked approved, the grant
/// is made and the approval is logged. The grant copies `request` (the version the approver's
/// passkey was bound to), not whatever the row holds now. `false` if the request was no longer
/// pending: of two concurrent approvals, exactly one wins.
pub async fn approve(
    db: &Db,
    request: &StoredRequest,
    grant_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !mark_decided(&mut tx, &request.id, Decision::Approved, now).await? {
        return Ok(false);
    }
    let (enterprise, user) = principal_columns(request.kind, &request.principal);
    sqlx::query(
        "INSERT INTO grants (id, request_id, kind, principal_enterprise_id, principal_user_id,
             grantee_user_id, approver_user_id, scopes, valid_from, valid_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(grant_id)
    .bind(&request.id)
    .bind(kind_str(request.kind))
    .bind(enterprise)
    .bind(user)
    .bind(&request.requester_user_id)
    .bind(&request.approver_user_id)
    .bind(scopes_text(&request.scopes))
    .bind(&request.valid_from)
    .bind(&request.valid_until)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut *tx,
        &NewEntry {
            at: now,
            actor_user_id: Some(&request.approver_user_id),
            action: AuditAction::Approved,
            request_id: Some(&request.id),
            grant_id: Some(grant_id),
            requester_user_id: Some(&request.requester_user_id),
            approver_user_id: Some(&request.approver_user_id),
            detail: "",
        },
    )
    .await?;
    tell_requester(&mut tx, request, true, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// The one way a request leaves `pending`: conditional on still being pending, so a second
/// decision (concurrent or late) changes nothing.
async fn mark_decided(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    decision: Decision,
    now: i64,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "UPDATE delegation_requests SET status = $1, decided_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(decision.as_str())
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// A grant as stored, with who is on either side of it.
#[derive(Clone, Debug)]
pub struct StoredGrant {
    pub grant: Grant,
    pub grantee_user_id: String,
    pub approver_user_id: String,
    /// Set for a relative's grant: the relative who gave it.
    pub principal_user_id: Option<String>,
    /// Set for a company's grant.
    pub principal_enterprise_id: Option<String>,
}

const GRANT_SELECT: &str = "
    SELECT g.id, g.request_id, g.kind, g.principal_enterprise_id, g.principal_user_id,
           COALESCE(e.name, pu.display_name) AS principal_name,
           g.grantee_user_id, gu.display_name AS grantee_name, gu.id_number AS grantee_id_number,
           g.approver_user_id, au.display_name AS approver_name,
           g.scopes, g.valid_from, g.valid_until, g.created_at, g.revoked_at
    FROM grants g
    JOIN users gu ON gu.id = g.grantee_user_id
    JOIN users au ON au.id = g.approver_user_id
    LEFT JOIN enterprises e ON e.id = g.principal_enterprise_id
    LEFT JOIN users pu ON pu.id = g.principal_user_id";

/// A grant only carries authority while its grantee still stands where they stood when it was
/// given: a company's while they work there, a relative's while the household register lists
/// them as one. Leaving either ends it without anyone having to remember to revoke it.
const STILL_MEMBER: &str = "(g.principal_enterprise_id IS NULL OR EXISTS (
        SELECT 1 FROM enterprise_members m
        WHERE m.enterprise_id = g.principal_enterprise_id AND m.user_id = g.grantee_user_id))
    AND (g.principal_user_id IS NULL OR EXISTS (
        SELECT 1 FROM relatives r
        WHERE r.user_id = g.grantee_user_id AND r.relative_user_id = g.principal_user_id))";

pub async fn find_grant(db: &Db, id: &str, today: &str) -> sqlx::Result<Option<StoredGrant>> {
    let row = sqlx::query(&format!("{GRANT_SELECT} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|r| grant_from_row(&r, today)).transpose()
}

/// Every grant `user_id` holds, whatever its status, newest first.
pub async fn grants_held(db: &Db, user_id: &str, today: &str) -> sqlx::Result<Vec<StoredGrant>> {
    let rows = sqlx::query(&format!(
        "{GRANT_SELECT} WHERE g.grantee_user_id = $1 ORDER BY g.created_at DESC, g.id LIMIT {PAGE}"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| grant_from_row(r, today)).collect()
}

/// Grants given for `user_id`: by them as a relative, or for a company they are the legal
/// representative of (whoever was legal representative when it was approved).
pub async fn grants_given(db: &Db, user_id: &str, today: &str) -> sqlx::Result<Vec<StoredGrant>> {
    let rows = sqlx::query(&format!(
        "{GRANT_SELECT}
         WHERE g.principal_user_id = $1
            OR g.principal_enterprise_id IN (SELECT enterprise_id FROM enterprise_members
                                             WHERE user_id = $1 AND role = 'legal_representative')
         ORDER BY g.created_at DESC, g.id LIMIT {PAGE}"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| grant_from_row(r, today)).collect()
}

/// The grants that could give `grantee_user_id` authority (any status, so a refusal can say
/// "revoked" or "expired"), optionally only those over one holder, newest first.
pub async fn authority_of(
    db: &Db,
    grantee_user_id: &str,
    over: Option<(DelegationKind, &str)>,
    today: &str,
) -> sqlx::Result<Vec<StoredGrant>> {
    let (enterprise, user) = match over {
        Some((kind, principal)) => principal_columns(kind, principal),
        None => (None, None),
    };
    let rows = sqlx::query(&format!(
        "{GRANT_SELECT}
         WHERE g.grantee_user_id = $1 AND {STILL_MEMBER}
           AND ($2 IS NULL OR g.principal_enterprise_id = $2)
           AND ($3 IS NULL OR g.principal_user_id = $3)
         ORDER BY g.created_at DESC, g.id LIMIT {PAGE}"
    ))
    .bind(grantee_user_id)
    .bind(enterprise)
    .bind(user)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| grant_from_row(r, today)).collect()
}

/// Revokes a grant, with its audit entry; `false` if it was already revoked.
pub async fn revoke(
    db: &Db,
    grant: &StoredGrant,
    actor_user_id: &str,
    detail: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE grants SET revoked_at = $1, revoked_by_user_id = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(actor_user_id)
    .bind(&grant.grant.id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    audit::append(
        &mut *tx,
        &NewEntry {
            at: now,
            actor_user_id: Some(actor_user_id),
            action: AuditAction::Revoked,
            request_id: Some(&grant.grant.request_id),
            grant_id: Some(&grant.grant.id),
            requester_user_id: Some(&grant.grantee_user_id),
            approver_user_id: Some(&grant.approver_user_id),
            detail,
        },
    )
    .await?;
    // The grantee giving it up knows; revoked by anyone else, they are told.
    if actor_user_id != grant.grantee_user_id {
        let revoked_by: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(actor_user_id)
            .fetch_one(&mut *tx)
            .await?;
        notifications::add(
            &mut *tx,
            &grant.grantee_user_id,
            &NotificationKind::GrantRevoked {
                grant_id: grant.grant.id.clone(),
                delegation: grant.grant.kind,
                revoked_by,
            },
            None,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Records that the grantee acted under `grant` (`detail` says what), and tells whoever gave
/// the authority (the relative, or the company's legal representative now): once per grant
/// per day, so a busy grantee does not bury the principal's inbox.
pub async fn record_use(db: &Db, grant: &StoredGrant, detail: &str, now: i64) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    record_use_in(&mut tx, grant, detail, now).await?;
    tx.commit().await
}

/// [`record_use`] inside the caller's transaction, so that the record stands or falls with
/// the act it records.
pub async fn record_use_in(
    tx: &mut Transaction<'_, Any>,
    grant: &StoredGrant,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    audit::append(
        &mut **tx,
        &NewEntry {
            at: now,
            actor_user_id: Some(&grant.grantee_user_id),
            action: AuditAction::GrantUsed,
            request_id: Some(&grant.grant.request_id),
            grant_id: Some(&grant.grant.id),
            requester_user_id: Some(&grant.grantee_user_id),
            approver_user_id: Some(&grant.approver_user_id),
            detail,
        },
    )
    .await?;
    let principal = match (&grant.principal_user_id, &grant.principal_enterprise_id) {
        (Some(user), _) => Some(user.clone()),
        (None, Some(enterprise)) => {
            sqlx::query_scalar(
                "SELECT user_id FROM enterprise_members
                 WHERE enterprise_id = $1 AND role = 'legal_representative'",
            )
            .bind(enterprise)
            .fetch_optional(&mut **tx)
            .await?
        }
        (None, None) => None,
    };
    if let Some(principal) = principal {
        notifications::add(
            &mut **tx,
            &principal,
            &NotificationKind::DelegationUse {
                grant_id: grant.grant.id.clone(),
                actor_name: grant.grant.grantee.name.clone(),
            },
            Some(&format!("use:{}:{}", grant.grant.id, clock::today(now))),
            now,
        )
        .await?;
    }
    Ok(())
}

/// A viewer's looks at a link within this long of their last recorded one are not recorded
/// again.
const LINK_VIEW_RECORDED_EVERY_SECS: i64 = 24 * 60 * 60;

/// Records that someone (signed in or not) opened the request behind a link, unless they were
/// recorded doing so within the last day: anyone holding the link may look thirty times a
/// minute from every network, and the request's story is shown newest first, a page at a
/// time, so a record of every look would let the link's holder push the uses of its grant out
/// of sight. The public counts as one viewer.
pub async fn record_link_view(
    db: &Db,
    request: &StoredRequest,
    viewer_user_id: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    let viewer = match viewer_user_id {
        Some(_) => "actor_user_id = $3",
        None => "actor_user_id IS NULL",
    };
    let sql = format!(
        "SELECT id FROM audit_log
         WHERE request_id = $1 AND action = 'link_viewed' AND at > $2 AND {viewer}
         LIMIT 1"
    );
    let mut seen = sqlx::query_scalar::<_, i64>(&sql)
        .bind(&request.id)
        .bind(now - LINK_VIEW_RECORDED_EVERY_SECS);
    if let Some(viewer) = viewer_user_id {
        seen = seen.bind(viewer);
    }
    let seen_lately = seen.fetch_optional(db).await?;
    if seen_lately.is_some() {
        return Ok(());
    }
    audit::append(
        db,
        &NewEntry {
            at: now,
            actor_user_id: viewer_user_id,
            action: AuditAction::LinkViewed,
            request_id: Some(&request.id),
            grant_id: None,
            requester_user_id: Some(&request.requester_user_id),
            approver_user_id: Some(&request.approver_user_id),
            detail: "",
        },
    )
    .await
}

/// A grant's status on `today` (`YYYY-MM-DD`, which orders as text): revocation first, then
/// the dates, both ends inclusive.
pub fn grant_status(
    revoked: bool,
    valid_from: &str,
    valid_until: &str,
    today: &str,
) -> GrantStatus {
    if revoked {
        GrantStatus::Revoked
    } else if today < valid_from {
        GrantStatus::NotYetValid
    } else if today > valid_until {
        GrantStatus::Expired
    } else {
        GrantStatus::Active
    }
}

fn request_from_row(row: &AnyRow) -> sqlx::Result<StoredRequest> {
    Ok(StoredRequest {
        id: row.get("id"),
        kind: parse_kind(row.get("kind"))?,
        principal: row.get("principal"),
        principal_name: row.get("principal_name"),
        uscc: row.get("uscc"),
        requester_user_id: row.get("requester_user_id"),
        requester: users::party(row.get("requester_name"), row.get("requester_id_number")),
        approver_user_id: row.get("approver_user_id"),
        approver_name: row.get("approver_name"),
        scopes: parse_scopes(row.get("scopes"))?,
        valid_from: row.get("valid_from"),
        valid_until: row.get("valid_until"),
        note: row.get("note"),
        binding_code: row.get("binding_code"),
        decision: Decision::parse(row.get("status")).ok_or_else(|| corrupt("status"))?,
        created_at: row.get("created_at"),
        decided_at: row.get("decided_at"),
        grant_revoked_at: row.get("grant_revoked_at"),
    })
}

fn grant_from_row(row: &AnyRow, today: &str) -> sqlx::Result<StoredGrant> {
    let principal_enterprise_id: Option<String> = row.get("principal_enterprise_id");
    let principal_user_id: Option<String> = row.get("principal_user_id");
    let valid_from: String = row.get("valid_from");
    let valid_until: String = row.get("valid_until");
    let revoked_at: Option<i64> = row.get("revoked_at");
    let grant = Grant {
        id: row.get("id"),
        request_id: row.get("request_id"),
        kind: parse_kind(row.get("kind"))?,
        principal: principal_enterprise_id
            .clone()
            .or_else(|| principal_user_id.clone())
            .unwrap_or_default(),
        principal_name: row.get("principal_name"),
        grantee: users::party(row.get("grantee_name"), row.get("grantee_id_number")),
        approver_name: row.get("approver_name"),
        scopes: parse_scopes(row.get("scopes"))?,
        status: grant_status(revoked_at.is_some(), &valid_from, &valid_until, today),
        valid_from,
        valid_until,
        created_at: row.get("created_at"),
        revoked_at,
    };
    Ok(StoredGrant {
        grant,
        grantee_user_id: row.get("grantee_user_id"),
        approver_user_id: row.get("approver_user_id"),
        principal_user_id,
        principal_enterprise_id,
    })
}

/// (enterprise, user) columns of a principal.
fn principal_columns(kind: DelegationKind, principal: &str) -> (Option<&str>, Option<&str>) {
    match kind {
        DelegationKind::Enterprise => (Some(principal), None),
        DelegationKind::Family => (None, Some(principal)),
    }
}

fn kind_str(kind: DelegationKind) -> &'static str {
    match kind {
        DelegationKind::Enterprise => "enterprise",
        DelegationKind::Family => "family",
    }
}

fn parse_kind(text: &str) -> sqlx::Result<DelegationKind> {
    match text {
        "enterprise" => Ok(DelegationKind::Enterprise),
        "family" => Ok(DelegationKind::Family),
        _ => Err(corrupt("kind")),
    }
}

fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_scopes(text: &str) -> sqlx::Result<Vec<Scope>> {
    text.split_whitespace()
        .map(|s| Scope::parse(s).ok_or_else(|| corrupt("scopes")))
        .collect()
}

fn corrupt(column: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("delegation: unexpected value in {column}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_is_in_force_from_its_first_to_its_last_day_inclusive() {
        let status = |today| grant_status(false, "2026-11-01", "2026-11-30", today);
        assert_eq!(status("2026-10-31"), GrantStatus::NotYetValid);
        assert_eq!(status("2026-11-01"), GrantStatus::Active);
        assert_eq!(status("2026-11-30"), GrantStatus::Active);
        assert_eq!(status("2026-12-01"), GrantStatus::Expired);
        assert_eq!(
            grant_status(true, "2026-11-01", "2026-11-30", "2026-11-15"),
            GrantStatus::Revoked
        );
    }

    #[test]
    fn scopes_round_trip_through_their_column() {
        let scopes = [Scope::PresentLicences, Scope::CompanyProfile];
        assert_eq!(
            parse_scopes(&scopes_text(&scopes)).unwrap(),
            scopes.to_vec()
        );
        assert!(parse_scopes("present_licences root").is_err());
    }
}
