//! Delegation, from the asking side and the giving side: ask for authority and forward the
//! link; follow its status live; see the authority held and given, each use, and revoke.
//! The same page serves staff and legal representatives (enterprise shell) and families
//! (resident shell).

use std::time::Duration;

use kapok_api::{
    AUDIT_PAGE, AuditAction, AuditEntry, CreatedDelegationRequest, DEFAULT_GRANT_DAYS,
    DelegationKind, DelegationRequest, DelegationRequests, EnterpriseRole, ErrorCode, Grant,
    GrantStatus, Grants, MAX_GRANT_DAYS, NOTE_MAX, NewDelegationRequest, RequestStatus, Scope,
    client::ClientError,
};
use kapok_components::{Button, ButtonVariant, Card, EmptyState, Loading, QrCode, Toast};
use leptos::prelude::*;

use crate::{
    api::api,
    auth::Auth,
    clock,
    errors::error_text,
    format,
    i18n::{t, t_string, use_i18n},
    labels,
    page::{LoadFailed, Page},
};

/// How often a waiting request's status is asked for.
const POLL_EVERY: Duration = Duration::from_secs(3);

/// What can be wrong with a request before it is sent: the server applies the same rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    NoScopes,
    /// No first day chosen (the field cleared).
    NoFirstDay,
    /// No last day chosen.
    NoLastDay,
    /// The first day is before today (or not a date).
    StartsBeforeToday,
    /// The last day is before the first (or not a date).
    EndsBeforeStart,
    /// More than a year in all.
    TooLong,
    NoteTooLong,
    /// The note holds a control or text-direction character (a tab from a spreadsheet, say),
    /// which shows as nothing or turns the words around.
    NoteHidden,
}

impl Invalid {
    /// The field it is about: its error's id, and what takes focus to mend it.
    fn field(self) -> (&'static str, &'static str) {
        match self {
            Invalid::NoScopes => ("ask-scopes-error", "input[name=scope]"),
            Invalid::NoFirstDay | Invalid::StartsBeforeToday => {
                ("ask-dates-error", "input[name=valid-from]")
            }
            Invalid::NoLastDay | Invalid::EndsBeforeStart | Invalid::TooLong => {
                ("ask-dates-error", "input[name=valid-until]")
            }
            Invalid::NoteTooLong | Invalid::NoteHidden => ("ask-note-error", "textarea[name=note]"),
        }
    }
}

pub fn check(request: &NewDelegationRequest, today: &str) -> Result<(), Invalid> {
    if request.scopes.is_empty() {
        return Err(Invalid::NoScopes);
    }
    let from = request.valid_from.as_deref().unwrap_or(today);
    let until = request.valid_until.as_deref().unwrap_or(from);
    if let Some(problem) = date_problem(from, until, today) {
        return Err(problem);
    }
    note_problem(&request.note).map_or(Ok(()), Err)
}

/// What is wrong with a note, if anything.
fn note_problem(note: &str) -> Option<Invalid> {
    if note.chars().count() > NOTE_MAX {
        return Some(Invalid::NoteTooLong);
    }
    // As the server: line breaks are allowed.
    note.chars()
        .any(|c| c != '\n' && kapok_api::text::disguises(c))
        .then_some(Invalid::NoteHidden)
}

/// What is wrong with the days from `from` to `until` asked for `today`, if anything.
fn date_problem(from: &str, until: &str, today: &str) -> Option<Invalid> {
    // A field cleared asks for its day, rather than saying the days are out of order.
    if from.trim().is_empty() {
        return Some(Invalid::NoFirstDay);
    }
    if until.trim().is_empty() {
        return Some(Invalid::NoLastDay);
    }
    match clock::days_between(today, from) {
        Some(d) if d >= 0 => {}
        _ => return Some(Invalid::StartsBeforeToday),
    }
    match clock::days_between(from, until) {
        Some(span) if span < 0 => Some(Invalid::EndsBeforeStart),
        None => Some(Invalid::EndsBeforeStart),
        Some(span) if span >= MAX_GRANT_DAYS => Some(Invalid::TooLong),
        Some(_) => None,
    }
}

/// How many days a grant from `from` to `until` (both included) would be in force, if it may
/// be asked for `today`: starting today or later, ending on or after its first day, at most
/// a year.
fn days_in_force(from: &str, until: &str, today: &str) -> Option<i64> {
    let starts_today_or_later = clock::days_between(today, from)? >= 0;
    let span = clock::days_between(from, until)?;
    (starts_today_or_later && (0..MAX_GRANT_DAYS).contains(&span)).then_some(span + 1)
}

/// The requests for authority asked in this tab, with their links, kept until each is seen
/// decided (`device::ASKED`): staff who leave the page to paste a link in a chat app, or whose
/// phone discards the tab meanwhile and loads it afresh, find the link and its code again
/// (the last one asked is shown again at once, the others from the list), rather than a
/// request they can only withdraw.
#[derive(serde::Serialize, serde::Deserialize)]
struct Asked {
    /// Whose they are: shown to no one else who signs in at the tab.
    user: String,
    /// The last one asked last.
    created: Vec<CreatedDelegationRequest>,
}

/// Links kept at once in a tab: the ones asked most recently.
const ASKED_MOST: usize = 8;

fn tab_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// What this person asked in this tab, oldest first.
fn asked() -> Vec<CreatedDelegationRequest> {
    let found = || -> Option<Vec<CreatedDelegationRequest>> {
        let json = tab_storage()?.get_item(crate::device::ASKED).ok()??;
        let asked: Asked = serde_json::from_str(&json).ok()?;
        (Some(asked.user) == crate::auth::signed_in_user()).then_some(asked.created)
    };
    found().unwrap_or_default()
}

fn keep_asked(created: Vec<CreatedDelegationRequest>) {
    let (Some(tab), Some(user)) = (tab_storage(), crate::auth::signed_in_user()) else {
        return;
    };
    if created.is_empty() {
        let _ = tab.remove_item(crate::device::ASKED);
    } else if let Ok(json) = serde_json::to_string(&Asked { user, created }) {
        let _ = tab.set_item(crate::device::ASKED, &json);
    }
}

fn remember_asked(created: &CreatedDelegationRequest) {
    let mut kept = asked();
    kept.retain(|c| c.request.id != created.request.id);
    kept.push(created.clone());
    let over = kept.len().saturating_sub(ASKED_MOST);
    kept.drain(..over);
    keep_asked(kept);
}

fn forget_asked(id: &str) {
    let mut kept = asked();
    kept.retain(|c| c.request.id != id);
    keep_asked(kept);
}

/// The link of request `id`, if it was asked in this tab.
fn asked_link(id: &str) -> Option<CreatedDelegationRequest> {
    asked().into_iter().find(|c| c.request.id == id)
}

#[component]
pub fn DelegationPage(kind: DelegationKind) -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    // The last request of this kind asked in this tab, while it was last seen waiting.
    let created = RwSignal::new(
        asked()
            .into_iter()
            .rev()
            .find(|c| c.request.kind == kind)
            .filter(|c| c.request.status == RequestStatus::Pending),
    );
    let requests = LocalResource::new(|| async { api().delegation_requests().await });
    let grants = LocalResource::new(|| async { api().grants().await });
    let refresh = move || {
        requests.refetch();
        grants.refetch();
    };
    let done = RwSignal::new(None::<String>);
    let roles = Roles::of(kind);
    view! {
        <Page title=Signal::derive(move || match kind {
            DelegationKind::Enterprise => t_string!(i18n, home.delegation).to_string(),
            DelegationKind::Family => t_string!(i18n, home.family).to_string(),
        })>
            <div class="kp-stack">
                <Toast message=done/>
                {move || match created.get() {
                    Some(c) => view! {
                        <SharePanel created=c on_new=Callback::new(move |_| { created.set(None); refresh(); })
                            on_settled=Callback::new(move |id: String| { forget_asked(&id); refresh(); auth.reload(); })/>
                    }.into_any(),
                    None => view! { <AskCard kind=kind on_created=Callback::new(move |c| { remember_asked(&c); created.set(Some(c)); refresh(); })/> }.into_any(),
                }}
                <Suspense fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                    {move || Suspend::new(async move {
                        match requests.await {
                            Ok(r) => view! { <RequestLists requests=r kind=kind roles=roles done=done on_change=Callback::new(move |_| refresh())
                                on_show_link=Callback::new(move |c| created.set(Some(c)))/> }.into_any(),
                            Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| requests.refetch())/> }.into_any(),
                        }
                    })}
                    {move || Suspend::new(async move {
                        match grants.await {
                            Ok(g) => view! { <GrantLists grants=g kind=kind roles=roles done=done on_change=Callback::new(move |_| { refresh(); auth.reload(); })/> }.into_any(),
                            Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| grants.refetch())/> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </Page>
    }
}

/// Which sides of this kind of delegation the caller can be on. A list that stays empty for
/// everyone in the caller's place is left out, not shown as "none": a legal representative
/// never asks for authority, and a staff member is never asked.
#[derive(Clone, Copy)]
struct Roles {
    /// May ask someone for authority (and so hold it).
    asks: bool,
    /// May be asked (and so give it).
    is_asked: bool,
}

impl Roles {
    fn of(kind: DelegationKind) -> Self {
        let Some(me) = Auth::get().me() else {
            return Roles {
                asks: true,
                is_asked: true,
            };
        };
        let is_asked = match kind {
            DelegationKind::Enterprise => me
                .enterprises
                .iter()
                .any(|m| m.role == EnterpriseRole::LegalRepresentative),
            DelegationKind::Family => !me.relatives.is_empty(),
        };
        Roles {
            asks: !principals(kind).is_empty(),
            is_asked,
        }
    }
}

/// Whom the caller can ask, for this kind of delegation: `(principal id, label)`.
fn principals(kind: DelegationKind) -> Vec<(String, String, Option<String>)> {
    let Some(me) = Auth::get().me() else {
        return Vec::new();
    };
    match kind {
        DelegationKind::Enterprise => me
            .enterprises
            .into_iter()
            .filter(|m| m.role == EnterpriseRole::Staff)
            .map(|m| (m.enterprise.id, m.enterprise.name, None))
            .collect(),
        DelegationKind::Family => me
            .relatives
            .into_iter()
            .map(|r| (r.user_id, r.name, Some(r.relation)))
            .collect(),
    }
}

#[component]
fn AskCard(kind: DelegationKind, on_created: Callback<CreatedDelegationRequest>) -> impl IntoView {
    let i18n = use_i18n();
    let options = principals(kind);
    if options.is_empty() {
        return match kind {
            DelegationKind::Enterprise => view! { <p class="kp-notice">{move || t_string!(i18n, delegation.staff_only)}</p> }.into_any(),
            // With no one to ask there is no one to be asked by either: this is the whole page,
            // so it says what the page is for and where the list it goes by is kept.
            DelegationKind::Family => view! {
                <EmptyState
                    title=Signal::derive(move || t_string!(i18n, delegation.no_relatives_title).to_string())
                    message=Signal::derive(move || t_string!(i18n, delegation.no_relatives).to_string())
                />
            }.into_any(),
        };
    }
    let allowed: Vec<Scope> = match kind {
        DelegationKind::Enterprise => Scope::ENTERPRISE.to_vec(),
        DelegationKind::Family => Scope::FAMILY.to_vec(),
    };
    let today = clock::cst_date(clock::now());
    let principal = RwSignal::new(options[0].0.clone());
    let chosen = RwSignal::new(vec![Scope::PresentLicences]);
    let from = RwSignal::new(today.clone());
    let until = RwSignal::new(clock::add_days(&today, DEFAULT_GRANT_DAYS - 1));
    let note = RwSignal::new(String::new());
    let typed = move || {
        Some(NewDelegationRequest {
            kind,
            principal: principal.try_get_untracked()?,
            scopes: chosen.try_get_untracked()?,
            valid_from: Some(from.try_get_untracked()?),
            valid_until: Some(until.try_get_untracked()?),
            note: note.try_get_untracked()?,
            idempotency_key: None,
        })
    };
    // What they had typed here and left unsent (their session ended, they went to another
    // page, or the tab was reloaded), given back; only a form changed from how it opens is
    // worth keeping.
    let opened = typed();
    let kept = crate::unsaved::take::<NewDelegationRequest>().filter(|(k, _)| k.kind == kind);
    let restored = RwSignal::new(kept.as_ref().map(|(_, why)| *why));
    // The same on every try of one request, new once it is made: a try repeated after its
    // answer was lost asks once, and comes back with the link. It is kept with the form, so a
    // form given back after its page was left or reloaded while it was being sent (the answer
    // then reached no page) asks under the same key, and finds the request that send made.
    let key = StoredValue::new(
        kept.as_ref()
            .and_then(|(k, _)| k.idempotency_key.clone())
            .unwrap_or_else(crate::device::new_key),
    );
    if let Some((k, _)) = kept {
        if options.iter().any(|(id, ..)| *id == k.principal) {
            principal.set(k.principal);
        }
        chosen.set(
            k.scopes
                .into_iter()
                .filter(|s| allowed.contains(s))
                .collect(),
        );
        from.set(k.valid_from.unwrap_or(today.clone()));
        until.set(k.valid_until.unwrap_or_default());
        note.set(k.note);
    }
    let start_again = Callback::new({
        let opened = opened.clone();
        move |()| {
            if let Some(o) = &opened {
                principal.set(o.principal.clone());
                chosen.set(o.scopes.clone());
                from.set(o.valid_from.clone().unwrap_or_default());
                until.set(o.valid_until.clone().unwrap_or_default());
                note.set(o.note.clone());
            }
            restored.set(None);
        }
    });
    let unsent = crate::unsaved::guard(move || {
        let mut changed = typed().filter(|t| Some(t) != opened.as_ref())?;
        changed.idempotency_key = key.try_get_value();
        Some(changed)
    });
    let invalid = RwSignal::new(None::<Invalid>);
    let form = NodeRef::<leptos::html::Form>::new();
    let create = Action::new_local(|request: &NewDelegationRequest| {
        let request = request.clone();
        async move { api().create_delegation_request(&request).await }
    });
    let failure = RwSignal::new(None::<ClientError>);
    let opened_on = StoredValue::new(today.clone());
    Effect::new(move |_| match create.value().get() {
        Some(Ok(c)) => {
            unsent.sent();
            key.set_value(crate::device::new_key());
            on_created.run(c)
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let submit = move || {
        let Some(mut request) = typed() else { return };
        request.scopes.sort();
        request.note = request.note.trim().to_owned();
        request.idempotency_key = Some(key.get_value());
        failure.set(None);
        // A form opened yesterday (left open past midnight) whose dates were never touched
        // asks from today, as it would have if opened now.
        let now = clock::cst_date(clock::now());
        let opened = opened_on.get_value();
        if now != opened && request.valid_from.as_deref() == Some(opened.as_str()) {
            let default_until = clock::add_days(&opened, DEFAULT_GRANT_DAYS - 1);
            if request.valid_until.as_deref() == Some(default_until.as_str()) {
                request.valid_from = Some(now.clone());
                request.valid_until = Some(clock::add_days(&now, DEFAULT_GRANT_DAYS - 1));
                from.set(now.clone());
                until.set(clock::add_days(&now, DEFAULT_GRANT_DAYS - 1));
            }
        }
        match check(&request, &now) {
            Ok(()) => {
                invalid.set(None);
                create.dispatch_local(request);
            }
            Err(why) => {
                invalid.set(Some(why));
                // Focus to the field to mend, which now names its error.
                let field = form
                    .get_untracked()
                    .and_then(|f| f.query_selector(why.field().1).ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(field) = field {
                    let _ = field.focus();
                }
            }
        }
    };
    let intro = {
        let company = options[0].1.clone();
        move || match kind {
            DelegationKind::Enterprise => t!(
                i18n,
                delegation.ask_intro,
                company = labels::typed(company.clone())
            )
            .into_any(),
            DelegationKind::Family => t_string!(i18n, delegation.ask_intro_family).into_any(),
        }
    };
    let invalid_text = move |i: Invalid| match i {
        Invalid::NoScopes => t_string!(i18n, delegation.no_scopes),
        Invalid::NoFirstDay => t_string!(i18n, delegation.no_first_day),
        Invalid::NoLastDay => t_string!(i18n, delegation.no_last_day),
        Invalid::StartsBeforeToday => t_string!(i18n, delegation.starts_before_today),
        Invalid::EndsBeforeStart => t_string!(i18n, delegation.ends_before_start),
        Invalid::TooLong => t_string!(i18n, delegation.too_long),
        Invalid::NoteTooLong => t_string!(i18n, delegation.note_too_long),
        Invalid::NoteHidden => t_string!(i18n, delegation.note_hidden),
    };
    // The error under the field it is about, and the field pointing at it.
    let error_at = move |id: &'static str| {
        move || {
            invalid
                .get()
                .filter(|i| i.field().0 == id)
                .map(|i| view! { <p id=id class="kp-form-error">{invalid_text(i)}</p> })
        }
    };
    let described =
        move |id: &'static str| move || invalid.get().filter(|i| i.field().0 == id).map(|_| id);
    let marked =
        move |id: &'static str| move || invalid.get().filter(|i| i.field().0 == id).map(|_| "true");
    // The chosen days in words, or, while they cannot be asked for, why not.
    let period = {
        let today = today.clone();
        move || {
            let (from, until) = (from.get(), until.get());
            let Some(days) = days_in_force(&from, &until, &today) else {
                return date_problem(&from, &until, &today).map(|i| invalid_text(i).to_string());
            };
            let locale = i18n.get_locale();
            Some(
                t_string!(
                    i18n,
                    delegation.period,
                    from = format::date(locale, &from),
                    until = format::date(locale, &until),
                    days = days
                )
                .to_string(),
            )
        }
    };
    let show_relatives = kind == DelegationKind::Family;
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, delegation.ask_title).to_string())>
            <form class="kp-stack" novalidate node_ref=form on:submit=move |ev| { ev.prevent_default(); submit(); }>
                {move || restored.get().map(|why| view! { <crate::unsaved::KeptNotice why=why on_start_again=start_again/> })}
                <p>{intro}</p>
                {show_relatives.then(|| view! {
                        <fieldset class="kp-fieldset">
                            <legend>{move || t_string!(i18n, delegation.relative_legend)}</legend>
                            {options.iter().cloned().map(|(id, name, relation)| {
                                let value = id.clone();
                                view! {
                                    <label class="kp-check">
                                        <input type="radio" name="principal" value=id.clone()
                                            prop:checked=move || principal.get() == value
                                            on:change=move |_| principal.set(id.clone())/>
                                        <span>{labels::typed(name)}" · "{move || relation.as_deref().map(|r| labels::relation(i18n, r)).unwrap_or_default()}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                })}
                <fieldset class="kp-fieldset" aria-describedby=described("ask-scopes-error")>
                    <legend>{move || t_string!(i18n, delegation.scopes_legend)}</legend>
                    {allowed.into_iter().map(|scope| view! {
                        <label class="kp-check">
                            <input type="checkbox" name="scope" value=scope.as_str()
                                prop:checked=move || chosen.get().contains(&scope)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|s| *s != scope);
                                        if on { c.push(scope); }
                                    });
                                }/>
                            <span>{move || labels::scope(i18n, scope)}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                {error_at("ask-scopes-error")}
                <div class="kp-field-row">
                    <label class="kp-plain-field">
                        <span>{move || t_string!(i18n, delegation.from_label)}</span>
                        <input type="date" name="valid-from" min=today.clone() prop:value=move || from.get()
                            aria-invalid=marked("ask-dates-error") aria-describedby=described("ask-dates-error")
                            on:input=move |ev| from.set(event_target_value(&ev))/>
                    </label>
                    <label class="kp-plain-field">
                        <span>{move || t_string!(i18n, delegation.until_label)}</span>
                        <input type="date" name="valid-until" min=today prop:value=move || until.get()
                            aria-invalid=marked("ask-dates-error") aria-describedby=described("ask-dates-error")
                            on:input=move |ev| until.set(event_target_value(&ev))/>
                    </label>
                </div>
                {error_at("ask-dates-error")}
                <p class="kp-hint">{move || t_string!(i18n, delegation.validity_hint)}</p>
                // The chosen days in the app's own words: a date field speaks the browser's.
                <p class="kp-hint" aria-live="polite">{move || period()}</p>
                <label class="kp-plain-field">
                    <span>{move || t_string!(i18n, delegation.note_label)}</span>
                    <textarea name="note" rows="3" maxlength=NOTE_MAX.to_string() prop:value=move || note.get()
                        aria-invalid=marked("ask-note-error") aria-describedby=described("ask-note-error")
                        on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </label>
                {error_at("ask-note-error")}
                {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
                <Button submit=true disabled=create.pending()>
                    {move || if create.pending().get() { t_string!(i18n, delegation.submitting) } else { t_string!(i18n, delegation.submit) }}
                </Button>
            </form>
        </Card>
    }
    .into_any()
}

/// The link to forward, its matching code, and the request's live status.
#[component]
fn SharePanel(
    created: CreatedDelegationRequest,
    on_new: Callback<()>,
    /// Called once, with its id, when the request is decided (or expires).
    on_settled: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let origin = window().location().origin().unwrap_or_default();
    let link = format!("{origin}/authorize#{}", created.secret);
    let request = RwSignal::new(created.request);
    let id = request.with_untracked(|r| r.id.clone());
    let approver = request.with_untracked(|r| r.approver_name.clone());
    let copied = RwSignal::new(None::<bool>);
    // The last look found no server: "updates by itself" is not true until one answers again.
    let unreachable = RwSignal::new(false);

    // Poll while pending; stop when decided or when the panel goes. The first look is at once:
    // a panel shown again (after a reload, or from the list) may have been decided since.
    let look = move || {
        if request.with_untracked(|r| r.status) != RequestStatus::Pending {
            return;
        }
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api().delegation_request(&id).await {
                Ok(latest) => {
                    unreachable.set(false);
                    let settled = latest.status != RequestStatus::Pending;
                    request.set(latest);
                    // The page may have been left while this look was on its way.
                    if settled {
                        on_settled.try_run(id);
                    }
                }
                Err(e) => unreachable.set(e.is_unavailable()),
            }
        });
    };
    look();
    let poll = set_interval_with_handle(look, POLL_EVERY).ok();
    on_cleanup(move || {
        if let Some(poll) = poll {
            poll.clear();
        }
    });

    let share_link = link.clone();
    let can_share = js_sys::Reflect::has(&window().navigator(), &"share".into()).unwrap_or(false);
    let share = move |_| {
        let data = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&data, &"url".into(), &share_link.clone().into());
        let navigator = window().navigator();
        if let Ok(share) = js_sys::Reflect::get(&navigator, &"share".into())
            && let Ok(share) = share.dyn_into::<js_sys::Function>()
        {
            // A cancelled share sheet rejects; nothing to report.
            let _ = share.call1(&navigator, &data);
        }
    };
    let copy_link = link.clone();
    let copy = move |_| {
        let text = copy_link.clone();
        leptos::task::spawn_local(async move {
            copied.set(Some(copy_text(&text).await));
        });
    };
    let status_text = move || {
        let r = request.get();
        let name = labels::typed(r.approver_name.clone());
        match r.status {
            // "Updates by itself" is not true while no server answers.
            RequestStatus::Pending if unreachable.get() => {
                t_string!(i18n, delegation.poll_unreachable).into_any()
            }
            RequestStatus::Pending => t_string!(i18n, delegation.waiting).into_any(),
            RequestStatus::Approved => {
                t!(i18n, delegation.approved_message, name = name).into_any()
            }
            RequestStatus::Declined => {
                t!(i18n, delegation.declined_message, name = name).into_any()
            }
            RequestStatus::Expired => t_string!(i18n, delegation.expired_message).into_any(),
            RequestStatus::Cancelled => t_string!(i18n, delegation.cancelled_done).into_any(),
        }
    };
    let approver_for_title = approver.clone();
    let pending = move || request.with(|r| r.status == RequestStatus::Pending);
    let qr_label = Signal::derive(move || t_string!(i18n, delegation.qr_label).to_string());
    // The panel takes the place of the form whose button was pressed: focus comes here, where a
    // screen reader goes on to the link, its code and its status, rather than to the page's top.
    let intro = NodeRef::<leptos::html::P>::new();
    request_animation_frame(move || {
        if let Some(intro) = intro.try_get_untracked().flatten() {
            let _ = intro.focus();
        }
    });
    view! {
        // Once decided (or expired), the panel no longer asks for the link to be sent: it says
        // where the request stands. The intro stays in place, as the focus may be on it.
        <Card heading=ViewFn::from(move || {
            let name = labels::typed(approver_for_title.clone());
            if pending() {
                t!(i18n, delegation.share_title, name = name).into_any()
            } else {
                t!(i18n, delegation.share_done_title, name = name).into_any()
            }
        })>
            <div class="kp-stack">
                <p tabindex="-1" node_ref=intro>{move || {
                    let name = labels::typed(approver.clone());
                    if pending() {
                        t!(i18n, delegation.share_intro, name = name).into_any()
                    } else {
                        t!(i18n, delegation.share_done_intro, name = name).into_any()
                    }
                }}</p>
                <dl class="kp-facts">
                    <dt>{move || t_string!(i18n, delegation.binding_code)}</dt>
                    <dd class="kp-binding-code" data-testid="binding-code">{move || request.get().binding_code}</dd>
                    <dt>{move || t_string!(i18n, delegation.scopes_legend)}</dt>
                    <dd>{move || labels::scopes(i18n, &request.get().scopes)}</dd>
                    <dt>{move || t_string!(i18n, authorize.validity)}</dt>
                    <dd>{move || { let r = request.get(); t_string!(i18n, delegation.window, from = format::date(i18n.get_locale(), &r.valid_from), until = format::date(i18n.get_locale(), &r.valid_until)).to_string() }}</dd>
                </dl>
                {move || pending().then(|| view! { <p class="kp-hint">{move || t_string!(i18n, delegation.binding_hint)}</p> })}
                <p class="kp-status-line" role="status" data-status=move || status_attr(request.get().status)>
                    <span class="kp-badge" data-status=move || status_attr(request.get().status)>{move || labels::request_status(i18n, request.get().status)}</span>
                    " "{status_text}
                </p>
                {move || (request.get().status == RequestStatus::Pending).then(|| {
                    let link = link.clone();
                    view! {
                        <label class="kp-plain-field">
                            <span>{move || t_string!(i18n, delegation.link_label)}</span>
                            <input type="text" readonly name="authorize-link" class="kp-code" prop:value=link.clone()/>
                        </label>
                        <div class="kp-actions">
                            {can_share.then(|| view! { <Button on_click=Callback::new(share.clone())>{move || t_string!(i18n, delegation.share)}</Button> })}
                            <Button variant=ButtonVariant::Secondary on_click=Callback::new(copy.clone())>{move || t_string!(i18n, delegation.copy)}</Button>
                        </div>
                        {move || copied.get().map(|ok| view! {
                            <p role="status">{move || if ok { t_string!(i18n, delegation.copied) } else { t_string!(i18n, delegation.copy_failed) }}</p>
                        })}
                        <QrCode text=link label=qr_label/>
                    }
                })}
                // While it waits too: its link stays on the list's "show the link" until then.
                <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| on_new.run(()))>
                    {move || t_string!(i18n, delegation.new_request)}
                </Button>
            </div>
        </Card>
    }
}

use wasm_bindgen::JsCast;

/// Copies to the clipboard; `false` where the browser does not allow it.
async fn copy_text(text: &str) -> bool {
    let navigator = window().navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    else {
        return false;
    };
    match write.call1(&clipboard, &text.into()) {
        Ok(promise) => match promise.dyn_into::<js_sys::Promise>() {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    }
}

pub fn status_attr(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Pending => "pending",
        RequestStatus::Approved => "valid",
        RequestStatus::Declined | RequestStatus::Cancelled | RequestStatus::Expired => "revoked",
    }
}

fn grant_attr(status: GrantStatus) -> &'static str {
    match status {
        GrantStatus::Active => "valid",
        GrantStatus::NotYetValid => "pending",
        GrantStatus::Expired | GrantStatus::Revoked => "revoked",
    }
}

#[component]
fn RequestLists(
    requests: DelegationRequests,
    kind: DelegationKind,
    roles: Roles,
    done: RwSignal<Option<String>>,
    on_change: Callback<()>,
    /// Shows the share panel again for a request asked in this tab.
    on_show_link: Callback<CreatedDelegationRequest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mine: Vec<DelegationRequest> = requests
        .mine
        .into_iter()
        .filter(|r| r.kind == kind)
        .collect();
    let to_decide: Vec<DelegationRequest> = requests
        .to_decide
        .into_iter()
        .filter(|r| r.kind == kind)
        .collect();
    let cancel = Action::new_local(|id: &String| {
        let id = id.clone();
        async move {
            let answer = api().cancel_delegation_request(&id).await;
            (id, answer)
        }
    });
    let failure = RwSignal::new(None::<ClientError>);
    Effect::new(move |_| match cancel.value().get() {
        Some((id, Ok(()))) => {
            forget_asked(&id);
            done.set(Some(t_string!(i18n, delegation.cancelled_done).to_string()));
            on_change.run(());
        }
        // Approved or declined meanwhile (this list does not follow the approver): nothing
        // to withdraw, and the list, asked for again, shows how it was decided.
        Some((id, Err(e))) if e.code() == Some(ErrorCode::RequestDecided) => {
            forget_asked(&id);
            done.set(Some(
                t_string!(i18n, delegation.cancel_too_late).to_string(),
            ));
            on_change.run(());
        }
        Some((_, Err(e))) => failure.set(Some(e)),
        None => {}
    });
    let show_to_decide = roles.is_asked || !to_decide.is_empty();
    let show_mine = roles.asks || !mine.is_empty();
    let to_decide_title =
        Signal::derive(move || t_string!(i18n, delegation.to_decide_title).to_string());
    let mine_title = Signal::derive(move || t_string!(i18n, delegation.mine_title).to_string());
    view! {
        {show_to_decide.then(|| view! {
            <ListCard title=to_decide_title is_empty=to_decide.is_empty()
                empty=Signal::derive(move || t_string!(i18n, delegation.empty_to_decide).to_string())>
                {to_decide.into_iter().map(|r| {
                    let href = format!("/authorize?request={}", r.id);
                    view! {
                        <li class="kp-checks__item">
                            <span class="kp-checks__who">{labels::typed(r.requester.name.clone())}</span>
                            <span>{move || labels::scopes(i18n, &r.scopes)}</span>
                            <span class="kp-code">{r.binding_code.clone()}</span>
                            <a class="kp-link" href=href>{move || t_string!(i18n, delegation.open_request)}</a>
                        </li>
                    }
                }).collect_view()}
            </ListCard>
        })}
        {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
        {show_mine.then(|| view! {
            <ListCard title=mine_title is_empty=mine.is_empty()
                empty=Signal::derive(move || t_string!(i18n, delegation.empty_mine).to_string())>
                {mine.into_iter().map(|r| {
                    let id = r.id.clone();
                    let status = r.status;
                    view! {
                        <li class="kp-checks__item">
                            <span class="kp-checks__who">{labels::typed(r.principal_name.clone())}</span>
                            <span class="kp-badge" data-status=status_attr(status)>{move || labels::request_status(i18n, status)}</span>
                            <span>{move || labels::scopes(i18n, &r.scopes)}</span>
                            <span class="kp-code">{r.binding_code.clone()}</span>
                            {(status == RequestStatus::Pending).then(|| asked_link(&r.id)).flatten().map(|c| {
                                let name = r.principal_name.clone();
                                let code = r.binding_code.clone();
                                view! {
                                    <button type="button" class="kp-text-button"
                                        aria-label=move || t_string!(i18n, delegation.show_link_label, name = name.clone(), code = code.clone()).to_string()
                                        on:click=move |_| on_show_link.run(c.clone())>
                                        {move || t_string!(i18n, delegation.show_link)}
                                    </button>
                                }
                            })}
                            {(status == RequestStatus::Pending).then(|| {
                                // Named by whom it asks and its code: a list of requests has a
                                // button each, and each must say which it withdraws.
                                let name = r.principal_name.clone();
                                let code = r.binding_code.clone();
                                view! {
                                    <button type="button" class="kp-text-button"
                                        aria-label=move || t_string!(i18n, delegation.cancel_label, name = name.clone(), code = code.clone()).to_string()
                                        on:click=move |ev| {
                                            crate::page::keep_focus_after(ev.current_target());
                                            // What the last try said is not this one's answer.
                                            failure.set(None);
                                            done.set(None);
                                            cancel.dispatch_local(id.clone());
                                        }>
                                        {move || t_string!(i18n, delegation.cancel)}
                                    </button>
                                }
                            })}
                        </li>
                    }
                }).collect_view()}
            </ListCard>
        })}
    }
}

/// A card holding one list (its items are the children), or a line saying it is empty.
#[component]
fn ListCard(
    title: Signal<String>,
    empty: Signal<String>,
    is_empty: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <Card title=title>
            {if is_empty {
                view! { <p>{empty}</p> }.into_any()
            } else {
                view! { <ul class="kp-checks" aria-label=move || title.get()>{children()}</ul> }.into_any()
            }}
        </Card>
    }
}

#[component]
fn GrantLists(
    grants: Grants,
    kind: DelegationKind,
    roles: Roles,
    done: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let held: Vec<Grant> = grants.held.into_iter().filter(|g| g.kind == kind).collect();
    let given: Vec<Grant> = grants
        .given
        .into_iter()
        .filter(|g| g.kind == kind)
        .collect();
    let revoke = Action::new_local(|id: &String| {
        let id = id.clone();
        async move { api().revoke_grant(&id).await }
    });
    let failure = RwSignal::new(None::<ClientError>);
    Effect::new(move |_| match revoke.value().get() {
        Some(Ok(())) => {
            done.set(Some(t_string!(i18n, delegation.revoked_done).to_string()));
            on_change.run(());
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let show_held = roles.asks || !held.is_empty();
    let show_given = roles.is_asked || !given.is_empty();
    view! {
        {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
        {show_held.then(|| view! {
            <GrantCard grants=held given=false revoke=revoke
                title=Signal::derive(move || t_string!(i18n, delegation.held_title).to_string())
                empty=Signal::derive(move || t_string!(i18n, delegation.empty_held).to_string())/>
        })}
        {show_given.then(|| view! {
            <GrantCard grants=given given=true revoke=revoke
                title=Signal::derive(move || t_string!(i18n, delegation.given_title).to_string())
                empty=Signal::derive(move || t_string!(i18n, delegation.empty_given).to_string())/>
        })}
    }
}

/// One side's grants: those the caller holds, or those the caller gave.
#[component]
fn GrantCard(
    grants: Vec<Grant>,
    given: bool,
    revoke: Action<String, Result<(), ClientError>>,
    title: Signal<String>,
    empty: Signal<String>,
) -> impl IntoView {
    view! {
        <ListCard title=title empty=empty is_empty=grants.is_empty()>
            {grants.into_iter().map(|g| view! { <GrantItem grant=g given=given revoke=revoke/> }).collect_view()}
        </ListCard>
    }
}

#[component]
fn GrantItem(
    grant: Grant,
    given: bool,
    revoke: Action<String, Result<(), ClientError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let status = grant.status;
    let id = grant.id.clone();
    let who = if given {
        grant.grantee.name.clone()
    } else {
        grant.principal_name.clone()
    };
    let who_line = {
        let who = who.clone();
        move || {
            let name = labels::typed(who.clone());
            if given {
                t!(i18n, delegation.to_whom, name = name).into_any()
            } else {
                t!(i18n, delegation.from_whom, name = name).into_any()
            }
        }
    };
    let active = matches!(status, GrantStatus::Active | GrantStatus::NotYetValid);
    let may_file_for = !given
        && grant.kind == DelegationKind::Family
        && grant.scopes.contains(&Scope::Applications);
    let scopes = grant.scopes.clone();
    let window = move || {
        t_string!(
            i18n,
            delegation.window,
            from = format::date(i18n.get_locale(), &grant.valid_from),
            until = format::date(i18n.get_locale(), &grant.valid_until)
        )
        .to_string()
    };
    view! {
        <li class="kp-checks__item kp-grant">
            <span class="kp-checks__who">{who_line}</span>
            <span class="kp-badge" data-status=grant_attr(status)>{move || labels::grant_status(i18n, status)}</span>
            <span>{move || labels::scopes(i18n, &scopes)}</span>
            <span class="kp-checks__when">{window}</span>
            {(given && active).then(|| {
                let id = id.clone();
                let who = who.clone();
                view! {
                    <button type="button" class="kp-text-button" disabled=move || revoke.pending().get()
                        aria-label=move || t_string!(i18n, delegation.revoke_label, name = who.clone()).to_string()
                        on:click=move |ev| {
                            crate::page::keep_focus_after(ev.current_target());
                            revoke.dispatch_local(id.clone());
                        }>
                        {move || t_string!(i18n, delegation.revoke)}
                    </button>
                }
            })}
            // Authority to file for a relative leads to the services they may be filed for.
            {(may_file_for && status == GrantStatus::Active).then(|| {
                let who = who.clone();
                view! {
                    // One box in the link's flex line: the name stays inside the sentence.
                    <a class="kp-link" href="/resident/services"><span>{move || t!(i18n, delegation.apply_for, name = labels::typed(who.clone()))}</span></a>
                }
            })}
            {given.then(|| view! { <GrantUses grant_id=id.clone() root=root_of(grant.kind)/> })}
        </li>
    }
}

/// The feed of what happened under a grant, for the one who gave it: the newest page, and
/// earlier ones on request, so a busy grant's first uses stay within reach.
#[component]
fn GrantUses(
    grant_id: String,
    /// The shell the principal reads it in, whose pages a use links to.
    root: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let first_id = grant_id.clone();
    let uses = LocalResource::new(move || {
        let id = first_id.clone();
        async move { api().audit(Some(&id)).await }
    });
    view! {
        <details class="kp-uses">
            <summary>{move || t_string!(i18n, delegation.uses_title)}</summary>
            <Suspense fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                {move || {
                    let grant_id = grant_id.clone();
                    Suspend::new(async move {
                        match uses.await {
                            Ok(entries) if entries.is_empty() => view! { <p>{move || t_string!(i18n, delegation.uses_empty)}</p> }.into_any(),
                            Ok(entries) => view! { <UseList grant_id=grant_id newest=entries root=root/> }.into_any(),
                            Err(e) => view! { <p class="kp-form-error">{error_text(i18n, &e)}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </details>
    }
}

/// The root of the shell where the principal of a grant of `kind` reads it.
fn root_of(kind: DelegationKind) -> &'static str {
    match kind {
        DelegationKind::Family => "/resident",
        DelegationKind::Enterprise => "/enterprise",
    }
}

/// What a grantee did under a grant, as the server records it in a use's `detail`
/// (`present:lic-company-bl`, `application:file:…`): said in words to the one who gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UseOf {
    LicenceList,
    LicenceOpened,
    LicencePresented,
    ApplicationList,
    ApplicationOpened,
    ApplicationChanged,
    DraftDeleted,
    ApplicationStarted,
    LicencesForForm,
    PolicyTags,
    PolicyTagsChanged,
}

impl UseOf {
    /// The use `detail` records, and the id of what it touched, if any; `None` for a detail
    /// this client does not know.
    fn read(detail: &str) -> Option<(UseOf, Option<&str>)> {
        const WHOLE: [(&str, UseOf); 5] = [
            ("list", UseOf::LicenceList),
            ("applications", UseOf::ApplicationList),
            ("form_licences", UseOf::LicencesForForm),
            ("subscriptions", UseOf::PolicyTags),
            ("subscriptions:set", UseOf::PolicyTagsChanged),
        ];
        const WITH_ID: [(&str, UseOf); 6] = [
            ("view:", UseOf::LicenceOpened),
            ("present:", UseOf::LicencePresented),
            ("application:view:", UseOf::ApplicationOpened),
            ("application:edit:", UseOf::ApplicationChanged),
            ("application:delete:", UseOf::DraftDeleted),
            ("application:file:", UseOf::ApplicationStarted),
        ];
        if let Some((_, what)) = WHOLE.iter().find(|(whole, _)| *whole == detail) {
            return Some((*what, None));
        }
        WITH_ID.iter().find_map(|(prefix, what)| {
            let id = detail.strip_prefix(prefix).filter(|id| !id.is_empty())?;
            Some((*what, Some(id)))
        })
    }

    fn text(self, i18n: leptos_i18n::I18nContext<crate::i18n::Locale>) -> &'static str {
        match self {
            UseOf::LicenceList => t_string!(i18n, uses.licence_list),
            UseOf::LicenceOpened => t_string!(i18n, uses.licence_opened),
            UseOf::LicencePresented => t_string!(i18n, uses.licence_presented),
            UseOf::ApplicationList => t_string!(i18n, uses.application_list),
            UseOf::ApplicationOpened => t_string!(i18n, uses.application_opened),
            UseOf::ApplicationChanged => t_string!(i18n, uses.application_changed),
            UseOf::DraftDeleted => t_string!(i18n, uses.draft_deleted),
            UseOf::ApplicationStarted => t_string!(i18n, uses.application_started),
            UseOf::LicencesForForm => t_string!(i18n, uses.licences_for_form),
            UseOf::PolicyTags => t_string!(i18n, uses.policy_tags),
            UseOf::PolicyTagsChanged => t_string!(i18n, uses.policy_tags_changed),
        }
    }

    /// The principal's own page of what the use touched: the licence, or the application.
    fn page(self, root: &str, id: &str) -> Option<String> {
        match self {
            UseOf::LicenceOpened | UseOf::LicencePresented => Some(format!("{root}/wallet/{id}")),
            UseOf::ApplicationOpened | UseOf::ApplicationChanged | UseOf::ApplicationStarted => {
                Some(format!("{root}/applications/{id}"))
            }
            _ => None,
        }
    }
}

/// A grant's uses from the newest page down, with "Show earlier uses" while a page came full.
/// The first entry of each page added takes the focus, so reading goes on where it was.
#[component]
fn UseList(grant_id: String, newest: Vec<AuditEntry>, root: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let more = RwSignal::new(newest.len() == AUDIT_PAGE);
    let shown = RwSignal::new(newest);
    let loading = RwSignal::new(false);
    let failed = RwSignal::new(None::<ClientError>);
    // The last page asked for came back empty (the one before held exactly a page).
    let no_more = RwSignal::new(false);
    let no_more_ref = NodeRef::<leptos::html::P>::new();
    let earlier = move |_| {
        let Some(before) = shown.with_untracked(|s| s.last().map(|e| e.id)) else {
            return;
        };
        let grant_id = grant_id.clone();
        loading.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            let page = api().audit_before(Some(&grant_id), Some(before)).await;
            loading.set(false);
            match page {
                Ok(page) => {
                    more.set(page.len() == AUDIT_PAGE);
                    let Some(first) = page.first().map(|e| e.id) else {
                        no_more.set(true);
                        request_animation_frame(move || {
                            // Gone, if the list was left or rebuilt while the page loaded.
                            if let Some(p) = no_more_ref.try_get_untracked().flatten() {
                                let _ = p.focus();
                            }
                        });
                        return;
                    };
                    shown.update(|s| s.extend(page));
                    request_animation_frame(move || {
                        crate::page::focus(&format!("#kp-use-{first}"))
                    });
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    view! {
        <ul class="kp-uses__list">
            <For each=move || shown.get() key=|e| e.id let:e>
                <li id=format!("kp-use-{}", e.id) tabindex="-1">
                    <span class="kp-checks__when">{move || format::date_time(i18n.get_locale(), e.at)}</span>" "
                    {labels::typed(e.actor_name.clone().unwrap_or_default())}" "
                    {match (e.action, UseOf::read(&e.detail)) {
                        (AuditAction::GrantUsed, Some((what, target))) => {
                            let text = move || what.text(i18n);
                            match target.and_then(|t| what.page(root, t)) {
                                Some(href) => view! { <a class="kp-link" href=href>{text}</a> }.into_any(),
                                None => view! { <span>{text}</span> }.into_any(),
                            }
                        }
                        // Anything else says what the entry says.
                        (action, _) => view! {
                            <span>{move || labels::audit_action(i18n, action)}</span>" "
                            <span class="kp-code">{e.detail.clone()}</span>
                        }.into_any(),
                    }}
                </li>
            </For>
        </ul>
        {move || no_more.get().then(|| view! {
            <p tabindex="-1" node_ref=no_more_ref>{move || t_string!(i18n, delegation.uses_no_more)}</p>
        })}
        {move || failed.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
        {move || more.get().then(|| {
            let earlier = earlier.clone();
            view! {
                <Button variant=ButtonVariant::Secondary disabled=loading on_click=Callback::new(earlier)>
                    {move || if loading.get() {
                        t_string!(i18n, loading).to_string()
                    } else {
                        t_string!(i18n, delegation.uses_more).to_string()
                    }}
                </Button>
            }
        })}
    }
}

/// For grants the caller holds: the banner that says whom they are acting for, one line for
/// each company or relative however many grants from them are in force, with what they
/// cover together.
#[component]
pub fn ActingFor() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    move || {
        auth.me().map(|me| {
            let mut principals: Vec<(String, String, Vec<Scope>)> = Vec::new();
            for g in me.grants.into_iter().filter(|g| g.status == GrantStatus::Active) {
                match principals.iter_mut().find(|(id, ..)| *id == g.principal) {
                    Some((.., scopes)) => scopes.extend(g.scopes),
                    None => principals.push((g.principal, g.principal_name, g.scopes)),
                }
            }
            principals
                .into_iter()
                .map(|(_, name, mut scopes)| {
                    scopes.sort();
                    scopes.dedup();
                    view! {
                        <p class="kp-acting" role="note">
                            <strong>{move || t!(i18n, delegation.acting_for, name = labels::typed(name.clone()))}</strong>
                            " · "
                            <span>{move || t_string!(i18n, delegation.acting_scopes, scopes = labels::scopes(i18n, &scopes)).to_string()}</span>
                        </p>
                    }
                })
                .collect_view()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each use the server records reads as what it was, with what it touched; a detail this
    /// client does not know is shown as it is.
    #[test]
    fn each_recorded_use_reads_as_what_it_was() {
        let cases = [
            ("list", Some((UseOf::LicenceList, None))),
            (
                "present:lic-company-bl",
                Some((UseOf::LicencePresented, Some("lic-company-bl"))),
            ),
            (
                "view:lic-elder-id",
                Some((UseOf::LicenceOpened, Some("lic-elder-id"))),
            ),
            ("applications", Some((UseOf::ApplicationList, None))),
            (
                "application:file:5f0c",
                Some((UseOf::ApplicationStarted, Some("5f0c"))),
            ),
            (
                "application:view:5f0c",
                Some((UseOf::ApplicationOpened, Some("5f0c"))),
            ),
            (
                "application:edit:5f0c",
                Some((UseOf::ApplicationChanged, Some("5f0c"))),
            ),
            (
                "application:delete:5f0c",
                Some((UseOf::DraftDeleted, Some("5f0c"))),
            ),
            ("form_licences", Some((UseOf::LicencesForForm, None))),
            ("subscriptions", Some((UseOf::PolicyTags, None))),
            ("subscriptions:set", Some((UseOf::PolicyTagsChanged, None))),
            ("present:", None),
            ("list:lic-x", None),
            ("something-new", None),
        ];
        for (detail, expected) in cases {
            assert_eq!(UseOf::read(detail), expected, "{detail}");
        }
        let page = |what: UseOf, id| what.page("/resident", id);
        assert_eq!(
            page(UseOf::LicencePresented, "lic-elder-id").as_deref(),
            Some("/resident/wallet/lic-elder-id")
        );
        assert_eq!(
            page(UseOf::ApplicationStarted, "5f0c").as_deref(),
            Some("/resident/applications/5f0c")
        );
        assert_eq!(page(UseOf::DraftDeleted, "5f0c"), None);
    }

    /// A day cleared from its field is asked for, before any comparison of days (which needs
    /// the browser's calendar, and is checked in e2e/tests/delegation.spec.ts).
    #[test]
    fn a_cleared_day_is_asked_for_not_called_out_of_order() {
        let today = "2026-11-23";
        assert_eq!(
            date_problem("", "2026-12-01", today),
            Some(Invalid::NoFirstDay)
        );
        assert_eq!(date_problem("", "", today), Some(Invalid::NoFirstDay));
        assert_eq!(date_problem(today, "", today), Some(Invalid::NoLastDay));
        assert_eq!(date_problem(today, " ", today), Some(Invalid::NoLastDay));
    }

    /// A note the server would refuse for a character that shows as nothing (a tab pasted
    /// from a spreadsheet) or turns the words around is refused here first, at the note, with
    /// the same rule: line breaks are allowed.
    #[test]
    fn a_note_with_a_hidden_character_is_refused_at_the_note() {
        for note in ["营业执照\t年检", "通过\u{202E}驳回", "一行\u{2028}两行"] {
            assert_eq!(note_problem(note), Some(Invalid::NoteHidden), "{note:?}");
        }
        assert_eq!(Invalid::NoteHidden.field().1, "textarea[name=note]");
        assert_eq!(note_problem("营业执照年检\n谢谢"), None);
        assert_eq!(
            note_problem(&"字".repeat(NOTE_MAX + 1)),
            Some(Invalid::NoteTooLong)
        );
    }
}
