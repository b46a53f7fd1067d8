//! A titled panel grouping related content.

use leptos::prelude::*;
use stylers_macro::style;

use crate::Example;

#[component]
pub fn Card(
    #[prop(optional, into)] title: MaybeProp<String>,
    /// The title's language where it differs from the page's: a company's Chinese name on an
    /// English page.
    #[prop(optional, into)]
    title_lang: MaybeProp<&'static str>,
    /// A title with more than text in it (a name marked with its language, inside a
    /// sentence), in place of `title`.
    #[prop(optional, into)]
    heading: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    let class = style! {
        .kp-card {
            padding: min(var(--kp-space-3), 4vw);
            background: var(--kp-surface);
            border: 1px solid var(--kp-border);
            border-radius: var(--kp-radius);
        }
        .kp-card__title {
            margin: 0 0 var(--kp-space-2);
            font-size: var(--kp-text-md);
        }
    };
    view! { class=class,
        <section class="kp-card">
            {move || title.get().map(|t| view! { class=class, <h2 class="kp-card__title" lang=move || title_lang.get()>{t}</h2> })}
            {heading.map(|h| view! { class=class, <h2 class="kp-card__title">{move || h.run()}</h2> })}
            {children()}
        </section>
    }
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "Card",
        name: "with title",
        render: || {
            view! { <Card title="Company"><p>"广州木棉数字科技有限公司"</p></Card> }.into_any()
        },
    }]
}
