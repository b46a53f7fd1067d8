//! `cargo xtask bench`: measures what a phone downloads, how fast tokens are signed and
//! verified (natively and in wasm), and how many wallet requests the release server answers;
//! writes docs/benchmarks.md.

use std::{fmt::Write as _, process::Command};

use serde_json::Value;

use crate::{
    Result, TestServer, bundle, cmd, free_port, root, run_cmd, target_dir, tempdir, tools,
};

/// Concurrent connections for the HTTP measurements: a busy counter's worth of phones.
const CONNECTIONS: &str = "64";
/// How long each endpoint is loaded for.
const LOAD_FOR: &str = "10s";

pub fn bench() -> Result {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    tools::ensure_load_generator()?;
    bundle::build_release()?;
    run_cmd(cmd("cargo").args(["build", "-p", "kapok-server"]))?;
    run_cmd(cmd("cargo").args([
        "build",
        "--release",
        "-p",
        "kapok-server",
        "--bin",
        "kapok-server",
        "--example",
        "bare",
    ]))?;

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
    let first_load = stdout_of(
        cmd("node")
            .arg("bench/first-load.mjs")
            .current_dir(root().join("e2e"))
            .env("BASE_URL", &server.origin),
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    let first_load = first_load?;
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
    report.push_str(&first_load);

    report.push_str(&token_crypto()?);
    report.push_str(&offline_verification()?);
    report.push_str(&http_load()?);

    let path = root().join("docs/benchmarks.md");
    std::fs::create_dir_all(root().join("docs")).map_err(|e| e.to_string())?;
    std::fs::write(&path, &report).map_err(|e| e.to_string())?;
    println!("\n{report}\nwritten to {}", path.display());
    Ok(())
}

/// Presentation tokens signed and verified per second by one native core (api/examples).
fn token_crypto() -> Result<String> {
    let rows = stdout_of(cmd("cargo").args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "kapok-api",
        "--example",
        "token_bench",
    ]))?;
    Ok(format!(
        "\n## Presentation tokens on the server (native, release, one core)\n\n\
         `api/examples/token_bench.rs` signs and verifies one token after another with a real \
         Ed25519 key for 2 s each, on one thread, and counts.\n\n\
         | operation | per second | per operation |\n|---|---:|---:|\n{rows}"
    ))
}

/// The verifier's phone checking a code offline: the same verification in wasm in Chromium.
fn offline_verification() -> Result<String> {
    let out = stdout_of(
        cmd("cargo")
            .args([
                "test",
                "-p",
                "kapok-api",
                // The profile the client ships with (small over fast), so the figure is the
                // phone's, not a best case.
                "--profile",
                "wasm-release",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "offline_verify_speed",
                "--",
                "--include-ignored",
                "--nocapture",
            ])
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;
    let row = out
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("| verify"))
        .ok_or_else(|| format!("the wasm timing test printed no result:\n{out}"))?;
    Ok(format!(
        "\n## Offline verification on the phone (wasm in headless Chromium)\n\n\
         `api/tests/offline_verify_speed.rs` (ignored in `cargo xtask test`) verifies one code \
         after another for 2 s in Debian's Chromium, built with the client's `wasm-release` \
         profile, timed with `Date.now()`; compare the native verify row above.\n\n\
         | operation | per second | per verification |\n|---|---:|---:|\n{row}\n"
    ))
}

/// `GET /api/v1/wallet` on the release server under load, next to a bare axum endpoint that
/// answers the same body, both loaded by oha in the same run.
fn http_load() -> Result<String> {
    let data = tempdir("kapok-bench-http")?;
    let result = load_wallet_and_bare(&data);
    let _ = std::fs::remove_dir_all(&data);
    let (wallet, bare, body_bytes) = result?;
    let mut section = format!(
        "\n## The wallet API under load (release server, SQLite)\n\n\
         [oha](https://crates.io/crates/oha) {} loads each endpoint in turn with \
         {CONNECTIONS} keep-alive connections (`-c {CONNECTIONS} -z {LOAD_FOR}`, after a \
         2000-request warm-up), on the same cores as the server: `GET /api/v1/wallet` as the demo resident (session cookie; \
         {body_bytes} bytes of JSON), then `server/examples/bare.rs`, an axum handler that \
         serialises the same JSON with no session, database or middleware. Errors are failed \
         requests plus non-200 answers.\n\n\
         | endpoint | requests/s | p50 | p99 | errors |\n|---|---:|---:|---:|---:|\n",
        tools::OHA_VERSION
    );
    for (name, load) in [("`GET /api/v1/wallet`", &wallet), ("bare axum JSON", &bare)] {
        let _ = writeln!(
            section,
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {} |",
            load.requests_per_sec,
            load.p50 * 1000.0,
            load.p99 * 1000.0,
            load.errors
        );
    }
    let _ = writeln!(
        section,
        "\nwallet / bare: {:.2}× the requests per second, {:.1}× the p50 latency.",
        wallet.requests_per_sec / bare.requests_per_sec,
        wallet.p50 / bare.p50
    );
    Ok(section)
}

fn load_wallet_and_bare(data: &std::path::Path) -> Result<(Load, Load, usize)> {
    let server = TestServer::start_release(data)?;
    // The server listens on 127.0.0.1 only; `localhost` may resolve to ::1 first.
    let base = server.origin.replace("localhost", "127.0.0.1");
    let cookie = sign_in(&base, &server.origin, "resident")?;
    let wallet_url = format!("{base}/api/v1/wallet");
    let body = ureq::get(&wallet_url)
        .header("Cookie", &cookie)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .map_err(|e| format!("GET {wallet_url}: {e}"))?;
    let wallet = load(&wallet_url, Some(&cookie))?;
    drop(server);

    let body_file = data.join("wallet.json");
    std::fs::write(&body_file, &body).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let bare = target_dir().join("release/examples/bare");
    let bare_server = TestServer::spawn(
        cmd(bare.to_str().ok_or("target path is not UTF-8")?)
            .arg(port.to_string())
            .arg(&body_file),
        port,
    )?;
    let bare = load(&format!("http://127.0.0.1:{port}/"), None);
    drop(bare_server);
    Ok((wallet, bare?, body.len()))
}

/// Signs in through the API as a demo account and returns the session as a `Cookie` value.
fn sign_in(base: &str, origin: &str, username: &str) -> Result<String> {
    let url = format!("{base}/api/v1/session");
    let request = serde_json::json!({ "username": username, "password": "kapok-demo" });
    let response = ureq::post(&url)
        // The CSRF guard wants a same-origin browser request with a JSON body.
        .header("Origin", origin)
        .header("Content-Type", "application/json")
        .send(request.to_string())
        .map_err(|e| format!("POST {url}: {e}"))?;
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with("__Host-kapok_session="))
        .map(str::to_owned)
        .ok_or_else(|| format!("POST {url} set no session cookie"))
}

/// What oha measured for one endpoint; latencies in seconds.
struct Load {
    requests_per_sec: f64,
    p50: f64,
    p99: f64,
    errors: u64,
}

fn load(url: &str, cookie: Option<&str>) -> Result<Load> {
    let oha = |args: &[&str]| {
        let mut c = cmd("oha");
        c.args(["--no-tui", "--output-format", "json", "-c", CONNECTIONS])
            .args(args);
        if let Some(cookie) = cookie {
            c.arg("-H").arg(format!("Cookie: {cookie}"));
        }
        stdout_of(c.arg(url))
    };
    // Warm-up: connections, SQLite's page cache, the allocator.
    oha(&["-n", "2000"])?;
    let out = oha(&["-z", LOAD_FOR, "--wait-ongoing-requests-after-deadline"])?;
    let json: Value = serde_json::from_str(&out).map_err(|e| format!("oha's output: {e}"))?;
    let number = |pointer: &str| {
        json.pointer(pointer)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("oha's output has no {pointer}:\n{out}"))
    };
    let total = |pointer: &str| -> u64 {
        json.pointer(pointer)
            .and_then(Value::as_object)
            .map(|counts| counts.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    };
    let ok = json
        .pointer("/statusCodeDistribution/200")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok(Load {
        requests_per_sec: number("/summary/requestsPerSec")?,
        p50: number("/latencyPercentiles/p50")?,
        p99: number("/latencyPercentiles/p99")?,
        errors: total("/errorDistribution") + total("/statusCodeDistribution") - ok,
    })
}

/// Runs `c`, echoing it, and returns what it printed; fails with its stderr if it fails.
fn stdout_of(c: &mut Command) -> Result<String> {
    let shown = format!("{c:?}").replace('"', "");
    println!("\n▶ {shown}");
    let out = c
        .output()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "failed ({}): {shown}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
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
