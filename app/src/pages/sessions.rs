//! The devices signed in on "me": each session with its browser, how and when it was opened
//! and when it was last used, and a way to end any other one (a lost phone, a shared computer).

use kapok_api::{ErrorCode, SessionInfo, SignInMethod, client::ClientError};
use kapok_components::{Card, Loading, Toast};
use leptos::prelude::*;

use crate::{
    api::api,
    errors::error_text,
    format,
    i18n::{t_string, use_i18n},
    page::LoadFailed,
};

/// `changed`: bumped when something else on the page ended sessions (a new password), so the
/// list is fetched again.
#[component]
pub fn SessionsCard(changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let sessions = LocalResource::new(move || {
        changed.track();
        async { api().sessions().await }
    });
    let failure = RwSignal::new(None::<ClientError>);
    let ended = RwSignal::new(None::<String>);
    let end = Action::new_local(|id: &String| {
        let id = id.clone();
        async move { api().end_session(&id).await }
    });
    Effect::new(move |_| {
        if let Some(result) = end.value().get() {
            match result {
                // Already ended (it ran out, or was ended elsewhere) is what was asked for.
                Err(e) if e.code() != Some(ErrorCode::NotFound) => failure.set(Some(e)),
                _ => ended.set(Some(t_string!(i18n, sessions.ended).to_string())),
            }
            sessions.refetch();
        }
    });
    view! {
        <Card title=Signal::derive(move || t_string!(i18n, sessions.title).to_string())>
            <div class="kp-stack">
                <p>{move || t_string!(i18n, sessions.intro)}</p>
                <Suspense fallback=move || view! { <Loading label=Signal::derive(move || t_string!(i18n, loading).to_string())/> }>
                    {move || Suspend::new(async move {
                        match sessions.await {
                            Ok(list) => view! {
                                <ul class="kp-checks" aria-label=move || t_string!(i18n, sessions.list_label)>
                                    {list.into_iter().map(|s| view! { <SessionItem session=s end=end/> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| sessions.refetch())/> }.into_any(),
                        }
                    })}
                </Suspense>
                <Toast message=Signal::derive(move || ended.get())/>
                {move || failure.get().map(|e| view! { <p class="kp-form-error" role="alert">{error_text(i18n, &e)}</p> })}
            </div>
        </Card>
    }
}

#[component]
fn SessionItem(
    session: SessionInfo,
    end: Action<String, Result<(), ClientError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let SessionInfo {
        id,
        device,
        signed_in_with,
        created_at,
        last_seen_at,
        current,
    } = session;
    let device = StoredValue::new(device);
    let name = move || {
        device.with_value(|d| {
            if d.is_empty() {
                return t_string!(i18n, sessions.unknown_device).to_string();
            }
            // The server names an app's own browser for the app, and a phone maker's browser
            // for itself, in English ("WeChat · Android", "Huawei Browser · Android"); the
            // reader knows them by the names in their language.
            let (browser, system) = d.split_once(" · ").unwrap_or((d.as_str(), ""));
            let app = match browser {
                "WeChat" => t_string!(i18n, sessions.app_wechat),
                "WeCom" => t_string!(i18n, sessions.app_wecom),
                "DingTalk" => t_string!(i18n, sessions.app_dingtalk),
                "Alipay" => t_string!(i18n, sessions.app_alipay),
                "Feishu" => t_string!(i18n, sessions.app_feishu),
                "Weibo" => t_string!(i18n, sessions.app_weibo),
                "Douyin" => t_string!(i18n, sessions.app_douyin),
                "RedNote" => t_string!(i18n, sessions.app_rednote),
                "Baidu" => t_string!(i18n, sessions.app_baidu),
                "UC Browser" => t_string!(i18n, sessions.browser_uc),
                "Quark" => t_string!(i18n, sessions.browser_quark),
                "QQ Browser" => t_string!(i18n, sessions.browser_qq),
                "Huawei Browser" => t_string!(i18n, sessions.browser_huawei),
                "Xiaomi Browser" => t_string!(i18n, sessions.browser_xiaomi),
                "vivo Browser" => t_string!(i18n, sessions.browser_vivo),
                "OPPO Browser" => t_string!(i18n, sessions.browser_oppo),
                "Samsung Internet" => t_string!(i18n, sessions.browser_samsung),
                _ => return d.clone(),
            };
            if system.is_empty() {
                app.to_string()
            } else {
                [app, system].join(" · ")
            }
        })
    };
    let opened = move || {
        let time = format::date_time(i18n.get_locale(), created_at);
        match signed_in_with {
            SignInMethod::Password => t_string!(i18n, sessions.signed_in_password, time = time),
            SignInMethod::Passkey => t_string!(i18n, sessions.signed_in_passkey, time = time),
        }
        .to_string()
    };
    view! {
        <li class="kp-checks__item">
            <span class="kp-checks__who">
                {name}
                {current.then(|| view! { " " <span class="kp-badge" data-status="valid">{move || t_string!(i18n, sessions.this_device)}</span> })}
            </span>
            <span class="kp-checks__when">{opened}</span>
            <span class="kp-checks__where">{move || t_string!(i18n, sessions.last_seen, time = format::date_time(i18n.get_locale(), last_seen_at)).to_string()}</span>
            // This device signs out with the buttons below the card, which also wipe what it saved.
            {(!current).then(|| view! {
                <button type="button" class="kp-text-button" disabled=move || end.pending().get()
                    aria-label=move || t_string!(i18n, sessions.end_label, device = name()).to_string()
                    on:click=move |ev| {
                        crate::page::keep_focus_after(ev.current_target());
                        end.dispatch_local(id.clone());
                    }>
                    {move || t_string!(i18n, sessions.end)}
                </button>
            })}
        </li>
    }
}
