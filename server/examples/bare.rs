//! A bare axum JSON endpoint, the floor `cargo xtask bench` measures `GET /api/v1/wallet`
//! against: the same runtime, framework and body, but no session, database, middleware or log.
//! The body is the wallet's own response, serialised again on every request as the real
//! handler does.
//!
//! With a `DATABASE_URL` as well, each request first makes one query through the server's
//! own read pool (one user by a unique key, the shape of the session lookup every signed-in
//! request starts with): what one database round trip costs, with nothing else added.
//!
//! Usage: `bare PORT BODY.json [DATABASE_URL]` (listens on 127.0.0.1:PORT, answers `GET /`).

use std::sync::Arc;

use axum::{Json, Router, http::StatusCode, response::IntoResponse, routing::get};
use serde_json::Value;

fn fail(message: String) -> ! {
    eprintln!("bare: {message}");
    std::process::exit(1);
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (port, body, database_url) = match args.as_slice() {
        [port, body] => (port, body, None),
        [port, body, url] => (port, body, Some(url)),
        _ => {
            eprintln!("usage: bare PORT BODY.json [DATABASE_URL]");
            std::process::exit(2);
        }
    };
    let body =
        std::fs::read_to_string(body).unwrap_or_else(|e| fail(format!("cannot read {body}: {e}")));
    let body: Arc<Value> = Arc::new(
        serde_json::from_str(&body).unwrap_or_else(|e| fail(format!("the body is not JSON: {e}"))),
    );
    let app = match database_url {
        None => Router::new().route(
            "/",
            get(move || {
                let body = body.clone();
                async move { Json(body.as_ref()).into_response() }
            }),
        ),
        Some(url) => {
            let (db, reads) = kapok_server::testing::pools(url)
                .await
                .unwrap_or_else(|e| fail(e));
            kapok_server::seed::seed_if_empty(&db)
                .await
                .unwrap_or_else(|e| fail(format!("seed: {e}")));
            Router::new().route(
                "/",
                get(move || {
                    let body = body.clone();
                    let reads = reads.clone();
                    async move {
                        let found =
                            sqlx::query("SELECT id, persona FROM users WHERE username = $1")
                                .bind("resident")
                                .fetch_optional(&reads)
                                .await;
                        match found {
                            Ok(Some(_)) => Json(body.as_ref()).into_response(),
                            Ok(None) => StatusCode::NOT_FOUND.into_response(),
                            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                        }
                    }
                }),
            )
        }
    };
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| fail(format!("cannot listen on port {port}: {e}")));
    if let Err(e) = axum::serve(listener, app).await {
        fail(e.to_string());
    }
}
