//! Large shortcut tiles on a shell's home page.

use leptos::prelude::*;
use stylers_macro::style;

use crate::{Example, Icon, IconName};

#[component]
pub fn TileGrid(
    /// The heading of the group, read as the list's name.
    #[prop(into)]
    label: Signal<String>,
    children: Children,
) -> impl IntoView {
    let class = style! {
        .kp-tiles {
            margin: 0;
        }
        .kp-tiles__heading {
            margin: 0 0 var(--kp-space-2);
            font-size: var(--kp-text-md);
        }
        .kp-tiles__grid {
            display: grid;
            grid-template-columns: repeat(auto-fill, minmax(min(var(--kp-tile-min), 100%), 1fr));
            gap: var(--kp-space-2);
            margin: 0;
            padding: 0;
            list-style: none;
        }
    };
    view! { class=class,
        <section class="kp-tiles">
            <h2 class="kp-tiles__heading">{move || label.get()}</h2>
            <ul class="kp-tiles__grid">{children()}</ul>
        </section>
    }
}

#[component]
pub fn Tile(
    #[prop(into)] href: String,
    #[prop(into)] label: Signal<String>,
    icon: IconName,
    #[prop(optional, into)] hint: MaybeProp<String>,
) -> impl IntoView {
    let class = style! {
        .kp-tile {
            display: flex;
            flex-direction: column;
            align-items: flex-start;
            gap: var(--kp-space-1);
            min-height: var(--kp-tile-height);
            height: 100%;
            box-sizing: border-box;
            padding: var(--kp-space-3);
            background: var(--kp-surface);
            border: 1px solid var(--kp-border);
            border-radius: var(--kp-radius);
            color: var(--kp-ink);
            text-decoration: none;
        }
        .kp-tile__icon {
            color: var(--kp-brand-ink);
        }
        .kp-tile__label {
            font-size: var(--kp-text-md);
            font-weight: 700;
            overflow-wrap: anywhere;
        }
        .kp-tile__hint {
            color: var(--kp-ink-muted);
            font-size: var(--kp-text-sm);
        }
    };
    view! { class=class,
        <li>
            <a class="kp-tile" href=href>
                <span class="kp-tile__icon"><Icon name=icon/></span>
                <span class="kp-tile__label">{move || label.get()}</span>
                {move || hint.get().map(|h| view! { class=class, <span class="kp-tile__hint">{h}</span> })}
            </a>
        </li>
    }
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "Tile",
        name: "resident shortcuts",
        render: || {
            view! {
                <TileGrid label="常用服务">
                    <Tile href="/resident/wallet" label="亮证" icon=IconName::IdCard hint="出示我的身份证码"/>
                    <Tile href="/resident/services" label="办事" icon=IconName::Services/>
                </TileGrid>
            }
            .into_any()
        },
    }]
}
