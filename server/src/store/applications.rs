//! Applications and their timelines. Every change of status is one transaction that starts
//! with a conditional UPDATE (the status it expects, and for a decision the handler), then
//! appends the timeline, issues any licence and notifies the people concerned: of two racing
//! steps exactly one changes anything, and the other is told the application moved on.

use std::collections::{BTreeSet, HashMap};

use kapok_api::{
    Application, ApplicationForm, ApplicationStatus, Department, NotificationKind, ReusedLicence,
    ServiceId, TimelineEntry,
};
use sqlx::{Any, Row, Transaction, any::AnyRow};

use crate::{
    db::Db,
    store::{
        self,
        delegation::{self, StoredGrant},
        licences::{self, NewLicence},
        notifications,
        users::{department_str, parse_department},
    },
};

/// At most this many applications per list.
const PAGE: i64 = 100;

/// An application as stored, with who it concerns (for authorisation).
#[derive(Clone, Debug)]
pub struct StoredApplication {
    pub application: Application,
    pub applicant_user_id: String,
    /// The relative who filed it for the applicant, if one did.
    pub filed_by_user_id: Option<String>,
    pub enterprise_id: Option<String>,
    pub department: Department,
    pub handler_user_id: Option<String>,
}

impl StoredApplication {
    /// The application as `user_id` is shown it on its applicant side: the applicant, staff
    /// acting for the company, or a relative filing or following it for the applicant. Whether
    /// they filed it, and whether they are the official handling it, is told by who they are,
    /// not by a name two people may share.
    pub fn seen_by(self, user_id: &str) -> Application {
        let relative = self.enterprise_id.is_none() && self.applicant_user_id != user_id;
        let for_relative = relative.then(|| self.applicant_user_id.clone());
        let mut application = self.seen_by_official(user_id);
        application.for_relative = for_relative;
        application
    }

    /// The application as an official of its department is shown it.
    pub fn seen_by_official(mut self, user_id: &str) -> Application {
        let filer = self
            .filed_by_user_id
            .as_deref()
            .unwrap_or(&self.applicant_user_id);
        self.application.filed_by_caller = filer == user_id;
        self.application.handled_by_caller = self.handler_user_id.as_deref() == Some(user_id);
        self.application
    }
}

/// A new application: a draft, or sent (and accepted) at once.
pub struct NewApplication<'a> {
    pub id: &'a str,
    pub department: Department,
    pub applicant_user_id: &'a str,
    /// The relative filing it for the applicant, if one is.
    pub filed_by_user_id: Option<&'a str>,
    pub enterprise_id: Option<&'a str>,
    pub form: &'a ApplicationForm,
    pub submit: bool,
    pub now: i64,
    /// The grant staff (or a relative) file it under, if any: its use is recorded with the
    /// application.
    pub under_grant: Option<&'a StoredGrant>,
    /// The client's key for this submission, unique per filer.
    pub idempotency_key: Option<&'a str>,
}

/// The application `filer` filed with `key`, if any: for themself (or their company), or
/// for a relative.
pub async fn by_idempotency_key(db: &Db, filer: &str, key: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT id FROM applications
         WHERE (applicant_user_id = $1 AND filed_by_user_id IS NULL AND idempotency_key = $2)
            OR (filed_by_user_id = $1 AND idempotency_key = $2)",
    )
    .bind(filer)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Whether `error` is a second insert with a key already used: two tries of one submission
/// that arrived together.
pub fn is_idempotency_clash(error: &sqlx::Error) -> bool {
    [
        "applications_by_idempotency_key",
        "applications_by_filer_idempotency_key",
    ]
    .into_iter()
    .any(|index| super::violates_unique(error, index, "applications", "idempotency_key"))
}

pub async fn create(db: &Db, new: &NewApplication<'_>) -> sqlx::Result<()> {
    let status = if new.submit {
        ApplicationStatus::Accepted
    } else {
        ApplicationStatus::Draft
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO applications (id, service, status, department, applicant_user_id,
             enterprise_id, form, round, submitted_at, created_at, updated_at, renews_licence_id,
             idempotency_key, filed_by_user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12, $13)",
    )
    .bind(new.id)
    .bind(new.form.service().as_str())
    .bind(status.as_str())
    .bind(department_str(new.department))
    .bind(new.applicant_user_id)
    .bind(new.enterprise_id)
    .bind(form_text(new.form)?)
    .bind(new.submit.then_some(new.now))
    .bind(new.now)
    .bind(new.now)
    .bind(renews(new.form))
    .bind(new.idempotency_key)
    .bind(new.filed_by_user_id)
    .execute(&mut *tx)
    .await?;
    if let Some(grant) = new.under_grant {
        let detail = format!("application:file:{}", new.id);
        delegation::record_use_in(&mut tx, grant, &detail, new.now).await?;
    }
    if new.submit {
        let filer = new.filed_by_user_id.unwrap_or(new.applicant_user_id);
        sent(&mut tx, new.id, 1, filer, new.now).await?;
        notify_parties(&mut tx, new.id, ApplicationStatus::Accepted, new.now).await?;
    }
    tx.commit().await
}

/// The applicant's change to a draft or a returned application, perhaps sending it. Applies
/// only if the application is still as the caller read it (`expected` status and round);
/// `false` otherwise. Sending a returned application starts the next round.
pub async fn update(
    db: &Db,
    application: &StoredApplication,
    form: &ApplicationForm,
    submit: bool,
    actor_user_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let expected = application.application.status;
    let round = application.application.round;
    let (status, new_round) = match (submit, expected) {
        (false, _) => (expected, round),
        (true, ApplicationStatus::Returned) => (ApplicationStatus::Accepted, round + 1),
        (true, _) => (ApplicationStatus::Accepted, round),
    };
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE applications
         SET form = $1, status = $2, round = $3, updated_at = $4,
             submitted_at = CASE WHEN $5 THEN $6 ELSE submitted_at END,
             handler_user_id = CASE WHEN $7 THEN NULL ELSE handler_user_id END,
             renews_licence_id = $8
         WHERE id = $9 AND status = $10 AND round = $11 AND status IN ('draft', 'returned')",
    )
    .bind(form_text(form)?)
    .bind(status.as_str())
    .bind(i64::from(new_round))
    .bind(now)
    .bind(submit)
    .bind(now)
    .bind(submit)
    .bind(renews(form))
    .bind(&application.application.id)
    .bind(expected.as_str())
    .bind(i64::from(round))
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    if submit {
        sent(
            &mut tx,
            &application.application.id,
            new_round,
            actor_user_id,
            now,
        )
        .await?;
        notify_parties(
            &mut tx,
            &application.application.id,
            ApplicationStatus::Accepted,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Deletes a draft (which has no timeline yet); `false` if it is no longer a draft.
pub async fn delete_draft(db: &Db, id: &str) -> sqlx::Result<bool> {
    let deleted = sqlx::query("DELETE FROM applications WHERE id = $1 AND status = 'draft'")
        .bind(id)
        .execute(db)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// An official takes an accepted application; `false` if it was not accepted (any more).
pub async fn claim(db: &Db, id: &str, official_user_id: &str, now: i64) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE applications SET status = 'under_review', handler_user_id = $1, updated_at = $2
         WHERE id = $3 AND status = 'accepted'",
    )
    .bind(official_user_id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    let round = current_round(&mut tx, id).await?;
    event(
        &mut tx,
        id,
        ApplicationStatus::UnderReview,
        round,
        Some(official_user_id),
        None,
        now,
    )
    .await?;
    notify_parties(&mut tx, id, ApplicationStatus::UnderReview, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// A licence an approval puts into a wallet, and the one it replaces (revoked at once).
pub struct Issue<'a> {
    pub licence: NewLicence<'a>,
    pub replaces: Option<&'a str>,
}

/// What the handler decided.
pub enum Outcome<'a> {
    Approve(Option<Issue<'a>>),
    Return(&'a str),
    Reject(&'a str),
}

/// The handler's decision on an application under review; `false` if it was not under review
/// by this handler (any more). Approval and issuing the licence are one transaction: the
/// applicant never sees "approved" without the licence, or a licence without the approval.
pub async fn decide(
    db: &Db,
    id: &str,
    handler_user_id: &str,
    outcome: &Outcome<'_>,
    now: i64,
) -> sqlx::Result<bool> {
    let status = match outcome {
        Outcome::Approve(_) => ApplicationStatus::Approved,
        Outcome::Return(_) => ApplicationStatus::Returned,
        Outcome::Reject(_) => ApplicationStatus::Rejected,
    };
    let mut tx = db.begin().await?;
    // The first statement writes, so SQLite takes the write lock before anything is read:
    // a racing decision waits here and then finds the status changed.
    let updated = sqlx::query(
        "UPDATE applications SET status = $1, updated_at = $2
         WHERE id = $3 AND status = 'under_review' AND handler_user_id = $4",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(id)
    .bind(handler_user_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    let round = current_round(&mut tx, id).await?;
    let reason = match outcome {
        Outcome::Return(reason) | Outcome::Reject(reason) => Some(*reason),
        Outcome::Approve(_) => None,
    };
    event(
        &mut tx,
        id,
        status,
        round,
        Some(handler_user_id),
        reason,
        now,
    )
    .await?;
    let mut told = status;
    if let Outcome::Approve(Some(issue)) = outcome {
        licences::insert(&mut *tx, &issue.licence).await?;
        if let Some(old) = issue.replaces {
            sqlx::query("UPDATE licences SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE applications SET status = 'issued', issued_licence_id = $1 WHERE id = $2",
        )
        .bind(issue.licence.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        event(
            &mut tx,
            id,
            ApplicationStatus::Issued,
            round,
            None,
            None,
            now,
        )
        .await?;
        told = ApplicationStatus::Issued;
    }
    notify_parties(&mut tx, id, told, now).await?;
    tx.commit().await?;
    Ok(true)
}

const SELECT: &str = "
    SELECT a.id, a.service, a.status, a.department, a.applicant_user_id,
           au.display_name AS applicant_name, a.filed_by_user_id,
           fu.display_name AS filed_by_name, a.enterprise_id, e.name AS enterprise_name,
           a.form, a.round, a.handler_user_id, hu.display_name AS handler_name,
           a.issued_licence_id, a.created_at, a.updated_at
    FROM applications a
    JOIN users au ON au.id = a.applicant_user_id
    LEFT JOIN users fu ON fu.id = a.filed_by_user_id
    LEFT JOIN enterprises e ON e.id = a.enterprise_id
    LEFT JOIN users hu ON hu.id = a.handler_user_id";

pub async fn find(db: &Db, id: &str) -> sqlx::Result<Option<StoredApplication>> {
    let row = sqlx::query(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    match row {
        Some(row) => Ok(with_details(db, vec![from_row(&row)?]).await?.pop()),
        None => Ok(None),
    }
}

/// Applications `user_id` filed for themself, and those filed for any of `enterprise_ids`, the
/// one that changed last first (a return that waits for the applicant comes to the top).
pub async fn filed_by_or_for(
    db: &Db,
    user_id: &str,
    enterprise_ids: &[String],
    relatives: &[String],
) -> sqlx::Result<Vec<StoredApplication>> {
    let sql = format!(
        "{SELECT}
         WHERE (a.enterprise_id IS NULL AND a.applicant_user_id = $1)
            OR a.enterprise_id IN ({})
            OR (a.enterprise_id IS NULL AND a.applicant_user_id IN ({}))
         ORDER BY a.updated_at DESC, a.rowid DESC LIMIT {PAGE}",
        store::placeholders(2, enterprise_ids.len()),
        store::placeholders(2 + enterprise_ids.len(), relatives.len())
    );
    let mut query = sqlx::query(&sql).bind(user_id);
    for id in enterprise_ids.iter().chain(relatives) {
        query = query.bind(id);
    }
    let rows = query.fetch_all(db).await?;
    let found = rows
        .iter()
        .map(from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    with_details(db, found).await
}

/// The department's inbox: accepted applications waiting to be claimed and those under
/// review, oldest submission first.
pub async fn inbox(db: &Db, department: Department) -> sqlx::Result<Vec<StoredApplication>> {
    let rows = sqlx::query(&format!(
        "{SELECT}
         WHERE a.department = $1 AND a.status IN ('accepted', 'under_review')
         ORDER BY a.submitted_at, a.rowid LIMIT {PAGE}"
    ))
    .bind(department_str(department))
    .fetch_all(db)
    .await?;
    let found = rows
        .iter()
        .map(from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    with_details(db, found).await
}

/// The timeline steps of sending an application: submitted by the actor, then accepted by the
/// system at once (受理: the form is complete, and the department takes it on).
async fn sent(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    round: u32,
    actor_user_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    event(
        tx,
        id,
        ApplicationStatus::Submitted,
        round,
        Some(actor_user_id),
        None,
        now,
    )
    .await?;
    event(tx, id, ApplicationStatus::Accepted, round, None, None, now).await
}

async fn event(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    status: ApplicationStatus,
    round: u32,
    actor_user_id: Option<&str>,
    reason: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO application_events (application_id, status, round, at, actor_user_id, reason)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(i64::from(round))
    .bind(now)
    .bind(actor_user_id)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn current_round(tx: &mut Transaction<'_, Any>, id: &str) -> sqlx::Result<u32> {
    let round: i64 = sqlx::query_scalar("SELECT round FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    u32::try_from(round).map_err(|_| corrupt("round"))
}

/// Tells the applicant where their application now stands; for a company's application its
/// legal representative too (when someone else filed it), and for one a relative filed, that
/// relative.
async fn notify_parties(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    status: ApplicationStatus,
    now: i64,
) -> sqlx::Result<()> {
    let row = sqlx::query(
        "SELECT a.service, a.applicant_user_id, au.display_name AS applicant_name,
                a.filed_by_user_id, m.user_id AS legal_rep
         FROM applications a
         JOIN users au ON au.id = a.applicant_user_id
         LEFT JOIN enterprise_members m
                ON m.enterprise_id = a.enterprise_id AND m.role = 'legal_representative'
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let service = ServiceId::parse(row.get("service")).ok_or_else(|| corrupt("service"))?;
    let applicant: String = row.get("applicant_user_id");
    let legal_rep: Option<String> = row.get("legal_rep");
    let filer: Option<String> = row.get("filed_by_user_id");
    let kind = |applicant_name: Option<String>| NotificationKind::Application {
        application_id: id.to_owned(),
        service,
        status,
        applicant_name,
    };
    notifications::add(&mut **tx, &applicant, &kind(None), None, now).await?;
    if let Some(legal_rep) = legal_rep.filter(|r| *r != applicant) {
        notifications::add(&mut **tx, &legal_rep, &kind(None), None, now).await?;
    }
    // The relative who filed it follows it too, and is told whose it is.
    if let Some(filer) = filer.filter(|f| *f != applicant) {
        let theirs = kind(Some(row.get("applicant_name")));
        notifications::add(&mut **tx, &filer, &theirs, None, now).await?;
    }
    Ok(())
}

/// Fills in what an application's row does not hold: its timeline, and the licences its form
/// takes from the wallet. One query for each, however many applications.
async fn with_details(
    db: &Db,
    found: Vec<StoredApplication>,
) -> sqlx::Result<Vec<StoredApplication>> {
    let mut found = with_timelines(db, found).await?;
    with_reused(db, &mut found).await?;
    Ok(found)
}

/// Fills in each application's timeline, with one query for all of them.
async fn with_timelines(
    db: &Db,
    mut found: Vec<StoredApplication>,
) -> sqlx::Result<Vec<StoredApplication>> {
    if found.is_empty() {
        return Ok(found);
    }
    let ids: Vec<&str> = found.iter().map(|a| a.application.id.as_str()).collect();
    let sql = format!(
        "SELECT ev.application_id, ev.status, ev.round, ev.at, u.display_name AS actor_name,
                ev.reason
         FROM application_events ev LEFT JOIN users u ON u.id = ev.actor_user_id
         WHERE ev.application_id IN ({})
         ORDER BY ev.id",
        store::placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(db).await?;
    let mut timelines: HashMap<String, Vec<TimelineEntry>> = HashMap::new();
    for row in &rows {
        timelines
            .entry(row.get("application_id"))
            .or_default()
            .push(TimelineEntry {
                status: parse_status(row.get("status"))?,
                at: row.get("at"),
                round: round_of(row)?,
                actor_name: row.get("actor_name"),
                reason: row.get("reason"),
            });
    }
    for stored in &mut found {
        if let Some(timeline) = timelines.remove(&stored.application.id) {
            stored.application.timeline = timeline;
        }
    }
    Ok(found)
}

fn round_of(row: &AnyRow) -> sqlx::Result<u32> {
    u32::try_from(row.get::<i64, _>("round")).map_err(|_| corrupt("round"))
}

/// Fills in the licences each form takes from the wallet, all in one query.
async fn with_reused(db: &Db, found: &mut [StoredApplication]) -> sqlx::Result<()> {
    let ids: Vec<&str> = found
        .iter()
        .flat_map(|a| a.application.form.reused())
        .map(|(_, id)| id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let by_id = licences::find_many(db, &ids, &crate::clock::today(store::now())).await?;
    for stored in found.iter_mut() {
        stored.application.reused = stored
            .application
            .form
            .reused()
            .into_iter()
            .filter_map(|(field, id)| {
                let licence = by_id.get(id)?.clone();
                Some(ReusedLicence { field, licence })
            })
            .collect();
    }
    Ok(())
}

fn from_row(row: &AnyRow) -> sqlx::Result<StoredApplication> {
    let form: ApplicationForm =
        serde_json::from_str(row.get("form")).map_err(|_| corrupt("form"))?;
    Ok(StoredApplication {
        application: Application {
            id: row.get("id"),
            service: ServiceId::parse(row.get("service")).ok_or_else(|| corrupt("service"))?,
            status: parse_status(row.get("status"))?,
            applicant_name: row.get("applicant_name"),
            enterprise_name: row.get("enterprise_name"),
            form,
            reused: Vec::new(),
            round: round_of(row)?,
            timeline: Vec::new(),
            issued_licence_id: row.get("issued_licence_id"),
            handler_name: row.get("handler_name"),
            handled_by_caller: false,
            filed_by_caller: false,
            filed_by_name: row.get("filed_by_name"),
            for_relative: None,
            created_at: row.get("created_at"),
            updated_at: row.get("updated_at"),
        },
        applicant_user_id: row.get("applicant_user_id"),
        filed_by_user_id: row.get("filed_by_user_id"),
        enterprise_id: row.get("enterprise_id"),
        department: parse_department(row.get("department"))?
            .ok_or_else(|| corrupt("department"))?,
        handler_user_id: row.get("handler_user_id"),
    })
}

/// The licence a form renews, kept in a column of its own so that a unique index lets one
/// renewal of it be in progress at a time (migration 0008).
fn renews(form: &ApplicationForm) -> Option<&str> {
    match form {
        ApplicationForm::DrivingLicenceRenewal(renewal) => renewal.licence_id.as_deref(),
        _ => None,
    }
}

/// Whether `error` is a write refused because another renewal of the same licence is in
/// progress (the index `applications_one_renewal`).
pub fn is_renewal_under_way(error: &sqlx::Error) -> bool {
    super::violates_unique(
        error,
        "applications_one_renewal",
        "applications",
        "renews_licence_id",
    )
}

fn form_text(form: &ApplicationForm) -> sqlx::Result<String> {
    serde_json::to_string(form).map_err(|e| sqlx::Error::Encode(e.into()))
}

fn parse_status(text: &str) -> sqlx::Result<ApplicationStatus> {
    ApplicationStatus::parse(text).ok_or_else(|| corrupt("status"))
}

fn corrupt(column: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("applications: unexpected value in {column}").into())
}
