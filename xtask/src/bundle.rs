//! The release bundle: Trunk builds app/ into dist/, then every text asset is precompressed
//! so the server can send brotli or gzip without compressing per request.

use std::{io::Write, path::Path};

use crate::{Result, cmd, root, run_cmd};

/// File types worth compressing (images and fonts are compressed already).
const COMPRESSIBLE: &[&str] = &[
    "html",
    "js",
    "wasm",
    "css",
    "svg",
    "json",
    "webmanifest",
    "txt",
];

pub fn build_release() -> Result {
    run_cmd(cmd("trunk").args(["build", "--release"]))?;
    let dist = root().join("dist");
    if !dist.join("components.css").exists() {
        return Err("dist/components.css is missing: the stylers output was not copied".into());
    }
    precompress(&dist)
}

fn precompress(dir: &Path) -> Result {
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let data = std::fs::read(&path).map_err(|e| e.to_string())?;
        let br = brotli(&data);
        let gz = gzip(&data);
        let name = path.display().to_string();
        std::fs::write(format!("{name}.br"), br).map_err(|e| e.to_string())?;
        std::fs::write(format!("{name}.gz"), gz).map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)
        .expect("compressing into memory cannot fail");
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(data)
        .expect("compressing into memory cannot fail");
    encoder
        .finish()
        .expect("compressing into memory cannot fail")
}
