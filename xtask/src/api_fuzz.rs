//! Property-based fuzzing of the API from its own OpenAPI document, with schemathesis: in
//! `cargo xtask test`, and as the bench's "API fuzzing" section.
//!
//! Every operation of `/api/openapi.json` gets schema-valid and schema-violating requests, then
//! stateful sequences that feed one answer's ids into the next request, from nobody and from
//! each kind of demo account. Each answer must have a documented status, content type and
//! schema: never a 5xx, never a dropped connection. xtask/schemathesis.toml lists the few
//! places the tool is configured around, each with its reason.

use std::{fmt::Write as _, path::Path, process::Command, time::Instant};

use serde_json::Value;

use crate::{Result, TestServer, bench, cmd, root, run_cmd, tempdir, tools};

/// Who the API is fuzzed as: nobody, then one account of each kind (a resident; staff and the
/// legal representative of a company; an official), as each sees different data and rules.
const CALLERS: [Option<&str>; 5] = [
    None,
    Some("resident"),
    Some("staff"),
    Some("legal-rep"),
    Some("official"),
];
/// Fixed, so that a run is repeatable: against a fresh database, the same seed sends the same
/// requests.
const SEED: &str = "1";
/// Examples per operation and caller in `cargo xtask test`: about 20 s per caller against the
/// debug server on two cores.
const TEST_EXAMPLES: u32 = 30;
/// In the bench, on the release server, where there is time for more.
const BENCH_EXAMPLES: u32 = 100;

/// What one caller's run did, from schemathesis's JSON report.
struct Run {
    caller: &'static str,
    operations: u64,
    examples: u64,
    failures: u64,
    /// Requests that got no answer (a dropped connection, a timeout) or could not be made.
    errors: u64,
    passed: bool,
}

/// `cargo xtask api-fuzz`: builds the debug server, then runs `test`'s step alone.
pub fn alone() -> Result {
    run_cmd(cmd("cargo").args(["build", "-p", "kapok-server"]))?;
    in_test()
}

/// `cargo xtask test`'s step: the debug server, demo data and a fresh database of its own.
pub fn in_test() -> Result {
    let data = tempdir("kapok-api-fuzz")?;
    let result = TestServer::start(&data).and_then(|server| fuzz(&server, TEST_EXAMPLES));
    let _ = std::fs::remove_dir_all(&data);
    let (runs, secs) = result?;
    println!("\n{}", table(&runs));
    println!("API fuzzing: {secs:.0} s, no failures");
    Ok(())
}

/// The bench's "API fuzzing" section, from the release server with a fresh database.
pub fn section() -> Result<String> {
    let data = tempdir("kapok-bench-api-fuzz")?;
    let result = TestServer::start_release(&data).and_then(|server| fuzz(&server, BENCH_EXAMPLES));
    let _ = std::fs::remove_dir_all(&data);
    let (runs, secs) = result?;
    Ok(format!(
        "\n## API fuzzing\n\n\
         [schemathesis](https://pypi.org/project/schemathesis/) {} runs every operation of \
         `/api/openapi.json` on the release server (demo data, a fresh database) with up to \
         {BENCH_EXAMPLES} examples per operation and seed {SEED}: schema-valid and \
         schema-violating requests, then stateful sequences, once as each caller below. Every \
         check is on (`xtask/schemathesis.toml` says where and why the tool is configured \
         around); a failure is a 5xx, a dropped connection, or a status, content type or body \
         the document does not describe. {secs:.0} s in all. `cargo xtask test` runs the same \
         with {TEST_EXAMPLES} examples on the debug server.\n\n{}",
        tools::SCHEMATHESIS_VERSION,
        table(&runs)
    ))
}

/// Fuzzes `server` as every caller in turn, then fails if any run found a failure (so one
/// test run shows them all). Returns the runs and the seconds they took.
fn fuzz(server: &TestServer, examples: u32) -> Result<(Vec<Run>, f64)> {
    let st = tools::ensure_schemathesis()?;
    let reports = tempdir("kapok-api-fuzz-reports")?;
    // The server listens on 127.0.0.1 only; `localhost` may resolve to ::1 first.
    let base = server.origin.replace("localhost", "127.0.0.1");
    // Every caller signs in before any run: the runs send sign-ins with made-up passwords, and
    // enough of them from one address pause password sign-in there for 15 minutes.
    let callers: Vec<(&'static str, Option<String>)> = CALLERS
        .iter()
        .map(|&caller| match caller {
            Some(username) => Ok((
                username,
                Some(bench::sign_in(&base, &server.origin, username)?),
            )),
            None => Ok(("nobody", None)),
        })
        .collect::<Result<_>>()?;
    let started = Instant::now();
    let runs: Result<Vec<Run>> = callers
        .iter()
        .map(|(name, cookie)| fuzz_as(&st, &base, name, cookie.as_deref(), examples, &reports))
        .collect();
    let _ = std::fs::remove_dir_all(&reports);
    let runs = runs?;
    let secs = started.elapsed().as_secs_f64();
    if runs.iter().all(|r| r.passed) {
        Ok((runs, secs))
    } else {
        Err(format!(
            "schemathesis found failures (each is shown above, with a curl command that \
             reproduces it):\n{}",
            table(&runs)
        ))
    }
}

/// Runs schemathesis against the server at `base` as `name`, sending `cookie` if given.
fn fuzz_as(
    st: &Path,
    base: &str,
    name: &'static str,
    cookie: Option<&str>,
    examples: u32,
    reports: &Path,
) -> Result<Run> {
    let schema = format!("{base}/api/openapi.json");
    let report = reports.join(format!("{name}.json"));
    let mut command = cmd(st.to_str().ok_or("cache path is not UTF-8")?);
    command
        // Whatever Hypothesis keeps in its working directory (.hypothesis/) goes with the
        // reports, not into the work tree.
        .current_dir(reports)
        .arg("--config-file")
        .arg(root().join("xtask/schemathesis.toml"))
        .args(["run", &schema, "--max-examples", &examples.to_string()])
        .args(["--seed", SEED, "--no-color"])
        // The CSRF guard refuses every change that does not say it is JSON, with a body or
        // without; schemathesis would send the header only with a body.
        .args(["-H", "Content-Type: application/json"])
        .args(["--report", "json", "--report-json-path"])
        .arg(&report);
    if let Some(cookie) = cookie {
        command.arg("-H").arg(format!("Cookie: {cookie}"));
    }
    println!(
        "\n▶ schemathesis as {name}: st run {schema} --max-examples {examples} --seed {SEED} \
         (config xtask/schemathesis.toml)"
    );
    let passed = status_of(&mut command)?;
    let json = std::fs::read_to_string(&report)
        .map_err(|e| format!("schemathesis wrote no report at {}: {e}", report.display()))?;
    let report: Value = serde_json::from_str(&json)
        .map_err(|e| format!("schemathesis's report {}: {e}", report.display()))?;
    let count = |pointer: &str| report.pointer(pointer).and_then(Value::as_u64).unwrap_or(0);
    let errors = report["errors"].as_array().map_or(0, |e| e.len() as u64);
    let failures = count("/test_cases/unique_failures");
    Ok(Run {
        caller: name,
        operations: count("/operations/tested"),
        examples: count("/test_cases/generated"),
        failures,
        errors,
        passed: passed && failures == 0 && errors == 0,
    })
}

fn status_of(command: &mut Command) -> Result<bool> {
    command
        .status()
        .map(|s| s.success())
        .map_err(|e| format!("cannot start schemathesis: {e}"))
}

fn table(runs: &[Run]) -> String {
    let mut out = String::from(
        "| caller | operations | examples run | failures | no answer |\n|---|---:|---:|---:|---:|\n",
    );
    for run in runs {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            run.caller, run.operations, run.examples, run.failures, run.errors
        );
    }
    out
}
