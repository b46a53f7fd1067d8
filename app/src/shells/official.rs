use kapok_api::{Department, Persona};
use kapok_components::{Card, IconName, Tile, TileGrid};
use leptos::prelude::*;

use crate::{
    auth::Auth,
    i18n::{t_string, use_i18n},
    page::Page,
    shells::{Greeting, shell_title, tr},
};

#[component]
pub fn OfficialHome() -> impl IntoView {
    let i18n = use_i18n();
    let auth = Auth::get();
    let department = move || auth.me().and_then(|me| me.user.department);
    let tr = move |text| tr(i18n, text);
    view! {
        <Page title=Signal::derive(move || shell_title(Persona::Official, i18n))>
            <div class="kp-stack">
                <Greeting/>
                {move || department().map(|d| view! {
                    <Card>
                        <dl class="kp-facts">
                            <dt>{t_string!(i18n, home.department)}</dt>
                            <dd>{match d {
                                Department::MarketRegulation => t_string!(i18n, home.department_market_regulation),
                            }}</dd>
                        </dl>
                    </Card>
                })}
                <TileGrid label=tr(|i| t_string!(i, home.shortcuts))>
                    <Tile href="/official/verify" icon=IconName::Verify label=tr(|i| t_string!(i, home.verify_counter))/>
                    <Tile href="/official/inbox" icon=IconName::Inbox label=tr(|i| t_string!(i, home.inbox))/>
                    <Tile href="/official/me" icon=IconName::Me label=tr(|i| t_string!(i, home.settings))/>
                </TileGrid>
            </div>
        </Page>
    }
}
