//! The Kapok client: one Leptos CSR binary holding the sign-in page and three persona shells.

mod api;
mod app;
mod auth;
mod clock;
mod codes;
mod device;
mod errors;
mod labels;
mod page;
mod pages;
mod prefs;
mod settings;
mod shells;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

fn main() {
    leptos::mount::mount_to_body(app::App);
}
