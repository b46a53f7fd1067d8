use kapok_api::{EnterpriseRole, Persona};
use kapok_components::{Card, IconName, Tile, TileGrid};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::{
    api::api,
    auth::Auth,
    format,
    i18n::{Locale, t_string, use_i18n},
    page::Page,
    prefs::Prefs,
    shells::{Greeting, HELP_LINE, shell_title, tr},
};

#[component]
pub fn EnterpriseHome() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let prefs = Prefs::get();
    let tr = move |text| tr(i18n, text);
    let companies = move || auth.me().map(|me| me.enterprises).unwrap_or_default();
    // The chat link is not the only channel: requests waiting for this user show here too.
    let waiting = LocalResource::new(|| async {
        api()
            .delegation_requests()
            .await
            .map(|r| r.to_decide.len() as i64)
            .unwrap_or(0)
    });
    view! {
        <Page title=Signal::derive(move || shell_title(Persona::Enterprise, i18n))>
            <div class="kp-stack">
                <Greeting/>
                <Suspense>
                    {move || Suspend::new(async move {
                        let n = waiting.await;
                        (n > 0).then(|| view! {
                            <p class="kp-notice" role="status">
                                {move || waiting_text(i18n, n)}" "
                                <a class="kp-link" href="/enterprise/delegation">{t_string!(i18n, home.review)}</a>
                            </p>
                        })
                    })}
                </Suspense>
                // Elderly mode: the company's details stay under "me"; the home is large tiles.
                {move || (!prefs.elderly.get()).then(|| companies().into_iter().map(|m| {
                    let role = m.role;
                    view! {
                        <Card title=m.enterprise.name.clone()>
                            <dl class="kp-facts">
                                <dt>{t_string!(i18n, home.uscc)}</dt>
                                <dd class="kp-code">{m.enterprise.uscc.clone()}</dd>
                                <dt>{t_string!(i18n, home.role)}</dt>
                                <dd>{match role {
                                    EnterpriseRole::LegalRepresentative => t_string!(i18n, home.role_legal_representative),
                                    EnterpriseRole::Staff => t_string!(i18n, home.role_staff),
                                }}</dd>
                            </dl>
                        </Card>
                    }
                }).collect_view())}
                <TileGrid label=tr(|i| t_string!(i, home.shortcuts))>
                    <Tile href="/enterprise/wallet" icon=IconName::IdCard label=tr(|i| t_string!(i, home.company_licences))/>
                    <Tile href="/enterprise/services" icon=IconName::Services label=tr(|i| t_string!(i, home.company_services))/>
                    <Tile href="/enterprise/delegation" icon=IconName::Delegation
                        label=tr(|i| t_string!(i, home.delegation)) hint=tr(|i| t_string!(i, home.delegation_hint))/>
                    {move || (!prefs.elderly.get()).then(|| view! {
                        <Tile href="/enterprise/policies" icon=IconName::Policy label=tr(|i| t_string!(i, policies.title))/>
                    })}
                    {move || if prefs.elderly.get() {
                        view! {
                            <Tile href=HELP_LINE icon=IconName::Help
                                label=tr(|i| t_string!(i, home.call_help)) hint=tr(|i| t_string!(i, home.call_help_hint))/>
                        }.into_any()
                    } else {
                        view! { <Tile href="/enterprise/me" icon=IconName::Me label=tr(|i| t_string!(i, home.settings))/> }.into_any()
                    }}
                </TileGrid>
            </div>
        </Page>
    }
}

/// "2 authorisation requests are waiting for you", in the locale's words and plural.
fn waiting_text(i18n: I18nContext<Locale>, n: i64) -> String {
    format::counted(
        i18n.get_locale(),
        n,
        |count| t_string!(i18n, home.waiting_count.one, count = count).to_string(),
        |count| t_string!(i18n, home.waiting_count.other, count = count).to_string(),
    )
}
