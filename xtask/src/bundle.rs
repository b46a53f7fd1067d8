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
    stamp_service_worker(&dist)?;
    precompress(&dist)
}

/// Writes this build's file list and id into dist/sw.js, so the worker caches exactly this
/// build and, being a new file, replaces the previous build's worker and cache.
fn stamp_service_worker(dist: &Path) -> Result {
    let sw = dist.join("sw.js");
    let source = std::fs::read_to_string(&sw).map_err(|e| format!("dist/sw.js: {e}"))?;
    let mut files: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name != "sw.js"
                && name != "robots.txt"
                && !name.ends_with(".br")
                && !name.ends_with(".gz")
        })
        .map(|name| {
            if name == "index.html" {
                "/".to_owned()
            } else {
                format!("/{name}")
            }
        })
        .collect();
    files.sort();
    // The wasm's content hash names the build.
    let build = files
        .iter()
        .find_map(|f| f.strip_prefix("/kapok-app-")?.strip_suffix("_bg.wasm"))
        .ok_or("dist has no kapok-app wasm")?
        .to_owned();
    let list = format!(
        "[{}]",
        files
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !source.contains("__KAPOK_PRECACHE__") || !source.contains("__KAPOK_BUILD__") {
        return Err("dist/sw.js lacks the build markers".into());
    }
    let stamped = source
        .replace("__KAPOK_PRECACHE__", &list)
        .replace("__KAPOK_BUILD__", &build);
    std::fs::write(&sw, stamped).map_err(|e| e.to_string())
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
