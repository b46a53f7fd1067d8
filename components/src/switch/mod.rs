//! An on/off setting that takes effect at once (elderly mode).

use leptos::prelude::*;
use stylers_macro::style;

use crate::Example;

#[component]
pub fn Switch(
    #[prop(into)] label: Signal<String>,
    #[prop(optional, into)] description: MaybeProp<String>,
    #[prop(into)] checked: Signal<bool>,
    on_change: Callback<bool>,
) -> impl IntoView {
    let class = style! {
        // Where the words would have less than about eighteen characters' width beside the track
        // (a small phone in elderly mode, inside a card), the track goes below them instead of
        // squeezing them to a word a line.
        .kp-switch {
            display: flex;
            flex-wrap: wrap;
            align-items: center;
            justify-content: space-between;
            gap: var(--kp-space-3);
            width: 100%;
            min-height: var(--kp-target);
            padding: var(--kp-space-2) var(--kp-space-3);
            background: var(--kp-surface);
            color: var(--kp-ink);
            border: 1px solid var(--kp-border);
            border-radius: var(--kp-radius);
            font: inherit;
            text-align: start;
            cursor: pointer;
        }
        .kp-switch__text {
            display: flex;
            flex-direction: column;
            flex: 1 1 18ch;
            min-width: 0;
            overflow-wrap: anywhere;
        }
        .kp-switch__label {
            font-weight: 700;
        }
        .kp-switch__description {
            color: var(--kp-ink-muted);
            font-size: var(--kp-text-sm);
        }
        .kp-switch__track {
            flex: none;
            margin-inline-start: auto;
            position: relative;
            width: 3rem;
            height: 1.6rem;
            border-radius: 1rem;
            border: 2px solid var(--kp-ink-muted);
            background: var(--kp-surface);
        }
        .kp-switch__thumb {
            position: absolute;
            top: 0.15rem;
            left: 0.15rem;
            width: 1.1rem;
            height: 1.1rem;
            border-radius: 50%;
            background: var(--kp-ink-muted);
            transition: left var(--kp-motion-fast);
        }
        .kp-switch[aria-checked="true"] .kp-switch__track {
            background: var(--kp-brand);
            border-color: var(--kp-brand);
        }
        .kp-switch[aria-checked="true"] .kp-switch__thumb {
            left: 1.55rem;
            background: var(--kp-on-brand);
        }
    };
    view! { class=class,
        <button
            type="button"
            class="kp-switch"
            // role=switch + aria-checked: announced as "on"/"off", which a toggle button's
            // aria-pressed would not say as plainly.
            role="switch"
            aria-checked=move || if checked.get() { "true" } else { "false" }
            on:click=move |_| on_change.run(!checked.get_untracked())
        >
            <span class="kp-switch__text">
                <span class="kp-switch__label">{move || label.get()}</span>
                {move || description.get().map(|d| view! { class=class, <span class="kp-switch__description">{d}</span> })}
            </span>
            <span class="kp-switch__track" aria-hidden="true"><span class="kp-switch__thumb"></span></span>
        </button>
    }
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "Switch",
        name: "elderly mode off",
        render: || {
            let (on, set_on) = signal(false);
            view! { <Switch label="长辈版" description="字更大，按钮更大" checked=on on_change=Callback::new(move |v| set_on.set(v))/> }
                .into_any()
        },
    }]
}
