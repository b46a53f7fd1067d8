//! How long the verifier's phone takes to check one code offline: the same verification as
//! offline_verify.rs, in wasm in headless Chromium, timed over a couple of seconds. Ignored,
//! so `cargo xtask test` skips it; `cargo xtask bench` runs it with `--include-ignored` and
//! reads the Markdown row it logs.

#![cfg(target_arch = "wasm32")]

use ed25519_dalek::{Signer, SigningKey};
use kapok_api::{
    LicenceType,
    token::{self, Claims},
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Long enough that `Date.now()`'s millisecond steps do not matter.
const RUN_FOR_MS: f64 = 2000.0;

#[wasm_bindgen_test]
#[ignore = "a measurement, not a check: run by `cargo xtask bench`"]
fn time_one_offline_verification() {
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let key = SigningKey::from_bytes(&[42; 32]);
    let trusted = vec![("kapok-bench".to_string(), key.verifying_key().to_bytes())];
    let claims = Claims {
        licence_id: "lic-resident-id".into(),
        licence_type: LicenceType::ResidentIdCard,
        holder: "resident".into(),
        holder_name: "陈嘉欣".into(),
        issued_at: now,
        expires_at: now + 60,
        nonce: [5; 16],
    };
    let text = token::encode(&claims, "kapok-bench", |data| key.sign(data).to_bytes());
    let verify = || {
        token::verify_with_keys(std::hint::black_box(&text), &trusted, now)
            .expect("the code verifies");
    };

    // Let Chromium's tiered compiler optimise the module before the clock starts.
    for _ in 0..100 {
        verify();
    }
    let started = js_sys::Date::now();
    let mut count = 0u32;
    while js_sys::Date::now() - started < RUN_FOR_MS {
        for _ in 0..16 {
            verify();
        }
        count += 16;
    }
    let elapsed_ms = js_sys::Date::now() - started;
    console_log!(
        "| verify (`token::verify_with_keys`), wasm in Chromium | {:.0} | {:.1} µs |",
        f64::from(count) * 1000.0 / elapsed_ms,
        elapsed_ms * 1000.0 / f64::from(count)
    );
}
