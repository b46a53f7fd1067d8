//! `cargo xtask bench`: measures what a phone downloads, and writes docs/benchmarks.md.

use std::{fmt::Write as _, process::Command};

use crate::{Result, TestServer, bundle, cmd, root, run_cmd, tempdir, tools};

pub fn bench() -> Result {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    bundle::build_release()?;
    run_cmd(cmd("cargo").args(["build", "-p", "kapok-server"]))?;

    let mut report = String::new();
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "uncommitted".into());
    let dirty = git(&["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
    let _ = writeln!(report, "# Benchmarks\n");
    let _ = writeln!(
        report,
        "Made by `cargo xtask bench` at commit `{commit}`{} on a {}-core machine. Re-run it to refresh this file.\n",
        if dirty {
            " (with uncommitted changes)"
        } else {
            ""
        },
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
    );

    let _ = writeln!(report, "## Client bundle (release build, `dist/`)\n");
    let _ = writeln!(
        report,
        "| file | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|"
    );
    let mut files: Vec<_> = std::fs::read_dir(root().join("dist"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "html")
            )
        })
        .collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).map_err(|e| e.to_string())?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let _ = writeln!(
            report,
            "| {} | {} | {} | {} |",
            stable_name(name),
            kb(data.len()),
            kb(bundle::gzip(&data).len()),
            kb(bundle::brotli(&data).len())
        );
    }

    let data = tempdir("kapok-bench")?;
    let server = TestServer::start(&data)?;
    let out = Command::new("node")
        .arg("bench/first-load.mjs")
        .current_dir(root().join("e2e"))
        .env("BASE_URL", &server.origin)
        .env("PATH", tools::path())
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    if !out.status.success() {
        return Err(format!(
            "first-load measurement failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let _ = writeln!(
        report,
        "\n## First load of each page (cold cache, served precompressed)\n"
    );
    let _ = writeln!(
        report,
        "Bytes over the wire as Chromium's resource timing reports them (`transferSize`: \
         compressed bodies plus headers), for a signed-in user with an empty cache, until the \
         network is idle. Budget: 200 KB brotli per shell (DESIGN.md).\n"
    );
    report.push_str(&String::from_utf8_lossy(&out.stdout));

    let path = root().join("docs/benchmarks.md");
    std::fs::create_dir_all(root().join("docs")).map_err(|e| e.to_string())?;
    std::fs::write(&path, &report).map_err(|e| e.to_string())?;
    println!("\n{report}\nwritten to {}", path.display());
    Ok(())
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `kapok-app-0123456789abcdef_bg.wasm` → `kapok-app-…_bg.wasm`, so the table diffs cleanly.
fn stable_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let (head, tail) = part.split_at(part.find(['_', '.']).unwrap_or(part.len()));
            // Trunk's 64-bit hash in hex, without leading zeros.
            if (12..=16).contains(&head.len()) && head.bytes().all(|b| b.is_ascii_hexdigit()) {
                format!("…{tail}")
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::stable_name;

    #[test]
    fn hashes_are_elided_from_file_names() {
        assert_eq!(
            stable_name("kapok-app-0123456789abcdef_bg.wasm"),
            "kapok-app-…_bg.wasm"
        );
        assert_eq!(stable_name("tokens-0123456789abcdef.css"), "tokens-….css");
        assert_eq!(
            stable_name("kapok-app-d2410676e70b943.js"),
            "kapok-app-….js"
        );
        assert_eq!(stable_name("components.css"), "components.css");
    }
}
