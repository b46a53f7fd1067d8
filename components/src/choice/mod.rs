//! Pick one of a few options, shown all at once (the locale switch). Native radio buttons, so
//! arrow keys, forms and screen readers work without ARIA.

use leptos::prelude::*;
use stylers_macro::style;

use crate::Example;

#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    /// The language the label is written in, when it differs from the page's (a language's
    /// own name), so screen readers pronounce it right.
    pub lang: Option<&'static str>,
}

/// `grid`: the options in two even columns, for a group whose options would otherwise wrap
/// into rows of different lengths (four filters on a phone: two rows of two, not three and
/// one, nor one, one and two in larger text). An option never gets narrower than its longest
/// word: where two of those do not fit side by side (text enlarged to 200 %), options take
/// a row each rather than spill out of their boxes.
#[component]
pub fn ChoiceGroup(
    #[prop(into)] legend: Signal<String>,
    name: &'static str,
    options: Vec<Choice>,
    #[prop(into)] selected: Signal<String>,
    on_select: Callback<String>,
    #[prop(optional)] grid: bool,
) -> impl IntoView {
    let class = style! {
        .kp-choice {
            margin: 0;
            padding: 0;
            border: none;
            min-width: 0;
        }
        .kp-choice__legend {
            padding: 0;
            margin-bottom: var(--kp-space-1);
            font-weight: 700;
        }
        .kp-choice__options {
            display: flex;
            flex-wrap: wrap;
            gap: var(--kp-space-1);
        }
        .kp-choice__options--grid .kp-choice__option {
            flex: 1 1 calc(50% - var(--kp-space-1));
        }
        .kp-choice__option {
            display: inline-flex;
            align-items: center;
            gap: var(--kp-space-1);
            min-height: var(--kp-target);
            padding: 0 var(--kp-space-3);
            border: 2px solid var(--kp-border-strong);
            border-radius: var(--kp-radius);
            background: var(--kp-surface);
            cursor: pointer;
        }
        .kp-choice__option:has(input:checked) {
            border-color: var(--kp-brand-ink);
            font-weight: 700;
        }
        .kp-choice__input {
            flex: none;
            width: 1.1rem;
            height: 1.1rem;
            margin: 0;
            accent-color: var(--kp-brand-ink);
        }
    };
    view! { class=class,
        <fieldset class="kp-choice">
            <legend class="kp-choice__legend">{move || legend.get()}</legend>
            <div class=if grid { "kp-choice__options kp-choice__options--grid" } else { "kp-choice__options" }>
                {options
                    .into_iter()
                    .map(|option| {
                        let value = option.value;
                        view! { class=class,
                            <label class="kp-choice__option" lang=option.lang>
                                <input
                                    class="kp-choice__input"
                                    type="radio"
                                    name=name
                                    value=value
                                    prop:checked=move || selected.get() == value
                                    on:change=move |_| on_select.run(value.to_string())
                                />
                                <span>{option.label}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
        </fieldset>
    }
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "ChoiceGroup",
        name: "language",
        render: || {
            let (selected, set_selected) = signal("zh-CN".to_string());
            let options = vec![
                Choice {
                    value: "zh-CN",
                    label: "简体中文",
                    lang: Some("zh-CN"),
                },
                Choice {
                    value: "zh-HK",
                    label: "繁體中文（香港）",
                    lang: Some("zh-HK"),
                },
                Choice {
                    value: "en",
                    label: "English",
                    lang: Some("en"),
                },
            ];
            view! { <ChoiceGroup legend="语言" name="example-locale" options selected on_select=Callback::new(move |v| set_selected.set(v))/> }
                .into_any()
        },
    }]
}
