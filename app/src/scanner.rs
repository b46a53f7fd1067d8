//! Read a licence code with the camera.
//!
//! The browser's own `BarcodeDetector` reads the frames where it has one with QR support
//! (Android, ChromeOS, macOS); everywhere else frames drawn from the video go to a web worker
//! running a QR decoder compiled to wasm (the kapok-scanner crate), loaded only then. Either
//! way nothing leaves the device, and
//! the camera is switched off as soon as a code is read, the user stops, or the page goes.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use js_sys::{Array, Function, Object, Promise, Reflect};
use kapok_components::{Button, ButtonVariant};
use leptos::{html, prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamConstraints, MediaStreamTrack, MessageEvent, Worker,
};

use crate::i18n::{t_string, use_i18n};

/// Frames are scaled down to this width before decoding: a QR held up to a phone fills a
/// good part of the frame, and smaller frames decode several times faster.
const FRAME_WIDTH: u32 = 800;
/// Time between two decoding attempts.
const FRAME_INTERVAL_MS: i32 = 150;
/// Trunk's loader for the worker binary (index.html); worker files keep their names.
const WORKER_URL: &str = "/kapok-scanner_loader.js";
/// How many times in a row a crashed decoder worker is replaced before the camera gives up.
const MAX_WORKER_RESTARTS: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq)]
enum CameraError {
    /// The user or the browser's settings refused the camera.
    Denied,
    /// No camera, or not one that can film (also: not a secure context).
    Missing,
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Idle,
    Scanning,
    Failed(CameraError),
}

/// A button that opens the camera, a viewfinder while it is open, and a clear message when it
/// cannot be opened. `on_code` receives the text of the first QR code read.
#[component]
pub fn Scanner(on_code: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(State::Idle);
    let video = NodeRef::<html::Video>::new();
    let stream = StoredValue::new_local(None::<MediaStream>);
    // Bumped at every start and stop, so a scanning loop from an earlier start ends.
    let run = StoredValue::new_local(Rc::new(Cell::new(0u32)));

    let stop = move || {
        run.with_value(|r| r.set(r.get() + 1));
        if let Some(stream) = stream.try_update_value(Option::take).flatten() {
            stop_tracks(&stream);
        }
        if let Some(video) = video.get_untracked() {
            video.set_src_object(None);
        }
    };
    on_cleanup(stop);

    let start = move || {
        stop();
        state.set(State::Scanning);
        let generation = run.with_value(Rc::clone);
        let mine = generation.get();
        spawn_local(async move {
            let opened = match open_camera().await {
                Ok(opened) => opened,
                Err(error) => {
                    if generation.get() == mine {
                        state.set(State::Failed(error));
                    }
                    return;
                }
            };
            // Stopped (or restarted) while the permission prompt was up.
            if generation.get() != mine {
                stop_tracks(&opened);
                return;
            }
            let Some(element) = video.get_untracked() else {
                stop_tracks(&opened);
                return;
            };
            element.set_src_object(Some(&opened));
            stream.set_value(Some(opened));
            if let Ok(playing) = element.play() {
                let _ = JsFuture::from(playing).await;
            }
            let read = read_codes(&element, &generation, mine).await;
            if generation.get() != mine {
                return;
            }
            stop();
            match read {
                Ok(read) => {
                    state.set(State::Idle);
                    if let Some(text) = read {
                        on_code.run(text);
                    }
                }
                Err(error) => state.set(State::Failed(error)),
            }
        });
    };

    let message = move |error: CameraError| match error {
        CameraError::Denied => t_string!(i18n, verify.camera_denied),
        CameraError::Missing => t_string!(i18n, verify.camera_missing),
        CameraError::Failed => t_string!(i18n, verify.camera_failed),
    };
    view! {
        <div class="kp-scanner">
            <Show
                when=move || state.get() == State::Scanning
                fallback=move || view! {
                    <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| start())>
                        {move || t_string!(i18n, verify.scan)}
                    </Button>
                }
            >
                <p id="scan-hint">{move || t_string!(i18n, verify.scan_hint)}</p>
                <div class="kp-scanner__frame">
                    <video node_ref=video class="kp-scanner__video" muted=true playsinline=true autoplay=true
                        aria-label=move || t_string!(i18n, verify.scan_view) aria-describedby="scan-hint"></video>
                </div>
                <Button variant=ButtonVariant::Secondary on_click=Callback::new(move |_| {
                    stop();
                    state.set(State::Idle);
                })>
                    {move || t_string!(i18n, verify.scan_stop)}
                </Button>
            </Show>
            {move || match state.get() {
                State::Failed(error) => Some(view! { <p class="kp-form-error" role="alert">{move || message(error)}</p> }),
                _ => None,
            }}
        </div>
    }
}

async fn open_camera() -> Result<MediaStream, CameraError> {
    let devices = window()
        .navigator()
        .media_devices()
        .map_err(|_| CameraError::Missing)?;
    let constraints = MediaStreamConstraints::new();
    let video = Object::new();
    let _ = Reflect::set(&video, &"facingMode".into(), &"environment".into());
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let pending = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| CameraError::Missing)?;
    match JsFuture::from(pending).await {
        Ok(stream) => stream.dyn_into().map_err(|_| CameraError::Failed),
        Err(error) => Err(
            match Reflect::get(&error, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .as_deref()
            {
                Some("NotAllowedError" | "SecurityError") => CameraError::Denied,
                Some("NotFoundError" | "OverconstrainedError" | "TypeError") => {
                    CameraError::Missing
                }
                _ => CameraError::Failed,
            },
        ),
    }
}

fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// Reads frames until one holds a QR code (`Ok(Some)`), or until `generation` moves on from
/// `mine` (`Ok(None)`).
async fn read_codes(
    video: &HtmlVideoElement,
    generation: &Cell<u32>,
    mine: u32,
) -> Result<Option<String>, CameraError> {
    let mut reader = match native_detector().await {
        Some(detector) => Reader::Native(detector),
        None => Reader::Worker(FrameWorker::start().ok_or(CameraError::Failed)?),
    };
    // How many crashed workers have been replaced since the last answer.
    let mut restarts = 0;
    while generation.get() == mine {
        sleep(FRAME_INTERVAL_MS).await;
        if generation.get() != mine {
            break;
        }
        // HAVE_CURRENT_DATA: there is a frame to look at.
        if video.ready_state() < 2 || video.video_width() == 0 {
            continue;
        }
        let read = match &mut reader {
            Reader::Native(detector) => detect_native(detector, video).await,
            Reader::Worker(worker) => match worker.read(video).await {
                Ok(read) => {
                    restarts = 0;
                    read
                }
                // The decoder can panic on some frames (rqrr's perspective asserts, found by
                // `cargo xtask fuzz`), which ends its worker. A worker that said it listens had
                // loaded, so a fresh one takes the next frame and the camera stays on; one that
                // never did could not load at all.
                Err(_) if worker.listening.get() && restarts < MAX_WORKER_RESTARTS => {
                    restarts += 1;
                    *worker = FrameWorker::start().ok_or(CameraError::Failed)?;
                    None
                }
                Err(error) => return Err(error),
            },
        };
        if read.is_some() {
            return Ok(read);
        }
    }
    Ok(None)
}

enum Reader {
    Native(JsValue),
    Worker(FrameWorker),
}

/// The browser's `BarcodeDetector`, if it has one that reads QR codes.
async fn native_detector() -> Option<JsValue> {
    let class: Function = Reflect::get(&window(), &"BarcodeDetector".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let formats: Function = Reflect::get(&class, &"getSupportedFormats".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let formats: Promise = formats.call0(&class).ok()?.dyn_into().ok()?;
    let formats: Array = JsFuture::from(formats).await.ok()?.dyn_into().ok()?;
    if !formats.includes(&"qr_code".into(), 0) {
        return None;
    }
    let options = Object::new();
    let _ = Reflect::set(&options, &"formats".into(), &Array::of1(&"qr_code".into()));
    Reflect::construct(&class, &Array::of1(&options)).ok()
}

async fn detect_native(detector: &JsValue, video: &HtmlVideoElement) -> Option<String> {
    let detect: Function = Reflect::get(detector, &"detect".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let found: Promise = detect.call1(detector, video).ok()?.dyn_into().ok()?;
    let found: Array = JsFuture::from(found).await.ok()?.dyn_into().ok()?;
    found
        .iter()
        .find_map(|code| Reflect::get(&code, &"rawValue".into()).ok()?.as_string())
}

/// The kapok-scanner worker (scanner/ in the workspace), fed one scaled-down frame at a time.
struct FrameWorker {
    worker: Worker,
    /// Settles when the worker says it listens (its wasm has loaded); taken by the first read.
    ready: RefCell<Option<Promise>>,
    /// Whether it has said so.
    listening: Cell<bool>,
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
}

impl FrameWorker {
    fn start() -> Option<FrameWorker> {
        let worker = Worker::new(WORKER_URL).ok()?;
        // Listening from the start: a message with no handler on this side is lost too.
        let ready = Promise::new(&mut |resolve, reject| {
            worker.set_onmessage(Some(&resolve));
            worker.set_onerror(Some(&reject));
        });
        let canvas: HtmlCanvasElement =
            document().create_element("canvas").ok()?.dyn_into().ok()?;
        let settings = Object::new();
        let _ = Reflect::set(&settings, &"willReadFrequently".into(), &JsValue::TRUE);
        let context = canvas
            .get_context_with_context_options("2d", &settings)
            .ok()??
            .dyn_into()
            .ok()?;
        Some(FrameWorker {
            worker,
            ready: RefCell::new(Some(ready)),
            listening: Cell::new(false),
            canvas,
            context,
        })
    }

    /// Draws the current video frame and asks the worker for the code in it. An error means
    /// the worker could not run (for example, it failed to load).
    async fn read(&self, video: &HtmlVideoElement) -> Result<Option<String>, CameraError> {
        // A frame sent before the worker listens would never be answered.
        let ready = self.ready.borrow_mut().take();
        if let Some(ready) = ready {
            JsFuture::from(ready)
                .await
                .map_err(|_| CameraError::Failed)?;
            self.listening.set(true);
        }
        let (source_width, source_height) = (video.video_width(), video.video_height());
        let width = source_width.min(FRAME_WIDTH);
        let height = (u64::from(source_height) * u64::from(width) / u64::from(source_width)) as u32;
        if height == 0 {
            return Ok(None);
        }
        self.canvas.set_width(width);
        self.canvas.set_height(height);
        let (w, h) = (f64::from(width), f64::from(height));
        let drawn = self
            .context
            .draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w, h);
        let Ok(frame) = drawn.and_then(|()| self.context.get_image_data(0.0, 0.0, w, h)) else {
            return Ok(None);
        };
        // The pixels as the JS array they already are, handed over to the worker, not copied.
        let pixels = Reflect::get(&frame, &"data".into()).map_err(|_| CameraError::Failed)?;
        let buffer = Reflect::get(&pixels, &"buffer".into()).map_err(|_| CameraError::Failed)?;
        let message = Object::new();
        let _ = Reflect::set(&message, &"width".into(), &width.into());
        let _ = Reflect::set(&message, &"height".into(), &height.into());
        let _ = Reflect::set(&message, &"pixels".into(), &pixels);
        let reply = Promise::new(&mut |resolve, reject| {
            self.worker.set_onmessage(Some(&resolve));
            self.worker.set_onerror(Some(&reject));
        });
        self.worker
            .post_message_with_transfer(&message, &Array::of1(&buffer))
            .map_err(|_| CameraError::Failed)?;
        let reply: MessageEvent = JsFuture::from(reply)
            .await
            .ok()
            .and_then(|r| r.dyn_into().ok())
            .ok_or(CameraError::Failed)?;
        Ok(reply.data().as_string())
    }
}

impl Drop for FrameWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

async fn sleep(ms: i32) {
    let wait = Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(wait).await;
}
