//! Device settings: display mode (standard or elderly) and locale, remembered on this device.
//!
//! public/boot.js applies both to `<html>` before the first paint, so the page does not jump;
//! this module keeps them in sync afterwards. A locale is stored only once the person (or, on
//! a fresh device, their account) chose it; until then the browser's languages decide.

use kapok_api::{LocaleTag, Me};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use leptos_i18n::Locale as _;

use crate::{
    device::{get as load, set as store},
    i18n::Locale,
};

const MODE_KEY: &str = "kapok.mode";
const LOCALE_KEY: &str = "kapok.locale";
const TEXT_KEY: &str = "kapok.text";
const ELDERLY: &str = "elderly";

/// Text size, in three steps, on top of either mode and independent of browser zoom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextSize {
    Standard,
    Larger,
    Largest,
}

impl TextSize {
    pub const ALL: [TextSize; 3] = [TextSize::Standard, TextSize::Larger, TextSize::Largest];

    pub fn as_str(self) -> &'static str {
        match self {
            TextSize::Standard => "standard",
            TextSize::Larger => "larger",
            TextSize::Largest => "largest",
        }
    }

    pub fn parse(s: &str) -> Option<TextSize> {
        TextSize::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Clone, Copy)]
pub struct Prefs {
    pub elderly: RwSignal<bool>,
    pub text: RwSignal<TextSize>,
}

impl Prefs {
    pub fn provide() -> Prefs {
        let on = html().and_then(|h| h.get_attribute("data-mode")).as_deref() == Some(ELDERLY);
        let text = html()
            .and_then(|h| h.get_attribute("data-text"))
            .and_then(|t| TextSize::parse(&t))
            .unwrap_or(TextSize::Standard);
        let prefs = Prefs {
            elderly: RwSignal::new(on),
            text: RwSignal::new(text),
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

    /// Sets the text size and remembers it on this device.
    pub fn set_text(self, size: TextSize) {
        store(TEXT_KEY, size.as_str());
        if let Some(h) = html() {
            let _ = h.set_attribute("data-text", size.as_str());
        }
        self.text.set(size);
    }

    /// Applies an account's preferences on sign-in, for whatever this device has not chosen.
    pub fn adopt_account_preferences(self, me: &Me, i18n: I18nContext<Locale>) {
        if load(MODE_KEY).is_none() && me.user.prefers_elderly_mode {
            self.set_elderly(true);
        }
        if load(LOCALE_KEY).is_none() {
            choose_locale(i18n, locale_for(me.user.preferred_locale));
        }
    }
}

/// Switches the locale and remembers it on this device.
pub fn choose_locale(i18n: I18nContext<Locale>, locale: Locale) {
    store(LOCALE_KEY, locale.as_str());
    i18n.set_locale(locale);
}

/// Applies the locale remembered on this device, or else the best match for the browser's
/// languages; call before the first render.
pub fn restore_locale(i18n: I18nContext<Locale>) {
    let tag = load(LOCALE_KEY)
        .and_then(|tag| LocaleTag::parse(&tag))
        .unwrap_or_else(|| negotiate(&browser_languages()));
    i18n.set_locale(locale_for(tag));
}

/// The locale for a browser's preferred languages, best first: Traditional Chinese (Hong Kong,
/// Macao, Taiwan, or marked Hant) reads zh-HK, other Chinese zh-CN, English en. A language
/// Kapok is not written in is skipped; with none left, English is the most widely read.
pub fn negotiate(languages: &[String]) -> LocaleTag {
    for language in languages {
        let lower = language.to_ascii_lowercase();
        let mut parts = lower.split(['-', '_']);
        match parts.next() {
            Some(language @ ("zh" | "yue")) => {
                let rest: Vec<&str> = parts.collect();
                // Cantonese is written in Traditional characters unless it says otherwise.
                let traditional = language == "yue"
                    || rest
                        .iter()
                        .any(|p| matches!(*p, "hant" | "hk" | "mo" | "tw"));
                let simplified = rest.contains(&"hans");
                return if traditional && !simplified {
                    LocaleTag::ZhHk
                } else {
                    LocaleTag::ZhCn
                };
            }
            Some("en") => return LocaleTag::En,
            _ => {}
        }
    }
    LocaleTag::En
}

fn browser_languages() -> Vec<String> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let mut languages: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    if languages.is_empty() {
        languages.extend(navigator.language());
    }
    languages
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
pub fn set_theme(persona: kapok_api::Persona) {
    if let Some(h) = html() {
        let _ = h.set_attribute("data-persona", persona.as_str());
    }
}

/// Takes the mark of `persona`'s shell off `<html>` as that shell goes, unless another shell
/// has already put its own there: going from one shell to another, the new one comes first.
pub fn clear_theme(persona: kapok_api::Persona) {
    if let Some(h) = html()
        && h.get_attribute("data-persona").as_deref() == Some(persona.as_str())
    {
        let _ = h.remove_attribute("data-persona");
    }
}

fn html() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiated(languages: &[&str]) -> LocaleTag {
        negotiate(&languages.iter().map(|l| l.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn traditional_chinese_browsers_get_hong_kong_chinese() {
        for lang in [
            "zh-HK",
            "zh-TW",
            "zh-MO",
            "zh-Hant",
            "zh-Hant-TW",
            "yue",
            "yue-Hant-HK",
        ] {
            assert_eq!(negotiated(&[lang]), LocaleTag::ZhHk, "{lang}");
        }
    }

    #[test]
    fn other_chinese_browsers_get_simplified_chinese() {
        for lang in ["zh", "zh-CN", "zh-Hans", "zh-SG", "zh-Hans-HK", "ZH_cn"] {
            assert_eq!(negotiated(&[lang]), LocaleTag::ZhCn, "{lang}");
        }
    }

    #[test]
    fn the_first_language_kapok_speaks_wins_and_english_is_the_fallback() {
        assert_eq!(negotiated(&["fr-FR", "zh-TW", "en"]), LocaleTag::ZhHk);
        assert_eq!(negotiated(&["en-GB", "zh-CN"]), LocaleTag::En);
        assert_eq!(negotiated(&["fr", "de"]), LocaleTag::En);
        assert_eq!(negotiated(&[]), LocaleTag::En);
    }

    #[test]
    fn every_account_locale_is_a_locale_the_app_speaks() {
        for tag in LocaleTag::ALL {
            assert_eq!(locale_for(tag).as_str(), tag.as_str());
        }
    }
}
