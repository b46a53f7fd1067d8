//! A modal dialog: for what must be answered before anything else (a session about to end).
//!
//! It is the platform's `<dialog>` opened with `showModal()`, so the page behind it is inert
//! and Escape dismisses it. Tab and Shift+Tab cycle through the dialog's own controls and never
//! reach the browser's address bar; on closing, focus goes back to where it was. Put
//! `autofocus` on the control that should have focus first (the safe choice).

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::{ev::KeyboardEvent, prelude::*};
use stylers_macro::style;
use web_sys::{HtmlElement, wasm_bindgen::JsCast};

use crate::{Button, ButtonVariant, Example};

/// Numbers each dialog's heading id: a closed dialog stays in the document, so two on one page
/// (the session warning and a confirmation) must not share one.
static DIALOGS: AtomicUsize = AtomicUsize::new(0);

const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

#[component]
pub fn Dialog(
    /// Whether the dialog shows.
    #[prop(into)]
    open: Signal<bool>,
    /// Asked to close by Escape; the owner decides what that means and sets `open` to false.
    on_dismiss: Callback<()>,
    /// The heading that names the dialog.
    #[prop(optional, into)]
    title: MaybeProp<String>,
    /// A heading with more than text in it (a name marked with its language, inside a
    /// sentence), in place of `title`.
    #[prop(optional, into)]
    heading: Option<ViewFn>,
    /// Announced at once, as an alert (a warning that needs an answer).
    #[prop(optional)]
    alert: bool,
    children: Children,
) -> impl IntoView {
    let class = style! {
        .kp-dialog {
            box-sizing: border-box;
            width: min(32rem, calc(100% - 2 * var(--kp-space-3)));
            max-height: calc(100% - 2 * var(--kp-space-3));
            padding: var(--kp-space-4);
            background: var(--kp-surface);
            color: var(--kp-ink);
            border: 2px solid var(--kp-ink);
            border-radius: var(--kp-radius);
            overflow-y: auto;
        }
        .kp-dialog__title {
            margin: 0 0 var(--kp-space-2);
            font-size: var(--kp-text-lg);
        }
    };
    let title_id = format!(
        "kp-dialog-title-{}",
        DIALOGS.fetch_add(1, Ordering::Relaxed)
    );
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let opener = StoredValue::new_local(None::<HtmlElement>);
    Effect::new(move |_| {
        let Some(dialog) = dialog.get() else { return };
        if open.get() && !dialog.open() {
            opener.set_value(active_element());
            let _ = dialog.show_modal();
        } else if !open.get() && dialog.open() {
            dialog.close();
            // Back to the control that was in use, if it is still there.
            if let Some(before) = opener.get_value().filter(|e| e.is_connected()) {
                let _ = before.focus();
            }
        }
    });
    let trap = move |ev: KeyboardEvent| {
        if ev.key() != "Tab" {
            return;
        }
        let Some(dialog) = dialog.get_untracked() else {
            return;
        };
        let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
            return;
        };
        let items: Vec<HtmlElement> = (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
            .collect();
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return;
        };
        let current = active_element();
        let at = |e: &HtmlElement| current.as_ref().is_some_and(|c| c.is_same_node(Some(e)));
        let wrap_to = if ev.shift_key() && (at(first) || current.is_none()) {
            Some(last)
        } else if !ev.shift_key() && at(last) {
            Some(first)
        } else {
            None
        };
        if let Some(target) = wrap_to {
            ev.prevent_default();
            let _ = target.focus();
        }
    };
    view! { class=class,
        <dialog class="kp-dialog" node_ref=dialog
            role=alert.then_some("alertdialog")
            aria-labelledby=title_id.clone()
            on:keydown=trap
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); on_dismiss.run(()); }
        >
            <h2 id=title_id.clone() class="kp-dialog__title">
                {move || match &heading {
                    Some(heading) => heading.run(),
                    None => title.get().unwrap_or_default().into_any(),
                }}
            </h2>
            {children()}
        </dialog>
    }
}

fn active_element() -> Option<HtmlElement> {
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into()
        .ok()
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "Dialog",
        name: "session ending",
        render: || {
            let open = RwSignal::new(false);
            let dismiss = Callback::new(move |_| open.set(false));
            let close = Callback::new(move |_| open.set(false));
            view! {
                <Button on_click=Callback::new(move |_| open.set(true))>"打开对话框"</Button>
                <Dialog open=open on_dismiss=dismiss title="还在使用吗？" alert=true>
                    <p>"为保护您的信息，2 分钟后将自动退出登录。"</p>
                    <div class="kp-actions">
                        <Button autofocus=true on_click=close>"继续使用"</Button>
                        <Button variant=ButtonVariant::Secondary on_click=close>"退出登录"</Button>
                    </div>
                </Dialog>
            }
            .into_any()
        },
    }]
}
