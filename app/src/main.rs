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

#[cfg(test)]
mod tests {
    /// Every string of a locale file, with its key.
    fn strings(json: &str) -> Vec<(String, String)> {
        fn walk(value: &serde_json::Value, key: &str, out: &mut Vec<(String, String)>) {
            match value {
                serde_json::Value::String(s) => out.push((key.to_owned(), s.clone())),
                serde_json::Value::Object(fields) => {
                    for (k, v) in fields {
                        walk(v, &format!("{key}.{k}"), out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&serde_json::from_str(json).unwrap(), "", &mut out);
        out
    }

    /// The simplified Chinese speaks to the reader one way throughout, with the polite 您, as
    /// a public service does; one screen switching between 您 and 你 reads as careless.
    #[test]
    fn simplified_chinese_addresses_the_reader_as_nin_throughout() {
        let informal: Vec<_> = strings(include_str!("../../locales/zh-CN.json"))
            .into_iter()
            .filter(|(_, s)| s.contains('你'))
            .map(|(key, _)| key)
            .collect();
        assert!(informal.is_empty(), "{informal:?}");
    }
}
