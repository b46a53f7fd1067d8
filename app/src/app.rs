//! The root: locale and preference providers, the router, and every route.

use kapok_api::{DelegationKind, HolderKind, Persona};
use leptos::prelude::*;
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    auth::Auth,
    i18n::{I18nContextProvider, use_i18n},
    pages::{
        authorize::AuthorizePage,
        delegation::DelegationPage,
        me::MePage,
        messages::MessagesPage,
        not_found::NotFound,
        policies::PoliciesPage,
        services::{ApplicationPage, ApplicationsPage, ApplyPage, ServicesPage},
        sign_in::SignInPage,
        tasks::{TaskPage, TasksPage},
        verify::VerifyPage,
        wallet::{LicencePage, WalletPage},
    },
    prefs::Prefs,
    shells::{
        Shell,
        enterprise::EnterpriseHome,
        official::OfficialHome,
        resident::{IdCode, ResidentHome},
    },
};

#[component]
pub fn App() -> impl IntoView {
    view! {
        // Keeps <html lang> in step with the locale.
        <I18nContextProvider>
            <Root/>
        </I18nContextProvider>
    }
}

#[component]
fn Root() -> impl IntoView {
    // leptos_i18n sets its start-up locale from the browser in an effect; this one is created
    // after it, so it runs after it, and the device's remembered choice wins.
    let i18n = use_i18n();
    Effect::new(move |_| crate::prefs::restore_locale(i18n));
    Prefs::provide();
    Auth::provide();
    view! {
        <Router>
            <crate::idle::IdleGuard/>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=SignInPage/>
                <ParentRoute path=path!("/resident") view=|| view! { <Shell persona=Persona::Resident/> }>
                    <Route path=path!("") view=ResidentHome/>
                    <Route path=path!("id-code") view=IdCode/>
                    <Route path=path!("wallet") view=|| view! { <WalletPage holder=HolderKind::Person/> }/>
                    <Route path=path!("wallet/:id") view=|| view! { <LicencePage holder=HolderKind::Person/> }/>
                    <Route path=path!("services") view=|| view! { <ServicesPage persona=Persona::Resident/> }/>
                    <Route path=path!("services/:service") view=|| view! { <ApplyPage persona=Persona::Resident/> }/>
                    <Route path=path!("applications") view=|| view! { <ApplicationsPage persona=Persona::Resident/> }/>
                    <Route path=path!("applications/:id") view=|| view! { <ApplicationPage persona=Persona::Resident/> }/>
                    <Route path=path!("messages") view=|| view! { <MessagesPage persona=Persona::Resident/> }/>
                    <Route path=path!("family") view=|| view! { <DelegationPage kind=DelegationKind::Family/> }/>
                    <Route path=path!("me") view=MePage/>
                </ParentRoute>
                <ParentRoute path=path!("/enterprise") view=|| view! { <Shell persona=Persona::Enterprise/> }>
                    <Route path=path!("") view=EnterpriseHome/>
                    <Route path=path!("wallet") view=|| view! { <WalletPage holder=HolderKind::Enterprise/> }/>
                    <Route path=path!("wallet/:id") view=|| view! { <LicencePage holder=HolderKind::Enterprise/> }/>
                    <Route path=path!("delegation") view=|| view! { <DelegationPage kind=DelegationKind::Enterprise/> }/>
                    <Route path=path!("policies") view=PoliciesPage/>
                    <Route path=path!("services") view=|| view! { <ServicesPage persona=Persona::Enterprise/> }/>
                    <Route path=path!("services/:service") view=|| view! { <ApplyPage persona=Persona::Enterprise/> }/>
                    <Route path=path!("applications") view=|| view! { <ApplicationsPage persona=Persona::Enterprise/> }/>
                    <Route path=path!("applications/:id") view=|| view! { <ApplicationPage persona=Persona::Enterprise/> }/>
                    <Route path=path!("messages") view=|| view! { <MessagesPage persona=Persona::Enterprise/> }/>
                    <Route path=path!("me") view=MePage/>
                </ParentRoute>
                <ParentRoute path=path!("/official") view=|| view! { <Shell persona=Persona::Official/> }>
                    <Route path=path!("") view=OfficialHome/>
                    <Route path=path!("verify") view=|| view! { <VerifyPage/> }/>
                    <Route path=path!("inbox") view=TasksPage/>
                    <Route path=path!("inbox/:id") view=TaskPage/>
                    <Route path=path!("messages") view=|| view! { <MessagesPage persona=Persona::Official/> }/>
                    <Route path=path!("me") view=MePage/>
                </ParentRoute>
                <Route path=path!("/verify") view=|| view! { <VerifyPage public=true/> }/>
                <Route path=path!("/authorize") view=AuthorizePage/>
            </Routes>
        </Router>
    }
}
