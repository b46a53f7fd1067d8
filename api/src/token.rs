//! Licence presentation tokens: what the live QR code carries.
//!
//! A token is a COSE_Sign1 (RFC 9052) over CWT claims (RFC 8392), signed with EdDSA
//! (Ed25519), with the issuer's key id in the protected header. As text it is `KP1:` followed
//! by base45 (RFC 9285), whose alphabet is exactly a QR code's alphanumeric mode, the densest
//! one for text. The server signs; the server and the offline verifier (wasm) both verify with
//! this one implementation.

use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, Header, HeaderBuilder,
    RegisteredLabelWithPrivate,
    cbor::value::Value,
    cwt::{ClaimName, ClaimsSet, ClaimsSetBuilder, Timestamp},
    iana,
};
use ed25519_dalek::{Signature, VerifyingKey};

use crate::LicenceType;

/// Text prefix and format version.
pub const PREFIX: &str = "KP1:";
/// The longest a token may live: a photo of the code is worthless a minute later.
pub const MAX_LIFETIME_SECS: i64 = 60;
/// Allowed difference between the issuer's and the verifier's clocks.
pub const CLOCK_SKEW_SECS: i64 = 10;
const ISSUER: &str = "kapok";
const CONTENT_TYPE: &str = "application/kapok-presentation+cwt";
/// Private-use CWT claim keys (RFC 8392 §4: negative integers below -65536 are private).
const CLAIM_LICENCE: i64 = -70_001;
const CLAIM_LICENCE_TYPE: i64 = -70_002;
const CLAIM_HOLDER_NAME: i64 = -70_003;

/// What a token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    pub licence_id: String,
    pub licence_type: LicenceType,
    /// The holder's id (a user or an enterprise).
    pub holder: String,
    /// The holder's name as on the licence, so an offline verifier can name them.
    pub holder_name: String,
    pub issued_at: i64,
    pub expires_at: i64,
    /// 128 random bits: the verifier's replay check.
    pub nonce: [u8; 16],
}

/// Why a token was refused. Each is a distinct stable error code at the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a Kapok token, or damaged beyond parsing.
    Malformed,
    /// Signed with a key this verifier does not trust.
    UnknownKey,
    /// The signature does not match: the token was altered.
    BadSignature,
    /// Past its expiry, or claiming a longer life than allowed.
    Expired,
    /// Its time has not come yet: a later code of a batch shown early, or a clock that is
    /// behind by more than the allowed skew on one of the two phones.
    NotYetValid,
}

/// Signs `claims` with `sign` (Ed25519 over the COSE Sig_structure) under `key_id`.
pub fn encode(claims: &Claims, key_id: &str, sign: impl FnOnce(&[u8]) -> [u8; 64]) -> String {
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(key_id.as_bytes().to_vec())
        .content_type(CONTENT_TYPE.into())
        .build();
    encode_under(protected, Header::default(), claims, sign)
}

/// [`encode`] under the headers given: the protected one, which the signature covers, and the
/// unprotected one, which it does not.
fn encode_under(
    protected: Header,
    unprotected: Header,
    claims: &Claims,
    sign: impl FnOnce(&[u8]) -> [u8; 64],
) -> String {
    let payload = ClaimsSetBuilder::new()
        .issuer(ISSUER.into())
        .subject(claims.holder.clone())
        .issued_at(Timestamp::WholeSeconds(claims.issued_at))
        .expiration_time(Timestamp::WholeSeconds(claims.expires_at))
        .cwt_id(claims.nonce.to_vec())
        .private_claim(CLAIM_LICENCE, Value::Text(claims.licence_id.clone()))
        .private_claim(
            CLAIM_LICENCE_TYPE,
            Value::Text(claims.licence_type.as_str().into()),
        )
        .private_claim(CLAIM_HOLDER_NAME, Value::Text(claims.holder_name.clone()))
        .build()
        .to_vec()
        .expect("claims serialise");
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected)
        .payload(payload)
        .create_signature(&[], |data| sign(data).to_vec())
        .build();
    let bytes = sign1.to_vec().expect("COSE_Sign1 serialises");
    format!("{PREFIX}{}", base45::encode(&bytes))
}

/// A token that parsed but is not yet checked.
#[derive(Clone, Debug)]
pub struct Unverified {
    key_id: String,
    sign1: CoseSign1,
}

/// Parses and verifies `text` against the issuer keys the verifier trusts (key id, public
/// key), at `now`. The token only names its key; a key it does not name from this list is
/// never used (ASVS 5.0 §9.1.3).
pub fn verify_with_keys(
    text: &str,
    trusted: &[(String, [u8; 32])],
    now: i64,
) -> Result<(String, Claims), TokenError> {
    let unverified = parse(text)?;
    let (key_id, public_key) = trusted
        .iter()
        .find(|(key_id, _)| key_id == unverified.key_id())
        .ok_or(TokenError::UnknownKey)?;
    Ok((key_id.clone(), unverified.verify(public_key, now)?))
}

/// Parses the text of a QR code. Surrounding white space (from pasting) is ignored.
pub fn parse(text: &str) -> Result<Unverified, TokenError> {
    let body = text
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(TokenError::Malformed)?;
    let bytes = base45::decode(body).map_err(|_| TokenError::Malformed)?;
    let sign1 = CoseSign1::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
    // Only EdDSA is accepted: a token never gets to choose a weaker algorithm.
    if sign1.protected.header.alg
        != Some(RegisteredLabelWithPrivate::Assigned(iana::Algorithm::EdDSA))
    {
        return Err(TokenError::Malformed);
    }
    let key_id = String::from_utf8(sign1.protected.header.key_id.clone())
        .map_err(|_| TokenError::Malformed)?;
    if key_id.is_empty() {
        return Err(TokenError::Malformed);
    }
    Ok(Unverified { key_id, sign1 })
}

impl Unverified {
    /// The issuer key the token names; the verifier looks it up among keys it already trusts.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Checks the signature with `public_key`, then the time window at `now` (Unix seconds).
    pub fn verify(&self, public_key: &[u8; 32], now: i64) -> Result<Claims, TokenError> {
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| TokenError::UnknownKey)?;
        self.sign1.verify_signature(&[], |signature, data| {
            let signature =
                Signature::from_slice(signature).map_err(|_| TokenError::BadSignature)?;
            // verify_strict also refuses small-order keys and malleable signatures.
            key.verify_strict(data, &signature)
                .map_err(|_| TokenError::BadSignature)
        })?;
        let payload = self.sign1.payload.as_deref().ok_or(TokenError::Malformed)?;
        let claims =
            claims_from(ClaimsSet::from_slice(payload).map_err(|_| TokenError::Malformed)?)?;
        // Checked: the times are whatever was signed, and at the ends of i64 their difference
        // overflows (a panic in debug builds, found by fuzz/'s `token` target).
        let lifetime = claims.expires_at.checked_sub(claims.issued_at);
        if !lifetime.is_some_and(|life| (0..=MAX_LIFETIME_SECS).contains(&life))
            || now - CLOCK_SKEW_SECS > claims.expires_at
        {
            return Err(TokenError::Expired);
        }
        if now + CLOCK_SKEW_SECS < claims.issued_at {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

fn claims_from(set: ClaimsSet) -> Result<Claims, TokenError> {
    if set.issuer.as_deref() != Some(ISSUER) {
        return Err(TokenError::Malformed);
    }
    let seconds = |t: Option<Timestamp>| match t {
        Some(Timestamp::WholeSeconds(s)) => Ok(s),
        _ => Err(TokenError::Malformed),
    };
    let text = |key: i64| {
        set.rest
            .iter()
            .find_map(|(name, value)| match (name, value) {
                (ClaimName::PrivateUse(k), Value::Text(t)) if *k == key => Some(t.clone()),
                _ => None,
            })
    };
    let nonce: [u8; 16] = set
        .cwt_id
        .clone()
        .and_then(|id| id.try_into().ok())
        .ok_or(TokenError::Malformed)?;
    Ok(Claims {
        licence_id: text(CLAIM_LICENCE).ok_or(TokenError::Malformed)?,
        licence_type: text(CLAIM_LICENCE_TYPE)
            .and_then(|t| LicenceType::parse(&t))
            .ok_or(TokenError::Malformed)?,
        holder: set.subject.clone().ok_or(TokenError::Malformed)?,
        holder_name: text(CLAIM_HOLDER_NAME).ok_or(TokenError::Malformed)?,
        issued_at: seconds(set.issued_at.clone())?,
        expires_at: seconds(set.expiration_time.clone())?,
        nonce,
    })
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn claims() -> Claims {
        Claims {
            licence_id: "lic-resident-id".into(),
            licence_type: LicenceType::ResidentIdCard,
            holder: "resident".into(),
            holder_name: "陈嘉欣".into(),
            issued_at: NOW,
            expires_at: NOW + 60,
            nonce: [7; 16],
        }
    }

    fn token(claims: &Claims, signer: &SigningKey) -> String {
        encode(claims, "k1", |data| signer.sign(data).to_bytes())
    }

    #[test]
    fn a_token_verifies_with_its_issuer_key_and_says_what_was_signed() {
        let signer = key(1);
        let text = token(&claims(), &signer);
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.key_id(), "k1");
        assert_eq!(
            parsed.verify(signer.verifying_key().as_bytes(), NOW + 30),
            Ok(claims())
        );
    }

    #[test]
    fn the_text_fits_a_qr_alphanumeric_segment_and_a_phone_screen() {
        let text = token(&claims(), &key(1));
        assert!(
            text.bytes()
                .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b)),
            "{text}"
        );
        assert!(text.len() < 400, "{} characters", text.len());
    }

    #[test]
    fn one_changed_byte_breaks_the_signature() {
        let signer = key(1);
        let text = token(&claims(), &signer);
        let mut bytes = base45::decode(&text[PREFIX.len()..]).unwrap();
        // The licence id sits inside the signed payload, well before the 64-byte signature.
        let at = bytes.windows(3).position(|w| w == b"lic").unwrap();
        bytes[at] ^= 0x01;
        let tampered = format!("{PREFIX}{}", base45::encode(&bytes));
        let result = parse(&tampered)
            .unwrap()
            .verify(signer.verifying_key().as_bytes(), NOW);
        assert_eq!(result, Err(TokenError::BadSignature));
    }

    #[test]
    fn only_a_listed_key_is_used() {
        let signer = key(1);
        let text = token(&claims(), &signer);
        let trusted = vec![("k1".to_string(), signer.verifying_key().to_bytes())];
        assert_eq!(
            verify_with_keys(&text, &trusted, NOW).map(|(k, c)| (k, c.holder_name)),
            Ok(("k1".into(), "陈嘉欣".into()))
        );
        let other = vec![("k2".to_string(), signer.verifying_key().to_bytes())];
        assert_eq!(
            verify_with_keys(&text, &other, NOW).err(),
            Some(TokenError::UnknownKey)
        );
    }

    #[test]
    fn another_key_is_refused() {
        let text = token(&claims(), &key(1));
        let result = parse(&text)
            .unwrap()
            .verify(key(2).verifying_key().as_bytes(), NOW);
        assert_eq!(result, Err(TokenError::BadSignature));
    }

    #[test]
    fn time_window_allows_only_small_clock_skew() {
        let signer = key(1);
        let public = signer.verifying_key().to_bytes();
        let parsed = parse(&token(&claims(), &signer)).unwrap();
        assert!(parsed.verify(&public, NOW - CLOCK_SKEW_SECS).is_ok());
        assert!(parsed.verify(&public, NOW + 60 + CLOCK_SKEW_SECS).is_ok());
        assert_eq!(
            parsed.verify(&public, NOW + 60 + CLOCK_SKEW_SECS + 1),
            Err(TokenError::Expired)
        );
        assert_eq!(
            parsed.verify(&public, NOW - CLOCK_SKEW_SECS - 1),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn a_long_lived_token_is_refused_even_when_signed() {
        let signer = key(1);
        let long = Claims {
            expires_at: NOW + 3600,
            ..claims()
        };
        let parsed = parse(&token(&long, &signer)).unwrap();
        assert_eq!(
            parsed.verify(signer.verifying_key().as_bytes(), NOW),
            Err(TokenError::Expired)
        );
    }

    /// Found by fuzzing (fuzz/, `token` target, round-trip mode): a signed token issued at the
    /// start of time and expiring at its end made the lifetime subtraction overflow, so a debug
    /// build panicked where it should refuse.
    #[test]
    fn a_token_from_the_ends_of_time_is_expired_not_a_panic() {
        let signer = key(1);
        for (issued_at, expires_at) in [(i64::MIN, i64::MAX), (-1, i64::MAX), (i64::MAX, -2)] {
            let odd = Claims {
                issued_at,
                expires_at,
                ..claims()
            };
            let parsed = parse(&token(&odd, &signer)).unwrap();
            assert_eq!(
                parsed.verify(signer.verifying_key().as_bytes(), NOW),
                Err(TokenError::Expired),
                "issued {issued_at}, expires {expires_at}"
            );
        }
    }

    /// The classic attack on signed tokens: one that names another algorithm (none at all, a
    /// MAC keyed with the public key, a weaker curve), or names EdDSA only where the signature
    /// does not cover it, is refused before any key is tried, though its Ed25519 signature is
    /// good.
    #[test]
    fn only_an_eddsa_token_is_accepted_whatever_its_header_says() {
        let signer = key(1);
        let sign = |data: &[u8]| signer.sign(data).to_bytes();
        let named = |alg: Option<iana::Algorithm>| {
            let header = HeaderBuilder::new().key_id(b"k1".to_vec());
            match alg {
                Some(alg) => header.algorithm(alg),
                None => header,
            }
            .build()
        };
        let eddsa = encode_under(
            named(Some(iana::Algorithm::EdDSA)),
            Header::default(),
            &claims(),
            sign,
        );
        assert_eq!(
            parse(&eddsa)
                .unwrap()
                .verify(signer.verifying_key().as_bytes(), NOW),
            Ok(claims())
        );
        for alg in [
            iana::Algorithm::HMAC_256_256,
            iana::Algorithm::ES256,
            iana::Algorithm::PS256,
        ] {
            let other = encode_under(named(Some(alg)), Header::default(), &claims(), sign);
            assert_eq!(parse(&other).err(), Some(TokenError::Malformed), "{alg:?}");
        }
        let unnamed = encode_under(named(None), Header::default(), &claims(), sign);
        assert_eq!(parse(&unnamed).err(), Some(TokenError::Malformed));
        let unprotected = HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .build();
        let unsigned_name = encode_under(named(None), unprotected, &claims(), sign);
        assert_eq!(parse(&unsigned_name).err(), Some(TokenError::Malformed));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for text in [
            "",
            "KP1:",
            "KP1:%%%",
            "hello",
            "KP2:ABC",
            "KP1:0000000000",
            &"KP1:".repeat(50),
        ] {
            assert_eq!(parse(text).err(), Some(TokenError::Malformed), "{text:?}");
        }
    }

    #[test]
    fn pasted_white_space_is_ignored() {
        let signer = key(1);
        let text = format!("  {}\n", token(&claims(), &signer));
        assert!(
            parse(&text)
                .unwrap()
                .verify(signer.verifying_key().as_bytes(), NOW)
                .is_ok()
        );
    }
}
