//! The web worker: says `true` once it listens, then receives `{ width, height, pixels }`
//! messages (RGBA frames) and answers each with the text of the QR code it found, or `null`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use js_sys::{Reflect, Uint8ClampedArray};
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_frame = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let frame = event.data();
        let number = |name: &str| {
            Reflect::get(&frame, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as usize
        };
        let text = Reflect::get(&frame, &"pixels".into())
            .ok()
            .and_then(|pixels| pixels.dyn_into::<Uint8ClampedArray>().ok())
            .and_then(|pixels| {
                kapok_scanner::decode(number("width"), number("height"), &pixels.to_vec())
            });
        let _ = reply.post_message(&text.map_or(JsValue::NULL, JsValue::from));
    });
    scope.set_onmessage(Some(on_frame.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_frame.forget();
    // A frame posted before the handler was set would be lost, so the page waits for this.
    let _ = scope.post_message(&JsValue::TRUE);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kapok-scanner runs as a web worker in the browser; see app/src/scanner.rs");
}
