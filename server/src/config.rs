//! Settings, read from the environment so tests, benchmarks and deployments can start the
//! binary directly (see DESIGN.md "Running the server").

use std::{net::SocketAddr, path::PathBuf, time::Duration};

pub use axum_client_ip::ClientIpSource;

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
    /// `KAPOK_CLIENT_IP`: where a request's address is read, for the limits counted per
    /// network. `ConnectInfo` (the default) is the connection's own address; behind a proxy,
    /// the header that proxy sets, such as `RightmostXForwardedFor` or `XRealIp` (the names of
    /// `axum_client_ip::ClientIpSource`). A request without a usable header counts under the
    /// connection's address, the proxy's.
    pub client_ip: ClientIpSource,
    /// Time limits on requests (not settable from the environment).
    pub timeouts: Timeouts,
    /// Connections served at once; `None` (as from the environment) for as many as the limit
    /// on open files allows (`listen::connection_limit`).
    pub max_connections: Option<usize>,
}

/// Time limits on requests: how long a client may take to send one, and to take its answer, so a
/// connection that sends or reads slowly or not at all cannot hold on to a socket for ever
/// (`listen`, `web::read_whole_body`),
/// how long one may wait for its turn to check a password, and for the database.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// A connection is closed when its next request's head (the request line and headers) has
    /// not all arrived this long after the connection opened or its last answer was sent. So
    /// this is also how long an idle kept-alive connection stays open.
    pub head: Duration,
    /// A request whose body has not all arrived this long after its head is answered 408
    /// `request_timeout`, and its connection closed. Kapok's own bodies are a few KB, and even
    /// the largest allowed (64 KiB) arrives within this at 4.4 KB a second; the client gives
    /// up on an answer after 30 s, so the server's refusal reaches it first.
    pub body: Duration,
    /// A connection is closed when an answer being sent on it has made no progress for this
    /// long: the client reads none of it, or has gone without closing the connection (a phone
    /// that lost its signal, which TCP alone notices only after many minutes). A phone on a
    /// slow network that reads at all keeps going.
    pub send: Duration,
    /// A request that has waited this long for its turn to check a password (sign-in, a
    /// password change, adding a passkey) is answered 503 `busy` (`session::password_turn`).
    pub password_turn: Duration,
    /// How long a request waits for a database connection from the pool. A statement also
    /// waits at most half this for a lock another program or transaction holds, and on
    /// PostgreSQL runs at most this long. Past that the database is taken to be unreachable,
    /// stuck or overloaded, and the request is answered 503 `unavailable` (a request stopped by
    /// the first of its statements to find it so: within twice this, inside the client's 30 s).
    pub database: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            head: Duration::from_secs(30),
            body: Duration::from_secs(15),
            send: Duration::from_secs(30),
            password_turn: Duration::from_secs(10),
            database: Duration::from_secs(10),
        }
    }
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
            client_ip: client_ip(var("KAPOK_CLIENT_IP"))?,
            timeouts: Timeouts::default(),
            max_connections: None,
        })
    }
}

fn client_ip(setting: Option<String>) -> Result<ClientIpSource, String> {
    let Some(setting) = setting else {
        return Ok(ClientIpSource::ConnectInfo);
    };
    setting.parse().map_err(|_| {
        format!(
            "KAPOK_CLIENT_IP={setting:?} is not a source of the client's address; use \
             ConnectInfo (no proxy), or the header your proxy sets: RightmostXForwardedFor, \
             XRealIp, CfConnectingIp, TrueClientIp, FlyClientIp, CloudFrontViewerAddress or \
             XEnvoyExternalAddress"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_comes_from_the_connection_unless_a_proxy_header_is_named() {
        assert_eq!(client_ip(None), Ok(ClientIpSource::ConnectInfo));
        assert_eq!(
            client_ip(Some("RightmostXForwardedFor".into())),
            Ok(ClientIpSource::RightmostXForwardedFor)
        );
        let wrong = client_ip(Some("x-forwarded-for".into())).unwrap_err();
        assert!(wrong.contains("RightmostXForwardedFor"), "{wrong}");
    }
}
