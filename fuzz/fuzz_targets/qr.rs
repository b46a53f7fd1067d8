//! The QR decoder: see `kapok_fuzz::qr` for the modes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kapok_fuzz::qr::check(data));
