//! A QR code drawn as SVG from text, crisp at any zoom and in elderly mode.

use leptos::prelude::*;
use qrcode::{EcLevel, QrCode as Code, render::svg};
use stylers_macro::style;

use crate::Example;

/// The SVG markup for `text`, or `None` if it is too long for any QR code. Error correction
/// M survives a scratched screen or glare; the quiet zone lets scanners find the edges.
pub fn render_svg(text: &str) -> Option<String> {
    let code = Code::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Drop the XML declaration: in an HTML document it would only become a stray comment.
    Some(
        svg.find("<svg")
            .map(|start| svg[start..].to_owned())
            .unwrap_or(svg),
    )
}

#[component]
pub fn QrCode(
    #[prop(into)] text: Signal<String>,
    /// What the code is, for people who cannot see it.
    #[prop(into)]
    label: Signal<String>,
) -> impl IntoView {
    let class = style! {
        .kp-qr {
            display: flex;
            justify-content: center;
            padding: var(--kp-space-2);
            background: #ffffff;
            border-radius: var(--kp-radius);
        }
        .kp-qr :deep(svg) {
            width: min(100%, 18rem);
            height: auto;
        }
    };
    let svg = Memo::new(move |_| render_svg(&text.get()).unwrap_or_default());
    view! { class=class,
        // role=img + aria-label: the drawing is one picture with a name, not a grid of shapes.
        <div class="kp-qr" role="img" aria-label=move || label.get() inner_html=move || svg.get()></div>
    }
}

pub fn examples() -> Vec<Example> {
    vec![Example {
        component: "QrCode",
        name: "licence code",
        render: || {
            view! { <QrCode text="KP1:NCF6QF+EGM0VQDDMN9KFF5N3%3A5ED+7" label="居民身份证的二维码"/> }.into_any()
        },
    }]
}

#[cfg(test)]
mod tests {
    use super::render_svg;

    #[test]
    fn renders_an_svg_for_a_licence_sized_code() {
        let svg = render_svg(&format!("KP1:{}", "A".repeat(300))).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }

    #[test]
    fn text_too_long_for_any_qr_code_is_refused_not_a_panic() {
        assert_eq!(render_svg(&"x".repeat(5000)), None);
    }
}
