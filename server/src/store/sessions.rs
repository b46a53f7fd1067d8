use sqlx::Row;

use crate::db::Db;

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT_SECS: i64 = kapok_api::SESSION_IDLE_SECS;
/// …and this long after sign-in, however busy (ASVS 5.0 §7.3).
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// `last_seen_at` is refreshed at most this often, so reads do not each cost a write.
const TOUCH_EVERY_SECS: i64 = kapok_api::SESSION_TOUCH_SECS;

pub async fn create(db: &Db, token_hash: &[u8], user_id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete(db: &Db, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of `user_id`, on every device.
pub async fn delete_all_of(db: &Db, user_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The user behind a live session, refreshing its idle clock; an expired one is deleted. It is
/// looked up through `reads` and written, when it must be, through `db`.
pub async fn user_of(
    db: &Db,
    reads: &Db,
    token_hash: &[u8],
    now: i64,
) -> sqlx::Result<Option<String>> {
    let Some(row) =
        sqlx::query("SELECT user_id, created_at, last_seen_at FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(reads)
            .await?
    else {
        return Ok(None);
    };
    let created_at: i64 = row.get("created_at");
    let last_seen_at: i64 = row.get("last_seen_at");
    if now - last_seen_at > IDLE_TIMEOUT_SECS || now - created_at > ABSOLUTE_TIMEOUT_SECS {
        delete(db, token_hash).await?;
        return Ok(None);
    }
    if now - last_seen_at >= TOUCH_EVERY_SECS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(db)
            .await?;
    }
    Ok(Some(row.get("user_id")))
}
