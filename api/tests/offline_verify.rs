//! Offline verification, in wasm in headless Chromium: the verifier's phone checks a code with
//! the issuer keys it cached, with no server. The tokens come from the server's own signing
//! code (`token::encode` with an Ed25519 key, as `POST /wallet/{id}/presentations` does).

#![cfg(target_arch = "wasm32")]

use ed25519_dalek::{Signer, SigningKey};
use kapok_api::{
    IssuerKey, IssuerKeys, LicenceType,
    token::{self, Claims, TokenError},
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn issuer() -> (SigningKey, IssuerKeys) {
    use base64::Engine;
    let key = SigningKey::from_bytes(&[42; 32]);
    let keys = IssuerKeys {
        keys: vec![IssuerKey {
            key_id: "kapok-test".into(),
            public_key: base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(key.verifying_key().to_bytes()),
            algorithm: "EdDSA".into(),
        }],
        as_of: now(),
    };
    (key, keys)
}

fn code(key: &SigningKey, issued_at: i64) -> String {
    let claims = Claims {
        licence_id: "lic-resident-id".into(),
        licence_type: LicenceType::ResidentIdCard,
        holder: "resident".into(),
        holder_name: "陈嘉欣".into(),
        issued_at,
        expires_at: issued_at + 60,
        nonce: [5; 16],
    };
    token::encode(&claims, "kapok-test", |data| key.sign(data).to_bytes())
}

#[wasm_bindgen_test]
fn a_current_code_verifies_offline_and_names_its_holder() {
    let (key, keys) = issuer();
    let (key_id, claims) =
        token::verify_with_keys(&code(&key, now()), &keys.decoded(), now()).unwrap();
    assert_eq!(key_id, "kapok-test");
    assert_eq!(claims.holder_name, "陈嘉欣");
    assert_eq!(claims.licence_type, LicenceType::ResidentIdCard);
}

#[wasm_bindgen_test]
fn a_tampered_code_is_refused_offline() {
    let (key, keys) = issuer();
    let text = code(&key, now());
    let mut bytes = base45::decode(&text[token::PREFIX.len()..]).unwrap();
    let at = bytes.windows(3).position(|w| w == "陈".as_bytes()).unwrap();
    bytes[at + 2] ^= 0x01;
    let tampered = format!("{}{}", token::PREFIX, base45::encode(&bytes));
    assert_eq!(
        token::verify_with_keys(&tampered, &keys.decoded(), now()).err(),
        Some(TokenError::BadSignature)
    );
}

#[wasm_bindgen_test]
fn an_expired_code_is_refused_offline() {
    let (key, keys) = issuer();
    let stale = code(&key, now() - 120);
    assert_eq!(
        token::verify_with_keys(&stale, &keys.decoded(), now()).err(),
        Some(TokenError::Expired)
    );
}

#[wasm_bindgen_test]
fn a_code_shown_before_its_minute_is_not_yet_valid_offline() {
    let (key, keys) = issuer();
    let early = code(&key, now() + 300);
    assert_eq!(
        token::verify_with_keys(&early, &keys.decoded(), now()).err(),
        Some(TokenError::NotYetValid)
    );
}

#[wasm_bindgen_test]
fn a_code_from_a_key_not_in_the_cache_is_refused_offline() {
    let (_, keys) = issuer();
    let stranger = SigningKey::from_bytes(&[7; 32]);
    let claims = Claims {
        licence_id: "x".into(),
        licence_type: LicenceType::ResidentIdCard,
        holder: "x".into(),
        holder_name: "x".into(),
        issued_at: now(),
        expires_at: now() + 60,
        nonce: [1; 16],
    };
    let text = token::encode(&claims, "kapok-other", |data| {
        stranger.sign(data).to_bytes()
    });
    assert_eq!(
        token::verify_with_keys(&text, &keys.decoded(), now()).err(),
        Some(TokenError::UnknownKey)
    );
}
