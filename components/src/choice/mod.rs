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
/// word: where one of those does not fit in half the width (a long English word in elderly
/// mode on a narrow phone, or text enlarged to 200 %), every option takes a row of its own,
/// not just that one, so the rows stay even (`keep_rows_even`).
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
        .kp-choice__options--single .kp-choice__option {
            flex-basis: 100%;
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
    let list = NodeRef::<leptos::html::Div>::new();
    if grid {
        keep_rows_even(list);
    }
    view! { class=class,
        <fieldset class="kp-choice">
            <legend class="kp-choice__legend">{move || legend.get()}</legend>
            <div node_ref=list class=if grid { "kp-choice__options kp-choice__options--grid" } else { "kp-choice__options" }>
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

/// Two options a row only while every row holds two: the options are laid out two a row and
/// their rows read back; if one sits alone where it should have a neighbour, they all take a
/// row each. Done as the group first shows, before the browser paints it, and again whenever
/// an option's size changes (the screen turned, the text size or elderly mode switched).
fn keep_rows_even(list: NodeRef<leptos::html::Div>) {
    use web_sys::{
        HtmlElement, ResizeObserver,
        wasm_bindgen::{JsCast, closure::Closure},
    };
    const SINGLE: &str = "kp-choice__options--single";
    let settle = move || {
        // Also called a frame late, when the group may be gone (its page left, its language
        // changed): then there is nothing to settle.
        let Some(list) = list.try_get_untracked().flatten() else {
            return;
        };
        let classes = list.class_list();
        let _ = classes.remove_1(SINGLE);
        let options = list.children();
        let tops: Vec<i32> = (0..options.length())
            .filter_map(|i| options.item(i)?.dyn_into::<HtmlElement>().ok())
            .map(|option| option.offset_top())
            .collect();
        if tops
            .chunks(2)
            .any(|row| row.iter().any(|&top| top != row[0]))
        {
            let _ = classes.add_1(SINGLE);
        }
    };
    let watching = StoredValue::new_local(None::<(ResizeObserver, Closure<dyn FnMut()>)>);
    Effect::new(move |_| {
        let Some(element) = list.get() else {
            return;
        };
        settle();
        // A change of layout made in the observer's own call would be a change it has to report
        // again at once (the browser logs that as an error), so it waits for the next frame.
        let changed = Closure::<dyn FnMut()>::new(move || request_animation_frame(settle));
        let Ok(observer) = ResizeObserver::new(changed.as_ref().unchecked_ref()) else {
            return;
        };
        let options = element.children();
        for i in 0..options.length() {
            if let Some(option) = options.item(i) {
                observer.observe(&option);
            }
        }
        if let Some((before, _)) = watching
            .try_update_value(|w| w.replace((observer, changed)))
            .flatten()
        {
            before.disconnect();
        }
    });
    on_cleanup(move || {
        if let Some((observer, _)) = watching.try_update_value(Option::take).flatten() {
            observer.disconnect();
        }
    });
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
