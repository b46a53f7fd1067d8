//! Dates, numbers and plurals as each locale writes them: "21 November 2026" in English,
//! "2026年11月21日" in Chinese. The browser's `Intl` does the work, so no locale data ships
//! in the wasm.

use std::cell::RefCell;

use js_sys::{Array, Date, Function, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::i18n::Locale;

/// The BCP 47 tag `Intl` formats with. English is British English: day before month, as in
/// Hong Kong government English.
pub fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::zh_CN => "zh-CN",
        Locale::zh_HK => "zh-HK",
        Locale::en => "en-GB",
    }
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let options = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    options
}

/// The ways this app writes a date.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// A calendar day read in UTC, where `YYYY-MM-DD` is parsed.
    CalendarDay,
    /// A calendar month read in UTC ("2025年1月", "January 2025").
    CalendarMonth,
    /// The day of an instant, in the device's time zone.
    Day,
    /// An instant to the minute, on a 24-hour clock.
    Minute,
    /// An instant to the second.
    Second,
}

impl Style {
    fn options(self) -> Object {
        const DAY: [(&str, &str); 3] = [("year", "numeric"), ("month", "long"), ("day", "numeric")];
        const TIME: [(&str, &str); 3] = [
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("hourCycle", "h23"),
        ];
        let mut pairs = DAY.to_vec();
        match self {
            Style::CalendarDay => pairs.push(("timeZone", "UTC")),
            Style::CalendarMonth => {
                pairs.retain(|(key, _)| *key != "day");
                pairs.push(("timeZone", "UTC"));
            }
            Style::Day => {}
            Style::Minute => pairs.extend(TIME),
            Style::Second => pairs.extend(TIME.into_iter().chain([("second", "2-digit")])),
        }
        options(&pairs)
    }
}

thread_local! {
    /// One formatter per locale and style, made on first use. `toLocaleString` with options
    /// makes a new one on every call (about 0.8 ms each in Chromium at 4× CPU slowdown,
    /// against 0.01 ms to reuse one), and the ID card's stamp is written every second.
    static FORMATTERS: RefCell<Vec<((Locale, Style), Function)>> = const { RefCell::new(Vec::new()) };
}

/// `ms` (milliseconds since the epoch) written in `style` for `locale`.
fn write(locale: Locale, style: Style, ms: f64) -> String {
    let format = FORMATTERS.with_borrow_mut(|formatters| {
        if let Some((_, format)) = formatters.iter().find(|(key, _)| *key == (locale, style)) {
            return format.clone();
        }
        let locales = Array::of1(&tag(locale).into());
        let format = Intl::DateTimeFormat::new(&locales, &style.options()).format();
        formatters.push(((locale, style), format.clone()));
        format
    });
    format
        .call1(&JsValue::UNDEFINED, &Date::new(&JsValue::from_f64(ms)))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// A calendar date given as `YYYY-MM-DD` (a licence's expiry, a grant's last day). Anything
/// else is shown as it came.
pub fn date(locale: Locale, iso: &str) -> String {
    let ms = Date::parse(&format!("{iso}T00:00:00Z"));
    if iso.len() != 10 || !ms.is_finite() {
        return iso.to_string();
    }
    // The date is a calendar day, not an instant: read it in UTC, where it was parsed.
    write(locale, Style::CalendarDay, ms)
}

/// A calendar month given as `YYYY-MM` (the months a record covers). Anything else is shown as
/// it came.
pub fn month(locale: Locale, iso: &str) -> String {
    let ms = Date::parse(&format!("{iso}-01T00:00:00Z"));
    if iso.len() != 7 || !ms.is_finite() {
        return iso.to_string();
    }
    write(locale, Style::CalendarMonth, ms)
}

/// An instant (seconds since the epoch) as date and time to the minute, in the device's time
/// zone, on a 24-hour clock.
pub fn date_time(locale: Locale, unix: i64) -> String {
    write(locale, Style::Minute, unix as f64 * 1000.0)
}

/// Like [`date_time`], to the second: for stamps that must visibly tick.
pub fn date_time_seconds(locale: Locale, unix: i64) -> String {
    write(locale, Style::Second, unix as f64 * 1000.0)
}

/// A count with the locale's digit grouping.
pub fn number(locale: Locale, n: i64) -> String {
    // All three locales write a number below a thousand as plain digits. Those are most
    // counts, and they skip the Intl formatter, whose first use on a page loads its data
    // (about 20 ms of a phone's main thread, measured on the resident home).
    if n.abs() < 1000 {
        return n.to_string();
    }
    js_sys::Number::from(n as f64)
        .to_locale_string(tag(locale))
        .into()
}

/// Whether a count takes the singular in this locale ("1 code", but "2 codes", and in
/// Chinese always the one form). The locale files give both forms as `one` and `other`.
fn is_one(locale: Locale, n: i64) -> bool {
    let locales = Array::of1(&tag(locale).into());
    let rules = Intl::PluralRules::new(&locales, &Object::new());
    rules.select(n as f64) == "one"
}

/// The calendar day of an instant, in the device's time zone.
pub fn day_of(locale: Locale, unix: i64) -> String {
    write(locale, Style::Day, unix as f64 * 1000.0)
}

/// A counted phrase: the locale file's `one` or `other` form for `n`, given the count as the
/// locale writes numbers.
pub fn counted(
    locale: Locale,
    n: i64,
    one: impl FnOnce(String) -> String,
    other: impl FnOnce(String) -> String,
) -> String {
    let count = number(locale, n);
    if is_one(locale, n) {
        one(count)
    } else {
        other(count)
    }
}
