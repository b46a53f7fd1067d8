//! `/authorize`: the page behind a forwarded delegation link, where the approver reads exactly
//! what is asked and approves with a passkey, or declines.
//!
//! The link's secret rides in the fragment, which browsers never send to a server. The page
//! moves it into this tab's session storage, wipes it from the address bar (and so from
//! history and screenshots), and sends it only in a POST body. The approver's own enterprise
//! home also leads here, by request id (`/authorize?request=…`), for signed-in approvers.

use kapok_api::{
    ApprovalStart, DelegationKind, DelegationRequest, ErrorCode, Grant, LinkLookup, RequestStatus,
    client::ClientError,
};
use kapok_components::{Button, ButtonVariant, Card, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::api,
    auth::{Auth, AuthState},
    errors::{error_text, passkey_error_text},
    format,
    i18n::{t, t_string, use_i18n},
    labels,
    page::{LoadFailed, Page},
    pages::{delegation::status_attr, passkeys::Failure},
    shells::me_path,
    webauthn::{self, PasskeyError},
};

const SECRET_KEY: &str = crate::device::LINK_SECRET;

/// Where the request comes from.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    Link(String),
    Request(String),
    Nothing,
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// The secret in a link's fragment as a chat app or a person may have left it: percent-encoded,
/// after a space or before a full stop, a bracket or a quote ("…#Ab3…Xy。"). The secret is
/// base64url, so it runs from the first of its characters to the first character that cannot
/// be one.
fn secret_in(fragment: &str) -> String {
    let fragment = fragment.trim_start_matches('#');
    let decoded = js_sys::decode_uri_component(fragment)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| fragment.to_owned());
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let start = decoded.find(base64url).unwrap_or(decoded.len());
    decoded[start..]
        .split(|c: char| !base64url(c))
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Takes the secret out of the fragment (keeping it for this tab only), or finds the one
/// taken earlier in this tab, e.g. before signing in.
fn take_secret() -> Option<String> {
    let location = window().location();
    let hash = location.hash().unwrap_or_default();
    let secret = secret_in(&hash);
    if !secret.is_empty() {
        if let Some(storage) = session_storage() {
            let _ = storage.set_item(SECRET_KEY, &secret);
        }
        let clean = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        }
        return Some(secret);
    }
    session_storage()
        .and_then(|s| s.get_item(SECRET_KEY).ok().flatten())
        .filter(|s| !s.is_empty())
}

fn forget_secret() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(SECRET_KEY);
    }
}

async fn load(source: Source) -> Option<Result<DelegationRequest, ClientError>> {
    match source {
        Source::Link(token) => {
            let found = api().lookup_link(&LinkLookup { token }).await;
            // A wrong link is not kept for this tab: opening /authorize again starts clean.
            if matches!(&found, Err(e) if e.code() == Some(ErrorCode::LinkInvalid)) {
                forget_secret();
            }
            Some(found)
        }
        Source::Request(id) => Some(api().delegation_request(&id).await),
        Source::Nothing => None,
    }
}

async fn approve(request: DelegationRequest) -> Result<Grant, Failure> {
    let ceremony = api()
        .approve_start(
            &request.id,
            &ApprovalStart {
                request_hash: request.request_hash.clone(),
            },
        )
        .await?;
    let answer = webauthn::get(&ceremony).await?;
    Ok(api().approve_finish(&request.id, &answer).await?)
}

#[component]
pub fn AuthorizePage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let query = use_query_map();
    // Another link opened in this tab only changes the fragment, which loads nothing: start over.
    let on_new_link = window_event_listener(leptos::ev::hashchange, |_| {
        let _ = window().location().reload();
    });
    on_cleanup(move || on_new_link.remove());
    let source = match query.with_untracked(|q| q.get("request")) {
        Some(id) => Source::Request(id),
        None => take_secret().map(Source::Link).unwrap_or(Source::Nothing),
    };
    // Looked up again when the sign-in state settles: the answer says whether the caller decides.
    let signed_in = Memo::new(move |_| match auth.state.get() {
        AuthState::Checking => None,
        AuthState::SignedIn(_) => Some(true),
        _ => Some(false),
    });
    let request = LocalResource::new(move || {
        let source = source.clone();
        let ready = signed_in.get();
        async move {
            match ready {
                Some(_) => load(source).await,
                None => None,
            }
        }
    });
    let approving = Action::new_local(|r: &DelegationRequest| approve(r.clone()));
    let declining = Action::new_local(|r: &DelegationRequest| {
        let id = r.id.clone();
        async move { api().decline(&id).await }
    });
    let failure = RwSignal::new(None::<Failure>);
    // Decided here, or found decided, expired or withdrawn by trying to: the outcome takes the
    // focus from the button that went with it.
    let decided_here = RwSignal::new(false);
    // Decided, expired or changed since this page loaded (in another tab, say): the page shows
    // where the request stands now, not buttons that can no longer work.
    let moved_on = |e: &ClientError| {
        matches!(
            e.code(),
            Some(ErrorCode::RequestDecided | ErrorCode::LinkExpired | ErrorCode::RequestChanged)
        )
    };
    // With no answer (no network, the server down) the request stays on screen as it was, with
    // its buttons and the focus where they were, and one message: asking the server again
    // now would only fail too and take the request away. If the decision went through and
    // only its answer was lost, the next try finds it decided and shows that.
    Effect::new(move |_| match approving.value().get() {
        Some(Ok(_)) => {
            forget_secret();
            decided_here.set(true);
            request.refetch();
        }
        Some(Err(e)) => {
            if matches!(&e, Failure::Api(e) if moved_on(e)) {
                decided_here.set(true);
                request.refetch();
            }
            failure.set(Some(e));
        }
        None => {}
    });
    Effect::new(move |_| match declining.value().get() {
        Some(Ok(_)) => {
            forget_secret();
            decided_here.set(true);
            request.refetch();
        }
        Some(Err(e)) => {
            if moved_on(&e) {
                decided_here.set(true);
                request.refetch();
            }
            failure.set(Some(Failure::Api(e)));
        }
        None => {}
    });
    // Once the request shows its outcome, "already decided" says nothing more: only the
    // approver decides, so it was their own decision (a try whose answer was lost, or another
    // tab's), and the outcome above says what it was.
    // Likewise, once the page says the link has expired, the failed try says it no more.
    Effect::new(move |_| {
        let said = match request.get() {
            Some(Some(Ok(r))) if r.status != RequestStatus::Pending => {
                Some(ErrorCode::RequestDecided)
            }
            Some(Some(Err(e))) => e.code(),
            _ => None,
        };
        if said.is_some()
            && failure.with_untracked(|f| matches!(f, Some(Failure::Api(e)) if e.code() == said))
        {
            failure.set(None);
        }
    });
    let page_error = NodeRef::<leptos::html::P>::new();
    Effect::new(move |_| {
        if let Some(p) = page_error.get()
            && decided_here.get_untracked()
        {
            let _ = p.focus();
        }
    });
    let failure_view = move || {
        failure.get().map(|f| match f {
            // No passkey to approve with: say where to add one; this tab keeps the link, so
            // coming back here afterwards finds the request again.
            Failure::Api(e) if e.code() == Some(ErrorCode::NoPasskey) => {
                let me = auth.me().map(|m| me_path(m.user.persona)).unwrap_or("/");
                view! {
                    <div class="kp-stack" role="alert">
                        <p class="kp-form-error">{move || t_string!(i18n, authorize.no_passkey)}</p>
                        <a class="kp-link" href=me>{move || t_string!(i18n, authorize.add_passkey)}</a>
                    </div>
                }
                .into_any()
            }
            // The phone offered no passkey of this account, or its owner cancelled: the page
            // cannot tell which, so it says what helps in the first case as well.
            Failure::Passkey(PasskeyError::Cancelled) => {
                let me = auth.me().map(|m| me_path(m.user.persona)).unwrap_or("/");
                view! {
                    <div class="kp-stack" role="alert">
                        <p class="kp-form-error">{move || t_string!(i18n, passkey.cancelled)}</p>
                        <p>{move || t_string!(i18n, authorize.passkey_elsewhere)}</p>
                        <a class="kp-link" href=me>{move || t_string!(i18n, authorize.add_passkey)}</a>
                    </div>
                }
                .into_any()
            }
            failure => {
                let text = match failure {
                    // Approving is limited per request and hour (each try, failed unlocks too):
                    // say what that means here rather than "too many requests".
                    Failure::Api(e) if e.code() == Some(ErrorCode::TooManyRequests) => {
                        match crate::errors::retry_time(i18n, &e) {
                            Some(time) => t_string!(i18n, authorize.too_many_tries_until, time = time).to_string(),
                            None => t_string!(i18n, authorize.too_many_tries).to_string(),
                        }
                    }
                    Failure::Api(e) => error_text(i18n, &e),
                    Failure::Passkey(e) => passkey_error_text(i18n, e),
                };
                view! { <p class="kp-form-error" role="alert">{text}</p> }.into_any()
            }
        })
    };
    let busy = Signal::derive(move || approving.pending().get() || declining.pending().get());

    view! {
        <Page title=Signal::derive(move || t_string!(i18n, authorize.title).to_string())>
            <div class="kp-stack">
                <Suspense fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, authorize.loading).to_string())/> }>
                    {move || Suspend::new(async move {
                        match request.await {
                            None if signed_in.get().is_none() => view! {
                                <Loading label=Signal::derive(move || t_string!(i18n, authorize.loading).to_string())/>
                            }.into_any(),
                            None => view! { <p class="kp-notice">{move || t_string!(i18n, authorize.no_link)}</p> }.into_any(),
                            // No network, the server failing or busy: asking again may work.
                            Some(Err(e)) if e.is_unavailable() => view! {
                                <LoadFailed error=e on_retry=Callback::new(move |_| request.refetch())/>
                            }.into_any(),
                            Some(Err(e)) => view! {
                                <p class="kp-form-error" role="alert" tabindex="-1" node_ref=page_error>{error_text(i18n, &e)}</p>
                            }.into_any(),
                            Some(Ok(r)) => view! {
                                <RequestCard request=r.clone()/>
                                <Decision request=r approving=approving declining=declining busy=busy failure=failure
                                    focus=decided_here.get_untracked()/>
                            }.into_any(),
                        }
                    })}
                </Suspense>
                {failure_view}
                <a class="kp-link" href="/">{move || t_string!(i18n, not_found.home)}</a>
            </div>
        </Page>
    }
}

/// What is asked, generated from the stored request: who, for whom, what, how long.
#[component]
fn RequestCard(request: DelegationRequest) -> impl IntoView {
    let i18n = use_i18n();
    let requester = request.requester.name.clone();
    let principal = request.principal_name.clone();
    let intro = move || {
        t!(
            i18n,
            authorize.intro,
            requester = labels::typed(requester.clone()),
            principal = labels::typed(principal.clone())
        )
    };
    let scopes = request.scopes.clone();
    let from = request.valid_from.clone();
    let until = request.valid_until.clone();
    let is_company = request.kind == DelegationKind::Enterprise;
    let status = request.status;
    view! {
        <p class="kp-lead">{intro}</p>
        <Card title=request.principal_name.clone() title_lang=Signal::derive({
            let name = request.principal_name.clone();
            move || labels::typed_lang(i18n.get_locale(), &name)
        })>
            <dl class="kp-facts">
                <dt>{move || if is_company { t_string!(i18n, authorize.company) } else { t_string!(i18n, authorize.principal) }}</dt>
                <dd>{labels::typed(request.principal_name.clone())}</dd>
                {request.uscc.clone().map(|uscc| view! {
                    <dt>{move || t_string!(i18n, authorize.uscc)}</dt>
                    <dd class="kp-code">{uscc}</dd>
                })}
                <dt>{move || t_string!(i18n, authorize.requester)}</dt>
                <dd>{labels::typed(request.requester.name.clone())}</dd>
                <dt>{move || t_string!(i18n, authorize.id_number)}</dt>
                <dd class="kp-code">{request.requester.id_masked.clone()}</dd>
                <dt>{move || t_string!(i18n, authorize.scopes)}</dt>
                <dd>
                    <ul class="kp-scope-list">
                        {scopes.into_iter().map(|s| view! { <li>{move || labels::scope(i18n, s)}</li> }).collect_view()}
                    </ul>
                </dd>
                <dt>{move || t_string!(i18n, authorize.validity)}</dt>
                <dd>{move || t_string!(i18n, delegation.window, from = format::date(i18n.get_locale(), &from), until = format::date(i18n.get_locale(), &until)).to_string()}</dd>
                <dt>{move || t_string!(i18n, authorize.binding_code)}</dt>
                <dd class="kp-binding-code" data-testid="binding-code">{request.binding_code.clone()}</dd>
                <dt>{move || t_string!(i18n, authorize.status)}</dt>
                <dd><span class="kp-badge" data-status=status_attr(status)>{move || labels::request_status(i18n, status)}</span></dd>
            </dl>
            <p class="kp-hint">{move || t_string!(i18n, authorize.binding_hint)}</p>
            // The note is the requester's own words: set apart after everything the service
            // states, and named as theirs, so a note laid out like the lines above (a "binding
            // code" of its own) cannot pass for them.
            {(!request.note.is_empty()).then(|| {
                let requester = request.requester.name.clone();
                let caption = move || t!(i18n, authorize.note_from, name = labels::typed(requester.clone()));
                let note = request.note.clone();
                view! {
                    <figure class="kp-quote">
                        <figcaption>{caption}</figcaption>
                        <blockquote class="kp-lines" lang=move || labels::typed_lang(i18n.get_locale(), &note)>{request.note.clone()}</blockquote>
                    </figure>
                }
            })}
        </Card>
    }
}

/// Approve and Decline, equally prominent, for the one who decides; for anyone else, why not.
#[component]
fn Decision(
    request: DelegationRequest,
    approving: Action<DelegationRequest, Result<Grant, Failure>>,
    declining: Action<DelegationRequest, Result<DelegationRequest, ClientError>>,
    busy: Signal<bool>,
    failure: RwSignal<Option<Failure>>,
    /// The decision was just made on this page: its outcome takes the focus.
    focus: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let outcome = NodeRef::<leptos::html::P>::new();
    if focus {
        Effect::new(move |_| {
            if let Some(p) = outcome.get() {
                let _ = p.focus();
            }
        });
    }
    let approver = request.approver_name.clone();
    let until = request.valid_until.clone();
    let requester = request.requester.name.clone();
    let is_company = request.kind == DelegationKind::Enterprise;
    match request.status {
        // Approved once, but the authority has since been revoked: not "may act until".
        RequestStatus::Approved if request.caller_decides && request.revoked_at.is_some() => {
            let at = request.revoked_at.unwrap_or_default();
            view! {
                <p class="kp-notice" role="status">{move || {
                    t!(i18n, authorize.revoked, requester = labels::typed(requester.clone()), time = format::date_time(i18n.get_locale(), at))
                }}</p>
            }
            .into_any()
        }
        // The approver's own confirmation, naming the page where the grant can be revoked.
        // Anyone else who opens the link is told only that it has been dealt with (below).
        RequestStatus::Approved if request.caller_decides => view! {
            <p class="kp-verdict" role="status" tabindex="-1" node_ref=outcome>{move || {
                let place = if is_company { t_string!(i18n, home.delegation) } else { t_string!(i18n, home.family) };
                t!(i18n, authorize.approved, requester = labels::typed(requester.clone()), until = format::date(i18n.get_locale(), &until), place = place)
            }}</p>
        }
        .into_any(),
        RequestStatus::Declined if request.caller_decides => view! {
            <p class="kp-notice" role="status" tabindex="-1" node_ref=outcome>{move || t_string!(i18n, authorize.declined)}</p>
        }
        .into_any(),
        RequestStatus::Expired => view! {
            <p class="kp-form-error" role="alert" tabindex="-1" node_ref=outcome>{move || t_string!(i18n, authorize.expired)}</p>
        }
        .into_any(),
        RequestStatus::Approved | RequestStatus::Declined | RequestStatus::Cancelled => {
            let status = request.status;
            view! {
                <p class="kp-notice" role="status" tabindex="-1" node_ref=outcome>{move || t_string!(i18n, authorize.decided, status = labels::request_status(i18n, status)).to_string()}</p>
            }
            .into_any()
        }
        RequestStatus::Pending if request.caller_decides => {
            let for_approve = request.clone();
            let for_decline = request;
            view! {
                <p class="kp-notice">{move || t_string!(i18n, authorize.warning)}</p>
                <div class="kp-decision">
                    <Button disabled=busy on_click=Callback::new(move |_| {
                        failure.set(None);
                        approving.dispatch_local(for_approve.clone());
                    })>
                        {move || if approving.pending().get() { t_string!(i18n, authorize.approving) } else { t_string!(i18n, authorize.approve) }}
                    </Button>
                    <Button variant=ButtonVariant::Danger disabled=busy on_click=Callback::new(move |_| {
                        failure.set(None);
                        declining.dispatch_local(for_decline.clone());
                    })>
                        {move || if declining.pending().get() { t_string!(i18n, authorize.declining) } else { t_string!(i18n, authorize.decline) }}
                    </Button>
                </div>
            }
            .into_any()
        }
        RequestStatus::Pending => {
            let signed_in = auth.me().is_some();
            if signed_in {
                view! {
                    <p class="kp-notice" role="status">{move || t!(i18n, authorize.not_approver, approver = labels::typed(approver.clone()))}</p>
                }
                .into_any()
            } else {
                let href = crate::auth::sign_in_and_back();
                view! {
                    <p class="kp-notice">{move || t!(i18n, authorize.sign_in_needed, approver = labels::typed(approver.clone()))}</p>
                    <a class="kp-button-link" href=href>{move || t_string!(i18n, authorize.sign_in)}</a>
                }
                .into_any()
            }
        }
    }
}
