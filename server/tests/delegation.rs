//! Delegation as staff, legal representatives, families and attackers use it.
//!
//! A real approval needs a passkey assertion, which only the browser e2e can make (Chromium's
//! virtual authenticator). Here a grant is made with `kapok_server::testing::
//! approve_without_passkey`, which runs the same store transaction as a successful approval;
//! everything around it (who may start, which version, which ceremony) is tested for real.

mod common;

use common::{TestServer, company_request};
use kapok_api::{
    AUDIT_PAGE, ApprovalStart, AuditAction, AuditEntry, CeremonyAnswer, CreatedDelegationRequest,
    DelegationKind, EnterpriseRole, ErrorCode, GrantStatus, LINK_LIFETIME_SECS, LinkLookup,
    NOTE_MAX, NewDelegationRequest, NotificationKind, PresentationRequest, RequestStatus, Scope,
    client::{Client, ClientError},
};
use serde_json::json;

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> ErrorCode {
    problem(result).0
}

/// The seconds a refused call was told to wait (`Retry-After`).
fn retry_after<T: std::fmt::Debug>(result: Result<T, ClientError>) -> Option<u32> {
    result.expect_err("the call should fail").retry_after()
}

/// The code and HTTP status of a failed call.
fn problem<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (ErrorCode, u16) {
    match result.expect_err("the call should fail") {
        ClientError::Problem(p) => (p.code, p.status),
        other => panic!("expected a problem document, got {other}"),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn family_request(principal: &str) -> NewDelegationRequest {
    NewDelegationRequest {
        kind: DelegationKind::Family,
        principal: principal.into(),
        scopes: vec![Scope::PresentLicences],
        valid_from: None,
        valid_until: None,
        note: "妈妈，我帮你去社保局办卡".into(),
        idempotency_key: None,
    }
}

fn lookup(secret: &str) -> LinkLookup {
    LinkLookup {
        token: secret.into(),
    }
}

fn approval(request_hash: &str) -> ApprovalStart {
    ApprovalStart {
        request_hash: request_hash.into(),
    }
}

/// Staff asks the company for `scopes`.
async fn staff_asks(server: &TestServer, scopes: &[Scope]) -> (Client, CreatedDelegationRequest) {
    let staff = server.signed_in("staff").await;
    let created = staff
        .create_delegation_request(&company_request(scopes))
        .await
        .unwrap();
    (staff, created)
}

/// Staff holding an approved company grant for `scopes`, and the grant's id.
async fn staff_with_grant(server: &TestServer, scopes: &[Scope]) -> (Client, String) {
    let (staff, created) = staff_asks(server, scopes).await;
    let grant = kapok_server::testing::approve_without_passkey(&server.db, &created.request.id)
        .await
        .unwrap()
        .expect("a pending request is approved");
    (staff, grant)
}

fn entries_of(entries: &[AuditEntry], action: AuditAction) -> Vec<&AuditEntry> {
    entries.iter().filter(|e| e.action == action).collect()
}

/// Starts an approval ceremony for `request_id` straight in the database, bound to
/// `request_hash`, as `approve/start` would for an approver with a passkey.
async fn ceremony_in_db(server: &TestServer, user: &str, request_id: &str, request_hash: &str) {
    let hash: Vec<u8> = (0..request_hash.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&request_hash[i..i + 2], 16).unwrap())
        .collect();
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (id, kind, user_id, subject, subject_hash, state, expires_at)
         VALUES ($1, 'approve', $2, $3, $4, '{}', $5)",
    )
    .bind(format!("ceremony-{user}-{request_id}"))
    .bind(user)
    .bind(request_id)
    .bind(hash)
    .bind(now() + 300)
    .execute(&server.db)
    .await
    .unwrap();
}

fn answer(ceremony: &str) -> CeremonyAnswer {
    CeremonyAnswer {
        ceremony: ceremony.into(),
        credential: json!({
            "id": "AAAA", "rawId": "AAAA", "type": "public-key",
            "response": { "clientDataJSON": "AAAA", "authenticatorData": "AAAA", "signature": "AAAA" },
            "extensions": {}
        }),
    }
}

#[tokio::test]
async fn staff_asks_the_company_and_the_legal_rep_is_asked_to_decide() {
    let server = TestServer::start().await;
    let (staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let request = &created.request;
    assert_eq!(request.kind, DelegationKind::Enterprise);
    assert_eq!(request.principal_name, "广州木棉数字科技有限公司");
    assert!(
        request
            .uscc
            .as_deref()
            .is_some_and(kapok_api::uscc::is_valid)
    );
    assert_eq!(request.requester.name, "周晓彤");
    assert!(request.requester.id_masked.contains("**********"));
    assert_eq!(request.approver_name, "梁国栋", "the register names him");
    assert_eq!(request.status, RequestStatus::Pending);
    assert!(!request.caller_decides);
    assert_eq!(
        request.link_expires_at - request.created_at,
        LINK_LIFETIME_SECS
    );
    assert_eq!(request.binding_code.len(), 6);
    assert!(
        request
            .binding_code
            .chars()
            .all(|c| "ACDEFGHJKMNPQRTUVWXY3479".contains(c))
    );
    assert_eq!(request.request_hash.len(), 64);
    assert!(
        request
            .request_hash
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert!(created.secret.len() >= 43, "at least 256 bits");

    let legal_rep = server.signed_in("legal-rep").await;
    let waiting = legal_rep.delegation_requests().await.unwrap();
    assert!(waiting.mine.is_empty());
    assert_eq!(waiting.to_decide.len(), 1);
    assert_eq!(waiting.to_decide[0].id, request.id);
    assert!(waiting.to_decide[0].caller_decides);
    assert!(
        legal_rep
            .delegation_request(&request.id)
            .await
            .unwrap()
            .caller_decides
    );

    let mine = staff.delegation_requests().await.unwrap();
    assert_eq!(mine.mine.len(), 1);
    assert!(mine.to_decide.is_empty());
    assert_eq!(
        staff.delegation_request(&request.id).await.unwrap(),
        *request
    );

    // Nobody else learns the request exists.
    let resident = server.signed_in("resident").await;
    assert_eq!(
        code(resident.delegation_request(&request.id).await),
        ErrorCode::NotFound
    );
    assert!(
        resident
            .delegation_requests()
            .await
            .unwrap()
            .to_decide
            .is_empty()
    );
    assert_eq!(
        code(server.client().delegation_requests().await),
        ErrorCode::Unauthenticated
    );
}

#[tokio::test]
async fn a_resident_asks_her_mother_from_the_household_register() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let me = resident.me().await.unwrap();
    assert_eq!(me.relatives.len(), 1);
    assert_eq!(me.relatives[0].user_id, "elder");
    assert_eq!(me.relatives[0].name, "李桂英");
    assert_eq!(me.relatives[0].relation, "mother");
    let elder_me = server.signed_in("elder").await.me().await.unwrap();
    assert_eq!(elder_me.relatives[0].relation, "child");

    let created = resident
        .create_delegation_request(&family_request("elder"))
        .await
        .unwrap();
    assert_eq!(created.request.kind, DelegationKind::Family);
    assert_eq!(created.request.principal_name, "李桂英");
    assert_eq!(created.request.approver_name, "李桂英");
    assert_eq!(created.request.uscc, None);

    let elder = server.signed_in("elder").await;
    let waiting = elder.delegation_requests().await.unwrap();
    assert_eq!(waiting.to_decide.len(), 1);
    assert!(waiting.to_decide[0].caller_decides);
}

/// Someone who asks and is asked at once (a mother and daughter each asking the other) finds
/// each request in its own list, the ones she decides marked so, and the one she declined gone
/// from the list to decide.
#[tokio::test]
async fn the_delegation_page_keeps_what_one_asked_apart_from_what_one_decides() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let elder = server.signed_in("elder").await;
    // Two requests from `from` to `to`, each with a note of its own.
    async fn two(from: &Client, to: &str) -> [CreatedDelegationRequest; 2] {
        let ask = |note: &str| NewDelegationRequest {
            note: note.into(),
            ..family_request(to)
        };
        [
            from.create_delegation_request(&ask("first")).await.unwrap(),
            from.create_delegation_request(&ask("second"))
                .await
                .unwrap(),
        ]
    }
    let asked = two(&resident, "elder").await;
    let to_decide = two(&elder, "resident").await;
    resident.decline(&to_decide[1].request.id).await.unwrap();

    fn ids<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<String> {
        let mut ids: Vec<String> = ids.cloned().collect();
        ids.sort();
        ids
    }
    let (asked, to_decide) = (
        ids(asked.iter().map(|c| &c.request.id)),
        [
            to_decide[0].request.id.clone(),
            to_decide[1].request.id.clone(),
        ],
    );

    let page = resident.delegation_requests().await.unwrap();
    assert_eq!(ids(page.mine.iter().map(|r| &r.id)), asked);
    assert!(page.mine.iter().all(|r| !r.caller_decides));
    assert_eq!(
        ids(page.to_decide.iter().map(|r| &r.id)),
        [to_decide[0].clone()]
    );
    assert!(page.to_decide[0].caller_decides);
    assert_eq!(page.to_decide[0].status, RequestStatus::Pending);

    let page = elder.delegation_requests().await.unwrap();
    assert_eq!(ids(page.mine.iter().map(|r| &r.id)), ids(to_decide.iter()));
    assert_eq!(ids(page.to_decide.iter().map(|r| &r.id)), asked);
}

#[tokio::test]
async fn a_request_without_dates_starts_today_runs_thirty_days_and_has_one_canonical_form() {
    let server = TestServer::start().await;
    let staff = server.signed_in("staff").await;
    let mut ask = company_request(&[Scope::Policies, Scope::PresentLicences, Scope::Policies]);
    ask.note = "  请批准  ".into();
    let request = staff.create_delegation_request(&ask).await.unwrap().request;
    assert_eq!(request.scopes, [Scope::PresentLicences, Scope::Policies]);
    assert_eq!(request.note, "请批准");
    let from = time::Date::parse(
        &request.valid_from,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    let until = time::Date::parse(
        &request.valid_until,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    assert_eq!((until - from).whole_days() + 1, 30);
    let today_cst = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    assert_eq!(from, today_cst);
}

#[tokio::test]
async fn an_invalid_request_is_refused_with_the_field_named() {
    let server = TestServer::start().await;
    let staff = server.signed_in("staff").await;
    let refused = |result: Result<CreatedDelegationRequest, ClientError>| match result {
        Err(ClientError::Problem(p)) => {
            assert_eq!((p.code, p.status), (ErrorCode::InvalidDelegation, 422));
            p.detail
        }
        other => panic!("expected invalid_delegation, got {other:?}"),
    };
    let mut ask = company_request(&[]);
    assert!(refused(staff.create_delegation_request(&ask).await).starts_with("scopes:"));

    ask.scopes = vec![Scope::PresentLicences];
    ask.valid_from = Some("2000-01-01".into());
    assert!(refused(staff.create_delegation_request(&ask).await).starts_with("valid_from:"));
    ask.valid_from = Some("2099/01/01".into());
    assert!(refused(staff.create_delegation_request(&ask).await).starts_with("valid_from:"));
    ask.valid_from = Some("2099-02-01".into());
    ask.valid_until = Some("2099-01-31".into());
    assert!(refused(staff.create_delegation_request(&ask).await).starts_with("valid_until:"));
    ask.valid_until = Some("2100-02-02".into());
    assert!(refused(staff.create_delegation_request(&ask).await).starts_with("valid_until:"));
    ask.valid_until = Some("2100-02-01".into());
    staff
        .create_delegation_request(&ask)
        .await
        .expect("a year to the day is allowed");

    ask.valid_from = None;
    ask.valid_until = None;
    ask.note = "x".repeat(NOTE_MAX + 1);
    assert!(refused(staff.create_delegation_request(&ask).await).starts_with("note:"));
    ask.note = String::new();

    ask.principal = "no-such-company".into();
    assert!(refused(staff.create_delegation_request(&ask).await).starts_with("principal:"));

    // The legal representative already acts for the company: there is no one to ask.
    let legal_rep = server.signed_in("legal-rep").await;
    assert!(
        refused(
            legal_rep
                .create_delegation_request(&company_request(&[Scope::PresentLicences]))
                .await
        )
        .starts_with("principal:")
    );

    // A resident cannot ask a company she does not work for, nor a stranger, nor herself.
    let resident = server.signed_in("resident").await;
    for ask in [
        company_request(&[Scope::PresentLicences]),
        family_request("hk-resident"),
        family_request("resident"),
        family_request("no-such-user"),
    ] {
        assert!(
            refused(resident.create_delegation_request(&ask).await).starts_with("principal:"),
            "{ask:?}"
        );
    }
    let mut company_scope_of_a_parent = family_request("elder");
    company_scope_of_a_parent.scopes = vec![Scope::CompanyProfile];
    assert!(
        refused(
            resident
                .create_delegation_request(&company_scope_of_a_parent)
                .await
        )
        .starts_with("scopes:")
    );
}

/// Looks are audited once a day for each viewer (the public counting as one): a link looked up
/// over and over, thirty times a minute from every network, cannot push the rest of the
/// request's story (its grant's uses) off the page the principal reads.
#[tokio::test]
async fn anyone_with_the_link_may_look_and_each_viewer_s_look_is_audited_without_the_secret() {
    let server = TestServer::start().await;
    let (_staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;

    let seen = server
        .client()
        .lookup_link(&lookup(&created.secret))
        .await
        .unwrap();
    assert_eq!(seen.id, created.request.id);
    assert!(!seen.caller_decides, "a stranger decides nothing");

    let legal_rep = server.signed_in("legal-rep").await;
    let seen = legal_rep
        .lookup_link(&lookup(&created.secret))
        .await
        .unwrap();
    assert!(seen.caller_decides);
    assert_eq!(seen.request_hash, created.request.request_hash);
    assert_eq!(seen.binding_code, created.request.binding_code);
    for _ in 0..5 {
        server
            .client()
            .lookup_link(&lookup(&created.secret))
            .await
            .unwrap();
        legal_rep
            .lookup_link(&lookup(&created.secret))
            .await
            .unwrap();
    }

    let trail = legal_rep.audit(None).await.unwrap();
    let views = entries_of(&trail, AuditAction::LinkViewed);
    assert_eq!(views.len(), 2);
    assert_eq!(
        views[0].actor_name.as_deref(),
        Some("梁国栋"),
        "newest first"
    );
    assert_eq!(views[1].actor_name, None, "someone not signed in");
    assert_eq!(entries_of(&trail, AuditAction::Requested).len(), 1);
    let trail_json = serde_json::to_string(&trail).unwrap();
    assert!(!trail_json.contains(&created.secret));
}

/// A request asked again with its key, because the answer with its link was lost, is the same
/// request with a new link: the legal representative is asked once, the lost link (never
/// delivered) no longer opens it, and the new one does.
#[tokio::test]
async fn a_request_asked_again_with_its_key_is_made_once_with_a_new_link() {
    let server = TestServer::start().await;
    let staff = server.signed_in("staff").await;
    let ask = NewDelegationRequest {
        idempotency_key: Some("b7e1c0de5a5e4f00-ask".into()),
        ..company_request(&[Scope::PresentLicences])
    };
    let first = staff.create_delegation_request(&ask).await.unwrap();
    let again = staff.create_delegation_request(&ask).await.unwrap();
    assert_eq!(again.request.id, first.request.id);
    assert_eq!(again.request.binding_code, first.request.binding_code);
    assert_ne!(again.secret, first.secret);
    let anonymous = server.client();
    assert_eq!(
        problem(anonymous.lookup_link(&lookup(&first.secret)).await),
        (ErrorCode::LinkInvalid, 404)
    );
    assert_eq!(
        anonymous
            .lookup_link(&lookup(&again.secret))
            .await
            .unwrap()
            .id,
        first.request.id
    );
    let mine = staff.delegation_requests().await.unwrap().mine;
    assert_eq!(mine.iter().filter(|r| r.note == ask.note).count(), 1);
    let legal_rep = server.signed_in("legal-rep").await;
    let waiting = legal_rep.delegation_requests().await.unwrap().to_decide;
    assert_eq!(
        waiting.iter().filter(|r| r.id == first.request.id).count(),
        1
    );
    let asked = legal_rep
        .notifications()
        .await
        .unwrap()
        .items
        .iter()
        .filter(|n| matches!(&n.kind, kapok_api::NotificationKind::DelegationRequest { request_id, .. } if *request_id == first.request.id))
        .count();
    assert_eq!(asked, 1, "asked once");

    let bad = NewDelegationRequest {
        idempotency_key: Some("not a key".into()),
        ..company_request(&[Scope::PresentLicences])
    };
    assert_eq!(
        problem(staff.create_delegation_request(&bad).await),
        (ErrorCode::InvalidDelegation, 422)
    );
}

#[tokio::test]
async fn a_tampered_or_unknown_link_is_invalid() {
    let server = TestServer::start().await;
    let (_staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let mut tampered = created.secret.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let anonymous = server.client();
    for token in [
        tampered.as_str(),
        &created.secret[..created.secret.len() - 1],
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "",
        &created.request.id,
        &created.request.request_hash,
    ] {
        assert_eq!(
            problem(anonymous.lookup_link(&lookup(token)).await),
            (ErrorCode::LinkInvalid, 404),
            "{token:?}"
        );
    }
}

/// Moves the request's making back past its link's life, as if a week had gone by.
async fn made_past_its_link_s_life(server: &TestServer, id: &str) {
    sqlx::query("UPDATE delegation_requests SET created_at = created_at - $1 WHERE id = $2")
        .bind(LINK_LIFETIME_SECS + 60)
        .bind(id)
        .execute(&server.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_old_link_is_gone_and_cannot_be_decided() {
    let server = TestServer::start().await;
    let (staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    made_past_its_link_s_life(&server, &created.request.id).await;

    is_past_deciding(&server, &staff, &created).await;
}

/// A decided request's link lasts no longer than a pending one's: after that it shows nothing
/// of the request (names, scopes, the decision), to anyone.
#[tokio::test]
async fn a_decided_request_s_link_expires_when_a_pending_one_s_would() {
    let server = TestServer::start().await;
    let (_staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    kapok_server::testing::approve_without_passkey(&server.db, &created.request.id)
        .await
        .unwrap()
        .expect("approved");
    let legal_rep = server.signed_in("legal-rep").await;
    let seen = legal_rep
        .lookup_link(&lookup(&created.secret))
        .await
        .unwrap();
    assert_eq!(
        seen.status,
        RequestStatus::Approved,
        "shown while the link lives"
    );
    made_past_its_link_s_life(&server, &created.request.id).await;
    for caller in [server.client(), legal_rep] {
        assert_eq!(
            problem(caller.lookup_link(&lookup(&created.secret)).await),
            (ErrorCode::LinkExpired, 410)
        );
    }
}

/// The request behind `created` has expired for everyone: its link says so, it can be neither
/// approved nor declined, the legal representative is no longer asked, and staff see it as
/// expired.
async fn is_past_deciding(server: &TestServer, staff: &Client, created: &CreatedDelegationRequest) {
    let legal_rep = server.signed_in("legal-rep").await;
    assert_eq!(
        problem(legal_rep.lookup_link(&lookup(&created.secret)).await),
        (ErrorCode::LinkExpired, 410)
    );
    let request = staff.delegation_request(&created.request.id).await.unwrap();
    assert_eq!(request.status, RequestStatus::Expired);
    assert_eq!(
        code(
            legal_rep
                .approve_start(&created.request.id, &approval(&request.request_hash))
                .await
        ),
        ErrorCode::LinkExpired
    );
    assert_eq!(
        code(legal_rep.decline(&created.request.id).await),
        ErrorCode::LinkExpired
    );
    assert!(
        legal_rep
            .delegation_requests()
            .await
            .unwrap()
            .to_decide
            .is_empty()
    );
    assert!(legal_rep.grants().await.unwrap().given.is_empty());
}

#[tokio::test]
async fn the_requester_is_told_when_the_request_is_decided_and_when_the_grant_is_revoked() {
    let server = TestServer::start().await;
    let legal_rep = server.signed_in("legal-rep").await;
    let told = |staff: Client| async move {
        staff
            .notifications()
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|n| n.kind)
            .filter(|k| {
                matches!(
                    k,
                    NotificationKind::DelegationDecided { .. }
                        | NotificationKind::GrantRevoked { .. }
                )
            })
            .collect::<Vec<_>>()
    };

    let (staff, declined) = staff_asks(&server, &[Scope::PresentLicences]).await;
    legal_rep.decline(&declined.request.id).await.unwrap();
    let (_, grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    let approved = server_request_of(&server, &grant).await;
    let before = legal_rep.delegation_request(&approved).await.unwrap();
    assert_eq!(before.revoked_at, None);
    legal_rep.revoke_grant(&grant).await.unwrap();
    // The request stays approved, and says the authority is gone.
    let after = legal_rep.delegation_request(&approved).await.unwrap();
    assert_eq!(after.status, RequestStatus::Approved);
    assert!(after.revoked_at.is_some());
    // Newest first.
    assert_eq!(
        told(staff).await,
        [
            NotificationKind::GrantRevoked {
                grant_id: grant.clone(),
                delegation: DelegationKind::Enterprise,
                revoked_by: "梁国栋".into(),
            },
            NotificationKind::DelegationDecided {
                request_id: approved,
                delegation: DelegationKind::Enterprise,
                approver_name: "梁国栋".into(),
                approved: true,
            },
            NotificationKind::DelegationDecided {
                request_id: declined.request.id.clone(),
                delegation: DelegationKind::Enterprise,
                approver_name: "梁国栋".into(),
                approved: false,
            },
        ]
    );

    // Withdrawing one's own request, or giving up one's own grant, tells no one anything new.
    let (staff, withdrawn) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let before = told(server.signed_in("staff").await).await.len();
    staff
        .cancel_delegation_request(&withdrawn.request.id)
        .await
        .unwrap();
    let (staff, given_up) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    staff.revoke_grant(&given_up).await.unwrap();
    // The approval of the second grant is news; the rest is not.
    assert_eq!(told(staff).await.len(), before + 1);
}

/// The request a grant was made from.
async fn server_request_of(server: &TestServer, grant: &str) -> String {
    sqlx::query_scalar("SELECT request_id FROM grants WHERE id = $1")
        .bind(grant)
        .fetch_one(&server.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_request_whose_last_day_has_passed_cannot_be_approved() {
    let server = TestServer::start().await;
    let (staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    // Asked for one day; that day passed before the legal representative opened the link
    // (still live: links last 7 days). Approving would make a grant already over.
    sqlx::query(
        "UPDATE delegation_requests SET valid_from = '2026-01-05', valid_until = '2026-01-05'
         WHERE id = $1",
    )
    .bind(&created.request.id)
    .execute(&server.db)
    .await
    .unwrap();

    is_past_deciding(&server, &staff, &created).await;
}

#[tokio::test]
async fn only_the_approver_the_register_names_may_start_approving() {
    let server = TestServer::start().await;
    let (staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let id = &created.request.id;
    let hash = approval(&created.request.request_hash);

    // The requester cannot approve his own request, nor can anyone else.
    assert_eq!(
        problem(staff.approve_start(id, &hash).await),
        (ErrorCode::NotApprover, 403)
    );
    let resident = server.signed_in("resident").await;
    assert_eq!(
        code(resident.approve_start(id, &hash).await),
        ErrorCode::NotApprover
    );
    assert_eq!(code(resident.decline(id).await), ErrorCode::NotApprover);
    assert_eq!(
        code(server.client().approve_start(id, &hash).await),
        ErrorCode::Unauthenticated
    );

    let legal_rep = server.signed_in("legal-rep").await;
    assert_eq!(
        code(legal_rep.approve_start("no-such-request", &hash).await),
        ErrorCode::NotFound
    );
    // A version the approver was not shown.
    let mut stale = created.request.request_hash.clone();
    stale.replace_range(0..1, if stale.starts_with('0') { "1" } else { "0" });
    assert_eq!(
        problem(legal_rep.approve_start(id, &approval(&stale)).await),
        (ErrorCode::RequestChanged, 409)
    );
    // The right version, but no passkey to approve with.
    assert_eq!(
        code(legal_rep.approve_start(id, &hash).await),
        ErrorCode::NoPasskey
    );
}

#[tokio::test]
async fn a_request_replaced_after_the_legal_rep_changed_cannot_be_approved_by_the_old_one() {
    let server = TestServer::start().await;
    let (_staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    sqlx::query("UPDATE enterprise_members SET role = 'staff' WHERE user_id = 'legal-rep'")
        .execute(&server.db)
        .await
        .unwrap();
    let legal_rep = server.signed_in("legal-rep").await;
    assert_eq!(
        code(
            legal_rep
                .approve_start(
                    &created.request.id,
                    &approval(&created.request.request_hash)
                )
                .await
        ),
        ErrorCode::NotApprover
    );
}

#[tokio::test]
async fn an_approval_is_bound_to_the_version_shown_when_it_began() {
    let server = TestServer::start().await;
    let (_staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let id = &created.request.id;
    ceremony_in_db(&server, "legal-rep", id, &created.request.request_hash).await;

    // Someone edits the request between the approver's look and the passkey's answer.
    sqlx::query("UPDATE delegation_requests SET note = '另外把公司印章也交给我' WHERE id = $1")
        .bind(id)
        .execute(&server.db)
        .await
        .unwrap();
    let legal_rep = server.signed_in("legal-rep").await;
    let ceremony = format!("ceremony-legal-rep-{id}");
    assert_eq!(
        problem(legal_rep.approve_finish(id, &answer(&ceremony)).await),
        (ErrorCode::RequestChanged, 409)
    );
    // The ceremony is spent either way.
    assert_eq!(
        code(legal_rep.approve_finish(id, &answer(&ceremony)).await),
        ErrorCode::CeremonyExpired
    );
    let request = legal_rep.delegation_request(id).await.unwrap();
    assert_eq!(request.status, RequestStatus::Pending);
    assert_ne!(request.request_hash, created.request.request_hash);
}

#[tokio::test]
async fn a_ceremony_counts_only_for_its_own_approver_and_request() {
    let server = TestServer::start().await;
    let (staff, first) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let second = staff
        .create_delegation_request(&company_request(&[Scope::Applications]))
        .await
        .unwrap();
    let legal_rep = server.signed_in("legal-rep").await;

    // A ceremony begun for the first request does not approve the second.
    ceremony_in_db(
        &server,
        "legal-rep",
        &first.request.id,
        &first.request.request_hash,
    )
    .await;
    let ceremony = format!("ceremony-legal-rep-{}", first.request.id);
    assert_eq!(
        code(
            legal_rep
                .approve_finish(&second.request.id, &answer(&ceremony))
                .await
        ),
        ErrorCode::CeremonyExpired
    );
    // Another user's ceremony (bound to the right request and hash) is not the approver's.
    ceremony_in_db(
        &server,
        "resident",
        &second.request.id,
        &second.request.request_hash,
    )
    .await;
    let ceremony = format!("ceremony-resident-{}", second.request.id);
    assert_eq!(
        code(
            legal_rep
                .approve_finish(&second.request.id, &answer(&ceremony))
                .await
        ),
        ErrorCode::CeremonyExpired
    );
    assert_eq!(
        code(
            legal_rep
                .approve_finish(&second.request.id, &answer("made-up"))
                .await
        ),
        ErrorCode::CeremonyExpired
    );
    // (A forged passkey answer to a genuine ceremony is refused by webauthn-rs; that needs a
    // real authenticator and runs in the browser e2e.)
    let status = legal_rep
        .delegation_request(&second.request.id)
        .await
        .unwrap()
        .status;
    assert_eq!(status, RequestStatus::Pending);
    assert!(legal_rep.grants().await.unwrap().given.is_empty());
}

#[tokio::test]
async fn one_decision_per_request_declined_stays_declined() {
    let server = TestServer::start().await;
    let (staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let id = &created.request.id;
    let legal_rep = server.signed_in("legal-rep").await;
    ceremony_in_db(&server, "legal-rep", id, &created.request.request_hash).await;

    let declined = legal_rep.decline(id).await.unwrap();
    assert_eq!(declined.status, RequestStatus::Declined);
    assert!(declined.decided_at.is_some());

    assert_eq!(
        problem(legal_rep.decline(id).await),
        (ErrorCode::RequestDecided, 409)
    );
    assert_eq!(
        code(
            legal_rep
                .approve_start(id, &approval(&created.request.request_hash))
                .await
        ),
        ErrorCode::RequestDecided
    );
    // A ceremony begun before the decline cannot overturn it.
    assert_eq!(
        code(
            legal_rep
                .approve_finish(id, &answer(&format!("ceremony-legal-rep-{id}")))
                .await
        ),
        ErrorCode::RequestDecided
    );
    assert_eq!(
        kapok_server::testing::approve_without_passkey(&server.db, id)
            .await
            .unwrap(),
        None
    );
    // The link still shows what happened.
    let seen = server
        .client()
        .lookup_link(&lookup(&created.secret))
        .await
        .unwrap();
    assert_eq!(seen.status, RequestStatus::Declined);
    assert!(staff.grants().await.unwrap().held.is_empty());

    let trail = staff.audit(None).await.unwrap();
    let declines = entries_of(&trail, AuditAction::Declined);
    assert_eq!(declines.len(), 1);
    assert_eq!(declines[0].actor_name.as_deref(), Some("梁国栋"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approvals_racing_each_other_make_one_grant() {
    let server = TestServer::start().await;
    let (staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let attempts: Vec<_> = (0..4)
        .map(|_| {
            let db = server.db.clone();
            let id = created.request.id.clone();
            tokio::spawn(
                async move { kapok_server::testing::approve_without_passkey(&db, &id).await },
            )
        })
        .collect();
    let mut won = Vec::new();
    for attempt in attempts {
        won.extend(
            attempt
                .await
                .unwrap()
                .expect("a loser is told, not an error"),
        );
    }
    assert_eq!(won.len(), 1);
    assert_eq!(staff.grants().await.unwrap().held.len(), 1);
    let legal_rep = server.signed_in("legal-rep").await;
    assert_eq!(
        entries_of(&legal_rep.audit(None).await.unwrap(), AuditAction::Approved).len(),
        1
    );
}

#[tokio::test]
async fn only_the_requester_withdraws_a_pending_request() {
    let server = TestServer::start().await;
    let (staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let id = &created.request.id;
    let legal_rep = server.signed_in("legal-rep").await;
    assert_eq!(
        code(legal_rep.cancel_delegation_request(id).await),
        ErrorCode::Forbidden
    );
    let resident = server.signed_in("resident").await;
    assert_eq!(
        code(resident.cancel_delegation_request(id).await),
        ErrorCode::NotFound
    );

    staff.cancel_delegation_request(id).await.unwrap();
    // Withdrawing again, as a try repeated after its answer was lost would: done, once.
    staff.cancel_delegation_request(id).await.unwrap();
    assert_eq!(code(legal_rep.decline(id).await), ErrorCode::RequestDecided);
    let seen = legal_rep
        .lookup_link(&lookup(&created.secret))
        .await
        .unwrap();
    assert_eq!(seen.status, RequestStatus::Cancelled);
    assert!(
        legal_rep
            .delegation_requests()
            .await
            .unwrap()
            .to_decide
            .is_empty()
    );
    let trail = legal_rep.audit(None).await.unwrap();
    assert_eq!(entries_of(&trail, AuditAction::Cancelled).len(), 1);

    // One the approver declined first is not withdrawn: the requester is told it was decided.
    let (_, declined) = staff_asks(&server, &[Scope::PresentLicences]).await;
    legal_rep.decline(&declined.request.id).await.unwrap();
    assert_eq!(
        code(staff.cancel_delegation_request(&declined.request.id).await),
        ErrorCode::RequestDecided
    );
}

#[tokio::test]
async fn staff_with_a_grant_sees_and_presents_the_company_licences_and_each_use_is_audited() {
    let server = TestServer::start().await;
    let (staff, grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;

    let me = staff.me().await.unwrap();
    assert_eq!(me.grants.len(), 1);
    assert_eq!(me.grants[0].id, grant);
    assert_eq!(me.grants[0].status, GrantStatus::Active);
    assert_eq!(me.grants[0].principal, "kapok-digital");
    assert_eq!(me.grants[0].approver_name, "梁国栋");
    assert_eq!(me.enterprises[0].role, EnterpriseRole::Staff);

    let wallet = staff.wallet().await.unwrap();
    let ids: Vec<_> = wallet.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["lic-company-bl", "lic-company-food"]);
    assert!(
        wallet
            .iter()
            .all(|l| l.through_grant.as_deref() == Some(grant.as_str()))
    );

    let licence = staff.licence("lic-company-bl").await.unwrap();
    assert_eq!(
        licence.summary.through_grant.as_deref(),
        Some(grant.as_str())
    );
    let tokens = staff
        .present("lic-company-bl", &PresentationRequest::default())
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    // One code at a time under a grant, however many are asked for (a code lives a minute, so
    // a revocation reaches the codes already out within one); the company's own, a batch.
    let batch = PresentationRequest { count: Some(5) };
    let tokens = staff.present("lic-company-bl", &batch).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].expires_at - tokens[0].issued_at <= 60);
    let own = server.signed_in("legal-rep").await;
    assert_eq!(
        own.present("lic-company-bl", &batch).await.unwrap().len(),
        5
    );
    // "Who saw my data" stays the company's.
    assert_eq!(
        code(staff.verifications("lic-company-bl").await),
        ErrorCode::NotFound
    );
    // The grant reaches the company's licences, not anyone else's.
    assert_eq!(
        code(staff.licence("lic-resident-id").await),
        ErrorCode::NotFound
    );

    // The legal representative's own wallet is unchanged: no through_grant there.
    let legal_rep = server.signed_in("legal-rep").await;
    let own = legal_rep.wallet().await.unwrap();
    assert!(own.iter().all(|l| l.through_grant.is_none()));

    let trail = legal_rep.audit(None).await.unwrap();
    let uses: Vec<_> = entries_of(&trail, AuditAction::GrantUsed)
        .into_iter()
        .map(|e| {
            assert_eq!(e.actor_name.as_deref(), Some("周晓彤"));
            assert_eq!(e.grant_id.as_deref(), Some(grant.as_str()));
            e.detail.as_str()
        })
        .collect();
    assert_eq!(
        uses,
        [
            "present:lic-company-bl",
            "present:lic-company-bl",
            "view:lic-company-bl",
            "list"
        ],
        "newest first"
    );
    let approved = entries_of(&trail, AuditAction::Approved);
    assert_eq!(approved[0].grant_id.as_deref(), Some(grant.as_str()));

    let given = legal_rep.grants().await.unwrap().given;
    assert_eq!(given.len(), 1);
    assert_eq!(given[0].grantee.name, "周晓彤");
    let held = staff.grants().await.unwrap().held;
    assert_eq!(held[0].id, grant);

    // One grant's story, for the people it concerns and no one else.
    let story = legal_rep.audit(Some(&grant)).await.unwrap();
    assert!(story.iter().any(|e| e.action == AuditAction::Requested));
    assert!(story.iter().any(|e| e.action == AuditAction::GrantUsed));
    assert_eq!(staff.audit(Some(&grant)).await.unwrap(), story);
    let resident = server.signed_in("resident").await;
    assert_eq!(
        code(resident.audit(Some(&grant)).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(resident.audit(Some("no-such-grant")).await),
        ErrorCode::NotFound
    );
    assert!(resident.audit(None).await.unwrap().is_empty());
}

/// A busy grant's story is read a page at a time, newest first, and nothing is skipped or
/// shown twice: its first uses stay within reach however many came after.
#[tokio::test]
async fn a_grant_s_story_longer_than_a_page_is_read_page_by_page_to_its_start() {
    let server = TestServer::start().await;
    let (staff, grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    let uses = AUDIT_PAGE + 10;
    for _ in 0..uses {
        staff.wallet().await.unwrap();
    }
    let legal_rep = server.signed_in("legal-rep").await;

    let mut story = Vec::new();
    let mut before = None;
    let mut pages = 0;
    // Bounded: were `before` ignored, every page would be the first.
    for _ in 0..5 {
        let page = legal_rep.audit_before(Some(&grant), before).await.unwrap();
        assert!(page.len() <= AUDIT_PAGE);
        pages += 1;
        let Some(oldest) = page.last() else { break };
        before = Some(oldest.id);
        story.extend(page);
    }
    assert_eq!(pages, 3, "two pages, then an empty one");
    assert!(
        story.windows(2).all(|w| w[0].id > w[1].id),
        "newest first, each entry once"
    );
    assert_eq!(entries_of(&story, AuditAction::GrantUsed).len(), uses);
    assert_eq!(story.last().unwrap().action, AuditAction::Requested);
    // The first page is the newest entries.
    let first = legal_rep.audit(Some(&grant)).await.unwrap();
    assert_eq!(first, story[..AUDIT_PAGE]);
    // The same pages for the grantee; `before` opens no one else's.
    let second = staff
        .audit_before(Some(&grant), Some(first[AUDIT_PAGE - 1].id))
        .await;
    assert_eq!(second.unwrap(), story[AUDIT_PAGE..]);
    let resident = server.signed_in("resident").await;
    assert_eq!(
        code(resident.audit_before(Some(&grant), Some(i64::MAX)).await),
        ErrorCode::NotFound
    );
    assert!(
        resident
            .audit_before(None, Some(i64::MAX))
            .await
            .unwrap()
            .is_empty()
    );
    // The whole trail pages the same way.
    let newest = legal_rep.audit(None).await.unwrap();
    assert_eq!(newest.len(), AUDIT_PAGE);
    let older = legal_rep
        .audit_before(None, Some(newest[AUDIT_PAGE - 1].id))
        .await
        .unwrap();
    assert!(!older.is_empty());
    assert!(older[0].id < newest[AUDIT_PAGE - 1].id);
}

#[tokio::test]
async fn a_revoked_grant_stops_working_on_the_next_request() {
    let server = TestServer::start().await;
    let (staff, grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    staff.licence("lic-company-bl").await.unwrap();

    // Nobody but the company and the grantee can end it.
    let resident = server.signed_in("resident").await;
    assert_eq!(
        code(resident.revoke_grant(&grant).await),
        ErrorCode::NotFound
    );

    let legal_rep = server.signed_in("legal-rep").await;
    legal_rep.revoke_grant(&grant).await.unwrap();
    legal_rep
        .revoke_grant(&grant)
        .await
        .expect("revoking twice is harmless");

    assert_eq!(
        problem(staff.licence("lic-company-bl").await),
        (ErrorCode::GrantRevoked, 403)
    );
    assert_eq!(
        code(
            staff
                .present("lic-company-food", &PresentationRequest::default())
                .await
        ),
        ErrorCode::GrantRevoked
    );
    assert!(staff.wallet().await.unwrap().is_empty());
    assert!(staff.me().await.unwrap().grants.is_empty());
    let held = staff.grants().await.unwrap().held;
    assert_eq!(held[0].status, GrantStatus::Revoked);
    assert!(held[0].revoked_at.is_some());

    let revocations = entries_of(&staff.audit(None).await.unwrap(), AuditAction::Revoked)
        .into_iter()
        .map(|e| e.actor_name.clone())
        .collect::<Vec<_>>();
    assert_eq!(revocations, [Some("梁国栋".to_owned())]);
}

#[tokio::test]
async fn the_grantee_may_give_a_grant_up() {
    let server = TestServer::start().await;
    let (staff, grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    staff.revoke_grant(&grant).await.unwrap();
    assert_eq!(
        code(staff.licence("lic-company-bl").await),
        ErrorCode::GrantRevoked
    );
    let legal_rep = server.signed_in("legal-rep").await;
    let given = legal_rep.grants().await.unwrap().given;
    assert_eq!(given[0].status, GrantStatus::Revoked);
}

#[tokio::test]
async fn an_expired_grant_gives_no_authority() {
    let server = TestServer::start().await;
    let (staff, grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    sqlx::query(
        "UPDATE grants SET valid_from = '2020-01-01', valid_until = '2020-01-30' WHERE id = $1",
    )
    .bind(&grant)
    .execute(&server.db)
    .await
    .unwrap();
    assert_eq!(
        problem(staff.licence("lic-company-bl").await),
        (ErrorCode::GrantExpired, 403)
    );
    assert!(staff.wallet().await.unwrap().is_empty());
    assert!(staff.me().await.unwrap().grants.is_empty());
    assert_eq!(
        staff.grants().await.unwrap().held[0].status,
        GrantStatus::Expired
    );
}

#[tokio::test]
async fn a_grant_without_the_licence_scope_does_not_reach_the_licences() {
    let server = TestServer::start().await;
    let (staff, _grant) = staff_with_grant(&server, &[Scope::Applications]).await;
    assert_eq!(staff.me().await.unwrap().grants.len(), 1);
    assert_eq!(
        problem(staff.licence("lic-company-bl").await),
        (ErrorCode::ScopeNotGranted, 403)
    );
    assert_eq!(
        code(
            staff
                .present("lic-company-bl", &PresentationRequest::default())
                .await
        ),
        ErrorCode::ScopeNotGranted
    );
    assert!(staff.wallet().await.unwrap().is_empty());
}

#[tokio::test]
async fn staff_who_leave_the_company_lose_its_grants() {
    let server = TestServer::start().await;
    let (staff, _grant) = staff_with_grant(&server, &[Scope::PresentLicences]).await;
    sqlx::query("DELETE FROM enterprise_members WHERE user_id = 'staff'")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(
        code(staff.licence("lic-company-bl").await),
        ErrorCode::NotFound
    );
    assert!(staff.wallet().await.unwrap().is_empty());
}

/// The demo resident with a grant from her mother to show her licences (approved straight in
/// the database, as the passkey ceremony would): her client and the grant.
async fn daughter_with_grant(server: &TestServer) -> (Client, String) {
    let resident = server.signed_in("resident").await;
    let created = resident
        .create_delegation_request(&family_request("elder"))
        .await
        .unwrap();
    let grant = kapok_server::testing::approve_without_passkey(&server.db, &created.request.id)
        .await
        .unwrap()
        .expect("a pending request is approved");
    (resident, grant)
}

/// A family grant carries authority only while the household register still lists the two as
/// relatives, as a company's does only while its grantee works there.
#[tokio::test]
async fn a_relative_no_longer_in_the_household_register_loses_the_grant() {
    let server = TestServer::start().await;
    let (resident, _grant) = daughter_with_grant(&server).await;
    resident.licence("lic-elder-id").await.unwrap();
    sqlx::query("DELETE FROM relatives WHERE user_id IN ('resident', 'elder')")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(
        code(resident.licence("lic-elder-id").await),
        ErrorCode::NotFound
    );
    assert!(
        resident
            .wallet()
            .await
            .unwrap()
            .iter()
            .all(|l| l.through_grant.is_none())
    );
}

#[tokio::test]
async fn a_daughter_with_her_mothers_grant_shows_her_mothers_licences() {
    let server = TestServer::start().await;
    let (resident, grant) = daughter_with_grant(&server).await;

    let wallet = resident.wallet().await.unwrap();
    let through: Vec<_> = wallet
        .iter()
        .filter(|l| l.through_grant.as_deref() == Some(grant.as_str()))
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(through, ["lic-elder-id", "lic-elder-ssc", "lic-elder-dl"]);
    assert!(
        wallet
            .iter()
            .filter(|l| l.id.starts_with("lic-resident"))
            .all(|l| l.through_grant.is_none())
    );
    resident
        .present("lic-elder-id", &PresentationRequest::default())
        .await
        .unwrap();
    assert_eq!(
        code(resident.verifications("lic-elder-id").await),
        ErrorCode::NotFound
    );
    // The mother's grant is hers to give, and reaches no one else's licences.
    assert_eq!(
        code(resident.licence("lic-hk-id").await),
        ErrorCode::NotFound
    );

    let elder = server.signed_in("elder").await;
    let trail = elder.audit(None).await.unwrap();
    let uses = entries_of(&trail, AuditAction::GrantUsed);
    assert!(uses.iter().any(|e| e.detail == "present:lic-elder-id"));
    assert!(
        uses.iter()
            .all(|e| e.actor_name.as_deref() == Some("陈嘉欣"))
    );
    assert_eq!(elder.grants().await.unwrap().given[0].id, grant);
    elder.revoke_grant(&grant).await.unwrap();
    assert_eq!(
        code(resident.licence("lic-elder-id").await),
        ErrorCode::GrantRevoked
    );
}

#[tokio::test]
async fn the_link_secret_is_never_stored() {
    let server = TestServer::start().await;
    let (_staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    server
        .client()
        .lookup_link(&lookup(&created.secret))
        .await
        .unwrap();
    kapok_server::testing::approve_without_passkey(&server.db, &created.request.id)
        .await
        .unwrap();

    let mut scanned = 0;
    if common::postgres().is_some() {
        // Every row of every table, as PostgreSQL prints it.
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_all(&server.db)
        .await
        .unwrap();
        for table in tables {
            let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM {table} t"))
                .fetch_all(&server.db)
                .await
                .unwrap();
            for row in rows {
                scanned += row.len();
                assert!(!row.contains(&created.secret), "the secret is in {table}");
            }
        }
    } else {
        let files: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
            .fetch_all(&server.db)
            .await
            .unwrap();
        let main = &files.iter().find(|(_, name, _)| name == "main").unwrap().2;
        for path in [main.clone(), format!("{main}-wal")] {
            if let Ok(bytes) = std::fs::read(&path) {
                scanned += bytes.len();
                assert!(
                    !bytes
                        .windows(created.secret.len())
                        .any(|w| w == created.secret.as_bytes()),
                    "the secret is in {path}"
                );
            }
        }
    }
    assert!(scanned > 0, "the database files were read");
}

#[tokio::test]
async fn a_flood_of_requests_is_slowed_down() {
    let server = TestServer::start().await;
    let staff = server.signed_in("staff").await;
    let ask = company_request(&[Scope::PresentLicences]);
    for _ in 0..10 {
        staff.create_delegation_request(&ask).await.unwrap();
    }
    let refused = staff.create_delegation_request(&ask).await;
    // Until the first of the ten is an hour old.
    let wait = refused.as_ref().err().and_then(ClientError::retry_after);
    assert_eq!(problem(refused), (ErrorCode::TooManyRequests, 429));
    assert!(
        wait.is_some_and(|s| (3590..=3600).contains(&s)),
        "Retry-After {wait:?}"
    );
    // Someone else is not held up by it.
    let resident = server.signed_in("resident").await;
    resident
        .create_delegation_request(&family_request("elder"))
        .await
        .unwrap();
}

#[tokio::test]
async fn approval_attempts_and_link_lookups_are_rate_limited() {
    let server = TestServer::start().await;
    let (_staff, created) = staff_asks(&server, &[Scope::PresentLicences]).await;
    let id = &created.request.id;
    let hash = approval(&created.request.request_hash);

    // Others' attempts do not use up the approver's.
    let resident = server.signed_in("resident").await;
    for _ in 0..6 {
        assert_eq!(
            code(resident.approve_start(id, &hash).await),
            ErrorCode::NotApprover
        );
    }
    let legal_rep = server.signed_in("legal-rep").await;
    for _ in 0..5 {
        assert_eq!(
            code(legal_rep.approve_start(id, &hash).await),
            ErrorCode::NoPasskey
        );
    }
    assert_eq!(
        code(legal_rep.approve_start(id, &hash).await),
        ErrorCode::TooManyRequests
    );
    // Each refusal says when the window that the first attempt opened ends: within the hour,
    // and never sooner than it does.
    let wait = retry_after(legal_rep.approve_start(id, &hash).await);
    assert!(
        wait.is_some_and(|s| (3590..=3600).contains(&s)),
        "Retry-After {wait:?}"
    );

    for _ in 0..30 {
        legal_rep
            .lookup_link(&lookup(&created.secret))
            .await
            .unwrap();
    }
    assert_eq!(
        code(legal_rep.lookup_link(&lookup(&created.secret)).await),
        ErrorCode::TooManyRequests
    );
    let wait = retry_after(legal_rep.lookup_link(&lookup(&created.secret)).await);
    assert!(
        wait.is_some_and(|s| (1..=60).contains(&s)),
        "Retry-After {wait:?}"
    );
    let anonymous = server.client();
    for _ in 0..30 {
        anonymous
            .lookup_link(&lookup(&created.secret))
            .await
            .unwrap();
    }
    assert_eq!(
        code(anonymous.lookup_link(&lookup(&created.secret)).await),
        ErrorCode::TooManyRequests
    );
    // Someone else not signed in, on another network, still sees the request.
    let answer = server
        .raw_from("127.0.0.2")
        .post(server.url("/api/v1/delegation-requests/lookup"))
        .json(&lookup(&created.secret))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn delegation_endpoints_need_a_session_except_the_link_lookup() {
    let server = TestServer::start().await;
    let anonymous = server.client();
    assert_eq!(
        code(
            anonymous
                .create_delegation_request(&company_request(&[Scope::PresentLicences]))
                .await
        ),
        ErrorCode::Unauthenticated
    );
    assert_eq!(code(anonymous.grants().await), ErrorCode::Unauthenticated);
    assert_eq!(
        code(anonymous.audit(None).await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        code(anonymous.revoke_grant("x").await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        code(anonymous.decline("x").await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        code(anonymous.cancel_delegation_request("x").await),
        ErrorCode::Unauthenticated
    );
}

#[tokio::test]
async fn the_audit_log_cannot_be_rewritten() {
    let server = TestServer::start().await;
    staff_asks(&server, &[Scope::PresentLicences]).await;
    assert!(
        sqlx::query("UPDATE audit_log SET detail = 'nothing happened'")
            .execute(&server.db)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log")
            .execute(&server.db)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_openapi_document_describes_delegation() {
    let doc: serde_json::Value = serde_json::from_str(&kapok_server::openapi_json()).unwrap();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/delegation-requests", "post"),
        ("/api/v1/delegation-requests", "get"),
        ("/api/v1/delegation-requests/{id}", "get"),
        ("/api/v1/delegation-requests/{id}", "delete"),
        ("/api/v1/delegation-requests/lookup", "post"),
        ("/api/v1/delegation-requests/{id}/approve/start", "post"),
        ("/api/v1/delegation-requests/{id}/approve/finish", "post"),
        ("/api/v1/delegation-requests/{id}/decline", "post"),
        ("/api/v1/grants", "get"),
        ("/api/v1/grants/{id}", "delete"),
        ("/api/v1/audit", "get"),
    ] {
        let operation = &paths[path][method];
        assert_eq!(operation["tags"][0], "delegation", "{method} {path}");
    }
    assert!(
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "delegation")
    );
    assert!(doc["components"]["schemas"]["DelegationRequest"].is_object());
}

#[tokio::test]
async fn a_garbled_audit_query_is_a_problem_not_an_error() {
    let server = TestServer::start().await;
    let staff = server.signed_in("staff").await;
    let cookie = staff.session_cookie().unwrap();
    for (query, expected) in [
        ("grant=a&grant=b", (400, ErrorCode::MalformedBody)),
        // Not UTF-8: read lossily, so it names no grant.
        ("grant=%FF%FE", (404, ErrorCode::NotFound)),
    ] {
        let response = server
            .raw()
            .get(server.url(&format!("/api/v1/audit?{query}")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let problem: kapok_api::Problem = response.json().await.unwrap();
        assert_eq!((status, problem.code), expected, "{query}");
    }
}
