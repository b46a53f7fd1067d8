//! The database: SQLite in WAL mode under data/ by default.

use std::{str::FromStr, time::Duration};

use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub type Db = SqlitePool;

pub async fn connect(database_url: &str) -> Result<Db, String> {
    let options = SqliteConnectOptions::from_str(database_url)
        .map_err(|e| format!("DATABASE_URL={database_url:?}: {e}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is on disk before we answer, so an acknowledged write survives a
        // crash or power cut (WAL with NORMAL could lose the last commits on power loss).
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if let Some(dir) = options
        .get_filename()
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let db = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| format!("cannot open {database_url}: {e}"))?;
    sqlx::migrate!("./migrations")
        .run(&db)
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;
    Ok(db)
}
