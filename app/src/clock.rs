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
