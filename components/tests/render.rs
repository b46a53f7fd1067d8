//! Every component, rendered from its named examples in headless Chromium.

#![cfg(target_arch = "wasm32")]

use kapok_components::examples;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

/// Mounts the named example and returns its container; the mount lives until the test ends.
async fn render(component: &str, name: &str) -> (HtmlElement, impl Drop) {
    let example = examples()
        .into_iter()
        .find(|e| e.component == component && e.name == name)
        .unwrap_or_else(|| panic!("no example {component} / {name}"));
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), example.render);
    tick().await;
    (root, handle)
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

fn one(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

#[wasm_bindgen_test]
async fn every_named_example_renders_visible_content() {
    for example in examples() {
        let root = container();
        let _handle = leptos::mount::mount_to(root.clone(), example.render);
        tick().await;
        // Visible content is text, or a picture with a name (a QR code has no text).
        let text = root.text_content().unwrap_or_default();
        let named_picture = root
            .query_selector("[role=img][aria-label]")
            .unwrap()
            .is_some_and(|p| p.query_selector("svg").unwrap().is_some());
        assert!(
            !text.trim().is_empty() || named_picture,
            "{} / {} rendered nothing visible",
            example.component,
            example.name
        );
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn examples_have_unique_names() {
    let mut seen = std::collections::HashSet::new();
    for e in examples() {
        assert!(
            seen.insert((e.component, e.name)),
            "duplicate example {} / {}",
            e.component,
            e.name
        );
    }
}

#[wasm_bindgen_test]
async fn switch_flips_its_checked_state_when_pressed() {
    let (root, _h) = render("Switch", "elderly mode off").await;
    let switch: HtmlElement = one(&root, "[role=switch]").unchecked_into();
    assert_eq!(
        switch.get_attribute("aria-checked").as_deref(),
        Some("false")
    );
    switch.click();
    tick().await;
    assert_eq!(
        switch.get_attribute("aria-checked").as_deref(),
        Some("true")
    );
    switch.click();
    tick().await;
    assert_eq!(
        switch.get_attribute("aria-checked").as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn tab_bar_marks_exactly_one_current_section() {
    let (root, _h) = render("TabBar", "resident sections").await;
    let nav = one(&root, "nav");
    assert_eq!(nav.get_attribute("aria-label").as_deref(), Some("主要栏目"));
    let links = all(&root, "nav a");
    assert_eq!(links.len(), 4);
    let current: Vec<_> = links
        .iter()
        .filter(|a| a.get_attribute("aria-current").as_deref() == Some("page"))
        .collect();
    assert_eq!(current.len(), 1, "exactly one tab is current");
    // The test page is served at the site root, so the exact "home" tab is the current one.
    assert_eq!(current[0].get_attribute("href").as_deref(), Some("/"));
}

#[wasm_bindgen_test]
async fn a_field_error_is_announced_with_its_input() {
    let (root, _h) = render("TextField", "password with error").await;
    let input = one(&root, "input");
    assert_eq!(input.get_attribute("type").as_deref(), Some("password"));
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described_by = input
        .get_attribute("aria-describedby")
        .expect("the input points at its error");
    let error = one(&root, &format!("#{described_by}"));
    assert!(error.text_content().unwrap().contains("not right"));
    let label = one(&root, "label");
    assert_eq!(
        label.get_attribute("for"),
        input.get_attribute("id"),
        "the label names the input"
    );
}

#[wasm_bindgen_test]
async fn a_field_hint_comes_before_its_input_and_is_read_with_it_then_the_error() {
    let (root, _h) = render("TextField", "new password with hint and error").await;
    let input = one(&root, "input");
    assert_eq!(
        input.get_attribute("autocomplete").as_deref(),
        Some("new-password")
    );
    let described_by = input.get_attribute("aria-describedby").unwrap();
    let ids: Vec<&str> = described_by.split(' ').collect();
    assert_eq!(ids.len(), 2, "{described_by}");
    let hint = one(&root, &format!("#{}", ids[0]));
    assert!(hint.text_content().unwrap().contains("至少 8 个字符"));
    let error = one(&root, &format!("#{}", ids[1]));
    assert!(error.text_content().unwrap().contains("太容易被猜到"));
    // In reading order: label, hint, input, error.
    let order: Vec<String> = all(&root, ".kp-field > *")
        .iter()
        .map(|e| e.tag_name().to_lowercase())
        .collect();
    assert_eq!(order, ["label", "p", "input", "p"]);
}

#[wasm_bindgen_test]
async fn a_field_without_error_is_not_marked_invalid() {
    let (root, _h) = render("TextField", "username").await;
    let input = one(&root, "input");
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert_eq!(input.get_attribute("aria-describedby"), None);
    assert_eq!(
        input.get_attribute("autocomplete").as_deref(),
        Some("username")
    );
}

#[wasm_bindgen_test]
async fn failures_are_alerts_and_loading_is_a_status() {
    let (root, _h) = render("ErrorState", "with retry").await;
    one(&root, "[role=alert] button");
    assert!(all(&root, ".kp-error__note").is_empty());
    // What happens next by itself is part of the alert, read before the button.
    let (root, _h) = render("ErrorState", "retrying by itself").await;
    let note = one(&root, "[role=alert] .kp-error__note");
    assert!(note.text_content().unwrap().contains("30 seconds"));
    assert_eq!(
        note.next_element_sibling().map(|e| e.tag_name()).as_deref(),
        Some("BUTTON")
    );
    let (root, _h) = render("Loading", "loading").await;
    let status = one(&root, "[role=status]");
    assert!(status.text_content().unwrap().contains("正在加载"));
}

#[wasm_bindgen_test]
async fn icons_are_hidden_from_screen_readers() {
    let (root, _h) = render("Tile", "resident shortcuts").await;
    let icons = all(&root, "svg");
    assert!(!icons.is_empty());
    for icon in icons {
        assert_eq!(icon.get_attribute("aria-hidden").as_deref(), Some("true"));
    }
    // Each tile is a link named by its visible label.
    let links = all(&root, "a");
    assert_eq!(links.len(), 2);
    assert!(links[0].text_content().unwrap().contains("亮证"));
}

#[wasm_bindgen_test]
async fn language_choices_are_radios_that_carry_their_own_language() {
    let (root, _h) = render("ChoiceGroup", "language").await;
    let radios = all(&root, "input[type=radio]");
    assert_eq!(radios.len(), 3);
    let checked: Vec<_> = radios
        .iter()
        .filter(|r| {
            r.dyn_ref::<web_sys::HtmlInputElement>()
                .is_some_and(|i| i.checked())
        })
        .collect();
    assert_eq!(checked.len(), 1);
    let labels = all(&root, "label[lang]");
    assert_eq!(
        labels.len(),
        3,
        "each language's name is marked with its language"
    );
}

#[wasm_bindgen_test]
async fn a_qr_code_is_one_named_picture() {
    let (root, _h) = render("QrCode", "licence code").await;
    let picture = one(&root, "[role=img]");
    assert_eq!(
        picture.get_attribute("aria-label").as_deref(),
        Some("居民身份证的二维码")
    );
    let svg = one(&picture, "svg");
    assert!(svg.get_attribute("viewBox").is_some() || svg.get_attribute("width").is_some());
}

fn focused() -> Option<Element> {
    web_sys::window()?.document()?.active_element()
}

fn press_tab(on: &Element, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Tab");
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    on.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn a_dialog_takes_focus_keeps_it_inside_and_gives_it_back() {
    let (root, _h) = render("Dialog", "session ending").await;
    let opener: HtmlElement = one(&root, "button").unchecked_into();
    opener.focus().unwrap();
    opener.click();
    tick().await;
    let dialog: web_sys::HtmlDialogElement = one(&root, "dialog").unchecked_into();
    assert!(dialog.open(), "the dialog opened");
    assert_eq!(dialog.get_attribute("role").as_deref(), Some("alertdialog"));
    let buttons = all(&dialog, "button");
    assert_eq!(buttons.len(), 2);
    let (first, last) = (&buttons[0], &buttons[1]);
    // The safe choice has focus first.
    assert!(focused().is_some_and(|f| f.is_same_node(Some(first))));
    // Tab from the last control wraps to the first, Shift+Tab from the first to the last.
    last.unchecked_ref::<HtmlElement>().focus().unwrap();
    press_tab(last, false);
    assert!(focused().is_some_and(|f| f.is_same_node(Some(first))));
    press_tab(first, true);
    assert!(focused().is_some_and(|f| f.is_same_node(Some(last))));
    // Closing gives focus back to the control that opened it.
    first.unchecked_ref::<HtmlElement>().click();
    tick().await;
    assert!(!dialog.open(), "the dialog closed");
    assert!(focused().is_some_and(|f| f.is_same_node(Some(&opener))));
}
