//! The top bar of every page: the page title as its `<h1>`, an optional back link, and room
//! for page actions. Above the title, in words, which part of the app this is: the shells
//! differ in colour, and words tell them apart for those who cannot see the difference.

use leptos::prelude::*;
use stylers_macro::style;

use crate::{Example, Icon, IconName};

/// A link back up the hierarchy (never `history.back()`, which may leave the app).
#[derive(Clone)]
pub struct BackLink {
    pub href: String,
    pub label: Signal<String>,
}

#[component]
pub fn AppBar(
    #[prop(into)] title: Signal<String>,
    /// Where in the app the page is ("Kapok for business"), shown small above the title.
    #[prop(optional, into)]
    context: MaybeProp<String>,
    #[prop(optional)] back: Option<BackLink>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let class = style! {
        .kp-app-bar {
            display: flex;
            align-items: center;
            gap: var(--kp-space-2);
            min-height: var(--kp-bar-height);
            padding: 0 var(--kp-space-3);
            background: var(--kp-brand);
            color: var(--kp-on-brand);
        }
        .kp-app-bar__heading {
            flex: 1;
            display: flex;
            flex-direction: column;
            padding: var(--kp-space-1) 0;
        }
        .kp-app-bar__context {
            font-size: var(--kp-text-sm);
            line-height: 1.3;
            overflow-wrap: anywhere;
        }
        .kp-app-bar__title {
            margin: 0;
            font-size: var(--kp-text-lg);
            line-height: 1.3;
            overflow-wrap: anywhere;
        }
        .kp-app-bar__back {
            display: inline-flex;
            align-items: center;
            justify-content: center;
            min-width: var(--kp-target);
            min-height: var(--kp-target);
            color: inherit;
            border-radius: var(--kp-radius);
        }
        .kp-app-bar__actions {
            display: flex;
            gap: var(--kp-space-1);
        }
    };
    view! { class=class,
        <header class="kp-app-bar">
            {back.map(|b| view! { class=class,
                <a href=b.href class="kp-app-bar__back" aria-label=move || b.label.get()>
                    <Icon name=IconName::Back/>
                </a>
            })}
            <div class="kp-app-bar__heading">
                {move || context.get().map(|c| view! { class=class, <span class="kp-app-bar__context" data-testid="app-context">{c}</span> })}
                <h1 class="kp-app-bar__title">{move || title.get()}</h1>
            </div>
            {children.map(|c| view! { class=class, <div class="kp-app-bar__actions">{c()}</div> })}
        </header>
    }
}

pub fn examples() -> Vec<Example> {
    vec![
        Example {
            component: "AppBar",
            name: "title only",
            render: || view! { <AppBar title="我的证照"/> }.into_any(),
        },
        Example {
            component: "AppBar",
            name: "with back link",
            render: || {
                let back = BackLink {
                    href: "/resident".into(),
                    label: Signal::stored("返回首页".to_string()),
                };
                view! { <AppBar title="Licence detail" context="Kapok for residents" back=back/> }
                    .into_any()
            },
        },
    ]
}
