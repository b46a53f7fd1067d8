//! The thin JSON backend of Kapok.
//!
//! Every request flows the same way: route → handler (parse, authorise, call) → store (SQL)
//! → migration. Errors are [`error::ApiError`], mapped once to problem+json.

mod authorize;
mod clock;
pub mod config;
mod db;
mod delegation;
mod device_cookie;
mod error;
mod limits;
mod listen;
mod notifications;
mod passkeys;
mod policies;
pub mod seed;
mod services;
mod session;
mod store;
mod text;
mod wallet;
mod web;

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderValue, header},
    middleware,
    response::IntoResponse,
    routing::get,
};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use config::Config;
pub use db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// For the read-only queries of the busiest requests (see `db::connect_reads`).
    pub reads: Db,
    /// Writes verifications in groups (see `store::licences::VerificationLog`).
    pub verifications: store::licences::VerificationLog,
    /// The issuer keys that verify codes, kept in memory for a moment.
    pub trusted_keys: Arc<store::keys::TrustedCache>,
    /// The issuer key that signs codes, kept in memory for a moment.
    pub signing_key: Arc<store::keys::SigningCache>,
    pub config: Arc<Config>,
    /// The WebAuthn relying party for passkeys, set up from `config.origin`.
    pub webauthn: Arc<webauthn_rs::Webauthn>,
    /// What wrong passwords are counted under (`store::sign_in_failures::Hasher`).
    pub failure_hasher: store::sign_in_failures::Hasher,
    /// The key that signs device cookies (`device_cookie`).
    pub device_cookies: device_cookie::Keys,
    /// The rate limits that have no table of their own to count, kept in the database (see
    /// `limits`).
    limits: Arc<limits::RateLimiter>,
    csp: HeaderValue,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kapok API",
        description = "The JSON API of Kapok, an open-source suite of digital-government mini-programs. \
                       Errors are RFC 9457 problem+json documents with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(
        schemas(kapok_api::Problem, kapok_api::ErrorCode),
        responses(session::TooManyPasswords, session::PasswordChecksBusy)
    ),
    tags(
        (name = "session", description = "Sign-in (password or passkey), sign-out, who am I, passkeys"),
        (name = "wallet", description = "E-licences, their live QR codes, and verification"),
        (name = "delegation", description = "Asking for authority, approving it with a passkey, grants, revocation and the audit trail"),
        (name = "services", description = "The service catalogue, applications and their timelines, and officials' tasks"),
        (name = "policies", description = "The enterprise policy library, officials publishing to it, and the tags each company follows"),
        (name = "notifications", description = "One inbox for every persona"),
    )
)]
struct ApiDoc;

/// The router and the OpenAPI document it was generated with.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            kapok_api::API_PREFIX,
            OpenApiRouter::new()
                .routes(routes!(session::sign_in, session::sign_out))
                .routes(routes!(
                    session::sign_out_everywhere,
                    session::list_sessions
                ))
                .routes(routes!(session::end_session))
                .routes(routes!(session::me))
                .routes(routes!(session::change_password))
                .routes(routes!(session::demo_accounts))
                .routes(routes!(passkeys::register_start))
                .routes(routes!(passkeys::register_finish))
                .routes(routes!(passkeys::list))
                .routes(routes!(passkeys::rename, passkeys::remove))
                .routes(routes!(passkeys::sign_in_start))
                .routes(routes!(passkeys::sign_in_finish))
                .routes(routes!(wallet::list))
                .routes(routes!(wallet::detail))
                .routes(routes!(wallet::present))
                .routes(routes!(wallet::verifications))
                .routes(routes!(wallet::verify))
                .routes(routes!(wallet::issuer_keys))
                .routes(routes!(delegation::create, delegation::list))
                .routes(routes!(delegation::detail, delegation::cancel))
                .routes(routes!(delegation::lookup))
                .routes(routes!(delegation::approve_start))
                .routes(routes!(delegation::approve_finish))
                .routes(routes!(delegation::decline))
                .routes(routes!(delegation::grants))
                .routes(routes!(delegation::revoke))
                .routes(routes!(delegation::audit))
                .routes(routes!(services::catalogue_of_shell))
                .routes(routes!(services::create, services::list))
                .routes(routes!(
                    services::detail,
                    services::update,
                    services::remove
                ))
                .routes(routes!(services::relative_licences))
                .routes(routes!(services::tasks))
                .routes(routes!(services::claim))
                .routes(routes!(services::decide))
                .routes(routes!(policies::search, policies::publish))
                .routes(routes!(
                    policies::subscriptions,
                    policies::set_subscriptions
                ))
                .routes(routes!(notifications::list))
                .routes(routes!(notifications::read))
                .routes(routes!(notifications::read_all)),
        )
        .split_for_parts();
    web::document_guard_responses(&mut doc);
    (router, doc)
}

/// The OpenAPI 3.1 document, as served at `/api/openapi.json`.
pub fn openapi_json() -> String {
    api().1.to_pretty_json().expect("the document serialises")
}

pub fn app(state: AppState) -> Router {
    let (api, _) = api();
    let openapi = openapi_json();
    let routes = api.route(
        "/api/openapi.json",
        get(move || async move {
            ([(header::CONTENT_TYPE, "application/json")], openapi).into_response()
        }),
    );
    with_layers(routes, state)
}

/// What wraps every route: fallbacks, the CSRF guard, reading the whole body within its limit,
/// panic catching and security headers (outermost, so even a caught panic carries them).
fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .method_not_allowed_fallback(web::method_not_allowed)
        .fallback(web::static_files)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::guard_state_changing,
        ))
        .layer(middleware::from_fn(web::refuse_nul_in_path))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::read_whole_body,
        ))
        .layer(DefaultBodyLimit::max(web::BODY_LIMIT))
        // Where `web::Network` reads the caller's address (KAPOK_CLIENT_IP).
        .layer(state.config.client_ip.clone().into_extension())
        .layer(CatchPanicLayer::custom(|_panic| {
            // The panic message may hold request data; it goes to the log, not the client.
            tracing::error!("a handler panicked");
            error::ApiError::Internal("panic".into()).into_response()
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::security_headers,
        ))
        .with_state(state)
}

/// A server that is listening.
pub struct Running {
    pub addr: SocketAddr,
    pub db: Db,
    pub seeded: bool,
    serve: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Serve until the process is asked to stop (Ctrl-C or SIGTERM).
    pub async fn until_stopped(self) -> std::io::Result<()> {
        self.serve.await.map_err(std::io::Error::other)?
    }
}

/// Opens the database (migrating it, seeding demo data if asked) and starts listening.
pub async fn start(config: Config) -> Result<Running, String> {
    let db = db::connect(&config.database_url, config.timeouts.database).await?;
    let seeded = if config.demo {
        seed::seed_if_empty(&db)
            .await
            .map_err(|e| format!("demo seed failed: {e}"))?
    } else {
        false
    };
    let reads = db::connect_reads(&config.database_url, &db, config.timeouts.database).await?;
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let max_connections = config
        .max_connections
        .unwrap_or_else(listen::connection_limit);
    tracing::info!("serving at most {max_connections} connections at once");
    let csp = web::content_security_policy(web::read_index(&config.dist).as_deref());
    let webauthn = Arc::new(passkeys::relying_party(&config.origin)?);
    let failure_hasher = store::sign_in_failures::Hasher::load(&db)
        .await
        .map_err(|e| format!("cannot read or make the key for sign-in counts: {e}"))?;
    let device_cookies = device_cookie::Keys::load(&db)
        .await
        .map_err(|e| format!("cannot read or make the key for device cookies: {e}"))?;
    // Made now if there is none, not on the first code asked for: a database that cannot take
    // writes later (locked, or a read-only standby) does not stop codes from being issued.
    let signing_key = Arc::<store::keys::SigningCache>::default();
    signing_key
        .get(&reads, &db, store::now())
        .await
        .map_err(|e| format!("cannot read or make the key that signs codes: {e}"))?;
    let state = AppState {
        failure_hasher,
        device_cookies,
        verifications: store::licences::VerificationLog::start(db.clone()),
        trusted_keys: Arc::default(),
        signing_key,
        db: db.clone(),
        reads,
        config: Arc::new(config),
        webauthn,
        limits: Arc::default(),
        csp,
    };
    let serve = tokio::spawn(async move {
        let timeouts = state.config.timeouts;
        listen::serve(
            listener,
            app(state),
            timeouts,
            max_connections,
            shutdown_signal(),
        )
        .await
    });
    Ok(Running {
        addr,
        db,
        seeded,
        serve,
    })
}

/// Hooks for the server's integration tests; not part of Kapok's API.
#[doc(hidden)]
pub mod testing {
    use crate::{Db, db, store};

    /// The server's two pools on `database_url` (migrated), as `start` opens them: the one
    /// every write goes through, and the one the busiest reads use.
    pub async fn pools(database_url: &str) -> Result<(Db, Db), String> {
        let wait = crate::config::Timeouts::default().database;
        let db = db::connect(database_url, wait).await?;
        let reads = db::connect_reads(database_url, &db, wait).await?;
        Ok((db, reads))
    }

    /// Whether a write failed because another renewal of the same licence is in progress.
    pub fn is_renewal_under_way(error: &sqlx::Error) -> bool {
        store::applications::is_renewal_under_way(error)
    }

    /// Approves a pending request exactly as a successful passkey approval does (the same
    /// store call: one transaction that marks it approved, makes the grant and logs it), but
    /// without the ceremony, which needs a real authenticator (the browser e2e has Chromium's
    /// virtual one). Returns the grant's id, or `None` if the request was no longer pending.
    pub async fn approve_without_passkey(
        db: &Db,
        request_id: &str,
    ) -> Result<Option<String>, String> {
        let request = store::delegation::find(db, request_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no request {request_id}"))?;
        let grant_id = uuid::Uuid::new_v4().to_string();
        let approved = store::delegation::approve(db, &request, &grant_id, store::now())
            .await
            .map_err(|e| e.to_string())?;
        Ok(approved.then_some(grant_id))
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    use super::*;

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_problem_json_not_a_reset() {
        let data = tempfile::tempdir().unwrap();
        let config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            origin: "http://localhost:8080".into(),
            database_url: format!("sqlite://{}", data.path().join("t.db").display()),
            dist: data.path().into(),
            demo: false,
            client_ip: config::ClientIpSource::ConnectInfo,
            timeouts: config::Timeouts::default(),
            max_connections: None,
        };
        let db = db::connect(&config.database_url, config.timeouts.database)
            .await
            .unwrap();
        let state = AppState {
            failure_hasher: store::sign_in_failures::Hasher::load(&db).await.unwrap(),
            device_cookies: device_cookie::Keys::load(&db).await.unwrap(),
            reads: db.clone(),
            verifications: store::licences::VerificationLog::start(db.clone()),
            trusted_keys: Arc::default(),
            signing_key: Arc::default(),
            db,
            webauthn: Arc::new(passkeys::relying_party(&config.origin).unwrap()),
            config: Arc::new(config),
            limits: Arc::default(),
            csp: web::content_security_policy(None),
        };
        let routes = Router::new().route("/api/v1/boom", get(boom));
        let response = with_layers(routes, state)
            .oneshot(Request::get("/api/v1/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        assert!(response.headers().contains_key("content-security-policy"));
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let problem: kapok_api::Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem.code, kapok_api::ErrorCode::Internal);
        assert!(
            !problem.detail.contains("boom"),
            "the panic message stays in the log"
        );
    }
}
