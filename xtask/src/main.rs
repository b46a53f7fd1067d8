//! `cargo xtask run | test | bench`: the only commands a newcomer needs.
//!
//! Each installs what is missing first (idempotently: a second run checks versions and moves
//! on in a second), so a fresh machine needs nothing but Rust, Node and apt.

mod api_fuzz;
mod bench;
mod bundle;
mod conventions;
mod fuzz;
mod load;
mod postgres;
mod tools;

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, ExitCode},
    time::{Duration, Instant},
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(),
        Some("bench") => bench::bench(),
        Some("bench-load") => load::alone(args.get(1).map(String::as_str)),
        Some("api-fuzz") => api_fuzz::alone(),
        Some("fuzz") => fuzz::fuzz(),
        Some("test-postgres") => server_tests_on_postgres(),
        Some("bundle") => tools::ensure_build_tools().and_then(|()| bundle::build_release()),
        _ => {
            eprintln!(
                "usage: cargo xtask run | test | bench | fuzz | api-fuzz | bundle | test-postgres"
            );
            eprintln!(
                "  run    build the app and serve it with demo data at http://localhost:8080"
            );
            eprintln!("  test   run every check and test, including the browser tests");
            eprintln!(
                "  bench  measure bundle, first loads, Lighthouse, token speed, API load, fuzzing into docs/benchmarks.md"
            );
            eprintln!(
                "  fuzz   run each fuzz target for KAPOK_FUZZ_SECS (60) s; the bench does too"
            );
            eprintln!(
                "  api-fuzz  only the schemathesis run of `test` (the API against its OpenAPI document)"
            );
            eprintln!("  bundle build the release client into dist/ (what run and test serve)");
            eprintln!(
                "  test-postgres  only the server's integration tests on a PostgreSQL of their own"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask's parent directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// Where cargo puts build output, honouring CARGO_TARGET_DIR.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// A command run from the workspace root, with the project's tools first on PATH.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", tools::path());
    c
}

/// Runs `c`, echoing it, and fails if it fails.
pub fn run_cmd(c: &mut Command) -> Result {
    let shown = format!("{c:?}").replace('"', "");
    println!("\n▶ {shown}");
    let status = c
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("failed ({status}): {shown}"))
    }
}

fn run() -> Result {
    tools::ensure_build_tools()?;
    bundle::build_release()?;
    run_cmd(cmd("cargo").args(["build", "--release", "-p", "kapok-server"]))?;
    let server = target_dir().join("release/kapok-server");
    println!("\nKapok: open http://localhost:8080 on this machine");
    println!(
        "Demo accounts (password kapok-demo): resident, elder, hk-resident, staff, legal-rep, official"
    );
    println!("Stop with Ctrl-C.\n");
    let status = cmd(server.to_str().ok_or("target path is not UTF-8")?)
        .env("KAPOK_DEMO", "1")
        .env("KAPOK_DIST", root().join("dist"))
        .status()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server stopped: {status}"))
    }
}

fn test() -> Result {
    let started = Instant::now();
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    run_cmd(cmd("cargo").args(["fmt", "--all", "--check"]))?;
    run_cmd(cmd("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run_cmd(cmd("cargo").args([
        "clippy",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "-p",
        "kapok-app",
        "-p",
        "kapok-components",
        "-p",
        "kapok-api",
        "-p",
        "kapok-scanner",
        "--",
        "-D",
        "warnings",
    ]))?;
    run_cmd(cmd("cargo").args(["test", "--workspace"]))?;
    server_tests_on_postgres()?;
    // Component render tests and offline verification, in headless Chromium
    // (wasm-bindgen-test-runner drives chromedriver).
    run_cmd(
        cmd("cargo")
            .args([
                "test",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "kapok-components",
                "-p",
                "kapok-api",
            ])
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;
    bundle::build_release()?;
    run_cmd(cmd("cargo").args(["build", "-p", "kapok-server"]))?;
    // The API against its own OpenAPI document, before the browser tests build on it.
    api_fuzz::in_test()?;
    e2e()?;
    println!(
        "\nxtask test: everything passed in {} s",
        started.elapsed().as_secs()
    );
    Ok(())
}

/// The server's integration tests again, each on a database of its own in a PostgreSQL
/// cluster started for the run (the unit tests above ran them on SQLite).
fn server_tests_on_postgres() -> Result {
    let postgres = postgres::Postgres::start(postgres::Durability::Throwaway)?;
    run_cmd(
        cmd("cargo")
            .args(["test", "-p", "kapok-server", "--test", "*"])
            .env("KAPOK_TEST_POSTGRES", &postgres.url),
    )
}

/// The Playwright suite against a server of its own: a free port, a fresh database.
fn e2e() -> Result {
    let data = tempdir("kapok-e2e")?;
    // The server's log goes to a file the suite reads: secrets must never show up in it.
    let log = data.join("server.log");
    let server = TestServer::start_logged(&data, &log)?;
    let result = run_cmd(
        cmd("npx")
            .args(["playwright", "test"])
            .current_dir(root().join("e2e"))
            .env("BASE_URL", &server.origin)
            .env("KAPOK_SERVER_LOG", &log)
            // For a test that locks it, as another program would.
            .env("KAPOK_DATABASE_FILE", data.join("kapok.db")),
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    result
}

/// A server on a free loopback port, stopped when dropped.
pub struct TestServer {
    pub origin: String,
    child: Child,
}

impl TestServer {
    /// The debug build with demo data and a fresh database in `data`.
    pub fn start(data: &Path) -> Result<TestServer> {
        TestServer::start_build(data, "debug")
    }

    /// The debug build, logging at `info` into `log`.
    pub fn start_logged(data: &Path, log: &Path) -> Result<TestServer> {
        let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let copy = file.try_clone().map_err(|e| e.to_string())?;
        let (mut command, port) = TestServer::command(data, "debug")?;
        command.env("RUST_LOG", "info").stdout(file).stderr(copy);
        TestServer::spawn(&mut command, port)
    }

    /// The same on the release build, for load measurements.
    pub fn start_release(data: &Path) -> Result<TestServer> {
        TestServer::start_build(data, "release")
    }

    fn start_build(data: &Path, profile: &str) -> Result<TestServer> {
        let (mut command, port) = TestServer::command(data, profile)?;
        TestServer::spawn(&mut command, port)
    }

    /// The server binary of `profile` with demo data, a fresh database in `data`, and a free port.
    fn command(data: &Path, profile: &str) -> Result<(Command, u16)> {
        let port = free_port()?;
        // localhost, not 127.0.0.1: browsers treat it as a secure context, which the
        // __Host- session cookie and WebAuthn need.
        let origin = format!("http://localhost:{port}");
        let server = target_dir().join(profile).join("kapok-server");
        let mut command = cmd(server.to_str().ok_or("target path is not UTF-8")?);
        command
            .env("KAPOK_ADDR", format!("127.0.0.1:{port}"))
            .env("KAPOK_ORIGIN", &origin)
            .env("KAPOK_DIST", root().join("dist"))
            .env("KAPOK_DEMO", "1")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", data.join("kapok.db").display()),
            )
            .env("RUST_LOG", "warn");
        Ok((command, port))
    }

    /// Starts `command`, which must listen on 127.0.0.1:`port`, and waits until it does.
    pub fn spawn(command: &mut Command, port: u16) -> Result<TestServer> {
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let mut server = TestServer {
            origin: format!("http://localhost:{port}"),
            child,
        };
        server.wait_ready(port)?;
        Ok(server)
    }

    fn wait_ready(&mut self, port: u16) -> Result {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the server exited early: {status}"));
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("the server did not start listening within 60 s".into())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

pub fn tempdir(prefix: &str) -> Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}
