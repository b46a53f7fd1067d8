//! Line icons, drawn inline so they need no request and follow the text colour.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IconName {
    Home,
    Wallet,
    Services,
    Me,
    Delegation,
    Policy,
    Verify,
    Inbox,
    Back,
    IdCard,
    Help,
    Applications,
}

impl IconName {
    fn path(self) -> &'static str {
        match self {
            IconName::Home => "M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z",
            IconName::Wallet => {
                "M3 7h15a3 3 0 0 1 3 3v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM3 7l12-4 1 4M16 14h2"
            }
            IconName::Services => "M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h6v6h-6z",
            IconName::Me => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
            IconName::Delegation => "M8 14a4 4 0 1 1 3.5-6H21v4h-2v2h-3v-2h-4.5A4 4 0 0 1 8 14z",
            IconName::Policy => "M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7",
            IconName::Verify => "M4 8V4h4M16 4h4v4M20 16v4h-4M8 20H4v-4M8 12l3 3 5-6",
            IconName::Inbox => "M3 13l3-8h12l3 8v6H3zM3 13h5l1 3h6l1-3h5",
            IconName::Back => "M15 5l-7 7 7 7",
            IconName::IdCard => {
                "M3 5h18v14H3zM7 10a2 2 0 1 0 4 0 2 2 0 0 0-4 0M6 16c.5-2 5.5-2 6 0M14 9h4M14 13h4"
            }
            IconName::Help => {
                "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.7M12 17h.01"
            }
            IconName::Applications => "M7 3h10v18H7zM10 7h4M10 11h4M10 15h2",
        }
    }
}

/// A decorative icon: always `aria-hidden`, because the text beside it names the action.
#[component]
pub fn Icon(name: IconName) -> impl IntoView {
    view! {
        // aria-hidden: the icon repeats the visible label; read aloud it would only add noise.
        <svg class="kp-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"
            fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
            <path d=name.path()/>
        </svg>
    }
}
