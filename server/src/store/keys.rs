use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use ed25519_dalek::SigningKey;
use sqlx::Row;

use crate::db::Db;

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

/// [`trusted`], kept in memory for [`TrustedCache::FRESH_FOR`], so a busy verifier does not
/// read the same keys for every code. A code signed by a key the memory does not know (made
/// since, maybe on another instance) is checked against the database's keys before it is
/// refused: see [`TrustedCache::reload`].
#[derive(Default)]
pub struct TrustedCache(RwLock<Option<(Instant, TrustedKeys)>>);

impl TrustedCache {
    /// How long keys read from the database are used. A key retired past its last valid
    /// code's expiry is trusted at most this much longer.
    const FRESH_FOR: Duration = Duration::from_secs(1);

    /// The trusted keys: from memory if read within [`Self::FRESH_FOR`], else from `reads`.
    pub async fn get(&self, reads: &Db, now: i64) -> sqlx::Result<TrustedKeys> {
        let kept = self.0.read().unwrap_or_else(|e| e.into_inner()).clone();
        match kept {
            Some((read_at, keys)) if read_at.elapsed() < Self::FRESH_FOR => Ok(keys),
            _ => self.reload(reads, now).await,
        }
    }

    /// The trusted keys read from `reads` now, kept for the next callers.
    pub async fn reload(&self, reads: &Db, now: i64) -> sqlx::Result<TrustedKeys> {
        let keys: TrustedKeys = trusted(reads, now).await?.into();
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), keys.clone()));
        Ok(keys)
    }
}
