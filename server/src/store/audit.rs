//! The append-only audit log of delegation: only `append` writes, and nothing updates or
//! deletes (the migration's triggers refuse it even if something tried).

use kapok_api::{AUDIT_PAGE, AuditAction, AuditEntry};
use sqlx::{Any, Executor, Row};

use crate::db::Db;

/// An entry to append. `requester_user_id` is the requester or grantee and `approver_user_id`
/// the approver: the people the entry concerns besides the actor.
pub struct NewEntry<'a> {
    pub at: i64,
    pub actor_user_id: Option<&'a str>,
    pub action: AuditAction,
    pub request_id: Option<&'a str>,
    pub grant_id: Option<&'a str>,
    pub requester_user_id: Option<&'a str>,
    pub approver_user_id: Option<&'a str>,
    pub detail: &'a str,
}

pub async fn append(
    db: impl Executor<'_, Database = Any>,
    entry: &NewEntry<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, action, request_id, grant_id,
                                requester_user_id, approver_user_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.at)
    .bind(entry.actor_user_id)
    .bind(action_str(entry.action))
    .bind(entry.request_id)
    .bind(entry.grant_id)
    .bind(entry.requester_user_id)
    .bind(entry.approver_user_id)
    .bind(entry.detail)
    .execute(db)
    .await?;
    Ok(())
}

const SELECT: &str = "SELECT a.id, a.at, u.display_name AS actor_name, a.action, a.request_id,
                             a.grant_id, a.detail
                      FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id";

/// Entries that concern `user_id` (as the actor, the requester or grantee, or the approver),
/// newest first: the newest [`AUDIT_PAGE`], or with `before`, those that came before that entry.
pub async fn concerning(
    db: &Db,
    user_id: &str,
    before: Option<i64>,
) -> sqlx::Result<Vec<AuditEntry>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE (a.actor_user_id = $1 OR a.requester_user_id = $1 OR a.approver_user_id = $1)
                    AND a.id < $2
         ORDER BY a.id DESC LIMIT {AUDIT_PAGE}"
    ))
    .bind(user_id)
    .bind(before.unwrap_or(i64::MAX))
    .fetch_all(db)
    .await?;
    rows.iter().map(from_row).collect()
}

/// A grant's story: its request's entries (asked, viewed, approved) and the grant's own, paged
/// as [`concerning`] is.
pub async fn of_grant(
    db: &Db,
    grant_id: &str,
    request_id: &str,
    before: Option<i64>,
) -> sqlx::Result<Vec<AuditEntry>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE (a.grant_id = $1 OR a.request_id = $2) AND a.id < $3
         ORDER BY a.id DESC LIMIT {AUDIT_PAGE}"
    ))
    .bind(grant_id)
    .bind(request_id)
    .bind(before.unwrap_or(i64::MAX))
    .fetch_all(db)
    .await?;
    rows.iter().map(from_row).collect()
}

fn from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<AuditEntry> {
    let action = parse_action(row.get("action"))
        .ok_or_else(|| sqlx::Error::Decode("audit_log: bad action".into()))?;
    Ok(AuditEntry {
        id: row.get("id"),
        at: row.get("at"),
        actor_name: row.get("actor_name"),
        action,
        request_id: row.get("request_id"),
        grant_id: row.get("grant_id"),
        detail: row.get("detail"),
    })
}

/// Exhaustive, so a new action is a compile error here until it has a stored name.
fn action_str(action: AuditAction) -> &'static str {
    match action {
        AuditAction::Requested => "requested",
        AuditAction::LinkViewed => "link_viewed",
        AuditAction::Approved => "approved",
        AuditAction::Declined => "declined",
        AuditAction::Cancelled => "cancelled",
        AuditAction::Revoked => "revoked",
        AuditAction::GrantUsed => "grant_used",
    }
}

const ACTIONS: [AuditAction; 7] = [
    AuditAction::Requested,
    AuditAction::LinkViewed,
    AuditAction::Approved,
    AuditAction::Declined,
    AuditAction::Cancelled,
    AuditAction::Revoked,
    AuditAction::GrantUsed,
];

fn parse_action(text: &str) -> Option<AuditAction> {
    ACTIONS.into_iter().find(|a| action_str(*a) == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_action_names_are_the_wire_names() {
        for action in ACTIONS {
            assert_eq!(serde_json::to_value(action).unwrap(), action_str(action));
            assert_eq!(parse_action(action_str(action)), Some(action));
        }
    }
}
