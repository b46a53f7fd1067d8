//! Presentation tokens signed and verified per second on this machine, natively, with a real
//! Ed25519 key: what one server core can issue and check. Run by `cargo xtask bench` in
//! release mode; prints Markdown table rows (`| operation | ops/s | per operation |`).

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use ed25519_dalek::{Signer, SigningKey};
use kapok_api::{
    LicenceType,
    token::{self, Claims},
};

/// Long enough that timer resolution and frequency scaling wash out, short enough for CI.
const RUN_FOR: Duration = Duration::from_secs(2);
const NOW: i64 = 1_800_000_000;

fn main() {
    let key = SigningKey::from_bytes(&[42; 32]);
    let trusted = vec![("kapok-bench".to_string(), key.verifying_key().to_bytes())];
    let mut nonce = 0u128;
    let mut claims = move || {
        nonce += 1;
        Claims {
            licence_id: "lic-resident-id".into(),
            licence_type: LicenceType::ResidentIdCard,
            holder: "resident".into(),
            holder_name: "陈嘉欣".into(),
            issued_at: NOW,
            expires_at: NOW + 60,
            nonce: nonce.to_le_bytes(),
        }
    };

    // What `POST /wallet/{id}/presentations` does per token: CWT claims, COSE_Sign1, base45.
    let sign = per_second(|| {
        black_box(token::encode(&claims(), "kapok-bench", |data| {
            key.sign(data).to_bytes()
        }));
    });
    // What a verifier does per scanned code: parse, pick the named key, verify_strict, claims.
    let text = token::encode(&claims(), "kapok-bench", |data| key.sign(data).to_bytes());
    let verify = per_second(|| {
        token::verify_with_keys(black_box(&text), &trusted, NOW).expect("the token verifies");
    });

    for (operation, ops) in [
        ("sign (`token::encode`)", sign),
        ("verify (`token::verify_with_keys`)", verify),
    ] {
        println!("| {operation} | {ops:.0} | {:.1} µs |", 1_000_000.0 / ops);
    }
}

/// Runs `op` repeatedly for `RUN_FOR` on one thread and returns how many times a second.
fn per_second(mut op: impl FnMut()) -> f64 {
    // Warm caches and the branch predictor before the clock starts.
    for _ in 0..100 {
        op();
    }
    let started = Instant::now();
    let mut count = 0u64;
    while started.elapsed() < RUN_FOR {
        // Batches keep `Instant::now` out of the measurement.
        for _ in 0..64 {
            op();
        }
        count += 64;
    }
    count as f64 / started.elapsed().as_secs_f64()
}
