//! Device cookies (OWASP's answer to account lockout used as a denial of service): a browser
//! in which someone signed in keeps a note, signed by the server, that they did. A password
//! sign-in for that account from that browser is then not held by the pauses anyone else can
//! cause, ten wrong passwords for the name or a hundred from the network, only by the
//! browser's own count of wrong passwords, ten in 15 minutes as for a name
//! (`session::check_password`).
//!
//! The note names the account and the browser (a random id), and when it was written; it is
//! sent only to the sign-in endpoints, and no script can read it. It proves nothing by itself:
//! the password is still asked and checked.

use axum::http::{HeaderMap, HeaderValue};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use kapok_api::API_PREFIX;
use sha2::Sha256;

use crate::{db::Db, store};

/// `__Secure-`: a browser takes it only over HTTPS (or from localhost), so no one on the
/// network can plant one.
pub const COOKIE: &str = "__Secure-kapok_device";

/// How long a browser is remembered after the last sign-in in it.
pub const LIFETIME_SECS: i64 = 180 * 24 * 60 * 60;

/// The key that signs device cookies, the same on every instance on this database.
#[derive(Clone)]
pub struct Keys([u8; 64]);

/// What a device cookie the server made says: who signed in, in which browser.
#[derive(Debug, PartialEq)]
pub struct Remembered {
    pub user_id: String,
    /// The browser's own id, kept from one sign-in to the next.
    pub device: String,
    /// When the cookie was written (Unix seconds): at the account's last sign-in in this
    /// browser, or when its password was changed there. A cookie older than the account's
    /// last password change no longer counts (`session::check_password`).
    pub written: i64,
}

impl Keys {
    pub async fn load(db: &Db) -> sqlx::Result<Keys> {
        store::secrets::get_or_create(db, "device_cookies")
            .await
            .map(Keys)
    }

    /// What the request's device cookie says, if this server made it and it has not expired.
    pub fn read(&self, headers: &HeaderMap, now: i64) -> Option<Remembered> {
        self.read_value(crate::web::cookie(headers, COOKIE)?, now)
    }

    fn read_value(&self, value: &str, now: i64) -> Option<Remembered> {
        let (body, mac) = value.rsplit_once('.')?;
        self.mac(body)
            .verify_slice(&URL_SAFE_NO_PAD.decode(mac).ok()?)
            .ok()?;
        let mut parts = body.split('.');
        let (user_id, device, written) = (parts.next()?, parts.next()?, parts.next()?);
        let written: i64 = written.parse().ok()?;
        if parts.next().is_some() || now - written > LIFETIME_SECS {
            return None;
        }
        Some(Remembered {
            user_id: String::from_utf8(URL_SAFE_NO_PAD.decode(user_id).ok()?).ok()?,
            device: device.to_owned(),
            written,
        })
    }

    /// The `Set-Cookie` header that remembers `user_id` signing in now in the browser
    /// `headers` came from: under the id its device cookie already had, or a new one.
    pub fn remember(&self, headers: &HeaderMap, user_id: &str, now: i64) -> HeaderValue {
        let device = self
            .read(headers, now)
            .map(|r| r.device)
            .unwrap_or_else(new_device_id);
        let value = self.value(user_id, &device, now);
        let cookie = format!(
            "{COOKIE}={value}; Path={API_PREFIX}/session; Max-Age={LIFETIME_SECS}; HttpOnly; Secure; SameSite=Strict"
        );
        HeaderValue::from_str(&cookie).expect("URL-safe base64, digits and dots")
    }

    fn value(&self, user_id: &str, device: &str, now: i64) -> String {
        let body = format!("{}.{device}.{now}", URL_SAFE_NO_PAD.encode(user_id));
        let mac = URL_SAFE_NO_PAD.encode(self.mac(&body).finalize().into_bytes());
        format!("{body}.{mac}")
    }

    fn mac(&self, body: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new(&self.0.into());
        mac.update(b"device cookie\0");
        mac.update(body.as_bytes());
        mac
    }
}

/// 128 random bits, URL-safe base64.
fn new_device_id() -> String {
    let mut bytes = [0u8; 16];
    // The OS's random source failing gives these browsers one id. Counts are kept per account
    // and id, so an account's browsers would then share one count, which still holds guessing.
    let _ = getrandom::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use axum::http::header;

    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn keys(byte: u8) -> Keys {
        Keys([byte; 64])
    }

    fn headers_with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let cookie = format!("__Host-kapok_session=x; {COOKIE}={value}");
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        headers
    }

    #[test]
    fn a_cookie_the_server_made_names_the_account_and_the_browser_until_it_expires() {
        let value = keys(1).value("resident", "phone-1", NOW);
        let remembered = Remembered {
            user_id: "resident".into(),
            device: "phone-1".into(),
            written: NOW,
        };
        assert_eq!(keys(1).read_value(&value, NOW), Some(remembered));
        assert!(keys(1).read_value(&value, NOW + LIFETIME_SECS).is_some());
        assert_eq!(keys(1).read_value(&value, NOW + LIFETIME_SECS + 1), None);
    }

    #[test]
    fn a_cookie_altered_made_up_or_made_with_another_key_says_nothing() {
        let value = keys(1).value("resident", "phone-1", NOW);
        assert_eq!(keys(2).read_value(&value, NOW), None, "another key");
        // Another account's name, or a later time, with the signature left as it was.
        let (_, mac) = value.rsplit_once('.').unwrap();
        let elder = format!("{}.phone-1.{NOW}.{mac}", URL_SAFE_NO_PAD.encode("elder"));
        assert_eq!(keys(1).read_value(&elder, NOW), None, "another name");
        let later = format!(
            "{}.phone-1.{}.{mac}",
            URL_SAFE_NO_PAD.encode("resident"),
            NOW + 1
        );
        assert_eq!(keys(1).read_value(&later, NOW), None, "another time");
        for made_up in ["", ".", "a.b.c.d", "a.b.c.d.e", &value[..value.len() - 1]] {
            assert_eq!(keys(1).read_value(made_up, NOW), None, "{made_up:?}");
        }
    }

    #[test]
    fn signing_in_again_keeps_the_browser_s_id_and_a_new_browser_gets_its_own() {
        let keys = keys(1);
        let first = keys.value("resident", "phone-1", NOW);
        let again = keys.remember(&headers_with(&first), "elder", NOW + 60);
        let again = again.to_str().unwrap();
        assert!(again.contains("; Path=/api/v1/session;"), "{again}");
        assert!(
            again.contains("; HttpOnly; Secure; SameSite=Strict"),
            "{again}"
        );
        let value = again
            .strip_prefix(&format!("{COOKIE}="))
            .and_then(|v| v.split(';').next())
            .unwrap();
        let remembered = keys.read_value(value, NOW + 60).unwrap();
        assert_eq!(
            (remembered.user_id.as_str(), remembered.device.as_str()),
            ("elder", "phone-1")
        );

        let new = keys.remember(&HeaderMap::new(), "resident", NOW);
        let value = new.to_str().unwrap()[COOKIE.len() + 1..]
            .split(';')
            .next()
            .unwrap();
        let device = keys.read_value(value, NOW).unwrap().device;
        assert_eq!(device.len(), 22, "128 bits");
        assert_ne!(device, "phone-1");
    }
}
