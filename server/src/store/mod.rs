//! SQL, and nothing but SQL: one module per table family. Handlers authorise, stores fetch.

pub mod applications;
pub mod audit;
pub mod delegation;
pub mod keys;
pub mod licences;
pub mod notifications;
pub mod passkeys;
pub mod policies;
pub mod sessions;
pub mod users;

/// Seconds since the Unix epoch: every timestamp in the database.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
