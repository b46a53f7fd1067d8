use kapok_api::Persona;
use kapok_components::{IconName, Tile, TileGrid};
use leptos::prelude::*;

use crate::{
    auth::Auth,
    i18n::{t_string, use_i18n},
    page::Page,
    shells::shell_title,
};

#[component]
pub fn ResidentHome() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let name = move || auth.me().map(|me| me.user.display_name).unwrap_or_default();
    let tr = move |text: fn(leptos_i18n::I18nContext<crate::i18n::Locale>) -> &'static str| {
        Signal::derive(move || text(i18n).to_string())
    };
    view! {
        <Page title=Signal::derive(move || shell_title(Persona::Resident, i18n))>
            <div class="kp-stack">
                <p class="kp-greeting">{move || t_string!(i18n, home.greeting, name = name()).to_string()}</p>
                <TileGrid label=tr(|i| t_string!(i, home.shortcuts))>
                    <Tile href="/resident/wallet" icon=IconName::IdCard
                        label=tr(|i| t_string!(i, home.show_id_code)) hint=tr(|i| t_string!(i, home.show_id_code_hint))/>
                    <Tile href="/resident/wallet" icon=IconName::Wallet label=tr(|i| t_string!(i, home.my_licences))/>
                    <Tile href="/resident/services" icon=IconName::Services label=tr(|i| t_string!(i, home.services))/>
                    <Tile href="/resident/me" icon=IconName::Me label=tr(|i| t_string!(i, home.settings))/>
                </TileGrid>
            </div>
        </Page>
    }
}
