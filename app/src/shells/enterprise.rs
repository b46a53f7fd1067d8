use kapok_api::{EnterpriseRole, Persona};
use kapok_components::{Card, IconName, Tile, TileGrid};
use leptos::prelude::*;

use crate::{
    api::api,
    auth::Auth,
    i18n::{t_string, use_i18n},
    page::Page,
    shells::{Greeting, shell_title, tr},
};

#[component]
pub fn EnterpriseHome() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let tr = move |text| tr(i18n, text);
    let companies = move || auth.me().map(|me| me.enterprises).unwrap_or_default();
    // The chat link is not the only channel: requests waiting for this user show here too.
    let waiting = LocalResource::new(|| async {
        api()
            .delegation_requests()
            .await
            .map(|r| !r.to_decide.is_empty())
            .unwrap_or(false)
    });
    view! {
        <Page title=Signal::derive(move || shell_title(Persona::Enterprise, i18n))>
            <div class="kp-stack">
                <Greeting/>
                <Suspense>
                    {move || Suspend::new(async move {
                        waiting.await.then(|| view! {
                            <p class="kp-notice" role="status">
                                {t_string!(i18n, home.waiting_for_you)}" "
                                <a class="kp-link" href="/enterprise/delegation">{t_string!(i18n, home.review)}</a>
                            </p>
                        })
                    })}
                </Suspense>
                {move || companies().into_iter().map(|m| {
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
                }).collect_view()}
                <TileGrid label=tr(|i| t_string!(i, home.shortcuts))>
                    <Tile href="/enterprise/wallet" icon=IconName::IdCard label=tr(|i| t_string!(i, home.company_licences))/>
                    <Tile href="/enterprise/delegation" icon=IconName::Delegation
                        label=tr(|i| t_string!(i, home.delegation)) hint=tr(|i| t_string!(i, home.delegation_hint))/>
                    <Tile href="/enterprise/me" icon=IconName::Me label=tr(|i| t_string!(i, home.settings))/>
                </TileGrid>
            </div>
        </Page>
    }
}
