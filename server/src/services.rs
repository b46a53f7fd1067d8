//! Services: the catalogue and its search, applications from draft to decision (and the
//! licence an approval issues), and the officials' inbox.
//!
//! An application moves Draft → Submitted → Accepted (at once: the form is complete, so the
//! department takes it on) → UnderReview (an official claims it) → Approved → Issued, or
//! Returned (to change and send again, in a new round) or Rejected. Each step is one
//! conditional UPDATE in a transaction with its timeline entry, so two racing steps cannot
//! both happen (see `store::applications`).

use std::{collections::HashMap, sync::LazyLock};

use axum::{Json, extract::State, http::StatusCode};
use kapok_api::{
    Application, ApplicationForm, ApplicationStatus, ApplicationUpdate, Decision, DelegationKind,
    FieldError, FieldKey, FoodBusinessKind, FormField, HolderKind, LicenceStatus, LicenceSummary,
    LicenceType, NewApplication, Persona, Problem, REASON_MAX, Service, ServiceId, Verdict,
    catalogue,
};
use serde::Deserialize;

use crate::{
    AppState,
    authorize::{self, ApplicationSide, ApplicationUse, CompanyAuthority},
    clock,
    error::ApiError,
    session::{CurrentUser, MaybeUser},
    store::{
        self,
        applications::{self as stored_applications, Issue, Outcome, StoredApplication},
        licences::{NewLicence, StoredField},
    },
    text::{self, search_terms},
    web::{ApiJson, ApiPath, ApiQuery},
};

/// A renewed driving licence runs this long (the second and later terms in China are
/// 10 years, but the demo keeps to the first term's 6 that the card it replaces had).
const DRIVING_LICENCE_YEARS: i32 = 6;
/// A food business permit runs five years (食品经营许可管理办法, art. 30).
const FOOD_PERMIT_YEARS: i32 = 5;
const FOOD_PERMIT_AUTHORITY: &str = "广州市天河区市场监督管理局";

#[derive(Deserialize)]
pub struct ServiceQuery {
    q: Option<String>,
}

/// The catalogue of the caller's shell, high-frequency services first: residents see
/// residents' services, enterprise users their companies', officials and anyone not signed
/// in see all. `q` matches the services' names and keywords in every locale at once, so a
/// search in simplified or traditional Chinese or in English finds the same service
/// whatever language the page is in.
#[utoipa::path(get, path = "/services", tag = "services", operation_id = "services",
    params(("q" = Option<String>, Query, description = "Words to look for (every word must match); empty for all")),
    responses(
        (status = 200, description = "The matching services, high-frequency first", body = Vec<Service>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn catalogue_of_shell(
    State(state): State<AppState>,
    caller: MaybeUser,
    ApiQuery(query): ApiQuery<ServiceQuery>,
) -> Result<Json<Vec<Service>>, ApiError> {
    let persona = match &caller.0 {
        Some(user) => store::users::profile(&state.db, &user.user_id)
            .await?
            .map(|p| p.persona),
        None => None,
    };
    let terms = search_terms(query.q.as_deref().unwrap_or_default());
    let services = catalogue()
        .into_iter()
        .filter(|s| match persona {
            Some(Persona::Resident) => s.persona == Persona::Resident,
            Some(Persona::Enterprise) => s.persona == Persona::Enterprise,
            Some(Persona::Official) | None => true,
        })
        .filter(|s| matches_search(s.id, &terms))
        .collect();
    Ok(Json(services))
}

/// Each service's names and keywords in all three locales, lower-cased, read once from the
/// client's locale files (the words live there, written by hand for each locale).
static SEARCH_TEXT: LazyLock<HashMap<ServiceId, String>> = LazyLock::new(|| {
    let locales = [
        include_str!("../../locales/zh-CN.json"),
        include_str!("../../locales/zh-HK.json"),
        include_str!("../../locales/en.json"),
    ];
    let parsed: Vec<serde_json::Value> = locales
        .iter()
        .filter_map(|text| match serde_json::from_str(text) {
            Ok(value) => Some(value),
            Err(e) => {
                tracing::error!(error = %e, "a locale file does not parse; its words are not searched");
                None
            }
        })
        .collect();
    ServiceId::ALL
        .into_iter()
        .map(|id| {
            let words: Vec<&str> = parsed
                .iter()
                .flat_map(|locale| {
                    let entry = &locale["service"][id.as_str()];
                    [entry["name"].as_str(), entry["keywords"].as_str()]
                })
                .flatten()
                .collect();
            (id, words.join("\n").to_lowercase())
        })
        .collect()
});

fn matches_search(id: ServiceId, terms: &[String]) -> bool {
    let text = SEARCH_TEXT.get(&id).map(String::as_str).unwrap_or_default();
    terms.iter().all(|term| text.contains(term.as_str()))
}

/// File an application: keep it as a draft, or send it at once. A resident files a
/// residents' service for themself, or for a relative who gave them a family grant with the
/// `applications` scope (`relative_id`: the application is the relative's, takes the
/// relative's licences, and the use is audited and the relative told); an enterprise service
/// is filed for a company by its legal representative or by staff holding a grant with the
/// `applications` scope (the use is audited and the legal representative told). Officials do
/// not file.
#[utoipa::path(post, path = "/applications", tag = "services", operation_id = "create_application",
    request_body = NewApplication,
    responses(
        (status = 201, description = "Saved as a draft, or sent and accepted (with its timeline)", body = Application),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Officials do not file (forbidden), a residents' service filed by someone else than a resident (forbidden), or staff of the company (or a relative) without authority for applications (scope_not_granted, grant_revoked, grant_expired)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company, or not one the caller works for; no such relative, or none who gave the caller a grant", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Sent while the same licence's renewal is in progress (already_applied)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_application: the detail lists `field: problem` pairs separated by `; `, with the wire names of FormField and FieldProblem, or `enterprise_id` and `form`; a reused licence that is not in the applicant's wallet is `not_in_wallet`, of the wrong kind `wrong_licence_type`, revoked or expired `licence_not_valid`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewApplication>,
) -> Result<(StatusCode, Json<Application>), ApiError> {
    let now = store::now();
    let key = new.idempotency_key.as_deref();
    if key.is_some_and(|k| !kapok_api::is_idempotency_key(k)) {
        return Err(invalid("idempotency_key: invalid"));
    }
    // A try repeated after its answer was lost: what the first try made.
    if let Some(made) = filed_with(&state, &user, key).await? {
        return Ok(made);
    }
    let profile = store::users::profile(&state.db, &user.user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if profile.persona == Persona::Official {
        return Err(ApiError::Forbidden);
    }
    let service = new.form.service().service();
    if !service.online_form {
        return Err(invalid("form: no_online_form"));
    }
    let enterprise_id = new
        .enterprise_id
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let relative_id = new
        .relative_id
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    // Whose it is, and the grant it is filed under, if any (its use is audited).
    let (holder, under_grant) = match (service.persona, enterprise_id, relative_id) {
        (_, Some(_), Some(_)) => return Err(invalid("relative_id: not_with_enterprise_id")),
        (Persona::Resident, Some(_), None) => {
            return Err(invalid("enterprise_id: not_for_this_service"));
        }
        (Persona::Resident, None, _) if profile.persona != Persona::Resident => {
            return Err(ApiError::Forbidden);
        }
        (Persona::Resident, None, None) => (Holder::Person(&user.user_id), None),
        (Persona::Resident, None, Some(relative)) => {
            let grant = authorize::relative_applications(&state.db, &user, relative).await?;
            (Holder::Person(relative), Some(grant))
        }
        (Persona::Enterprise, _, Some(_)) => {
            return Err(invalid("relative_id: not_for_this_service"));
        }
        (Persona::Enterprise, None, None) => return Err(invalid("enterprise_id: required")),
        (Persona::Enterprise, Some(enterprise), None) => {
            let authority = authorize::company_applications(&state.db, &user, enterprise).await?;
            (Holder::Enterprise(enterprise), authority.grant().cloned())
        }
        (Persona::Official, ..) => return Err(ApiError::Forbidden),
    };
    // Whose application it is: the filer's, or the relative's they file it for.
    let applicant = match holder {
        Holder::Person(person) => person,
        Holder::Enterprise(_) => &user.user_id,
    };
    check_form(&state, &new.form, holder, new.submit, now).await?;
    if new.submit {
        check_not_under_way(&state, applicant, &new.form, None).await?;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let filed = stored_applications::create(
        &state.db,
        &stored_applications::NewApplication {
            id: &id,
            department: service.department,
            applicant_user_id: applicant,
            filed_by_user_id: relative_id.map(|_| user.user_id.as_str()),
            enterprise_id,
            form: &new.form,
            submit: new.submit,
            now,
            under_grant: under_grant.as_ref(),
            idempotency_key: key,
        },
    )
    .await;
    match filed {
        Err(e) if stored_applications::is_idempotency_clash(&e) => {
            // Another try of the same submission got there first.
            filed_with(&state, &user, key)
                .await?
                .ok_or_else(|| ApiError::Internal("an application vanished".into()))
        }
        filed => {
            filed.map_err(already_applied)?;
            let created = reread(&state, &id).await?;
            Ok((StatusCode::CREATED, Json(created.seen_by(&user.user_id))))
        }
    }
}

/// The application `user` filed with `key`, as its creation answered.
async fn filed_with(
    state: &AppState,
    user: &CurrentUser,
    key: Option<&str>,
) -> Result<Option<(StatusCode, Json<Application>)>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    let Some(id) = stored_applications::by_idempotency_key(&state.db, &user.user_id, key).await?
    else {
        return Ok(None);
    };
    // Shown only to someone who may still see it, as its page would be: staff whose grant
    // was revoked since are refused, not shown the company's application as it is now.
    authorize::application(&state.db, user, &id, ApplicationUse::View).await?;
    let made = reread(state, &id).await?;
    Ok(Some((
        StatusCode::CREATED,
        Json(made.seen_by(&user.user_id)),
    )))
}

/// The caller's applications, the one that changed last first: those they filed for
/// themself, and those of companies they may act for in applications (as legal
/// representative, or under a grant with the `applications` scope, checked now).
#[utoipa::path(get, path = "/applications", tag = "services", operation_id = "applications",
    responses(
        (status = 200, description = "At most 100, the one that changed last first, each with its timeline", body = Vec<Application>),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Application>>, ApiError> {
    let mut companies = Vec::new();
    let mut through_grants = Vec::new();
    let relatives = authorize::relatives_applications(&state.db, &user).await?;
    for (enterprise, _) in store::users::memberships(&state.db, &user.user_id).await? {
        // Staff without the authority simply see none of the company's applications here.
        if let Ok(authority) = authorize::company_applications(&state.db, &user, &enterprise).await
        {
            if matches!(authority, CompanyAuthority::Grant(_)) {
                through_grants.push((enterprise.clone(), authority));
            }
            companies.push(enterprise);
        }
    }
    let people: Vec<String> = relatives
        .iter()
        .map(|g| g.grant.principal.clone())
        .collect();
    let found =
        stored_applications::filed_by_or_for(&state.db, &user.user_id, &companies, &people).await?;
    for (enterprise, authority) in through_grants {
        if found
            .iter()
            .any(|a| a.enterprise_id.as_deref() == Some(enterprise.as_str()))
        {
            authority.record_use(&state.db, "applications").await?;
        }
    }
    for grant in &relatives {
        let theirs = |a: &StoredApplication| {
            a.enterprise_id.is_none() && a.applicant_user_id == grant.grant.principal
        };
        if found.iter().any(theirs) {
            store::delegation::record_use(&state.db, grant, "applications", store::now()).await?;
        }
    }
    Ok(Json(
        found
            .into_iter()
            .map(|a| a.seen_by(&user.user_id))
            .collect(),
    ))
}

/// A relative's licences, for a form filed for them: what its choices offer. Only to someone
/// holding a family grant of theirs with the `applications` scope, and each look is audited.
/// Summaries, as the form shows them: no codes, no fields.
#[utoipa::path(get, path = "/relatives/{id}/licences", tag = "services", operation_id = "relative_licences",
    params(("id" = String, Path, description = "The relative's user id (a family grant's `principal`)")),
    responses(
        (status = 200, description = "The relative's licences, each naming the grant they are seen through", body = Vec<LicenceSummary>),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's grant over the relative does not cover applications (scope_not_granted), was revoked (grant_revoked) or is not in force (grant_expired)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or none who gave the caller a grant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn relative_licences(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(relative): ApiPath<String>,
) -> Result<Json<Vec<LicenceSummary>>, ApiError> {
    let grant = authorize::relative_applications(&state.db, &user, &relative).await?;
    let now = store::now();
    let family = DelegationKind::Family;
    let held = store::licences::held_by_principal(&state.db, family, &relative, &clock::today(now))
        .await?;
    store::delegation::record_use(&state.db, &grant, "form_licences", now).await?;
    Ok(Json(
        held.into_iter()
            .map(|mut licence| {
                licence.through_grant = Some(grant.grant.id.clone());
                licence
            })
            .collect(),
    ))
}

/// One application with its timeline: for its applicant side, and for officials of the
/// deciding department once it is sent.
#[utoipa::path(get, path = "/applications/{id}", tag = "services", operation_id = "application",
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application and its timeline", body = Application),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Staff of the company without authority for applications (scope_not_granted, grant_revoked, grant_expired)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Application>, ApiError> {
    let (stored, side) =
        authorize::application(&state.db, &user, &id, ApplicationUse::View).await?;
    Ok(Json(match side {
        ApplicationSide::Applicant => stored.seen_by(&user.user_id),
        ApplicationSide::Official => stored.seen_by_official(&user.user_id),
    }))
}

/// Change a draft or a returned application, and perhaps send it: a returned application
/// sent again starts the next round.
#[utoipa::path(put, path = "/applications/{id}", tag = "services", operation_id = "update_application",
    params(("id" = String, Path, description = "Application id")),
    request_body = ApplicationUpdate,
    responses(
        (status = 200, description = "Saved (and, if asked, sent and accepted)", body = Application),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Staff of the company without authority for applications", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft or returned any more (application_moved_on), or sent while another renewal of the same licence is in progress (already_applied)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_application, as for filing; `form: other_service` if the form is another service's", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(update): ApiJson<ApplicationUpdate>,
) -> Result<Json<Application>, ApiError> {
    let now = store::now();
    let (stored, _) = authorize::application(&state.db, &user, &id, ApplicationUse::Edit).await?;
    if !stored.application.status.editable() {
        return Err(ApiError::ApplicationMovedOn);
    }
    if update.form.service() != stored.application.service {
        return Err(invalid("form: other_service"));
    }
    let holder = holder_of(&stored);
    check_form(&state, &update.form, holder, update.submit, now).await?;
    if update.submit {
        // The applicant's renewals, whoever sends it (they, or a relative for them).
        check_not_under_way(&state, &stored.applicant_user_id, &update.form, Some(&id)).await?;
    }
    let changed = stored_applications::update(
        &state.db,
        &stored,
        &update.form,
        update.submit,
        &user.user_id,
        now,
    )
    .await
    .map_err(already_applied)?;
    if !changed {
        return Err(ApiError::ApplicationMovedOn);
    }
    Ok(Json(reread(&state, &id).await?.seen_by(&user.user_id)))
}

/// Delete a draft. Anything sent has a history and stays.
#[utoipa::path(delete, path = "/applications/{id}", tag = "services", operation_id = "delete_application",
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Staff of the company without authority for applications", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft (application_moved_on)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    authorize::application(&state.db, &user, &id, ApplicationUse::Delete).await?;
    if stored_applications::delete_draft(&state.db, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::ApplicationMovedOn)
    }
}

/// An official's inbox: their department's applications waiting to be claimed or under
/// review, oldest first.
#[utoipa::path(get, path = "/tasks", tag = "services", operation_id = "tasks",
    responses(
        (status = 200, description = "At most 100, oldest submission first", body = Vec<Application>),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an official", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn tasks(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Application>>, ApiError> {
    let department = authorize::official(&state.db, &user).await?;
    let inbox = stored_applications::inbox(&state.db, department).await?;
    Ok(Json(
        inbox
            .into_iter()
            .map(|a| a.seen_by_official(&user.user_id))
            .collect(),
    ))
}

/// An official of the deciding department takes an accepted application to review it.
#[utoipa::path(post, path = "/applications/{id}/claim", tag = "services", operation_id = "claim_application",
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "Under review, with the caller as its handler", body = Application),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application, or the caller is not an official of its department", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not waiting to be claimed (application_moved_on): claimed already, decided, or returned", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn claim(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Application>, ApiError> {
    authorize::application(&state.db, &user, &id, ApplicationUse::Handle).await?;
    if !stored_applications::claim(&state.db, &id, &user.user_id, store::now()).await? {
        return Err(ApiError::ApplicationMovedOn);
    }
    Ok(Json(
        reread(&state, &id).await?.seen_by_official(&user.user_id),
    ))
}

/// The handler's decision. An approval of a service that issues a licence puts it into the
/// applicant's wallet (or the company's) in the same step; a renewed driving licence keeps
/// its number and revokes the card it replaces. A return or a rejection needs a reason.
#[utoipa::path(post, path = "/applications/{id}/decision", tag = "services", operation_id = "decide_application",
    params(("id" = String, Path, description = "Application id")),
    request_body = Decision,
    responses(
        (status = 200, description = "Decided: approved (and issued), returned or rejected", body = Application),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application, or the caller is not an official of its department", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not under review by the caller (application_moved_on): not claimed, claimed by someone else, or decided already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A return or rejection without a usable reason (reason_required)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Json<Application>, ApiError> {
    let now = store::now();
    let (stored, _) = authorize::application(&state.db, &user, &id, ApplicationUse::Handle).await?;
    let reason = match decision.verdict {
        Verdict::Approve => String::new(),
        Verdict::Return | Verdict::Reject => checked_reason(&decision.reason)?,
    };
    // Checked again, atomically, by the store; this only spares building a licence for a
    // decision that cannot happen.
    let handled_by_caller = stored.handler_user_id.as_deref() == Some(user.user_id.as_str());
    if stored.application.status != ApplicationStatus::UnderReview || !handled_by_caller {
        return Err(ApiError::ApplicationMovedOn);
    }
    let licence = match decision.verdict {
        Verdict::Approve => licence_to_issue(&state, &stored, now).await?,
        Verdict::Return | Verdict::Reject => None,
    };
    let outcome = match decision.verdict {
        Verdict::Approve => Outcome::Approve(licence.as_ref().map(LicenceToIssue::issue)),
        Verdict::Return => Outcome::Return(&reason),
        Verdict::Reject => Outcome::Reject(&reason),
    };
    if !stored_applications::decide(&state.db, &id, &user.user_id, &outcome, now).await? {
        return Err(ApiError::ApplicationMovedOn);
    }
    Ok(Json(
        reread(&state, &id).await?.seen_by_official(&user.user_id),
    ))
}

/// A reason as the applicant will read it: trimmed (of invisible characters too), 1 to
/// `REASON_MAX` characters, no control
/// or text-direction characters (which could make it read otherwise than stored) except line
/// breaks.
fn checked_reason(reason: &str) -> Result<String, ApiError> {
    let reason = text::trim(reason);
    let hidden = |c: char| c != '\n' && text::disguises(c);
    if reason.is_empty() || reason.chars().count() > REASON_MAX || reason.chars().any(hidden) {
        return Err(ApiError::ReasonRequired);
    }
    Ok(reason.to_owned())
}

/// Whose wallet an application's reused licences must come from (and its new licence go to).
#[derive(Clone, Copy)]
enum Holder<'a> {
    Person(&'a str),
    Enterprise(&'a str),
}

fn holder_of(stored: &StoredApplication) -> Holder<'_> {
    match &stored.enterprise_id {
        Some(enterprise) => Holder::Enterprise(enterprise),
        None => Holder::Person(&stored.applicant_user_id),
    }
}

/// The form's rules, the same as the client's: a draft may have gaps but no text that is too
/// long or disguises itself; a form being sent must be complete. Either way, each licence the
/// form reuses must be in the holder's wallet, of the kind the field takes, and in force (a
/// driving licence to renew may have expired; that is what renewing is for).
async fn check_form(
    state: &AppState,
    form: &ApplicationForm,
    holder: Holder<'_>,
    submit: bool,
    now: i64,
) -> Result<(), ApiError> {
    let today = clock::today(now);
    let mut problems: Vec<FieldError> = if submit {
        form.check(&today[..7])
    } else {
        form.check_draft()
    };
    problems.dedup();
    let mut detail: Vec<String> = problems
        .iter()
        .map(|e| format!("{}: {}", wire_name(&e.field), wire_name(&e.problem)))
        .collect();
    for (field, id, kinds, expired_ok) in reused_licences(form) {
        if let Some(problem) = reuse_problem(state, id, kinds, expired_ok, holder, &today).await? {
            detail.push(format!("{}: {problem}", wire_name(&field)));
        }
    }
    if detail.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidApplication(detail.join("; ")))
    }
}

/// A renewal is sent once: while another renewal of the same licence by the same applicant is
/// in progress (with the department, or returned to them), sending one more is refused, so
/// that officials do not review the same licence twice and the applicant follows one
/// application. `except` is the application being sent again itself. Two sends in the same
/// instant can both pass this check; the database's unique index on the renewed licence
/// (migration 0008) then refuses the second write, with the same answer (`already_applied`).
async fn check_not_under_way(
    state: &AppState,
    user_id: &str,
    form: &ApplicationForm,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let ApplicationForm::DrivingLicenceRenewal(renewal) = form else {
        return Ok(());
    };
    let Some(licence) = renewal.licence_id.as_deref() else {
        return Ok(());
    };
    let filed = stored_applications::filed_by_or_for(&state.db, user_id, &[], &[]).await?;
    let under_way = filed.iter().any(|stored| {
        let other = &stored.application;
        Some(other.id.as_str()) != except
            && other.status.in_progress()
            && matches!(&other.form, ApplicationForm::DrivingLicenceRenewal(f)
                if f.licence_id.as_deref() == Some(licence))
    });
    if under_way {
        Err(ApiError::AlreadyApplied)
    } else {
        Ok(())
    }
}

/// A write refused by the database because another renewal of the licence is in progress:
/// two sends close enough together that both passed `check_not_under_way`.
fn already_applied(error: sqlx::Error) -> ApiError {
    if stored_applications::is_renewal_under_way(&error) {
        ApiError::AlreadyApplied
    } else {
        error.into()
    }
}

/// The licences a form reuses: its field, the id given, the kinds the field takes, and
/// whether an expired one will do.
fn reused_licences(form: &ApplicationForm) -> Vec<(FormField, &str, &'static [LicenceType], bool)> {
    const IDENTITY: &[LicenceType] = &[LicenceType::ResidentIdCard, LicenceType::HkIdentityCard];
    form.reused()
        .into_iter()
        .map(|(field, id)| match field {
            FormField::Licence => (field, id, &[LicenceType::DrivingLicence][..], true),
            FormField::BusinessLicence => (field, id, &[LicenceType::BusinessLicence][..], false),
            // The identity field: the only other one `reused` gives.
            _ => (field, id, IDENTITY, false),
        })
        .collect()
}

/// What is wrong with reusing licence `id`, if anything. A licence that does not exist and
/// one held by someone else get the same answer, so a form cannot probe other wallets.
async fn reuse_problem(
    state: &AppState,
    id: &str,
    kinds: &[LicenceType],
    expired_ok: bool,
    holder: Holder<'_>,
    today: &str,
) -> Result<Option<&'static str>, ApiError> {
    let Some(licence) = store::licences::find(&state.db, id, today).await? else {
        return Ok(Some("not_in_wallet"));
    };
    let held = match holder {
        Holder::Person(user) => licence.holder_user_id.as_deref() == Some(user),
        Holder::Enterprise(enterprise) => {
            licence.holder_enterprise_id.as_deref() == Some(enterprise)
        }
    };
    let summary = &licence.licence.summary;
    Ok(if !held {
        Some("not_in_wallet")
    } else if !kinds.contains(&summary.licence_type) {
        Some("wrong_licence_type")
    } else {
        match summary.status {
            LicenceStatus::Revoked => Some("licence_not_valid"),
            LicenceStatus::Expired if !expired_ok => Some("licence_not_valid"),
            _ => None,
        }
    })
}

/// A licence an approval will issue, owned until the store borrows it.
struct LicenceToIssue {
    id: String,
    licence_type: LicenceType,
    holder: (String, HolderKind),
    holder_name: String,
    number: String,
    fields: Vec<StoredField>,
    issued_on: String,
    valid_until: String,
    issuing_authority: String,
    replaces: Option<String>,
}

impl LicenceToIssue {
    fn issue(&self) -> Issue<'_> {
        Issue {
            licence: NewLicence {
                id: &self.id,
                licence_type: self.licence_type,
                holder: (&self.holder.0, self.holder.1),
                holder_name: &self.holder_name,
                number: &self.number,
                fields: &self.fields,
                issued_on: &self.issued_on,
                valid_until: Some(&self.valid_until),
                issuing_authority: &self.issuing_authority,
            },
            replaces: self.replaces.as_deref(),
        }
    }
}

/// The licence approving `stored` issues, if its service issues one.
async fn licence_to_issue(
    state: &AppState,
    stored: &StoredApplication,
    now: i64,
) -> Result<Option<LicenceToIssue>, ApiError> {
    let today = clock::today(now);
    let id = format!("lic-{}", uuid::Uuid::new_v4());
    match &stored.application.form {
        ApplicationForm::DrivingLicenceRenewal(form) => {
            // The card being renewed: same holder, number, classes and first issue; a new
            // issue date and term.
            let old_id = form
                .licence_id
                .as_deref()
                .ok_or_else(|| ApiError::Internal("an accepted renewal names no licence".into()))?;
            let old = store::licences::find(&state.db, old_id, &today)
                .await?
                .ok_or_else(|| ApiError::Internal("the licence being renewed vanished".into()))?;
            Ok(Some(LicenceToIssue {
                id,
                licence_type: LicenceType::DrivingLicence,
                holder: (stored.applicant_user_id.clone(), HolderKind::Person),
                holder_name: old.licence.summary.holder_name.clone(),
                number: old_number(&old),
                fields: old
                    .licence
                    .fields
                    .iter()
                    .map(|f| StoredField {
                        key: f.key,
                        value: f.value.clone(),
                        sensitive: f.sensitive,
                    })
                    .collect(),
                valid_until: clock::date_in_years(&today, DRIVING_LICENCE_YEARS),
                issued_on: today,
                issuing_authority: old.licence.summary.issuing_authority.clone(),
                replaces: Some(old_id.to_owned()),
            }))
        }
        ApplicationForm::FoodBusinessPermit(form) => {
            let enterprise_id = stored
                .enterprise_id
                .as_deref()
                .ok_or_else(|| ApiError::Internal("a permit application has no company".into()))?;
            let company = store::users::enterprise(&state.db, enterprise_id)
                .await?
                .ok_or_else(|| ApiError::Internal("the company vanished".into()))?;
            let legal_rep =
                match store::users::legal_representative_of(&state.db, enterprise_id).await? {
                    Some(user) => store::users::profile(&state.db, &user)
                        .await?
                        .map(|p| p.display_name),
                    None => None,
                };
            let number = permit_number()?;
            let mut fields = vec![
                field(FieldKey::Operator, &company.name),
                field(FieldKey::Uscc, &company.uscc),
                field(FieldKey::PermitNumber, &number),
            ];
            if let Some(name) = legal_rep {
                fields.push(field(FieldKey::LegalRepresentative, &name));
            }
            fields.push(field(FieldKey::Premises, form.premises_address.trim()));
            fields.push(field(FieldKey::BusinessItems, &business_items(&form.kinds)));
            let valid_until =
                clock::date_in_days(&clock::date_in_years(&today, FOOD_PERMIT_YEARS), -1);
            Ok(Some(LicenceToIssue {
                id,
                licence_type: LicenceType::FoodBusinessPermit,
                holder: (enterprise_id.to_owned(), HolderKind::Enterprise),
                holder_name: company.name.clone(),
                number,
                fields,
                issued_on: today,
                valid_until,
                issuing_authority: FOOD_PERMIT_AUTHORITY.into(),
                replaces: None,
            }))
        }
        ApplicationForm::SocialSecurityRecord(_) => Ok(None),
    }
}

/// The renewed card keeps the old card's number (a driving licence number is the holder's ID
/// number): read from its face, where the register keeps it in full.
fn old_number(old: &store::licences::StoredLicence) -> String {
    old.licence
        .fields
        .iter()
        .find(|f| f.key == FieldKey::LicenceNumber)
        .map(|f| f.value.clone())
        .unwrap_or_default()
}

fn field(key: FieldKey, value: &str) -> StoredField {
    StoredField {
        key,
        value: value.to_owned(),
        sensitive: false,
    }
}

/// What a permit's face lists for the kinds of food business, as the bureau words them.
fn business_items(kinds: &[FoodBusinessKind]) -> String {
    let mut items: Vec<&str> = Vec::new();
    for kind in kinds {
        let item = match kind {
            FoodBusinessKind::Catering => "热食类食品制售",
            FoodBusinessKind::PackagedFood => "预包装食品销售",
            FoodBusinessKind::BulkFood => "散装食品销售",
            FoodBusinessKind::Beverages => "自制饮品制售",
        };
        if !items.contains(&item) {
            items.push(item);
        }
    }
    items.join("；")
}

/// A permit number as the bureau gives them: `JY`, 1 for a food business, the Tianhe district
/// code 440106, then a seven-digit serial (random here, where a register would count).
fn permit_number() -> Result<String, ApiError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    let serial = u64::from_le_bytes(bytes) % 10_000_000;
    Ok(format!("JY1440106{serial:07}"))
}

async fn reread(state: &AppState, id: &str) -> Result<StoredApplication, ApiError> {
    stored_applications::find(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::Internal("an application vanished".into()))
}

fn invalid(detail: &str) -> ApiError {
    ApiError::InvalidApplication(detail.to_owned())
}

/// The serde name of a unit enum variant (`FormField`, `FieldProblem`), as the client reads it.
fn wire_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(q: &str) -> Vec<ServiceId> {
        let terms = search_terms(q);
        ServiceId::ALL
            .into_iter()
            .filter(|id| matches_search(*id, &terms))
            .collect()
    }

    #[test]
    fn every_service_has_searchable_words_in_every_locale() {
        for id in ServiceId::ALL {
            let text = &SEARCH_TEXT[&id];
            assert!(
                text.lines().count() >= 6,
                "{} lacks a name or keywords in some locale",
                id.as_str()
            );
        }
    }

    #[test]
    fn a_search_finds_the_service_in_any_locale_whatever_the_page_is_in() {
        for q in [
            "驾驶证",
            "駕駛執照",
            "driving",
            "  DRIVING  ",
            "driving renew",
        ] {
            assert!(
                found(q).contains(&ServiceId::DrivingLicenceRenewal),
                "{q:?} finds the renewal"
            );
        }
        assert_eq!(found("").len(), ServiceId::ALL.len());
        assert!(found("no such service anywhere").is_empty());
    }

    #[test]
    fn reasons_are_trimmed_bounded_and_cannot_disguise_themselves() {
        assert_eq!(checked_reason("  照片不清晰 ").unwrap(), "照片不清晰");
        assert!(checked_reason("第一行\n第二行").is_ok());
        for bad in [
            String::new(),
            "   ".into(),
            "长".repeat(REASON_MAX + 1),
            "通过\u{202E}驳回".into(),
            "a\u{0007}b".into(),
        ] {
            assert!(
                matches!(checked_reason(&bad), Err(ApiError::ReasonRequired)),
                "{bad:?}"
            );
        }
        assert!(checked_reason(&"长".repeat(REASON_MAX)).is_ok());
    }

    #[test]
    fn permit_numbers_look_like_the_bureaus() {
        let number = permit_number().unwrap();
        assert_eq!(number.len(), 16);
        assert!(number.starts_with("JY1440106"));
        assert!(number[2..].bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn business_items_are_listed_once_each() {
        assert_eq!(
            business_items(&[
                FoodBusinessKind::Catering,
                FoodBusinessKind::Beverages,
                FoodBusinessKind::Catering
            ]),
            "热食类食品制售；自制饮品制售"
        );
    }
}
