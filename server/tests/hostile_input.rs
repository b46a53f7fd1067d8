//! Bad input gets a clear 4xx problem+json and never a 5xx or a dropped connection.

mod common;

use std::time::{Duration, Instant};

use common::{PASSWORD, TestServer};
use kapok_api::{ErrorCode, Problem};

async fn problem(response: reqwest::Response) -> (u16, Problem) {
    let status = response.status().as_u16();
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap()),
        Some("application/problem+json"),
        "status {status} must be a problem document"
    );
    (status, response.json().await.expect("a problem document"))
}

async fn post_session(
    server: &TestServer,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Problem) {
    let response = server
        .raw()
        .post(server.url("/api/v1/session"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the server answers instead of dropping the connection");
    problem(response).await
}

#[tokio::test]
async fn malformed_json_is_400() {
    let server = TestServer::start().await;
    for body in [
        "{",
        "not json",
        "[]",
        "{\"username\": 5, \"password\": \"x\"}",
        "{\"username\":\"resident\"}",
        "",
    ] {
        let (status, p) = post_session(&server, "application/json", body).await;
        assert_eq!(
            (status, p.code),
            (400, ErrorCode::MalformedBody),
            "body {body:?}"
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let server = TestServer::start().await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, p) = post_session(
            &server,
            content_type,
            "username=resident&password=kapok-demo",
        )
        .await;
        assert_eq!(
            (status, p.code),
            (415, ErrorCode::UnsupportedMediaType),
            "{content_type}"
        );
    }
    let response = server
        .raw()
        .post(server.url("/api/v1/session"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.0, 415, "no content type at all");
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let server = TestServer::start().await;
    let huge = format!(
        "{{\"username\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(1024 * 1024)
    );
    let (status, p) = post_session(&server, "application/json", huge).await;
    assert_eq!((status, p.code), (413, ErrorCode::PayloadTooLarge));
}

#[tokio::test]
async fn a_cross_site_request_is_refused() {
    let server = TestServer::start().await;
    let response = server
        .raw()
        .post(server.url("/api/v1/session"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({"username": "resident", "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    let (status, p) = problem(response).await;
    assert_eq!((status, p.code), (403, ErrorCode::CrossOrigin));

    let response = server
        .raw()
        .delete(server.url("/api/v1/session"))
        .header("sec-fetch-site", "cross-site")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.1.code, ErrorCode::CrossOrigin);
}

#[tokio::test]
async fn unknown_api_paths_and_methods_are_problems() {
    let server = TestServer::start().await;
    let response = server
        .raw()
        .get(server.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (404, problem_of(ErrorCode::NotFound))
    );
    let response = server
        .raw()
        .put(server.url("/api/v1/me"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.1.code, ErrorCode::MethodNotAllowed);
}

#[tokio::test]
async fn an_id_that_is_not_utf_8_names_nothing_and_says_so_as_a_problem() {
    let server = TestServer::start().await;
    let cookie = server.session_cookie("resident").await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/wallet/%FF%FE"),
        (reqwest::Method::GET, "/api/v1/wallet/%C3%28/verifications"),
        (reqwest::Method::DELETE, "/api/v1/sessions/%80"),
        (reqwest::Method::GET, "/api/v1/applications/%ED%A0%80"),
    ] {
        let response = server
            .raw()
            .request(method, server.url(path))
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .send()
            .await
            .expect("the server answers instead of dropping the connection");
        assert_eq!(
            problem(response).await,
            (404, problem_of(ErrorCode::NotFound)),
            "{path}"
        );
    }
}

/// U+0000 in any text is refused as bad input before it reaches the database, on either
/// engine (PostgreSQL cannot store it and failed the whole statement, a 500): in a body, a
/// 400; in a path, 404, as any id naming nothing; in a query, 400. An escaped backslash
/// followed by `u0000` is ordinary text.
#[tokio::test]
async fn text_holding_the_nul_character_is_refused_as_bad_input_not_a_server_error() {
    let server = TestServer::start().await;
    for (body, expected, what) in [
        (
            r#"{"username":"resident\u0000","password":"kapok-demo"}"#,
            (400, ErrorCode::MalformedBody),
            "in a value",
        ),
        (
            r#"{"username":"resident","password":"x","\u0000":1}"#,
            (400, ErrorCode::MalformedBody),
            "in a key",
        ),
        (
            r#"{"username":"resident\\u0000","password":"kapok-demo"}"#,
            (401, ErrorCode::BadCredentials),
            "a backslash and u0000 name no one, and are no NUL",
        ),
    ] {
        let (status, p) = post_session(&server, "application/json", body).await;
        assert_eq!((status, p.code), expected, "{what}");
        if status == 400 {
            assert!(p.detail.contains("U+0000"), "{}", p.detail);
        }
    }

    let legal_rep = server.session_cookie("legal-rep").await;
    for (method, path, body, expected) in [
        (
            reqwest::Method::GET,
            "/api/v1/wallet/%00",
            None,
            (404, ErrorCode::NotFound),
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/passkeys/a%00b",
            None,
            (404, ErrorCode::NotFound),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/notifications/%00/read",
            Some("{}"),
            (404, ErrorCode::NotFound),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/audit?grant=%00",
            None,
            (400, ErrorCode::MalformedBody),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/policies?q=a%00",
            None,
            (400, ErrorCode::MalformedBody),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/delegation-requests",
            Some(
                r#"{"kind":"enterprise","principal":"kapok\u0000","scopes":["present_licences"],"note":""}"#,
            ),
            (400, ErrorCode::MalformedBody),
        ),
    ] {
        let mut request = server
            .raw()
            .request(method, server.url(path))
            .header("cookie", &legal_rep)
            .header("content-type", "application/json");
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .expect("the server answers instead of dropping the connection");
        let (status, p) = problem(response).await;
        assert_eq!((status, p.code), expected, "{path}");
    }
}

#[tokio::test]
async fn a_kept_alive_connection_still_works_after_a_request_refused_before_its_body_was_read() {
    let server = TestServer::start().await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let own = server.base.clone();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        // Refused before any handler reads the body: no session (401), a method the path
        // does not take (405), another site's page (403).
        for (method, path, origin, refused) in [
            (
                "POST",
                "/api/v1/wallet/lic-resident-id/presentations",
                own.as_str(),
                401,
            ),
            ("PATCH", "/api/v1/me", own.as_str(), 405),
            ("POST", "/api/v1/session", "https://evil.example", 403),
        ] {
            for round in 0..5 {
                let mut stream = std::net::TcpStream::connect(&addr).unwrap();
                let body = format!("{{\"count\":1,\"pad\":\"{}\"}}", "x".repeat(20_000));
                write!(
                    stream,
                    "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .unwrap();
                // On a phone's network the body arrives a moment after the head.
                std::thread::sleep(std::time::Duration::from_millis(50));
                stream.write_all(body.as_bytes()).unwrap();
                let (status, head) = common::read_response(&mut stream).unwrap();
                assert_eq!(status, refused, "{method} {path}");
                assert!(!head.contains("connection: close"), "{head}");
                // A phone's next tap, a moment later, on the same connection.
                std::thread::sleep(std::time::Duration::from_millis(300));
                write!(
                    stream,
                    "GET /api/v1/demo-accounts HTTP/1.1\r\nHost: {addr}\r\n\r\n"
                )
                .unwrap();
                let next = common::read_response(&mut stream);
                assert!(
                    matches!(next, Ok((200, _))),
                    "{method} {path}, round {round}: the next request got {next:?}"
                );
            }
        }
    })
    .await
    .unwrap();
}

fn problem_of(code: ErrorCode) -> Problem {
    match code {
        ErrorCode::NotFound => {
            Problem::new(404, code, "Not found", "There is nothing at this address.")
        }
        ErrorCode::Unauthenticated => Problem::new(
            401,
            code,
            "Not signed in",
            "Sign in first; the session is missing, expired or signed out.",
        ),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let server = TestServer::start().await;
    let doc: serde_json::Value = server
        .raw()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["info"]["title"], "Kapok API");
    assert!(doc["paths"]["/api/v1/session"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/session"]["delete"].is_object());
    assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = TestServer::start().await;
    for path in ["/api/v1/me", "/", "/resident"] {
        let response = server.raw().get(server.url(path)).send().await.unwrap();
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
    }
    let api = server
        .raw()
        .get(server.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.headers()["cache-control"],
        "no-store",
        "personal data is never cached"
    );
}

/// Fires `total` requests from `tasks` concurrent tasks (each takes the next request as soon
/// as its last one is answered) and returns every answer's status and problem code. A request
/// that gets no answer at all (a dropped connection) fails the test.
async fn burst(
    total: usize,
    tasks: usize,
    request: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> Vec<(u16, Option<ErrorCode>)> {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let http = reqwest::Client::new();
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let (http, request, next) = (http.clone(), request.clone(), next.clone());
        handles.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            while next.fetch_add(1, Ordering::SeqCst) < total {
                let response = request(&http)
                    .send()
                    .await
                    .expect("every request is answered, none dropped");
                let status = response.status().as_u16();
                let code = if status == 200 {
                    None
                } else {
                    Some(problem(response).await.1.code)
                };
                answers.push((status, code));
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for handle in handles {
        answers.extend(handle.await.expect("a burst task panicked"));
    }
    assert_eq!(answers.len(), total);
    answers
}

/// Asserts that exactly `limit` of a burst's answers succeeded and every other one was a
/// 429 `too_many_requests` problem (so no 5xx either).
fn assert_exactly(limit: usize, answers: &[(u16, Option<ErrorCode>)], what: &str) {
    let ok = answers.iter().filter(|(status, _)| *status == 200).count();
    let refused = answers
        .iter()
        .filter(|a| **a == (429, Some(ErrorCode::TooManyRequests)))
        .count();
    let other: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status != 200 && *status != 429)
        .collect();
    assert_eq!(
        (ok, refused, other.len()),
        (limit, answers.len() - limit, 0),
        "{what}: {ok} succeeded, {refused} refused, others: {other:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_link_lookups_gets_exactly_the_limit_through() {
    let server = TestServer::start().await;
    let staff = server.signed_in("staff").await;
    let created = staff
        .create_delegation_request(&kapok_api::NewDelegationRequest {
            kind: kapok_api::DelegationKind::Enterprise,
            principal: "kapok-digital".into(),
            scopes: vec![kapok_api::Scope::PresentLicences],
            valid_from: None,
            valid_until: None,
            note: String::new(),
            idempotency_key: None,
        })
        .await
        .unwrap();
    let body = serde_json::json!({ "token": created.secret }).to_string();
    let url = server.url("/api/v1/delegation-requests/lookup");

    // Signed in, the caller's own bucket; a preview bot without a session, the link's bucket.
    let cookie = server
        .signed_in("legal-rep")
        .await
        .session_cookie()
        .unwrap();
    for (who, cookie) in [("signed in", Some(cookie)), ("anonymous", None)] {
        let (url, body) = (url.clone(), body.clone());
        let answers = burst(200, 32, move |http| {
            let request = http
                .post(&url)
                .header("content-type", "application/json")
                .body(body.clone());
            match &cookie {
                Some(cookie) => request.header("cookie", cookie),
                None => request,
            }
        })
        .await;
        assert_exactly(30, &answers, who);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_delegation_requests_gets_exactly_the_limit_through() {
    let server = TestServer::start().await;
    let cookie = server.signed_in("staff").await.session_cookie().unwrap();
    let url = server.url("/api/v1/delegation-requests");
    let body = serde_json::json!({
        "kind": "enterprise",
        "principal": "kapok-digital",
        "scopes": ["present_licences"],
        "note": "",
    })
    .to_string();
    let answers = burst(200, 32, move |http| {
        http.post(&url)
            .header("content-type", "application/json")
            .header("cookie", &cookie)
            .body(body.clone())
    })
    .await;
    assert_exactly(10, &answers, "requests by one member of staff");
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM delegation_requests WHERE requester_user_id = 'staff'",
    )
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!(stored, 10, "no request beyond the limit was stored");
}

// Regressions found by schemathesis (`cargo xtask api-fuzz`, xtask/src/api_fuzz.rs): each
// was an answer the OpenAPI document did not describe.

async fn openapi(server: &TestServer) -> serde_json::Value {
    server
        .raw()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The CSRF guard, the JSON extractor and the body limit answer before any handler, so no
/// handler's own list of responses named them: a POST without a body (`/verify` sent empty)
/// got an undocumented 400, and every change an undocumented 403 or 415. Nor did any name the
/// 503 of a database that cannot be reached.
#[tokio::test]
async fn every_operation_documents_the_problems_the_shared_plumbing_answers() {
    let server = TestServer::start().await;
    let doc = openapi(&server).await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            let mut needed = Vec::new();
            if method != "get" {
                needed.extend(["403", "415"]);
            }
            if operation.get("requestBody").is_some() {
                needed.extend(["400", "408", "413"]);
            }
            for status in needed {
                assert_eq!(
                    responses[status]["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} documents {status}"
                );
                checked += 1;
            }
            // Every operation that asks the database can find it unavailable.
            let unavailable = &responses["503"];
            if path == "/api/v1/demo-accounts" {
                assert!(unavailable.is_null(), "{method} {path} asks no database");
            } else if unavailable["$ref"] != "#/components/responses/PasswordChecksBusy" {
                assert_eq!(
                    unavailable["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} documents 503"
                );
                assert!(unavailable["headers"]["Retry-After"].is_object());
                let description = unavailable["description"].as_str().unwrap();
                assert!(description.contains("(unavailable)"), "{description}");
                checked += 1;
            }
        }
    }
    let busy = doc["components"]["responses"]["PasswordChecksBusy"]["description"]
        .as_str()
        .unwrap();
    assert!(
        busy.contains("`busy`") && busy.contains("`unavailable`"),
        "{busy}"
    );
    assert!(checked > 50, "only {checked} checked");
    // Its own wording is kept, with the guard's cause added.
    let approve = &doc["paths"]["/api/v1/delegation-requests/{id}/approve/start"]["post"];
    let forbidden = approve["responses"]["403"]["description"].as_str().unwrap();
    assert!(forbidden.contains("not_approver") && forbidden.contains("cross_origin"));

    let response = server
        .raw()
        .post(server.url("/api/v1/verify"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.1.code, ErrorCode::MalformedBody);
}

/// Without a session the licence pages answered 401, which only the list of licences named.
#[tokio::test]
async fn the_licence_pages_document_that_they_need_a_session() {
    let server = TestServer::start().await;
    let doc = openapi(&server).await;
    for (path, method) in [
        ("/api/v1/wallet/{id}", "get"),
        ("/api/v1/wallet/{id}/verifications", "get"),
        ("/api/v1/wallet/{id}/presentations", "post"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"]["401"].is_object(),
            "{method} {path}"
        );
    }
    let response = server
        .raw()
        .get(server.url("/api/v1/wallet/lic-resident-dl"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response).await,
        (401, problem_of(ErrorCode::Unauthenticated))
    );
}

/// serde reads a struct from an array of its fields too, so `[]` passed for a presentation
/// request and codes were issued; every body the document describes is an object.
#[tokio::test]
async fn a_body_that_is_a_json_array_is_refused_not_read_as_an_object() {
    let server = TestServer::start().await;
    let cookie = server.signed_in("resident").await.session_cookie().unwrap();
    for body in ["[]", "[1]", " [null]", "\"{}\"", "7"] {
        let response = server
            .raw()
            .post(server.url("/api/v1/wallet/lic-resident-dl/presentations"))
            .header("content-type", "application/json")
            .header("cookie", &cookie)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response).await.1.code,
            ErrorCode::MalformedBody,
            "{body}"
        );
    }
}

/// The document said `count` was any integer from 0 and the server took 1 to 5, so a
/// schema-valid 6 was refused; and JSON Schema's integer 2.0 was refused as a float.
#[tokio::test]
async fn the_presentation_count_is_documented_as_the_server_takes_it() {
    let server = TestServer::start().await;
    let doc = openapi(&server).await;
    let count = &doc["components"]["schemas"]["PresentationRequest"]["properties"]["count"];
    assert_eq!(
        (count["minimum"].as_u64(), count["maximum"].as_u64()),
        (Some(1), Some(5))
    );

    let cookie = server.signed_in("resident").await.session_cookie().unwrap();
    let present = |body: &'static str| {
        server
            .raw()
            .post(server.url("/api/v1/wallet/lic-resident-dl/presentations"))
            .header("content-type", "application/json")
            .header("cookie", &cookie)
            .body(body)
            .send()
    };
    let codes: Vec<kapok_api::Presentation> = present(r#"{"count": 2.0}"#)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(codes.len(), 2);
    for body in [r#"{"count": 6}"#, r#"{"count": 0}"#, r#"{"count": 1.5}"#] {
        let response = present(body).await.unwrap();
        assert_eq!(
            problem(response).await.1.code,
            ErrorCode::MalformedBody,
            "{body}"
        );
    }
}

/// An empty `tag=` means "all" (what a form sends), but the document said only the tags'
/// names; now it says both, and the server takes exactly those (no trimming).
#[tokio::test]
async fn the_policy_tag_filter_is_a_tag_or_empty_exactly() {
    let server = TestServer::start().await;
    let doc = openapi(&server).await;
    let tag = doc["paths"]["/api/v1/policies"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "tag")
        .unwrap();
    assert_eq!(tag["required"], false);
    let choices = tag["schema"]["oneOf"].as_array().unwrap();
    assert!(choices.contains(&serde_json::json!({ "$ref": "#/components/schemas/PolicyTag" })));
    assert!(choices.iter().any(|c| c["enum"] == serde_json::json!([""])));

    let cookie = server
        .signed_in("legal-rep")
        .await
        .session_cookie()
        .unwrap();
    for (query, status) in [("tag=", 200), ("tag=city", 200), ("tag=%20city", 400)] {
        let response = server
            .raw()
            .get(server.url(&format!("/api/v1/policies?{query}")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{query}");
    }
}

/// A passkey sign-in answer whose credential was not even an object was looked at only after
/// the ceremony was used up: it got 410 (not a rejection of the body) and the person had to
/// start again. Now it is a 400, and the ceremony waits for a proper answer.
#[tokio::test]
async fn a_garbled_passkey_answer_is_a_400_and_keeps_the_ceremony() {
    let server = TestServer::start().await;
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (id, kind, user_id, state, expires_at)
         VALUES ('ceremony-1', 'sign_in', NULL, '{}', $1)",
    )
    .bind(i64::MAX / 2)
    .execute(&server.db)
    .await
    .unwrap();
    for credential in [
        serde_json::json!([]),
        serde_json::json!("x"),
        serde_json::json!({ "id": 7 }),
    ] {
        let response = server
            .raw()
            .post(server.url("/api/v1/session/passkey/finish"))
            .json(&serde_json::json!({ "ceremony": "ceremony-1", "credential": credential }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response).await.1.code,
            ErrorCode::MalformedBody,
            "{credential}"
        );
    }
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM webauthn_ceremonies WHERE id = 'ceremony-1'")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(left, 1, "the ceremony is still there");
}

/// A server that gives clients a second for a request's head and a second for its body.
async fn impatient_server() -> TestServer {
    TestServer::start_with_timeouts(kapok_server::config::Timeouts {
        head: Duration::from_secs(1),
        body: Duration::from_secs(1),
        ..Default::default()
    })
    .await
}

async fn connect(server: &TestServer) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Writes `bytes` one at a time, `every` apart, until they are all sent or the server has
/// closed the connection.
fn dribble(
    mut writer: tokio::net::tcp::OwnedWriteHalf,
    bytes: Vec<u8>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    use tokio::io::AsyncWriteExt;
    tokio::spawn(async move {
        for byte in bytes {
            tokio::time::sleep(every).await;
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
        }
    })
}

/// Everything the server sends until it closes the connection, and how long after `since`
/// the connection was closed; `None` if it is still open 10 s later.
async fn read_until_closed(
    reader: &mut (impl tokio::io::AsyncRead + Unpin),
    since: Instant,
) -> Option<(String, Duration)> {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()?;
    Some((
        String::from_utf8_lossy(&received).into_owned(),
        since.elapsed(),
    ))
}

#[tokio::test]
async fn a_connection_that_sends_its_request_head_a_byte_at_a_time_is_closed() {
    let server = impatient_server().await;
    let (mut reader, writer) = connect(&server).await.into_split();
    let opened = Instant::now();
    // A head that would take 20 s to arrive: a byte every 100 ms, each one on time.
    let head = format!(
        "GET /api/v1/demo-accounts HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
        "a".repeat(180)
    );
    let sending = dribble(writer, head.into_bytes(), Duration::from_millis(100));
    let (answer, after) = read_until_closed(&mut reader, opened)
        .await
        .expect("the slow connection is closed, not kept for ever");
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_secs(5),
        "closed after {after:?}"
    );
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer:?}"
    );
    sending.abort();
    // The server still answers everyone else.
    let response = server
        .raw()
        .get(server.url("/api/v1/demo-accounts"))
        .send()
        .await;
    assert_eq!(response.unwrap().status(), 200);
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed() {
    use tokio::io::AsyncWriteExt;
    let server = impatient_server().await;
    let mut stream = connect(&server).await;
    stream
        .write_all(b"GET /api/v1/demo-accounts HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (mut reader, _writer) = stream.into_split();
    let asked = Instant::now();
    let (answer, after) = read_until_closed(&mut reader, asked)
        .await
        .expect("an idle connection is closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    // Nothing follows the answer: the connection simply ends.
    assert_eq!(answer.matches("HTTP/1.1").count(), 1, "{answer:?}");
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_secs(5),
        "closed after {after:?}"
    );
}

#[tokio::test]
async fn a_body_that_does_not_all_arrive_in_time_is_a_408_and_its_connection_closes() {
    use tokio::io::AsyncWriteExt;
    let server = impatient_server().await;
    let body = format!(r#"{{"username":"resident","password":"{PASSWORD}"}}"#);
    let head = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );

    // A body that comes in pieces but in time is read as usual.
    let mut stream = connect(&server).await;
    stream.write_all(head.as_bytes()).await.unwrap();
    let (first, rest) = body.split_at(10);
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 12];
    tokio::io::AsyncReadExt::read_exact(&mut stream, &mut answer)
        .await
        .unwrap();
    assert_eq!(answer, b"HTTP/1.1 200");

    // One whose bytes keep coming, each on time, but would take 5 s in all.
    let (mut reader, mut writer) = connect(&server).await.into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let every = Duration::from_millis(5000 / body.len() as u64);
    let sending = dribble(writer, body.into_bytes(), every);
    let (answer, after) = read_until_closed(&mut reader, started)
        .await
        .expect("the slow request is answered and its connection closed");
    sending.abort();
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_secs(4),
        "answered after {after:?}"
    );
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    let head = head.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 408"), "{head}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    assert!(head.contains("connection: close"), "{head}");
    let problem: Problem = serde_json::from_str(body).expect("a problem document");
    assert_eq!(problem.code, ErrorCode::RequestTimeout);
}

#[tokio::test]
async fn a_server_at_its_connection_limit_takes_the_next_one_when_another_closes() {
    let server = TestServer::start_set_up(|config| {
        config.max_connections = Some(4);
        config.timeouts.head = Duration::from_secs(1);
    })
    .await;
    // Four connections that send nothing hold every place until the head time limit closes
    // them.
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(connect(&server).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let asked = Instant::now();
    let response = server
        .raw()
        .get(server.url("/api/v1/demo-accounts"))
        .send()
        .await
        .expect("the fifth connection waits and is answered");
    assert_eq!(response.status(), 200);
    let after = asked.elapsed();
    assert!(
        after >= Duration::from_millis(700) && after < Duration::from_secs(5),
        "answered after {after:?}"
    );
}

/// A client that asks for a large file and takes none of it, or has gone without closing (a
/// phone that lost its signal), holds its connection only until nothing more could be sent for
/// the send time limit; before, for as long as it liked.
#[tokio::test]
async fn a_connection_that_takes_none_of_its_answer_is_closed() {
    use tokio::io::AsyncWriteExt;

    const SIZE: usize = 32 << 20;
    let server = TestServer::start_with(
        |dist| {
            std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
            std::fs::write(dist.join("large.bin"), vec![b'k'; SIZE]).unwrap();
        },
        |config| config.timeouts.send = Duration::from_secs(1),
    )
    .await;
    // A small window, so the server's writes stop once the buffers on both ends are full.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let address = server.base.trim_start_matches("http://").parse().unwrap();
    let mut stream = socket.connect(address).await.unwrap();
    stream
        .write_all(b"GET /large.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;

    let (received, _) = read_until_closed(&mut stream, Instant::now())
        .await
        .expect("the server closed the connection");
    assert!(received.starts_with("HTTP/1.1 200"), "{:.40}", received);
    assert!(
        received.len() < SIZE,
        "all of it was sent: {} bytes",
        received.len()
    );
}
