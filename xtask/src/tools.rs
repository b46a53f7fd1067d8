//! Installs the build and test tools the project needs, each only if it is missing or at the
//! wrong version. Nothing here downloads a prebuilt binary from outside the package registries.

use std::process::Command;

use crate::{Result, cmd, root, run_cmd};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Trunk 0.22 needs a newer rustc than the machines have.
const TRUNK_VERSION: &str = "0.21";
/// The HTTP load generator `cargo xtask bench` uses; pinned so figures compare across runs.
pub const OHA_VERSION: &str = "1.16.0";
/// wrk, for the one load whose requests must each carry a body of their own (verify's tokens);
/// Debian's package, whose version is the distribution's.
pub const WRK_VERSION: &str = "4.1.0";
/// The fuzzers need nightly (`-Zsanitizer`); a dated one, so that a finding replays on the
/// compiler that made it. The rest of the project stays on stable.
pub const FUZZ_TOOLCHAIN: &str = "nightly-2026-10-15";
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// PATH with the npm tools (wasm-opt from binaryen) and cargo's bin directory first.
pub fn path() -> String {
    let mut parts = vec![root().join("e2e/node_modules/.bin").display().to_string()];
    if let Some(home) = std::env::var_os("CARGO_HOME").or_else(|| {
        std::env::var_os("HOME").map(|h| {
            let mut p = std::path::PathBuf::from(h);
            p.push(".cargo");
            p.into_os_string()
        })
    }) {
        parts.push(
            std::path::PathBuf::from(home)
                .join("bin")
                .display()
                .to_string(),
        );
    }
    parts.push(std::env::var("PATH").unwrap_or_default());
    parts.join(":")
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .env("PATH", path())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The wasm-bindgen version Cargo.lock pins; the CLI must match it exactly.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen".into())
}

pub fn ensure_build_tools() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|t| t == "wasm32-unknown-unknown") {
        run_cmd(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    let trunk = output("trunk", &["--version"]).unwrap_or_default();
    if !trunk.starts_with(&format!("trunk {TRUNK_VERSION}.")) {
        run_cmd(cmd("cargo").args([
            "install",
            "trunk",
            "--version",
            &format!("~{TRUNK_VERSION}"),
            "--locked",
        ]))?;
    }

    let wanted = locked_wasm_bindgen()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if have.trim() != format!("wasm-bindgen {wanted}") || !runner.contains(&wanted) {
        // Not --locked: one dependency locked by wasm-bindgen-cli was yanked from the registry.
        run_cmd(cmd("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--force",
        ]))?;
    }

    ensure_npm_packages()
}

/// Playwright, axe-core, binaryen (wasm-opt) and Lighthouse, exactly as e2e/package-lock.json
/// pins them. (e2e/package.json overrides the two `latest` dependencies of Lighthouse's trace
/// engine with exact versions: `npm ci` rejects a lock file once `latest` has moved on.)
fn ensure_npm_packages() -> Result {
    let e2e = root().join("e2e");
    let stamp = e2e.join("node_modules/.package-lock.json");
    let lock = e2e.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => {
            s.modified().ok() >= l.modified().ok()
                && e2e.join("node_modules/.bin/wasm-opt").exists()
                && e2e.join("node_modules/lighthouse/package.json").exists()
        }
        _ => false,
    };
    if !fresh {
        // Playwright must never fetch a browser of its own: the tests use Debian's Chromium.
        run_cmd(
            cmd("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&e2e)
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        )?;
    }
    Ok(())
}

/// oha, the HTTP load generator, and wrk for verify (only `cargo xtask bench` needs them).
pub fn ensure_load_generator() -> Result {
    let oha = output("oha", &["--version"]).unwrap_or_default();
    if oha.trim() != format!("oha {OHA_VERSION}") {
        run_cmd(cmd("cargo").args(["install", "oha", "--version", OHA_VERSION, "--locked"]))?;
    }
    // `wrk -v` prints its version and exits 1.
    let wrk = Command::new("wrk")
        .arg("-v")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    if !wrk.contains(&format!("/{WRK_VERSION}")) {
        apt_install(&["wrk"])?;
    }
    Ok(())
}

/// The dated nightly toolchain (minimal: rustc, cargo and the standard library) and
/// cargo-fuzz, for `cargo xtask fuzz` and the bench's fuzzing.
pub fn ensure_fuzzer() -> Result {
    let toolchains = output("rustup", &["toolchain", "list"]).unwrap_or_default();
    let prefix = format!("{FUZZ_TOOLCHAIN}-");
    if !toolchains.lines().any(|t| t.starts_with(&prefix)) {
        run_cmd(cmd("rustup").args([
            "toolchain",
            "install",
            FUZZ_TOOLCHAIN,
            "--profile",
            "minimal",
        ]))?;
    }
    let fuzz = output("cargo", &["fuzz", "--version"]).unwrap_or_default();
    if fuzz.trim() != format!("cargo-fuzz {CARGO_FUZZ_VERSION}") {
        run_cmd(cmd("cargo").args([
            "install",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
            "--locked",
        ]))?;
    }
    Ok(())
}

/// A Chinese font, as the phones people use have one (Android's is Noto Sans CJK): without
/// it the browser tests would draw Chinese text as empty boxes, and measure those.
const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// Debian's Chromium and its driver, for wasm-bindgen tests and Playwright, and a Chinese font.
pub fn ensure_browser() -> Result {
    let there = |path: &str| std::path::Path::new(path).exists();
    if there(CHROMIUM) && there(CHROMEDRIVER) && there(CJK_FONT) {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver", "fonts-noto-cjk"])
}

pub fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|id| id.trim() == "0")
}

/// Installs Debian packages (through sudo unless we are root).
pub fn apt_install(packages: &[&str]) -> Result {
    let sudo = !is_root();
    let apt = |args: &[&str]| {
        let mut c = if sudo { cmd("sudo") } else { cmd("apt-get") };
        if sudo {
            c.arg("apt-get");
        }
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run_cmd(&mut apt(&["update", "-qq"]))?;
    run_cmd(apt(&["install", "-y", "-qq"]).args(packages))
}

/// schemathesis, the OpenAPI fuzzer the tests run against the API; pinned so a seed makes the
/// same requests on every machine.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// schemathesis in a virtualenv of its own under ~/.cache/kapok (outside target/, so `cargo
/// clean` keeps it), installed from PyPI at the exact versions of
/// xtask/schemathesis-requirements.txt; returns the path of its `st` command. Quick when it
/// is there: the virtualenv keeps a copy of the requirements it was made from.
pub fn ensure_schemathesis() -> Result<std::path::PathBuf> {
    let requirements_file = root().join("xtask/schemathesis-requirements.txt");
    let requirements = std::fs::read_to_string(&requirements_file)
        .map_err(|e| format!("{}: {e}", requirements_file.display()))?;
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cache")))
        .ok_or("neither XDG_CACHE_HOME nor HOME is set")?;
    let venv = cache.join(format!("kapok/schemathesis-{SCHEMATHESIS_VERSION}"));
    let st = venv.join("bin/st");
    let stamp = venv.join("kapok-requirements.txt");
    let installed = std::fs::read_to_string(&stamp).ok();
    if st.exists() && installed.as_deref() == Some(requirements.as_str()) {
        return Ok(st);
    }
    // --clear: a half-made or older virtualenv is replaced, not patched.
    run_cmd(cmd("python3").args(["-m", "venv", "--clear"]).arg(&venv)).map_err(|e| {
        format!("{e}\n(python3 -m venv needs Python 3.9 or later with its venv module; on Debian: apt-get install python3-venv)")
    })?;
    run_cmd(
        cmd(venv
            .join("bin/python")
            .to_str()
            .ok_or("cache path is not UTF-8")?)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements_file),
    )?;
    let version = output(
        st.to_str().ok_or("cache path is not UTF-8")?,
        &["--version"],
    );
    if !version.is_some_and(|v| v.contains(SCHEMATHESIS_VERSION)) {
        return Err(format!(
            "{} does not report schemathesis {SCHEMATHESIS_VERSION}",
            st.display()
        ));
    }
    std::fs::write(&stamp, &requirements).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(st)
}
