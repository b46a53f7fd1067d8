//! A plain list of rows, each optionally a link.

use leptos::prelude::*;
use stylers_macro::style;

use crate::Example;

#[component]
pub fn List(#[prop(into)] label: Signal<String>, children: Children) -> impl IntoView {
    let class = style! {
        .kp-list {
            margin: 0;
            padding: 0;
            list-style: none;
            background: var(--kp-surface);
            border: 1px solid var(--kp-border);
            border-radius: var(--kp-radius);
        }
    };
    // aria-label: a page may hold several lists; the name tells them apart.
    view! { class=class, <ul class="kp-list" aria-label=move || label.get()>{children()}</ul> }
}

#[component]
pub fn ListItem(
    #[prop(into)] title: Signal<String>,
    #[prop(optional, into)] detail: MaybeProp<String>,
    #[prop(optional, into)] href: Option<String>,
) -> impl IntoView {
    let class = style! {
        .kp-list-item {
            border-bottom: 1px solid var(--kp-border);
        }
        .kp-list-item:last-child {
            border-bottom: none;
        }
        .kp-list-item__body {
            display: flex;
            flex-direction: column;
            justify-content: center;
            min-height: var(--kp-target);
            padding: var(--kp-space-2) var(--kp-space-3);
            color: var(--kp-ink);
            text-decoration: none;
        }
        .kp-list-item__title {
            font-weight: 600;
            overflow-wrap: anywhere;
        }
        .kp-list-item__detail {
            color: var(--kp-ink-muted);
            font-size: var(--kp-text-sm);
            overflow-wrap: anywhere;
        }
    };
    let body = move || {
        view! { class=class,
            <span class="kp-list-item__title">{move || title.get()}</span>
            {move || detail.get().map(|d| view! { class=class, <span class="kp-list-item__detail">{d}</span> })}
        }
    };
    view! { class=class,
        <li class="kp-list-item">
            {match href {
                Some(href) => view! { class=class, <a class="kp-list-item__body" href=href>{body()}</a> }.into_any(),
                None => view! { class=class, <div class="kp-list-item__body">{body()}</div> }.into_any(),
            }}
        </li>
    }
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "List",
        name: "settings rows",
        render: || {
            view! {
                <List label="Account">
                    <ListItem title="Name" detail="陈嘉欣"/>
                    <ListItem title="Applications" href="/resident/applications"/>
                </List>
            }
            .into_any()
        },
    }]
}
