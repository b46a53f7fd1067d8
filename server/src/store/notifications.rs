//! The one inbox every persona has. A notice is written in the same transaction as the change
//! it announces, so nobody is told of a step that did not happen.

use kapok_api::{Notification, NotificationKind, Notifications};
use sqlx::{Any, Executor, Row};

use crate::db::Db;

/// At most this many notices per answer, newest first; older ones stay stored.
const PAGE: i64 = 100;

/// Adds a notice for `user_id`. With a `dedupe_key`, a second notice with the same key for
/// the same person is silently dropped (the unique index decides, so two servers racing add
/// it once); returns whether this one was added.
pub async fn add(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    kind: &NotificationKind,
    dedupe_key: Option<&str>,
    at: i64,
) -> sqlx::Result<bool> {
    let kind = serde_json::to_string(kind).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let added = sqlx::query(
        "INSERT INTO notifications (id, user_id, kind, dedupe_key, at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, dedupe_key) DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user_id)
    .bind(kind)
    .bind(dedupe_key)
    .bind(at)
    .execute(db)
    .await?;
    Ok(added.rows_affected() == 1)
}

/// The user's notices, newest first, and how many of all of them are unread.
pub async fn of(db: &Db, user_id: &str) -> sqlx::Result<Notifications> {
    let unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?;
    let rows = sqlx::query(&format!(
        "SELECT id, kind, at, read_at FROM notifications WHERE user_id = $1
         ORDER BY at DESC, rowid DESC LIMIT {PAGE}"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            let kind: NotificationKind = serde_json::from_str(r.get("kind"))
                .map_err(|_| sqlx::Error::Decode("notifications: bad kind".into()))?;
            Ok(Notification {
                id: r.get("id"),
                at: r.get("at"),
                read: r.get::<Option<i64>, _>("read_at").is_some(),
                kind,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(Notifications {
        unread: u32::try_from(unread).unwrap_or(u32::MAX),
        items,
    })
}

/// Marks one of the user's notices read; `false` if the user has no such notice (someone
/// else's is not theirs to touch, and is not told apart from one that does not exist).
pub async fn mark_read(db: &Db, user_id: &str, id: &str, now: i64) -> sqlx::Result<bool> {
    let found = sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(found.rows_affected() == 1)
}

pub async fn mark_all_read(db: &Db, user_id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
