use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use ed25519_dalek::SigningKey;
use sqlx::Row;

use crate::db::Db;

#[derive(Clone)]
pub struct ActiveKey {
    pub key_id: String,
    pub signing_key: SigningKey,
}

/// The key that signs new tokens: the newest unretired one (looked up through `reads`),
/// created through `db` if there is none.
pub async fn active(reads: &Db, db: &Db, now: i64) -> sqlx::Result<ActiveKey> {
    if let Some(row) = sqlx::query(
        "SELECT key_id, secret_key FROM issuer_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_optional(reads)
    .await?
    {
        let secret: Vec<u8> = row.get("secret_key");
        let secret: [u8; 32] = secret
            .try_into()
            .map_err(|_| sqlx::Error::Decode("issuer_keys.secret_key is not 32 bytes".into()))?;
        return Ok(ActiveKey { key_id: row.get("key_id"), signing_key: SigningKey::from_bytes(&secret) });
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let signing_key = SigningKey::from_bytes(&secret);
    let mut id = [0u8; 6];
    getrandom::fill(&mut id).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let key_id = format!(
        "kapok-{}",
        id.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    // Two instances starting at once may both create one; the older simply signs no more.
    sqlx::query(
        "INSERT INTO issuer_keys (key_id, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&key_id)
    .bind(signing_key.verifying_key().to_bytes().to_vec())
    .bind(secret.to_vec())
    .bind(now)
    .execute(db)
    .await?;
    Ok(ActiveKey {
        key_id,
        signing_key,
    })
}

/// Every public key a verifier should trust, by key id: tokens signed by a retired key stay
/// verifiable until they expire, which is at most a minute.
pub async fn trusted(db: &Db, now: i64) -> sqlx::Result<Vec<(String, [u8; 32])>> {
    let rows = sqlx::query(
        "SELECT key_id, public_key FROM issuer_keys WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at",
    )
    .bind(now - kapok_api::token::MAX_LIFETIME_SECS - kapok_api::token::CLOCK_SKEW_SECS)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let public: Vec<u8> = r.get("public_key");
            let public: [u8; 32] = public.try_into().map_err(|_| {
                sqlx::Error::Decode("issuer_keys.public_key is not 32 bytes".into())
            })?;
            Ok((r.get("key_id"), public))
        })
        .collect()
}

/// The trusted public keys by key id, as [`trusted`] gives them.
pub type TrustedKeys = Arc<[(String, [u8; 32])]>;

/// A value read from the database, kept in memory for [`Kept::FRESH_FOR`] so that a busy
/// server does not read the same row for every request.
pub struct Kept<T>(RwLock<Option<(Instant, T)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(RwLock::new(None))
    }
}

impl<T: Clone> Kept<T> {
    /// How long a value read from the database is used. A key retired in the database is
    /// trusted, or signs, at most this much longer.
    const FRESH_FOR: Duration = Duration::from_secs(1);

    /// The value, if it was read within [`Self::FRESH_FOR`].
    fn fresh(&self) -> Option<T> {
        match &*self.0.read().unwrap_or_else(|e| e.into_inner()) {
            Some((read_at, value)) if read_at.elapsed() < Self::FRESH_FOR => Some(value.clone()),
            _ => None,
        }
    }

    /// Keeps `value`, just read, for the next callers.
    fn keep(&self, value: T) -> T {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), value.clone()));
        value
    }
}

/// [`trusted`], kept in memory. A code signed by a key the memory does not know (made since,
/// maybe on another instance) is checked against the database's keys before it is refused:
/// see [`TrustedCache::reload`].
pub type TrustedCache = Kept<TrustedKeys>;

impl TrustedCache {
    /// The trusted keys: from memory if fresh, else from `reads`.
    pub async fn get(&self, reads: &Db, now: i64) -> sqlx::Result<TrustedKeys> {
        match self.fresh() {
            Some(keys) => Ok(keys),
            None => self.reload(reads, now).await,
        }
    }

    /// The trusted keys read from `reads` now, kept for the next callers.
    pub async fn reload(&self, reads: &Db, now: i64) -> sqlx::Result<TrustedKeys> {
        Ok(self.keep(trusted(reads, now).await?.into()))
    }
}

/// [`active`], kept in memory, so issuing a code does not read (and rebuild) the signing key
/// each time. A key retired in the database may sign for [`Kept::FRESH_FOR`] more: its codes
/// still verify, as a retired key stays trusted until its last code could have expired.
pub type SigningCache = Kept<ActiveKey>;

impl SigningCache {
    /// The key that signs new tokens: from memory if fresh, else as [`active`] finds it.
    pub async fn get(&self, reads: &Db, db: &Db, now: i64) -> sqlx::Result<ActiveKey> {
        match self.fresh() {
            Some(key) => Ok(key),
            None => Ok(self.keep(active(reads, db, now).await?)),
        }
    }
}
