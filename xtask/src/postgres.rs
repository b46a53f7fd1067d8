//! A PostgreSQL of our own for tests and the bench: Debian's server package, a fresh cluster in
//! a temporary folder, listening on a free loopback port only; stopped and removed when dropped.

use std::path::{Path, PathBuf};

use crate::{Result, cmd, free_port, run_cmd, tempdir, tools};

pub struct Postgres {
    /// The superuser's URL to the `postgres` database: where tests create databases of their own.
    pub url: String,
    bin: PathBuf,
    dir: PathBuf,
    as_postgres: bool,
}

/// How a cluster treats commits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Flushed to disk before a commit is acknowledged, as in production (the bench).
    Durable,
    /// Nothing waits for the disk: the tests' clusters are thrown away after the run.
    Throwaway,
}

impl Postgres {
    pub fn start(durability: Durability) -> Result<Postgres> {
        let bin = ensure_installed()?;
        // initdb refuses to run as root: then the cluster belongs to Debian's `postgres` user.
        let as_postgres = tools::is_root();
        let dir = tempdir("kapok-pg")?;
        if as_postgres {
            run_cmd(cmd("chown").args(["-R", "postgres:postgres"]).arg(&dir))?;
        }
        let mut postgres = Postgres {
            url: String::new(),
            bin,
            dir,
            as_postgres,
        };
        let data = postgres.dir.join("data");
        run_cmd(
            postgres
                .command("initdb")
                .args([
                    "-U",
                    "kapok",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ])
                .args(["--no-sync", "-D"])
                .arg(&data),
        )?;
        let port = free_port()?;
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400",
            postgres.dir.display()
        );
        if durability == Durability::Throwaway {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        run_cmd(
            postgres
                .command("pg_ctl")
                .args(["-w", "-l"])
                .arg(postgres.dir.join("server.log"))
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "start"]),
        )?;
        postgres.url = format!("postgres://kapok@127.0.0.1:{port}/postgres");
        Ok(postgres)
    }

    /// A new empty database on this cluster, and its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        run_cmd(
            cmd("psql")
                .args(["-q", "-v", "ON_ERROR_STOP=1", &self.url, "-c"])
                .arg(format!("CREATE DATABASE {name}")),
        )?;
        Ok(self.url.replace("/postgres", &format!("/{name}")))
    }

    fn command(&self, program: &str) -> std::process::Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut c = cmd("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            // The postgres user cannot enter root's home, where the workspace may live.
            c.current_dir(&self.dir);
            c
        } else {
            let mut c = std::process::Command::new(program);
            c.current_dir(&self.dir);
            c
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Debian's PostgreSQL server (any major version), installed if missing; returns its bin folder.
fn ensure_installed() -> Result<PathBuf> {
    if let Some(bin) = installed() {
        return Ok(bin);
    }
    tools::apt_install(&["postgresql", "postgresql-client"])?;
    installed().ok_or_else(|| "apt-get installed postgresql, but no initdb was found".into())
}

fn installed() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| Path::new(&bin.join("initdb")).exists() && bin.join("pg_ctl").exists())
        .collect();
    // The newest major version, if several are installed.
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    found.pop()
}
