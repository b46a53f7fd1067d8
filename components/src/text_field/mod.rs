//! A labelled text input with an error message tied to it.

use leptos::prelude::*;
use stylers_macro::style;

use crate::Example;

#[component]
pub fn TextField(
    /// Unique on the page: it ties the label and the error message to the input.
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(optional)] password: bool,
    /// The `autocomplete` token, so password managers and autofill help (WCAG 1.3.5).
    autocomplete: &'static str,
    /// What the field wants, shown between the label and the input and read with it.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    #[prop(optional, into)] error: MaybeProp<String>,
    /// The most that may be typed, where the server keeps no more.
    #[prop(optional)]
    max_chars: Option<usize>,
    /// Focused when it appears (in a dialog, the one thing to fill in).
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    let class = style! {
        .kp-field {
            display: flex;
            flex-direction: column;
            gap: var(--kp-space-1);
        }
        .kp-field__label {
            font-weight: 700;
        }
        .kp-field__input {
            min-height: var(--kp-target);
            padding: 0 var(--kp-space-2);
            font: inherit;
            color: var(--kp-ink);
            background: var(--kp-surface);
            border: 2px solid var(--kp-border-strong);
            border-radius: var(--kp-radius);
        }
        .kp-field__input[aria-invalid="true"] {
            border-color: var(--kp-danger);
        }
        .kp-field__hint {
            margin: 0;
            color: var(--kp-ink-muted);
            font-size: var(--kp-text-sm);
        }
        .kp-field__error {
            margin: 0;
            color: var(--kp-danger-ink);
            font-weight: 600;
        }
    };
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_error = move || error.get().is_some();
    // The hint, then the error: what the field wants, then what is wrong with it.
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let ids: Vec<&str> = [
                hint.get().is_some().then_some(hint_id.as_str()),
                has_error().then_some(error_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! { class=class,
        <div class="kp-field">
            <label class="kp-field__label" for=id>{move || label.get()}</label>
            {move || hint.get().map(|h| view! { class=class, <p class="kp-field__hint" id=hint_id.clone()>{h}</p> })}
            <input
                class="kp-field__input"
                id=id
                name=id
                type=if password { "password" } else { "text" }
                autocomplete=autocomplete
                maxlength=max_chars
                autofocus=autofocus
                autocapitalize="none"
                spellcheck="false"
                // aria-invalid and aria-describedby: the hint and the error are read with the
                // field, not only shown.
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {move || error.get().map(|e| view! { class=class, <p class="kp-field__error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

pub fn examples() -> Vec<Example> {
    vec![
        Example {
            component: "TextField",
            name: "username",
            render: || {
                view! { <TextField id="example-username" label="用户名" value=RwSignal::new(String::new()) autocomplete="username"/> }.into_any()
            },
        },
        Example {
            component: "TextField",
            name: "password with error",
            render: || {
                view! {
                    <TextField id="example-password" label="Password" value=RwSignal::new("x".to_string()) password=true
                        autocomplete="current-password" error="The username or password is not right."/>
                }
                .into_any()
            },
        },
        Example {
            component: "TextField",
            name: "new password with hint and error",
            render: || {
                view! {
                    <TextField id="example-new-password" label="新密码" value=RwSignal::new("password1".to_string()) password=true
                        autocomplete="new-password" hint="至少 8 个字符。几个互不相关的词连在一起，好记又难猜。"
                        error="这个密码太容易被猜到。"/>
                }
                .into_any()
            },
        },
    ]
}
