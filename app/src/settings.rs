//! Display settings offered on the sign-in page and in "me": language and elderly mode.

use kapok_components::{Choice, ChoiceGroup, Switch};
use leptos::prelude::*;

use leptos_i18n::Locale as _;

use crate::{
    i18n::{Locale, t_string, use_i18n},
    prefs::{Prefs, TextSize, choose_locale},
};

#[component]
pub fn DisplaySettings() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = Prefs::get();
    let options = vec![
        Choice {
            value: Locale::zh_CN.as_str(),
            label: t_string!(i18n, languages.zh_cn),
            lang: Some("zh-CN"),
        },
        Choice {
            value: Locale::zh_HK.as_str(),
            label: t_string!(i18n, languages.zh_hk),
            lang: Some("zh-HK"),
        },
        Choice {
            value: Locale::en.as_str(),
            label: t_string!(i18n, languages.en),
            lang: Some("en"),
        },
    ];
    view! {
        <div class="kp-stack">
            <ChoiceGroup
                legend=Signal::derive(move || t_string!(i18n, languages.legend).to_string())
                name="locale"
                options=options
                selected=Signal::derive(move || i18n.get_locale().as_str().to_string())
                on_select=Callback::new(move |value: String| {
                    if let Ok(locale) = value.parse::<Locale>() {
                        choose_locale(i18n, locale);
                    }
                })
            />
            // Rebuilt when the locale changes, so the options' labels follow it (the language
            // names above are each written in its own language, and stay).
            {move || view! {
                <ChoiceGroup
                    legend=Signal::derive(move || t_string!(i18n, text_size.legend).to_string())
                    name="text-size"
                    options=vec![
                        Choice { value: "standard", label: t_string!(i18n, text_size.standard), lang: None },
                        Choice { value: "larger", label: t_string!(i18n, text_size.larger), lang: None },
                        Choice { value: "largest", label: t_string!(i18n, text_size.largest), lang: None },
                    ]
                    selected=Signal::derive(move || prefs.text.get().as_str().to_string())
                    on_select=Callback::new(move |value: String| {
                        if let Some(size) = TextSize::parse(&value) {
                            prefs.set_text(size);
                        }
                    })
                />
            }}
            <Switch
                label=Signal::derive(move || t_string!(i18n, elderly.label).to_string())
                description=Signal::derive(move || t_string!(i18n, elderly.hint).to_string())
                checked=prefs.elderly
                on_change=Callback::new(move |on| prefs.set_elderly(on))
            />
        </div>
    }
}
