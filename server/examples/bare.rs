//! A bare axum JSON endpoint, the floor `cargo xtask bench` measures `GET /api/v1/wallet`
//! against: the same runtime, framework and body, but no session, database, middleware or log.
//! The body is the wallet's own response, serialised again on every request as the real
//! handler does.
//!
//! Usage: `bare PORT BODY.json` (listens on 127.0.0.1:PORT, answers `GET /`).

use std::sync::Arc;

use axum::{Json, Router, response::IntoResponse, routing::get};
use serde_json::Value;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [port, body] = args.as_slice() else {
        eprintln!("usage: bare PORT BODY.json");
        std::process::exit(2);
    };
    let body = std::fs::read_to_string(body).unwrap_or_else(|e| {
        eprintln!("bare: cannot read {body}: {e}");
        std::process::exit(1);
    });
    let body: Arc<Value> = Arc::new(serde_json::from_str(&body).unwrap_or_else(|e| {
        eprintln!("bare: the body is not JSON: {e}");
        std::process::exit(1);
    }));
    let app = Router::new().route(
        "/",
        get(move || {
            let body = body.clone();
            async move { Json(body.as_ref()).into_response() }
        }),
    );
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| {
            eprintln!("bare: cannot listen on port {port}: {e}");
            std::process::exit(1);
        });
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("bare: {e}");
        std::process::exit(1);
    }
}
