//! A short confirmation ("Signed out", "Saved") that does not take focus.
//!
//! It is a polite live region that is always in the page: screen readers only announce
//! changes to live regions that existed before the change. It never covers content, so elderly
//! mode (no pop-ups) shows it in the flow of the page.

use leptos::prelude::*;
use stylers_macro::style;

use crate::Example;

#[component]
pub fn Toast(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    let class = style! {
        .kp-toast {
            margin: 0;
        }
        .kp-toast__body {
            display: block;
            margin: var(--kp-space-2) var(--kp-space-3);
            padding: var(--kp-space-2) var(--kp-space-3);
            background: var(--kp-ink);
            color: var(--kp-surface);
            border-radius: var(--kp-radius);
        }
    };
    view! { class=class,
        <div class="kp-toast" role="status">
            {move || message.get().map(|m| view! { class=class, <span class="kp-toast__body">{m}</span> })}
        </div>
    }
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "Toast",
        name: "signed out",
        render: || view! { <Toast message=Some("已退出登录".to_string())/> }.into_any(),
    }]
}
