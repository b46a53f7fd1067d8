//! The bottom tab bar of a shell: the shell's main sections, the current one marked.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use stylers_macro::style;

use crate::{Example, Icon, IconName};

#[derive(Clone, Debug, PartialEq)]
pub struct Tab {
    pub href: &'static str,
    pub label: String,
    pub icon: IconName,
    /// Current only on exactly this path (a shell's home), not on the pages below it.
    pub exact: bool,
    /// A count to show on the tab (unread messages): the number shown, and what a screen
    /// reader says with the tab's name.
    pub badge: Option<(String, String)>,
}

/// Whether `tab` is the section the user is in.
pub fn is_current(tab_href: &str, exact: bool, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let tab_href = tab_href.trim_end_matches('/');
    path == tab_href
        || (!exact && path.starts_with(tab_href) && path[tab_href.len()..].starts_with('/'))
}

#[component]
pub fn TabBar(
    /// The name of the navigation landmark, e.g. "Main sections".
    #[prop(into)]
    label: Signal<String>,
    #[prop(into)] tabs: Signal<Vec<Tab>>,
) -> impl IntoView {
    let location = use_location();
    let class = style! {
        .kp-tab-bar {
            padding-bottom: env(safe-area-inset-bottom);
            background: var(--kp-surface);
            border-top: 1px solid var(--kp-border);
        }
        // Each tab gets at least its minimum width (or a fifth of the bar); the room left
        // goes to the labels that need it, so a long word ("Services" in elderly mode) stays
        // whole when the bar has room for it, and only a label that cannot fit is broken.
        .kp-tab-bar__list {
            display: grid;
            grid-auto-flow: column;
            grid-auto-columns: minmax(min(var(--kp-tab-min), 20%), auto);
            margin: 0;
            padding: 0;
            list-style: none;
        }
        .kp-tab-bar__item {
            min-width: 0;
        }
        .kp-tab-bar__link {
            display: flex;
            flex-direction: column;
            align-items: center;
            justify-content: center;
            gap: 2px;
            position: relative;
            min-height: var(--kp-tab-height);
            padding: var(--kp-space-1) 1px;
            color: var(--kp-ink-muted);
            font-size: var(--kp-tab-label);
            text-decoration: none;
            text-align: center;
            // A label that cannot fit breaks where it must; on a phone with a hyphenation
            // dictionary for the page's language, at a syllable and with a hyphen.
            overflow-wrap: anywhere;
            hyphens: auto;
        }
        // A count of two or three digits stays one pill on one line: it may reach past the
        // tab's middle over the icon's side, never down over the label.
        .kp-tab-bar__badge {
            position: absolute;
            top: var(--kp-space-1);
            left: calc(50% + 0.5rem);
            white-space: nowrap;
            min-width: 1.25rem;
            padding: 0 0.25rem;
            border-radius: 0.625rem;
            background: var(--kp-danger-ink);
            color: var(--kp-surface);
            font-size: 0.75rem;
            font-weight: 700;
            line-height: 1.25rem;
        }
        // Marked by colour and the bar above it, not by weight: a bold label is wider, and
        // would break "Services" in elderly mode on a 320 px phone once its tab is open. The
        // transparent outline shows only where the system forces its own colours (a high
        // contrast theme), which removes the colour and the bar.
        .kp-tab-bar__link[aria-current="page"] {
            color: var(--kp-brand-ink);
            box-shadow: inset 0 3px 0 var(--kp-brand-ink);
            outline: 3px solid transparent;
            outline-offset: -3px;
        }
    };
    view! { class=class,
        <nav class="kp-tab-bar" aria-label=move || label.get()>
            <ul class="kp-tab-bar__list">
                <For each=move || tabs.get() key=|t| (t.href, t.label.clone(), t.badge.clone()) let:tab>
                    <li class="kp-tab-bar__item">
                        <a
                            class="kp-tab-bar__link"
                            href=tab.href
                            // aria-current tells screen readers which section they are in; the
                            // bold label and the top rule show it without relying on colour.
                            aria-current=move || {
                                is_current(tab.href, tab.exact, &location.pathname.get()).then_some("page")
                            }
                        >
                            <Icon name=tab.icon/>
                            <span>{tab.label.clone()}</span>
                            {tab.badge.clone().map(|(shown, said)| view! { class=class,
                                <span class="kp-tab-bar__badge" aria-hidden="true">{shown}</span>
                                <span class="kp-visually-hidden">{said}</span>
                            })}
                        </a>
                    </li>
                </For>
            </ul>
        </nav>
    }
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "TabBar",
        name: "resident sections",
        render: || {
            let tabs = vec![
                Tab {
                    href: "/",
                    label: "首页".into(),
                    icon: IconName::Home,
                    exact: true,
                    badge: None,
                },
                Tab {
                    href: "/wallet",
                    label: "卡包".into(),
                    icon: IconName::Wallet,
                    exact: false,
                    badge: None,
                },
                Tab {
                    href: "/services",
                    label: "办事".into(),
                    icon: IconName::Services,
                    exact: false,
                    badge: None,
                },
                Tab {
                    href: "/me",
                    label: "我的".into(),
                    icon: IconName::Me,
                    exact: false,
                    badge: None,
                },
            ];
            view! { <leptos_router::components::Router><TabBar label="主要栏目" tabs=tabs/></leptos_router::components::Router> }
                .into_any()
        },
    }]
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn home_tab_is_current_only_on_the_home_page() {
        assert!(is_current("/resident", true, "/resident"));
        assert!(is_current("/resident", true, "/resident/"));
        assert!(!is_current("/resident", true, "/resident/wallet"));
    }

    #[test]
    fn a_section_stays_current_on_its_sub_pages() {
        assert!(is_current(
            "/resident/wallet",
            false,
            "/resident/wallet/abc"
        ));
        assert!(!is_current("/resident/wallet", false, "/resident/walletx"));
        assert!(!is_current("/resident/wallet", false, "/resident"));
    }
}
