//! What the time an answer takes tells an attacker. Alone in its own test binary, so that no
//! other test's password checks share the server's queue for them while it measures.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;

/// How long the server takes to refuse `password` for `username`.
async fn time_to_refuse(server: &TestServer, username: &str) -> Duration {
    let started = Instant::now();
    let response = server
        .raw()
        .post(server.url("/api/v1/session"))
        .json(&serde_json::json!({ "username": username, "password": "not-the-password" }))
        .send()
        .await
        .unwrap();
    let taken = started.elapsed();
    assert_eq!(response.status(), 401, "{username}");
    taken
}

/// The answer to an unknown name is the same as to a wrong password
/// (`session.rs::wrong_password_is_refused_with_a_stable_code`), and so is the time it takes:
/// an unknown name is checked against a dummy hash, as long as a wrong password for an account.
/// Compared by the quickest of twelve tries each, taken in turn after one of each to warm up,
/// since anything else the machine does only ever adds time; a name looked up and refused
/// without a hash answers in a fraction of it. The accounts take turns, so none reaches the
/// ten wrong passwords that would pause it (and answer at once).
#[tokio::test]
async fn an_unknown_name_takes_as_long_to_refuse_as_a_wrong_password() {
    let server = TestServer::start().await;
    let accounts = ["resident", "elder", "hk-resident", "staff"];
    let (mut account, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..13 {
        account.push(time_to_refuse(&server, accounts[i % accounts.len()]).await);
        unknown.push(time_to_refuse(&server, &format!("nobody-{i}")).await);
    }
    let quickest = |times: &[Duration]| *times[1..].iter().min().unwrap();
    let (account, unknown) = (quickest(&account), quickest(&unknown));
    assert!(
        unknown * 2 >= account && account * 2 >= unknown,
        "an unknown name took {unknown:?} at the quickest, a wrong password {account:?}"
    );
}
