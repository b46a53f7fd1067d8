//! A real server on a loopback port with a fresh database, for each test: a SQLite file, or a
//! new database on the PostgreSQL that `KAPOK_TEST_POSTGRES` names (`cargo xtask test` runs
//! the suite both ways).

#![allow(dead_code)] // each test binary uses a different part

use kapok_api::{DelegationKind, NewDelegationRequest, Scope, SignInRequest, client::Client};
use kapok_server::{
    Config, Db,
    config::{ClientIpSource, Timeouts},
};

pub const PASSWORD: &str = kapok_server::seed::DEMO_PASSWORD;

/// Staff asking the demo company's legal representative for `scopes`, from today for thirty
/// days.
pub fn company_request(scopes: &[Scope]) -> NewDelegationRequest {
    NewDelegationRequest {
        kind: DelegationKind::Enterprise,
        principal: "kapok-digital".into(),
        scopes: scopes.to_vec(),
        valid_from: None,
        valid_until: None,
        note: "办理食品经营许可证年检".into(),
        idempotency_key: None,
    }
}

pub struct TestServer {
    pub base: String,
    pub database_url: String,
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
        let database_url = fresh_database_url(data.path()).await;
        Self::start_on(database_url, data, fill_dist, |_| {}).await
    }

    /// Starts a server that gives clients `timeouts` to send their requests.
    pub async fn start_with_timeouts(timeouts: Timeouts) -> TestServer {
        Self::start_set_up(|config| config.timeouts = timeouts).await
    }

    /// Starts a server whose settings `set_up` changes first.
    pub async fn start_set_up(set_up: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_with(|_| {}, set_up).await
    }

    /// Starts a server whose client bundle directory `fill_dist` fills and whose settings
    /// `set_up` changes first.
    pub async fn start_with(
        fill_dist: impl FnOnce(&std::path::Path),
        set_up: impl FnOnce(&mut Config),
    ) -> TestServer {
        let data = tempfile::tempdir().unwrap();
        let database_url = fresh_database_url(data.path()).await;
        Self::start_on(database_url, data, fill_dist, set_up).await
    }

    /// Starts a server that reads each request's address where `client_ip` says, as one behind
    /// a proxy does.
    pub async fn start_behind_proxy(client_ip: ClientIpSource) -> TestServer {
        Self::start_set_up(|config| config.client_ip = client_ip).await
    }

    /// Another instance on the same database as `self`, behind the same origin.
    pub async fn second_instance(&self) -> TestServer {
        Self::start_on(
            self.database_url.clone(),
            tempfile::tempdir().unwrap(),
            |_| {},
            |_| {},
        )
        .await
    }

    async fn start_on(
        database_url: String,
        data: tempfile::TempDir,
        fill_dist: impl FnOnce(&std::path::Path),
        set_up: impl FnOnce(&mut Config),
    ) -> TestServer {
        let dist = tempfile::tempdir().unwrap();
        fill_dist(dist.path());
        let mut config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            origin: "http://localhost:8080".into(),
            database_url: database_url.clone(),
            dist: dist.path().to_owned(),
            demo: true,
            client_ip: ClientIpSource::ConnectInfo,
            timeouts: Timeouts::default(),
            max_connections: None,
        };
        set_up(&mut config);
        let running = kapok_server::start(config).await.expect("server starts");
        let base = format!("http://{}", running.addr);
        let db = running.db.clone();
        tokio::spawn(running.until_stopped());
        TestServer {
            base,
            database_url,
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

    /// Staff's request to the company for `scopes`, approved by its legal representative
    /// (straight in the database, as the passkey ceremony would): staff's client and the grant.
    pub async fn staff_with_grant(&self, scopes: &[Scope], note: &str) -> (Client, String) {
        let staff = self.signed_in("staff").await;
        let created = staff
            .create_delegation_request(&NewDelegationRequest {
                note: note.into(),
                ..company_request(scopes)
            })
            .await
            .unwrap();
        let grant = kapok_server::testing::approve_without_passkey(&self.db, &created.request.id)
            .await
            .unwrap()
            .expect("a pending request is approved");
        (staff, grant)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The `Cookie` header of a new session of `username`, for raw requests that need one.
    pub async fn session_cookie(&self, username: &str) -> String {
        let signed_in = self
            .raw()
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let cookie = signed_in.headers()["set-cookie"].to_str().unwrap();
        cookie.split(';').next().unwrap().to_owned()
    }

    /// A raw HTTP client, for requests the typed client would never send.
    pub fn raw(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// A client whose connections come from `source`, another address on the loopback network
    /// (127.0.0.2, say): another network to the server's per-network limits.
    pub fn raw_from(&self, source: &str) -> reqwest::Client {
        let source: std::net::IpAddr = source.parse().unwrap();
        reqwest::Client::builder()
            .local_address(source)
            .build()
            .unwrap()
    }
}

/// A fresh signed code for `licence` held by (or through) `holder`, as its live QR code shows.
pub async fn fresh_token(holder: &Client, licence: &str) -> String {
    holder
        .present(licence, &kapok_api::PresentationRequest::default())
        .await
        .unwrap()
        .remove(0)
        .token
}

/// The PostgreSQL server the suite runs against, if any: a superuser's URL to any database.
pub fn postgres() -> Option<String> {
    std::env::var("KAPOK_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A fresh, empty database: a SQLite file in `dir`, or a new database on the suite's
/// PostgreSQL.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match postgres() {
        Some(admin) => create_database(&admin, None).await,
        None => format!("sqlite://{}", dir.join("kapok.db").display()),
    }
}

/// A new database on the PostgreSQL at `admin`, empty or a copy of `template` (which nobody may
/// be connected to); returns its URL.
pub async fn create_database(admin: &str, template: Option<&str>) -> String {
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "kapok_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let from = template
        .map(|t| format!(" TEMPLATE {t}"))
        .unwrap_or_default();
    let sql = format!("CREATE DATABASE {name}{from}");
    as_admin(admin, &sql, "a test database is created")
        .await
        .close()
        .await
        .ok();
    database_url_for(admin, &name)
}

/// Makes the database `name` a template that `create_database` can copy from at any time:
/// nobody may connect to it any more, and any session still on it is ended. (A closed sqlx
/// pool closes a connection that comes back late in a task of its own, so PostgreSQL may still
/// count one for a moment; `CREATE DATABASE … TEMPLATE` refuses while it does.)
pub async fn seal_as_template(admin: &str, name: &str) {
    use sqlx::Connection;
    let sql = format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false");
    let mut conn = as_admin(admin, &sql, "a template is closed to new connections").await;
    for _ in 0..100 {
        let left: i64 = sqlx::query_scalar(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
        )
        .bind(name)
        .fetch_one(&mut conn)
        .await
        .expect("the sessions on a template are listed");
        if left == 0 {
            conn.close().await.ok();
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("sessions on {name} did not end");
}

/// Drops a database made by `create_database` (after its pools are closed).
pub async fn drop_database(admin: &str, name: &str) {
    use sqlx::Connection;
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    as_admin(admin, &sql, "a test database is dropped")
        .await
        .close()
        .await
        .ok();
}

/// Ends every connection to database `name`, as a restart or failover of PostgreSQL would;
/// returns how many there were.
pub async fn end_connections(admin: &str, name: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::postgres::PgConnection::connect(admin)
        .await
        .expect("the test PostgreSQL answers");
    let ended = sqlx::query_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
    )
    .bind(name)
    .fetch_one(&mut conn)
    .await
    .expect("the connections are ended");
    conn.close().await.ok();
    ended
}

/// Runs `sql` on the suite's PostgreSQL as its superuser (`admin`, any database), expecting
/// `done`; returns the connection.
async fn as_admin(admin: &str, sql: &str, done: &str) -> sqlx::postgres::PgConnection {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::postgres::PgConnection::connect(admin)
        .await
        .expect("the test PostgreSQL answers");
    conn.execute(sql).await.expect(done);
    conn
}

/// `admin`'s URL with its database replaced by `name`.
pub fn database_url_for(admin: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin).expect("KAPOK_TEST_POSTGRES is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// The database a PostgreSQL URL names.
pub fn database_name(url: &str) -> String {
    url::Url::parse(url)
        .expect("a database URL")
        .path()
        .trim_start_matches('/')
        .to_owned()
}

/// Reads one HTTP/1.1 response (with a Content-Length) off `stream`: its status and headers.
pub fn read_response(stream: &mut std::net::TcpStream) -> std::io::Result<(u16, String)> {
    use std::io::Read;
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |n| n.trim().parse().unwrap());
    stream.read_exact(&mut vec![0; length])?;
    Ok((status, head))
}
