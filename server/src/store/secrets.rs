//! Random keys the server makes once and keeps in the database, so that every instance on it
//! uses the same one.

use crate::db::Db;

/// The key called `name`: made of 64 random bytes the first time it is asked for. Two
/// instances starting at once may both make one; the first written is the one both use.
pub async fn get_or_create(db: &Db, name: &str) -> sqlx::Result<[u8; 64]> {
    let mut fresh = [0u8; 64];
    getrandom::fill(&mut fresh).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    sqlx::query(
        "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(fresh.to_vec())
    .execute(db)
    .await?;
    let kept: Vec<u8> = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(db)
        .await?;
    kept.try_into()
        .map_err(|_| sqlx::Error::Decode(format!("server_secrets.{name} is not 64 bytes").into()))
}
