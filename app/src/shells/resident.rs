use kapok_api::Persona;
use kapok_components::{IconName, Tile, TileGrid};
use leptos::prelude::*;

use crate::{
    i18n::{t_string, use_i18n},
    page::Page,
    shells::{Greeting, shell_title, tr},
};

#[component]
pub fn ResidentHome() -> impl IntoView {
    let i18n = use_i18n();
    let tr = move |text| tr(i18n, text);
    view! {
        <Page title=Signal::derive(move || shell_title(Persona::Resident, i18n))>
            <div class="kp-stack">
                <Greeting/>
                <TileGrid label=tr(|i| t_string!(i, home.shortcuts))>
                    <Tile href="/resident/wallet" icon=IconName::IdCard
                        label=tr(|i| t_string!(i, home.show_id_code)) hint=tr(|i| t_string!(i, home.show_id_code_hint))/>
                    <Tile href="/resident/wallet" icon=IconName::Wallet label=tr(|i| t_string!(i, home.my_licences))/>
                    <Tile href="/resident/services" icon=IconName::Services label=tr(|i| t_string!(i, home.services))/>
                    <Tile href="/resident/family" icon=IconName::Delegation
                        label=tr(|i| t_string!(i, home.family)) hint=tr(|i| t_string!(i, home.family_hint))/>
                    <Tile href="/resident/me" icon=IconName::Me label=tr(|i| t_string!(i, home.settings))/>
                </TileGrid>
            </div>
        </Page>
    }
}
