use kapok_api::{EnterpriseRole, Persona};
use kapok_components::{Card, IconName, Tile, TileGrid};
use leptos::prelude::*;

use crate::{
    auth::Auth,
    i18n::{t_string, use_i18n},
    labels,
    page::Page,
    prefs::Prefs,
    shells::{Greeting, HELP_LINE, WaitingForYou, shell_title, tr},
};

#[component]
pub fn EnterpriseHome() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let prefs = Prefs::get();
    let tr = move |text| tr(i18n, text);
    let companies = move || auth.me().map(|me| me.enterprises).unwrap_or_default();
    // A legal representative decides on requests; staff make them.
    let represents = move || {
        companies()
            .iter()
            .any(|m| m.role == EnterpriseRole::LegalRepresentative)
    };
    view! {
        <Page title=Signal::derive(move || shell_title(Persona::Enterprise, i18n))>
            <div class="kp-stack">
                <Greeting/>
                <WaitingForYou href="/enterprise/delegation"/>
                // Elderly mode: the company's details stay under "me"; the home is large tiles.
                {move || (!prefs.elderly.get()).then(|| companies().into_iter().map(|m| {
                    let role = m.role;
                    let name = m.enterprise.name.clone();
                    view! {
                        <Card title=m.enterprise.name.clone() title_lang=Signal::derive(move || labels::typed_lang(i18n.get_locale(), &name))>
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
                    <Tile href="/enterprise/wallet" icon=IconName::IdCard label=tr(|i| t_string!(i, home.company_licences)) hint=tr(|i| t_string!(i, home.company_licences_hint))/>
                    <Tile href="/enterprise/services" icon=IconName::Services label=tr(|i| t_string!(i, home.company_services)) hint=tr(|i| t_string!(i, home.company_services_hint))/>
                    <Tile href="/enterprise/delegation" icon=IconName::Delegation
                        label=tr(|i| t_string!(i, home.delegation))
                        hint=Signal::derive(move || if represents() { t_string!(i18n, home.delegation_hint_rep) } else { t_string!(i18n, home.delegation_hint) }.to_string())/>
                    {move || (!prefs.elderly.get()).then(|| view! {
                        <Tile href="/enterprise/policies" icon=IconName::Policy label=tr(|i| t_string!(i, policies.title)) hint=tr(|i| t_string!(i, home.policies_hint))/>
                    })}
                    {move || if prefs.elderly.get() {
                        view! {
                            <Tile href=HELP_LINE icon=IconName::Help
                                label=tr(|i| t_string!(i, home.call_help)) hint=tr(|i| t_string!(i, home.call_help_hint))/>
                        }.into_any()
                    } else {
                        view! { <Tile href="/enterprise/me" icon=IconName::Me label=tr(|i| t_string!(i, home.settings)) hint=tr(|i| t_string!(i, home.settings_hint))/> }.into_any()
                    }}
                </TileGrid>
            </div>
        </Page>
    }
}
