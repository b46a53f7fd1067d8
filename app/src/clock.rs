//! The device's clock, for countdowns and time stamps.

/// Seconds since the Unix epoch, by the device's clock.
pub fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// `YYYY-MM-DD HH:MM:SS` in the device's time zone.
pub fn date_time(unix: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// `HH:MM:SS` in the device's time zone.
pub fn time_of_day(unix: i64) -> String {
    date_time(unix).split_off(11)
}

/// China Standard Time's calendar date (`YYYY-MM-DD`) at `unix`: the dates grants run by.
pub fn cst_date(unix: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        (unix + 8 * 3600) as f64 * 1000.0,
    ));
    format!(
        "{:04}-{:02}-{:02}",
        d.get_utc_full_year(),
        d.get_utc_month() + 1,
        d.get_utc_date()
    )
}

/// Days from `from` to `to` (`YYYY-MM-DD` each); `None` if either is not a date.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    let day = |s: &str| {
        let ms = js_sys::Date::parse(&format!("{s}T00:00:00Z"));
        (s.len() == 10 && ms.is_finite()).then_some(ms / 86_400_000.0)
    };
    Some((day(to)? - day(from)?).round() as i64)
}

/// The date `days` after `date` (`YYYY-MM-DD`).
pub fn add_days(date: &str, days: i64) -> String {
    let ms = js_sys::Date::parse(&format!("{date}T00:00:00Z"));
    cst_date(((ms / 1000.0) as i64) + days * 86_400 - 8 * 3600)
}
