//! Sections whose features arrive in later releases: a real page that says what will be here.

use kapok_components::EmptyState;
use leptos::prelude::*;

use crate::{
    i18n::{t_string, use_i18n},
    page::Page,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    Services,
    Delegation,
    Inbox,
    Authorize,
}

#[component]
pub fn ComingSoon(feature: Feature) -> impl IntoView {
    let i18n = use_i18n();
    let title = Signal::derive(move || {
        match feature {
            Feature::Services => t_string!(i18n, tabs.services),
            Feature::Delegation => t_string!(i18n, home.delegation),
            Feature::Inbox => t_string!(i18n, home.inbox),
            Feature::Authorize => t_string!(i18n, home.delegation),
        }
        .to_string()
    });
    let message = Signal::derive(move || {
        match feature {
            Feature::Services => t_string!(i18n, coming.services),
            Feature::Delegation => t_string!(i18n, coming.delegation),
            Feature::Inbox => t_string!(i18n, coming.inbox),
            Feature::Authorize => t_string!(i18n, coming.authorize),
        }
        .to_string()
    });
    // The public pages sit outside any shell; they lead back to the start page.
    let public = matches!(feature, Feature::Authorize);
    view! {
        <Page title=title>
            <EmptyState title=Signal::derive(move || t_string!(i18n, coming.title).to_string()) message=message>
                {public.then(|| view! { <a class="kp-link" href="/">{move || t_string!(i18n, not_found.home)}</a> })}
            </EmptyState>
        </Page>
    }
}
