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
    Inbox,
}

#[component]
pub fn ComingSoon(feature: Feature) -> impl IntoView {
    let i18n = use_i18n();
    let title = Signal::derive(move || {
        match feature {
            Feature::Services => t_string!(i18n, tabs.services),
            Feature::Inbox => t_string!(i18n, home.inbox),
        }
        .to_string()
    });
    let message = Signal::derive(move || {
        match feature {
            Feature::Services => t_string!(i18n, coming.services),
            Feature::Inbox => t_string!(i18n, coming.inbox),
        }
        .to_string()
    });
    view! {
        <Page title=title>
            <EmptyState title=Signal::derive(move || t_string!(i18n, coming.title).to_string()) message=message/>
        </Page>
    }
}
