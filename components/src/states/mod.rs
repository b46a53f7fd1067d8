//! What a page shows while it loads, when there is nothing yet, and when something failed.

use leptos::prelude::*;
use stylers_macro::style;

use crate::{Button, ButtonVariant, Example};

#[component]
pub fn Loading(#[prop(into)] label: Signal<String>) -> impl IntoView {
    let class = style! {
        .kp-loading {
            display: flex;
            align-items: center;
            gap: var(--kp-space-2);
            padding: var(--kp-space-4) var(--kp-space-3);
            color: var(--kp-ink-muted);
        }
    };
    view! { class=class,
        // role=status: announced politely once, so a screen reader knows the page is working.
        <div class="kp-loading" role="status">
            // The spinner's look is global (tokens.css), shared with index.html's loading line.
            <span class="kp-spinner" aria-hidden="true"></span>
            <span>{move || label.get()}</span>
        </div>
    }
}

#[component]
pub fn EmptyState(
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let class = style! {
        .kp-empty {
            padding: var(--kp-space-4) var(--kp-space-3);
            text-align: center;
        }
        .kp-empty__title {
            margin: 0 0 var(--kp-space-1);
            font-size: var(--kp-text-md);
        }
        .kp-empty__message {
            margin: 0 0 var(--kp-space-3);
            color: var(--kp-ink-muted);
        }
    };
    view! { class=class,
        <section class="kp-empty">
            <h2 class="kp-empty__title">{move || title.get()}</h2>
            <p class="kp-empty__message">{move || message.get()}</p>
            {children.map(|c| c())}
        </section>
    }
}

#[component]
pub fn ErrorState(
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(optional, into)] retry_label: MaybeProp<String>,
    #[prop(optional)] on_retry: Option<Callback<()>>,
    /// What happens next without the reader doing anything (such as trying again by itself).
    #[prop(optional, into)]
    note: MaybeProp<String>,
) -> impl IntoView {
    let class = style! {
        .kp-error {
            padding: var(--kp-space-3);
            border: 2px solid var(--kp-danger);
            border-radius: var(--kp-radius);
            background: var(--kp-danger-surface);
        }
        .kp-error__title {
            margin: 0 0 var(--kp-space-1);
            font-size: var(--kp-text-md);
            color: var(--kp-danger-ink);
        }
        .kp-error__message {
            margin: 0 0 var(--kp-space-2);
        }
        .kp-error__note {
            margin: 0 0 var(--kp-space-2);
            color: var(--kp-ink-muted);
        }
    };
    view! { class=class,
        // role=alert: the failure is announced at once, wherever focus is.
        <div class="kp-error" role="alert">
            <h2 class="kp-error__title">{move || title.get()}</h2>
            <p class="kp-error__message">{move || message.get()}</p>
            {move || note.get().map(|note| view! { <p class="kp-error__note">{note}</p> })}
            {on_retry.map(|retry| view! {
                <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| retry.run(()))>
                    {move || retry_label.get().unwrap_or_default()}
                </Button>
            })}
        </div>
    }
}

pub fn examples() -> Vec<Example> {
    vec![
        Example {
            component: "Loading",
            name: "loading",
            render: || view! { <Loading label="正在加载…"/> }.into_any(),
        },
        Example {
            component: "EmptyState",
            name: "nothing yet",
            render: || {
                view! { <EmptyState title="No applications yet" message="Applications you file will show here."/> }.into_any()
            },
        },
        Example {
            component: "ErrorState",
            name: "with retry",
            render: || {
                view! { <ErrorState title="加载失败" message="网络好像断了。" retry_label="重试" on_retry=Callback::new(|_| ())/> }
                    .into_any()
            },
        },
        Example {
            component: "ErrorState",
            name: "retrying by itself",
            render: || {
                view! {
                    <ErrorState title="Something went wrong" message="The service is busy."
                        note="Kapok will try again by itself in about 30 seconds." retry_label="Try again"
                        on_retry=Callback::new(|_| ())/>
                }
                .into_any()
            },
        },
    ]
}
