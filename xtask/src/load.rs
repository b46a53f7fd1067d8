//! The API under load, for `cargo xtask bench` (and `cargo xtask bench-load [DATABASE_URL]`,
//! which prints only this): what users repeat (sign-in, the wallet list, a live code, its
//! verification, the delegation page's list), each alone and then all at once, against the
//! release server on loopback, next to a bare axum JSON endpoint measured in the same run.
//!
//! oha loads every operation but one. Verifying a code spends it (the same token checked twice
//! is a 409), and oha's `-Z` picks a body line at random for every request, with replacement,
//! so it would replay tokens by itself; wrk with `xtask/wrk/each_line_once.lua` sends each
//! pre-issued token once instead.

use std::{
    fmt::Write as _,
    path::Path,
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    Result, TestServer,
    bench::{sign_in, stdout_of},
    cmd, free_port,
    postgres::{Durability, Postgres},
    root, run_cmd, target_dir, tempdir, tools,
};

/// Concurrent connections, alone and in the mix: a busy counter's worth of phones.
const CONNECTIONS: u32 = 64;
/// How long each measurement runs, in seconds.
const LOAD_SECS: u32 = 10;
/// Requests before each measurement, to open connections and warm caches and the allocator.
const WARM_UP: u32 = 2000;
/// The p99 latency target, in seconds.
const P99_TARGET: f64 = 0.020;
/// The throughput target for the wallet list and verify, as a share of the bare endpoint's.
const RATIO_TARGET: f64 = 0.5;
/// Sign-ins per second in the mix: each is a deliberately slow argon2 hash.
const SIGN_IN_RATE: u32 = 5;
/// Pending delegation requests waiting for the legal representative while his list is loaded.
const PENDING_REQUESTS: usize = 3;
/// Threads that pre-issue verify's tokens through the API.
const ISSUERS: usize = 4;
/// The longest tokens are issued for before a run: a token lives 60 s (plus 10 s of clock
/// skew), and the oldest must still be valid when the run ends. 20 s gave about 71,000, which
/// verify alone on SQLite used up before its 10 s were over.
const ISSUE_FOR: Duration = Duration::from_secs(30);
/// The most tokens issued for one run.
const MOST_TOKENS: usize = 200_000;
/// Where verify's requests say the check happens.
const PLACE: &str = "Kapok bench counter";

/// The operations, in table order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Wallet,
    Verify,
    Issue,
    Delegation,
    SignIn,
}

const OPS: [Op; 5] = [
    Op::Wallet,
    Op::Verify,
    Op::Issue,
    Op::Delegation,
    Op::SignIn,
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Wallet => "wallet list",
            Op::Verify => "verify",
            Op::Issue => "presentation issue",
            Op::Delegation => "delegation lookup",
            Op::SignIn => "sign-in",
        }
    }

    /// Its connections in the mix (they add up to CONNECTIONS) and oha's `-q` rate, if any.
    fn in_mix(self) -> (u32, Option<u32>) {
        match self {
            Op::Wallet => (20, None),
            Op::Verify => (16, None),
            Op::Issue => (12, None),
            Op::Delegation => (12, None),
            Op::SignIn => (4, Some(SIGN_IN_RATE)),
        }
    }
}

/// One HTTP request, repeated.
struct Http {
    method: &'static str,
    url: String,
    headers: Vec<String>,
    body: Option<String>,
}

/// Everything a run needs from the seeded server.
struct Plan {
    base: String,
    origin: String,
    resident: String,
    wallet_body: String,
    licence_count: usize,
    licence_id: String,
    licence_type: String,
    official: String,
    legal_rep: String,
    pending: usize,
    /// How long one sign-in took on the idle server.
    one_sign_in: Duration,
}

/// What a load generator measured for one endpoint; latencies in seconds.
struct Load {
    requests_per_sec: f64,
    p50: Option<f64>,
    p99: Option<f64>,
    errors: u64,
    /// What the errors were, with counts ("409 ×3").
    error_kinds: Vec<String>,
    /// Anything else the reader must know about this figure.
    note: Option<String>,
}

/// What one section reports.
struct Measured {
    plan: Plan,
    alone: Vec<(Op, Load)>,
    mix: Vec<(Op, Load)>,
    bare_oha: Load,
    bare_wrk: Load,
    /// The bare endpoint making one query through the server's read pool first.
    bare_query: Load,
}

/// `cargo xtask bench-load [postgres | DATABASE_URL]`: builds what it needs and prints the
/// section (`postgres`: on a cluster of its own, as the bench does).
pub fn alone(database_url: Option<&str>) -> Result {
    tools::ensure_load_generator()?;
    build()?;
    let section = match database_url {
        Some("postgres") => on_postgres()?,
        other => section(other)?,
    };
    println!("\n{section}");
    Ok(())
}

/// The release server and the bare endpoint (`cargo xtask bench` builds them itself).
fn build() -> Result {
    run_cmd(cmd("cargo").args([
        "build",
        "--release",
        "-p",
        "kapok-server",
        "--bin",
        "kapok-server",
        "--example",
        "bare",
    ]))
}

/// The markdown section: the release server with demo data on `database_url` (a fresh SQLite
/// file in a temporary directory when None; otherwise an empty database, or one a previous run
/// left, as demo data is seeded only into an empty one), under load.
pub fn section(database_url: Option<&str>) -> Result<String> {
    let data = tempdir("kapok-bench-load")?;
    let result = measure(&data, database_url);
    let _ = std::fs::remove_dir_all(&data);
    Ok(markdown(&result?, &database_name(database_url)))
}

/// The same section on a fresh database in a PostgreSQL cluster of its own (Debian's package,
/// installed if missing), with durable commits.
pub fn on_postgres() -> Result<String> {
    let postgres = Postgres::start(Durability::Durable)?;
    let url = postgres.create_database("kapok_bench")?;
    section(Some(&url))
}

/// "SQLite", "PostgreSQL", or the URL's scheme.
fn database_name(database_url: Option<&str>) -> String {
    let scheme = database_url
        .and_then(|url| url.split_once(':'))
        .map_or("sqlite", |(scheme, _)| scheme);
    match scheme {
        "sqlite" => "SQLite".into(),
        "postgres" | "postgresql" => "PostgreSQL".into(),
        other => other.into(),
    }
}

impl TestServer {
    /// The release build with demo data, on `database_url` if given (else a fresh SQLite file
    /// in `data`).
    pub fn start_release_on(data: &Path, database_url: Option<&str>) -> Result<TestServer> {
        let (mut command, port) = TestServer::command(data, "release")?;
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        TestServer::spawn(&mut command, port)
    }
}

fn measure(data: &Path, database_url: Option<&str>) -> Result<Measured> {
    let server = TestServer::start_release_on(data, database_url)?;
    let plan = prepare(&server.origin)?;

    let mut alone = Vec::new();
    for op in OPS {
        let load = if op == Op::Verify {
            let warm = tokens(&plan, data, "warm-up", WARM_UP as usize, ISSUE_FOR)?;
            finish(wrk_verify(&plan, &warm, CONNECTIONS, 2, 2)?)?;
            let lines = tokens(&plan, data, "verify", MOST_TOKENS, ISSUE_FOR)?;
            finish(wrk_verify(&plan, &lines, CONNECTIONS, 2, LOAD_SECS)?)?
        } else {
            let http = http(&plan, op);
            // A sign-in is an argon2 hash: one per connection warms up enough.
            let warm_up = if op == Op::SignIn {
                CONNECTIONS
            } else {
                WARM_UP
            };
            stdout_of(&mut oha(&http, CONNECTIONS, &["-n", &warm_up.to_string()]))?;
            finish(spawn(oha(&http, CONNECTIONS, &timed()))?)?
        };
        alone.push((op, load));
    }

    // All at once: verify's tokens first, as many as for verify alone (its rate alone is no
    // bound: a run slowed by a busy disk would leave the mix short).
    let (verify_connections, _) = Op::Verify.in_mix();
    let lines = tokens(&plan, data, "mix", MOST_TOKENS, ISSUE_FOR)?;
    let mut running = Vec::new();
    for op in OPS {
        let (connections, rate) = op.in_mix();
        let child = if op == Op::Verify {
            wrk_verify(&plan, &lines, verify_connections, 1, LOAD_SECS)?
        } else {
            let mut bound = timed();
            if let Some(rate) = rate {
                bound.extend(["-q".to_owned(), rate.to_string()]);
            }
            spawn(oha(&http(&plan, op), connections, &bound))?
        };
        running.push((op, child));
    }
    let mut mix = Vec::new();
    for (op, child) in running {
        mix.push((op, finish(child)?));
    }
    drop(server);

    // The floor, with the server stopped: the same body from a bare axum handler.
    let body_file = data.join("wallet.json");
    std::fs::write(&body_file, &plan.wallet_body).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let bare = target_dir().join("release/examples/bare");
    let bare_server = TestServer::spawn(
        cmd(bare.to_str().ok_or("target path is not UTF-8")?)
            .arg(port.to_string())
            .arg(&body_file),
        port,
    )?;
    let bare_http = Http {
        method: "GET",
        url: format!("http://127.0.0.1:{port}/"),
        headers: Vec::new(),
        body: None,
    };
    let bare_oha = stdout_of(&mut oha(&bare_http, CONNECTIONS, &["-n", "2000"]))
        .and_then(|_| finish(spawn(oha(&bare_http, CONNECTIONS, &timed()))?));
    let bare_wrk = bare_oha
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|_| finish(spawn(wrk(&bare_http, None, CONNECTIONS, 2, LOAD_SECS))?));
    drop(bare_server);

    // The same, making one query through the server's read pool first: on a fresh SQLite file
    // of its own, or on the PostgreSQL database the server used (its demo data already there).
    let fresh_sqlite = format!("sqlite://{}", data.join("bare.db").display());
    let port = free_port()?;
    let bare_server = TestServer::spawn(
        cmd(bare.to_str().ok_or("target path is not UTF-8")?)
            .arg(port.to_string())
            .arg(&body_file)
            .arg(database_url.unwrap_or(&fresh_sqlite)),
        port,
    )?;
    let query_http = Http {
        url: format!("http://127.0.0.1:{port}/"),
        ..bare_http
    };
    let bare_query = stdout_of(&mut oha(&query_http, CONNECTIONS, &["-n", "2000"]))
        .and_then(|_| finish(spawn(oha(&query_http, CONNECTIONS, &timed()))?));
    drop(bare_server);
    Ok(Measured {
        plan,
        alone,
        mix,
        bare_oha: bare_oha?,
        bare_wrk: bare_wrk?,
        bare_query: bare_query?,
    })
}

/// Signs in the demo accounts, finds the resident's licence, and makes sure the legal
/// representative has pending requests to list.
fn prepare(origin: &str) -> Result<Plan> {
    // The server listens on 127.0.0.1 only; `localhost` may resolve to ::1 first.
    let base = origin.replace("localhost", "127.0.0.1");
    let started = Instant::now();
    let resident = sign_in(&base, origin, "resident")?;
    let one_sign_in = started.elapsed();
    let official = sign_in(&base, origin, "official")?;
    let staff = sign_in(&base, origin, "staff")?;
    let legal_rep = sign_in(&base, origin, "legal-rep")?;

    let wallet_body = get(&format!("{base}/api/v1/wallet"), &resident)?;
    let wallet: Value = serde_json::from_str(&wallet_body).map_err(|e| e.to_string())?;
    let licences = wallet.as_array().cloned().unwrap_or_default();
    let licence = licences
        .iter()
        .find(|l| l["through_grant"].is_null() && matches!(l["status"].as_str(), Some("valid")))
        .ok_or("the demo resident holds no valid licence")?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();

    let requests_url = format!("{base}/api/v1/delegation-requests");
    let waiting = |cookie: &str| -> Result<usize> {
        let list: Value = serde_json::from_str(&get(&requests_url, cookie)?)
            .map_err(|e| format!("GET {requests_url}: {e}"))?;
        Ok(list["to_decide"].as_array().map_or(0, Vec::len))
    };
    let me: Value = serde_json::from_str(&get(&format!("{base}/api/v1/me"), &staff)?)
        .map_err(|e| e.to_string())?;
    let company = me["enterprises"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["role"] == "staff")
        .map(|m| text(&m["enterprise"]["id"]))
        .ok_or("the demo staff member works for no company")?;
    // Only what is missing: a database a previous run used keeps its requests (and the
    // creation limit is 10 an hour).
    for i in waiting(&legal_rep)?..PENDING_REQUESTS {
        let request = json!({
            "kind": "enterprise",
            "principal": company,
            "scopes": ["present_licences", "applications"],
            "note": format!("bench request {}", i + 1),
        });
        ureq::post(&requests_url)
            .header("Cookie", &staff)
            .header("Origin", origin)
            .header("Content-Type", "application/json")
            .send(request.to_string())
            .map_err(|e| format!("POST {requests_url}: {e}"))?;
    }
    let pending = waiting(&legal_rep)?;

    Ok(Plan {
        base,
        origin: origin.to_owned(),
        resident,
        licence_count: licences.len(),
        wallet_body,
        licence_id: text(&licence["id"]),
        licence_type: text(&licence["licence_type"]),
        official,
        legal_rep,
        pending,
        one_sign_in,
    })
}

fn get(url: &str, cookie: &str) -> Result<String> {
    ureq::get(url)
        .header("Cookie", cookie)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .map_err(|e| format!("GET {url}: {e}"))
}

/// The request oha repeats for `op` (verify's go through wrk, one token each).
fn http(plan: &Plan, op: Op) -> Http {
    let cookie = |c: &str| format!("Cookie: {c}");
    let changing = |cookie: Option<&str>| {
        let mut headers = vec![
            // The CSRF guard wants a same-origin browser request with a JSON body.
            format!("Origin: {}", plan.origin),
            "Content-Type: application/json".to_owned(),
        ];
        headers.extend(cookie.map(|c| format!("Cookie: {c}")));
        headers
    };
    let base = &plan.base;
    match op {
        Op::Wallet => Http {
            method: "GET",
            url: format!("{base}/api/v1/wallet"),
            headers: vec![cookie(&plan.resident)],
            body: None,
        },
        Op::Verify => Http {
            method: "POST",
            url: format!("{base}/api/v1/verify"),
            headers: changing(Some(&plan.official)),
            body: None,
        },
        Op::Issue => Http {
            method: "POST",
            url: format!("{base}/api/v1/wallet/{}/presentations", plan.licence_id),
            headers: changing(Some(&plan.resident)),
            body: Some(r#"{"count":1}"#.into()),
        },
        Op::Delegation => Http {
            method: "GET",
            url: format!("{base}/api/v1/delegation-requests"),
            headers: vec![cookie(&plan.legal_rep)],
            body: None,
        },
        Op::SignIn => Http {
            method: "POST",
            url: format!("{base}/api/v1/session"),
            headers: changing(None),
            body: Some(json!({ "username": "resident", "password": "kapok-demo" }).to_string()),
        },
    }
}

/// oha's bound for a measurement: LOAD_SECS, counting the requests still under way then.
fn timed() -> Vec<String> {
    vec![
        "-z".into(),
        format!("{LOAD_SECS}s"),
        "--wait-ongoing-requests-after-deadline".into(),
    ]
}

fn oha(http: &Http, connections: u32, bound: &[impl AsRef<std::ffi::OsStr>]) -> Command {
    let mut c = cmd("oha");
    c.args(["--no-tui", "--output-format", "json", "-m", http.method])
        .arg("-c")
        .arg(connections.to_string())
        .args(bound);
    for header in &http.headers {
        c.arg("-H").arg(header);
    }
    if let Some(body) = &http.body {
        c.arg("-d").arg(body);
    }
    c.arg(&http.url);
    c
}

/// wrk on `http`, POSTing each line of `lines` once when given.
fn wrk(http: &Http, lines: Option<&Path>, connections: u32, threads: u32, secs: u32) -> Command {
    let mut c = cmd("wrk");
    c.arg("-t")
        .arg(threads.to_string())
        .arg("-c")
        .arg(connections.to_string())
        .arg("-d")
        .arg(format!("{secs}s"))
        // oha waits as long as it takes; a request this slow is a failure anyway.
        .args(["--timeout", "10s", "-s"])
        .arg(root().join("xtask/wrk/each_line_once.lua"));
    for header in &http.headers {
        c.arg("-H").arg(header);
    }
    c.arg(&http.url);
    if let Some(lines) = lines {
        c.arg("--")
            .arg(lines)
            .arg(threads.to_string())
            // Which answers were not 2xx: a few microseconds a request, nothing at verify's rate.
            .env("WRK_COUNT_STATUSES", "1");
    }
    c
}

fn wrk_verify(
    plan: &Plan,
    lines: &Path,
    connections: u32,
    threads: u32,
    secs: u32,
) -> Result<Running> {
    spawn(wrk(
        &http(plan, Op::Verify),
        Some(lines),
        connections,
        threads,
        secs,
    ))
}

/// A load generator under way.
struct Running {
    shown: String,
    child: Child,
    wrk: bool,
}

fn spawn(mut c: Command) -> Result<Running> {
    let shown = format!("{c:?}").replace('"', "");
    println!("\n▶ {shown}");
    let wrk = c.get_program() == "wrk";
    let child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    Ok(Running { shown, child, wrk })
}

fn finish(running: Running) -> Result<Load> {
    let Running { shown, child, wrk } = running;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "failed ({}): {shown}\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if wrk {
        wrk_load(&stdout)
    } else {
        oha_load(&stdout)
    }
}

fn oha_load(out: &str) -> Result<Load> {
    let json: Value = serde_json::from_str(out).map_err(|e| format!("oha's output: {e}"))?;
    let mut errors = 0;
    let mut error_kinds = Vec::new();
    for (what, count) in json["statusCodeDistribution"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(status, _)| !status.starts_with('2'))
        .chain(json["errorDistribution"].as_object().into_iter().flatten())
    {
        let count = count.as_u64().unwrap_or(0);
        errors += count;
        error_kinds.push(format!("{what} ×{count}"));
    }
    Ok(Load {
        requests_per_sec: json["summary"]["requestsPerSec"]
            .as_f64()
            .ok_or_else(|| format!("oha's output has no requestsPerSec:\n{out}"))?,
        p50: json["latencyPercentiles"]["p50"].as_f64(),
        p99: json["latencyPercentiles"]["p99"].as_f64(),
        errors,
        error_kinds,
        note: None,
    })
}

/// The JSON line each_line_once.lua prints at the end.
fn wrk_load(out: &str) -> Result<Load> {
    let line = out
        .lines()
        .rfind(|l| l.starts_with('{'))
        .ok_or_else(|| format!("wrk printed no JSON:\n{out}"))?;
    let json: Value = serde_json::from_str(line).map_err(|e| format!("wrk's JSON: {e}"))?;
    let n = |key: &str| json[key].as_u64().unwrap_or(0);
    let mut errors = 0;
    let mut error_kinds = Vec::new();
    // Every answer that is not 2xx, by status, when the script counted them; else wrk's own
    // count of those ≥ 400.
    let statuses = json["statuses"].as_object().filter(|s| !s.is_empty());
    for (status, count) in statuses.into_iter().flatten() {
        let count = count.as_u64().unwrap_or(0);
        errors += count;
        error_kinds.push(format!("{status} ×{count}"));
    }
    let status = if statuses.is_some() {
        None
    } else {
        Some(("status", "answers ≥ 400"))
    };
    for (key, what) in status.into_iter().chain([
        ("connect", "connect errors"),
        ("read", "read errors"),
        ("write", "write errors"),
        ("timeout", "timeouts"),
    ]) {
        if n(key) > 0 {
            errors += n(key);
            error_kinds.push(format!("{what} ×{}", n(key)));
        }
    }
    let duration = n("duration_us") as f64 / 1e6;
    let seconds = |key: &str| (n("requests") > 0).then(|| n(key) as f64 / 1e6);
    let note = (n("threads_out_of_lines") > 0).then(|| {
        format!(
            "ran out of tokens after {}: requests/s is a lower bound, and the last tokens \
             were sent again",
            n("lines_sent")
        )
    });
    Ok(Load {
        requests_per_sec: if duration > 0.0 {
            n("requests") as f64 / duration
        } else {
            0.0
        },
        p50: seconds("p50_us"),
        p99: seconds("p99_us"),
        errors,
        error_kinds,
        note,
    })
}

/// Issues tokens for the resident's licence through the API, one a request, until there are
/// `at_most` or `within` has passed, and writes them one verify body a line; returns the file.
fn tokens(
    plan: &Plan,
    data: &Path,
    name: &str,
    at_most: usize,
    within: Duration,
) -> Result<std::path::PathBuf> {
    let url = format!(
        "{}/api/v1/wallet/{}/presentations",
        plan.base, plan.licence_id
    );
    println!("\n▶ issuing up to {at_most} tokens for {within:?} through POST {url}");
    let started = Instant::now();
    let deadline = started + within;
    let taken = AtomicUsize::new(0);
    let issue = || -> Result<Vec<String>> {
        let agent = ureq::Agent::new_with_defaults();
        let mut lines = Vec::new();
        while Instant::now() < deadline && taken.fetch_add(1, Ordering::Relaxed) < at_most {
            let answer = agent
                .post(&url)
                .header("Cookie", &plan.resident)
                .header("Origin", &plan.origin)
                .header("Content-Type", "application/json")
                .send(r#"{"count":1}"#)
                .and_then(|mut r| r.body_mut().read_to_string())
                .map_err(|e| format!("POST {url}: {e}"))?;
            let answer: Value =
                serde_json::from_str(&answer).map_err(|e| format!("POST {url}: {e}"))?;
            let token = answer[0]["token"]
                .as_str()
                .ok_or_else(|| format!("POST {url} answered no token: {answer}"))?;
            lines.push(json!({ "token": token, "place": PLACE }).to_string());
        }
        Ok(lines)
    };
    let issued: Vec<Result<Vec<String>>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..ISSUERS).map(|_| s.spawn(issue)).collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err("a token issuer panicked".into()))
            })
            .collect()
    });
    let mut lines = Vec::new();
    for part in issued {
        lines.extend(part?);
    }
    println!(
        "  {} tokens in {:.1} s",
        lines.len(),
        started.elapsed().as_secs_f64()
    );
    let path = data.join(format!("tokens-{name}.jsonl"));
    std::fs::write(&path, lines.join("\n") + "\n").map_err(|e| e.to_string())?;
    Ok(path)
}

fn ms(seconds: Option<f64>) -> String {
    seconds.map_or("n/a".into(), |s| format!("{:.2} ms", s * 1000.0))
}

fn errors_cell(load: &Load) -> String {
    let mut cell = load.errors.to_string();
    if !load.error_kinds.is_empty() {
        let _ = write!(cell, " ({})", load.error_kinds.join(", "));
    }
    cell
}

fn p99_verdict(load: &Load) -> String {
    match load.p99 {
        Some(p99) if p99 <= P99_TARGET => "met".into(),
        Some(_) => "missed".into(),
        None => "not measured".into(),
    }
}

fn verdict(met: bool, value: &str) -> String {
    format!("{} ({value})", if met { "met" } else { "missed" })
}

fn markdown(m: &Measured, database: &str) -> String {
    let plan = &m.plan;
    let bare = m.bare_oha.requests_per_sec;
    let mut s = format!(
        "\n## The API under load (release server, {database})\n\n\
         The release server with the demo data on {database}, on loopback, loaded by \
         [oha](https://crates.io/crates/oha) {oha} and, for verify, [wrk](https://github.com/wg/wrk) \
         {wrk}; the load generators share the machine's {cores} cores with the server. Each \
         operation is loaded alone with {CONNECTIONS} keep-alive connections for {LOAD_SECS} s \
         (`oha -c {CONNECTIONS} -z {LOAD_SECS}s`, after a {WARM_UP}-request warm-up; sign-in's \
         warm-up is one request a connection), then all of them at once with the connections \
         split between them, then `server/examples/bare.rs`, an axum handler that serialises \
         the wallet list's JSON with no session, database or middleware, with the server \
         stopped, and last the same handler making one query first (one user by a unique key, \
         as the session lookup that starts every signed-in request) through a read pool opened \
         as the server opens it, on {database}. Errors are transport errors plus every answer \
         that is not 2xx.\n\n\
         - **wallet list**: `GET /api/v1/wallet` as the demo resident (session cookie; {n} \
         licences, {bytes} bytes of JSON).\n\
         - **verify**: `POST /api/v1/verify` as the demo official at a counter (session cookie), \
         body `{{\"token\": …, \"place\": …}}`. A token may be checked once (a second check is a \
         409, or for the official who checked it first an answer that records nothing), so \
         every request carries a fresh one, issued through the API just before the run \
         (a token lives 60 s) and sent once: oha's `-Z` picks a body line at random for each \
         request, with replacement (1000 requests over 1000 lines reached 645 of them), so wrk \
         `-t 2` with `xtask/wrk/each_line_once.lua` loads verify instead, the same way oha \
         loads the rest (a fixed number of connections, each sending its next request when the \
         answer arrives), and counts the answers that are not 2xx by status.\n\
         - **presentation issue**: `POST /api/v1/wallet/{{id}}/presentations` with \
         `{{\"count\":1}}` as the resident, for her {licence_type} (`{licence_id}`): one signed \
         token for the live QR code.\n\
         - **delegation lookup**: `GET /api/v1/delegation-requests` as the demo legal \
         representative: the requests he made and the {pending} pending requests from the demo \
         staff member that wait for his decision, which the delegation page loads each time \
         it opens. Not the link lookup (`POST /api/v1/delegation-requests/lookup`), which a \
         caller may make 30 times a minute (429 after that), nor `GET /api/v1/grants`, empty in \
         the demo data (approving a grant takes a passkey).\n\
         - **sign-in**: `POST /api/v1/session` with the resident's username and password: an \
         argon2 hash check and a new session each time.\n",
        oha = tools::OHA_VERSION,
        wrk = tools::WRK_VERSION,
        cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        n = plan.licence_count,
        bytes = plan.wallet_body.len(),
        licence_type = plan.licence_type.replace('_', " "),
        licence_id = plan.licence_id,
        pending = plan.pending,
    );

    let _ = writeln!(
        s,
        "\n### Each operation alone ({CONNECTIONS} connections)\n\n\
         | operation | requests/s | ÷ bare | p50 | p99 | p99 ≤ {:.0} ms | errors |\n\
         |---|---:|---:|---:|---:|---|---:|",
        P99_TARGET * 1000.0
    );
    let mut notes = Vec::new();
    let rows = m
        .alone
        .iter()
        .map(|(op, load)| (op.name().to_owned(), load))
        .chain([
            ("bare axum JSON".to_owned(), &m.bare_oha),
            ("bare axum JSON, loaded by wrk".to_owned(), &m.bare_wrk),
            ("bare axum JSON after one query".to_owned(), &m.bare_query),
        ]);
    for (name, load) in rows {
        let _ = writeln!(
            s,
            "| {name} | {:.0} | {:.1} % | {} | {} | {} | {} |",
            load.requests_per_sec,
            100.0 * load.requests_per_sec / bare,
            ms(load.p50),
            ms(load.p99),
            p99_verdict(load),
            errors_cell(load)
        );
        if let Some(note) = &load.note {
            notes.push(format!("{name} alone: {note}"));
        }
    }
    let _ = writeln!(
        s,
        "\n÷ bare: requests/s as a share of the bare endpoint's (oha). Sign-in's p99 cannot \
         meet the target under any real load: one sign-in on the idle server took {:.0} ms \
         (an argon2 check, slow by design).",
        plan.one_sign_in.as_secs_f64() * 1000.0
    );

    let _ = writeln!(
        s,
        "\n### All at once ({CONNECTIONS} connections in all)\n\n\
         Every operation at the same time for {LOAD_SECS} s, each from its own load generator \
         with its share of the connections; sign-in at a fixed {SIGN_IN_RATE} a second \
         (`oha -q {SIGN_IN_RATE}`), verify through wrk `-t 1` with fresh tokens again.\n\n\
         | operation | connections | requests/s | p50 | p99 | p99 ≤ {:.0} ms | errors |\n\
         |---|---:|---:|---:|---:|---|---:|",
        P99_TARGET * 1000.0
    );
    let mut total = 0.0;
    for (op, load) in &m.mix {
        let (connections, rate) = op.in_mix();
        let connections = match rate {
            Some(rate) => format!("{connections} (at most {rate}/s)"),
            None => connections.to_string(),
        };
        total += load.requests_per_sec;
        let _ = writeln!(
            s,
            "| {} | {connections} | {:.0} | {} | {} | {} | {} |",
            op.name(),
            load.requests_per_sec,
            ms(load.p50),
            ms(load.p99),
            p99_verdict(load),
            errors_cell(load)
        );
        if let Some(note) = &load.note {
            notes.push(format!("{} in the mix: {note}", op.name()));
        }
    }
    let _ = writeln!(
        s,
        "| all | {CONNECTIONS} | {total:.0} ({:.1} % of bare) | | | | {} |",
        100.0 * total / bare,
        m.mix.iter().map(|(_, l)| l.errors).sum::<u64>()
    );

    // The targets, each with what was measured.
    let ratio = |op: Op| {
        m.alone
            .iter()
            .find(|(o, _)| *o == op)
            .map_or(0.0, |(_, l)| l.requests_per_sec / bare)
    };
    let all = m.alone.iter().chain(&m.mix);
    let erring: Vec<String> = m
        .alone
        .iter()
        .map(|(op, l)| (format!("{} alone", op.name()), l))
        .chain(
            m.mix
                .iter()
                .map(|(op, l)| (format!("{} in the mix", op.name()), l)),
        )
        .filter(|(_, l)| l.errors > 0)
        .map(|(name, l)| format!("{name} {}", l.errors))
        .collect();
    let slow: Vec<String> = m
        .alone
        .iter()
        .map(|(op, l)| (format!("{} alone", op.name()), l))
        .chain(
            m.mix
                .iter()
                .map(|(op, l)| (format!("{} in the mix", op.name()), l)),
        )
        .filter(|(_, l)| !l.p99.is_some_and(|p| p <= P99_TARGET))
        .map(|(name, l)| format!("{name} {}", ms(l.p99)))
        .collect();
    let errors: u64 = all.map(|(_, l)| l.errors).sum();
    let verify_wrk = ratio(Op::Verify) * bare / m.bare_wrk.requests_per_sec;
    let _ = writeln!(
        s,
        "\nTargets:\n\n\
         - zero errors: {}\n\
         - wallet list ≥ {:.0} % of the bare endpoint's requests/s: {}\n\
         - verify ≥ {:.0} % of the bare endpoint's requests/s: {} ({:.1} % of bare loaded by \
         wrk)\n\
         - p99 ≤ {:.0} ms at {CONNECTIONS} connections on {} cores: {}",
        verdict(
            errors == 0,
            &if erring.is_empty() {
                "0".to_owned()
            } else {
                erring.join(", ")
            }
        ),
        RATIO_TARGET * 100.0,
        verdict(
            ratio(Op::Wallet) >= RATIO_TARGET,
            &format!("{:.1} %", 100.0 * ratio(Op::Wallet))
        ),
        RATIO_TARGET * 100.0,
        verdict(
            ratio(Op::Verify) >= RATIO_TARGET,
            &format!("{:.1} %", 100.0 * ratio(Op::Verify))
        ),
        100.0 * verify_wrk,
        P99_TARGET * 1000.0,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        if slow.is_empty() {
            "met by every operation, alone and in the mix".to_owned()
        } else {
            format!("missed by {}", slow.join(", "))
        }
    );
    if !(errors == 0 && slow.is_empty() && ratio(Op::Wallet) >= RATIO_TARGET) {
        s.push_str(if database == "PostgreSQL" {
            POSTGRES_LOAD_REASONS
        } else {
            SQLITE_LOAD_REASONS
        });
    }
    if !notes.is_empty() {
        let _ = writeln!(s, "\nNotes:\n");
        for note in notes {
            let _ = writeln!(s, "- {note}");
        }
    }
    s
}

/// Why the load targets are missed on SQLite, as far as profiles show; kept next to the figures.
const SQLITE_LOAD_REASONS: &str = "
Why, as far as profiles show:

- **Throughput against bare.** sqlx runs each SQLite connection on a thread of its own: a
  query is handed to that thread and its rows handed back, and sqlx pings a connection (one
  more trip) when it goes back to the pool. A wallet list makes three queries (session, own
  licences, licences through grants), so about six trips between threads. A `perf record` of
  the server under the wallet load (at `20613d5`, with the change below) puts half its
  samples in the kernel, most of them switching and waking threads, and 6 % in SQLite
  itself. The bare endpoint does none of this. The last row of the table of each operation
  alone is the bare handler with one query through a pool opened as the server's read pool
  is, and nothing else: what one query and its trips cost on this machine. The wallet list
  makes three (the session's among them), and the middleware and the log come on top. sqlx
  also pinged a connection before each use. A SQLite connection is a file in the process and
  cannot have died, so it no longer is, which took the wallet list alone from 5,745–6,436 to
  6,333–6,555 a second in three alternating runs. A PostgreSQL connection is pinged before
  use only when it has waited in the pool for a second or more (it passed its ping when it
  came back; under load none waits that long), and a test ends PostgreSQL's connections
  under a running server to show that none of the next requests fails. PostgreSQL's round
  trips over loopback cost about as much as the thread trips.
- **Verify** also writes (the check is recorded for the holder, and its nonce makes a replay
  visible), and every commit waits for the disk (`synchronous = FULL` on SQLite, `fsync` on
  PostgreSQL); SQLite takes one writer at a time. Checks are written in groups, one
  transaction for every check waiting (`VerificationLog`), so a burst shares one wait for the
  disk, and the issuer keys are kept in memory for a second: across this machine's runs that
  took verify alone on SQLite from about 2,000 to 4,500–7,000 a second and its p99 from
  35–150 ms to 17–24 ms.
- **p99.** The load generators share the 2 cores with the server, and at 64 connections each
  request queues behind the others for the database connections. On SQLite every write goes
  through 2 connections (with 8, writers slept in SQLite's busy handler for seconds and some
  failed with \"database is locked\"); the reads of the busiest requests have 8 read-only
  connections of their own, which took the wallet list from about 5,000 to 6,300–7,900 a
  second and its p99 alone from 27 ms to 11–16 ms. In the mix, verify's groups share the
  writer connections with the other writes, and every operation shares the cores with the
  sign-ins' Argon2 hashes and five load generators.
  Sign-in checks an Argon2 hash (about 40 ms of one core, slow on purpose), and only half
  the cores check passwords at once.
";

/// The same for PostgreSQL, whose costs lie elsewhere: in a server process of its own.
const POSTGRES_LOAD_REASONS: &str = "
Why, as far as the runs show:

- **Throughput against bare.** Every query is a round trip over loopback to a PostgreSQL
  backend, a process that runs on the same 2 cores as this server and the load generators.
  The last row of the table of each operation alone is the bare handler with one query
  through a pool opened as the server's is, and nothing else: what one such trip costs on
  this machine. The wallet list makes three (session, own licences, licences through
  grants), and the middleware and the log come on top. A connection is pinged before use
  only when it has waited in the pool for a second or more (it passed its ping when it came
  back; under load none waits that long), and a test ends PostgreSQL's connections under a
  running server to show that none of the next requests fails.
- **Verify** also writes (the check is recorded for the holder, and its nonce makes a replay
  visible), and every commit waits for PostgreSQL's `fsync`. Checks are written in groups,
  one transaction for every check waiting (`VerificationLog`), so a burst shares one wait
  for the disk, and the issuer keys are kept in memory for a second.
- **p99.** At 64 connections each request queues for the pool's 8 connections, and the
  server, PostgreSQL and the load generators share the 2 cores. The pool had 16 until
  `cargo xtask bench-load postgres` compared sizes on this machine: with 8, and then 4,
  instead of 16 the wallet list alone went from 4,504–4,578 a second to 4,771 and 4,943 (p99
  19.6–20.4 ms to 17.6 and 17.1 ms), and the mix from 3,856–3,898 to 4,069 and 3,841: fewer
  PostgreSQL processes to switch between on 2 cores, and 8 keeps the mix. In the mix, verify's commits
  wait for the disk while the other operations and the sign-ins' Argon2 hashes take the
  cores. Sign-in checks an Argon2 hash (about 40 ms of one core, slow on purpose), and only
  half the cores check passwords at once.
";

#[cfg(test)]
mod tests {
    use super::{database_name, oha_load, wrk_load};

    #[test]
    fn the_section_names_the_database() {
        assert_eq!(database_name(None), "SQLite");
        assert_eq!(database_name(Some("sqlite:///tmp/k.db")), "SQLite");
        assert_eq!(
            database_name(Some("postgres://u@localhost/k")),
            "PostgreSQL"
        );
        assert_eq!(
            database_name(Some("postgresql://u@localhost/k")),
            "PostgreSQL"
        );
    }

    #[test]
    fn every_answer_that_is_not_2xx_and_every_transport_error_counts() {
        let out = r#"{"summary": {"requestsPerSec": 1000.0},
            "latencyPercentiles": {"p50": 0.002, "p99": 0.010},
            "statusCodeDistribution": {"200": 90, "204": 5, "409": 3, "500": 1},
            "errorDistribution": {"connection closed": 2}}"#;
        let load = oha_load(out).unwrap();
        assert_eq!(load.errors, 6);
        assert_eq!(
            load.error_kinds,
            ["409 ×3", "500 ×1", "connection closed ×2"]
        );
        assert_eq!(load.p99, Some(0.010));
    }

    #[test]
    fn wrk_s_line_is_read_and_running_out_of_tokens_is_said() {
        let out = "Running 10s test @ http://127.0.0.1:1/api/v1/verify\n\
            {\"duration_us\":10000000,\"requests\":12000,\"p50_us\":5000,\"p99_us\":20000,\
            \"connect\":0,\"read\":0,\"write\":0,\"timeout\":1,\"status\":4,\
            \"lines_sent\":12005,\"threads_out_of_lines\":1}\n";
        let load = wrk_load(out).unwrap();
        assert_eq!(load.requests_per_sec, 1200.0);
        assert_eq!(load.p50, Some(0.005));
        assert_eq!(load.errors, 5);
        assert_eq!(load.error_kinds, ["answers ≥ 400 ×4", "timeouts ×1"]);
        assert!(
            load.note
                .unwrap()
                .starts_with("ran out of tokens after 12005")
        );

        let counted = "{\"duration_us\":1000000,\"requests\":10,\"p50_us\":1,\"p99_us\":2,\
            \"connect\":1,\"read\":0,\"write\":0,\"timeout\":0,\"status\":3,\
            \"statuses\":{\"409\":2,\"500\":1},\"lines_sent\":10,\"threads_out_of_lines\":0}";
        let load = wrk_load(counted).unwrap();
        assert_eq!(load.errors, 4);
        assert_eq!(load.error_kinds, ["409 ×2", "500 ×1", "connect errors ×1"]);
        assert!(load.note.is_none());
    }
}
