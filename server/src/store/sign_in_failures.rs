//! Wrong passwords per username, and at sign-in per network too, for the limits on password
//! guessing (`session::check_password`). Counted in the database, so the limits hold across
//! instances and restarts.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::Db;

/// What the counts are kept under: a keyed hash (HMAC-SHA-256) of the username or of the
/// network, with the key in `server_secrets`. Without the key a row gives away neither the
/// address nor the name (an unkeyed hash of an IPv4 address is undone by trying all 2^32).
#[derive(Clone)]
pub struct Hasher([u8; 64]);

impl Hasher {
    /// The key every instance on this database shares, made on first start.
    pub async fn load(db: &Db) -> sqlx::Result<Hasher> {
        super::secrets::get_or_create(db, "sign_in_failures")
            .await
            .map(Hasher)
    }

    pub fn username(&self, username: &str) -> Vec<u8> {
        self.hash(b"username", username)
    }

    /// `network` as `web::Network::as_str` gives it.
    pub fn network(&self, network: &str) -> Vec<u8> {
        self.hash(b"network", network)
    }

    /// One account in one browser, as its device cookie names them
    /// (`device_cookie::Remembered`): the account too, so that wrong passwords for another
    /// account typed in a browser with the same id (one planted, say) never count for it.
    pub fn device(&self, user_id: &str, device: &str) -> Vec<u8> {
        self.hash(b"device", &format!("{user_id}\0{device}"))
    }

    /// Kinds apart, so that no name hashes as a network.
    fn hash(&self, kind: &[u8], value: &str) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new(&self.0.into());
        mac.update(kind);
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// At most this many wrong passwords for one username…
pub const MAX_FAILURES: usize = 10;
/// …and this many at sign-in from one network (`web::Network`), for any names: enough for the
/// typing mistakes of the many people behind one carrier's address, not for a script trying a
/// password or two on each of many accounts…
pub const MAX_FAILURES_PER_NETWORK: usize = 100;
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

/// Seconds until a password may be tried again from the network `network_hash`, if it has
/// reached its limit.
pub async fn network_wait_secs(
    db: &Db,
    network_hash: &[u8],
    now: i64,
) -> sqlx::Result<Option<i64>> {
    // The oldest of the last MAX_FAILURES_PER_NETWORK, if there are that many in the window.
    let oldest: Option<i64> = sqlx::query_scalar(
        "SELECT at FROM sign_in_failures WHERE network_hash = $1 AND at > $2
         ORDER BY at DESC LIMIT 1 OFFSET $3",
    )
    .bind(network_hash)
    .bind(now - WINDOW_SECS)
    .bind(MAX_FAILURES_PER_NETWORK as i64 - 1)
    .fetch_optional(db)
    .await?;
    Ok(oldest.map(|oldest| (oldest + WINDOW_SECS - now).max(1)))
}

/// Counts one wrong password for `username_hash`, and for `network_hash` when it was typed to
/// sign in, and forgets every one that has left the window (for any name).
pub async fn record(
    db: &Db,
    username_hash: &[u8],
    network_hash: Option<&[u8]>,
    now: i64,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
        .bind(now - WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sign_in_failures (username_hash, network_hash, at) VALUES ($1, $2, $3)",
    )
    .bind(username_hash)
    .bind(network_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// A right password clears the count for its username (and takes those tries out of their
/// network's count: they were the account's own).
pub async fn clear(db: &Db, username_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE username_hash = $1")
        .bind(username_hash)
        .execute(db)
        .await?;
    Ok(())
}
