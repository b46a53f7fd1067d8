//! Wrong passwords per username, for the limit on password guessing (`session::sign_in`).
//! Counted in the database, so the limit holds across instances and restarts.

use crate::db::Db;

/// At most this many wrong passwords for one username…
pub const MAX_FAILURES: usize = 10;
/// …within this long; the next try waits until the oldest of them is this old.
pub const WINDOW_SECS: i64 = 15 * 60;

/// The wrong passwords for `username_hash` within the window, as far as they matter.
pub struct Failures {
    /// Up to [`MAX_FAILURES`] of them, the latest first.
    recent: Vec<i64>,
    now: i64,
}

impl Failures {
    /// Seconds until a password may be tried again, if the limit is reached.
    pub fn wait_secs(&self) -> Option<i64> {
        (self.recent.len() >= MAX_FAILURES)
            .then(|| {
                self.recent
                    .last()
                    .map_or(0, |oldest| oldest + WINDOW_SECS - self.now)
            })
            .map(|secs| secs.max(1))
    }

    /// Whether any were counted, so a right password has something to clear.
    pub fn any(&self) -> bool {
        !self.recent.is_empty()
    }
}

pub async fn recent(db: &Db, username_hash: &[u8], now: i64) -> sqlx::Result<Failures> {
    let recent = sqlx::query_scalar(
        "SELECT at FROM sign_in_failures WHERE username_hash = $1 AND at > $2
         ORDER BY at DESC LIMIT $3",
    )
    .bind(username_hash)
    .bind(now - WINDOW_SECS)
    .bind(MAX_FAILURES as i64)
    .fetch_all(db)
    .await?;
    Ok(Failures { recent, now })
}

/// Counts one wrong password, and forgets every one that has left the window (for any name).
pub async fn record(db: &Db, username_hash: &[u8], now: i64) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
        .bind(now - WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO sign_in_failures (username_hash, at) VALUES ($1, $2)")
        .bind(username_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// A right password clears the count for its username.
pub async fn clear(db: &Db, username_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE username_hash = $1")
        .bind(username_hash)
        .execute(db)
        .await?;
    Ok(())
}
