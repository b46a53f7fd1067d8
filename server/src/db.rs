//! The database: SQLite in WAL mode under data/ by default, or PostgreSQL when `DATABASE_URL`
//! says `postgres://`, so several server instances can share one. The queries are written once,
//! in the SQL both understand (`$1` parameters, no engine-only functions); each engine has its
//! own migrations (`migrations/sqlite`, `migrations/postgres`) that build the same schema.

use std::time::Duration;

use sqlx::{
    AnyPool, Connection, Executor,
    any::{AnyPoolOptions, install_default_drivers},
    migrate::Migrator,
};

pub type Db = AnyPool;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine a `DATABASE_URL` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(database_url: &str) -> Option<Engine> {
        let scheme = database_url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Some(Engine::Sqlite),
            "postgres" | "postgresql" => Some(Engine::Postgres),
            _ => None,
        }
    }
}

/// Opens the pool every write goes through, and migrates the database. A request waits at most
/// `wait` for a connection, and half of it for a lock another program or transaction holds
/// (`config::Timeouts::database`); on PostgreSQL a statement is cut off after `wait`.
pub async fn connect(database_url: &str, wait: Duration) -> Result<Db, String> {
    install_default_drivers();
    let engine = Engine::of_url(database_url).ok_or_else(|| {
        format!("DATABASE_URL={database_url:?}: expected sqlite:// or postgres://")
    })?;
    let url = match engine {
        Engine::Sqlite => sqlite_url(database_url)?,
        Engine::Postgres => database_url.to_owned(),
    };
    let db = AnyPoolOptions::new()
        .max_connections(match engine {
            // SQLite takes one writer at a time, and a writer that finds the lock taken
            // sleeps in SQLite's busy handler. With 8 connections, a mixed load of 64 clients
            // on 2 cores had writes waiting seconds and some failing with "database is
            // locked"; with 2, none failed and p99 fell to tens of milliseconds
            // (docs/benchmarks.md). The busiest reads have connections of their own
            // (`connect_reads`), so they do not wait behind the writes here.
            Engine::Sqlite => 2,
            // Each is a PostgreSQL process. On 2 cores shared with the server, 8 answered more
            // a second with a lower p99 than 16 (docs/benchmarks.md); a request that finds
            // all of them busy waits for one, up to the database wait.
            Engine::Postgres => 8,
        })
        .acquire_timeout(wait)
        // sqlx pings a connection when it goes back to the pool, and by default again before
        // each use. A SQLite connection is a file in this process and cannot die, so it is
        // never pinged before use. A PostgreSQL connection can die with its server or the
        // network while it waits in the pool, so one that has waited a while is pinged; one
        // handed back moments ago passed its ping then, and under load that is every one.
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                if engine == Engine::Postgres && meta.idle_for >= PING_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                let set_up = match engine {
                    // FULL: a commit is on disk before we answer, so an acknowledged write
                    // survives a crash or power cut (WAL with NORMAL could lose the last
                    // commits on power loss).
                    Engine::Sqlite => format!(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
                        lock_wait_ms(wait)
                    ),
                    // Without them a statement waits for a lock for as long as it is held, and
                    // one an overloaded server runs slowly is waited for without end.
                    Engine::Postgres => format!(
                        "SET lock_timeout = {}; SET statement_timeout = {};",
                        lock_wait_ms(wait),
                        wait.as_millis()
                    ),
                };
                conn.execute(set_up.as_str()).await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(|e| format!("cannot open {}: {e}", redacted(database_url)))?;
    match engine {
        Engine::Sqlite => SQLITE.run(&db).await,
        // On a connection of its own, without the pool's lock wait: migrations may wait for
        // another instance's, or for its requests to let go of a table.
        Engine::Postgres => {
            let own = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .map_err(|e| format!("cannot open {}: {e}", redacted(database_url)))?;
            let migrated = POSTGRES.run(&own).await;
            own.close().await;
            migrated
        }
    }
    .map_err(|e| format!("migrations failed: {e}"))?;
    Ok(db)
}

/// A pool for the read-only queries of the busiest requests (the session behind a cookie, the
/// wallet list, the delegation list, the checks of a code), next to `db`, which takes every
/// write. On SQLite it has connections of its own that cannot write (`query_only`): in WAL mode
/// readers never wait for the writer, so reads scale with connections while writes stay on
/// `db`'s two, where they do not fight over SQLite's one write lock (docs/benchmarks.md has
/// both). On PostgreSQL, which has no such lock, it is `db` itself. Each query sees every
/// write committed before it started, so a read after a write in another request finds it.
pub async fn connect_reads(database_url: &str, db: &Db, wait: Duration) -> Result<Db, String> {
    match engine(db) {
        Engine::Postgres => Ok(db.clone()),
        Engine::Sqlite => AnyPoolOptions::new()
            .max_connections(SQLITE_READERS)
            .acquire_timeout(wait)
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute(
                        format!(
                            "PRAGMA query_only = ON; PRAGMA busy_timeout = {};",
                            lock_wait_ms(wait)
                        )
                        .as_str(),
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect(&sqlite_url(database_url)?)
            .await
            .map_err(|e| format!("cannot open {} to read: {e}", redacted(database_url))),
    }
}

/// How long a statement waits for a lock (SQLite's `busy_timeout`, PostgreSQL's
/// `lock_timeout`) in a request that may wait `wait` for the database in all: half, as it may
/// first have waited for its connection.
fn lock_wait_ms(wait: Duration) -> u128 {
    (wait / 2).as_millis()
}

/// Whether `error` says the database cannot be reached or cannot take the request now: no
/// connection came in time (the server is down or unreachable, or every connection stayed
/// busy), a connection failed or was cut, a lock was held past the wait, a PostgreSQL
/// statement ran past it (an overloaded server) or was cancelled, PostgreSQL is
/// shutting down, starting up, out of connections, memory or disk, or taking only reads (a
/// standby a failover left the server on, or maintenance), or SQLite's disk is full or
/// failing. A fault of the moment, answered 503 `unavailable`; anything else is a bug,
/// answered 500.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => match e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            // A SQLSTATE: connection exception (class 08), insufficient resources (53), a write
            // in a read-only transaction, the lock wait over, the statement cut off or
            // cancelled, admin or crash shutdown, or not yet accepting connections.
            Some(postgres) => {
                let code = postgres.code();
                code.starts_with("08")
                    || code.starts_with("53")
                    || matches!(
                        code,
                        "25006" | "55P03" | "57014" | "57P01" | "57P02" | "57P03"
                    )
            }
            // SQLite's extended result code; its low byte is the primary one: BUSY, LOCKED,
            // IOERR, FULL. (A SQLSTATE may be all digits too, so the engine is told by the
            // error's type, not by the code's look.)
            None => e
                .code()
                .and_then(|code| code.parse::<i32>().ok())
                .is_some_and(|sqlite| matches!(sqlite & 0xff, 5 | 6 | 10 | 13)),
        },
        _ => false,
    }
}

/// How long a pooled PostgreSQL connection may wait before it is pinged again before use.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Read-only SQLite connections (see `connect_reads`).
const SQLITE_READERS: u32 = 8;

/// The engine behind a pool.
pub fn engine(db: &Db) -> Engine {
    Engine::of_url(db.connect_options().database_url.as_str()).unwrap_or(Engine::Sqlite)
}

/// `sqlite://path` made ready to open: its folder created, and the file created if missing.
fn sqlite_url(database_url: &str) -> Result<String, String> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(format!(
            "DATABASE_URL={database_url:?}: name a file, so data outlives the process"
        ));
    }
    if let Some(dir) = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mode = if query.split('&').any(|p| p.starts_with("mode=")) {
        ""
    } else if query.is_empty() {
        "?mode=rwc"
    } else {
        "&mode=rwc"
    };
    Ok(format!("{database_url}{mode}"))
}

/// A URL fit for a log line: no password.
fn redacted(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => database_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migrations() {
        let steps = |m: &Migrator| {
            m.iter()
                .map(|s| (s.version, s.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(steps(&SQLITE), steps(&POSTGRES));
        assert!(!steps(&SQLITE).is_empty());
    }

    #[test]
    fn a_url_names_its_engine() {
        assert_eq!(
            Engine::of_url("sqlite://data/kapok.db"),
            Some(Engine::Sqlite)
        );
        assert_eq!(
            Engine::of_url("postgres://k@db/kapok"),
            Some(Engine::Postgres)
        );
        assert_eq!(
            Engine::of_url("postgresql://k@db/kapok"),
            Some(Engine::Postgres)
        );
        assert_eq!(Engine::of_url("mysql://k@db/kapok"), None);
    }

    #[test]
    fn a_sqlite_file_is_created_if_missing_and_a_password_is_never_logged() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/k.db", dir.path().display());
        assert_eq!(sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
        assert!(sqlite_url("sqlite::memory:").is_err());
        assert_eq!(
            redacted("postgres://kapok:hunter2@db:5432/kapok"),
            "postgres://kapok:***@db:5432/kapok"
        );
    }

    #[tokio::test]
    async fn the_read_pool_sees_every_commit_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/k.db", dir.path().display());
        let wait = crate::config::Timeouts::default().database;
        let db = connect(&url, wait).await.unwrap();
        let reads = connect_reads(&url, &db, wait).await.unwrap();
        sqlx::query("CREATE TABLE t (x BIGINT)")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t (x) VALUES (1)")
            .execute(&db)
            .await
            .unwrap();
        let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&reads)
            .await
            .unwrap();
        assert_eq!(seen, 1, "a commit on the writer is seen by the next read");
        let refused = sqlx::query("INSERT INTO t (x) VALUES (2)")
            .execute(&reads)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
    }
}
