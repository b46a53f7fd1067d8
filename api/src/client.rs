//! The one typed client of the Kapok API.
//!
//! In the browser the session rides in an `HttpOnly` cookie that script cannot read, so the
//! client only has to call same-origin URLs. Natively (server tests, load tools) there is no
//! cookie jar that would keep a `Secure` cookie over plain-HTTP loopback, so the client keeps
//! the session cookie itself and sends the `Origin` header a browser would.

use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    API_PREFIX, Application, ApplicationUpdate, ApprovalStart, AuditEntry, Ceremony,
    CeremonyAnswer, CreatedDelegationRequest, Decision, DelegationRequest, DelegationRequests,
    DemoAccounts, ErrorCode, Grant, Grants, IssuerKeys, Licence, LicenceSummary, LinkLookup, Me,
    NewApplication, NewDelegationRequest, NewPasskey, NewPolicy, Notifications, PasskeyInfo,
    PasskeyRename, PasswordChange, PasswordConfirmation, Policy, PolicyTag, Presentation,
    PresentationRequest, Problem, SESSION_COOKIE, Service, SessionInfo, SignInRequest,
    Subscriptions, Verification, VerifiedLicence, VerifyRequest,
};

/// How long a request waits for its answer before it is given up. On a phone a request can
/// hang (a network that drops packets without saying so, a lift between floors) and leave a
/// page saying "sending…" for good; past this, the page says there was no answer and the
/// person can try again. Long enough for a slow mobile network.
pub const TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientError {
    /// The server answered with a problem document.
    Problem(Problem),
    /// The request never got an answer (offline, server down, connection reset).
    Network(String),
    /// The server answered with something this client cannot read.
    Decode(String),
    /// No answer came within [`TIME_LIMIT`]: the request was given up. As with a lost
    /// answer, one that changes something (`sending`) may or may not have been carried out.
    TimedOut { sending: bool },
    /// A 5xx answer that is not the server's own problem document: a proxy or load balancer
    /// in front of it answered (its `status` here). Unlike the server's own 500, whose change
    /// was rolled back, this cannot say whether a request that changes something (`sending`)
    /// was carried out before the answer was lost.
    Unavailable { status: u16, sending: bool },
}

impl ClientError {
    /// How many seconds the server asked to wait before asking again (its `Retry-After`), when
    /// it said: too many requests, or too busy or unavailable for a while it could tell.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ClientError::Problem(p) => p.retry_after,
            _ => None,
        }
    }

    /// The stable code behind this failure, for mapping to a localized message.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Problem(p) => Some(p.code),
            _ => None,
        }
    }

    /// No answer from the server came through: no network, the server down or too busy (a 5xx,
    /// a 429), or something else answering in its place (a Wi-Fi sign-in page). Unlike the
    /// server's refusals, this says nothing about the request or the session, so what the
    /// device saved may stand in for the answer and asking again later may work.
    pub fn is_unavailable(&self) -> bool {
        match self {
            ClientError::Network(_)
            | ClientError::TimedOut { .. }
            | ClientError::Decode(_)
            | ClientError::Unavailable { .. } => true,
            ClientError::Problem(p) => p.status >= 500 || p.code == ErrorCode::TooManyRequests,
        }
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Problem(p) => write!(f, "{} ({}): {}", p.title, p.status, p.detail),
            ClientError::Network(e) => write!(f, "network error: {e}"),
            ClientError::Decode(e) => write!(f, "unreadable response: {e}"),
            ClientError::TimedOut { .. } => {
                write!(f, "no answer within {} s", TIME_LIMIT.as_secs())
            }
            ClientError::Unavailable { status, .. } => {
                write!(f, "no answer from the server ({status})")
            }
        }
    }
}

impl std::error::Error for ClientError {}

#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    /// `name=value` of the session cookie (native only; the browser keeps its own).
    session: Arc<Mutex<Option<String>>>,
    /// Called when the server answers that there is no live session (see `on_unauthenticated`).
    unauthenticated: Option<fn()>,
}

impl Client {
    /// A client for the server at `base` (scheme, host and port, no trailing slash).
    pub fn new(base: impl Into<String>) -> Client {
        Client {
            base: base.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            session: Arc::default(),
            unauthenticated: None,
        }
    }

    /// Calls `hook` whenever the server answers 401 `unauthenticated`: the session this client
    /// relied on has ended on the server, whichever request found out first.
    pub fn on_unauthenticated(mut self, hook: fn()) -> Client {
        self.unauthenticated = Some(hook);
        self
    }

    /// A client for the origin the page was loaded from (reqwest on wasm needs absolute URLs).
    #[cfg(target_arch = "wasm32")]
    pub fn same_origin() -> Client {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        Client::new(origin)
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The session cookie this client holds, as `name=value` (native only).
    pub fn session_cookie(&self) -> Option<String> {
        self.session.lock().unwrap().clone()
    }

    /// Replace the session cookie this client sends (native only): lets a test replay an old one.
    pub fn set_session_cookie(&self, cookie: Option<String>) {
        *self.session.lock().unwrap() = cookie;
    }

    pub async fn sign_in(&self, request: &SignInRequest) -> Result<Me, ClientError> {
        self.send(Method::POST, "/session", Some(request)).await
    }

    pub async fn sign_out(&self) -> Result<(), ClientError> {
        self.send_no_content(Method::DELETE, "/session").await
    }

    /// Ends every session of the account, on every device, this one included.
    pub async fn sign_out_everywhere(&self) -> Result<(), ClientError> {
        self.send_no_content(Method::DELETE, "/sessions").await
    }

    /// The account's live sessions: this one first, then the most recently used.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, ClientError> {
        self.send::<(), _>(Method::GET, "/sessions", None).await
    }

    /// Ends one of the account's sessions (another device's, or this one's).
    pub async fn end_session(&self, id: &str) -> Result<(), ClientError> {
        self.send_no_content(Method::DELETE, &format!("/sessions/{}", path_segment(id)))
            .await
    }

    /// Starts a passkey sign-in: any of the phone's passkeys for this site may answer.
    pub async fn passkey_sign_in_start(&self) -> Result<Ceremony, ClientError> {
        self.send::<(), _>(Method::POST, "/session/passkey/start", None)
            .await
    }

    pub async fn passkey_sign_in_finish(&self, answer: &CeremonyAnswer) -> Result<Me, ClientError> {
        self.send(Method::POST, "/session/passkey/finish", Some(answer))
            .await
    }

    /// Starts adding a passkey; the account's password confirms it is its owner asking.
    pub async fn passkey_register_start(
        &self,
        confirmation: &PasswordConfirmation,
    ) -> Result<Ceremony, ClientError> {
        self.send(Method::POST, "/passkeys/register/start", Some(confirmation))
            .await
    }

    pub async fn passkey_register_finish(
        &self,
        passkey: &NewPasskey,
    ) -> Result<PasskeyInfo, ClientError> {
        self.send(Method::POST, "/passkeys/register/finish", Some(passkey))
            .await
    }

    pub async fn passkeys(&self) -> Result<Vec<PasskeyInfo>, ClientError> {
        self.send::<(), _>(Method::GET, "/passkeys", None).await
    }

    /// Changes the account's password; every other device of the account is signed out.
    pub async fn change_password(&self, change: &PasswordChange) -> Result<(), ClientError> {
        self.request(Method::PUT, "/password", Some(change), Sending::ByMethod)
            .await
            .map(drop)
    }

    /// Gives one of the account's passkeys a new name.
    pub async fn rename_passkey(
        &self,
        id: &str,
        rename: &PasskeyRename,
    ) -> Result<PasskeyInfo, ClientError> {
        self.send(
            Method::PATCH,
            &format!("/passkeys/{}", path_segment(id)),
            Some(rename),
        )
        .await
    }

    pub async fn remove_passkey(&self, id: &str) -> Result<(), ClientError> {
        self.send_no_content(Method::DELETE, &format!("/passkeys/{}", path_segment(id)))
            .await
    }

    pub async fn me(&self) -> Result<Me, ClientError> {
        self.send::<(), Me>(Method::GET, "/me", None).await
    }

    /// The demo accounts; `not_found` when the server is not in demo mode.
    pub async fn demo_accounts(&self) -> Result<DemoAccounts, ClientError> {
        self.send::<(), DemoAccounts>(Method::GET, "/demo-accounts", None)
            .await
    }

    /// The licences the caller holds, personally or for an enterprise they represent.
    pub async fn wallet(&self) -> Result<Vec<LicenceSummary>, ClientError> {
        self.send::<(), _>(Method::GET, "/wallet", None).await
    }

    pub async fn licence(&self, id: &str) -> Result<Licence, ClientError> {
        self.send::<(), _>(Method::GET, &format!("/wallet/{}", path_segment(id)), None)
            .await
    }

    /// Fresh signed tokens for the licence's live QR code.
    pub async fn present(
        &self,
        id: &str,
        request: &PresentationRequest,
    ) -> Result<Vec<Presentation>, ClientError> {
        self.send(
            Method::POST,
            &format!("/wallet/{}/presentations", path_segment(id)),
            Some(request),
        )
        .await
    }

    /// Who checked this licence, newest first.
    pub async fn verifications(&self, id: &str) -> Result<Vec<Verification>, ClientError> {
        self.send::<(), _>(
            Method::GET,
            &format!("/wallet/{}/verifications", path_segment(id)),
            None,
        )
        .await
    }

    /// Verifies a presented code online (and records the check for the holder).
    pub async fn verify(&self, request: &VerifyRequest) -> Result<VerifiedLicence, ClientError> {
        self.send(Method::POST, "/verify", Some(request)).await
    }

    /// Ask for authority: returns the request and the secret for its link's fragment.
    pub async fn create_delegation_request(
        &self,
        request: &NewDelegationRequest,
    ) -> Result<CreatedDelegationRequest, ClientError> {
        self.send(Method::POST, "/delegation-requests", Some(request))
            .await
    }

    /// Requests the caller made and requests waiting for the caller's decision.
    pub async fn delegation_requests(&self) -> Result<DelegationRequests, ClientError> {
        self.send::<(), _>(Method::GET, "/delegation-requests", None)
            .await
    }

    /// One request, for its requester or its approver (live status).
    pub async fn delegation_request(&self, id: &str) -> Result<DelegationRequest, ClientError> {
        self.send::<(), _>(
            Method::GET,
            &format!("/delegation-requests/{}", path_segment(id)),
            None,
        )
        .await
    }

    /// The request behind a link (anyone holding the link may look).
    ///
    /// A POST only so that the link's secret stays out of URLs and logs: to the person it is a
    /// read, and a lost answer to it changed nothing they need to know about.
    pub async fn lookup_link(&self, lookup: &LinkLookup) -> Result<DelegationRequest, ClientError> {
        self.send_as(
            Method::POST,
            "/delegation-requests/lookup",
            Some(lookup),
            Sending::No,
        )
        .await
    }

    /// The approver starts approving the version of the request they were shown.
    pub async fn approve_start(
        &self,
        id: &str,
        start: &ApprovalStart,
    ) -> Result<Ceremony, ClientError> {
        self.send(
            Method::POST,
            &format!("/delegation-requests/{}/approve/start", path_segment(id)),
            Some(start),
        )
        .await
    }

    pub async fn approve_finish(
        &self,
        id: &str,
        answer: &CeremonyAnswer,
    ) -> Result<Grant, ClientError> {
        self.send(
            Method::POST,
            &format!("/delegation-requests/{}/approve/finish", path_segment(id)),
            Some(answer),
        )
        .await
    }

    pub async fn decline(&self, id: &str) -> Result<DelegationRequest, ClientError> {
        self.send::<(), _>(
            Method::POST,
            &format!("/delegation-requests/{}/decline", path_segment(id)),
            None,
        )
        .await
    }

    /// The requester withdraws a pending request.
    pub async fn cancel_delegation_request(&self, id: &str) -> Result<(), ClientError> {
        self.send_no_content(
            Method::DELETE,
            &format!("/delegation-requests/{}", path_segment(id)),
        )
        .await
    }

    pub async fn grants(&self) -> Result<Grants, ClientError> {
        self.send::<(), _>(Method::GET, "/grants", None).await
    }

    /// The principal (or the grantee, giving it up) ends a grant at once.
    pub async fn revoke_grant(&self, id: &str) -> Result<(), ClientError> {
        self.send_no_content(Method::DELETE, &format!("/grants/{}", path_segment(id)))
            .await
    }

    /// The newest page of the audit trail the caller may see; `grant` narrows it to one
    /// grant's story.
    pub async fn audit(&self, grant: Option<&str>) -> Result<Vec<AuditEntry>, ClientError> {
        self.audit_before(grant, None).await
    }

    /// A page of the audit trail: with `before`, the entries older than that entry's id.
    pub async fn audit_before(
        &self,
        grant: Option<&str>,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>, ClientError> {
        let mut query = Vec::new();
        if let Some(id) = grant {
            query.push(format!("grant={}", path_segment(id)));
        }
        if let Some(id) = before {
            query.push(format!("before={id}"));
        }
        let path = if query.is_empty() {
            "/audit".to_owned()
        } else {
            format!("/audit?{}", query.join("&"))
        };
        self.send::<(), _>(Method::GET, &path, None).await
    }

    /// The catalogue of the caller's shell; `q` matches names and keywords in every locale.
    pub async fn services(&self, q: &str) -> Result<Vec<Service>, ClientError> {
        let path = match q.trim() {
            "" => "/services".to_owned(),
            q => {
                let mut url =
                    reqwest::Url::parse("http://localhost/services").expect("a valid URL");
                url.query_pairs_mut().append_pair("q", q);
                format!("/services?{}", url.query().unwrap_or_default())
            }
        };
        self.send::<(), _>(Method::GET, &path, None).await
    }

    pub async fn applications(&self) -> Result<Vec<Application>, ClientError> {
        self.send::<(), _>(Method::GET, "/applications", None).await
    }

    /// The licences of a relative whose applications the caller files (for a form's choices).
    pub async fn relative_licences(
        &self,
        relative: &str,
    ) -> Result<Vec<LicenceSummary>, ClientError> {
        let path = format!("/relatives/{}/licences", path_segment(relative));
        self.send::<(), _>(Method::GET, &path, None).await
    }

    pub async fn application(&self, id: &str) -> Result<Application, ClientError> {
        self.send::<(), _>(
            Method::GET,
            &format!("/applications/{}", path_segment(id)),
            None,
        )
        .await
    }

    /// Starts an application: a draft, or sent at once.
    pub async fn file_application(
        &self,
        application: &NewApplication,
    ) -> Result<Application, ClientError> {
        self.send(Method::POST, "/applications", Some(application))
            .await
    }

    /// Changes a draft or a returned application, and perhaps sends it.
    pub async fn update_application(
        &self,
        id: &str,
        update: &ApplicationUpdate,
    ) -> Result<Application, ClientError> {
        self.send(
            Method::PUT,
            &format!("/applications/{}", path_segment(id)),
            Some(update),
        )
        .await
    }

    /// Throws away a draft.
    pub async fn delete_application(&self, id: &str) -> Result<(), ClientError> {
        self.send_no_content(
            Method::DELETE,
            &format!("/applications/{}", path_segment(id)),
        )
        .await
    }

    /// An official's inbox: open applications of their department.
    pub async fn tasks(&self) -> Result<Vec<Application>, ClientError> {
        self.send::<(), _>(Method::GET, "/tasks", None).await
    }

    pub async fn claim(&self, id: &str) -> Result<Application, ClientError> {
        self.send::<(), _>(
            Method::POST,
            &format!("/applications/{}/claim", path_segment(id)),
            None,
        )
        .await
    }

    pub async fn decide(&self, id: &str, decision: &Decision) -> Result<Application, ClientError> {
        self.send(
            Method::POST,
            &format!("/applications/{}/decision", path_segment(id)),
            Some(decision),
        )
        .await
    }

    pub async fn notifications(&self) -> Result<Notifications, ClientError> {
        self.send::<(), _>(Method::GET, "/notifications", None)
            .await
    }

    pub async fn mark_read(&self, id: &str) -> Result<(), ClientError> {
        self.send_no_content(
            Method::POST,
            &format!("/notifications/{}/read", path_segment(id)),
        )
        .await
    }

    pub async fn mark_all_read(&self) -> Result<(), ClientError> {
        self.send_no_content(Method::POST, "/notifications/read-all")
            .await
    }

    /// Policies matching all of `q`'s words (in any language) and carrying `tag`, newest first.
    pub async fn policies(
        &self,
        q: &str,
        tag: Option<PolicyTag>,
    ) -> Result<Vec<Policy>, ClientError> {
        let mut url = reqwest::Url::parse("http://localhost/policies").expect("a valid URL");
        {
            let mut query = url.query_pairs_mut();
            if !q.trim().is_empty() {
                query.append_pair("q", q.trim());
            }
            if let Some(tag) = tag {
                query.append_pair("tag", tag.as_str());
            }
        }
        let path = match url.query() {
            Some(query) if !query.is_empty() => format!("/policies?{query}"),
            _ => "/policies".to_owned(),
        };
        self.send::<(), _>(Method::GET, &path, None).await
    }

    pub async fn publish_policy(&self, policy: &NewPolicy) -> Result<Policy, ClientError> {
        self.send(Method::POST, "/policies", Some(policy)).await
    }

    pub async fn subscriptions(&self) -> Result<Subscriptions, ClientError> {
        self.send::<(), _>(Method::GET, "/subscriptions", None)
            .await
    }

    pub async fn set_subscriptions(
        &self,
        subscriptions: &Subscriptions,
    ) -> Result<Subscriptions, ClientError> {
        self.send(Method::PUT, "/subscriptions", Some(subscriptions))
            .await
    }

    /// The public keys an offline verifier may trust.
    pub async fn issuer_keys(&self) -> Result<IssuerKeys, ClientError> {
        self.send::<(), _>(Method::GET, "/issuer-keys", None).await
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        self.send_as(method, path, body, Sending::ByMethod).await
    }

    async fn send_as<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        sending: Sending,
    ) -> Result<T, ClientError> {
        let response = self.request(method, path, body, sending).await?;
        response
            .json::<T>()
            .await
            .map_err(|e| ClientError::Decode(e.to_string()))
    }

    async fn send_no_content(&self, method: Method, path: &str) -> Result<(), ClientError> {
        self.request::<()>(method, path, None, Sending::ByMethod)
            .await
            .map(drop)
    }

    async fn request<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        sending: Sending,
    ) -> Result<reqwest::Response, ClientError> {
        let url = format!("{}{}{}", self.base, API_PREFIX, path);
        let changes_state = method != Method::GET && method != Method::HEAD;
        let sending = match sending {
            Sending::ByMethod => changes_state,
            Sending::No => false,
        };
        let mut builder = self.http.request(method, url);
        if let Some(body) = body {
            builder = builder.json(body);
        } else if changes_state {
            // The server requires JSON on every state-changing request (a CSRF defence:
            // a cross-site form cannot send it without a CORS preflight).
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body("{}");
        }
        if cfg!(not(target_arch = "wasm32")) {
            if changes_state {
                builder = builder.header(reqwest::header::ORIGIN, self.base.clone());
            }
            if let Some(cookie) = self.session_cookie() {
                builder = builder.header(reqwest::header::COOKIE, cookie);
            }
        }
        let response = builder.timeout(TIME_LIMIT).send().await.map_err(|e| {
            if e.is_timeout() {
                ClientError::TimedOut { sending }
            } else {
                ClientError::Network(e.to_string())
            }
        })?;
        if cfg!(not(target_arch = "wasm32")) {
            self.remember_session_cookie(&response);
        }
        if response.status().is_success() {
            return Ok(response);
        }
        let error = problem_from(response, sending).await;
        if let (Some(hook), Some(ErrorCode::Unauthenticated)) = (self.unauthenticated, error.code())
        {
            hook();
        }
        Err(error)
    }

    fn remember_session_cookie(&self, response: &reqwest::Response) {
        for header in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let Ok(header) = header.to_str() else {
                continue;
            };
            let pair = header.split(';').next().unwrap_or_default().trim();
            let Some(value) = pair
                .strip_prefix(SESSION_COOKIE)
                .and_then(|r| r.strip_prefix('='))
            else {
                continue;
            };
            let cleared = value.is_empty() || header.to_ascii_lowercase().contains("max-age=0");
            *self.session.lock().unwrap() = (!cleared).then(|| pair.to_owned());
        }
    }
}

/// Keeps an id from escaping its path segment (ids are server-made, but never trust that).
fn path_segment(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Whether a request changes something for the person, so that a lost answer leaves them not
/// knowing whether it did.
#[derive(Clone, Copy)]
enum Sending {
    /// As its method says: anything but GET and HEAD.
    ByMethod,
    /// A POST that only reads (a secret kept out of the URL).
    No,
}

async fn problem_from(response: reqwest::Response, sending: bool) -> ClientError {
    let status = response.status();
    // In seconds; the other form, a date, is not one this server sends.
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    match response.json::<Problem>().await {
        Ok(problem) => ClientError::Problem(Problem {
            retry_after,
            ..problem
        }),
        Err(_) if status == StatusCode::TOO_MANY_REQUESTS => ClientError::Problem(Problem {
            retry_after,
            ..Problem::new(
                status.as_u16(),
                ErrorCode::TooManyRequests,
                "Too many requests",
                "",
            )
        }),
        // A proxy or load balancer in front of a server that is down answers in its own words.
        Err(_) if status.is_server_error() => ClientError::Unavailable {
            status: status.as_u16(),
            sending,
        },
        Err(e) => ClientError::Decode(format!("{status}: {e}")),
    }
}
