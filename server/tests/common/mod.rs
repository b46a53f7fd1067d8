//! A real server on a loopback port with a fresh SQLite database, for each test.

#![allow(dead_code)] // each test binary uses a different part

use kapok_api::{SignInRequest, client::Client};
use kapok_server::{Config, Db};

pub const PASSWORD: &str = kapok_server::seed::DEMO_PASSWORD;

pub struct TestServer {
    pub base: String,
    pub db: Db,
    pub dist: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with_dist(|_| {}).await
    }

    /// Starts a server whose client bundle directory is filled by `fill_dist` first.
    pub async fn start_with_dist(fill_dist: impl FnOnce(&std::path::Path)) -> TestServer {
        let data = tempfile::tempdir().unwrap();
        let dist = tempfile::tempdir().unwrap();
        fill_dist(dist.path());
        let config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            origin: "http://localhost:8080".into(),
            database_url: format!("sqlite://{}", data.path().join("kapok.db").display()),
            dist: dist.path().to_owned(),
            demo: true,
        };
        let running = kapok_server::start(config).await.expect("server starts");
        let base = format!("http://{}", running.addr);
        let db = running.db.clone();
        tokio::spawn(running.until_stopped());
        TestServer {
            base,
            db,
            dist,
            _data: data,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub async fn signed_in(&self, username: &str) -> Client {
        let client = self.client();
        client
            .sign_in(&SignInRequest {
                username: username.into(),
                password: PASSWORD.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("{username} signs in: {e}"));
        client
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A raw HTTP client, for requests the typed client would never send.
    pub fn raw(&self) -> reqwest::Client {
        reqwest::Client::new()
    }
}
