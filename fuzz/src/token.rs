//! The `token` target: whatever reaches the offline verifier, it answers with a result, never a
//! panic, and accepts only what the rules allow; and whatever the issuer signs reads back
//! unchanged.

use std::sync::LazyLock;

use arbitrary::{Arbitrary, Unstructured};
use coset::{CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, iana};
use ed25519_dalek::{Signer, SigningKey};
use kapok_api::{
    LicenceType,
    token::{self, Claims, TokenError},
};

/// The verifier's clock in every run; the seeds' tokens are issued at this time.
pub const NOW: i64 = 1_800_000_000;
/// The key id the verifier trusts and the seeds' tokens name.
pub const KEY_ID: &str = "fuzz-1";
/// Also trusted, but its key signs nothing here: a token naming it has a bad signature.
pub const OTHER_KEY_ID: &str = "fuzz-2";

/// Fixed keys: Ed25519 signatures are deterministic, so a crash replays from its input alone.
static ISSUER: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::from_bytes(&[0x4b; 32]));
static TRUSTED: LazyLock<Vec<(String, [u8; 32])>> = LazyLock::new(|| {
    vec![
        (KEY_ID.into(), ISSUER.verifying_key().to_bytes()),
        (
            OTHER_KEY_ID.into(),
            SigningKey::from_bytes(&[0x4c; 32])
                .verifying_key()
                .to_bytes(),
        ),
    ]
});

/// How the rest of an input is read, chosen by its first byte modulo 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// As the text a camera or a paste hands the verifier (invalid UTF-8 replaced).
    Text = 0,
    /// As the COSE_Sign1 bytes inside the base45, so that mutations reach the CBOR parser.
    Cose = 1,
    /// As CWT claims that the trusted issuer signs: the claims parser behind the signature
    /// check, which no forged token reaches.
    SignedClaims = 2,
    /// As arbitrary claims and key id ([`Issued`]), signed and read back.
    RoundTrip = 3,
}

/// An input in `mode`.
pub fn input(mode: Mode, rest: &[u8]) -> Vec<u8> {
    [&[mode as u8], rest].concat()
}

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => verify(&String::from_utf8_lossy(rest)),
        1 => verify(&format!("{}{}", token::PREFIX, base45::encode(rest))),
        2 => verify(&signed_by_issuer(rest)),
        _ => round_trip(rest),
    }
}

/// Verification answers with a result; `verify_with_keys` agrees with `parse` followed by the
/// named key's `verify`; and what it accepts, the rules allow.
fn verify(text: &str) {
    let verified = token::verify_with_keys(text, &TRUSTED, NOW);
    match token::parse(text) {
        Err(error) => assert_eq!(verified, Err(error)),
        Ok(unverified) => {
            let named = TRUSTED.iter().find(|(id, _)| id == unverified.key_id());
            let expected = match named {
                None => Err(TokenError::UnknownKey),
                Some((id, key)) => unverified.verify(key, NOW).map(|c| (id.clone(), c)),
            };
            assert_eq!(verified, expected);
        }
    }
    if let Ok((_, claims)) = &verified {
        assert_eq!(
            time_rule(claims.issued_at, claims.expires_at),
            Ok(()),
            "accepted outside the rules: {claims:?}"
        );
    }
}

/// The verifier's time rule, written out again with checked arithmetic: a life of at most
/// `MAX_LIFETIME_SECS`, with `NOW` inside it give or take the clock skew. A life too long or
/// over is expired; one that has not begun is not yet valid.
fn time_rule(issued_at: i64, expires_at: i64) -> Result<(), TokenError> {
    let life = expires_at.checked_sub(issued_at);
    if !life.is_some_and(|life| (0..=token::MAX_LIFETIME_SECS).contains(&life))
        || expires_at < NOW - token::CLOCK_SKEW_SECS
    {
        Err(TokenError::Expired)
    } else if issued_at > NOW + token::CLOCK_SKEW_SECS {
        Err(TokenError::NotYetValid)
    } else {
        Ok(())
    }
}

/// A token carrying `payload` as its claims, signed by the trusted issuer with the header
/// `token::encode` writes.
fn signed_by_issuer(payload: &[u8]) -> String {
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(KEY_ID.as_bytes().to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload.to_vec())
        .create_signature(&[], |data| ISSUER.sign(data).to_vec())
        .build();
    let bytes = sign1.to_vec().expect("COSE_Sign1 serialises");
    format!("{}{}", token::PREFIX, base45::encode(&bytes))
}

/// What an issuer might sign, any text in any field.
#[derive(Arbitrary, Debug)]
struct Issued {
    key_id: String,
    licence_id: String,
    licence_type: u8,
    holder: String,
    holder_name: String,
    nonce: [u8; 16],
    times: Times,
}

#[derive(Arbitrary, Debug)]
enum Times {
    /// Around `NOW`, where acceptance is decided second by second.
    NearNow { issued: i8, life: i8 },
    /// Anywhere, the ends of `i64` included.
    Anywhere { issued_at: i64, expires_at: i64 },
}

fn round_trip(rest: &[u8]) {
    let Ok(issued) = Unstructured::new(rest).arbitrary::<Issued>() else {
        return;
    };
    let (issued_at, expires_at) = match issued.times {
        Times::NearNow { issued, life } => {
            let issued_at = NOW + i64::from(issued);
            (issued_at, issued_at + i64::from(life))
        }
        Times::Anywhere {
            issued_at,
            expires_at,
        } => (issued_at, expires_at),
    };
    let claims = Claims {
        licence_id: issued.licence_id,
        licence_type: LicenceType::ALL[usize::from(issued.licence_type) % LicenceType::ALL.len()],
        holder: issued.holder,
        holder_name: issued.holder_name,
        issued_at,
        expires_at,
        nonce: issued.nonce,
    };
    let text = token::encode(&claims, &issued.key_id, |data| ISSUER.sign(data).to_bytes());
    let parsed = token::parse(&text);
    // A token must name its key; the issuer's configuration, not the token, is at fault.
    if issued.key_id.is_empty() {
        assert_eq!(parsed.err(), Some(TokenError::Malformed));
        return;
    }
    let parsed = parsed.expect("what the issuer signs parses");
    assert_eq!(parsed.key_id(), issued.key_id);
    let expected = time_rule(issued_at, expires_at).map(|()| claims);
    assert_eq!(
        parsed.verify(&ISSUER.verifying_key().to_bytes(), NOW),
        expected
    );
}

/// The seed inputs, by file name: real tokens in each mode, and a round trip.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let valid = valid_token(KEY_ID);
    let cose = base45::decode(&valid[token::PREFIX.len()..]).expect("base45");
    let payload = CoseSign1::from_slice(&cose)
        .ok()
        .and_then(|sign1| sign1.payload)
        .expect("a payload");
    vec![
        ("text-valid", input(Mode::Text, valid.as_bytes())),
        (
            "text-pasted",
            input(Mode::Text, format!("  {valid}\n").as_bytes()),
        ),
        (
            "text-bad-signature",
            input(Mode::Text, valid_token(OTHER_KEY_ID).as_bytes()),
        ),
        (
            "text-unknown-key",
            input(Mode::Text, valid_token("kapok-2026").as_bytes()),
        ),
        ("cose-valid", input(Mode::Cose, &cose)),
        ("claims-valid", input(Mode::SignedClaims, &payload)),
        (
            "round-trip",
            input(
                Mode::RoundTrip,
                "k1 lic-1 \u{7}resident 陈嘉欣 nonce-nonce-nonce!".as_bytes(),
            ),
        ),
    ]
}

/// A token the issuer signs at `NOW`, naming `key_id`, as the demo resident shows it.
pub fn valid_token(key_id: &str) -> String {
    let claims = Claims {
        licence_id: "lic-resident-id".into(),
        licence_type: LicenceType::ResidentIdCard,
        holder: "resident".into(),
        holder_name: "陈嘉欣".into(),
        issued_at: NOW,
        expires_at: NOW + 60,
        nonce: [7; 16],
    };
    token::encode(&claims, key_id, |data| ISSUER.sign(data).to_bytes())
}
