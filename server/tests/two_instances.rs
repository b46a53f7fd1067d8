//! Two server instances on one database, behind one origin (as behind a load balancer): what
//! one instance did, the other knows. Sessions, grants and replay protection live in the
//! database, so a person may land on either instance for any request. `cargo xtask test` runs
//! this on PostgreSQL, the engine meant for several machines, as well as on SQLite. The last
//! test is what a shared PostgreSQL asks of each instance on its own: to outlive PostgreSQL
//! ending its connections.

mod common;

use common::TestServer;
use kapok_api::{
    ErrorCode, LinkLookup, Scope, VerifyRequest,
    client::{Client, ClientError},
};

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> ErrorCode {
    result
        .expect_err("the call should fail")
        .code()
        .expect("a problem document")
}

/// The same person's browser, sent to `server` this time.
fn on(server: &TestServer, session_from: &Client) -> Client {
    let client = server.client();
    client.set_session_cookie(session_from.session_cookie());
    client
}

fn checked(token: &str) -> VerifyRequest {
    VerifyRequest {
        token: token.into(),
        place: None,
    }
}

#[tokio::test]
async fn a_session_opened_on_one_instance_works_and_ends_on_the_other() {
    let a = TestServer::start().await;
    let b = a.second_instance().await;
    let on_a = a.signed_in("resident").await;
    let on_b = on(&b, &on_a);
    assert_eq!(on_b.me().await.unwrap().user.username, "resident");
    assert!(!on_b.wallet().await.unwrap().is_empty());

    on_b.sign_out().await.unwrap();
    let again_on_a = on(&a, &on_a);
    assert_eq!(code(again_on_a.me().await), ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn a_code_checked_on_one_instance_is_a_replay_on_the_other() {
    let a = TestServer::start().await;
    let b = a.second_instance().await;
    let resident = a.signed_in("resident").await;
    let official_on_a = a.signed_in("official").await;
    let official_on_b = on(&b, &official_on_a);
    let other_official_on_b = b.signed_in("market-official").await;
    let other_official_on_a = on(&a, &other_official_on_b);

    let first = common::fresh_token(&resident, "lic-resident-id").await;
    official_on_a.verify(&checked(&first)).await.unwrap();
    assert_eq!(
        code(other_official_on_b.verify(&checked(&first)).await),
        ErrorCode::TokenReplayed
    );
    // The official who checked it, trying again on the other instance (the first answer was
    // lost), is no replay: both instances know whose first check it was.
    official_on_b.verify(&checked(&first)).await.unwrap();

    // And the other way round, with a code issued by the second instance.
    let second = common::fresh_token(&on(&b, &resident), "lic-resident-id").await;
    other_official_on_b.verify(&checked(&second)).await.unwrap();
    assert_eq!(
        code(official_on_a.verify(&checked(&second)).await),
        ErrorCode::TokenReplayed
    );
    assert_eq!(
        code(b.client().verify(&checked(&second)).await),
        ErrorCode::TokenReplayed
    );
    other_official_on_a.verify(&checked(&second)).await.unwrap();
}

/// Verifications are written in groups (one transaction per burst): checks of one code that
/// arrive together, on either instance, still find exactly one first use between them, and
/// every check is on the holder's record. The checks are the public's, whom nothing tells
/// apart, so every check after the first is a replay.
#[tokio::test]
async fn codes_checked_at_once_on_both_instances_each_verify_exactly_once() {
    const CODES: usize = 5;
    // Ten checks of each code in all: every one is kept (the first and nine replays), as no
    // more replays of one code are.
    const CHECKS_PER_INSTANCE: usize = 5;
    let a = TestServer::start().await;
    let b = a.second_instance().await;
    let resident = a.signed_in("resident").await;
    let (public_on_a, public_on_b) = (a.client(), b.client());
    let mut codes = Vec::new();
    for _ in 0..CODES {
        codes.push(common::fresh_token(&resident, "lic-resident-id").await);
    }

    let mut checks = tokio::task::JoinSet::new();
    for _ in 0..CHECKS_PER_INSTANCE {
        for (i, code) in codes.iter().enumerate() {
            for verifier in [&public_on_a, &public_on_b] {
                let (verifier, request) = (verifier.clone(), checked(code));
                checks.spawn(async move { (i, verifier.verify(&request).await) });
            }
        }
    }
    let mut firsts = [0; CODES];
    while let Some(check) = checks.join_next().await {
        match check.unwrap() {
            (i, Ok(_)) => firsts[i] += 1,
            (_, answer) => assert_eq!(code(answer), ErrorCode::TokenReplayed),
        }
    }
    assert_eq!(firsts, [1; CODES], "each code verifies once");

    let seen = resident.verifications("lic-resident-id").await.unwrap();
    let all = CODES * CHECKS_PER_INSTANCE * 2;
    assert_eq!(seen.len(), all, "every check is recorded");
    assert_eq!(seen.iter().filter(|v| v.replay).count(), all - CODES);
}

#[tokio::test]
async fn wrong_passwords_tried_on_both_instances_count_together() {
    let first = TestServer::start().await;
    let second = first.second_instance().await;
    let guess = kapok_api::SignInRequest {
        username: "resident".into(),
        password: "guess".into(),
    };
    for i in 0..10 {
        let instance = if i % 2 == 0 { &first } else { &second };
        assert_eq!(
            code(instance.client().sign_in(&guess).await),
            ErrorCode::BadCredentials
        );
    }
    for instance in [&first, &second] {
        assert_eq!(
            code(instance.client().sign_in(&guess).await),
            ErrorCode::TooManySignInAttempts
        );
    }
}

/// The limits with no table of their own count in the database too: a script looking up links
/// from one network, sent to each instance in turn, gets no more than one instance would give.
#[tokio::test]
async fn link_lookups_sent_to_both_instances_count_together() {
    let first = TestServer::start().await;
    let second = first.second_instance().await;
    let created = first
        .signed_in("staff")
        .await
        .create_delegation_request(&common::company_request(&[Scope::PresentLicences]))
        .await
        .unwrap();
    let look = LinkLookup {
        token: created.secret.clone(),
    };
    let (on_first, on_second) = (first.client(), second.client());
    for i in 0..30 {
        let instance = if i % 2 == 0 { &on_first } else { &on_second };
        instance.lookup_link(&look).await.unwrap();
    }
    for instance in [&on_first, &on_second] {
        assert_eq!(
            code(instance.lookup_link(&look).await),
            ErrorCode::TooManyRequests
        );
    }
}

#[tokio::test]
async fn a_grant_given_through_one_instance_holds_on_the_other_and_its_revocation_too() {
    let a = TestServer::start().await;
    let b = a.second_instance().await;
    let staff_on_a = a.signed_in("staff").await;
    let created = staff_on_a
        .create_delegation_request(&common::company_request(&[Scope::PresentLicences]))
        .await
        .unwrap();
    let legal_rep_on_b = on(&b, &a.signed_in("legal-rep").await);
    let waiting = legal_rep_on_b.delegation_requests().await.unwrap();
    assert!(
        waiting.to_decide.iter().any(|r| r.id == created.request.id),
        "the request made on one instance waits on the other"
    );
    let grant = kapok_server::testing::approve_without_passkey(&a.db, &created.request.id)
        .await
        .unwrap()
        .expect("a pending request is approved");

    let staff_on_b = on(&b, &staff_on_a);
    assert!(
        staff_on_b
            .grants()
            .await
            .unwrap()
            .held
            .iter()
            .any(|g| g.id == grant),
        "the grant is held on the other instance"
    );
    staff_on_b.licence("lic-company-bl").await.unwrap();

    legal_rep_on_b.revoke_grant(&grant).await.unwrap();
    assert_eq!(
        code(staff_on_a.licence("lic-company-bl").await),
        ErrorCode::GrantRevoked
    );
}

/// PostgreSQL restarting (or failing over) ends the connections waiting in the server's pool.
/// The next requests must not fail on them: a connection that has waited is checked before
/// use and replaced. (A SQLite connection is a file in the process, which nothing outside
/// can end, so this runs only on PostgreSQL.)
#[tokio::test]
async fn connections_postgres_ended_while_they_waited_are_replaced_unseen() {
    let Some(admin) = common::postgres() else {
        return;
    };
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let official = server.signed_in("official").await;
    let wallet = resident.wallet().await.unwrap();

    let ended = common::end_connections(&admin, &common::database_name(&server.database_url)).await;
    assert!(ended > 0, "the server had connections open");
    // Longer than a connection may wait before it is checked again.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

    assert_eq!(resident.wallet().await.unwrap(), wallet);
    let first = common::fresh_token(&resident, "lic-resident-id").await;
    official.verify(&checked(&first)).await.unwrap();
    assert_eq!(
        code(server.client().verify(&checked(&first)).await),
        ErrorCode::TokenReplayed
    );
}
