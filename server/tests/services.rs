//! Services as residents, company staff, legal representatives, officials and attackers use
//! them: the catalogue and its search, an application from the form to the licence in the
//! wallet, returns and second rounds, the officials' inbox, and the notifications inbox.

mod common;

use common::TestServer;
use kapok_api::{
    Application, ApplicationForm, ApplicationStatus, ApplicationUpdate, AuditAction, Decision,
    DelegationKind, DrivingLicenceRenewalForm, EXPIRY_NOTICE_DAYS, ErrorCode, FieldKey,
    FoodBusinessKind, FoodBusinessPermitForm, FormField, LicenceStatus, LicenceType,
    NewApplication, NewDelegationRequest, NotificationKind, Persona, PresentationRequest,
    RenewalReason, Scope, ServiceId, SignInRequest, SocialSecurityRecordForm, Verdict,
    client::{Client, ClientError},
};

use ApplicationStatus as S;

/// The code and HTTP status of a failed call.
fn problem<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (ErrorCode, u16) {
    match result.expect_err("the call should fail") {
        ClientError::Problem(p) => (p.code, p.status),
        other => panic!("expected a problem document, got {other}"),
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> ErrorCode {
    problem(result).0
}

/// The detail of a failed call.
fn detail<T: std::fmt::Debug>(result: Result<T, ClientError>) -> String {
    match result.expect_err("the call should fail") {
        ClientError::Problem(p) => p.detail,
        other => panic!("expected a problem document, got {other}"),
    }
}

/// Today in Guangdong, `YYYY-MM-DD`.
fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

fn iso(date: time::Date) -> String {
    date.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap()
}

/// The resident's renewal, complete, reusing her ID card and driving licence from the wallet.
fn renewal() -> DrivingLicenceRenewalForm {
    DrivingLicenceRenewalForm {
        licence_id: Some("lic-resident-dl".into()),
        identity_licence_id: Some("lic-resident-id".into()),
        reason: Some(RenewalReason::Expiring),
        health_declared: true,
        postal_address: "广州市天河区天河路385号".into(),
        phone: "138 0013 8000".into(),
    }
}

fn file(form: ApplicationForm, submit: bool) -> NewApplication {
    NewApplication {
        form,
        enterprise_id: None,
        relative_id: None,
        submit,
        idempotency_key: None,
    }
}

fn renewal_sent() -> NewApplication {
    file(ApplicationForm::DrivingLicenceRenewal(renewal()), true)
}

fn renewal_draft() -> NewApplication {
    file(ApplicationForm::DrivingLicenceRenewal(renewal()), false)
}

/// A food business permit for the demo company, reusing its business licence.
fn permit() -> NewApplication {
    NewApplication {
        form: ApplicationForm::FoodBusinessPermit(FoodBusinessPermitForm {
            business_licence_id: Some("lic-company-bl".into()),
            premises_address: "广州市天河区珠江新城华夏路10号1楼".into(),
            kinds: vec![FoodBusinessKind::Catering, FoodBusinessKind::Beverages],
            area_m2: Some(120),
            safety_manager: "周晓彤".into(),
            phone: "13912345678".into(),
        }),
        enterprise_id: Some("kapok-digital".into()),
        relative_id: None,
        submit: true,
        idempotency_key: None,
    }
}

fn record_with(identity: &str) -> ApplicationForm {
    ApplicationForm::SocialSecurityRecord(SocialSecurityRecordForm {
        identity_licence_id: Some(identity.into()),
        from_month: "2024-01".into(),
        to_month: iso(today())[..7].to_owned(),
        purpose: Some(kapok_api::RecordPurpose::Housing),
    })
}

/// A try repeated because its answer was lost (a proxy's 502 after the write, a dropped
/// connection) carries the same key and gets the same application back: nothing is filed
/// twice, no one is told twice. Another key is another application; a key out of shape is
/// refused.
#[tokio::test]
async fn a_submission_tried_again_with_its_key_is_filed_once() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let once = NewApplication {
        idempotency_key: Some("a1b2c3d4e5f6a7b8-send".into()),
        ..file(record_with("lic-resident-id"), true)
    };
    let first = resident.file_application(&once).await.unwrap();
    let again = resident.file_application(&once).await.unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.status, ApplicationStatus::Accepted);
    let mine: Vec<_> = resident
        .applications()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(mine, std::slice::from_ref(&first.id));
    let told = application_notices(&resident.notifications().await.unwrap(), &first.id);
    assert_eq!(told, [ApplicationStatus::Accepted], "told once");
    let mut tasks = 0;
    for name in ["official", "market-official"] {
        let inbox = server.signed_in(name).await.tasks().await.unwrap();
        tasks += inbox.iter().filter(|t| t.id == first.id).count();
    }
    assert_eq!(tasks, 1, "one task, not two");

    // The key is the caller's own: someone else's same key files their own.
    let elder = server.signed_in("elder").await;
    let hers = NewApplication {
        form: record_with("lic-elder-id"),
        ..once.clone()
    };
    let hers = elder.file_application(&hers).await.unwrap();
    assert_ne!(hers.id, first.id);

    let other = NewApplication {
        idempotency_key: Some("a1b2c3d4e5f6a7b8-other".into()),
        ..file(record_with("lic-resident-id"), true)
    };
    assert_ne!(
        resident.file_application(&other).await.unwrap().id,
        first.id
    );
    for bad in ["short", "has spaces in it, sixteen+", &"x".repeat(65)] {
        let bad = NewApplication {
            idempotency_key: Some(bad.into()),
            ..file(record_with("lic-resident-id"), true)
        };
        assert_eq!(
            code(resident.file_application(&bad).await),
            ErrorCode::InvalidApplication
        );
    }
    assert_eq!(resident.applications().await.unwrap().len(), 2);
}

fn approve() -> Decision {
    Decision {
        verdict: Verdict::Approve,
        reason: String::new(),
    }
}

fn with_reason(verdict: Verdict, reason: &str) -> Decision {
    Decision {
        verdict,
        reason: reason.into(),
    }
}

/// Sent back to the applicant, for something she can put right.
fn return_for_the_address() -> Decision {
    with_reason(Verdict::Return, "邮寄地址缺少门牌号，请补充。")
}

fn statuses(application: &Application) -> Vec<(ApplicationStatus, u32)> {
    application
        .timeline
        .iter()
        .map(|e| (e.status, e.round))
        .collect()
}

/// Staff holding an approved company grant for `scopes`, and the grant's id.
async fn staff_with_grant(server: &TestServer, scopes: &[Scope]) -> (Client, String) {
    server.staff_with_grant(scopes, "办理食品经营许可").await
}

/// The resident's renewal, sent, and claimed by the service-centre official.
async fn claimed_renewal(server: &TestServer) -> (Client, Client, Application) {
    let resident = server.signed_in("resident").await;
    let official = server.signed_in("official").await;
    let filed = resident.file_application(&renewal_sent()).await.unwrap();
    let claimed = official.claim(&filed.id).await.unwrap();
    (resident, official, claimed)
}

fn application_notices(notices: &kapok_api::Notifications, id: &str) -> Vec<ApplicationStatus> {
    notices
        .items
        .iter()
        .filter_map(|n| match &n.kind {
            NotificationKind::Application {
                application_id,
                status,
                ..
            } if application_id == id => Some(*status),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_resident_renews_her_driving_licence_and_the_new_card_replaces_the_old_in_her_wallet() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let old = resident.licence("lic-resident-dl").await.unwrap();
    assert_eq!(old.summary.status, LicenceStatus::Expiring);

    let filed = resident.file_application(&renewal_sent()).await.unwrap();
    assert_eq!(filed.service, ServiceId::DrivingLicenceRenewal);
    assert_eq!(filed.status, S::Accepted, "accepted at once (受理)");
    assert_eq!(filed.applicant_name, "陈嘉欣");
    assert_eq!(filed.enterprise_name, None);
    assert_eq!(statuses(&filed), [(S::Submitted, 1), (S::Accepted, 1)]);
    assert_eq!(filed.timeline[0].actor_name.as_deref(), Some("陈嘉欣"));
    assert_eq!(filed.timeline[1].actor_name, None, "the system accepts");

    // The service centre's official finds it in the inbox, takes it and approves it.
    let official = server.signed_in("official").await;
    let inbox = official.tasks().await.unwrap();
    assert_eq!(
        inbox.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [filed.id.as_str()]
    );
    let claimed = official.claim(&filed.id).await.unwrap();
    assert_eq!(claimed.status, S::UnderReview);
    assert_eq!(claimed.handler_name.as_deref(), Some("王丽华"));
    // The one deciding is told by who they are, not by the name shown.
    assert!(claimed.handled_by_caller);
    assert!(official.tasks().await.unwrap()[0].handled_by_caller);
    // The official sees which licences the form took from her wallet, as the register has
    // them, without access to the wallet.
    let reused: Vec<_> = claimed
        .reused
        .iter()
        .map(|r| {
            (
                r.field,
                r.licence.id.as_str(),
                r.licence.number_masked.as_str(),
            )
        })
        .collect();
    assert_eq!(
        reused,
        [
            (
                FormField::Licence,
                "lic-resident-dl",
                old.summary.number_masked.as_str()
            ),
            (FormField::Identity, "lic-resident-id", "4401**********2324"),
        ]
    );
    assert_eq!(inbox[0].reused, claimed.reused, "in the inbox's list too");
    let decided = official.decide(&filed.id, &approve()).await.unwrap();
    assert_eq!(decided.status, S::Issued);
    let new_id = decided.issued_licence_id.clone().expect("a licence issued");

    // The applicant follows every step.
    let seen = resident.application(&filed.id).await.unwrap();
    assert!(!seen.handled_by_caller);
    assert_eq!(
        statuses(&seen),
        [
            (S::Submitted, 1),
            (S::Accepted, 1),
            (S::UnderReview, 1),
            (S::Approved, 1),
            (S::Issued, 1)
        ]
    );
    assert_eq!(seen.timeline[2].actor_name.as_deref(), Some("王丽华"));
    assert_eq!(seen.timeline[3].actor_name.as_deref(), Some("王丽华"));
    assert_eq!(
        resident.applications().await.unwrap(),
        std::slice::from_ref(&seen)
    );
    assert!(
        official.tasks().await.unwrap().is_empty(),
        "decided work leaves the inbox"
    );

    // She was told of each step, and the inbox is still there after signing out and in.
    let told = application_notices(&resident.notifications().await.unwrap(), &filed.id);
    assert_eq!(
        told,
        [S::Issued, S::UnderReview, S::Accepted],
        "newest first"
    );
    resident.sign_out().await.unwrap();
    assert_eq!(
        code(resident.notifications().await),
        ErrorCode::Unauthenticated
    );
    let resident = server.signed_in("resident").await;
    let notices = resident.notifications().await.unwrap();
    assert_eq!(application_notices(&notices, &filed.id), told);
    assert!(notices.unread >= 3);

    // The new card: same number and classes, issued today for six years, and presentable.
    let renewed = resident.licence(&new_id).await.unwrap();
    assert_eq!(renewed.summary.licence_type, LicenceType::DrivingLicence);
    assert_eq!(renewed.summary.status, LicenceStatus::Valid);
    assert_eq!(renewed.summary.issued_on, iso(today()));
    let in_six_years = today().replace_year(today().year() + 6).unwrap_or(today());
    assert_eq!(renewed.summary.valid_until, Some(iso(in_six_years)));
    assert_eq!(renewed.summary.number_masked, old.summary.number_masked);
    assert_eq!(renewed.fields, old.fields);
    let codes = resident
        .present(&new_id, &PresentationRequest { count: Some(1) })
        .await
        .unwrap();
    assert_eq!(codes.len(), 1);

    // The old card is revoked: the wallet shows it so, and it gives no more codes.
    let wallet = resident.wallet().await.unwrap();
    let status_of = |id: &str| wallet.iter().find(|l| l.id == id).map(|l| l.status);
    assert_eq!(status_of("lic-resident-dl"), Some(LicenceStatus::Revoked));
    assert_eq!(status_of(&new_id), Some(LicenceStatus::Valid));
    assert_eq!(
        problem(
            resident
                .present("lic-resident-dl", &PresentationRequest::default())
                .await
        ),
        (ErrorCode::LicenceRevoked, 410)
    );
}

#[tokio::test]
async fn a_returned_application_is_corrected_and_sent_again_in_a_second_round() {
    let server = TestServer::start().await;
    let (resident, official, claimed) = claimed_renewal(&server).await;
    let id = claimed.id.clone();

    // A return needs a reason the applicant can act on.
    // Zero-width characters alone would show the applicant "Reason:" and nothing after it.
    for reason in [
        "",
        "   ",
        "地址\u{202E}不详",
        "\u{200B}\u{200B}",
        "\u{2060}\u{FEFF} ",
    ] {
        assert_eq!(
            problem(
                official
                    .decide(&id, &with_reason(Verdict::Return, reason))
                    .await
            ),
            (ErrorCode::ReasonRequired, 422),
            "{reason:?}"
        );
    }
    let too_long = "长".repeat(kapok_api::REASON_MAX + 1);
    assert_eq!(
        code(
            official
                .decide(&id, &with_reason(Verdict::Return, &too_long))
                .await
        ),
        ErrorCode::ReasonRequired
    );
    let returned = official
        .decide(
            &id,
            &with_reason(Verdict::Return, " 邮寄地址缺少门牌号，请补充。 "),
        )
        .await
        .unwrap();
    assert_eq!(returned.status, S::Returned);
    let last = returned.timeline.last().unwrap();
    assert_eq!(last.reason.as_deref(), Some("邮寄地址缺少门牌号，请补充。"));
    assert_eq!(last.actor_name.as_deref(), Some("王丽华"));

    // The applicant saves a correction first, then sends it.
    let mut corrected = renewal();
    corrected.postal_address = "广州市天河区天河路385号太古汇1座1201室".into();
    let saved = resident
        .update_application(
            &id,
            &ApplicationUpdate {
                form: ApplicationForm::DrivingLicenceRenewal(corrected.clone()),
                submit: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(saved.status, S::Returned, "saved, not sent");
    assert_eq!(saved.round, 1);
    let sent = resident
        .update_application(
            &id,
            &ApplicationUpdate {
                form: ApplicationForm::DrivingLicenceRenewal(corrected.clone()),
                submit: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(sent.status, S::Accepted);
    assert_eq!(sent.round, 2);
    assert_eq!(sent.handler_name, None, "waiting to be claimed again");
    assert_eq!(sent.form, ApplicationForm::DrivingLicenceRenewal(corrected));
    assert_eq!(
        statuses(&sent),
        [
            (S::Submitted, 1),
            (S::Accepted, 1),
            (S::UnderReview, 1),
            (S::Returned, 1),
            (S::Submitted, 2),
            (S::Accepted, 2)
        ]
    );

    // The second round is worked like the first.
    official.claim(&id).await.unwrap();
    let rejected = official
        .decide(
            &id,
            &with_reason(Verdict::Reject, "健康申报与体检记录不符。"),
        )
        .await
        .unwrap();
    assert_eq!(rejected.status, S::Rejected);
    assert_eq!(rejected.timeline.last().unwrap().round, 2);
    assert_eq!(rejected.issued_licence_id, None);
    let told = application_notices(&resident.notifications().await.unwrap(), &id);
    assert_eq!(
        told,
        [
            S::Rejected,
            S::UnderReview,
            S::Accepted,
            S::Returned,
            S::UnderReview,
            S::Accepted
        ]
    );
    // A rejected renewal leaves the old card as it was.
    assert_eq!(
        resident
            .licence("lic-resident-dl")
            .await
            .unwrap()
            .summary
            .status,
        LicenceStatus::Expiring
    );
}

/// Makes the database refuse every new application, as a full disk or a broken connection
/// would refuse the insert; `false` lifts it.
async fn refuse_new_applications(server: &TestServer, refuse: bool) {
    let statements: &[&str] = match (common::postgres().is_some(), refuse) {
        (false, true) => &["CREATE TRIGGER refuse_filing BEFORE INSERT ON applications
             BEGIN SELECT RAISE(ABORT, 'refused'); END"],
        (false, false) => &["DROP TRIGGER refuse_filing"],
        (true, true) => &[
            "CREATE FUNCTION refuse_filing() RETURNS trigger LANGUAGE plpgsql
             AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
            "CREATE TRIGGER refuse_filing BEFORE INSERT ON applications
             FOR EACH ROW EXECUTE FUNCTION refuse_filing()",
        ],
        (true, false) => &["DROP TRIGGER refuse_filing ON applications"],
    };
    for statement in statements {
        sqlx::query(statement).execute(&server.db).await.unwrap();
    }
}

#[tokio::test]
async fn a_filing_under_a_grant_that_the_database_refuses_leaves_no_record_of_a_use() {
    let server = TestServer::start().await;
    let (staff, grant) = staff_with_grant(&server, &[Scope::Applications]).await;
    let legal_rep = server.signed_in("legal-rep").await;
    let used = |audit: &[kapok_api::AuditEntry]| {
        audit
            .iter()
            .filter(|e| e.action == AuditAction::GrantUsed)
            .map(|e| e.detail.clone())
            .collect::<Vec<_>>()
    };
    let told = |notices: &kapok_api::Notifications| {
        notices
            .items
            .iter()
            .filter(|n| matches!(n.kind, NotificationKind::DelegationUse { .. }))
            .count()
    };

    refuse_new_applications(&server, true).await;
    assert!(staff.file_application(&permit()).await.is_err());
    assert!(staff.applications().await.unwrap().is_empty());
    assert_eq!(
        used(&staff.audit(Some(&grant)).await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(told(&legal_rep.notifications().await.unwrap()), 0);

    // Once the database takes it, the filing and its record come together.
    refuse_new_applications(&server, false).await;
    let filed = staff.file_application(&permit()).await.unwrap();
    assert_eq!(
        used(&staff.audit(Some(&grant)).await.unwrap()),
        [format!("application:file:{}", filed.id)]
    );
    assert_eq!(told(&legal_rep.notifications().await.unwrap()), 1);
}

#[tokio::test]
async fn staff_with_an_applications_grant_files_the_food_permit_and_the_bureau_issues_it() {
    let server = TestServer::start().await;
    let (staff, grant) = staff_with_grant(&server, &[Scope::Applications]).await;
    let filed = staff.file_application(&permit()).await.unwrap();
    assert_eq!(filed.status, S::Accepted);
    assert_eq!(filed.applicant_name, "周晓彤");
    assert_eq!(
        filed.enterprise_name.as_deref(),
        Some("广州木棉数字科技有限公司")
    );

    // The use of the grant is audited, and the legal representative is told of it and of the
    // application.
    let audit = staff.audit(Some(&grant)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == AuditAction::GrantUsed
        && e.detail == format!("application:file:{}", filed.id)));
    let legal_rep = server.signed_in("legal-rep").await;
    let notices = legal_rep.notifications().await.unwrap();
    assert_eq!(application_notices(&notices, &filed.id), [S::Accepted]);
    assert!(notices.items.iter().any(|n| matches!(
        &n.kind,
        NotificationKind::DelegationUse { grant_id, actor_name }
            if *grant_id == grant && actor_name == "周晓彤"
    )));
    assert_eq!(legal_rep.applications().await.unwrap()[0].id, filed.id);
    assert_eq!(staff.applications().await.unwrap()[0].id, filed.id);

    // The market-regulation bureau decides; the permit lands in the company's wallet.
    let bureau = server.signed_in("market-official").await;
    assert_eq!(bureau.tasks().await.unwrap()[0].id, filed.id);
    bureau.claim(&filed.id).await.unwrap();
    let issued = bureau.decide(&filed.id, &approve()).await.unwrap();
    assert_eq!(issued.status, S::Issued);
    let permit_id = issued.issued_licence_id.unwrap();
    let permit = legal_rep.licence(&permit_id).await.unwrap();
    assert_eq!(permit.summary.licence_type, LicenceType::FoodBusinessPermit);
    assert_eq!(permit.summary.holder_name, "广州木棉数字科技有限公司");
    assert_eq!(permit.summary.status, LicenceStatus::Valid);
    let face = |key: FieldKey| {
        permit
            .fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(face(FieldKey::Operator), "广州木棉数字科技有限公司");
    assert!(kapok_api::uscc::is_valid(&face(FieldKey::Uscc)));
    assert_eq!(
        face(FieldKey::Premises),
        "广州市天河区珠江新城华夏路10号1楼"
    );
    assert_eq!(
        face(FieldKey::BusinessItems),
        "热食类食品制售；自制饮品制售"
    );
    assert_eq!(face(FieldKey::LegalRepresentative), "梁国栋");
    let number = face(FieldKey::PermitNumber);
    assert!(
        number.starts_with("JY1440106") && number.len() == 16,
        "{number}"
    );
    legal_rep
        .present(&permit_id, &PresentationRequest::default())
        .await
        .unwrap();
    let told = application_notices(&staff.notifications().await.unwrap(), &filed.id);
    assert_eq!(told[0], S::Issued);
}

#[tokio::test]
async fn staff_without_the_applications_scope_are_told_so_and_strangers_learn_nothing() {
    let server = TestServer::start().await;
    // Staff of the company with no grant at all, then with one for licences only.
    let staff = server.signed_in("staff").await;
    assert_eq!(
        problem(staff.file_application(&permit()).await),
        (ErrorCode::ScopeNotGranted, 403)
    );
    let (staff, grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    assert_eq!(
        problem(staff.file_application(&permit()).await),
        (ErrorCode::ScopeNotGranted, 403)
    );
    // A company application she cannot follow either, nor find in her list.
    let legal_rep = server.signed_in("legal-rep").await;
    let filed = legal_rep.file_application(&permit()).await.unwrap();
    assert_eq!(
        code(staff.application(&filed.id).await),
        ErrorCode::ScopeNotGranted
    );
    assert!(staff.applications().await.unwrap().is_empty());
    // Revoked authority bites on the next request.
    let (staff, grant_with_scope) = staff_with_grant(&server, &[Scope::Applications]).await;
    staff.application(&filed.id).await.unwrap();
    let keyed = NewApplication {
        submit: false,
        idempotency_key: Some("a1b2c3d4e5f6a7b8-staff".into()),
        ..permit()
    };
    staff.file_application(&keyed).await.unwrap();
    legal_rep.revoke_grant(&grant_with_scope).await.unwrap();
    legal_rep.revoke_grant(&grant).await.unwrap();
    assert_eq!(
        code(staff.file_application(&permit()).await),
        ErrorCode::GrantRevoked
    );
    // Nor does sending her own filing again, with its key, show it to her as it is now.
    assert_eq!(
        code(staff.file_application(&keyed).await),
        ErrorCode::GrantRevoked
    );
    assert_eq!(
        code(staff.application(&filed.id).await),
        ErrorCode::GrantRevoked
    );

    // Someone who does not work for the company is not told it exists.
    let resident = server.signed_in("resident").await;
    assert_eq!(
        problem(resident.file_application(&permit()).await),
        (ErrorCode::NotFound, 404)
    );
    assert_eq!(
        code(resident.application(&filed.id).await),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn each_department_sees_and_claims_only_its_own_applications() {
    let server = TestServer::start().await;
    let legal_rep = server.signed_in("legal-rep").await;
    let company = legal_rep.file_application(&permit()).await.unwrap();
    let resident = server.signed_in("resident").await;
    let personal = resident.file_application(&renewal_sent()).await.unwrap();

    let centre = server.signed_in("official").await;
    let bureau = server.signed_in("market-official").await;
    for (official, own, other) in [
        (&centre, &personal.id, &company.id),
        (&bureau, &company.id, &personal.id),
    ] {
        let inbox: Vec<String> = official
            .tasks()
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(inbox, std::slice::from_ref(own));
        assert_eq!(
            problem(official.application(other).await),
            (ErrorCode::NotFound, 404)
        );
        assert_eq!(code(official.claim(other).await), ErrorCode::NotFound);
        assert_eq!(
            code(official.decide(other, &approve()).await),
            ErrorCode::NotFound
        );
        assert_eq!(official.application(own).await.unwrap().id, *own);
        assert_eq!(official.claim(own).await.unwrap().status, S::UnderReview);
    }
    assert_eq!(
        bureau.me().await.unwrap().user.department,
        Some(kapok_api::Department::MarketRegulation)
    );
    assert_eq!(
        centre.me().await.unwrap().user.department,
        Some(kapok_api::Department::ServiceCentre)
    );
}

#[tokio::test]
async fn nobody_else_reads_or_touches_an_application_and_officials_never_see_drafts() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let draft = resident.file_application(&renewal_draft()).await.unwrap();
    let sent = resident.file_application(&renewal_sent()).await.unwrap();
    let stranger = server.signed_in("hk-resident").await;
    let staff = server.signed_in("staff").await;
    for other in [&stranger, &staff] {
        for id in [&draft.id, &sent.id] {
            assert_eq!(
                problem(other.application(id).await),
                (ErrorCode::NotFound, 404)
            );
            assert_eq!(
                code(
                    other
                        .update_application(
                            id,
                            &ApplicationUpdate {
                                form: ApplicationForm::DrivingLicenceRenewal(renewal()),
                                submit: true,
                            }
                        )
                        .await
                ),
                ErrorCode::NotFound
            );
            assert_eq!(
                code(other.delete_application(id).await),
                ErrorCode::NotFound
            );
            assert_eq!(code(other.claim(id).await), ErrorCode::NotFound);
        }
        assert!(other.applications().await.unwrap().is_empty());
    }
    let official = server.signed_in("official").await;
    assert_eq!(
        code(official.application(&draft.id).await),
        ErrorCode::NotFound
    );
    assert_eq!(code(official.claim(&draft.id).await), ErrorCode::NotFound);
    assert!(
        official
            .tasks()
            .await
            .unwrap()
            .iter()
            .all(|a| a.id != draft.id)
    );
    // Officials follow what they decide, but do not change or delete it; applicants do not
    // claim their own.
    official.application(&sent.id).await.unwrap();
    assert_eq!(
        code(official.delete_application(&sent.id).await),
        ErrorCode::NotFound
    );
    assert_eq!(code(resident.claim(&sent.id).await), ErrorCode::NotFound);
    assert_eq!(
        code(resident.decide(&sent.id, &approve()).await),
        ErrorCode::NotFound
    );
    // The inbox is for officials.
    for who in [&resident, &stranger, &staff] {
        assert_eq!(problem(who.tasks().await), (ErrorCode::Forbidden, 403));
    }
    assert_eq!(
        code(server.client().tasks().await),
        ErrorCode::Unauthenticated
    );
}

#[tokio::test]
async fn steps_taken_out_of_order_are_refused_as_moved_on() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let official = server.signed_in("official").await;
    let moved_on = (ErrorCode::ApplicationMovedOn, 409);

    // Deciding what nobody claimed; claiming twice.
    let sent = resident.file_application(&renewal_sent()).await.unwrap();
    assert_eq!(
        problem(official.decide(&sent.id, &approve()).await),
        moved_on
    );
    official.claim(&sent.id).await.unwrap();
    assert_eq!(problem(official.claim(&sent.id).await), moved_on);

    // Changing or deleting what was sent.
    let update = ApplicationUpdate {
        form: ApplicationForm::DrivingLicenceRenewal(renewal()),
        submit: false,
    };
    assert_eq!(
        problem(resident.update_application(&sent.id, &update).await),
        moved_on
    );
    assert_eq!(
        problem(resident.delete_application(&sent.id).await),
        moved_on
    );

    // Approving what was rejected; deciding twice.
    official
        .decide(&sent.id, &with_reason(Verdict::Reject, "材料不符。"))
        .await
        .unwrap();
    assert_eq!(
        problem(official.decide(&sent.id, &approve()).await),
        moved_on
    );
    assert_eq!(
        problem(
            official
                .decide(&sent.id, &with_reason(Verdict::Return, "再看看。"))
                .await
        ),
        moved_on
    );
    assert_eq!(problem(official.claim(&sent.id).await), moved_on);
    assert_eq!(
        problem(resident.update_application(&sent.id, &update).await),
        moved_on
    );

    // Only the handler decides: another official of the same department is told it moved on.
    let other = resident.file_application(&renewal_sent()).await.unwrap();
    official.claim(&other.id).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, display_name, persona, preferred_locale,
                            prefers_elderly_mode, department, created_at)
         SELECT 'official-2', 'official-2', password_hash, '赵文静', 'official', 'zh-CN', 0,
                'service_centre', created_at
         FROM users WHERE id = 'official'",
    )
    .execute(&server.db)
    .await
    .unwrap();
    let colleague = server.signed_in("official-2").await;
    assert_eq!(
        problem(colleague.decide(&other.id, &approve()).await),
        moved_on
    );
    assert_eq!(problem(colleague.claim(&other.id).await), moved_on);

    // A draft is deleted once; then it is gone.
    let draft = resident.file_application(&renewal_draft()).await.unwrap();
    resident.delete_application(&draft.id).await.unwrap();
    assert_eq!(
        code(resident.application(&draft.id).await),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn of_many_simultaneous_approvals_exactly_one_is_taken() {
    let server = TestServer::start().await;
    let (resident, official, claimed) = claimed_renewal(&server).await;
    let mut decisions = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (official, id) = (official.clone(), claimed.id.clone());
        decisions.spawn(async move { official.decide(&id, &approve()).await });
    }
    let mut taken = 0;
    while let Some(result) = decisions.join_next().await {
        match result.unwrap() {
            Ok(application) => {
                assert_eq!(application.status, S::Issued);
                taken += 1;
            }
            Err(e) => assert_eq!(
                e.code(),
                Some(ErrorCode::ApplicationMovedOn),
                "the others are told it moved on: {e}"
            ),
        }
    }
    assert_eq!(taken, 1);
    let decided = resident.application(&claimed.id).await.unwrap();
    let approvals = decided
        .timeline
        .iter()
        .filter(|e| e.status == S::Approved)
        .count();
    assert_eq!(approvals, 1);
    let driving_licences = resident
        .wallet()
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.licence_type == LicenceType::DrivingLicence)
        .count();
    assert_eq!(driving_licences, 2, "the old card and exactly one new one");
}

#[tokio::test]
async fn an_incomplete_form_is_refused_when_sent_but_a_draft_with_gaps_saves() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let empty = ApplicationForm::empty(ServiceId::DrivingLicenceRenewal).unwrap();

    let refused = resident.file_application(&file(empty.clone(), true)).await;
    let why = detail(refused);
    for field in [
        "licence: required",
        "identity: required",
        "reason: required",
        "health_declared: required",
        "postal_address: required",
        "phone: required",
    ] {
        assert!(why.contains(field), "{why:?} names {field}");
    }
    let mut bad_phone = renewal();
    bad_phone.phone = "12345".into();
    assert_eq!(
        problem(
            resident
                .file_application(&file(
                    ApplicationForm::DrivingLicenceRenewal(bad_phone),
                    true
                ))
                .await
        ),
        (ErrorCode::InvalidApplication, 422)
    );

    // A draft may have gaps, but not text that disguises itself.
    let draft = resident
        .file_application(&file(empty, false))
        .await
        .unwrap();
    assert_eq!(draft.status, S::Draft);
    assert!(draft.timeline.is_empty());
    let disguised = DrivingLicenceRenewalForm {
        postal_address: "天河路\u{202E}583号".into(),
        ..Default::default()
    };
    let why = detail(
        resident
            .file_application(&file(
                ApplicationForm::DrivingLicenceRenewal(disguised),
                false,
            ))
            .await,
    );
    assert_eq!(why, "postal_address: bad_characters");

    // Reused licences must be the applicant's own, of the kind the field takes, and in force.
    let mut wrong_kind = renewal();
    wrong_kind.identity_licence_id = Some("lic-resident-ssc".into());
    let mut not_hers = renewal();
    not_hers.identity_licence_id = Some("lic-elder-id".into());
    let mut made_up = renewal();
    made_up.licence_id = Some("lic-nobody".into());
    for (form, expected) in [
        (wrong_kind, "identity: wrong_licence_type"),
        (not_hers, "identity: not_in_wallet"),
        (made_up, "licence: not_in_wallet"),
    ] {
        for submit in [true, false] {
            let result = resident
                .file_application(&file(
                    ApplicationForm::DrivingLicenceRenewal(form.clone()),
                    submit,
                ))
                .await;
            assert_eq!(detail(result), expected);
        }
    }
    // A company's business licence is not the resident's to reuse, and a residents' service
    // is not filed for a company.
    let mut for_company = renewal_sent();
    for_company.enterprise_id = Some("kapok-digital".into());
    assert_eq!(
        detail(resident.file_application(&for_company).await),
        "enterprise_id: not_for_this_service"
    );
    let mut permit_for_nobody = permit();
    permit_for_nobody.enterprise_id = None;
    assert_eq!(
        detail(
            server
                .signed_in("legal-rep")
                .await
                .file_application(&permit_for_nobody)
                .await
        ),
        "enterprise_id: required"
    );
    // The elder's expired driving licence may be renewed; an expired ID card is no identity.
    let elder = server.signed_in("elder").await;
    let mut elders = renewal();
    elders.licence_id = Some("lic-elder-dl".into());
    elders.identity_licence_id = Some("lic-elder-id".into());
    let filed = elder
        .file_application(&file(ApplicationForm::DrivingLicenceRenewal(elders), true))
        .await
        .unwrap();
    assert_eq!(filed.status, S::Accepted);

    // The form of another service does not replace a draft's.
    let other_service = ApplicationUpdate {
        form: ApplicationForm::SocialSecurityRecord(SocialSecurityRecordForm::default()),
        submit: false,
    };
    assert_eq!(
        detail(resident.update_application(&draft.id, &other_service).await),
        "form: other_service"
    );
    // Filling the draft in and sending it works.
    let sent = resident
        .update_application(
            &draft.id,
            &ApplicationUpdate {
                form: ApplicationForm::DrivingLicenceRenewal(renewal()),
                submit: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(statuses(&sent), [(S::Submitted, 1), (S::Accepted, 1)]);
}

#[tokio::test]
async fn officials_do_not_file_and_each_persona_files_only_its_own_services() {
    let server = TestServer::start().await;
    for official in ["official", "market-official"] {
        let official = server.signed_in(official).await;
        assert_eq!(
            problem(official.file_application(&renewal_sent()).await),
            (ErrorCode::Forbidden, 403)
        );
        assert_eq!(
            code(official.file_application(&permit()).await),
            ErrorCode::Forbidden
        );
    }
    let legal_rep = server.signed_in("legal-rep").await;
    assert_eq!(
        code(legal_rep.file_application(&renewal_sent()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(server.client().file_application(&renewal_sent()).await),
        ErrorCode::Unauthenticated
    );
}

#[tokio::test]
async fn the_catalogue_is_the_shell_s_and_a_search_in_any_locale_finds_a_service() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let all = resident.services("").await.unwrap();
    assert!(!all.is_empty());
    assert!(all.iter().all(|s| s.persona == Persona::Resident));
    let first_other = all
        .iter()
        .position(|s| !s.high_frequency)
        .unwrap_or(all.len());
    assert!(all[first_other..].iter().all(|s| !s.high_frequency));

    for q in [
        "驾驶证",
        "駕駛執照",
        "driving",
        " Driving ",
        "DRIVING licence",
    ] {
        let found = resident.services(q).await.unwrap();
        assert!(
            found
                .iter()
                .any(|s| s.id == ServiceId::DrivingLicenceRenewal),
            "{q:?} finds the renewal"
        );
        assert!(
            found.len() < all.len() || all.len() == 1,
            "{q:?} narrows the list"
        );
    }
    assert!(resident.services("量子计算机").await.unwrap().is_empty());
    // The company's services are not in a resident's catalogue, whatever is searched.
    assert!(
        resident
            .services("food")
            .await
            .unwrap()
            .iter()
            .all(|s| s.persona == Persona::Resident)
    );

    let staff = server.signed_in("staff").await;
    let company = staff.services("食品").await.unwrap();
    assert_eq!(company[0].id, ServiceId::FoodBusinessPermit);
    assert!(
        staff
            .services("")
            .await
            .unwrap()
            .iter()
            .all(|s| s.persona == Persona::Enterprise)
    );
    let everything = server.client().services("").await.unwrap();
    assert_eq!(everything.len(), ServiceId::ALL.len());
    assert_eq!(
        server
            .signed_in("official")
            .await
            .services("")
            .await
            .unwrap(),
        everything
    );
}

#[tokio::test]
async fn malformed_bodies_get_a_problem_never_a_server_error() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let filed = resident.file_application(&renewal_sent()).await.unwrap();
    let cookie = resident.session_cookie().unwrap();
    let bodies = [
        "{",
        "[]",
        "null",
        r#"{"form": {"service": "time_travel"}}"#,
        r#"{"form": {"service": "household_move"}, "submit": true}"#,
        r#"{"form": {"service": "driving_licence_renewal", "reason": "bored"}}"#,
        r#"{"form": {"service": "food_business_permit", "area_m2": -5}}"#,
        r#"{"form": {"service": "driving_licence_renewal"}, "submit": "yes"}"#,
        r#"{"verdict": "shrug"}"#,
        r#"{"verdict": "approve", "reason": 5}"#,
    ];
    let targets = [
        ("POST", "/api/v1/applications".to_owned()),
        ("PUT", format!("/api/v1/applications/{}", filed.id)),
        (
            "POST",
            format!("/api/v1/applications/{}/decision", filed.id),
        ),
    ];
    for (method, path) in &targets {
        for body in bodies {
            let response = server
                .raw()
                .request(method.parse().unwrap(), server.url(path))
                .header("cookie", &cookie)
                .header("origin", &server.base)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("an answer, not a dropped connection");
            let status = response.status().as_u16();
            assert!(
                (400..500).contains(&status),
                "{method} {path} {body:?} answered {status}"
            );
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{method} {path} {body:?}"
            );
        }
    }
    // A query that is not text is no trouble either.
    let response = server
        .raw()
        .get(server.url("/api/v1/services?q=%FF%FE&q=2"))
        .send()
        .await
        .unwrap();
    assert!(response.status().as_u16() < 500);
}

#[tokio::test]
async fn a_licence_about_to_run_out_is_announced_once() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let expiring = |notices: &kapok_api::Notifications| -> Vec<(String, String)> {
        notices
            .items
            .iter()
            .filter_map(|n| match &n.kind {
                NotificationKind::LicenceExpiring {
                    licence_id,
                    valid_until,
                    ..
                } => Some((licence_id.clone(), valid_until.clone())),
                _ => None,
            })
            .collect()
    };
    let first = resident.notifications().await.unwrap();
    let second = resident.notifications().await.unwrap();
    let until =
        iso(today() + time::Duration::days(kapok_server::seed::RESIDENT_DRIVING_LICENCE_DAYS_LEFT));
    assert_eq!(expiring(&first), [("lic-resident-dl".to_owned(), until)]);
    assert_eq!(
        expiring(&second),
        expiring(&first),
        "once, however often she looks"
    );
    assert_eq!(second.unread, 1);
    const { assert!(kapok_server::seed::RESIDENT_DRIVING_LICENCE_DAYS_LEFT <= EXPIRY_NOTICE_DAYS) };

    // Reading it is hers alone.
    let id = first.items[0].id.clone();
    let stranger = server.signed_in("hk-resident").await;
    assert_eq!(
        problem(stranger.mark_read(&id).await),
        (ErrorCode::NotFound, 404)
    );
    assert_eq!(
        code(resident.mark_read("no-such-notice").await),
        ErrorCode::NotFound
    );
    resident.mark_read(&id).await.unwrap();
    resident.mark_read(&id).await.unwrap();
    let read = resident.notifications().await.unwrap();
    assert_eq!(read.unread, 0);
    assert!(read.items[0].read);
    assert_eq!(
        expiring(&read).len(),
        1,
        "reading it does not bring it back"
    );

    // Nothing to announce for someone whose licences are far from their end (or past it).
    assert!(stranger.notifications().await.unwrap().items.is_empty());
    let elder = server.signed_in("elder").await;
    assert!(
        expiring(&elder.notifications().await.unwrap())
            .iter()
            .all(|(id, _)| id != "lic-elder-dl"),
        "an expired licence is past announcing"
    );
}

#[tokio::test]
async fn read_all_clears_the_count_and_leaves_the_notices() {
    let server = TestServer::start().await;
    let (resident, _official, _claimed) = claimed_renewal(&server).await;
    let before = resident.notifications().await.unwrap();
    assert!(before.unread >= 3);
    resident.mark_all_read().await.unwrap();
    let after = resident.notifications().await.unwrap();
    assert_eq!(after.unread, 0);
    assert_eq!(after.items.len(), before.items.len());
    assert!(after.items.iter().all(|n| n.read));
}

#[tokio::test]
async fn a_request_for_authority_and_each_day_s_use_of_it_reach_the_legal_representative() {
    let server = TestServer::start().await;
    let (staff, grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    let legal_rep = server.signed_in("legal-rep").await;
    let notices = legal_rep.notifications().await.unwrap();
    let requests: Vec<_> = notices
        .items
        .iter()
        .filter_map(|n| match &n.kind {
            NotificationKind::DelegationRequest {
                request_id,
                requester_name,
            } => Some((request_id.clone(), requester_name.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].1, "周晓彤");
    let grants = legal_rep.grants().await.unwrap();
    assert_eq!(grants.given[0].request_id, requests[0].0);

    // Staff uses the grant several times today: the legal representative hears of it once.
    for _ in 0..3 {
        staff.wallet().await.unwrap();
        staff.licence("lic-company-bl").await.unwrap();
    }
    let uses = legal_rep
        .notifications()
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|n| matches!(&n.kind, NotificationKind::DelegationUse { grant_id, .. } if *grant_id == grant))
        .count();
    assert_eq!(uses, 1);
    // Staff themselves are not told of their own use.
    assert!(
        staff
            .notifications()
            .await
            .unwrap()
            .items
            .iter()
            .all(|n| !matches!(n.kind, NotificationKind::DelegationUse { .. }))
    );

    // A family request reaches the relative.
    let resident = server.signed_in("resident").await;
    resident
        .create_delegation_request(&NewDelegationRequest {
            kind: DelegationKind::Family,
            principal: "elder".into(),
            scopes: vec![Scope::PresentLicences],
            valid_from: None,
            valid_until: None,
            note: String::new(),
            idempotency_key: None,
        })
        .await
        .unwrap();
    let elder = server.signed_in("elder").await;
    assert!(elder.notifications().await.unwrap().items.iter().any(|n| matches!(
        &n.kind,
        NotificationKind::DelegationRequest { requester_name, .. } if requester_name == "陈嘉欣"
    )));
}

#[tokio::test]
async fn the_demo_has_a_market_regulation_official_to_sign_in_as() {
    let server = TestServer::start().await;
    let demo = server.client().demo_accounts().await.unwrap();
    let bureau = demo
        .accounts
        .iter()
        .find(|a| a.username == "market-official")
        .expect("listed on the sign-in page");
    assert_eq!(bureau.persona, Persona::Official);
    let me = server
        .client()
        .sign_in(&SignInRequest {
            username: "market-official".into(),
            password: demo.password.clone(),
        })
        .await
        .unwrap();
    assert_eq!(me.user.display_name, bureau.display_name);
}

#[tokio::test]
async fn a_timeline_cannot_be_rewritten_even_by_hand() {
    let server = TestServer::start().await;
    let (_resident, _official, claimed) = claimed_renewal(&server).await;
    for statement in [
        "UPDATE application_events SET reason = 'nothing happened'",
        "DELETE FROM application_events",
    ] {
        assert!(
            sqlx::query(statement).execute(&server.db).await.is_err(),
            "{statement}"
        );
    }
    let steps: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM application_events WHERE application_id = $1")
            .bind(&claimed.id)
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(steps, 3);
}

#[test]
fn the_openapi_document_describes_services_and_notifications() {
    let doc: serde_json::Value = serde_json::from_str(&kapok_server::openapi_json()).unwrap();
    let paths = &doc["paths"];
    for (path, method, tag) in [
        ("/api/v1/services", "get", "services"),
        ("/api/v1/applications", "post", "services"),
        ("/api/v1/applications", "get", "services"),
        ("/api/v1/applications/{id}", "get", "services"),
        ("/api/v1/applications/{id}", "put", "services"),
        ("/api/v1/applications/{id}", "delete", "services"),
        ("/api/v1/tasks", "get", "services"),
        ("/api/v1/applications/{id}/claim", "post", "services"),
        ("/api/v1/applications/{id}/decision", "post", "services"),
        ("/api/v1/notifications", "get", "notifications"),
        ("/api/v1/notifications/{id}/read", "post", "notifications"),
        ("/api/v1/notifications/read-all", "post", "notifications"),
    ] {
        assert_eq!(paths[path][method]["tags"][0], tag, "{method} {path}");
    }
    assert!(
        paths["/api/v1/applications"]["post"]["responses"]["201"].is_object(),
        "filing answers 201 Created"
    );
    for schema in [
        "Application",
        "ApplicationForm",
        "Service",
        "Notifications",
        "NotificationKind",
        "Decision",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} is described"
        );
    }
}

#[tokio::test]
async fn a_service_that_issues_no_licence_ends_approved() {
    let server = TestServer::start().await;
    let hk = server.signed_in("hk-resident").await;
    let this_month = iso(today())[..7].to_owned();
    let filed = hk
        .file_application(&file(
            ApplicationForm::SocialSecurityRecord(SocialSecurityRecordForm {
                identity_licence_id: Some("lic-hk-id".into()),
                from_month: "2024-01".into(),
                to_month: this_month,
                purpose: Some(kapok_api::RecordPurpose::Housing),
            }),
            true,
        ))
        .await
        .unwrap();
    let official = server.signed_in("official").await;
    official.claim(&filed.id).await.unwrap();
    let approved = official.decide(&filed.id, &approve()).await.unwrap();
    assert_eq!(approved.status, S::Approved);
    assert_eq!(approved.issued_licence_id, None);
    assert_eq!(approved.timeline.last().unwrap().status, S::Approved);
    assert_eq!(
        application_notices(&hk.notifications().await.unwrap(), &filed.id)[0],
        S::Approved
    );
}

#[tokio::test]
async fn the_applicant_s_list_puts_what_changed_last_first() {
    let server = TestServer::start().await;
    let (resident, official, renewal) = claimed_renewal(&server).await;
    let draft = resident
        .file_application(&file(
            ApplicationForm::SocialSecurityRecord(SocialSecurityRecordForm::default()),
            false,
        ))
        .await
        .unwrap();
    let ids = |list: Vec<Application>| list.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(resident.applications().await.unwrap()),
        [draft.id.clone(), renewal.id.clone()]
    );
    // Times are kept to the second: the return comes in a later one.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    official
        .decide(&renewal.id, &return_for_the_address())
        .await
        .unwrap();
    assert_eq!(
        ids(resident.applications().await.unwrap()),
        [renewal.id, draft.id],
        "the returned renewal, which waits for her, comes first"
    );
}

#[tokio::test]
async fn a_licence_whose_renewal_is_in_progress_is_not_sent_for_renewal_again() {
    let server = TestServer::start().await;
    let (resident, official, claimed) = claimed_renewal(&server).await;
    let already = (ErrorCode::AlreadyApplied, 409);
    // A second renewal of the same licence is refused when sent, not when kept as a draft.
    assert_eq!(
        problem(resident.file_application(&renewal_sent()).await),
        already
    );
    let draft = resident.file_application(&renewal_draft()).await.unwrap();
    let send = ApplicationUpdate {
        form: ApplicationForm::DrivingLicenceRenewal(renewal()),
        submit: true,
    };
    assert_eq!(
        problem(resident.update_application(&draft.id, &send).await),
        already
    );
    // Returned to her, the first is still in progress: that one is sent again, not the draft.
    official
        .decide(&claimed.id, &return_for_the_address())
        .await
        .unwrap();
    assert_eq!(
        problem(resident.update_application(&draft.id, &send).await),
        already
    );
    resident
        .update_application(&claimed.id, &send)
        .await
        .unwrap();
    // Once that one is decided, the licence may be sent for renewal again.
    official.claim(&claimed.id).await.unwrap();
    official
        .decide(&claimed.id, &with_reason(Verdict::Reject, "材料不符。"))
        .await
        .unwrap();
    let sent = resident.update_application(&draft.id, &send).await.unwrap();
    assert!(sent.status.in_progress(), "{:?}", sent.status);
}

#[tokio::test]
async fn of_one_licence_s_renewals_sent_at_the_same_instant_exactly_one_goes_through() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let official = server.signed_in("official").await;
    // Drafts of the same renewal, as on several devices, then all sent at once: each send
    // finds no other renewal in progress when it checks, and the database decides.
    let mut drafts = Vec::new();
    for _ in 0..8 {
        drafts.push(
            resident
                .file_application(&renewal_draft())
                .await
                .unwrap()
                .id,
        );
    }
    let send = ApplicationUpdate {
        form: ApplicationForm::DrivingLicenceRenewal(renewal()),
        submit: true,
    };
    let mut sends = tokio::task::JoinSet::new();
    for id in drafts {
        let (resident, send) = (resident.clone(), send.clone());
        sends.spawn(async move { resident.update_application(&id, &send).await });
    }
    let mut sent = Vec::new();
    while let Some(result) = sends.join_next().await {
        match result.unwrap() {
            Ok(application) => sent.push(application.id),
            Err(e) => assert_eq!(
                e.code(),
                Some(ErrorCode::AlreadyApplied),
                "the others are told one is under way: {e}"
            ),
        }
    }
    assert_eq!(sent.len(), 1, "{sent:?}");
    let renewals: Vec<String> = official
        .tasks()
        .await
        .unwrap()
        .into_iter()
        .filter(|task| task.service == ServiceId::DrivingLicenceRenewal)
        .map(|task| task.id)
        .collect();
    assert_eq!(renewals, sent, "the official has the one renewal to review");
    let drafts_left: Vec<String> = resident
        .applications()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.status == S::Draft)
        .map(|a| a.id)
        .collect();
    assert_eq!(
        drafts_left.len(),
        7,
        "the others stay drafts, nothing typed is lost"
    );
    // The database holds the line even for a write that skips the server's check.
    let by_hand = sqlx::query("UPDATE applications SET status = 'accepted' WHERE id = $1")
        .bind(&drafts_left[0])
        .execute(&server.db)
        .await
        .unwrap_err();
    assert!(
        kapok_server::testing::is_renewal_under_way(&by_hand),
        "{by_hand}"
    );
}

/// What the holder of `grant` did under it, as its principal reads it: each use's detail.
async fn grant_uses(principal: &Client, grant: &str) -> Vec<String> {
    principal
        .audit(Some(grant))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::GrantUsed)
        .map(|e| e.detail)
        .collect()
}

/// A request to the demo resident's mother (`elder`, in her household register).
fn family_request(scopes: Vec<Scope>) -> NewDelegationRequest {
    NewDelegationRequest {
        kind: DelegationKind::Family,
        principal: "elder".into(),
        scopes,
        valid_from: None,
        valid_until: None,
        note: String::new(),
        idempotency_key: None,
    }
}

/// The resident's grant from her mother with `scopes`, approved: its id.
async fn mothers_grant(server: &TestServer, daughter: &Client, scopes: Vec<Scope>) -> String {
    let asked = daughter
        .create_delegation_request(&family_request(scopes))
        .await
        .unwrap();
    kapok_server::testing::approve_without_passkey(&server.db, &asked.request.id)
        .await
        .unwrap()
        .unwrap()
}

/// With the `applications` scope a daughter files for her mother: the form takes her mother's
/// licences (which she may list for it, and only for it), the application is her mother's (in
/// her list, filed by her daughter), both are told how it goes, and every use is audited.
/// Without the grant, without the scope, or once it is revoked, she files nothing for her,
/// and a licence of her own is not her mother's.
#[tokio::test]
async fn a_daughter_with_the_applications_scope_files_for_her_mother() {
    let server = TestServer::start().await;
    let elder = server.signed_in("elder").await;
    let daughter = server.signed_in("resident").await;
    let for_mother = |identity: &str| NewApplication {
        relative_id: Some("elder".into()),
        idempotency_key: Some("f0r-m0ther-0001-send".into()),
        ..file(record_with(identity), true)
    };
    assert_eq!(
        problem(daughter.file_application(&for_mother("lic-elder-id")).await),
        (ErrorCode::NotFound, 404)
    );
    assert_eq!(
        problem(daughter.relative_licences("elder").await),
        (ErrorCode::NotFound, 404)
    );
    mothers_grant(&server, &daughter, vec![Scope::PresentLicences]).await;
    assert_eq!(
        problem(daughter.file_application(&for_mother("lic-elder-id")).await),
        (ErrorCode::ScopeNotGranted, 403)
    );
    assert_eq!(
        problem(daughter.relative_licences("elder").await),
        (ErrorCode::ScopeNotGranted, 403)
    );

    let grant = mothers_grant(&server, &daughter, vec![Scope::Applications]).await;
    let licences = daughter.relative_licences("elder").await.unwrap();
    assert!(licences.iter().any(|l| l.id == "lic-elder-id"));
    assert!(licences.iter().all(|l| l.holder_name == "李桂英"));
    assert!(
        licences
            .iter()
            .all(|l| l.through_grant.as_ref() == Some(&grant))
    );
    // Her own identity card is not her mother's; and a company is not a relative.
    assert!(
        detail(
            daughter
                .file_application(&for_mother("lic-resident-id"))
                .await
        )
        .contains("identity: not_in_wallet")
    );
    let both = NewApplication {
        enterprise_id: Some("kapok-digital".into()),
        ..for_mother("lic-elder-id")
    };
    assert!(detail(daughter.file_application(&both).await).contains("relative_id"));

    let filed = daughter
        .file_application(&for_mother("lic-elder-id"))
        .await
        .unwrap();
    assert_eq!(filed.status, ApplicationStatus::Accepted);
    assert_eq!(filed.applicant_name, "李桂英");
    assert_eq!(filed.filed_by_name.as_deref(), Some("陈嘉欣"));
    assert!(filed.filed_by_caller);
    assert_eq!(filed.for_relative.as_deref(), Some("elder"));
    assert_eq!(filed.timeline[0].status, ApplicationStatus::Submitted);
    assert_eq!(filed.timeline[0].actor_name.as_deref(), Some("陈嘉欣"));
    // Tried again after a lost answer: the same one.
    let again = daughter
        .file_application(&for_mother("lic-elder-id"))
        .await
        .unwrap();
    assert_eq!(again.id, filed.id);

    // It is her mother's: in her list, filed by her daughter; and the daughter follows it.
    let hers = elder.applications().await.unwrap();
    let seen = hers.iter().find(|a| a.id == filed.id).expect("in her list");
    assert!(!seen.filed_by_caller);
    assert_eq!(seen.filed_by_name.as_deref(), Some("陈嘉欣"));
    assert_eq!(seen.for_relative, None);
    let followed = daughter.applications().await.unwrap();
    assert_eq!(followed.iter().filter(|a| a.id == filed.id).count(), 1);
    // Both are told; the daughter, whose it is.
    for (person, whose) in [(&elder, None), (&daughter, Some("李桂英"))] {
        let notices = person.notifications().await.unwrap();
        let told = application_notices(&notices, &filed.id);
        assert_eq!(told, [ApplicationStatus::Accepted]);
        let named = notices.items.iter().find_map(|n| match &n.kind {
            NotificationKind::Application {
                application_id,
                applicant_name,
                ..
            } if *application_id == filed.id => Some(applicant_name.clone()),
            _ => None,
        });
        assert_eq!(named, Some(whose.map(String::from)));
    }
    let uses = grant_uses(&elder, &grant).await;
    assert!(uses.contains(&"form_licences".to_owned()), "{uses:?}");
    assert!(
        uses.contains(&format!("application:file:{}", filed.id)),
        "{uses:?}"
    );

    // The official deciding sees whose it is and who filed it.
    let official = server.signed_in("official").await;
    let task = official.application(&filed.id).await.unwrap();
    assert_eq!(task.applicant_name, "李桂英");
    assert_eq!(task.filed_by_name.as_deref(), Some("陈嘉欣"));
    assert_eq!(task.for_relative, None);
    assert!(!task.filed_by_caller);

    // Revoked, it reaches nothing; the grant to show licences still stands, and says so.
    elder.revoke_grant(&grant).await.unwrap();
    let another = NewApplication {
        idempotency_key: None,
        ..for_mother("lic-elder-id")
    };
    assert_eq!(
        problem(daughter.file_application(&another).await),
        (ErrorCode::ScopeNotGranted, 403)
    );
    assert_eq!(
        problem(daughter.relative_licences("elder").await),
        (ErrorCode::ScopeNotGranted, 403)
    );
}

/// A relative's family grant with the `applications` scope lets her follow what her mother
/// files for herself: in her list, marked as not hers, and page by page, each look audited.
/// Without the scope, after a revocation, or with no grant at all, she does not.
#[tokio::test]
async fn a_daughter_with_the_applications_scope_follows_her_mother_s_applications() {
    let server = TestServer::start().await;
    let elder = server.signed_in("elder").await;
    let filed = elder
        .file_application(&file(record_with("lic-elder-id"), true))
        .await
        .unwrap();
    let daughter = server.signed_in("resident").await;
    let family = family_request;
    let theirs = |list: &[Application]| list.iter().filter(|a| a.id == filed.id).count();
    assert_eq!(theirs(&daughter.applications().await.unwrap()), 0);
    assert_eq!(
        code(daughter.application(&filed.id).await),
        ErrorCode::NotFound
    );

    // A grant to show her licences only.
    let asked = daughter
        .create_delegation_request(&family(vec![Scope::PresentLicences]))
        .await
        .unwrap();
    kapok_server::testing::approve_without_passkey(&server.db, &asked.request.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(theirs(&daughter.applications().await.unwrap()), 0);
    assert_eq!(
        problem(daughter.application(&filed.id).await),
        (ErrorCode::ScopeNotGranted, 403)
    );

    // One that covers applications.
    let asked = daughter
        .create_delegation_request(&family(vec![Scope::Applications]))
        .await
        .unwrap();
    let grant = kapok_server::testing::approve_without_passkey(&server.db, &asked.request.id)
        .await
        .unwrap()
        .unwrap();
    let list = daughter.applications().await.unwrap();
    assert_eq!(theirs(&list), 1);
    let seen = list.iter().find(|a| a.id == filed.id).unwrap();
    assert!(!seen.filed_by_caller);
    assert_eq!(seen.applicant_name, "李桂英");
    let mine = daughter
        .file_application(&file(record_with("lic-resident-id"), false))
        .await
        .unwrap();
    assert!(mine.filed_by_caller);
    let page = daughter.application(&filed.id).await.unwrap();
    assert_eq!(page.status, ApplicationStatus::Accepted);
    assert!(!page.timeline.is_empty());
    let uses = grant_uses(&elder, &grant).await;
    assert_eq!(
        uses,
        [
            format!("application:view:{}", filed.id),
            "applications".into()
        ]
    );
    // Her mother's own list is as it was.
    assert!(elder.applications().await.unwrap()[0].filed_by_caller);

    // Revoked, it reaches nothing; the grant to show licences still stands, and says so.
    elder.revoke_grant(&grant).await.unwrap();
    assert_eq!(theirs(&daughter.applications().await.unwrap()), 0);
    assert_eq!(
        problem(daughter.application(&filed.id).await),
        (ErrorCode::ScopeNotGranted, 403)
    );
}
