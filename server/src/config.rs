//! Settings, read from the environment so tests, benchmarks and deployments can start the
//! binary directly (see DESIGN.md "Running the server").

use std::{net::SocketAddr, path::PathBuf};

#[derive(Clone, Debug)]
pub struct Config {
    /// `KAPOK_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `KAPOK_ORIGIN`: the public origin, used for WebAuthn, links and the CSRF check.
    pub origin: String,
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `KAPOK_DIST`: the built client.
    pub dist: PathBuf,
    /// `KAPOK_DEMO=1`: seed the demo accounts and data into an empty database.
    pub demo: bool,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let addr = var("KAPOK_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr = addr
            .parse()
            .map_err(|e| format!("KAPOK_ADDR={addr:?} is not a socket address: {e}"))?;
        let origin = var("KAPOK_ORIGIN").unwrap_or_else(|| "http://localhost:8080".into());
        if !(origin.starts_with("http://") || origin.starts_with("https://"))
            || origin.ends_with('/')
        {
            return Err(format!(
                "KAPOK_ORIGIN={origin:?} must be a scheme and host with no trailing slash, like http://localhost:8080"
            ));
        }
        Ok(Config {
            addr,
            origin,
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/kapok.db".into()),
            dist: var("KAPOK_DIST").unwrap_or_else(|| "dist".into()).into(),
            demo: var("KAPOK_DEMO").is_some_and(|v| v == "1" || v == "true"),
        })
    }
}
