//! Password sign-in, sign-out, and the session behind every authenticated request.

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use axum::{
    extract::{FromRef, FromRequestParts, OptionalFromRequestParts, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{AppendHeaders, IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use kapok_api::{
    DemoAccount, DemoAccounts, Me, NotificationKind, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
    PasswordChange, Persona, Problem, SESSION_COOKIE, SessionInfo, SignInMethod, SignInRequest,
};
use sha2::{Digest, Sha256};

use crate::{
    AppState, clock, device_cookie,
    error::ApiError,
    store::{self, sessions, sessions::NewSession, sign_in_failures},
    text,
    web::{ApiJson, ApiPath, Network},
};

/// The signed-in caller, resolved from the session cookie on every request.
pub struct CurrentUser {
    pub user_id: String,
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = session_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let user_id = sessions::user_of(&state.db, &state.reads, &token_hash(token), store::now())
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(CurrentUser { user_id })
    }
}

impl<S> OptionalFromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <CurrentUser as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(ApiError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The caller if signed in, for endpoints anyone may use.
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S> FromRequestParts<S> for MaybeUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        <CurrentUser as OptionalFromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(MaybeUser)
    }
}

/// Sign in with a demo account's username and password.
#[utoipa::path(post, path = "/session", tag = "session",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; a new session cookie is set, and a device cookie (`__Secure-kapok_device`, sent back only here) that lets this browser sign in to this account while others' wrong passwords pause its name or network", body = Me),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong username or password", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, response = TooManyPasswords),
        (status = 503, response = PasswordChecksBusy),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    network: Network,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Response, ApiError> {
    let from = SignInFrom {
        network: &network,
        remembered: state.device_cookies.read(&headers, store::now()),
    };
    let right = check_password(&state, &request.username, request.password, Some(from))
        .await?
        .ok_or(ApiError::BadCredentials)?;
    open_session(&state, &headers, &right.user_id, Some(&right.hash)).await
}

/// Where a password sign-in comes from.
pub struct SignInFrom<'a> {
    pub network: &'a Network,
    /// What the browser's device cookie says, if it has one this server made.
    pub remembered: Option<device_cookie::Remembered>,
}

/// Checks a password for `username`, for sign-in (`from`) and for confirming who is at a
/// signed-in device (no `from`: the account's own limit is enough there): the account's id
/// when it is right, `None` (counted as a wrong try, unknown names alike) when not, and 429
/// `too_many_sign_in_attempts` once too many were wrong lately for the name, or
/// `too_many_sign_in_attempts_from_network` from the network. A sign-in from a browser whose
/// device cookie names this account is held by that browser's own count instead of both.
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: String,
    from: Option<SignInFrom<'_>>,
) -> Result<Option<RightPassword>, ApiError> {
    let credentials = store::users::credentials(&state.db, username).await?;
    // Verify against a dummy hash when the user does not exist, so the answer takes as long
    // and a timing probe cannot enumerate usernames.
    let (user_id, hash, changed_at) = match credentials {
        Some(c) => (Some(c.user_id), c.password_hash, c.password_changed_at),
        None => (None, DUMMY_HASH.clone(), 0),
    };
    let (network, device) = match from {
        // A cookie written before the password was last changed counts for nothing: a browser
        // that signed in with the old password (an intruder's, say) shares the name's count.
        Some(SignInFrom {
            remembered: Some(remembered),
            ..
        }) if user_id.as_ref() == Some(&remembered.user_id) && remembered.written >= changed_at => {
            let device = state
                .failure_hasher
                .device(&remembered.user_id, &remembered.device);
            (None, Some(device))
        }
        Some(from) => (
            Some(state.failure_hasher.network(from.network.as_str())),
            None,
        ),
        None => (None, None),
    };
    // Argon2 takes 19 MiB and a core for tens of milliseconds: a queue, not a thread per
    // sign-in, so a burst of sign-ins cannot take all the memory or every core from the rest.
    let _turn = password_turn(state).await?;
    // Guessing stops after a few wrong passwords for a name, whether or not it is an account,
    // before any hash is computed. Counted while this sign-in holds its turn, so a burst of
    // guesses in parallel gets no more through than the queue is wide.
    // In a browser this account signed in on before, only that browser's wrong passwords
    // count: whoever else types wrong ones for the name, or on the same network, cannot
    // pause its sign-in (`device_cookie`).
    let on_remembered_browser = device.is_some();
    let counted = device.unwrap_or_else(|| state.failure_hasher.username(username));
    let now = store::now();
    let failures = sign_in_failures::recent(&state.db, &counted, now).await?;
    if let Some(retry_after_secs) = failures.wait_secs() {
        return Err(ApiError::TooManySignInAttempts { retry_after_secs });
    }
    if let Some(network) = &network
        && let Some(retry_after_secs) =
            sign_in_failures::network_wait_secs(&state.db, network, now).await?
    {
        return Err(ApiError::TooManySignInAttemptsFromNetwork { retry_after_secs });
    }
    let checked = hash.clone();
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, &checked))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let user_id = match user_id {
        Some(user_id) if password_ok => user_id,
        owner => {
            sign_in_failures::record(&state.db, &counted, network.as_deref(), now).await?;
            // A pause of the name, not of one browser of hers, which holds nowhere else.
            if let Some(owner) = owner
                && !on_remembered_browser
            {
                tell_owner_if_paused(state, &owner, &counted, now).await?;
            }
            return Ok(None);
        }
    };
    if failures.any() {
        sign_in_failures::clear(&state.db, &counted).await?;
    }
    Ok(Some(RightPassword { user_id, hash }))
}

/// A password found right: whose, and the hash it was checked against.
pub struct RightPassword {
    pub user_id: String,
    pub hash: String,
}

/// The answer wherever a password is asked (sign-in, adding a passkey, changing the password)
/// once too many wrong ones were typed for the account's name lately: one description for all.
#[derive(utoipa::ToResponse)]
#[response(
    description = "Too many wrong passwords for this username in the last 15 minutes, at sign-in or wherever the password is asked again (`too_many_sign_in_attempts`), or at sign-in from the caller's network, for any names (`too_many_sign_in_attempts_from_network`); `Retry-After` says how many seconds to wait",
    content_type = "application/problem+json",
    headers(("Retry-After" = i64, description = "Seconds until a password may be tried again"))
)]
pub struct TooManyPasswords(
    #[expect(
        dead_code,
        reason = "never built: only its type is read, as the body's schema"
    )]
    Problem,
);

/// The answer wherever a password is asked when its turn to be checked did not come in time
/// (`password_turn`).
#[derive(utoipa::ToResponse)]
#[response(
    description = "More people are signing in than their passwords can be checked for in time (`busy`; nothing was done), or the database cannot be reached or cannot take the request now (`unavailable`). `Retry-After` says how many seconds to wait",
    content_type = "application/problem+json",
    headers(("Retry-After" = i64, description = "Seconds to wait before trying again"))
)]
pub struct PasswordChecksBusy(
    #[expect(
        dead_code,
        reason = "never built: only its type is read, as the body's schema"
    )]
    Problem,
);

/// Tells the owner of an account when the wrong password just counted for it has paused
/// password sign-in: someone may be guessing, and only the owner can tell whether it was them.
/// Once a day at most, so a guesser who waits out each pause does not flood the inbox.
async fn tell_owner_if_paused(
    state: &AppState,
    user_id: &str,
    username_hash: &[u8],
    now: i64,
) -> Result<(), ApiError> {
    let failures = sign_in_failures::recent(&state.db, username_hash, now).await?;
    let Some(wait_secs) = failures.wait_secs() else {
        return Ok(());
    };
    let kind = NotificationKind::SignInPaused {
        until: now + wait_secs,
    };
    let once_a_day = format!("sign-in-paused:{}", clock::today(now));
    store::notifications::add(&state.db, user_id, &kind, Some(&once_a_day), now).await?;
    Ok(())
}

/// Change the account's password. The current one must be given (a session alone is not
/// enough), and every other session of the account ends: a device signed in by whoever knew the
/// old one is signed out. The owner gets a notice.
#[utoipa::path(put, path = "/password", tag = "session",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; this session goes on, every other one of the account has ended, and the device cookie is written anew: those of other browsers, written before the change, no longer hold their own count of wrong passwords"),
        (status = 401, description = "No live session (unauthenticated), or not the account's current password (bad_credentials)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new password is too short or too long (password_length), easy to guess (password_guessable) or the current one (password_unchanged)", body = Problem, content_type = "application/problem+json"),
        (status = 429, response = TooManyPasswords),
        (status = 503, response = PasswordChecksBusy),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<Response, ApiError> {
    // This browser's device cookie is written anew: those written before the change no
    // longer count, and this one made it.
    let changed = |state: &AppState| {
        let device = state
            .device_cookies
            .remember(&headers, &user.user_id, store::now());
        (StatusCode::NO_CONTENT, [(header::SET_COOKIE, device)]).into_response()
    };
    let PasswordChange {
        current_password,
        new_password,
    } = change;
    let unchanged = new_password == current_password;
    let me = match confirm_password(&state, &user, current_password).await {
        // A change tried again after its answer was lost (a dropped connection, a time-out):
        // the password it asks for is the password now, so the change is made. Answering
        // "wrong password" would tell the person their change failed, and count against them.
        Err(ApiError::BadCredentials) if is_password_now(&state, &user, &new_password).await? => {
            return Ok(changed(&state));
        }
        confirmed => confirmed?,
    };
    if unchanged {
        return Err(ApiError::PasswordUnchanged);
    }
    let length = new_password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&length) {
        return Err(ApiError::PasswordLength);
    }
    let _turn = password_turn(&state).await?;
    let names = [me.user.username, me.user.display_name];
    let hash = tokio::task::spawn_blocking(move || {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        (!guessable(&new_password, &names)).then(|| hash_password(&new_password))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .ok_or(ApiError::PasswordGuessable)?;
    // A session this request came with, or it would not have got here.
    let own = session_token(&headers)
        .map(token_hash)
        .ok_or(ApiError::Unauthenticated)?;
    store::users::change_password(&state.db, &user.user_id, &hash, &own, store::now()).await?;
    Ok(changed(&state))
}

/// Whether `password` is the account's password now: asked only once the current password
/// given with it was wrong, and counted as such. It is a guess of its own, so when it is not
/// the password it is counted too (a wrong change tries two passwords and costs two tries),
/// and once the account has no tries left it is not looked at. When it is the password, the
/// count is cleared, as the right password at sign-in clears it.
async fn is_password_now(
    state: &AppState,
    user: &CurrentUser,
    password: &str,
) -> Result<bool, ApiError> {
    let Some(me) = store::users::me(&state.db, &user.user_id).await? else {
        return Ok(false);
    };
    let Some(credentials) = store::users::credentials(&state.db, &me.user.username).await? else {
        return Ok(false);
    };
    if credentials.user_id != user.user_id {
        return Ok(false);
    }
    let _turn = password_turn(state).await?;
    let username = state.failure_hasher.username(&me.user.username);
    let now = store::now();
    if sign_in_failures::recent(&state.db, &username, now)
        .await?
        .wait_secs()
        .is_some()
    {
        return Ok(false);
    }
    let password = password.to_owned();
    let right =
        tokio::task::spawn_blocking(move || verify_password(&password, &credentials.password_hash))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    if right {
        sign_in_failures::clear(&state.db, &username).await?;
    } else {
        sign_in_failures::record(&state.db, &username, None, now).await?;
        tell_owner_if_paused(state, &user.user_id, &username, now).await?;
    }
    Ok(right)
}

/// Whether `password` is easy to guess, by zxcvbn's estimate: fewer than 10^8 guesses (its
/// score 0 to 2), with the account's own names and the site's name as words a guesser tries
/// first. Only its first [`JUDGED_CHARS`] characters are judged: zxcvbn's time grows steeply
/// with length (about 20 ms for 64 characters on this machine, 2 s for 128), and a password
/// whose first 64 characters are hard to guess is hard to guess.
fn guessable(password: &str, names: &[&str]) -> bool {
    const JUDGED_CHARS: usize = 64;
    let judged: String = password.chars().take(JUDGED_CHARS).collect();
    let spelled = names
        .iter()
        .flat_map(|name| pinyin_words(name))
        .collect::<Vec<_>>();
    let mut words = vec!["kapok"];
    words.extend_from_slice(names);
    words.extend(spelled.iter().map(String::as_str));
    zxcvbn::zxcvbn(&judged, &words).score() < zxcvbn::Score::Three
}

/// A Chinese name as a guesser would type it in Latin letters: its pinyin whole, the given
/// name alone, given name first, and the initials ("chenjiaxin", "jiaxin", "jiaxinchen",
/// "cjx" for 陈嘉欣), as "chenjiaxin88" is as easy to guess as "陈嘉欣88". Nothing for a name
/// with a character that has no pinyin (a Latin name is a word as it is). Each character is
/// read its most common way, and the surname is taken to be the first character.
fn pinyin_words(name: &str) -> Vec<String> {
    use pinyin::ToPinyin;
    let Some(syllables) = name
        .to_pinyin()
        .map(|p| p.map(|p| p.plain()))
        .collect::<Option<Vec<_>>>()
    else {
        return Vec::new();
    };
    let Some((surname, given)) = syllables.split_first().filter(|(_, g)| !g.is_empty()) else {
        return Vec::new();
    };
    let given = given.concat();
    let initials: String = syllables.iter().filter_map(|s| s.chars().next()).collect();
    vec![
        format!("{surname}{given}"),
        format!("{given}{surname}"),
        given,
        initials,
    ]
}

/// Confirms that whoever is at a signed-in device knows the account's password, for a step a
/// session alone must not be enough for: the account's `Me` when it is right, 401
/// `bad_credentials` when not. Wrong ones count towards the same limit as at sign-in, so this
/// is no way around it.
pub async fn confirm_password(
    state: &AppState,
    user: &CurrentUser,
    password: String,
) -> Result<Me, ApiError> {
    let me = store::users::me(&state.db, &user.user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let confirmed = check_password(state, &me.user.username, password, None)
        .await?
        .is_some_and(|right| right.user_id == user.user_id);
    if !confirmed {
        return Err(ApiError::BadCredentials);
    }
    Ok(me)
}

/// Starts a new session for a user who has just proven who they are, and answers with `Me`:
/// with a password, checked against `password_hash` (401 `bad_credentials` if the password was
/// changed since), or with a passkey (`None`).
pub async fn open_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: &str,
    password_hash: Option<&str>,
) -> Result<Response, ApiError> {
    // Rotation: a session that came with this request is ended, never upgraded, so a token
    // planted before sign-in (session fixation) is worthless after it.
    if let Some(old) = session_token(headers) {
        sessions::delete(&state.db, &token_hash(old)).await?;
    }
    let token = new_token()?;
    let session = NewSession {
        token_hash: &token_hash(&token),
        user_id,
        device: &device_name(headers),
        signed_in_with: match password_hash {
            Some(_) => SignInMethod::Password,
            None => SignInMethod::Passkey,
        },
        password_hash,
    };
    if !sessions::create(&state.db, session, store::now()).await? {
        return Err(ApiError::BadCredentials);
    }
    let me = store::users::me(&state.db, user_id)
        .await?
        .ok_or_else(|| ApiError::Internal("user vanished during sign-in".into()))?;
    let cookie = session_cookie(&token, sessions::ABSOLUTE_TIMEOUT_SECS);
    let device = state
        .device_cookies
        .remember(headers, user_id, store::now());
    let cookies = AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, device)]);
    Ok((cookies, axum::Json(me)).into_response())
}

/// Sign out: the session is deleted on the server, so the old cookie opens nothing.
#[utoipa::path(delete, path = "/session", tag = "session",
    responses((status = 204, description = "Signed out (also when there was no session)")))]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        sessions::delete(&state.db, &token_hash(token)).await?;
    }
    Ok(signed_out())
}

/// Sign out everywhere: every session of the account ends, on every device, this one
/// included (a phone lost or left signed in somewhere).
#[utoipa::path(delete, path = "/sessions", tag = "session",
    responses(
        (status = 204, description = "Every session of the account has ended"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    sessions::delete_all_of(&state.db, &user.user_id).await?;
    Ok(signed_out())
}

/// The account's live sessions, so its owner can see where they are signed in and end any of
/// them (a phone lost, a shared computer).
#[utoipa::path(get, path = "/sessions", tag = "session",
    responses(
        (status = 200, description = "The account's live sessions: the caller's own first, then the most recently used", body = [SessionInfo]),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
) -> Result<axum::Json<Vec<SessionInfo>>, ApiError> {
    let own = session_token(&headers).map(token_hash);
    let mut listed: Vec<SessionInfo> = sessions::of_user(&state.reads, &user.user_id, store::now())
        .await?
        .into_iter()
        .map(|s| SessionInfo {
            current: own.as_deref() == Some(&s.token_hash[..]),
            ..s.info
        })
        .collect();
    // Stable, so the rest stay most recent first.
    listed.sort_by_key(|s| !s.current);
    Ok(axum::Json(listed))
}

/// End one session of the account: another device's, or the caller's own (then as a sign-out).
#[utoipa::path(delete, path = "/sessions/{id}", tag = "session",
    params(("id" = String, Path, description = "The session's id from the list")),
    responses(
        (status = 204, description = "That session has ended; if it was the caller's own, the cookie is cleared too"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account has no session by this id (another account's, or already ended)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let ended = sessions::delete_of(&state.db, &user.user_id, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let own = session_token(&headers).map(token_hash);
    if own.as_deref() == Some(&ended[..]) {
        Ok(signed_out())
    } else {
        Ok(StatusCode::NO_CONTENT.into_response())
    }
}

/// Browsers the User-Agent parser cannot tell apart, by the mark each puts in its User-Agent,
/// and the name the sessions page shows for it (translated there). First come the chat,
/// payment and social apps that open links in a browser of their own: links to approve a
/// delegation are forwarded in them, so this is where many are opened. Then the browsers that
/// phones sold in China come with, which the parser takes for Chrome. Most specific first:
/// WeCom's agent carries WeChat's mark as well, and the apps' agents on Android often carry
/// QQ Browser's engine mark.
const NAMED_BROWSERS: [(&str, &str); 19] = [
    ("wxwork/", "WeCom"),
    ("MicroMessenger/", "WeChat"),
    ("DingTalk/", "DingTalk"),
    ("AlipayClient/", "Alipay"),
    ("ChannelName/Feishu", "Feishu"),
    ("Lark/", "Lark"),
    (" QQ/", "QQ"),
    ("__weibo__", "Weibo"),
    ("aweme", "Douyin"),
    ("xhsdiscover", "RedNote"),
    ("baiduboxapp/", "Baidu"),
    ("UCBrowser/", "UC Browser"),
    ("Quark/", "Quark"),
    ("MQQBrowser/", "QQ Browser"),
    ("HuaweiBrowser/", "Huawei Browser"),
    ("MiuiBrowser/", "Xiaomi Browser"),
    ("VivoBrowser/", "vivo Browser"),
    ("HeyTapBrowser/", "OPPO Browser"),
    ("SamsungBrowser/", "Samsung Internet"),
];

/// Names the browser and system from the request's User-Agent, as a person would recognise
/// them in the list of devices ("Chrome · Android", "WeChat · iPhone"); empty when neither can
/// be told. Only this name is kept, not the header.
pub fn device_name(headers: &HeaderMap) -> String {
    const UNKNOWN: &str = "UNKNOWN";
    let Some(agent) = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
    else {
        return String::new();
    };
    let parsed = woothee::parser::Parser::new().parse(agent);
    // An app's own browser is named for the app, and a phone maker's for itself: "Webview",
    // which is what the parser makes of an app's on Android, "Safari" or "Chrome" tell their
    // user nothing or mislead.
    let app = NAMED_BROWSERS
        .iter()
        .find(|(mark, _)| agent.contains(mark))
        .map(|&(_, app)| app);
    let browser = app.or(parsed.as_ref().map(|p| p.name));
    let mut name = [browser, parsed.map(|p| p.os)]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty() && *part != UNKNOWN)
        .collect::<Vec<_>>()
        .join(" · ");
    text::cut(&mut name, 60);
    name
}

/// The answer to a sign-out: no content, and the cookie cleared in the browser.
fn signed_out() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_cookie("", 0))],
    )
        .into_response()
}

/// Who am I: the signed-in user and their enterprises.
#[utoipa::path(get, path = "/me", tag = "session",
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<Me>, ApiError> {
    let me = store::users::me(&state.db, &user.user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(axum::Json(me))
}

/// The demo accounts for the sign-in page's "try as…" list (demo mode only).
#[utoipa::path(get, path = "/demo-accounts", tag = "session",
    responses(
        (status = 200, description = "The demo accounts and their shared password", body = DemoAccounts),
        (status = 404, description = "The server is not in demo mode", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn demo_accounts(
    State(state): State<AppState>,
) -> Result<axum::Json<DemoAccounts>, ApiError> {
    if !state.config.demo {
        return Err(ApiError::NotFound);
    }
    let accounts = crate::seed::accounts()
        .map(|(username, display_name, persona)| DemoAccount {
            username: username.into(),
            display_name: display_name.into(),
            persona: Persona::parse(persona).unwrap_or(Persona::Resident),
        })
        .collect();
    Ok(axum::Json(DemoAccounts {
        password: crate::seed::DEMO_PASSWORD.into(),
        accounts,
    }))
}

pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS random source is available");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A turn to check a password, waited for at most `Timeouts::password_turn`. When sign-ins
/// come faster than they can be checked, the queue grows; past that wait the answer is 503
/// `busy`, which the page puts as "many people are signing in", rather than a wait that ends
/// in the client's own time limit, where the person cannot tell whether they were signed in.
async fn password_turn(
    state: &AppState,
) -> Result<tokio::sync::SemaphorePermit<'static>, ApiError> {
    let waiting = PASSWORD_CHECKS.acquire();
    match tokio::time::timeout(state.config.timeouts.password_turn, waiting).await {
        Ok(turn) => turn.map_err(|e| ApiError::Internal(e.to_string())),
        Err(_) => Err(ApiError::Busy {
            retry_after_secs: BUSY_RETRY_SECS,
        }),
    }
}

/// What `Retry-After` says to a sign-in turned away as `busy`.
const BUSY_RETRY_SECS: i64 = 5;

/// Password checks at once: half the cores (at least one), so the other half serve everyone
/// else during a flood of sign-ins.
static PASSWORD_CHECKS: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::sync::Semaphore::new((cores / 2).max(1))
});

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no account has this password"));

/// 256 bits from the OS, URL-safe base64.
pub fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn session_cookie(token: &str, max_age: i64) -> HeaderValue {
    let value = format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
    );
    HeaderValue::from_str(&value).expect("tokens are URL-safe base64")
}

/// The session token from the request's cookies, if any.
fn session_token(headers: &HeaderMap) -> Option<&str> {
    crate::web::cookie(headers, SESSION_COOKIE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_patterns_dates_and_own_names_are_guessable() {
        let names = ["resident", "陈嘉欣"];
        for weak in [
            "password1",
            "88888888",
            "1qaz2wsx3edc",
            "Guangzhou2026",
            "chen19910314",
            "陈嘉欣19910314",
            "resident2024",
            "Kapok2026!",
            // Her name in pinyin, as many spell it in a password.
            "chenjiaxin88",
            "Chenjiaxin2024",
            "jiaxin@0314",
            "JiaxinChen1991",
            "cjx19910314",
        ] {
            assert!(guessable(weak, &names), "{weak:?} passed");
        }
        // Someone else's name is no weaker than any other word.
        assert!(!guessable("wangjianguo1960", &names));
        assert_eq!(
            pinyin_words("陈嘉欣"),
            ["chenjiaxin", "jiaxinchen", "jiaxin", "cjx"]
        );
        assert_eq!(pinyin_words("陳志偉")[0], "chenzhiwei");
        assert!(pinyin_words("resident").is_empty());
        assert!(pinyin_words("陈").is_empty());
        for strong in ["tea-lamp-river-42", "wo ai bei jing tian an men"] {
            assert!(!guessable(strong, &names), "{strong:?} refused");
        }
        // Past the 64 characters judged, nothing counts: a weak start is weak however long.
        assert!(guessable(
            &format!("{}{}", "a".repeat(64), "tea-lamp-river-42"),
            &names
        ));
    }

    fn device(agent: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(header::USER_AGENT, HeaderValue::from_str(agent).unwrap());
        device_name(&headers)
    }

    #[test]
    fn a_device_is_named_by_its_browser_and_system() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(device(iphone), "Safari · iPhone");
        let windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(device(windows), "Chrome · Windows 10");
        // In-app browsers, as links forwarded in chat apps open in them.
        for (agent, name) in [
            (
                "Mozilla/5.0 (Linux; Android 13; V2203A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5075 MMWEBSDK/20230504 MMWEBID/9308 MicroMessenger/8.0.37.2380(0x2800253D) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
                "WeChat · Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.38(0x1800262c) NetType/WIFI Language/zh_CN",
                "WeChat · iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 9; PAR-AL00 Build/HUAWEIPAR-AL00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/66.0.3359.126 MQQBrowser/6.2 TBS/045130 Mobile Safari/537.36 MMWEBID/6010 MicroMessenger/7.0.3.1400(0x2700033B) Process/tools NetType/WIFI Language/zh_CN",
                "WeChat · Android",
            ),
            (
                "Mozilla/5.0 (Linux; Android 12; M2102J2SC Build/SKQ1.211006.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 wxwork/4.1.6 MicroMessenger/7.0.1 NetType/WIFI Language/zh Lang/zh ColorScheme/Light",
                "WeCom · Android",
            ),
            (
                "Mozilla/5.0 (Linux; U; Android 11; zh-CN; PDEM10 Build/RKQ1.200903.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.33 Mobile Safari/537.36 AliApp(DingTalk/6.5.40) com.alibaba.android.rimet/26233208 Channel/227200 language/zh-CN abi/64 UT4Aplus/0.2.25",
                "DingTalk · Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.5.36.6000) Nebula WK RVKType(0) AlipayDefined(nt:WIFI,ws:390|780|3.0) AlipayClient/10.5.36.6000 Language/zh-Hans Region/CN",
                "Alipay · iPhone",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Lark/7.4.5 LarkLocale/zh_CN ChannelName/Feishu TTWebView/1002",
                "Feishu · iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 12; SM-G9910 Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/6.2 TBS/046141 Mobile Safari/537.36 V1_AND_SQ_8.9.28_3700_YYB_D QQ/8.9.28.10155 NetType/WIFI WebP/0.3.0 AppId/537145365",
                "QQ · Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Weibo (iPhone14,5__weibo__13.8.1__iphone__os16.6)",
                "Weibo · iPhone",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 aweme_27.3.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/zh Region/CN AppTheme/light WKWebView/1 BytedanceWebview/d8a21c6",
                "Douyin · iPhone",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 xhsdiscover/8.7 (iPhone; iOS 17.0; Scale/3.00) Resolution/1170*2532 Version/8.7 Build/8070415 NetType/WiFi",
                "RedNote · iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 12; NOH-AN00 Build/HUAWEINOH-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/97.0.4692.98 Mobile Safari/537.36 T7/13.32 SP-engine/2.70.0 baiduboxapp/13.32.0.10 (Baidu; P1 12) NABar/1.0",
                "Baidu · Android",
            ),
            // The browsers phones sold in China come with, which say "Chrome" too.
            (
                "Mozilla/5.0 (Linux; U; Android 10; zh-CN; ELE-AL00 Build/HUAWEIELE-AL00) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36",
                "UC Browser · Android",
            ),
            (
                "Mozilla/5.0 (Linux; U; Android 12; zh-CN; 2201123C Build/SKQ1.211006.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 Quark/6.2.2.246 Mobile Safari/537.36",
                "Quark · Android",
            ),
            (
                "Mozilla/5.0 (Linux; U; Android 12; zh-cn; PGBM10 Build/SP1A.210812.016) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/13.7 Mobile Safari/537.36 COVC/046513",
                "QQ Browser · Android",
            ),
            (
                "Mozilla/5.0 (Linux; Android 10; HarmonyOS; NOH-AN00; HMSCore 6.11.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/13.0.5.302 Mobile Safari/537.36",
                "Huawei Browser · Android",
            ),
            (
                "Mozilla/5.0 (Linux; U; Android 12; zh-cn; M2012K11AC Build/SKQ1.211006.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.127 Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.1.80 swan-mibrowser",
                "Xiaomi Browser · Android",
            ),
            (
                "Mozilla/5.0 (Linux; Android 12; V2171A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/87.0.4280.141 Mobile Safari/537.36 VivoBrowser/13.5.10.0",
                "vivo Browser · Android",
            ),
            (
                "Mozilla/5.0 (Linux; U; Android 12; zh-cn; PFUM10 Build/SKQ1.210216.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/90.0.4430.61 Mobile Safari/537.36 HeyTapBrowser/40.8.7.1",
                "OPPO Browser · Android",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S9180) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
                "Samsung Internet · Android",
            ),
            // Others are named by the parser.
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.2903.87",
                "Edge · Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
                "Chrome · iPhone",
            ),
        ] {
            assert_eq!(device(agent), name, "{agent}");
        }
        // An app is named even where the rest of its agent cannot be told.
        assert_eq!(device("MicroMessenger/8.0.38"), "WeChat");
        // What cannot be told is left out rather than shown as "UNKNOWN".
        assert_eq!(device("a-made-up-agent"), "");
        assert_eq!(device(""), "");
        assert_eq!(device_name(&HeaderMap::new()), "");
    }

    #[test]
    fn finds_the_session_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("i18n_pref_locale=en; __Host-kapok_session=abc; x=y"),
        );
        assert_eq!(session_token(&headers), Some("abc"));
    }

    #[test]
    fn a_lookalike_cookie_is_not_a_session() {
        let mut headers = HeaderMap::new();
        // Without the __Host- prefix, a cookie could have been planted by a sibling domain.
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("kapok_session=abc; __Host-kapok_session="),
        );
        assert_eq!(session_token(&headers), None);
    }

    #[test]
    fn session_cookie_carries_the_flags_the_design_requires() {
        let cookie = session_cookie("t", 60);
        let cookie = cookie.to_str().unwrap();
        for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(flag), "{cookie} lacks {flag}");
        }
        assert!(
            !cookie.contains("Domain"),
            "a __Host- cookie must not name a domain"
        );
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("kapok-demo");
        assert!(verify_password("kapok-demo", &hash));
        assert!(!verify_password("kapok-demo ", &hash));
        assert!(!verify_password("kapok-demo", "not a hash"));
    }

    #[test]
    fn tokens_are_256_bits_and_never_repeat() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, b);
    }
}
