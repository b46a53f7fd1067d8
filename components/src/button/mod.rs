//! Buttons act; links navigate. Use this only for actions.

use leptos::{ev::MouseEvent, prelude::*};
use stylers_macro::style;

use crate::Example;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ButtonVariant {
    /// The one main action of a screen.
    #[default]
    Primary,
    Secondary,
    /// Refusing something, shown as prominently as the primary action beside it.
    Danger,
}

impl ButtonVariant {
    fn class(self) -> &'static str {
        match self {
            ButtonVariant::Primary => "kp-button kp-button--primary",
            ButtonVariant::Secondary => "kp-button kp-button--secondary",
            ButtonVariant::Danger => "kp-button kp-button--danger",
        }
    }
}

#[component]
pub fn Button(
    #[prop(optional)] variant: ButtonVariant,
    /// `submit` inside a form; `button` otherwise.
    #[prop(optional)]
    submit: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// Takes focus when its dialog opens: the safe choice.
    #[prop(optional)]
    autofocus: bool,
    #[prop(optional)] on_click: Option<Callback<MouseEvent>>,
    children: Children,
) -> impl IntoView {
    let class = style! {
        .kp-button {
            display: inline-flex;
            align-items: center;
            justify-content: center;
            gap: var(--kp-space-1);
            min-height: var(--kp-target);
            min-width: var(--kp-target);
            padding: var(--kp-space-1) var(--kp-space-4);
            border-radius: var(--kp-radius);
            font: inherit;
            font-weight: 700;
            cursor: pointer;
        }
        .kp-button--primary {
            background: var(--kp-brand);
            color: var(--kp-on-brand);
            border: 2px solid var(--kp-brand);
        }
        .kp-button--secondary {
            background: var(--kp-surface);
            color: var(--kp-brand-ink);
            border: 2px solid var(--kp-brand-ink);
        }
        .kp-button--danger {
            background: var(--kp-danger-ink);
            color: var(--kp-surface);
            border: 2px solid var(--kp-danger-ink);
        }
        .kp-button[aria-disabled="true"] {
            cursor: progress;
            opacity: 0.7;
        }
    };
    view! { class=class,
        <button
            class=variant.class()
            type=if submit { "submit" } else { "button" }
            // Not the `disabled` attribute: a focused button that becomes disabled drops the
            // keyboard's focus to the top of the page while its request runs. Marked instead,
            // and a press (or a form's Enter) does nothing meanwhile.
            aria-disabled=move || disabled.get().then_some("true")
            autofocus=autofocus
            on:click=move |ev| {
                if disabled.get_untracked() {
                    ev.prevent_default();
                    return;
                }
                if let Some(cb) = on_click {
                    cb.run(ev)
                }
            }
        >
            {children()}
        </button>
    }
}

pub fn examples() -> Vec<Example> {
    vec![
        Example {
            component: "Button",
            name: "primary",
            render: || view! { <Button>"登录"</Button> }.into_any(),
        },
        Example {
            component: "Button",
            name: "secondary",
            render: || {
                view! { <Button variant=ButtonVariant::Secondary>"Sign out"</Button> }.into_any()
            },
        },
        Example {
            component: "Button",
            name: "danger",
            render: || view! { <Button variant=ButtonVariant::Danger>"拒绝"</Button> }.into_any(),
        },
    ]
}
