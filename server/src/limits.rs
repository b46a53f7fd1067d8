//! A small fixed-window rate limiter kept in memory, for the limits that have no table of
//! their own to count (link lookups, approval attempts).
//!
//! Each server instance counts for itself, so behind a load balancer with n instances a limit
//! is n times as loose. That is acceptable for what these limits are for (slowing a script,
//! capping the cost of a hammered link); a limit that must hold exactly across instances
//! counts rows in the database instead, as request creation does.

use std::{collections::HashMap, sync::Mutex};

/// Above this many keys, finished windows are swept before a new key is added, so a stream of
/// distinct keys cannot grow the map without bound.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

struct Window {
    started_at: i64,
    length_secs: i64,
    hits: u32,
}

impl RateLimiter {
    /// Counts a hit on `key`; `false` once more than `max` hits fall in the current window of
    /// `window_secs` (the refused hits count too, so hammering does not reopen the door).
    pub fn allow(&self, key: &str, max: u32, window_secs: i64, now: i64) -> bool {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= SWEEP_ABOVE && !windows.contains_key(key) {
            windows.retain(|_, w| now - w.started_at < w.length_secs);
        }
        let window = windows.entry(key.to_owned()).or_insert(Window {
            started_at: now,
            length_secs: window_secs,
            hits: 0,
        });
        if now - window.started_at >= window.length_secs {
            *window = Window {
                started_at: now,
                length_secs: window_secs,
                hits: 0,
            };
        }
        window.hits = window.hits.saturating_add(1);
        window.hits <= max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_hits_per_window_then_refuses_until_the_window_ends() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert!(limiter.allow("k", 3, 60, 1_000));
        }
        assert!(!limiter.allow("k", 3, 60, 1_059));
        assert!(limiter.allow("other", 3, 60, 1_059), "keys count apart");
        assert!(limiter.allow("k", 3, 60, 1_060), "a new window");
    }

    #[test]
    fn many_distinct_keys_do_not_grow_the_map_forever() {
        let limiter = RateLimiter::default();
        for i in 0..SWEEP_ABOVE {
            limiter.allow(&i.to_string(), 1, 10, 0);
        }
        limiter.allow("late", 1, 10, 100);
        assert_eq!(limiter.windows.lock().unwrap().len(), 1);
    }
}
