use kapok_api::{SessionInfo, SignInMethod};
use sqlx::Row;

use crate::db::Db;

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT_SECS: i64 = kapok_api::SESSION_IDLE_SECS;
/// …and this long after sign-in, however busy (ASVS 5.0 §7.3).
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// `last_seen_at` is refreshed at most this often, so reads do not each cost a write.
const TOUCH_EVERY_SECS: i64 = kapok_api::SESSION_TOUCH_SECS;

/// A session about to be opened, and what its owner will see of it in the list of devices.
pub struct NewSession<'a> {
    pub token_hash: &'a [u8],
    pub user_id: &'a str,
    /// The browser and system, as `session::device_name` names them.
    pub device: &'a str,
    pub signed_in_with: SignInMethod,
    /// For a password sign-in, the hash the password was checked against: the session opens
    /// only while it is still the account's. A change of password ends every other session,
    /// and one whose password was checked just before the change must not open just after.
    pub password_hash: Option<&'a str>,
}

/// Opens the session; `false` when its password is no longer the account's. The account's
/// sessions that have ended by time are deleted first: one left on a device and never used
/// again is otherwise deleted only if its cookie comes back.
pub async fn create(db: &Db, session: NewSession<'_>, now: i64) -> sqlx::Result<bool> {
    sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND (last_seen_at < $2 OR created_at < $3)",
    )
    .bind(session.user_id)
    .bind(now - IDLE_TIMEOUT_SECS)
    .bind(now - ABSOLUTE_TIMEOUT_SECS)
    .execute(db)
    .await?;
    // The user's row is read as the row is inserted, in one statement; on PostgreSQL it is
    // also locked (FOR SHARE), so a change of password under way is waited for and then read.
    let lock = match crate::db::engine(db) {
        crate::db::Engine::Postgres => " FOR SHARE",
        crate::db::Engine::Sqlite => "",
    };
    let sql = format!(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, id, device, signed_in_with)
         SELECT $1, id, $3, $4, $5, $6, $7 FROM users
         WHERE id = $2 AND ($8 = 0 OR password_hash = $9){lock}"
    );
    let opened = sqlx::query(&sql)
        .bind(session.token_hash)
        .bind(session.user_id)
        .bind(now)
        .bind(now)
        .bind(uuid::Uuid::new_v4().simple().to_string())
        .bind(session.device)
        .bind(session.signed_in_with.as_str())
        .bind(i64::from(session.password_hash.is_some()))
        .bind(session.password_hash.unwrap_or_default())
        .execute(db)
        .await?;
    Ok(opened.rows_affected() == 1)
}

/// A live session of the account, with the hash that tells the caller's own apart.
pub struct Listed {
    pub token_hash: Vec<u8>,
    pub info: SessionInfo,
}

/// The account's sessions that are still live at `now`, the most recently used first.
pub async fn of_user(db: &Db, user_id: &str, now: i64) -> sqlx::Result<Vec<Listed>> {
    let rows = sqlx::query(
        "SELECT token_hash, id, device, signed_in_with, created_at, last_seen_at FROM sessions
         WHERE user_id = $1 AND last_seen_at >= $2 AND created_at >= $3
         ORDER BY last_seen_at DESC, created_at DESC, id",
    )
    .bind(user_id)
    .bind(now - IDLE_TIMEOUT_SECS)
    .bind(now - ABSOLUTE_TIMEOUT_SECS)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Listed {
            token_hash: r.get("token_hash"),
            info: SessionInfo {
                id: r.get("id"),
                device: r.get("device"),
                signed_in_with: match r.get::<&str, _>("signed_in_with") {
                    "passkey" => SignInMethod::Passkey,
                    _ => SignInMethod::Password,
                },
                created_at: r.get("created_at"),
                last_seen_at: r.get("last_seen_at"),
                current: false,
            },
        })
        .collect())
}

/// Ends the account's session `id`; returns its token hash, or `None` if the account has no
/// session by that id.
pub async fn delete_of(db: &Db, user_id: &str, id: &str) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("DELETE FROM sessions WHERE id = $1 AND user_id = $2 RETURNING token_hash")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
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
/// looked up through `reads` and written, when it must be, through `db`. A refresh the
/// database cannot take now (another program holds its write lock) is left for a later
/// request: the request is not refused for it, so reading goes on while writing cannot.
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
        let touched = sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(db)
            .await;
        match touched {
            Err(e) if crate::db::is_unavailable(&e) => {
                tracing::warn!(cause = %e, "a session's idle clock was not refreshed");
            }
            touched => {
                touched?;
            }
        }
    }
    Ok(Some(row.get("user_id")))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open(db: &Db, user_id: &str, token: &[u8], password_hash: Option<&str>) -> bool {
        let signed_in_with = match password_hash {
            Some(_) => SignInMethod::Password,
            None => SignInMethod::Passkey,
        };
        let session = NewSession {
            token_hash: token,
            user_id,
            device: "",
            signed_in_with,
            password_hash,
        };
        create(db, session, 2).await.unwrap()
    }

    /// The order a sign-in racing a change of password can take: its password checked against
    /// the hash of before, the change made (which ends every other session), then its session
    /// opened. It does not open; one checked against the new hash does, and a passkey's, which
    /// no password stands behind, opens as ever.
    #[tokio::test]
    async fn a_session_whose_password_was_changed_since_it_was_checked_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("k.db").display());
        let db = crate::db::connect(&url, crate::config::Timeouts::default().database)
            .await
            .unwrap();
        crate::seed::seed_if_empty(&db).await.unwrap();
        let before = crate::store::users::credentials(&db, "resident")
            .await
            .unwrap()
            .unwrap();
        let user = before.user_id.as_str();
        crate::store::users::change_password(&db, user, "hash-now", b"none", 1)
            .await
            .unwrap();
        assert!(!open(&db, user, b"checked-before", Some(&before.password_hash)).await);
        assert!(open(&db, user, b"checked-after", Some("hash-now")).await);
        assert!(open(&db, user, b"passkey", None).await);
        let opened: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(user)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(opened, 2);
    }

    /// While another program holds the write lock, a session whose idle clock is due to be
    /// refreshed still says who is signed in; the refresh is made by the next request after.
    #[tokio::test]
    async fn a_session_is_read_while_its_refresh_cannot_be_written() {
        use sqlx::{Connection, Executor};

        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("k.db").display());
        let wait = std::time::Duration::from_millis(400);
        let db = crate::db::connect(&url, wait).await.unwrap();
        let reads = crate::db::connect_reads(&url, &db, wait).await.unwrap();
        crate::seed::seed_if_empty(&db).await.unwrap();
        assert!(open(&db, "resident", b"token", None).await);
        let last_seen = || async {
            sqlx::query_scalar::<_, i64>("SELECT last_seen_at FROM sessions WHERE token_hash = $1")
                .bind(&b"token"[..])
                .fetch_one(&reads)
                .await
                .unwrap()
        };
        let due = last_seen().await + TOUCH_EVERY_SECS;

        let mut other_program = sqlx::SqliteConnection::connect(&url).await.unwrap();
        other_program.execute("BEGIN IMMEDIATE").await.unwrap();
        let user = user_of(&db, &reads, b"token", due).await.unwrap();
        assert_eq!(user.as_deref(), Some("resident"));
        assert_eq!(last_seen().await, due - TOUCH_EVERY_SECS, "not refreshed");

        other_program.execute("ROLLBACK").await.unwrap();
        let user = user_of(&db, &reads, b"token", due).await.unwrap();
        assert_eq!(user.as_deref(), Some("resident"));
        assert_eq!(last_seen().await, due, "refreshed once it could be");
    }
}
