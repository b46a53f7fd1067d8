//! SQL, and nothing but SQL: one module per table family. Handlers authorise, stores fetch.

pub mod applications;
pub mod audit;
pub mod delegation;
pub mod keys;
pub mod licences;
pub mod notifications;
pub mod passkeys;
pub mod policies;
pub mod secrets;
pub mod sessions;
pub mod sign_in_failures;
pub mod users;

/// Seconds since the Unix epoch: every timestamp in the database.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// `$first, $first+1, …` for `count` values bound one by one in an `IN (…)` list, the form
/// both engines share; `NULL` for none, which matches nothing.
pub fn placeholders(first: usize, count: usize) -> String {
    if count == 0 {
        return "NULL".to_owned();
    }
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `value` as a LIKE pattern that matches it anywhere, its `%`, `_` and `\` taken literally
/// (with `ESCAPE '\'`).
pub fn contains_pattern(value: &str) -> String {
    let mut pattern = String::with_capacity(value.len() + 2);
    pattern.push('%');
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Whether `error` is a unique violation of `index` on `table`'s `column`: PostgreSQL names
/// the index, SQLite the table and column.
pub fn violates_unique(error: &sqlx::Error, index: &str, table: &str, column: &str) -> bool {
    match error {
        sqlx::Error::Database(e) => {
            e.is_unique_violation()
                && (e.constraint() == Some(index)
                    || e.message().contains(&format!("{table}.{column}")))
        }
        _ => false,
    }
}
