//! The wallet: the list of licences, a licence's card face with its live QR code, and who
//! checked it. The same pages serve residents (their own licences) and enterprises (the
//! company's, for its legal representative).

use std::time::Duration;

use kapok_api::{
    EnterpriseRole, HolderKind, Licence, LicenceStatus, LicenceSummary, LicenceType, Persona,
    PresentationRequest, client::ClientError,
};
use kapok_components::{
    Button, ButtonVariant, Card, Choice, ChoiceGroup, EmptyState, Loading, QrCode,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::{
    api::api,
    auth::Auth,
    clock,
    codes::{BATCH_SIZE, CodeBatch},
    device,
    errors::error_text,
    format,
    i18n::{t_string, use_i18n},
    labels,
    page::{LoadFailed, Page},
};

/// The licences of one kind of holder, optionally only those with one status.
pub fn shown(
    list: &[LicenceSummary],
    holder: HolderKind,
    status: Option<LicenceStatus>,
) -> Vec<LicenceSummary> {
    list.iter()
        .filter(|l| l.holder_kind == holder && status.is_none_or(|s| l.status == s))
        .cloned()
        .collect()
}

/// Data the page shows, and whether it is this device's saved copy because the network is down.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched<T> {
    pub data: T,
    pub offline: bool,
}

/// Fetches with `call`, saving the answer on the device under `key`; with no network, the
/// saved copy is the answer (marked offline). What the server says is no longer the caller's
/// to see (403, 404) is not kept.
pub(crate) async fn fetch_or_saved<T, F>(key: String, call: F) -> Result<Fetched<T>, ClientError>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: std::future::Future<Output = Result<T, ClientError>>,
{
    let asker = crate::auth::signed_in_user();
    match call.await {
        Ok(data) => {
            device::keep_personal(asker.as_deref(), &key, &data);
            Ok(Fetched {
                data,
                offline: false,
            })
        }
        Err(e) if e.is_unavailable() => match device::get_json(&key) {
            Some(data) => Ok(Fetched {
                data,
                offline: true,
            }),
            None => Err(e),
        },
        Err(ClientError::Problem(p)) if matches!(p.status, 403 | 404) => {
            device::remove(&key);
            Err(ClientError::Problem(p))
        }
        Err(e) => Err(e),
    }
}

/// What a page shows: the server's answer once it is in; until then this device's saved copy
/// under `key`, if there is one, so a returning holder on a slow network sees their licences
/// at once rather than a spinner. An answer equal to the saved copy redraws nothing; one that
/// differs (a licence revoked meanwhile, a grant withdrawn) replaces it.
fn saved_until_fetched<T>(
    fetched: LocalResource<Result<Fetched<T>, ClientError>>,
    key: impl Fn() -> String + Send + Sync + 'static,
) -> Memo<Option<Result<Fetched<T>, ClientError>>>
where
    T: serde::de::DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| {
        fetched.get().or_else(|| {
            device::get_json(&key()).map(|data| {
                Ok(Fetched {
                    data,
                    offline: false,
                })
            })
        })
    })
}

fn wallet_root(holder: HolderKind) -> &'static str {
    match holder {
        HolderKind::Person => "/resident/wallet",
        HolderKind::Enterprise => "/enterprise/wallet",
    }
}

#[component]
pub fn WalletPage(holder: HolderKind) -> impl IntoView {
    let i18n = use_i18n();
    let key = || device::personal("wallet");
    let fetched = LocalResource::new(move || fetch_or_saved(key(), async { api().wallet().await }));
    let licences = saved_until_fetched(fetched, key);
    let filter = RwSignal::new(String::from("all"));
    let status_filter = move || match filter.get().as_str() {
        "valid" => Some(LicenceStatus::Valid),
        "expiring" => Some(LicenceStatus::Expiring),
        "expired" => Some(LicenceStatus::Expired),
        _ => None,
    };
    let title = Signal::derive(move || {
        match holder {
            HolderKind::Person => t_string!(i18n, wallet.title),
            HolderKind::Enterprise => t_string!(i18n, wallet.company_title),
        }
        .to_string()
    });
    view! {
        <Page title=title>
            <div class="kp-stack">
                {move || {
                    // Rebuilt when the locale changes, so the options' labels follow it.
                    let options = vec![
                        Choice { value: "all", label: t_string!(i18n, wallet.filter_all), lang: None },
                        Choice { value: "valid", label: t_string!(i18n, licence_status.valid), lang: None },
                        Choice { value: "expiring", label: t_string!(i18n, licence_status.expiring), lang: None },
                        Choice { value: "expired", label: t_string!(i18n, licence_status.expired), lang: None },
                    ];
                    view! {
                        <ChoiceGroup
                            legend=Signal::derive(move || t_string!(i18n, wallet.filter_legend).to_string())
                            name="licence-status"
                            options=options
                            selected=filter
                            on_select=Callback::new(move |v| filter.set(v))
                            grid=true
                        />
                    }
                }}
                {move || match licences.get() {
                    None => view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }.into_any(),
                    Some(Err(e)) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| fetched.refetch())/> }
                    .into_any(),
                    Some(Ok(Fetched { data: list, offline })) => {
                        let status = status_filter();
                        let held = shown(&list, holder, None);
                        let list = shown(&list, holder, status);
                        let notice = offline.then(|| view! { <p class="kp-notice" role="status">{move || t_string!(i18n, wallet.offline_list)}</p> });
                        if let (true, false, Some(status)) = (list.is_empty(), held.is_empty(), status) {
                            // Licences there are, just none of the kind chosen: say so, and offer them all.
                            view! {
                                {notice}
                                <EmptyState
                                    title=Signal::derive(move || t_string!(i18n, wallet.filter_empty_title).to_string())
                                    message=Signal::derive(move || t_string!(i18n, wallet.filter_empty, status = labels::status(i18n, status)).to_string())
                                >
                                    // The button goes with the empty list it sits in: focus moves to
                                    // the filter it changed ("all", now chosen), not to the page's top.
                                    <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| {
                                        filter.set("all".into());
                                        focus_filter("all");
                                    })>
                                        {move || t_string!(i18n, wallet.filter_show_all)}
                                    </Button>
                                </EmptyState>
                            }
                            .into_any()
                        } else if list.is_empty() {
                            let message = Signal::derive(move || {
                                match holder {
                                    HolderKind::Person => t_string!(i18n, wallet.empty_message),
                                    HolderKind::Enterprise => t_string!(i18n, wallet.company_empty_message),
                                }
                                .to_string()
                            });
                            // Staff reach the company's licences through the legal representative.
                            let may_ask = holder == HolderKind::Enterprise
                                && Auth::get().me().is_some_and(|me| {
                                    me.enterprises.iter().any(|m| m.role == EnterpriseRole::Staff)
                                });
                            view! {
                                {notice}
                                <EmptyState title=Signal::derive(move || t_string!(i18n, wallet.empty_title).to_string()) message=message>
                                    {may_ask.then(|| view! {
                                        <a class="kp-link" href="/enterprise/delegation">{move || t_string!(i18n, delegation.ask_title)}</a>
                                    })}
                                </EmptyState>
                            }
                            .into_any()
                        } else {
                            view! {
                                {notice}
                                <ul class="kp-licences" aria-label=move || t_string!(i18n, wallet.list_label)>
                                    {list.into_iter().map(|l| view! { <LicenceRow licence=l holder=holder/> }).collect_view()}
                                </ul>
                            }
                            .into_any()
                        }
                    }
                }}
            </div>
        </Page>
    }
}

#[component]
fn LicenceRow(licence: LicenceSummary, holder: HolderKind) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("{}/{}", wallet_root(holder), licence.id);
    let status = licence.status;
    let valid_until = licence.valid_until.clone();
    view! {
        <li>
            <a class="kp-licence" href=href data-status=status_attr(status)>
                <span class="kp-licence__type">{move || labels::licence_type(i18n, licence.licence_type)}</span>
                <span class="kp-licence__holder" lang=labels::value_lang(None, &licence.holder_name, licence.licence_type)>{licence.holder_name.clone()}</span>
                <span class="kp-licence__number kp-code">{licence.number_masked.clone()}</span>
                <span class="kp-licence__meta">
                    <span class="kp-badge" data-status=status_attr(status)>{move || labels::status(i18n, status)}</span>
                    {licence.through_grant.is_some().then(|| view! {
                        <span class="kp-badge" data-status="grant">{move || t_string!(i18n, delegation.through_grant)}</span>
                    })}
                    <span>{move || validity_text(i18n, valid_until.as_deref())}</span>
                </span>
            </a>
        </li>
    }
}

/// "New code shown. It renews again in 40 seconds.", in the locale's words and plural.
fn renewed_text(i18n: leptos_i18n::I18nContext<crate::i18n::Locale>, seconds: i64) -> String {
    format::counted(
        i18n.get_locale(),
        seconds,
        |count| t_string!(i18n, wallet.qr_renewed.one, count = count).to_string(),
        |count| t_string!(i18n, wallet.qr_renewed.other, count = count).to_string(),
    )
}

fn status_attr(status: LicenceStatus) -> &'static str {
    match status {
        LicenceStatus::Valid => "valid",
        LicenceStatus::Expiring => "expiring",
        LicenceStatus::Expired => "expired",
        LicenceStatus::Revoked => "revoked",
    }
}

pub(crate) fn validity_text(
    i18n: leptos_i18n::I18nContext<crate::i18n::Locale>,
    valid_until: Option<&str>,
) -> String {
    match valid_until {
        Some(date) => t_string!(
            i18n,
            wallet.valid_until,
            date = format::date(i18n.get_locale(), date)
        )
        .to_string(),
        None => t_string!(i18n, wallet.valid_indefinitely).to_string(),
    }
}

#[component]
pub fn LicencePage(holder: HolderKind) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let key = move || device::personal(&format!("licence.{}", id()));
    let fetched = LocalResource::new(move || {
        let id = id();
        fetch_or_saved(key(), async move { api().licence(&id).await })
    });
    let licence = saved_until_fetched(fetched, key);
    let title = Signal::derive(move || match licence.get() {
        Some(Ok(l)) => labels::licence_type(i18n, l.data.summary.licence_type).to_string(),
        _ => t_string!(i18n, wallet.title).to_string(),
    });
    view! {
        <Page title=title back=wallet_root(holder)>
            {move || match licence.get() {
                None => view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }.into_any(),
                Some(Err(e)) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| fetched.refetch())/> }
                .into_any(),
                Some(Ok(l)) => view! { <LicenceDetail licence=l.data offline=l.offline/> }.into_any(),
            }}
        </Page>
    }
}

#[component]
fn LicenceDetail(
    licence: Licence,
    /// Shown from this device's saved copy because the network is down.
    offline: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let revealed = RwSignal::new(false);
    let now = RwSignal::new(clock::now());
    // One tick a second drives the watermark clock and the code's countdown.
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(clock::now()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let summary = licence.summary.clone();
    let presentable = matches!(
        summary.status,
        LicenceStatus::Valid | LicenceStatus::Expiring
    );
    let viewer = move || auth.me().map(|me| me.user.display_name).unwrap_or_default();
    let has_secrets = licence.fields.iter().any(|f| f.sensitive);
    let fields = licence.fields.clone();
    let id = summary.id.clone();
    // Her own driving licence running out, or run out: renewing it is one tap away (the form
    // takes this licence from her wallet). Not for one shown under someone else's authority.
    let renewable = summary.licence_type == LicenceType::DrivingLicence
        && summary.through_grant.is_none()
        && matches!(
            summary.status,
            LicenceStatus::Expiring | LicenceStatus::Expired
        )
        && auth
            .me_untracked()
            .is_some_and(|me| me.user.persona == Persona::Resident);
    let status = summary.status;
    view! {
        <div class="kp-stack">
            {if presentable {
                view! { <LiveCode licence_id=id.clone() licence_type=summary.licence_type now=now offline_at_start=offline/> }.into_any()
            } else {
                // Why not, in words: expired, or revoked.
                view! { <p class="kp-form-error">{move || match status {
                    LicenceStatus::Revoked => t_string!(i18n, wallet.cannot_show_revoked),
                    _ => t_string!(i18n, wallet.cannot_show_expired),
                }}</p> }.into_any()
            }}
            {renewable.then(|| view! {
                <a class="kp-link" href="/resident/services/driving_licence_renewal">{move || t_string!(i18n, wallet.renew)}</a>
            })}
            <section class="kp-licence-face" data-status=status_attr(summary.status) aria-labelledby="licence-face-title">
                <h2 id="licence-face-title" class="kp-licence-face__title">{move || labels::licence_type(i18n, summary.licence_type)}</h2>
                // aria-hidden: the ticking stamp is for the eye (a screenshot is visibly stale);
                // read aloud every second it would drown the page.
                <p class="kp-licence-face__watermark" aria-hidden="true">
                    {move || t_string!(i18n, wallet.watermark, name = viewer(), time = format::date_time_seconds(i18n.get_locale(), now.get())).to_string()}
                </p>
                <dl class="kp-facts">
                    {fields.into_iter().map(|f| {
                        let value = f.value.clone();
                        let sensitive = f.sensitive;
                        let lang = labels::value_lang(Some(f.key), &value, summary.licence_type);
                        view! {
                            <dt>{move || labels::field(i18n, f.key)}</dt>
                            <dd class:kp-code=sensitive lang=lang>{move || {
                                if sensitive && !revealed.get() { kapok_api::mask_number(&value) } else { labels::field_value(i18n, f.key, &value) }
                            }}</dd>
                        }
                    }).collect_view()}
                    <dt>{move || t_string!(i18n, wallet.validity)}</dt>
                    <dd>{
                        let until = summary.valid_until.clone();
                        let issued = summary.issued_on.clone();
                        move || {
                            let from = format::date(i18n.get_locale(), &issued);
                            match until.as_deref() {
                                Some(until) => t_string!(i18n, wallet.period, from = from, until = format::date(i18n.get_locale(), until)).to_string(),
                                None => t_string!(i18n, wallet.period_open, from = from).to_string(),
                            }
                        }
                    }</dd>
                    <dt>{move || t_string!(i18n, wallet.issued_by)}</dt>
                    <dd lang=labels::value_lang(None, &summary.issuing_authority, summary.licence_type)>{summary.issuing_authority.clone()}</dd>
                </dl>
                <p class="kp-licence-face__status">
                    <span class="kp-badge" data-status=status_attr(summary.status)>{move || labels::status(i18n, summary.status)}</span>
                </p>
                {has_secrets.then(|| view! {
                    <button type="button" class="kp-text-button" aria-pressed=move || revealed.get().to_string()
                        on:click=move |_| revealed.update(|r| *r = !*r)>
                        {move || if revealed.get() { t_string!(i18n, wallet.conceal) } else { t_string!(i18n, wallet.reveal) }}
                    </button>
                })}
            </section>
            <WhoChecked licence_id=id/>
        </div>
    }
}

/// The live QR code: consecutive signed codes from a batch kept on the device, each shown
/// for 40 s, with a countdown; a new batch is fetched while the last code shows. With no
/// network the saved batch keeps the code valid for a few minutes, and the page says until when.
#[component]
fn LiveCode(
    licence_id: String,
    licence_type: kapok_api::LicenceType,
    now: RwSignal<i64>,
    /// The page itself came from the device's saved copy.
    offline_at_start: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = device::personal(&format!("codes.{licence_id}"));
    // Whose codes these are: a batch that arrives after they were signed out is not kept.
    let asker = crate::auth::signed_in_user();
    let batch = RwSignal::new(device::get_json::<CodeBatch>(&key));
    let offline = RwSignal::new(offline_at_start);
    let failure = RwSignal::new(None::<ClientError>);
    // Device time of the last fetch; 0 (1970) means "never", so the first is due at once.
    let last_attempt = RwSignal::new(0_i64);
    let fetch = Action::new_local(move |id: &String| {
        let id = id.clone();
        async move {
            api()
                .present(
                    &id,
                    &PresentationRequest {
                        count: Some(BATCH_SIZE),
                    },
                )
                .await
        }
    });
    Effect::new(move |_| match fetch.value().get() {
        Some(Ok(presentations)) => {
            let fresh = CodeBatch {
                presentations,
                received_at: clock::now(),
            };
            device::keep_personal(asker.as_deref(), &key, &fresh);
            batch.set(Some(fresh));
            offline.set(false);
            failure.set(None);
        }
        Some(Err(e)) if e.is_unavailable() => offline.set(true),
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let id = licence_id.clone();
    Effect::new(move |_| {
        let t = now.get();
        let low = batch.with_untracked(|b| b.as_ref().is_none_or(|b| b.running_low(t)));
        // Offline, try again every 15 s rather than every tick.
        let due = t - last_attempt.get_untracked() >= if offline.get_untracked() { 15 } else { 0 };
        if low && due && !fetch.pending().get_untracked() && failure.with_untracked(Option::is_none)
        {
            last_attempt.set(t);
            fetch.dispatch_local(id.clone());
        }
    });
    let current =
        Memo::new(move |_| batch.with(|b| b.as_ref().and_then(|b| b.current(now.get()).cloned())));
    let token = Signal::derive(move || current.get().map(|p| p.token).unwrap_or_default());
    // The countdown itself is not live: read every second it would drown the page. A screen
    // reader hears once per new code that it changed and how long it lasts, then silence.
    let announcement = RwSignal::new(String::new());
    Effect::new(move |before: Option<String>| {
        let shown = token.get();
        if before.is_some_and(|b| !b.is_empty() && b != shown) && !shown.is_empty() {
            let seconds = batch.with_untracked(|b| {
                b.as_ref()
                    .map(|b| b.seconds_to_switch(now.get_untracked()))
                    .unwrap_or(0)
            });
            announcement.set(renewed_text(i18n, seconds));
        }
        shown
    });
    let label = Signal::derive(move || {
        t_string!(
            i18n,
            wallet.qr_label,
            licence = labels::licence_type(i18n, licence_type)
        )
        .to_string()
    });
    let has_code = Memo::new(move |_| current.with(Option::is_some));
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, wallet.qr_title).to_string())>
            <div class="kp-stack">
                <p>{move || t_string!(i18n, wallet.qr_hint)}</p>
                {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
                {move || match current.get() {
                    None if offline.get() => view! { <p class="kp-form-error" role="alert">{move || t_string!(i18n, wallet.offline_none)}</p> }.into_any(),
                    // The code's place and its countdown's line are kept while it loads.
                    None => view! {
                        <div class="kp-live-code__slot">
                            <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/>
                        </div>
                        <p class="kp-live-code__countdown" aria-hidden="true">"\u{a0}"</p>
                    }.into_any(),
                    Some(_) => view! {
                        <div class="kp-live-code">
                            <QrCode text=token label=label/>
                            <span class="kp-live-code__pulse" aria-hidden="true"></span>
                        </div>
                        <p class="kp-live-code__countdown">{move || {
                            let seconds = batch.with(|b| b.as_ref().map(|b| b.seconds_to_switch(now.get())).unwrap_or(0));
                            t_string!(i18n, wallet.qr_countdown, seconds = seconds).to_string()
                        }}</p>
                        {move || offline.get().then(|| {
                            let until = batch.with(|b| b.as_ref().and_then(|b| b.good_until(now.get_untracked()))).unwrap_or_default();
                            view! { <p class="kp-notice" role="status">{move || t_string!(i18n, wallet.offline_until, time = clock::time_of_day(until)).to_string()}</p> }
                        })}
                    }
                    .into_any(),
                }}
                <p class="kp-visually-hidden" aria-live="polite" aria-atomic="true" data-testid="qr-announcement">
                    {move || announcement.get()}
                </p>
                // Shown only while there is a code: with none (the first one still loading, or
                // the saved ones used up offline) it would open on nothing. Its place is kept
                // meanwhile, so the first code does not push the cards below it down.
                <details class="kp-details"
                    style:visibility=move || if has_code.get() { "visible" } else { "hidden" }>
                    <summary>{move || t_string!(i18n, wallet.qr_text_label)}</summary>
                    // Not an <output>: that is a live region, and each new code (100 characters)
                    // would be read out over the short announcement above.
                    <code class="kp-code kp-token" data-testid="licence-token">{move || token.get()}</code>
                </details>
            </div>
        </Card>
    }
}

#[component]
fn WhoChecked(licence_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let checks = LocalResource::new(move || {
        let id = licence_id.clone();
        async move { api().verifications(&id).await }
    });
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, wallet.seen_title).to_string())>
            {move || match checks.get() {
                None => view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }.into_any(),
                Some(Err(e)) => view! { <p class="kp-form-error">{error_text(i18n, &e)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>{move || t_string!(i18n, wallet.seen_empty)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="kp-checks">
                        {list.into_iter().map(|v| {
                            let who = v.verifier.clone();
                            let who_lang = v.verifier.clone();
                            view! {
                                <li class="kp-checks__item">
                                    <span class="kp-checks__who" lang=move || who_lang.as_deref().and_then(|w| labels::typed_lang(i18n.get_locale(), w))>
                                        {move || who.clone().unwrap_or_else(|| t_string!(i18n, wallet.seen_public).to_string())}
                                    </span>
                                    <span class="kp-checks__when">{move || format::date_time(i18n.get_locale(), v.verified_at)}</span>
                                    {v.place.clone().map(|p| {
                                        let lang = p.clone();
                                        view! {
                                            <span class="kp-checks__where" lang=move || labels::typed_lang(i18n.get_locale(), &lang)>{p}</span>
                                        }
                                    })}
                                    {v.replay.then(|| view! { <span class="kp-badge" data-status="revoked">{move || t_string!(i18n, wallet.seen_replay)}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| checks.refetch())>
                {move || t_string!(i18n, wallet.seen_refresh)}
            </Button>
        </Card>
    }
}

/// Puts keyboard focus on the status filter's option `value`.
fn focus_filter(value: &str) {
    use wasm_bindgen::JsCast;
    let option = document()
        .query_selector(&format!("input[name='licence-status'][value='{value}']"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(option) = option {
        let _ = option.focus();
    }
}

#[cfg(test)]
mod tests {
    use kapok_api::LicenceType;

    use super::*;

    fn summary(kind: HolderKind, status: LicenceStatus) -> LicenceSummary {
        LicenceSummary {
            id: "x".into(),
            licence_type: LicenceType::ResidentIdCard,
            holder_kind: kind,
            holder_name: "n".into(),
            number_masked: "1**2".into(),
            issued_on: "2020-01-01".into(),
            valid_until: None,
            status,
            issuing_authority: "a".into(),
            through_grant: None,
        }
    }

    #[test]
    fn each_shell_shows_only_its_holder_kind_and_the_chosen_status() {
        let list = [
            summary(HolderKind::Person, LicenceStatus::Valid),
            summary(HolderKind::Person, LicenceStatus::Expired),
            summary(HolderKind::Enterprise, LicenceStatus::Valid),
        ];
        assert_eq!(shown(&list, HolderKind::Person, None).len(), 2);
        assert_eq!(
            shown(&list, HolderKind::Person, Some(LicenceStatus::Expired)).len(),
            1
        );
        assert_eq!(shown(&list, HolderKind::Enterprise, None).len(), 1);
        assert!(shown(&list, HolderKind::Enterprise, Some(LicenceStatus::Expiring)).is_empty());
    }
}
