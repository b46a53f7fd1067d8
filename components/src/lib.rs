//! Shared Leptos components of the Kapok persona shells.
//!
//! Components take already-translated text; shells translate. Each component lives in its own
//! folder with its variants, scoped styles (stylers) and named examples; [`examples`] lists
//! them all for the gallery, the wasm render tests and the accessibility pass.
//! Colours, spacing and sizes come from the design tokens (CSS custom properties on `<html>`),
//! so persona themes and elderly mode swap tokens, never components.

pub mod app_bar;
pub mod button;
pub mod card;
pub mod choice;
pub mod dialog;
pub mod icon;
pub mod list;
pub mod qr_code;
pub mod states;
pub mod switch;
pub mod tab_bar;
pub mod text_field;
pub mod tiles;
pub mod toast;

pub use app_bar::AppBar;
pub use button::{Button, ButtonVariant};
pub use card::Card;
pub use choice::{Choice, ChoiceGroup};
pub use dialog::Dialog;
pub use icon::{Icon, IconName};
pub use list::{List, ListItem};
pub use qr_code::QrCode;
pub use states::{EmptyState, ErrorState, Loading};
pub use switch::Switch;
pub use tab_bar::{Tab, TabBar};
pub use text_field::TextField;
pub use tiles::{Tile, TileGrid};
pub use toast::Toast;

use leptos::prelude::AnyView;

/// One named example of a component: the fixture shared by the gallery and the tests.
pub struct Example {
    pub component: &'static str,
    pub name: &'static str,
    pub render: fn() -> AnyView,
}

/// Every named example of every component.
pub fn examples() -> Vec<Example> {
    [
        app_bar::examples(),
        button::examples(),
        card::examples(),
        choice::examples(),
        dialog::examples(),
        list::examples(),
        qr_code::examples(),
        states::examples(),
        switch::examples(),
        tab_bar::examples(),
        text_field::examples(),
        tiles::examples(),
        toast::examples(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
