//! `cargo xtask fuzz`, and the bench's "Fuzzing" section: each libFuzzer target in fuzz/ for a
//! bounded time, from the committed seeds and the corpus that earlier runs grew.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

use crate::{Result, cmd, root, target_dir, tools};

/// Seconds each target runs for, unless KAPOK_FUZZ_SECS says otherwise.
const DEFAULT_SECS: u64 = 60;

struct Target {
    name: &'static str,
    /// For the report: what the target feeds to what.
    feeds: &'static str,
    /// The longest input libFuzzer makes: a token is a few hundred bytes, while the QR target
    /// needs room for a 256 × 256 frame at one bit a pixel (3 header bytes + 8192).
    max_len: usize,
    /// Crashes known to come from a dependency, each as text its panic message holds and what
    /// Kapok does about it; the report quotes the second beside such a crash.
    known: &'static [(&'static str, &'static str)],
}

const TARGETS: [Target; 2] = [
    Target {
        name: "token",
        feeds: "text, COSE bytes and issuer-signed claims to `token::parse`, \
                `verify_with_keys` and `Unverified::verify`; arbitrary claims through \
                `encode` and back",
        max_len: 4096,
        known: &[],
    },
    Target {
        name: "qr",
        feeds: "frames up to 256 × 256 (RGBA, or one bit a pixel) and any claimed size to \
                `kapok_scanner::decode`",
        max_len: 8195,
        known: &[(
            "rqrr-0.11.0/src/geometry.rs",
            "rqrr's `Perspective::map` asserts that a point fits an i32, which some frames break \
             (open upstream: WanzenBug/rqrr#54). In the browser the decoder runs in a worker of \
             its own; when it dies on a frame, the verifier page starts a fresh one and the \
             camera goes on (`app/src/scanner.rs`, tested in `e2e/tests/wallet.spec.ts`).",
        )],
    },
];

/// What libFuzzer reported at the end of one target's run.
struct Run {
    target: &'static str,
    feeds: &'static str,
    seconds: u64,
    executions: u64,
    per_second: u64,
    /// Code edges reached, from libFuzzer's `DONE` line.
    coverage: Option<u64>,
    corpus: usize,
    /// The crash that ended the run early, as `failure` words it, and what is known of it.
    crash: Option<(String, Option<&'static str>)>,
}

/// `cargo xtask fuzz`: the targets, then the report section on stdout (nothing is written);
/// it fails if any target crashed.
pub fn fuzz() -> Result {
    let (section, crashed) = section()?;
    println!("\n{section}");
    match crashed {
        0 => Ok(()),
        n => Err(format!("{n} fuzz target(s) crashed; see above")),
    }
}

/// Runs every target and returns the report's "Fuzzing" section and how many targets crashed.
/// A crash ends that target's run and is reported with its reproducer; the other targets, and
/// the rest of the bench, still run.
pub fn section() -> Result<(String, usize)> {
    tools::ensure_fuzzer()?;
    let seconds = match std::env::var("KAPOK_FUZZ_SECS") {
        Ok(s) => s
            .parse()
            .map_err(|_| format!("KAPOK_FUZZ_SECS={s} is not a number of seconds"))?,
        Err(_) => DEFAULT_SECS,
    };
    copy_lock_file()?;
    let mut runs = Vec::new();
    for target in &TARGETS {
        runs.push(run(target, seconds)?);
    }
    let crashed = runs.iter().filter(|r| r.crash.is_some()).count();
    Ok((report(&runs, seconds), crashed))
}

/// The fuzz crate is a workspace of its own; starting its lock file from the workspace's
/// makes it fuzz the dependency versions the product ships, not whatever is newest.
fn copy_lock_file() -> Result {
    let (from, to) = (root().join("Cargo.lock"), root().join("fuzz/Cargo.lock"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    // Cargo adds the fuzzers' own crates to the copy, which makes it the newer one.
    if modified(&to) < modified(&from) {
        std::fs::copy(&from, &to)
            .map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))?;
    }
    Ok(())
}

fn run(target: &Target, seconds: u64) -> Result<Run> {
    let corpus = root().join("fuzz/corpus").join(target.name);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let mut c = cmd("cargo");
    c.arg(format!("+{}", tools::FUZZ_TOOLCHAIN))
        .args(["fuzz", "run", "--fuzz-dir", "fuzz", "--target-dir"])
        .arg(fuzz_target_dir())
        // Overflow checks and debug assertions too: an overflow is a logic error even where a
        // release build would wrap silently.
        .arg("--debug-assertions")
        .arg(target.name)
        // New inputs go into the first directory; the seeds are only read.
        .arg(&corpus)
        .arg(root().join("fuzz/seeds").join(target.name))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-max_len={}", target.max_len))
        .arg("-print_final_stats=1");
    let shown = format!("{c:?}").replace('"', "");
    println!("\n▶ {shown}\n  ({seconds} s of fuzzing after the build)");
    let out = c
        .output()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let log = fuzz_target_dir().join(format!("{}.log", target.name));
    std::fs::create_dir_all(fuzz_target_dir()).map_err(|e| e.to_string())?;
    std::fs::write(&log, &printed).map_err(|e| format!("{}: {e}", log.display()))?;
    let crash = if out.status.success() {
        None
    } else {
        let failure = failure(target.name, &out.status.to_string(), &printed, &log);
        // A run that stopped for anything but a finding (a build error, say) has no figures.
        if reproducer(&printed).is_none() || stat(&printed, "number_of_executed_units").is_none() {
            return Err(failure);
        }
        println!("  {failure}");
        let known = finding(&printed).and_then(|found| {
            target
                .known
                .iter()
                .find(|(text, _)| found.contains(text))
                .map(|(_, about)| *about)
        });
        Some((failure, known))
    };
    let executions = stat(&printed, "number_of_executed_units").ok_or_else(|| {
        format!(
            "libFuzzer printed no final stats for `{}`:\n{printed}",
            target.name
        )
    })?;
    let run = Run {
        target: target.name,
        feeds: target.feeds,
        seconds: done_seconds(&printed).unwrap_or(seconds),
        executions,
        per_second: stat(&printed, "average_exec_per_sec").unwrap_or(0),
        coverage: done_coverage(&printed),
        corpus: std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0),
        crash,
    };
    println!(
        "  {}: {} executions in {} s ({} a second)",
        run.target, run.executions, run.seconds, run.per_second
    );
    Ok(run)
}

/// Outside the workspace's own target directory's debug and release trees: nightly builds
/// with sanitizers share nothing with the product's.
fn fuzz_target_dir() -> PathBuf {
    target_dir().join("fuzz")
}

/// A failed run's error: what went wrong, the reproducer libFuzzer wrote (for a crash, a leak,
/// a timeout or running out of memory), how to replay it, and where the whole output is.
fn failure(target: &str, status: &str, printed: &str, log: &Path) -> String {
    let finding = finding(printed).unwrap_or_else(|| "(no panic or sanitizer report)".into());
    let replay = match reproducer(printed) {
        Some(path) => format!(
            "reproducer: {path}\nreplay: cargo +{} fuzz run --fuzz-dir fuzz --target-dir {} \
             --debug-assertions {target} {path}\n",
            tools::FUZZ_TOOLCHAIN,
            fuzz_target_dir().display()
        ),
        None => "libFuzzer wrote no reproducer\n".into(),
    };
    format!(
        "fuzz target `{target}` failed ({status}):\n{finding}\n{replay}whole output: {}",
        log.display()
    )
}

/// What went wrong, briefly: a panic's message, or else a sanitizer's or libFuzzer's error line.
fn finding(printed: &str) -> Option<String> {
    let lines: Vec<&str> = printed.lines().collect();
    if let Some(at) = lines.iter().position(|l| l.contains("panicked at")) {
        let message: Vec<&str> = lines[at..]
            .iter()
            .take(20)
            .take_while(|l| !l.starts_with("stack backtrace:") && !l.starts_with("note:"))
            .copied()
            .collect();
        return Some(message.join("\n"));
    }
    lines
        .iter()
        .find(|l| l.contains("ERROR: "))
        .map(|l| l.trim().to_owned())
}

/// libFuzzer's `Test unit written to PATH`, relative to the workspace root where it is.
fn reproducer(printed: &str) -> Option<&str> {
    printed
        .lines()
        .find_map(|l| l.split_once("Test unit written to "))
        .map(|(_, path)| path.trim())
}

/// A figure from libFuzzer's `-print_final_stats=1` lines, `stat::NAME: VALUE`.
fn stat(printed: &str, name: &str) -> Option<u64> {
    printed.lines().find_map(|l| {
        l.trim()
            .strip_prefix("stat::")?
            .strip_prefix(name)?
            .strip_prefix(':')?
            .trim()
            .parse()
            .ok()
    })
}

/// From `Done 1234 runs in 60 second(s)`.
fn done_seconds(printed: &str) -> Option<u64> {
    printed.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("Done ")?;
        rest.split_once(" runs in ")?
            .1
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// From `#1234<tab>DONE   cov: 567 ft: 890 corp: …`.
fn done_coverage(printed: &str) -> Option<u64> {
    printed.lines().find_map(|l| {
        let (_, rest) = l.split_once("DONE")?;
        rest.trim()
            .strip_prefix("cov:")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

fn report(runs: &[Run], seconds: u64) -> String {
    let mut section = format!(
        "\n## Fuzzing (cargo fuzz, libFuzzer)\n\n\
         `cargo xtask fuzz` runs each target in `fuzz/` for {seconds} s (`KAPOK_FUZZ_SECS`) in \
         one process: cargo-fuzz {} on {}, with AddressSanitizer, debug assertions and overflow \
         checks, starting from the committed seeds in `fuzz/seeds/<target>` and the corpus \
         earlier runs on this machine grew in `fuzz/corpus/<target>`. A crash, leak, timeout or \
         out-of-memory stops that target, is listed below the table with its reproducer, and \
         fails `cargo xtask fuzz`; `fuzz/README.md` says what each target checks. Coverage is \
         the code edges libFuzzer reached.\n\n\
         | target | feeds | seconds | executions | per second | coverage | corpus | crashes |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
        tools::CARGO_FUZZ_VERSION,
        tools::FUZZ_TOOLCHAIN,
    );
    for run in runs {
        let _ = writeln!(
            section,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            run.target,
            run.feeds,
            match run.crash {
                Some(_) => "until the crash".to_string(),
                None => run.seconds.to_string(),
            },
            run.executions,
            run.per_second,
            run.coverage.map_or("n/a".into(), |c| c.to_string()),
            run.corpus,
            u8::from(run.crash.is_some()),
        );
    }
    for run in runs {
        if let Some((failure, known)) = &run.crash {
            let _ = write!(section, "\n**`{}` crashed.**", run.target);
            if let Some(about) = known {
                let _ = write!(section, " {about}");
            }
            let _ = writeln!(section, "\n\n```\n{}\n```", failure.trim_end());
        }
    }
    section
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{
        Run, done_coverage, done_seconds, failure, finding, fuzz_target_dir, report, reproducer,
        stat,
    };
    use crate::tools;

    /// The end of a real run of the `qr` target.
    const FINISHED: &str = "\
#1048576\tpulse  cov: 1201 ft: 3377 corp: 301/61Kb lim: 8195 exec/s: 17476 rss: 402Mb
#1084233\tDONE   cov: 1203 ft: 3390 corp: 305/62Kb lim: 8195 exec/s: 17773 rss: 402Mb
Done 1084233 runs in 61 second(s)
stat::number_of_executed_units: 1084233
stat::average_exec_per_sec:     17773
stat::new_units_added:          412
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              402
";

    #[test]
    fn executions_speed_and_coverage_come_from_libfuzzers_final_lines() {
        assert_eq!(stat(FINISHED, "number_of_executed_units"), Some(1_084_233));
        assert_eq!(stat(FINISHED, "average_exec_per_sec"), Some(17_773));
        assert_eq!(stat(FINISHED, "peak_rss"), None);
        assert_eq!(done_seconds(FINISHED), Some(61));
        assert_eq!(done_coverage(FINISHED), Some(1203));
    }

    #[test]
    fn a_crash_is_counted_in_the_table_and_quoted_under_it_with_what_is_known() {
        let run = |target, crash| Run {
            target,
            feeds: "frames",
            seconds: 60,
            executions: 6020,
            per_second: 113,
            coverage: None,
            corpus: 9,
            crash,
        };
        let section = report(
            &[
                run("token", None),
                run(
                    "qr",
                    Some(("fuzz target `qr` failed: boom".into(), Some("Handled."))),
                ),
            ],
            60,
        );
        assert!(section.contains("| `token` | frames | 60 | 6020 | 113 | n/a | 9 | 0 |"));
        assert!(section.contains("| `qr` | frames | until the crash | 6020 | 113 | n/a | 9 | 1 |"));
        assert!(
            section
                .contains("**`qr` crashed.** Handled.\n\n```\nfuzz target `qr` failed: boom\n```")
        );
        assert!(!section.contains("**`token` crashed"));
    }

    #[test]
    fn a_crash_fails_with_its_panic_its_reproducer_and_how_to_replay_it() {
        let crashed = "\
INFO: Seed: 1234
thread '<unnamed>' (18873) panicked at /work/main/api/src/token.rs:155:24:
attempt to subtract with overflow
stack backtrace:
   0: __rustc::rust_begin_unwind
==4242== ERROR: libFuzzer: deadly signal
MS: 2 ChangeBit-CopyPart-; base unit: 0000
artifact_prefix='fuzz/artifacts/token/'; Test unit written to fuzz/artifacts/token/crash-3f2a
Base64: AAEC
";
        assert_eq!(reproducer(crashed), Some("fuzz/artifacts/token/crash-3f2a"));
        assert_eq!(reproducer(FINISHED), None);
        assert_eq!(
            failure(
                "token",
                "exit status: 1",
                crashed,
                Path::new("target/fuzz/token.log")
            ),
            format!(
                "fuzz target `token` failed (exit status: 1):\n\
                 thread '<unnamed>' (18873) panicked at /work/main/api/src/token.rs:155:24:\n\
                 attempt to subtract with overflow\n\
                 reproducer: fuzz/artifacts/token/crash-3f2a\n\
                 replay: cargo +{} fuzz run --fuzz-dir fuzz --target-dir {} --debug-assertions \
                 token fuzz/artifacts/token/crash-3f2a\n\
                 whole output: target/fuzz/token.log",
                tools::FUZZ_TOOLCHAIN,
                fuzz_target_dir().display()
            )
        );
    }

    #[test]
    fn a_leak_without_a_panic_is_named_by_the_sanitizer() {
        let leaked = "==77==ERROR: LeakSanitizer: detected memory leaks\nSUMMARY: ...\n";
        assert_eq!(
            finding(leaked).as_deref(),
            Some("==77==ERROR: LeakSanitizer: detected memory leaks")
        );
    }
}
