//! Presentation tokens: see `kapok_fuzz::token` for the modes and properties.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kapok_fuzz::token::check(data));
