//! HTTP plumbing shared by every route: the JSON extractor, the CSRF guard, security headers,
//! and the built client's static files.

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    path::{Path, PathBuf},
};

use axum::{
    body::Bytes,
    extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State},
    http::{HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_client_ip::ClientIp;
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::{AppState, error::ApiError};

/// No request body Kapok takes comes near this; larger ones are refused unread.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The network a request comes from, for the limits counted per network: an IPv4 address, or
/// the /64 an IPv6 address is in (what one subscriber is given, so walking through its
/// addresses is still one network). Read where `KAPOK_CLIENT_IP` says; a request whose proxy
/// header is missing or garbled counts under the connection's own address (the proxy's, so
/// such requests share one count and are never looser than the rest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network(String);

impl Network {
    pub fn of(ip: IpAddr) -> Network {
        Network(match ip.to_canonical() {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let prefix = Ipv6Addr::from(u128::from(v6) & !(u128::from(u64::MAX)));
                format!("{prefix}/64")
            }
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Network {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ip = match ClientIp::from_request_parts(parts, state).await {
            Ok(ClientIp(ip)) => Some(ip),
            Err(_) => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        };
        // Only a server not started by `start` (no connection info) has no address at all.
        Ok(ip.map_or_else(|| Network("unknown".into()), Network::of))
    }
}

/// `axum::Json`, but every rejection is a problem+json with a stable code, and the body must
/// be a JSON object, as every request body in the OpenAPI document is: serde alone also reads
/// a struct from an array of its fields, so `[]` passed for `{}` (schemathesis: "schema-violating
/// request accepted").
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedBody(rejection.body_text())
            }
        })?;
        if body.trim_ascii_start().first() != Some(&b'{') {
            return Err(ApiError::MalformedBody(
                "The body must be a JSON object.".into(),
            ));
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&body)?;
        if holds_nul(&body) {
            return Err(ApiError::MalformedBody(NUL_REFUSED.into()));
        }
        Ok(ApiJson(value))
    }
}

/// Why text holding U+0000 is refused. PostgreSQL cannot store the character in text (it
/// fails the whole statement), and no one means to send it; SQLite would keep it, so the
/// two databases answer alike only if it never reaches either.
const NUL_REFUSED: &str = "Text may not contain the NUL character (U+0000).";

/// Whether a JSON text holds U+0000 in any string, a key included. Only the escape `\u0000`
/// can put it there (a raw control character is not JSON), so the text is parsed again only
/// when that escape appears in it, and then to tell it from an escaped backslash and `u0000`.
fn holds_nul(json: &[u8]) -> bool {
    fn any_nul(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(any_nul),
            serde_json::Value::Object(fields) => fields
                .iter()
                .any(|(key, value)| key.contains('\0') || any_nul(value)),
            _ => false,
        }
    }
    json.windows(6).any(|w| w == b"\\u0000")
        && serde_json::from_slice::<serde_json::Value>(json).is_ok_and(|v| any_nul(&v))
}

/// `axum::extract::Query`, but refusing U+0000 in a parameter (see [`NUL_REFUSED`]) as it
/// refuses any query it cannot read: 400 problem+json.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Only `%00` decodes to U+0000: a raw NUL byte cannot be in a URI.
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(ApiError::MalformedBody(NUL_REFUSED.into()));
        }
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(value))
    }
}

/// An API path holding U+0000 (`/wallet/%00`) names nothing, as a path that is not UTF-8
/// does: 404 problem+json, before any handler binds it to a query (see [`NUL_REFUSED`]).
pub async fn refuse_nul_in_path(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") && path.contains("%00") {
        return ApiError::NotFound.into_response();
    }
    next.run(request).await
}

/// Reads a request's whole body (up to `BODY_LIMIT`) before anything answers it. An answer
/// given while some of the body is still unread (a 401 before a handler reads its JSON, a 405,
/// a refused cross-site request) makes the connection close after it, unannounced, and the
/// client's next request on that kept-alive connection fails. A larger body is a 413, as the
/// JSON extractor would answer; a body that has not all arrived within `Timeouts::body` is a
/// 408 (a client could otherwise send one byte a minute and keep the request open for days);
/// a body cut short is a 400.
pub async fn read_whole_body(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let reading = axum::body::to_bytes(body, BODY_LIMIT);
    let Ok(read) = tokio::time::timeout(state.config.timeouts.body, reading).await else {
        return ApiError::RequestTimeout.into_response();
    };
    match read {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(e) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
            if too_large {
                ApiError::PayloadTooLarge.into_response()
            } else {
                ApiError::MalformedBody(format!("The body could not be read: {e}")).into_response()
            }
        }
    }
}

/// `axum::extract::Path`, but a path parameter that cannot be read (an id that is not UTF-8,
/// `/wallet/%FF`) is answered as any id that names nothing is: 404 problem+json, not the
/// framework's plain-text 400. No stored id can be such bytes.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Whether the request says its body is `application/json` (parameters such as `charset`
/// aside).
/// The value of the request's cookie called `name`, if it has one that is not empty.
pub fn cookie<'h>(headers: &'h axum::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, value)| *n == name && !value.is_empty())
        .map(|(_, value)| value)
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// CSRF defence in depth for every state-changing API request (the `SameSite=Strict` cookie
/// is the first line): the browser must say the request comes from our own pages, and the
/// body must be JSON, which a cross-site form cannot send without a CORS preflight.
pub async fn guard_state_changing(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || !request.uri().path().starts_with("/api/")
    {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site.is_some_and(|site| site != "same-origin" && site != "none") {
        return ApiError::CrossOrigin.into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        // The configured public origin, or this very host (a developer on 127.0.0.1 rather
        // than localhost): a cross-site page cannot make the two differ in its favour.
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let same_host = host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, o)| o == h));
        if origin != state.config.origin && !same_host {
            return ApiError::CrossOrigin.into_response();
        }
    }
    if !is_json(headers) {
        return ApiError::UnsupportedMediaType.into_response();
    }
    next.run(request).await
}

/// The operations that answer without asking the database, so never 503 `unavailable`.
const OPERATIONS_WITHOUT_DATABASE: [Option<&str>; 1] = [Some("demo_accounts")];

/// Adds to every operation of `doc` the problems the shared plumbing answers before any
/// handler runs, so the document promises every status a client can get: the CSRF guard's 403
/// and 415 on every change (with a body or not), and `ApiJson`'s 400, the body limit's 413 and
/// the body time limit's 408 wherever a body is read; and the 503 of a database that cannot
/// be reached, on every operation that asks it. An operation that already lists the status
/// keeps its own wording.
pub fn document_guard_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{
        ContentBuilder, Ref, RefOr, ResponseBuilder, Type, header::HeaderBuilder,
        schema::ObjectBuilder,
    };

    for item in doc.paths.paths.values_mut() {
        let operations = [
            (false, &mut item.get),
            (true, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.patch),
            (true, &mut item.delete),
        ];
        for (changes, operation) in operations {
            let Some(operation) = operation else { continue };
            let mut added: Vec<(&str, &str, &str)> = Vec::new();
            if changes {
                added.push(("403", "cross_origin", "a cross-site request (cross_origin)"));
                added.push((
                    "415",
                    "unsupported_media_type",
                    "the request is not Content-Type: application/json, which every change \
                     needs, with a body or without (unsupported_media_type)",
                ));
            }
            if operation.request_body.is_some() {
                added.push((
                    "400",
                    "malformed_body",
                    "a body that is not a JSON object of this shape (malformed_body)",
                ));
                added.push((
                    "413",
                    "payload_too_large",
                    "a body over 64 KiB (payload_too_large)",
                ));
                added.push((
                    "408",
                    "request_timeout",
                    "a body that did not all arrive in time; the connection is closed \
                     (request_timeout)",
                ));
            }
            if !OPERATIONS_WITHOUT_DATABASE.contains(&operation.operation_id.as_deref()) {
                added.push((
                    "503",
                    "unavailable",
                    "the database cannot be reached or cannot take the request now; \
                     Retry-After says how many seconds to wait (unavailable)",
                ));
            }
            for (status, code, description) in added {
                match operation.responses.responses.get_mut(status) {
                    // A listed 400, 413 or 415 already means what the plumbing means by it; a
                    // listed 403 is the handler's own refusal, so the guard's is added to it.
                    Some(RefOr::T(existing)) => {
                        if status == "403" && !existing.description.contains(code) {
                            existing.description =
                                format!("{}; or {description}", existing.description);
                        }
                    }
                    Some(RefOr::Ref(_)) => {}
                    None => {
                        let problem = ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build();
                        let mut first = description.chars();
                        let capitalised: String = first
                            .next()
                            .map(|c| c.to_ascii_uppercase())
                            .into_iter()
                            .chain(first)
                            .collect();
                        let mut response = ResponseBuilder::new()
                            .description(capitalised)
                            .content("application/problem+json", problem);
                        if status == "503" {
                            let seconds = ObjectBuilder::new().schema_type(Type::Integer);
                            response = response.header(
                                "Retry-After",
                                HeaderBuilder::new()
                                    .schema(seconds)
                                    .description(Some("Seconds to wait before trying again"))
                                    .build(),
                            );
                        }
                        let response = response.build();
                        operation
                            .responses
                            .responses
                            .insert(status.to_owned(), RefOr::T(response));
                    }
                }
            }
        }
    }
}

/// Headers every response carries.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, state.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Delegation links carry their secret in the fragment, which is never sent as a referrer
    // anyway; no-referrer also keeps paths from leaking to any other site.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
        ),
    );
    if state.config.origin.starts_with("https://") {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if is_api {
        // Personal data: never in a shared or disk cache.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The Content-Security-Policy: only our own scripts, plus the hash of each inline script the
/// bundler wrote into index.html (Trunk's wasm loader), and wasm compilation.
pub fn content_security_policy(index_html: Option<&str>) -> HeaderValue {
    let hashes: String = index_html
        .map(inline_script_hashes)
        .unwrap_or_default()
        .iter()
        .map(|h| format!(" 'sha256-{h}'"))
        .collect();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; media-src 'self' blob:; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&csp).expect("the policy is ASCII")
}

fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        let body_and_after = &rest[tag_end + 1..];
        let Some(close) = body_and_after.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            hashes.push(STANDARD.encode(Sha256::digest(&body_and_after.as_bytes()[..close])));
        }
        rest = &body_and_after[close..];
    }
    hashes
}

/// Serves the built client: files by path (precompressed brotli / gzip when the browser takes
/// them), and index.html for every client route so deep links and reloads work.
pub async fn static_files(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::NotFound.into_response();
    }
    let dist: &Path = &state.config.dist;
    let index = dist.join("index.html");
    if !index.exists() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The Kapok client is not built. Run `cargo xtask run`.",
        )
            .into_response();
    }
    let file_name = path.rsplit('/').next().unwrap_or_default();
    let is_asset = file_name.contains('.');
    let mut response = if is_asset {
        serve(
            ServeDir::new(dist).precompressed_br().precompressed_gzip(),
            request,
        )
        .await
    } else {
        serve(
            ServeFile::new(&index)
                .precompressed_br()
                .precompressed_gzip(),
            request,
        )
        .await
    };
    let cache = if response.status() == StatusCode::OK && is_content_hashed(file_name) {
        // The name changes whenever the content does, so the browser may keep it for good.
        "public, max-age=31536000, immutable"
    } else {
        // index.html, the service worker and unhashed files must be revalidated every time,
        // or a returning visitor could be stuck on an old release.
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

async fn serve<S>(service: S, request: Request) -> Response
where
    S: tower::Service<Request, Error = std::convert::Infallible> + Send,
    S::Response: IntoResponse,
    S::Future: Send,
{
    match service.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

/// Whether a file name carries a content hash as Trunk writes it
/// (`kapok-app-0123456789abcdef_bg.wasm`, `tokens-0123456789abcdef.css`): a 64-bit hash in
/// hex, without leading zeros, so usually 16 digits and sometimes fewer.
pub fn is_content_hashed(file_name: &str) -> bool {
    file_name.split('-').skip(1).any(|part| {
        let hash = part.split(['_', '.']).next().unwrap_or_default();
        (12..=16).contains(&hash.len())
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

pub fn read_index(dist: &Path) -> Option<String> {
    std::fs::read_to_string(PathBuf::from(dist).join("index.html")).ok()
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_is_an_ipv4_address_or_the_64_an_ipv6_address_is_in() {
        let net = |ip: &str| Network::of(ip.parse().unwrap());
        assert_eq!(net("203.0.113.7").as_str(), "203.0.113.7");
        assert_ne!(net("203.0.113.7"), net("203.0.113.8"));
        assert_eq!(
            net("::ffff:203.0.113.7"),
            net("203.0.113.7"),
            "IPv4 mapped into IPv6"
        );
        assert_eq!(
            net("2001:db8:1:2:aaaa::1"),
            net("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "one subscriber's /64"
        );
        assert_eq!(net("2001:db8:1:2::1").as_str(), "2001:db8:1:2::/64");
        assert_ne!(net("2001:db8:1:2::1"), net("2001:db8:1:3::1"));
    }

    #[test]
    fn hashes_inline_scripts_but_not_external_ones() {
        let html =
            r#"<head><script src="/boot.js"></script><script type="module">init()</script></head>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes, vec![STANDARD.encode(Sha256::digest(b"init()"))]);
    }

    #[test]
    fn policy_allows_no_inline_script_without_its_hash() {
        let csp = content_security_policy(None);
        let csp = csp.to_str().unwrap();
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn recognises_trunk_content_hashes() {
        assert!(is_content_hashed("kapok-app-9b5c3e1f2a4d6e8f_bg.wasm"));
        assert!(is_content_hashed("kapok-app-9b5c3e1f2a4d6e8f.js"));
        // A hash with a leading zero digit is printed one digit shorter.
        assert!(is_content_hashed("kapok-app-d2410676e70b943_bg.wasm"));
        assert!(is_content_hashed("tokens-dfb626633f51ea3b.css"));
        assert!(!is_content_hashed("kapok-app.js"));
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("manifest.webmanifest"));
        assert!(!is_content_hashed("sw.js"));
    }
}
