//! The database goes away for a while, or cannot take writes: requests are answered 503
//! `unavailable` with `Retry-After` within the set wait, never a 500, a hang or a dropped
//! connection; what can still be read is served; and when the database is back, everything
//! works again without a restart, sessions included.

mod common;

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use common::{PASSWORD, TestServer};
use kapok_api::{
    ErrorCode, LinkLookup, PresentationRequest, SignInRequest, VerifyRequest,
    client::{Client, ClientError},
};
use sqlx::{Connection, Executor};
use tokio::sync::watch;

/// How long the servers here wait for the database (`Timeouts::database`): for a connection,
/// and half of it for a lock.
const WAIT: Duration = Duration::from_secs(2);

async fn server_waiting(set_up: impl FnOnce(&mut kapok_server::Config)) -> TestServer {
    TestServer::start_set_up(|config| {
        config.timeouts.database = WAIT;
        set_up(config);
    })
    .await
}

fn unavailable<T: std::fmt::Debug>(answer: Result<T, ClientError>, what: &str) {
    match answer {
        Err(ClientError::Problem(p)) => {
            assert_eq!((p.status, p.code), (503, ErrorCode::Unavailable), "{what}");
        }
        other => panic!("{what}: expected 503 unavailable, got {other:?}"),
    }
}

fn verify_request(token: &str) -> VerifyRequest {
    VerifyRequest {
        token: token.into(),
        place: None,
    }
}

fn sign_in(username: &str) -> SignInRequest {
    SignInRequest {
        username: username.into(),
        password: PASSWORD.into(),
    }
}

/// Once the database is back: the check of `token` refused meanwhile goes through and is its
/// holder's only record of one, and signing in works.
async fn works_again(server: &TestServer, resident: &Client, official: &Client, token: &str) {
    official.verify(&verify_request(token)).await.unwrap();
    let checks = resident.verifications("lic-resident-id").await.unwrap();
    assert_eq!(checks.len(), 1, "the refused check recorded nothing");
    server.client().sign_in(&sign_in("elder")).await.unwrap();
}

/// A connection of another program holding a lock that keeps the server from writing (as a
/// backup, a migration or someone at a SQL prompt can): SQLite's one write lock, or on
/// PostgreSQL the tables a check and a sign-in write and the one a new signing key goes in,
/// which others may still read.
async fn hold_write_lock(database_url: &str) -> sqlx::AnyConnection {
    let mut other = sqlx::AnyConnection::connect(database_url).await.unwrap();
    if database_url.starts_with("sqlite") {
        other.execute("BEGIN IMMEDIATE").await.unwrap();
    } else {
        other.execute("BEGIN").await.unwrap();
        other
            .execute("LOCK TABLE verifications, sessions, issuer_keys IN EXCLUSIVE MODE")
            .await
            .unwrap();
    }
    other
}

#[tokio::test]
async fn while_another_program_holds_the_write_lock_writes_are_answered_unavailable_and_reads_go_on()
 {
    let server = server_waiting(|_| {}).await;
    let resident = server.signed_in("resident").await;
    let official = server.signed_in("official").await;
    let official_cookie = server.session_cookie("official").await;
    let token = common::fresh_token(&resident, "lic-resident-id").await;
    let licences = resident.wallet().await.unwrap();

    let mut other_program = hold_write_lock(&server.database_url).await;

    let started = Instant::now();
    let refused = server
        .raw()
        .post(server.url("/api/v1/verify"))
        .header("cookie", &official_cookie)
        .json(&verify_request(&token))
        .send()
        .await
        .expect("an answer, not a dropped connection");
    let waited = started.elapsed();
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "30");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: kapok_api::Problem = refused.json().await.unwrap();
    assert_eq!(problem.code, ErrorCode::Unavailable);
    assert!(waited < WAIT * 2, "answered after {waited:?}");
    unavailable(
        server.client().sign_in(&sign_in("elder")).await,
        "a sign-in opens a session",
    );

    assert_eq!(
        resident.wallet().await.unwrap(),
        licences,
        "reading goes on while writing cannot"
    );
    assert!(
        resident
            .verifications("lic-resident-id")
            .await
            .unwrap()
            .is_empty()
    );

    other_program.execute("ROLLBACK").await.unwrap();
    works_again(&server, &resident, &official, &token).await;
}

/// A TCP proxy between the server and PostgreSQL that can cut every connection through it and
/// refuse new ones (a network cut, a database host restarting), then let them through again.
struct Line {
    addr: SocketAddr,
    up: watch::Sender<bool>,
}

impl Line {
    fn to(upstream: SocketAddr) -> Line {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, watching) = watch::channel(true);
        tokio::spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((mut near, _)) = listener.accept().await {
                let mut up = watching.clone();
                if !*up.borrow() {
                    continue; // dropped: closed at once
                }
                tokio::spawn(async move {
                    let Ok(mut far) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut near, &mut far) => {}
                        _ = up.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Line { addr, up }
    }

    fn cut(&self) {
        self.up.send_replace(false);
    }

    fn mend(&self) {
        self.up.send_replace(true);
    }
}

#[tokio::test]
async fn a_database_cut_off_is_answered_unavailable_in_time_and_back_again_needs_no_restart() {
    if common::postgres().is_none() {
        return; // SQLite is a file in the process: there is no line to cut.
    }
    let mut line = None;
    let server = server_waiting(|config| {
        let mut url = url::Url::parse(&config.database_url).unwrap();
        let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
        let through = Line::to(upstream.parse().unwrap());
        url.set_port(Some(through.addr.port())).unwrap();
        config.database_url = url.to_string();
        line = Some(through);
    })
    .await;
    let line = line.unwrap();
    let resident = server.signed_in("resident").await;
    let official = server.signed_in("official").await;
    let token = common::fresh_token(&resident, "lic-resident-id").await;
    let licences = resident.wallet().await.unwrap();

    let (check, new_code, newcomer, elder) = (
        verify_request(&token),
        PresentationRequest::default(),
        server.client(),
        sign_in("elder"),
    );
    line.cut();
    let started = Instant::now();
    let (wallet, verify, present, signing_in) = tokio::join!(
        resident.wallet(),
        official.verify(&check),
        resident.present("lic-resident-id", &new_code),
        newcomer.sign_in(&elder),
    );
    let waited = started.elapsed();
    unavailable(wallet, "the wallet");
    unavailable(verify, "a check");
    unavailable(present, "a new code");
    unavailable(signing_in, "a sign-in");
    assert!(waited < WAIT * 3, "answered after {waited:?}");

    line.mend();
    assert_eq!(
        resident.wallet().await.unwrap(),
        licences,
        "the session is still there"
    );
    works_again(&server, &resident, &official, &token).await;
}

/// After a failover a server can be left on a PostgreSQL that takes only reads (a standby, or
/// one set read-only for maintenance): what writes is answered 503 `unavailable`, not 500, and
/// reading goes on; once it takes writes again, so does the server.
#[tokio::test]
async fn a_postgresql_taking_only_reads_answers_writes_unavailable_and_reads_go_on() {
    let Some(admin) = common::postgres() else {
        return; // SQLite has no such mode for a server to be left in.
    };
    let server = server_waiting(|_| {}).await;
    let resident = server.signed_in("resident").await;
    let licences = resident.wallet().await.unwrap();
    let name = common::database_name(&server.database_url);
    let read_only = |setting: &'static str| {
        let (admin, name) = (admin.clone(), name.clone());
        async move {
            let mut conn = sqlx::postgres::PgConnection::connect(&admin).await.unwrap();
            conn.execute(format!("ALTER DATABASE {name} {setting}").as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
            // Connections take the setting when they open.
            common::end_connections(&admin, &name).await;
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    };

    read_only("SET default_transaction_read_only = on").await;
    assert_eq!(resident.wallet().await.unwrap(), licences);
    unavailable(
        server.client().sign_in(&sign_in("elder")).await,
        "a sign-in",
    );

    read_only("RESET default_transaction_read_only").await;
    server.client().sign_in(&sign_in("elder")).await.unwrap();
}

/// An overloaded PostgreSQL that runs a statement for far longer than it should, holding no
/// lock anyone waits for (here a trigger that sleeps on every new session): the statement is
/// cut off after the wait and answered 503 `unavailable`, not waited for without end.
#[tokio::test]
async fn a_statement_postgresql_runs_too_slowly_is_cut_off_and_answered_unavailable() {
    if common::postgres().is_none() {
        return; // SQLite runs in the process, with nothing between a statement and its data.
    }
    let server = server_waiting(|_| {}).await;
    let resident = server.signed_in("resident").await;
    let licences = resident.wallet().await.unwrap();
    let mut other = sqlx::postgres::PgConnection::connect(&server.database_url)
        .await
        .unwrap();
    other
        .execute(
            format!(
                "CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN PERFORM pg_sleep({}); RETURN NEW; END $$;
                 CREATE TRIGGER slow_down BEFORE INSERT ON sessions
                 FOR EACH ROW EXECUTE FUNCTION slow_down();",
                (WAIT * 5).as_secs()
            )
            .as_str(),
        )
        .await
        .unwrap();

    let started = Instant::now();
    unavailable(
        server.client().sign_in(&sign_in("elder")).await,
        "a sign-in, whose new session takes the slow statement",
    );
    let waited = started.elapsed();
    assert!(waited < WAIT * 2, "answered after {waited:?}");
    assert_eq!(resident.wallet().await.unwrap(), licences);

    other
        .execute("DROP TRIGGER slow_down ON sessions")
        .await
        .unwrap();
    server.client().sign_in(&sign_in("elder")).await.unwrap();
}

/// The key that signs codes is made when the server starts, not on the first code asked for:
/// a server whose database takes no writes from its first request on (locked, or a read-only
/// standby) still gives the holder a live code, and the verifier the key to check it.
#[tokio::test]
async fn codes_are_issued_while_the_database_takes_no_writes_from_the_first_request_on() {
    let server = server_waiting(|_| {}).await;
    let resident = server.signed_in("resident").await;

    let mut other_program = hold_write_lock(&server.database_url).await;
    let codes = resident
        .present("lic-resident-id", &PresentationRequest::default())
        .await
        .expect("a live code though nothing can be written");
    let keys = server.client().issuer_keys().await.unwrap();
    let (_, claims) =
        kapok_api::token::verify_with_keys(&codes[0].token, &keys.decoded(), codes[0].issued_at)
            .expect("the code checks against the keys the server gives");
    assert_eq!(claims.licence_id, "lic-resident-id");
    other_program.execute("ROLLBACK").await.unwrap();
}

/// A proxy in front of a server that is restarting: it answers every request with its own page.
async fn proxy_answering_bad_gateway() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let page = || async {
        (
            axum::http::StatusCode::BAD_GATEWAY,
            [(axum::http::header::CONTENT_TYPE, "text/html")],
            "<html><body>502 Bad Gateway</body></html>",
        )
    };
    tokio::spawn(axum::serve(listener, axum::Router::new().fallback(page)).into_future());
    format!("http://{address}")
}

#[tokio::test]
async fn a_proxys_own_error_page_is_no_answer_and_says_whether_a_change_may_have_been_made() {
    let client = Client::new(proxy_answering_bad_gateway().await);
    let reading = ClientError::Unavailable {
        status: 502,
        sending: false,
    };

    // A page reading its data: nothing was sent that may or may not have arrived.
    let wallet = client.wallet().await.unwrap_err();
    assert_eq!(wallet, reading);
    assert!(
        wallet.is_unavailable(),
        "the device's saved copy may stand in"
    );
    // A link is looked up with a POST only to keep its secret out of URLs: still a read.
    let lookup = LinkLookup {
        token: "a".repeat(43),
    };
    assert_eq!(client.lookup_link(&lookup).await.unwrap_err(), reading);

    // A check of a code records it for the holder: it may have been made before the answer
    // was lost.
    assert_eq!(
        client.verify(&verify_request("x")).await.unwrap_err(),
        ClientError::Unavailable {
            status: 502,
            sending: true,
        },
    );
}
