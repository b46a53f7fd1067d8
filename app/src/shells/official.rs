use kapok_api::{Department, Persona};
use kapok_components::{Card, IconName, Tile, TileGrid};
use leptos::prelude::*;

use crate::{
    auth::Auth,
    i18n::{t_string, use_i18n},
    page::Page,
    prefs::Prefs,
    shells::{Greeting, HELP_LINE, shell_title, tr},
};

#[component]
pub fn OfficialHome() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let prefs = Prefs::get();
    let department = move || auth.me().and_then(|me| me.user.department);
    let tr = move |text| tr(i18n, text);
    view! {
        <Page title=Signal::derive(move || shell_title(Persona::Official, i18n))>
            <div class="kp-stack">
                <Greeting/>
                {move || department().filter(|_| !prefs.elderly.get()).map(|d| view! {
                    <Card>
                        <dl class="kp-facts">
                            <dt>{t_string!(i18n, home.department)}</dt>
                            <dd>{match d {
                                Department::MarketRegulation => t_string!(i18n, home.department_market_regulation),
                                Department::ServiceCentre => t_string!(i18n, home.department_service_centre),
                            }}</dd>
                        </dl>
                    </Card>
                })}
                <TileGrid label=tr(|i| t_string!(i, home.shortcuts))>
                    <Tile href="/official/verify" icon=IconName::Verify label=tr(|i| t_string!(i, home.verify_counter)) hint=tr(|i| t_string!(i, home.verify_counter_hint))/>
                    <Tile href="/official/inbox" icon=IconName::Inbox label=tr(|i| t_string!(i, home.inbox)) hint=tr(|i| t_string!(i, home.inbox_hint))/>
                    {move || if prefs.elderly.get() {
                        view! {
                            <Tile href=HELP_LINE icon=IconName::Help
                                label=tr(|i| t_string!(i, home.call_help)) hint=tr(|i| t_string!(i, home.call_help_hint))/>
                        }.into_any()
                    } else {
                        view! { <Tile href="/official/me" icon=IconName::Me label=tr(|i| t_string!(i, home.settings)) hint=tr(|i| t_string!(i, home.settings_hint))/> }.into_any()
                    }}
                </TileGrid>
            </div>
        </Page>
    }
}
