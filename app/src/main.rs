//! The Kapok client: one Leptos CSR binary holding the sign-in page and three persona shells.

mod api;
mod app;
mod auth;
mod clock;
mod codes;
mod device;
mod errors;
mod format;
mod idle;
mod labels;
mod page;
mod pages;
mod prefs;
mod read_aloud;
mod scanner;
mod settings;
mod shells;
mod unsaved;
mod webauthn;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

fn main() {
    register_service_worker();
    leptos::mount::mount_to_body(app::App);
    // The loading line index.html shows until now; the app shows its own from here on.
    if let Some(boot) = leptos::prelude::document().get_element_by_id("kp-boot") {
        boot.remove();
    }
}

/// The service worker (public/sw.js) lets the app open with no network. Where the browser has
/// none, or refuses it (a private window), the app works as before, online only.
fn register_service_worker() {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().service_worker().register("/sw.js");
    }
}
