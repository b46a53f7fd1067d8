//! Sign-in, sessions and sign-out, as a user and as an attacker would try them.

mod common;

use common::{PASSWORD, TestServer};
use kapok_api::{
    EnterpriseRole, ErrorCode, LocaleTag, NotificationKind, PasswordChange, Persona, SignInMethod,
    SignInRequest, client::ClientError,
};
use kapok_server::config::ClientIpSource;
use sha2::{Digest, Sha256};

fn credentials(username: &str, password: &str) -> SignInRequest {
    SignInRequest {
        username: username.into(),
        password: password.into(),
    }
}

fn code(result: Result<impl std::fmt::Debug, ClientError>) -> ErrorCode {
    result
        .expect_err("the call should fail")
        .code()
        .expect("a problem document")
}

#[tokio::test]
async fn every_demo_account_signs_in_and_lands_in_its_own_persona() {
    let server = TestServer::start().await;
    let expected = [
        ("resident", Persona::Resident),
        ("elder", Persona::Resident),
        ("hk-resident", Persona::Resident),
        ("staff", Persona::Enterprise),
        ("legal-rep", Persona::Enterprise),
        ("official", Persona::Official),
    ];
    for (username, persona) in expected {
        let client = server.client();
        let me = client
            .sign_in(&credentials(username, PASSWORD))
            .await
            .unwrap();
        assert_eq!(me.user.username, username);
        assert_eq!(me.user.persona, persona, "{username}");
        assert!(!me.user.display_name.is_empty());
        assert_eq!(
            client.me().await.unwrap(),
            me,
            "/me agrees with sign-in for {username}"
        );
    }
}

#[tokio::test]
async fn demo_accounts_carry_their_preferences_and_the_company_register() {
    let server = TestServer::start().await;
    let elder = server.signed_in("elder").await.me().await.unwrap();
    assert!(elder.user.prefers_elderly_mode);
    let hk = server.signed_in("hk-resident").await.me().await.unwrap();
    assert_eq!(hk.user.preferred_locale, LocaleTag::ZhHk);

    let legal_rep = server.signed_in("legal-rep").await.me().await.unwrap();
    let staff = server.signed_in("staff").await.me().await.unwrap();
    assert_eq!(legal_rep.enterprises.len(), 1);
    assert_eq!(
        legal_rep.enterprises[0].role,
        EnterpriseRole::LegalRepresentative
    );
    assert_eq!(staff.enterprises[0].role, EnterpriseRole::Staff);
    assert_eq!(
        staff.enterprises[0].enterprise,
        legal_rep.enterprises[0].enterprise
    );
    assert!(kapok_api::uscc::is_valid(
        &staff.enterprises[0].enterprise.uscc
    ));
    assert!(
        server
            .signed_in("resident")
            .await
            .me()
            .await
            .unwrap()
            .enterprises
            .is_empty()
    );
}

#[tokio::test]
async fn wrong_password_is_refused_with_a_stable_code() {
    let server = TestServer::start().await;
    let client = server.client();
    assert_eq!(
        code(
            client
                .sign_in(&credentials("resident", "kapok-demo!"))
                .await
        ),
        ErrorCode::BadCredentials
    );
    assert_eq!(
        client.session_cookie(),
        None,
        "a failed sign-in sets no session"
    );

    // An unknown username gets the very same answer, so usernames cannot be enumerated.
    let response = server
        .raw()
        .post(server.url("/api/v1/session"))
        .json(&credentials("nobody", PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: kapok_api::Problem = response.json().await.unwrap();
    assert_eq!(problem.code, ErrorCode::BadCredentials);
    assert_eq!(problem.status, 401);
}

/// A password sign-in's status, error code and `Retry-After`, sent as a script would.
async fn try_password(
    server: &TestServer,
    username: &str,
    password: &str,
) -> ((u16, Option<ErrorCode>), Option<i64>) {
    try_password_from(server, &server.raw(), None, None, username, password).await
}

/// As `try_password`, sent by `client` with `X-Forwarded-For: forwarded` if given, from a
/// browser with the device cookie `device` (`name=value`) if given.
async fn try_password_from(
    server: &TestServer,
    client: &reqwest::Client,
    device: Option<&str>,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
) -> ((u16, Option<ErrorCode>), Option<i64>) {
    let mut request = client
        .post(server.url("/api/v1/session"))
        .json(&credentials(username, password));
    if let Some(device) = device {
        request = request.header("cookie", device);
    }
    if let Some(forwarded) = forwarded {
        request = request.header("X-Forwarded-For", forwarded);
    }
    answer_of(request.send().await.unwrap()).await
}

/// As `try_password_from`, from a browser with the device cookie `device` (`name=value`).
async fn try_password_on(
    server: &TestServer,
    device: &str,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
) -> ((u16, Option<ErrorCode>), Option<i64>) {
    let client = server.raw();
    try_password_from(server, &client, Some(device), forwarded, username, password).await
}

async fn answer_of(response: reqwest::Response) -> ((u16, Option<ErrorCode>), Option<i64>) {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let code = (status != 200).then_some(()).and(
        response
            .json::<kapok_api::Problem>()
            .await
            .ok()
            .map(|p| p.code),
    );
    ((status, code), retry_after)
}

const LOCKED: (u16, Option<ErrorCode>) = (429, Some(ErrorCode::TooManySignInAttempts));
const NETWORK_LOCKED: (u16, Option<ErrorCode>) =
    (429, Some(ErrorCode::TooManySignInAttemptsFromNetwork));
const WRONG: (u16, Option<ErrorCode>) = (401, Some(ErrorCode::BadCredentials));
/// Wrong passwords one network may send within 15 minutes (`store::sign_in_failures`).
const PER_NETWORK: usize = 100;

#[tokio::test]
async fn password_guessing_at_one_account_stops_after_ten_wrong_tries_for_fifteen_minutes() {
    let server = TestServer::start().await;
    for _ in 0..10 {
        assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    }
    // The eleventh try is refused before the password is looked at: even the right one.
    for password in ["guess", PASSWORD] {
        let (answer, retry_after) = try_password(&server, "resident", password).await;
        assert_eq!(answer, LOCKED);
        let wait = retry_after.expect("Retry-After");
        assert!((15 * 60 - 5..=15 * 60).contains(&wait), "wait {wait} s");
    }
    // Other accounts sign in as ever, and a passkey would still let her in (tested with the
    // passkeys); an unknown name is counted and refused the same way, so a refusal does not
    // tell whether an account exists.
    assert_eq!(try_password(&server, "elder", PASSWORD).await.0.0, 200);
    for _ in 0..10 {
        assert_eq!(try_password(&server, "nobody-here", "guess").await.0, WRONG);
    }
    assert_eq!(
        try_password(&server, "nobody-here", "guess").await.0,
        LOCKED
    );

    // Fifteen minutes after the oldest of the ten, one more try is allowed.
    sqlx::query("UPDATE sign_in_failures SET at = at - 15 * 60")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0.0, 200);
}

#[tokio::test]
async fn wrong_passwords_count_across_instances_under_a_key_the_table_alone_does_not_undo() {
    let server = TestServer::start().await;
    let other = server.second_instance().await;
    for _ in 0..9 {
        assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    }
    // The tenth wrong one, on the other instance, counts with the nine.
    assert_eq!(try_password(&other, "resident", "guess").await.0, WRONG);
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0, LOCKED);
    assert_eq!(try_password(&other, "resident", PASSWORD).await.0, LOCKED);

    // Whoever reads the table finds neither the name nor the address under a plain hash, which
    // a list of names or all 2^32 IPv4 addresses would undo.
    let rows: Vec<(Vec<u8>, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT username_hash, network_hash FROM sign_in_failures")
            .fetch_all(&server.db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 10);
    let plain = |s: &str| Sha256::digest(s.as_bytes()).to_vec();
    for (name, network) in &rows {
        assert_eq!(name, &rows[0].0, "one name, one key");
        assert_ne!(name, &plain("resident"));
        let network = network.as_ref().expect("typed at sign-in");
        assert_ne!(network, &plain("127.0.0.1"));
        assert_ne!(network, name, "a name and a network are hashed apart");
    }
    // One key, in the database, for every instance.
    let keys: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM server_secrets WHERE name = 'sign_in_failures'")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(keys, 1);
}

#[tokio::test]
async fn a_script_trying_many_names_from_one_network_stops_after_a_hundred_wrong_passwords() {
    // Behind a proxy that appends the address it saw to X-Forwarded-For.
    let server = TestServer::start_behind_proxy(ClientIpSource::RightmostXForwardedFor).await;
    let client = server.raw();
    let guesser_address = "10.1.2.3, 198.51.100.7";
    let guesser = Some(guesser_address);
    // A few passwords for each of many names (made-up and real ones), never enough for one
    // name's own limit.
    let first_wrong = std::time::Instant::now();
    for i in 0..PER_NETWORK {
        let name = match i % 25 {
            0 => "elder".to_owned(),
            n => format!("someone-{n}"),
        };
        let answer = try_password_from(&server, &client, None, guesser, &name, "123456").await;
        assert_eq!(answer.0, WRONG, "try {i}");
    }
    // The next one from there is refused before any password is looked at, even the right
    // password of an account that was never tried.
    for (name, password) in [("someone-1", "123456"), ("resident", PASSWORD)] {
        let (answer, retry_after) =
            try_password_from(&server, &client, None, guesser, name, password).await;
        assert_eq!(answer, NETWORK_LOCKED);
        // Until the first of the hundred is 15 minutes old: a hundred Argon2 checks ago.
        let wait = retry_after.expect("Retry-After");
        let since_first = first_wrong.elapsed().as_secs() as i64;
        assert!(
            (15 * 60 - since_first - 1..=15 * 60).contains(&wait),
            "wait {wait} s, {since_first} s after the first"
        );
    }
    // What the client wrote into X-Forwarded-For before the proxy's entry changes nothing.
    let spoofed = Some("203.0.113.1, 198.51.100.7");
    let answer = try_password_from(&server, &client, None, spoofed, "resident", PASSWORD).await;
    assert_eq!(answer.0, NETWORK_LOCKED);
    // Other networks sign in as ever; a request the proxy did not mark counts under the
    // connection's own address, not the guesser's.
    let neighbour = Some("198.51.100.8");
    assert_eq!(
        try_password_from(&server, &client, None, neighbour, "resident", PASSWORD)
            .await
            .0
            .0,
        200
    );
    assert_eq!(
        try_password_from(&server, &client, None, None, "elder", PASSWORD)
            .await
            .0
            .0,
        200
    );
    // A passkey still signs in from the guesser's network.
    let passkey = client
        .post(server.url("/api/v1/session/passkey/start"))
        .header("X-Forwarded-For", guesser_address)
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(passkey.status(), 200);

    // Fifteen minutes after the oldest of the hundred, passwords are tried again.
    sqlx::query("UPDATE sign_in_failures SET at = at - 15 * 60")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(
        try_password_from(&server, &client, None, guesser, "resident", PASSWORD)
            .await
            .0
            .0,
        200
    );
}

/// Signs `username` in from a browser (from `forwarded`, behind a proxy), as the app does, and
/// returns the cookies it keeps: the session's and the device cookie (each `name=value`).
async fn a_browser_signing_in(
    server: &TestServer,
    forwarded: Option<&str>,
    username: &str,
) -> (String, String) {
    let mut request = server
        .raw()
        .post(server.url("/api/v1/session"))
        .json(&credentials(username, PASSWORD));
    if let Some(forwarded) = forwarded {
        request = request.header("X-Forwarded-For", forwarded);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let session = response.headers()["set-cookie"].to_str().unwrap();
    let session = session.split(';').next().unwrap().to_owned();
    (session, device_cookie_of(&response))
}

/// The device cookie `response` sets (`name=value`), checked for its flags.
fn device_cookie_of(response: &reqwest::Response) -> String {
    let device = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .find(|c| c.starts_with("__Secure-kapok_device="))
        .expect("a device cookie");
    for flag in [
        "; Path=/api/v1/session;",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
    ] {
        assert!(device.contains(flag), "{device} lacks {flag}");
    }
    device.split(';').next().unwrap().to_owned()
}

/// Signs `username` in from a browser and out again, as someone on their own phone
/// would, and returns the device cookie it keeps (`name=value`).
async fn a_browser_signed_in_on(
    server: &TestServer,
    forwarded: Option<&str>,
    username: &str,
) -> String {
    let (session, device) = a_browser_signing_in(server, forwarded, username).await;
    let signed_out = server
        .raw()
        .delete(server.url("/api/v1/session"))
        .header("cookie", session)
        .header("origin", &server.base)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 204);
    device
}

#[tokio::test]
async fn on_a_phone_she_signed_in_on_before_others_wrong_passwords_for_her_name_do_not_pause_her() {
    let server = TestServer::start().await;
    let phone = a_browser_signed_in_on(&server, None, "resident").await;
    let tablet = a_browser_signed_in_on(&server, None, "resident").await;
    // Someone else types ten wrong passwords for her name: it is paused for everyone else.
    for _ in 0..10 {
        assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    }
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0, LOCKED);
    // On her phone, her password still signs her in, again and again.
    for _ in 0..2 {
        let answer = try_password_on(&server, &phone, None, "resident", PASSWORD).await;
        assert_eq!(answer.0.0, 200);
    }
    // An altered cookie is no cookie; nor is hers for another name.
    let (name, value) = phone.split_once('=').unwrap();
    let altered = format!("{name}={}", value.replacen('.', ".x", 1));
    let answer = try_password_on(&server, &altered, None, "resident", PASSWORD).await;
    assert_eq!(answer.0, LOCKED);
    for _ in 0..10 {
        assert_eq!(try_password(&server, "elder", "guess").await.0, WRONG);
    }
    let answer = try_password_on(&server, &phone, None, "elder", PASSWORD).await;
    assert_eq!(answer.0, LOCKED);

    // Guessing on her phone is held by the phone's own count: ten wrong, then a pause.
    for _ in 0..10 {
        let answer = try_password_on(&server, &phone, None, "resident", "guess").await;
        assert_eq!(answer.0, WRONG);
    }
    let (answer, retry_after) = try_password_on(&server, &phone, None, "resident", PASSWORD).await;
    assert_eq!(answer, LOCKED);
    let wait = retry_after.expect("Retry-After");
    assert!((15 * 60 - 5..=15 * 60).contains(&wait), "wait {wait} s");
    // It holds her tablet no more than the others' guesses did.
    let answer = try_password_on(&server, &tablet, None, "resident", PASSWORD).await;
    assert_eq!(answer.0.0, 200);
    // Nor her name: once the others' ten are 15 minutes old (they were typed at sign-in from
    // a network, the phone's were not counted for one), any browser signs her in again, while
    // the phone waits for its own ten to age.
    sqlx::query("UPDATE sign_in_failures SET at = at - 15 * 60 WHERE network_hash IS NOT NULL")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0.0, 200);
    let answer = try_password_on(&server, &phone, None, "resident", PASSWORD).await;
    assert_eq!(answer.0, LOCKED);
}

/// Someone who signed in with a password she has since changed (a phished one, or on a phone
/// now lost) keeps no count of their own in that browser: their guesses at the new password
/// count for her name, which tells her, and stop with everyone else's.
#[tokio::test]
async fn a_password_change_leaves_browsers_signed_in_before_it_no_count_of_their_own() {
    let server = TestServer::start().await;
    let intruders = a_browser_signed_in_on(&server, None, "resident").await;
    // Cookies say when they were written to the second; the change comes in a later one.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (session, phone) = a_browser_signing_in(&server, None, "resident").await;
    const NEW: &str = "tea-lamp-river-42";
    let changed = server
        .raw()
        .put(server.url("/api/v1/password"))
        .header("cookie", format!("{session}; {phone}"))
        .header("origin", &server.base)
        .json(&change(PASSWORD, NEW))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);
    // The phone she changed it on gets its cookie anew, as the same browser.
    let phone_now = device_cookie_of(&changed);
    let browser_id = |cookie: &str| cookie.split('.').nth(1).unwrap().to_owned();
    assert_eq!(browser_id(&phone_now), browser_id(&phone));

    // The intruder's cookie names her account and has not expired, but was written before.
    for i in 0..10 {
        let answer = try_password_on(&server, &intruders, None, "resident", "guess").await;
        assert_eq!(answer.0, WRONG, "try {i}");
    }
    let answer = try_password_on(&server, &intruders, None, "resident", NEW).await;
    assert_eq!(answer.0, LOCKED);
    assert_eq!(try_password(&server, "resident", NEW).await.0, LOCKED);
    // Counted for her name, the guesses tell her so, on the phone still signed in.
    let notices: kapok_api::Notifications = server
        .raw()
        .get(server.url("/api/v1/notifications"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        notices
            .items
            .iter()
            .any(|n| matches!(n.kind, NotificationKind::SignInPaused { .. })),
        "{notices:?}"
    );
    // Her phone's cookie, written by the change, still signs her in.
    let answer = try_password_on(&server, &phone_now, None, "resident", NEW).await;
    assert_eq!(answer.0.0, 200);
}

#[tokio::test]
async fn on_a_phone_she_signed_in_on_before_a_network_paused_by_a_script_still_signs_her_in() {
    let server = TestServer::start_behind_proxy(ClientIpSource::RightmostXForwardedFor).await;
    let client = server.raw();
    // She signed in at home on her phone before; now she is on the same network as a script.
    let phone = a_browser_signed_in_on(&server, Some("198.51.100.8"), "resident").await;
    let shared = Some("198.51.100.7");
    for i in 0..PER_NETWORK {
        let name = format!("someone-{}", i % 25);
        let answer = try_password_from(&server, &client, None, shared, &name, "123456").await;
        assert_eq!(answer.0, WRONG, "try {i}");
    }
    // A browser she never signed in on is paused with everyone else there; her phone is not.
    let answer = try_password_from(&server, &client, None, shared, "resident", PASSWORD).await;
    assert_eq!(answer.0, NETWORK_LOCKED);
    let answer = try_password_on(&server, &phone, shared, "resident", PASSWORD).await;
    assert_eq!(answer.0.0, 200);
    // Her phone's cookie does not open the network to another name.
    let answer = try_password_on(&server, &phone, shared, "elder", PASSWORD).await;
    assert_eq!(answer.0, NETWORK_LOCKED);
}

#[tokio::test]
async fn with_no_proxy_the_connections_own_address_counts_and_forwarded_headers_are_ignored() {
    let server = TestServer::start().await;
    let client = server.raw();
    // A script that writes a new X-Forwarded-For on every try, as if each came from elsewhere.
    for i in 0..PER_NETWORK {
        let forwarded = format!("203.0.113.{i}");
        let name = format!("someone-{}", i % 25);
        let answer =
            try_password_from(&server, &client, None, Some(&forwarded), &name, "123456").await;
        assert_eq!(answer.0, WRONG, "try {i}");
    }
    let answer = try_password_from(
        &server,
        &client,
        None,
        Some("192.0.2.1"),
        "resident",
        PASSWORD,
    )
    .await;
    assert_eq!(answer.0, NETWORK_LOCKED);
    // Another address (the loopback network has many) is another network.
    let elsewhere = server.raw_from("127.0.0.2");
    assert_eq!(
        try_password_from(&server, &elsewhere, None, None, "resident", PASSWORD)
            .await
            .0
            .0,
        200
    );
}

#[tokio::test]
async fn wrong_passwords_typed_to_confirm_who_is_signed_in_count_for_the_account_only() {
    let server = TestServer::start().await;
    // Five wrong changes of password (ten passwords tried, each account's every try) on the
    // devices of each of seven accounts, all from one address: each account's own business,
    // not its network's.
    for name in [
        "resident",
        "elder",
        "hk-resident",
        "staff",
        "clerk",
        "legal-rep",
        "official",
    ] {
        let client = server.signed_in(name).await;
        for _ in 0..5 {
            let change = PasswordChange {
                current_password: "not-it".into(),
                new_password: "tea-lamp-river-42".into(),
            };
            assert_eq!(
                code(client.change_password(&change).await),
                ErrorCode::BadCredentials
            );
        }
    }
    // So the network still has its whole allowance for sign-in.
    for i in 0..PER_NETWORK - 1 {
        let name = format!("someone-{}", i % 25);
        assert_eq!(
            try_password(&server, &name, "123456").await.0,
            WRONG,
            "try {i}"
        );
    }
    assert_eq!(
        try_password(&server, "market-official", PASSWORD).await.0.0,
        200
    );
    assert_eq!(try_password(&server, "someone-1", "123456").await.0, WRONG);
    assert_eq!(
        try_password(&server, "market-official", PASSWORD).await.0,
        NETWORK_LOCKED
    );
}

#[tokio::test]
async fn the_right_password_clears_the_count_of_wrong_ones() {
    let server = TestServer::start().await;
    for _ in 0..9 {
        assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    }
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0.0, 200);
    // Nine more wrong tries are allowed before the tenth closes the door again.
    for _ in 0..10 {
        assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    }
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0, LOCKED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_guesses_in_parallel_gets_no_more_than_ten_wrong_tries_through() {
    let server = TestServer::start().await;
    let tries = (0..40).map(|_| {
        let server = (server.raw(), server.url("/api/v1/session"));
        tokio::spawn(async move {
            let response = server
                .0
                .post(server.1)
                .json(&credentials("resident", "guess"))
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        })
    });
    let mut statuses = Vec::new();
    for t in tries.collect::<Vec<_>>() {
        statuses.push(t.await.unwrap());
    }
    // Passwords are checked a few at a time (half the cores), and each checks the count
    // first: at most that many tries can pass the count together.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let at_once = (cores / 2).max(1);
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let locked = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(wrong + locked, 40, "{statuses:?}");
    assert!(
        (10..10 + at_once).contains(&wrong),
        "{wrong} wrong tries got through: {statuses:?}"
    );
}

async fn sessions_of(server: &TestServer, username: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions JOIN users ON users.id = sessions.user_id \
         WHERE users.username = $1",
    )
    .bind(username)
    .fetch_one(&server.db)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_sign_ins_is_told_the_server_is_busy_instead_of_waiting_without_end() {
    // Turns to check a password come every few tens of milliseconds, half the cores at a
    // time; this server lets a sign-in wait 50 ms for one.
    let server = TestServer::start_with_timeouts(kapok_server::config::Timeouts {
        password_turn: std::time::Duration::from_millis(50),
        ..Default::default()
    })
    .await;
    let before = sessions_of(&server, "resident").await;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let flood = (0..(cores * 4).max(8)).map(|_| {
        let (client, url) = (server.raw(), server.url("/api/v1/session"));
        tokio::spawn(async move {
            let response = client
                .post(url)
                .json(&credentials("resident", PASSWORD))
                .send()
                .await
                .expect("every sign-in is answered");
            let status = response.status().as_u16();
            let retry_after = response.headers().get("retry-after").cloned();
            let code = (status != 200).then_some(response.json::<kapok_api::Problem>());
            let code = match code {
                Some(problem) => Some(problem.await.expect("a problem document").code),
                None => None,
            };
            (status, code, retry_after)
        })
    });
    let mut signed_in = 0;
    let mut busy = 0;
    for answer in flood.collect::<Vec<_>>() {
        match answer.await.unwrap() {
            (200, None, _) => signed_in += 1,
            (503, Some(ErrorCode::Busy), Some(retry_after)) => {
                assert_eq!(retry_after, "5");
                busy += 1;
            }
            other => panic!("neither signed in nor told to wait: {other:?}"),
        }
    }
    assert!(
        busy > 0,
        "every one of {signed_in} sign-ins waited its turn"
    );
    // Those turned away were not signed in.
    assert_eq!(sessions_of(&server, "resident").await, before + signed_in);
    // Once the flood has passed, signing in works again.
    let mut answer = server
        .client()
        .sign_in(&credentials("resident", PASSWORD))
        .await;
    for _ in 0..50 {
        if answer.is_ok() {
            break;
        }
        assert_eq!(code(answer), ErrorCode::Busy);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        answer = server
            .client()
            .sign_in(&credentials("resident", PASSWORD))
            .await;
    }
    assert!(answer.is_ok(), "{answer:?}");
}

#[tokio::test]
async fn me_without_a_session_is_401() {
    let server = TestServer::start().await;
    assert_eq!(code(server.client().me().await), ErrorCode::Unauthenticated);
    let client = server.client();
    client.set_session_cookie(Some(format!("{}=forged-token", kapok_api::SESSION_COOKIE)));
    assert_eq!(code(client.me().await), ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn after_sign_out_the_old_cookie_is_refused() {
    let server = TestServer::start().await;
    let client = server.signed_in("resident").await;
    let old_cookie = client
        .session_cookie()
        .expect("sign-in sets the session cookie");
    client.sign_out().await.unwrap();
    assert_eq!(client.session_cookie(), None, "sign-out clears the cookie");

    // Someone who copied the cookie before sign-out gets nothing with it.
    client.set_session_cookie(Some(old_cookie));
    assert_eq!(code(client.me().await), ErrorCode::Unauthenticated);
}

/// The app signs the person out wherever it first learns the session is gone; it learns that
/// through the client's hook, which only a 401 `unauthenticated` may set off.
#[tokio::test]
async fn the_client_hook_fires_when_a_session_has_ended_and_for_nothing_else() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static ENDED: AtomicUsize = AtomicUsize::new(0);
    fn ended() {
        ENDED.fetch_add(1, Ordering::SeqCst);
    }
    let server = TestServer::start().await;
    let client = server.client().on_unauthenticated(ended);
    // A wrong password and a refused page are not an ended session.
    assert_eq!(
        code(client.sign_in(&credentials("resident", "wrong")).await),
        ErrorCode::BadCredentials
    );
    client
        .sign_in(&credentials("resident", PASSWORD))
        .await
        .unwrap();
    client.wallet().await.unwrap();
    assert_eq!(
        code(client.licence("lic-elder-id").await),
        ErrorCode::NotFound
    );
    assert_eq!(ENDED.load(Ordering::SeqCst), 0);

    // The session ends behind this client's back (signed out on another tab).
    let other_tab = server.client();
    other_tab.set_session_cookie(client.session_cookie());
    other_tab.sign_out().await.unwrap();
    assert_eq!(code(client.wallet().await), ErrorCode::Unauthenticated);
    assert_eq!(ENDED.load(Ordering::SeqCst), 1);
    assert_eq!(code(client.me().await), ErrorCode::Unauthenticated);
    assert_eq!(ENDED.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn signing_in_again_rotates_the_session() {
    let server = TestServer::start().await;
    let client = server.signed_in("resident").await;
    let first = client.session_cookie().unwrap();
    client
        .sign_in(&credentials("resident", PASSWORD))
        .await
        .unwrap();
    let second = client.session_cookie().unwrap();
    assert_ne!(first, second);

    let replay = server.client();
    replay.set_session_cookie(Some(first));
    assert_eq!(
        code(replay.me().await),
        ErrorCode::Unauthenticated,
        "the pre-sign-in session is dead"
    );
    assert!(client.me().await.is_ok());
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_account_and_no_one_else_s() {
    let server = TestServer::start().await;
    let phone = server.signed_in("resident").await;
    let tablet = server.signed_in("resident").await;
    let someone_else = server.signed_in("elder").await;
    phone.sign_out_everywhere().await.unwrap();
    assert_eq!(code(phone.me().await), ErrorCode::Unauthenticated);
    assert_eq!(code(tablet.me().await), ErrorCode::Unauthenticated);
    assert_eq!(someone_else.me().await.unwrap().user.username, "elder");
    // Without a session there is nothing to end.
    assert_eq!(
        code(server.client().sign_out_everywhere().await),
        ErrorCode::Unauthenticated
    );
    // Signing in again works as ever.
    assert_eq!(
        server
            .signed_in("resident")
            .await
            .me()
            .await
            .unwrap()
            .user
            .username,
        "resident"
    );
}

const ANDROID_CHROME: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

/// Signs in as a phone's browser would, and returns the session cookie it was given.
async fn sign_in_from_a_phone(server: &TestServer, username: &str) -> String {
    let response = server
        .raw()
        .post(server.url("/api/v1/session"))
        .header("origin", &server.base)
        .header("user-agent", ANDROID_CHROME)
        .json(&credentials(username, PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

async fn me_with(server: &TestServer, cookie: &str) -> u16 {
    server
        .raw()
        .get(server.url("/api/v1/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_account_sees_each_device_signed_in_and_ends_one_without_the_others() {
    let server = TestServer::start().await;
    let computer = server.signed_in("resident").await;
    let phone = sign_in_from_a_phone(&server, "resident").await;
    let elders = server.signed_in("elder").await;

    let listed = computer.sessions().await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    // The caller's own comes first; the phone is named from its browser, not by its header.
    assert!(listed[0].current);
    assert!(!listed[1].current);
    assert_eq!(listed[1].device, "Chrome · Android");
    assert_eq!(listed[1].signed_in_with, SignInMethod::Password);
    assert!(listed.iter().all(|s| s.last_seen_at >= s.created_at));
    let stored: Vec<String> = sqlx::query_scalar("SELECT device FROM sessions")
        .fetch_all(&server.db)
        .await
        .unwrap();
    assert!(stored.iter().all(|d| !d.contains("Mozilla")), "{stored:?}");
    // No one else's sessions, and the ids are not the cookies.
    assert!(listed.iter().all(|s| !phone.contains(&s.id)));
    let elders_list = elders.sessions().await.unwrap();
    assert_eq!(elders_list.len(), 1);

    // Another account cannot end hers; she ends the phone's, and only that one.
    let phones = listed[1].id.clone();
    assert_eq!(code(elders.end_session(&phones).await), ErrorCode::NotFound);
    assert_eq!(me_with(&server, &phone).await, 200);
    computer.end_session(&phones).await.unwrap();
    assert_eq!(me_with(&server, &phone).await, 401);
    assert_eq!(computer.me().await.unwrap().user.username, "resident");
    assert_eq!(elders.me().await.unwrap().user.username, "elder");
    assert_eq!(
        code(computer.end_session(&phones).await),
        ErrorCode::NotFound
    );
    assert_eq!(computer.sessions().await.unwrap().len(), 1);

    // Ending her own is signing out.
    let own = computer.sessions().await.unwrap()[0].id.clone();
    computer.end_session(&own).await.unwrap();
    assert_eq!(code(computer.me().await), ErrorCode::Unauthenticated);
    assert_eq!(code(computer.sessions().await), ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn sessions_that_have_run_out_are_not_listed() {
    let server = TestServer::start().await;
    let computer = server.signed_in("resident").await;
    let _phone = sign_in_from_a_phone(&server, "resident").await;
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60 WHERE device <> ''")
        .execute(&server.db)
        .await
        .unwrap();
    let listed = computer.sessions().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].current);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let server = TestServer::start().await;
    let client = server.signed_in("resident").await;
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(code(client.me().await), ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn a_busy_session_still_ends_at_the_absolute_time_out() {
    let server = TestServer::start().await;
    let client = server.signed_in("resident").await;
    sqlx::query("UPDATE sessions SET created_at = created_at - 12 * 60 * 60 - 1")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(code(client.me().await), ErrorCode::Unauthenticated);
}

/// Sessions that ended by time on devices that never came back are deleted when the account
/// next signs in, so the table does not keep every sign-in there ever was.
#[tokio::test]
async fn sessions_ended_by_time_are_deleted_at_the_next_sign_in() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        server.signed_in("resident").await;
    }
    let elder = server.signed_in("elder").await;
    sqlx::query("UPDATE sessions SET created_at = created_at - 12 * 60 * 60 - 1")
        .execute(&server.db)
        .await
        .unwrap();
    let idle = server.signed_in("resident").await;
    sqlx::query(
        "UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60
         WHERE user_id = (SELECT id FROM users WHERE username = 'resident')",
    )
    .execute(&server.db)
    .await
    .unwrap();
    let phone = server.signed_in("resident").await;
    let kept: Vec<String> = sqlx::query_scalar(
        "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id ORDER BY u.username",
    )
    .fetch_all(&server.db)
    .await
    .unwrap();
    assert_eq!(
        kept,
        ["elder", "resident"],
        "another account's wait for its own sign-in"
    );
    phone.me().await.unwrap();
    assert_eq!(code(idle.me().await), ErrorCode::Unauthenticated);
    assert_eq!(code(elder.me().await), ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn the_session_cookie_has_the_required_flags() {
    let server = TestServer::start().await;
    let response = server
        .raw()
        .post(server.url("/api/v1/session"))
        .json(&credentials("resident", PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-kapok_session="));
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert!(token.len() >= 43, "at least 256 bits of token");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_ne!(
        stored,
        token.as_bytes(),
        "the database holds a hash, not the token"
    );
}

#[tokio::test]
async fn demo_mode_lists_the_demo_accounts_that_really_sign_in() {
    let server = TestServer::start().await;
    let demo = server.client().demo_accounts().await.unwrap();
    assert_eq!(demo.accounts.len(), 8);
    for account in &demo.accounts {
        let me = server
            .client()
            .sign_in(&credentials(&account.username, &demo.password))
            .await
            .unwrap();
        assert_eq!(me.user.persona, account.persona);
        assert_eq!(me.user.display_name, account.display_name);
    }
}

fn change(current: &str, new: &str) -> PasswordChange {
    PasswordChange {
        current_password: current.into(),
        new_password: new.into(),
    }
}

const NEW_PASSWORD: &str = "tea-lamp-river-42";

#[tokio::test]
async fn a_new_password_signs_in_the_old_one_no_longer_and_every_other_device_is_signed_out() {
    let server = TestServer::start().await;
    let phone = server.signed_in("resident").await;
    let tablet = server.signed_in("resident").await;
    let someone_else = server.signed_in("elder").await;
    phone
        .change_password(&change(PASSWORD, NEW_PASSWORD))
        .await
        .unwrap();

    // The device the change was made on goes on; the other one is signed out.
    assert_eq!(phone.me().await.unwrap().user.username, "resident");
    assert_eq!(code(tablet.me().await), ErrorCode::Unauthenticated);
    assert_eq!(phone.sessions().await.unwrap().len(), 1);
    assert_eq!(someone_else.me().await.unwrap().user.username, "elder");

    assert_eq!(try_password(&server, "resident", PASSWORD).await.0, WRONG);
    assert_eq!(
        try_password(&server, "resident", NEW_PASSWORD).await.0.0,
        200
    );
    // Another account's password is not touched.
    assert_eq!(try_password(&server, "elder", PASSWORD).await.0.0, 200);

    // The owner is told, on the device that goes on and on any they sign in on later.
    let notices = phone.notifications().await.unwrap();
    assert!(
        notices
            .items
            .iter()
            .any(|n| n.kind == NotificationKind::PasswordChanged {}),
        "{notices:?}"
    );
}

#[tokio::test]
async fn a_change_of_password_tried_again_after_its_answer_was_lost_succeeds_and_counts_no_wrong_try()
 {
    let server = TestServer::start().await;
    let phone = server.signed_in("resident").await;
    phone
        .change_password(&change(PASSWORD, NEW_PASSWORD))
        .await
        .unwrap();
    // Its answer never reached the phone, which sends the same change again, more times than
    // there are wrong tries allowed.
    for _ in 0..11 {
        phone
            .change_password(&change(PASSWORD, NEW_PASSWORD))
            .await
            .unwrap();
    }
    // None was a wrong try: she still signs in with the new password, not the old one, on the
    // phone that made the change.
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0, WRONG);
    assert_eq!(
        try_password(&server, "resident", NEW_PASSWORD).await.0.0,
        200
    );
    assert_eq!(phone.me().await.unwrap().user.username, "resident");

    // A wrong current password with a new one that is not hers is refused and changes nothing.
    // It tried two passwords, and costs two tries: the "new" one is a guess at hers too.
    for new in ["another-lamp-77", "tea-lamp-river-41", "sea-lamp-river-42"] {
        assert_eq!(
            code(phone.change_password(&change("wrong", new)).await),
            ErrorCode::BadCredentials
        );
    }
    for _ in 0..4 {
        assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    }
    assert_eq!(
        try_password(&server, "resident", NEW_PASSWORD).await.0,
        LOCKED
    );
    // Locked, the repeated change is refused as the sign-in is, and its password is not looked at.
    assert_eq!(
        code(phone.change_password(&change(PASSWORD, NEW_PASSWORD)).await),
        ErrorCode::TooManySignInAttempts
    );
}

#[tokio::test]
async fn a_password_is_changed_only_with_the_current_one_and_a_new_one_hard_to_guess() {
    let server = TestServer::start().await;
    let phone = server.signed_in("resident").await;
    let tablet = server.signed_in("resident").await;
    let refused = [
        (change("wrong", NEW_PASSWORD), ErrorCode::BadCredentials),
        (change("", NEW_PASSWORD), ErrorCode::BadCredentials),
        (change(PASSWORD, PASSWORD), ErrorCode::PasswordUnchanged),
        (change(PASSWORD, "k7#Tq2"), ErrorCode::PasswordLength),
        (
            change(PASSWORD, &"词".repeat(129)),
            ErrorCode::PasswordLength,
        ),
        (change(PASSWORD, "password1"), ErrorCode::PasswordGuessable),
        (
            change(PASSWORD, "resident1991"),
            ErrorCode::PasswordGuessable,
        ),
        (
            change(PASSWORD, "陈嘉欣19910314"),
            ErrorCode::PasswordGuessable,
        ),
        // Her name (陈嘉欣) in pinyin.
        (
            change(PASSWORD, "Chenjiaxin2024"),
            ErrorCode::PasswordGuessable,
        ),
    ];
    for (attempt, expected) in refused {
        assert_eq!(
            code(phone.change_password(&attempt).await),
            expected,
            "{attempt:?}"
        );
    }
    // Nothing changed: the old password still signs in, and no device was signed out.
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0.0, 200);
    assert_eq!(tablet.me().await.unwrap().user.username, "resident");
    // Without a session there is no account to change.
    assert_eq!(
        code(
            server
                .client()
                .change_password(&change(PASSWORD, NEW_PASSWORD))
                .await
        ),
        ErrorCode::Unauthenticated
    );
    // 128 characters (not bytes) is not too many.
    let long = "木棉花开红满天".repeat(19)[..128 * 3].to_owned();
    phone
        .change_password(&change(PASSWORD, &long))
        .await
        .unwrap();
    assert_eq!(try_password(&server, "resident", &long).await.0.0, 200);
}

#[tokio::test]
async fn wrong_current_passwords_count_towards_the_sign_in_limit() {
    let server = TestServer::start().await;
    let phone = server.signed_in("resident").await;
    // Each wrong change tries two passwords (the current one given, and the new one, which
    // might be hers after a change whose answer was lost), so five use up the ten tries.
    for _ in 0..5 {
        assert_eq!(
            code(phone.change_password(&change("guess", NEW_PASSWORD)).await),
            ErrorCode::BadCredentials
        );
    }
    // Now even the right one is refused, here and at sign-in.
    assert_eq!(
        code(phone.change_password(&change(PASSWORD, NEW_PASSWORD)).await),
        ErrorCode::TooManySignInAttempts
    );
    assert_eq!(try_password(&server, "resident", PASSWORD).await.0, LOCKED);
}

#[tokio::test]
async fn the_owner_hears_once_a_day_when_guessing_pauses_password_sign_in() {
    let server = TestServer::start().await;
    let phone = server.signed_in("resident").await;
    let paused = |n: &kapok_api::Notifications| {
        n.items
            .iter()
            .filter_map(|n| match n.kind {
                NotificationKind::SignInPaused { until } => Some(until),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    for _ in 0..9 {
        assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    }
    assert_eq!(
        paused(&phone.notifications().await.unwrap()),
        Vec::<i64>::new()
    );
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    let until = paused(&phone.notifications().await.unwrap());
    assert_eq!(until.len(), 1, "told once the tenth wrong one paused it");
    let wait = until[0] - before;
    assert!(
        (15 * 60 - 5..=15 * 60 + 5).contains(&wait),
        "until {wait} s from now"
    );

    // Refused tries while paused, and a second pause the same day, tell nobody again.
    assert_eq!(try_password(&server, "resident", "guess").await.0, LOCKED);
    sqlx::query("UPDATE sign_in_failures SET at = at - 15 * 60")
        .execute(&server.db)
        .await
        .unwrap();
    for _ in 0..10 {
        assert_eq!(try_password(&server, "resident", "guess").await.0, WRONG);
    }
    assert_eq!(try_password(&server, "resident", "guess").await.0, LOCKED);
    assert_eq!(paused(&phone.notifications().await.unwrap()).len(), 1);

    // A name that is no account pauses the same way and tells no one.
    for _ in 0..10 {
        try_password(&server, "nobody-here", "guess").await;
    }
    let everyone: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind LIKE '%sign_in_paused%'")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(everyone, 1);
}
