use kapok_components::EmptyState;
use leptos::prelude::*;

use crate::{
    i18n::{t_string, use_i18n},
    page::Page,
};

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Page title=Signal::derive(move || t_string!(i18n, not_found.title).to_string())>
            <EmptyState
                title=Signal::derive(move || t_string!(i18n, not_found.title).to_string())
                message=Signal::derive(move || t_string!(i18n, not_found.message).to_string())
            >
                <a class="kp-link" href="/">{move || t_string!(i18n, not_found.home)}</a>
            </EmptyState>
        </Page>
    }
}
