use std::{collections::HashMap, sync::Arc};

use kapok_api::{
    DelegationKind, FieldKey, HolderKind, Licence, LicenceField, LicenceStatus, LicenceSummary,
    LicenceType, Verification, mask_number,
};
use serde::{Deserialize, Serialize};
use sqlx::{
    Row,
    any::{AnyArguments, AnyRow},
};
use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::db::{Db, Engine};

/// A licence row, with who holds it (for authorisation).
pub struct StoredLicence {
    pub licence: Licence,
    pub holder_user_id: Option<String>,
    pub holder_enterprise_id: Option<String>,
}

impl StoredLicence {
    /// The holder's id as a token's subject: the user or the enterprise.
    pub fn holder_id(&self) -> &str {
        self.holder_user_id
            .as_deref()
            .or(self.holder_enterprise_id.as_deref())
            .unwrap_or_default()
    }
}

/// A field as stored in the `fields` JSON column.
#[derive(Serialize, Deserialize)]
pub struct StoredField {
    pub key: FieldKey,
    pub value: String,
    #[serde(default)]
    pub sensitive: bool,
}

const COLUMNS: &str = "id, licence_type, holder_user_id, holder_enterprise_id, holder_name, number, fields, \
                       issued_on, valid_until, issuing_authority, revoked_at";

/// Every licence `user_id` holds, or holds for an enterprise they are the legal representative of.
pub async fn held_by(db: &Db, user_id: &str, today: &str) -> sqlx::Result<Vec<LicenceSummary>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM licences
         WHERE holder_user_id = $1
            OR holder_enterprise_id IN (SELECT enterprise_id FROM enterprise_members
                                        WHERE user_id = $1 AND role = 'legal_representative')
         ORDER BY holder_enterprise_id IS NOT NULL, issued_on"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| from_row(r, today).map(|l| l.licence.summary))
        .collect()
}

/// Every licence held by a principal of a grant: the enterprise, or the relative.
pub async fn held_by_principal(
    db: &Db,
    kind: DelegationKind,
    principal: &str,
    today: &str,
) -> sqlx::Result<Vec<LicenceSummary>> {
    let column = match kind {
        DelegationKind::Enterprise => "holder_enterprise_id",
        DelegationKind::Family => "holder_user_id",
    };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM licences WHERE {column} = $1 ORDER BY issued_on"
    ))
    .bind(principal)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| from_row(r, today).map(|l| l.licence.summary))
        .collect()
}

pub async fn find(db: &Db, id: &str, today: &str) -> sqlx::Result<Option<StoredLicence>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM licences WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|r| from_row(&r, today)).transpose()
}

/// The licences of `ids` that are in the register, by id.
pub async fn find_many(
    db: &Db,
    ids: &[&str],
    today: &str,
) -> sqlx::Result<HashMap<String, LicenceSummary>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM licences WHERE id IN ({})",
        super::placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| {
            let summary = from_row(row, today)?.licence.summary;
            Ok((summary.id.clone(), summary))
        })
        .collect()
}

/// A licence to add to the register.
pub struct NewLicence<'a> {
    pub id: &'a str,
    pub licence_type: LicenceType,
    /// The holder's id, and whether it is a user or an enterprise.
    pub holder: (&'a str, HolderKind),
    pub holder_name: &'a str,
    pub number: &'a str,
    pub fields: &'a [StoredField],
    pub issued_on: &'a str,
    pub valid_until: Option<&'a str>,
    pub issuing_authority: &'a str,
}

pub async fn insert(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    licence: &NewLicence<'_>,
) -> sqlx::Result<()> {
    let (user, enterprise) = match licence.holder.1 {
        HolderKind::Person => (Some(licence.holder.0), None),
        HolderKind::Enterprise => (None, Some(licence.holder.0)),
    };
    sqlx::query(&format!(
        "INSERT INTO licences ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)"
    ))
    .bind(licence.id)
    .bind(licence.licence_type.as_str())
    .bind(user)
    .bind(enterprise)
    .bind(licence.holder_name)
    .bind(licence.number)
    .bind(serde_json::to_string(licence.fields).expect("fields serialise"))
    .bind(licence.issued_on)
    .bind(licence.valid_until)
    .bind(licence.issuing_authority)
    .execute(db)
    .await?;
    Ok(())
}

/// Verifications are written in groups. One task per server takes every check that is
/// waiting (up to [`GROUP`]), writes them in one transaction and answers each after the commit.
/// A commit waits for the disk, so a burst of checks shares one wait instead of queueing for one
/// each; no check is answered before it is stored. SQLite takes one writer at a time, so its
/// groups are written one after another; PostgreSQL writes [`POSTGRES_WRITERS`] at once, as one
/// at a time made its round trips the queue.
#[derive(Clone)]
pub struct VerificationLog(mpsc::Sender<Check>);

/// What a check of a code was, as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// The code's first check.
    First,
    /// The official who checked it first, checking it again: a try repeated after its answer
    /// was lost, or a second look. Nothing new was shown, so nothing is recorded.
    Again,
    /// Checked before by someone else (or by the public, whom nothing tells apart): recorded
    /// as a replay, which the holder sees.
    Replay,
}

/// One check waiting to be written, and where its answer goes.
struct Check {
    licence_id: String,
    nonce: Vec<u8>,
    verifier_user_id: Option<String>,
    place: Option<String>,
    verified_at: i64,
    answer: oneshot::Sender<Result<Checked, NotRecorded>>,
}

/// Why a check was not recorded, and so not answered as checked.
#[derive(Debug, PartialEq, Eq)]
pub struct NotRecorded {
    pub cause: String,
    /// The database could not be reached or could not take the write (`db::is_unavailable`).
    pub unavailable: bool,
}

impl From<&sqlx::Error> for NotRecorded {
    fn from(e: &sqlx::Error) -> NotRecorded {
        NotRecorded {
            cause: e.to_string(),
            unavailable: crate::db::is_unavailable(e),
        }
    }
}

impl NotRecorded {
    fn stopped(cause: &str) -> NotRecorded {
        NotRecorded {
            cause: cause.to_owned(),
            unavailable: false,
        }
    }
}

/// The most checks one transaction writes.
const GROUP: usize = 64;

/// The replays of one code kept at most. Anyone may check a code, so one photographed and sent
/// over and over within its minute would otherwise fill its holder's record with replays; past
/// this, a replay is answered as one and not kept again. (Groups written at the same time on
/// PostgreSQL may each find room for one more.)
const REPLAYS_KEPT: i64 = 9;

/// Groups written at once on PostgreSQL. On 2 cores with 64 clients, verify alone ran at about
/// 2,500/s with one and 3,400/s with two (p99 38 ms both), and 3,100/s with eight, but with a
/// p99 of 890 ms.
const POSTGRES_WRITERS: usize = 2;

impl VerificationLog {
    /// Starts the task that writes through `db`; it ends when the last handle is dropped.
    pub fn start(db: Db) -> VerificationLog {
        let (queue, mut waiting) = mpsc::channel(4 * GROUP);
        let writers = Arc::new(Semaphore::new(match crate::db::engine(&db) {
            Engine::Sqlite => 1,
            Engine::Postgres => POSTGRES_WRITERS,
        }));
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(GROUP);
            loop {
                // A writer first, then the checks: the group is whatever waited meanwhile.
                let Ok(writer) = writers.clone().acquire_owned().await else {
                    return;
                };
                if waiting.recv_many(&mut group, GROUP).await == 0 {
                    return;
                }
                let (db, taken) = (db.clone(), std::mem::take(&mut group));
                tokio::spawn(async move {
                    write_and_answer(&db, taken).await;
                    drop(writer);
                });
            }
        });
        VerificationLog(queue)
    }

    /// Records that a code for `licence_id` with `nonce` was checked, and what the check was
    /// ([`Checked`]). The first-use index makes this atomic across server instances.
    pub async fn record(
        &self,
        licence_id: &str,
        nonce: &[u8],
        verifier_user_id: Option<&str>,
        place: Option<&str>,
        verified_at: i64,
    ) -> Result<Checked, NotRecorded> {
        let (sender, answer) = oneshot::channel();
        let check = Check {
            licence_id: licence_id.to_owned(),
            nonce: nonce.to_owned(),
            verifier_user_id: verifier_user_id.map(str::to_owned),
            place: place.map(str::to_owned),
            verified_at,
            answer: sender,
        };
        self.0
            .send(check)
            .await
            .map_err(|_| NotRecorded::stopped("the verification log has stopped"))?;
        answer
            .await
            .map_err(|_| NotRecorded::stopped("the verification log dropped a check"))?
    }
}

/// Writes a group and answers each check. If the group's transaction fails, each check is
/// tried alone, so one bad check fails only itself; but not when the database is unavailable,
/// as then each would wait for it again in turn (each up to the pool's wait), and the last of
/// a group of 64 would be answered minutes later.
async fn write_and_answer(db: &Db, group: Vec<Check>) {
    let all_fail = |e: &sqlx::Error| group.iter().map(|_| Err(NotRecorded::from(e))).collect();
    let answers: Vec<Result<Checked, NotRecorded>> = match write(db, &group).await {
        Ok(answers) => answers.into_iter().map(Ok).collect(),
        Err(e) if crate::db::is_unavailable(&e) => all_fail(&e),
        Err(_) if group.len() > 1 => {
            let mut alone = Vec::with_capacity(group.len());
            for check in &group {
                let answer = write(db, std::slice::from_ref(check))
                    .await
                    .map(|answers| answers[0]);
                match answer {
                    Err(e) if crate::db::is_unavailable(&e) => {
                        alone.resize_with(group.len(), || Err(NotRecorded::from(&e)));
                        break;
                    }
                    answer => alone.push(answer.map_err(|e| NotRecorded::from(&e))),
                }
            }
            alone
        }
        Err(e) => all_fail(&e),
    };
    for (check, answer) in group.into_iter().zip(answers) {
        // A caller that has gone away needs no answer.
        let _ = check.answer.send(answer);
    }
}

/// A check's row: its first use, or a replay. Without a target, DO NOTHING covers the
/// first-use index on both engines and leaves the transaction usable, where a unique violation
/// would abort it on PostgreSQL. Only an official checking is kept by name (the holder is told
/// who checked at a counter); anyone else signed in is kept as the public is, by no one.
fn check_row(check: &Check, replay: bool) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
    sqlx::query(
        "INSERT INTO verifications (licence_id, nonce, verifier_user_id, place, verified_at, replay)
         VALUES ($1, $2, (SELECT id FROM users WHERE id = $3 AND persona = 'official'), $4, $5, $6)
         ON CONFLICT DO NOTHING",
    )
    .bind(check.licence_id.as_str())
    .bind(check.nonce.as_slice())
    .bind(check.verifier_user_id.as_deref())
    .bind(check.place.as_deref())
    .bind(check.verified_at)
    .bind(i64::from(replay))
}

/// Writes `group` in one transaction; for each check, what it was.
async fn write(db: &Db, group: &[Check]) -> sqlx::Result<Vec<Checked>> {
    // Nonce order: two servers writing groups with the same nonces on one PostgreSQL take
    // their locks in the same order, so neither waits for the other in a cycle. The sort is
    // stable, so the earlier of two checks of one nonce in a group is its first use.
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by(|&a, &b| group[a].nonce.cmp(&group[b].nonce));
    let mut answers = vec![Checked::Replay; group.len()];
    let mut tx = db.begin().await?;
    for i in order {
        let check = &group[i];
        let first = check_row(check, false)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        answers[i] = if first {
            Checked::First
        } else if check.verifier_user_id.is_some()
            && first_checked_by(&mut tx, &check.nonce).await? == check.verifier_user_id
        {
            Checked::Again
        } else {
            if replays_kept(&mut tx, check).await? < REPLAYS_KEPT {
                check_row(check, true).execute(&mut *tx).await?;
            }
            Checked::Replay
        };
    }
    tx.commit().await?;
    Ok(answers)
}

/// How many replays of `check`'s code are kept.
async fn replays_kept(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    check: &Check,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM verifications WHERE licence_id = $1 AND nonce = $2 AND replay = 1",
    )
    .bind(check.licence_id.as_str())
    .bind(check.nonce.as_slice())
    .fetch_one(&mut **tx)
    .await
}

/// The official named on the first check of `nonce` (none for the public, or anyone else).
async fn first_checked_by(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    nonce: &[u8],
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar::<_, Option<String>>(
        "SELECT verifier_user_id FROM verifications WHERE nonce = $1 AND replay = 0",
    )
    .bind(nonce)
    .fetch_optional(&mut **tx)
    .await
    .map(Option::flatten)
}

pub async fn verifications(db: &Db, licence_id: &str) -> sqlx::Result<Vec<Verification>> {
    let rows = sqlx::query(
        "SELECT v.verified_at, v.place, v.replay, u.display_name
         FROM verifications v
         LEFT JOIN users u ON u.id = v.verifier_user_id AND u.persona = 'official'
         WHERE v.licence_id = $1 ORDER BY v.verified_at DESC, v.id DESC LIMIT 200",
    )
    .bind(licence_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Verification {
            verified_at: r.get("verified_at"),
            verifier: r.get("display_name"),
            place: r.get("place"),
            replay: r.get::<i64, _>("replay") != 0,
        })
        .collect())
}

fn from_row(row: &AnyRow, today: &str) -> sqlx::Result<StoredLicence> {
    let corrupt = |what: &str| sqlx::Error::Decode(format!("licences: bad {what}").into());
    let licence_type =
        LicenceType::parse(row.get("licence_type")).ok_or_else(|| corrupt("licence_type"))?;
    let fields: Vec<StoredField> =
        serde_json::from_str(row.get("fields")).map_err(|_| corrupt("fields"))?;
    let holder_user_id: Option<String> = row.get("holder_user_id");
    let revoked = row.get::<Option<i64>, _>("revoked_at").is_some();
    let valid_until: Option<String> = row.get("valid_until");
    let number: String = row.get("number");
    let summary = LicenceSummary {
        id: row.get("id"),
        licence_type,
        holder_kind: if holder_user_id.is_some() {
            HolderKind::Person
        } else {
            HolderKind::Enterprise
        },
        holder_name: row.get("holder_name"),
        number_masked: mask_number(&number),
        issued_on: row.get("issued_on"),
        status: status(revoked, valid_until.as_deref(), today),
        valid_until,
        issuing_authority: row.get("issuing_authority"),
        through_grant: None,
    };
    Ok(StoredLicence {
        licence: Licence {
            summary,
            fields: fields
                .into_iter()
                .map(|f| LicenceField {
                    key: f.key,
                    value: f.value,
                    sensitive: f.sensitive,
                })
                .collect(),
        },
        holder_user_id,
        holder_enterprise_id: row.get("holder_enterprise_id"),
    })
}

/// A licence's status on `today` (`YYYY-MM-DD`, which orders as text).
pub fn status(revoked: bool, valid_until: Option<&str>, today: &str) -> LicenceStatus {
    match valid_until {
        _ if revoked => LicenceStatus::Revoked,
        Some(end) if end < today => LicenceStatus::Expired,
        Some(end) if end <= crate::clock::date_in_days(today, 30).as_str() => {
            LicenceStatus::Expiring
        }
        _ => LicenceStatus::Valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_revocation_then_dates() {
        assert_eq!(status(true, None, "2026-11-21"), LicenceStatus::Revoked);
        assert_eq!(
            status(false, Some("2026-11-20"), "2026-11-21"),
            LicenceStatus::Expired
        );
        assert_eq!(
            status(false, Some("2026-11-21"), "2026-11-21"),
            LicenceStatus::Expiring
        );
        assert_eq!(
            status(false, Some("2026-12-21"), "2026-11-21"),
            LicenceStatus::Expiring
        );
        assert_eq!(
            status(false, Some("2026-12-22"), "2026-11-21"),
            LicenceStatus::Valid
        );
        assert_eq!(status(false, None, "2026-11-21"), LicenceStatus::Valid);
    }

    /// A fresh database with the demo data, and a verification log writing to it (the
    /// directory holds the database, for as long as the test keeps it).
    async fn seeded_log() -> (tempfile::TempDir, Db, VerificationLog) {
        let (dir, _url, db, log) =
            seeded_log_waiting(crate::config::Timeouts::default().database).await;
        (dir, db, log)
    }

    /// As [`seeded_log`], on a pool that waits `wait` for the database, and the database's URL.
    async fn seeded_log_waiting(
        wait: std::time::Duration,
    ) -> (tempfile::TempDir, String, Db, VerificationLog) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("k.db").display());
        let db = crate::db::connect(&url, wait).await.unwrap();
        crate::seed::seed_if_empty(&db).await.unwrap();
        let log = VerificationLog::start(db.clone());
        (dir, url, db, log)
    }

    /// While another program holds the database's write lock, a group of checks fails as
    /// unavailable together, after one wait for the lock, rather than each check then waiting
    /// again alone; once the lock is let go, checks are stored again.
    #[tokio::test]
    async fn checks_that_find_the_database_locked_fail_together_as_unavailable() {
        use sqlx::{Connection, Executor};

        const CHECKS: usize = 16;
        let wait = std::time::Duration::from_secs(1);
        let (_dir, url, db, log) = seeded_log_waiting(wait).await;
        let mut other_program = sqlx::SqliteConnection::connect(&url).await.unwrap();
        other_program.execute("BEGIN IMMEDIATE").await.unwrap();

        let started = std::time::Instant::now();
        let mut checks = tokio::task::JoinSet::new();
        for i in 0..CHECKS as u16 {
            let log = log.clone();
            checks.spawn(async move {
                log.record("lic-resident-id", &i.to_be_bytes(), None, None, 1)
                    .await
            });
        }
        let answers = checks.join_all().await;
        let took = started.elapsed();
        for answer in &answers {
            let failed = answer.as_ref().expect_err("nothing can be written");
            assert!(failed.unavailable, "{failed:?}");
        }
        // Each check alone would have waited for the lock again: at least CHECKS half-waits.
        assert!(
            took < wait * (CHECKS as u32) / 4,
            "{CHECKS} checks answered after {took:?}"
        );

        other_program.execute("ROLLBACK").await.unwrap();
        assert_eq!(
            log.record("lic-resident-id", b"after", None, None, 1).await,
            Ok(Checked::First)
        );
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM verifications")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(stored, 1, "only the check after the lock was let go");
    }

    /// The official who checked a code first may check it again (a try repeated after its
    /// answer was lost) without it counting as a replay; anyone else's check is one, the
    /// public's always (nothing tells one member of the public from another), and so is
    /// another official's after the first one's second look.
    #[tokio::test]
    async fn the_first_official_checking_again_is_no_replay_and_anyone_else_is() {
        let (_dir, db, log) = seeded_log().await;
        let check = |nonce: &'static [u8], who: Option<&'static str>| {
            log.record("lic-resident-id", nonce, who, None, 1)
        };
        assert_eq!(check(b"a", Some("official")).await, Ok(Checked::First));
        assert_eq!(check(b"a", Some("official")).await, Ok(Checked::Again));
        assert_eq!(check(b"a", Some("official")).await, Ok(Checked::Again));
        assert_eq!(
            check(b"a", Some("market-official")).await,
            Ok(Checked::Replay)
        );
        assert_eq!(check(b"a", None).await, Ok(Checked::Replay));
        // A resident's account is kept as the public is, by no one: never "again".
        assert_eq!(check(b"b", Some("resident")).await, Ok(Checked::First));
        assert_eq!(check(b"b", Some("resident")).await, Ok(Checked::Replay));
        assert_eq!(check(b"c", None).await, Ok(Checked::First));
        assert_eq!(check(b"c", None).await, Ok(Checked::Replay));
        let replays: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM verifications WHERE replay = 1")
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(replays, 4, "the official's second looks are not recorded");
    }

    /// Checks that arrive together share a group; one that cannot be stored (its licence does
    /// not exist) fails alone, and the others are still stored and answered.
    #[tokio::test]
    async fn a_check_that_cannot_be_stored_fails_alone_and_its_group_is_kept() {
        let (_dir, db, log) = seeded_log().await;
        let (good, bad, again) = tokio::join!(
            log.record("lic-resident-id", b"nonce-1", None, None, 1),
            log.record("no-such-licence", b"nonce-2", None, None, 1),
            log.record("lic-resident-id", b"nonce-1", None, None, 1),
        );
        assert_eq!(good, Ok(Checked::First));
        assert!(bad.is_err(), "{bad:?}");
        assert_eq!(
            again,
            Ok(Checked::Replay),
            "the same nonce later in the group is a replay"
        );
        let stored: Vec<(String, i64)> =
            sqlx::query_as("SELECT licence_id, replay FROM verifications ORDER BY id")
                .fetch_all(&db)
                .await
                .unwrap();
        assert_eq!(
            stored,
            [("lic-resident-id".into(), 0), ("lic-resident-id".into(), 1)]
        );
    }
}
