//! Device settings: display mode (standard or elderly) and locale, remembered on this device.
//!
//! public/boot.js applies the remembered mode to `<html>` before the first paint, so the page
//! does not jump; this module keeps it in sync afterwards.

use kapok_api::{LocaleTag, Me};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::i18n::Locale;

const MODE_KEY: &str = "kapok.mode";
const LOCALE_CHOSEN_KEY: &str = "kapok.locale-chosen";
const ELDERLY: &str = "elderly";

#[derive(Clone, Copy)]
pub struct Prefs {
    pub elderly: RwSignal<bool>,
}

impl Prefs {
    pub fn provide() -> Prefs {
        let on = html().and_then(|h| h.get_attribute("data-mode")).as_deref() == Some(ELDERLY);
        let prefs = Prefs {
            elderly: RwSignal::new(on),
        };
        provide_context(prefs);
        prefs
    }

    pub fn get() -> Prefs {
        expect_context()
    }

    /// Switches elderly mode on or off and remembers the choice on this device.
    pub fn set_elderly(self, on: bool) {
        store(MODE_KEY, mode_value(on));
        apply_mode(on);
        self.elderly.set(on);
    }

    /// Applies an account's preferences on sign-in, for whatever this device has not chosen.
    pub fn adopt_account_preferences(self, me: &Me, i18n: I18nContext<Locale>) {
        if load(MODE_KEY).is_none() && me.user.prefers_elderly_mode {
            self.set_elderly(true);
        }
        if load(LOCALE_CHOSEN_KEY).is_none() {
            i18n.set_locale(locale_for(me.user.preferred_locale));
        }
    }
}

/// Switches the locale and remembers that the person chose it.
pub fn choose_locale(i18n: I18nContext<Locale>, locale: Locale) {
    store(LOCALE_CHOSEN_KEY, "1");
    i18n.set_locale(locale);
}

pub fn locale_for(tag: LocaleTag) -> Locale {
    match tag {
        LocaleTag::ZhCn => Locale::zh_CN,
        LocaleTag::ZhHk => Locale::zh_HK,
        LocaleTag::En => Locale::en,
    }
}

fn mode_value(elderly: bool) -> &'static str {
    if elderly { ELDERLY } else { "standard" }
}

fn apply_mode(elderly: bool) {
    if let Some(h) = html() {
        let _ = h.set_attribute("data-mode", mode_value(elderly));
    }
}

/// Marks `<html>` with the persona whose shell is showing, which picks the theme tokens.
pub fn set_theme(persona: Option<kapok_api::Persona>) {
    if let Some(h) = html() {
        let _ = match persona {
            Some(p) => h.set_attribute("data-persona", p.as_str()),
            None => h.remove_attribute("data-persona"),
        };
    }
}

fn html() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

fn storage() -> Option<web_sys::Storage> {
    // Private browsing or a blocked storage throws; the app then simply does not remember.
    web_sys::window()?.local_storage().ok()?
}

fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

#[cfg(test)]
mod tests {
    use leptos_i18n::Locale as _;

    use super::*;

    #[test]
    fn every_account_locale_is_a_locale_the_app_speaks() {
        for tag in LocaleTag::ALL {
            assert_eq!(locale_for(tag).as_str(), tag.as_str());
        }
    }
}
