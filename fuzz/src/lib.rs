//! What the fuzz targets check, kept apart from `fuzz_targets/` so that `examples/seeds.rs`
//! writes seeds in the very layout the targets read.
//!
//! Each input's first byte chooses how the rest is read (its *mode*): one target then reaches
//! both the outer text format and the parsers behind it, which a fuzzer mutating base45 text
//! or finding finder patterns pixel by pixel would rarely get to.

pub mod qr;
pub mod token;
