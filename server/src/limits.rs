//! A fixed-window rate limiter for the limits that have no table of their own to count (link
//! lookups, approval starts, passkey sign-in starts, checks of codes by people not signed in).
//!
//! The windows are rows of the database (`rate_windows`), so every instance on one database
//! counts together: behind a load balancer a limit holds as it does on one machine, and a
//! restart does not reopen it. Each hit is one statement that counts it and answers the count,
//! so hits at once, on one instance or several, are each counted once. Each instance also
//! remembers the windows it has seen full, and refuses their further hits without asking the
//! database: a flood past a limit costs no writes.

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicI64, Ordering},
    },
};

use crate::db::Db;

/// How often, at most, each instance deletes the windows that have ended.
const SWEEP_EVERY_SECS: i64 = 60;

/// Above this many full windows remembered, ended ones are forgotten before another is added,
/// so a stream of distinct keys cannot grow the memory without bound.
const FORGET_ABOVE: usize = 10_000;

/// A hit past its limit: the window it fell in ends this many seconds from now (at least one),
/// when the caller may try again (`Retry-After`).
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub retry_after_secs: i64,
}

impl Refused {
    fn until(ends_at: i64, now: i64) -> Refused {
        Refused {
            retry_after_secs: (ends_at - now).max(1),
        }
    }
}

#[derive(Default)]
pub struct RateLimiter {
    swept_at: AtomicI64,
    /// Windows this instance found full: when each ends, by key.
    full: Mutex<HashMap<String, i64>>,
}

impl RateLimiter {
    /// Counts a hit on `key`; refused once more than `max` hits fall in the current window of
    /// `window_secs` (the refused hits count too, so hammering does not reopen the door). A
    /// window starts at the first hit after the last one ended.
    pub async fn allow(
        &self,
        db: &Db,
        key: &str,
        max: u32,
        window_secs: i64,
        now: i64,
    ) -> sqlx::Result<Result<(), Refused>> {
        if let Some(ends_at) = self.known_full(key, now) {
            return Ok(Err(Refused::until(ends_at, now)));
        }
        self.sweep(db, now).await?;
        let (hits, ends_at): (i64, i64) = sqlx::query_as(
            "INSERT INTO rate_windows (bucket, ends_at, hits) VALUES ($1, $2, 1)
             ON CONFLICT (bucket) DO UPDATE SET
               hits = CASE WHEN rate_windows.ends_at <= $3 THEN 1 ELSE rate_windows.hits + 1 END,
               ends_at = CASE WHEN rate_windows.ends_at <= $3 THEN $2 ELSE rate_windows.ends_at END
             RETURNING hits, ends_at",
        )
        .bind(key)
        .bind(now + window_secs)
        .bind(now)
        .fetch_one(db)
        .await?;
        if hits < i64::from(max) {
            return Ok(Ok(()));
        }
        let mut full = self.full.lock().unwrap_or_else(|e| e.into_inner());
        if full.len() >= FORGET_ABOVE && !full.contains_key(key) {
            full.retain(|_, ends_at| *ends_at > now);
        }
        full.insert(key.to_owned(), ends_at);
        Ok(if hits <= i64::from(max) {
            Ok(())
        } else {
            Err(Refused::until(ends_at, now))
        })
    }

    /// When `key`'s current window ends, if this instance has seen it full.
    fn known_full(&self, key: &str, now: i64) -> Option<i64> {
        let full = self.full.lock().unwrap_or_else(|e| e.into_inner());
        full.get(key).copied().filter(|ends_at| *ends_at > now)
    }

    /// Deletes the windows that have ended, if this instance has not for a while, so a stream
    /// of distinct keys (addresses, links) leaves no more rows than a window's worth.
    async fn sweep(&self, db: &Db, now: i64) -> sqlx::Result<()> {
        let swept_at = self.swept_at.load(Ordering::Relaxed);
        if now - swept_at < SWEEP_EVERY_SECS
            || self
                .swept_at
                .compare_exchange(swept_at, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(());
        }
        sqlx::query("DELETE FROM rate_windows WHERE ends_at <= $1")
            .bind(now)
            .execute(db)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn database() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("k.db").display());
        let db = crate::db::connect(&url, crate::config::Timeouts::default().database)
            .await
            .unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn allows_max_hits_per_window_then_refuses_until_the_window_ends() {
        let (_dir, db) = database().await;
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert_eq!(limiter.allow(&db, "k", 3, 60, 1_000).await.unwrap(), Ok(()));
        }
        assert_eq!(
            limiter.allow(&db, "k", 3, 60, 1_045).await.unwrap(),
            Err(Refused {
                retry_after_secs: 15
            }),
            "refused until the window that started at the first hit ends"
        );
        assert_eq!(
            limiter.allow(&db, "k", 3, 60, 1_059).await.unwrap(),
            Err(Refused {
                retry_after_secs: 1
            })
        );
        assert_eq!(
            limiter.allow(&db, "other", 3, 60, 1_059).await.unwrap(),
            Ok(()),
            "keys count apart"
        );
        assert_eq!(
            limiter.allow(&db, "k", 3, 60, 1_060).await.unwrap(),
            Ok(()),
            "a new window"
        );
        assert_eq!(limiter.allow(&db, "k", 3, 60, 1_061).await.unwrap(), Ok(()));
    }

    /// The first refusal is counted in the database; the ones after it come from what this
    /// instance remembers, and say the same end.
    #[tokio::test]
    async fn another_instance_refusing_the_same_window_says_when_it_ends_too() {
        let (_dir, db) = database().await;
        let (one, other) = (RateLimiter::default(), RateLimiter::default());
        for _ in 0..3 {
            assert_eq!(one.allow(&db, "k", 3, 60, 1_000).await.unwrap(), Ok(()));
        }
        for limiter in [&other, &other, &one] {
            assert_eq!(
                limiter.allow(&db, "k", 3, 60, 1_020).await.unwrap(),
                Err(Refused {
                    retry_after_secs: 40
                })
            );
        }
    }

    #[tokio::test]
    async fn limiters_on_one_database_count_together_and_lose_no_hit_at_once() {
        let (_dir, db) = database().await;
        let limiters = [
            std::sync::Arc::new(RateLimiter::default()),
            std::sync::Arc::new(RateLimiter::default()),
        ];
        let mut hits = tokio::task::JoinSet::new();
        for i in 0..40 {
            let (db, limiter) = (db.clone(), limiters[i % 2].clone());
            hits.spawn(async move { limiter.allow(&db, "k", 30, 60, 1_000).await.unwrap() });
        }
        let allowed = hits.join_all().await;
        assert_eq!(allowed.iter().filter(|a| a.is_ok()).count(), 30);
    }

    /// Past the limit, a hit is refused by what the instance remembers: here the database is
    /// locked by another program, and the refusal neither waits for it nor fails.
    #[tokio::test]
    async fn a_window_seen_full_refuses_without_asking_the_database() {
        use sqlx::{Connection, Executor};
        let (dir, db) = database().await;
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert_eq!(limiter.allow(&db, "k", 3, 60, 1_000).await.unwrap(), Ok(()));
        }
        let url = format!("sqlite://{}", dir.path().join("k.db").display());
        let mut other = sqlx::AnyConnection::connect(&url).await.unwrap();
        other.execute("BEGIN IMMEDIATE").await.unwrap();
        let started = std::time::Instant::now();
        assert!(
            limiter
                .allow(&db, "k", 3, 60, 1_001)
                .await
                .unwrap()
                .is_err()
        );
        assert!(
            limiter
                .allow(&db, "k", 3, 60, 1_059)
                .await
                .unwrap()
                .is_err()
        );
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
        other.execute("ROLLBACK").await.unwrap();
        assert_eq!(
            limiter.allow(&db, "k", 3, 60, 1_060).await.unwrap(),
            Ok(()),
            "a new window asks again"
        );
    }

    #[tokio::test]
    async fn windows_that_ended_are_swept() {
        let (_dir, db) = database().await;
        let limiter = RateLimiter::default();
        for i in 0..100 {
            let allowed = limiter.allow(&db, &i.to_string(), 1, 10, 1_000).await;
            assert_eq!(allowed.unwrap(), Ok(()));
        }
        let allowed = limiter.allow(&db, "late", 1, 10, 1_100).await;
        assert_eq!(allowed.unwrap(), Ok(()));
        let left: Vec<String> = sqlx::query_scalar("SELECT bucket FROM rate_windows")
            .fetch_all(&db)
            .await
            .unwrap();
        assert_eq!(left, ["late"]);
    }
}
