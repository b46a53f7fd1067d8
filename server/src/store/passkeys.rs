use kapok_api::{NotificationKind, PasskeyInfo};
use sqlx::Row;

use crate::{db::Db, store::notifications};

/// A stored passkey: what the owner sees, and webauthn-rs's record of it as JSON.
pub struct StoredPasskey {
    pub info: PasskeyInfo,
    pub passkey: String,
}

/// The account's WebAuthn user handle, made on first use.
pub async fn webauthn_id(db: &Db, user_id: &str, new_id: &str) -> sqlx::Result<String> {
    sqlx::query("UPDATE users SET webauthn_id = $1 WHERE id = $2 AND webauthn_id IS NULL")
        .bind(new_id)
        .bind(user_id)
        .execute(db)
        .await?;
    sqlx::query_scalar("SELECT webauthn_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
}

pub async fn of_user(db: &Db, user_id: &str) -> sqlx::Result<Vec<StoredPasskey>> {
    let rows = sqlx::query(
        "SELECT credential_id, label, passkey, created_at, last_used_at
         FROM passkeys WHERE user_id = $1 ORDER BY created_at, credential_id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StoredPasskey {
            info: info(&r),
            passkey: r.get("passkey"),
        })
        .collect())
}

/// Stores a new passkey, with a notice to its owner; `false` when the credential is already
/// registered (to anyone).
pub async fn insert(
    db: &Db,
    user_id: &str,
    credential_id: &str,
    label: &str,
    passkey: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO passkeys (credential_id, user_id, label, passkey, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(credential_id)
    .bind(user_id)
    .bind(label)
    .bind(passkey)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        // The account holder hears of every new passkey, so one added by someone else with
        // their session (a phished password, a borrowed phone) does not go unseen.
        // Named, so a passkey made on a device they do not have stands out.
        let kind = NotificationKind::PasskeyAdded {
            passkey_id: credential_id.to_owned(),
            label: label.to_owned(),
        };
        notifications::add(&mut *tx, user_id, &kind, None, now).await?;
    }
    tx.commit().await?;
    Ok(inserted)
}

/// Records a use: the new signature counter and when.
pub async fn used(
    db: &Db,
    credential_id: &str,
    passkey: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE passkeys SET last_used_at = $1, passkey = COALESCE($2, passkey) WHERE credential_id = $3",
    )
    .bind(now)
    .bind(passkey)
    .bind(credential_id)
    .execute(db)
    .await?;
    Ok(())
}

/// A passkey found by its credential id, as a discoverable sign-in finds it.
pub struct OwnedPasskey {
    pub user_id: String,
    /// The owner's WebAuthn user handle.
    pub webauthn_id: Option<String>,
    pub passkey: String,
}

pub async fn by_credential(db: &Db, credential_id: &str) -> sqlx::Result<Option<OwnedPasskey>> {
    let row = sqlx::query(
        "SELECT p.user_id, u.webauthn_id, p.passkey
         FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.credential_id = $1",
    )
    .bind(credential_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| OwnedPasskey {
        user_id: r.get("user_id"),
        webauthn_id: r.get("webauthn_id"),
        passkey: r.get("passkey"),
    }))
}

/// Gives one of the account's passkeys a new name; `None` when the account has none by this id.
pub async fn rename(
    db: &Db,
    user_id: &str,
    credential_id: &str,
    label: &str,
) -> sqlx::Result<Option<PasskeyInfo>> {
    let row = sqlx::query(
        "UPDATE passkeys SET label = $1 WHERE credential_id = $2 AND user_id = $3
         RETURNING credential_id, label, created_at, last_used_at",
    )
    .bind(label)
    .bind(credential_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.as_ref().map(info))
}

/// What the owner sees of a passkey, from a row holding `credential_id`, `label`, `created_at`
/// and `last_used_at`.
fn info(row: &sqlx::any::AnyRow) -> PasskeyInfo {
    PasskeyInfo {
        id: row.get("credential_id"),
        label: row.get("label"),
        created_at: row.get("created_at"),
        last_used_at: row.get("last_used_at"),
    }
}

/// Deletes the caller's own passkey; `false` if they have none by that id.
pub async fn delete(db: &Db, user_id: &str, credential_id: &str) -> sqlx::Result<bool> {
    let deleted = sqlx::query("DELETE FROM passkeys WHERE credential_id = $1 AND user_id = $2")
        .bind(credential_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// What a ceremony is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Register,
    SignIn,
    Approve,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Register => "register",
            Kind::SignIn => "sign_in",
            Kind::Approve => "approve",
        }
    }
}

pub struct NewCeremony<'a> {
    pub id: &'a str,
    pub kind: Kind,
    /// Whose ceremony it is; `None` for a sign-in, which the passkey's answer names.
    pub user_id: Option<&'a str>,
    /// For an approval: the request and the hash of its canonical form when it was shown.
    pub subject: Option<(&'a str, &'a [u8])>,
    pub state: &'a str,
    pub expires_at: i64,
}

/// Stores a started ceremony, sweeping out the expired ones first: sign-in ceremonies are
/// begun by anyone, so they must not pile up until someone finishes one.
pub async fn start_ceremony(db: &Db, ceremony: NewCeremony<'_>, now: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at < $1")
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (id, kind, user_id, subject, subject_hash, state, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ceremony.id)
    .bind(ceremony.kind.as_str())
    .bind(ceremony.user_id)
    .bind(ceremony.subject.map(|(s, _)| s))
    .bind(ceremony.subject.map(|(_, h)| h))
    .bind(ceremony.state)
    .bind(ceremony.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub struct TakenCeremony {
    pub user_id: Option<String>,
    pub subject: Option<String>,
    pub subject_hash: Option<Vec<u8>>,
    pub state: String,
}

/// Removes and returns a live ceremony of this kind; `None` if it is unknown, of another
/// kind, expired or already used. Removing first makes every ceremony single-use.
pub async fn take_ceremony(
    db: &Db,
    id: &str,
    kind: Kind,
    now: i64,
) -> sqlx::Result<Option<TakenCeremony>> {
    let row = sqlx::query(
        "DELETE FROM webauthn_ceremonies WHERE id = $1
         RETURNING kind, user_id, subject, subject_hash, state, expires_at",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    // Expired ones are swept on the way.
    sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at < $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(row
        .filter(|r| {
            r.get::<&str, _>("kind") == kind.as_str() && r.get::<i64, _>("expires_at") >= now
        })
        .map(|r| TakenCeremony {
            user_id: r.get("user_id"),
            subject: r.get("subject"),
            subject_hash: r.get("subject_hash"),
            state: r.get("state"),
        }))
}
