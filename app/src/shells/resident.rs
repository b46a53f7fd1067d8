use kapok_api::{LicenceType, Persona};
use kapok_components::{EmptyState, IconName, Loading, Tile, TileGrid};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::{
    api::api,
    i18n::{t_string, use_i18n},
    page::{LoadFailed, Page},
    prefs::Prefs,
    shells::{Greeting, HELP_LINE, WaitingForYou, shell_title, tr},
};

#[component]
pub fn ResidentHome() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = Prefs::get();
    let tr = move |text| tr(i18n, text);
    view! {
        <Page title=Signal::derive(move || shell_title(Persona::Resident, i18n))>
            <div class="kp-stack">
                <Greeting/>
                // Family members' requests wait here too, in elderly mode as well, where the
                // home has no family tile.
                <WaitingForYou href="/resident/family"/>
                // Elderly mode keeps the four things people come for, as large tiles, and nothing else.
                <TileGrid label=tr(|i| t_string!(i, home.shortcuts))>
                    <Tile href="/resident/id-code" icon=IconName::IdCard
                        label=tr(|i| t_string!(i, home.show_id_code)) hint=tr(|i| t_string!(i, home.show_id_code_hint))/>
                    <Tile href="/resident/wallet" icon=IconName::Wallet label=tr(|i| t_string!(i, home.my_licences)) hint=tr(|i| t_string!(i, home.my_licences_hint))/>
                    {move || if prefs.elderly.get() {
                        view! {
                            <Tile href="/resident/applications" icon=IconName::Applications label=tr(|i| t_string!(i, home.my_applications)) hint=tr(|i| t_string!(i, home.my_applications_hint))/>
                        }.into_any()
                    } else {
                        view! {
                            <Tile href="/resident/services" icon=IconName::Services label=tr(|i| t_string!(i, home.services)) hint=tr(|i| t_string!(i, home.services_hint))/>
                            <Tile href="/resident/family" icon=IconName::Delegation
                                label=tr(|i| t_string!(i, home.family)) hint=tr(|i| t_string!(i, home.family_hint))/>
                            <Tile href="/resident/me" icon=IconName::Me label=tr(|i| t_string!(i, home.settings)) hint=tr(|i| t_string!(i, home.settings_hint))/>
                        }.into_any()
                    }}
                    <Tile href=HELP_LINE icon=IconName::Help
                        label=tr(|i| t_string!(i, home.call_help)) hint=tr(|i| t_string!(i, home.call_help_hint))/>
                </TileGrid>
            </div>
        </Page>
    }
}

/// "Show my ID code" in one tap: opens the holder's own identity card with its live code.
#[component]
pub fn IdCode() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let wallet = LocalResource::new(|| async { api().wallet().await });
    let card = Memo::new(move |_| {
        wallet.get().and_then(|r| r.ok()).and_then(|list| {
            list.into_iter()
                .find(|l| {
                    l.through_grant.is_none()
                        && matches!(
                            l.licence_type,
                            LicenceType::ResidentIdCard | LicenceType::HkIdentityCard
                        )
                })
                .map(|l| l.id)
        })
    });
    // The card takes this page's place in the history: Back from it goes to where the person
    // tapped "show my ID", not here, which would only open the card again.
    Effect::new(move |_| {
        if let Some(id) = card.get() {
            let options = leptos_router::NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&format!("/resident/wallet/{id}"), options);
        }
    });
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, home.show_id_code).to_string()) back="/resident">
            {move || match wallet.get() {
                _ if card.get().is_some() => view! { <Loading label=Signal::derive(move || t_string!(i18n, home.finding_id_card).to_string())/> }.into_any(),
                None => view! { <Loading label=Signal::derive(move || t_string!(i18n, home.finding_id_card).to_string())/> }.into_any(),
                Some(Err(e)) => view! { <LoadFailed error=e on_retry=Callback::new(move |_| wallet.refetch())/> }.into_any(),
                Some(Ok(_)) => view! {
                    <EmptyState
                        title=Signal::derive(move || t_string!(i18n, home.show_id_code).to_string())
                        message=Signal::derive(move || t_string!(i18n, home.no_id_card).to_string())
                    >
                        <a class="kp-link" href="/resident/wallet">{move || t_string!(i18n, home.my_licences)}</a>
                    </EmptyState>
                }.into_any(),
            }}
        </Page>
    }
}
