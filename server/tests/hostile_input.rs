//! Bad input gets a clear 4xx problem+json and never a 5xx or a dropped connection.

mod common;

use common::TestServer;
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

fn problem_of(code: ErrorCode) -> Problem {
    let status = match code {
        ErrorCode::NotFound => 404,
        _ => unreachable!(),
    };
    Problem::new(
        status,
        code,
        "Not found",
        "There is nothing at this address.",
    )
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
