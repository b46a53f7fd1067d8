//! Crash safety: a write the server acknowledged survives the server being killed, and a
//! server told to stop finishes what it has under way.
//!
//! The real server binary runs as a child process on a SQLite file (or, when the suite runs on
//! PostgreSQL, a database of its own there) with the demo data. A burst
//! of writes (officials checking licence codes, staff asking for authority, a mother declining
//! her daughter's requests, people signing in) is fired over many connections at once, and the
//! process is killed with SIGKILL the moment a set number of them has been acknowledged, while
//! the rest are still in flight. After a restart on the same database, every acknowledged write
//! must be there, and a SQLite file must pass SQLite's integrity check.
//!
//! A kill is not a power cut: what the process handed to the OS survives a kill either way.
//! Surviving a power cut as well is what `synchronous = FULL` (see `db.rs`) is for, and no
//! test short of pulling the plug reaches it.

mod common;

use std::{
    collections::VecDeque,
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
        mpsc,
    },
    time::Duration,
};

use common::PASSWORD;
use kapok_api::{
    DelegationKind, ErrorCode, NewDelegationRequest, PresentationRequest, RequestStatus, Scope,
    SignInRequest, VerifyRequest,
    client::{Client, ClientError},
};

/// Licence codes checked in the burst, per licence (the holder's list shows the last 200).
const CODES_PER_LICENCE: usize = 60;
const LICENCES: [&str; 2] = ["lic-resident-id", "lic-resident-ssc"];
/// Staff may make ten requests an hour; the burst makes all ten.
const STAFF_REQUESTS: usize = 10;
/// Requests the resident makes to her mother before the burst, which her mother declines in it.
const DECLINES: usize = 8;
const SIGN_INS: usize = 16;
/// Connections writing at once.
const WORKERS: usize = 12;
/// The server is killed when this many writes have been acknowledged: about a quarter of the
/// burst, so that most of it is still to come and the other workers' requests are in flight.
const KILL_AFTER: usize = 40;

/// The server binary, running as a child process.
struct ServerProcess {
    child: Child,
    base: String,
}

impl ServerProcess {
    /// Starts the binary on `database_url` (seeding the demo data if the database is new) and
    /// waits for the line that says it is ready.
    fn start(data: &Path, database_url: &str) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kapok-server"))
            .env("KAPOK_DEMO", "1")
            .env("DATABASE_URL", database_url)
            .env("KAPOK_ADDR", "127.0.0.1:0")
            .env("KAPOK_DIST", data.join("no-client-needed"))
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let (ready, address) = mpsc::channel();
        forward_output(child.stdout.take().unwrap(), Some(ready));
        forward_output(child.stderr.take().unwrap(), None);
        let addr = address
            .recv_timeout(Duration::from_secs(60))
            .expect("the server logs the address it listens on");
        ServerProcess {
            child,
            base: format!("http://{addr}"),
        }
    }

    /// SIGTERM, as a service manager stops a server: it should stop taking connections, finish
    /// the requests it has, and exit.
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits up to `limit` for the process to exit, and says how it ended.
    fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let since = std::time::Instant::now();
        while since.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// SIGKILL: no graceful shutdown, no closing of the database, no last flush.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn client(&self) -> Client {
        Client::new(&self.base)
    }

    async fn signed_in(&self, username: &str) -> Client {
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

    /// A client holding a session cookie from before.
    fn with_session(&self, cookie: &str) -> Client {
        let client = self.client();
        client.set_session_cookie(Some(cookie.to_owned()));
        client
    }
}

impl Drop for ServerProcess {
    /// A failing test leaves no server behind.
    fn drop(&mut self) {
        self.kill();
    }
}

/// Copies the server's output into the test's (shown when the test fails), and sends the
/// listening address on `ready` when the server logs it.
fn forward_output(output: impl Read + Send + 'static, ready: Option<mpsc::Sender<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            println!("[server] {line}");
            if let (Some(ready), Some(addr)) = (&ready, line.split("listening on ").nth(1)) {
                let _ = ready.send(addr.trim_end_matches(')').to_owned());
            }
        }
    });
}

/// One write of the burst.
enum Write {
    /// The official checks one of the resident's codes, at a numbered counter.
    Verification {
        licence: &'static str,
        token: String,
        place: String,
    },
    /// Staff asks the company for authority.
    DelegationRequest,
    /// The elder declines one of her daughter's requests.
    Decline { request: String },
    /// Someone signs in, which opens a session.
    SignIn { username: &'static str },
}

/// A write the server acknowledged, with what identifies it afterwards.
#[derive(Debug)]
enum Acknowledged {
    Verification {
        licence: &'static str,
        place: String,
        key_id: String,
    },
    DelegationRequest {
        id: String,
    },
    Decline {
        request: String,
    },
    SignIn {
        username: &'static str,
        cookie: String,
    },
}

impl Acknowledged {
    fn kind(&self) -> &'static str {
        match self {
            Acknowledged::Verification { .. } => "verification",
            Acknowledged::DelegationRequest { .. } => "delegation request",
            Acknowledged::Decline { .. } => "decline",
            Acknowledged::SignIn { .. } => "sign-in",
        }
    }
}

/// What became of one write.
enum Outcome {
    Acknowledged(Acknowledged),
    /// The server answered, but not with a success.
    Refused(ClientError),
    /// No answer: the server was gone, or went while answering.
    Unanswered,
}

/// Who sends the burst's writes.
#[derive(Clone)]
struct Writers {
    official: Client,
    staff: Client,
    elder: Client,
    base: String,
}

impl Writers {
    async fn send(&self, write: Write) -> Outcome {
        let result = match write {
            Write::Verification {
                licence,
                token,
                place,
            } => self
                .official
                .verify(&VerifyRequest {
                    token,
                    place: Some(place.clone()),
                })
                .await
                .map(|verified| Acknowledged::Verification {
                    licence,
                    place,
                    key_id: verified.key_id,
                }),
            Write::DelegationRequest => self
                .staff
                .create_delegation_request(&common::company_request(&[Scope::PresentLicences]))
                .await
                .map(|created| Acknowledged::DelegationRequest {
                    id: created.request.id,
                }),
            Write::Decline { request } => self
                .elder
                .decline(&request)
                .await
                .map(|_| Acknowledged::Decline { request }),
            Write::SignIn { username } => {
                let client = Client::new(&self.base);
                client
                    .sign_in(&SignInRequest {
                        username: username.into(),
                        password: PASSWORD.into(),
                    })
                    .await
                    .map(|_| Acknowledged::SignIn {
                        username,
                        cookie: client.session_cookie().expect("a signed-in client has one"),
                    })
            }
        };
        match result {
            Ok(acknowledged) => Outcome::Acknowledged(acknowledged),
            Err(
                ClientError::Network(_)
                | ClientError::TimedOut { .. }
                | ClientError::Decode(_)
                | ClientError::Unavailable { .. },
            ) => Outcome::Unanswered,
            Err(refused) => Outcome::Refused(refused),
        }
    }
}

fn family_request() -> NewDelegationRequest {
    NewDelegationRequest {
        kind: DelegationKind::Family,
        principal: "elder".into(),
        scopes: vec![Scope::PresentLicences],
        valid_from: None,
        valid_until: None,
        note: "妈妈，我帮你去社保局办卡".into(),
        idempotency_key: None,
    }
}

/// Fresh codes of the resident's licence, each to be checked at a counter of its own.
async fn codes_to_check(resident: &Client, licence: &'static str) -> Vec<Write> {
    let mut writes = Vec::new();
    for counter in 0..CODES_PER_LICENCE {
        let code = resident
            .present(licence, &PresentationRequest { count: Some(1) })
            .await
            .unwrap();
        writes.push(Write::Verification {
            licence,
            token: code[0].token.clone(),
            place: format!("天河区政务服务中心 {counter} 号窗口"),
        });
    }
    writes
}

/// Spreads each kind of write evenly through the burst, so the kill lands among all kinds.
fn interleave(kinds: Vec<Vec<Write>>) -> VecDeque<Write> {
    let mut placed: Vec<(f64, Write)> = kinds
        .into_iter()
        .flat_map(|writes| {
            let n = writes.len() as f64;
            writes
                .into_iter()
                .enumerate()
                .map(move |(i, write)| ((i as f64 + 0.5) / n, write))
        })
        .collect();
    placed.sort_by(|a, b| a.0.total_cmp(&b.0));
    placed.into_iter().map(|(_, write)| write).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_survives_a_kill_in_the_middle_of_a_burst() {
    let data = tempfile::tempdir().unwrap();
    let database_url = common::fresh_database_url(data.path()).await;
    let server = ServerProcess::start(data.path(), &database_url);

    // Before the burst: the codes to check, and the requests to decline.
    let resident = server.signed_in("resident").await;
    let (first, second) = tokio::join!(
        codes_to_check(&resident, LICENCES[0]),
        codes_to_check(&resident, LICENCES[1])
    );
    let verifications = first.into_iter().chain(second).collect();
    let mut declines = Vec::new();
    for _ in 0..DECLINES {
        let created = resident
            .create_delegation_request(&family_request())
            .await
            .unwrap();
        declines.push(Write::Decline {
            request: created.request.id,
        });
    }
    let requests = (0..STAFF_REQUESTS)
        .map(|_| Write::DelegationRequest)
        .collect();
    let usernames = [
        "resident",
        "elder",
        "hk-resident",
        "staff",
        "legal-rep",
        "official",
    ];
    let sign_ins = (0..SIGN_INS)
        .map(|i| Write::SignIn {
            username: usernames[i % usernames.len()],
        })
        .collect();
    let burst = interleave(vec![verifications, requests, declines, sign_ins]);
    let total = burst.len();
    let writers = Writers {
        official: server.signed_in("official").await,
        staff: server.signed_in("staff").await,
        elder: server.signed_in("elder").await,
        base: server.base.clone(),
    };

    // The burst. The worker that receives the KILL_AFTER-th acknowledgement kills the server
    // there and then, while the other workers' requests are in flight.
    let server = Arc::new(Mutex::new(server));
    let burst = Arc::new(Mutex::new(burst));
    let acknowledged_so_far = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..WORKERS {
        let (server, burst, writers) = (server.clone(), burst.clone(), writers.clone());
        let acknowledged_so_far = acknowledged_so_far.clone();
        workers.spawn(async move {
            let mut outcomes = Vec::new();
            loop {
                let Some(write) = burst.lock().unwrap().pop_front() else {
                    break;
                };
                let outcome = writers.send(write).await;
                if matches!(outcome, Outcome::Acknowledged(_))
                    && acknowledged_so_far.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER
                {
                    // Blocks this worker for the moment the kill takes; the others carry on.
                    server.lock().unwrap().kill();
                }
                outcomes.push(outcome);
            }
            outcomes
        });
    }
    let mut acknowledged = Vec::new();
    let (mut unanswered, mut expired) = (0, 0);
    while let Some(outcomes) = workers.join_next().await {
        for outcome in outcomes.unwrap() {
            match outcome {
                Outcome::Acknowledged(write) => acknowledged.push(write),
                Outcome::Unanswered => unanswered += 1,
                // A code issued before the burst may have run out on a very slow machine;
                // anything else refused is a bug (a 5xx included).
                Outcome::Refused(ClientError::Problem(p)) if p.code == ErrorCode::TokenExpired => {
                    expired += 1
                }
                Outcome::Refused(refused) => panic!("a valid write was refused: {refused}"),
            }
        }
    }
    let count = |kind| acknowledged.iter().filter(|a| a.kind() == kind).count();
    println!(
        "{} of {total} writes acknowledged before the kill ({} verifications, {} delegation \
         requests, {} declines, {} sign-ins), {unanswered} unanswered, {expired} codes expired",
        acknowledged.len(),
        count("verification"),
        count("delegation request"),
        count("decline"),
        count("sign-in"),
    );
    assert!(acknowledged.len() >= KILL_AFTER);
    assert!(
        unanswered > 0,
        "the kill must come in the middle of the burst"
    );

    // After a restart on the same file, every acknowledged write is there.
    let server = ServerProcess::start(data.path(), &database_url);
    let staff = server.signed_in("staff").await;
    let resident = server.signed_in("resident").await;
    let issuer_keys = server.client().issuer_keys().await.unwrap();
    let mut places_seen = Vec::new();
    for licence in LICENCES {
        let seen = resident.verifications(licence).await.unwrap();
        places_seen.extend(
            seen.into_iter()
                .map(|v| (licence, v.place.unwrap_or_default())),
        );
    }
    for write in &acknowledged {
        match write {
            Acknowledged::Verification {
                licence,
                place,
                key_id,
            } => {
                assert!(
                    places_seen.contains(&(*licence, place.clone())),
                    "the check at {place} is in the holder's list"
                );
                assert!(
                    issuer_keys.keys.iter().any(|k| k.key_id == *key_id),
                    "the key that signed the code is still trusted"
                );
            }
            Acknowledged::DelegationRequest { id } => {
                let request = staff.delegation_request(id).await.unwrap();
                assert_eq!(request.status, RequestStatus::Pending, "{id}");
            }
            Acknowledged::Decline { request } => {
                let request = resident.delegation_request(request).await.unwrap();
                assert_eq!(request.status, RequestStatus::Declined, "{}", request.id);
            }
            Acknowledged::SignIn { username, cookie } => {
                let me = server.with_session(cookie).me().await.unwrap();
                assert_eq!(me.user.username, *username, "the session still opens");
            }
        }
    }

    if common::postgres().is_none() {
        let db = sqlx::SqlitePool::connect(&database_url).await.unwrap();
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&db)
            .await
            .unwrap();
        assert_eq!(integrity, ["ok"]);
        db.close().await;
    }
}

/// What the server sends on `stream` until it closes the connection; `None` if it has not
/// closed it within `limit`.
fn read_to_close(stream: &mut std::net::TcpStream, limit: Duration) -> Option<String> {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut received = Vec::new();
    match stream.read_to_end(&mut received) {
        Ok(_) => Some(String::from_utf8_lossy(&received).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            Some(String::from_utf8_lossy(&received).into_owned())
        }
        Err(_) => None,
    }
}

#[test]
fn sigterm_finishes_the_request_under_way_closes_the_rest_and_exits() {
    use std::{io::Write, net::TcpStream};

    let data = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database_url = runtime.block_on(common::fresh_database_url(data.path()));
    let mut server = ServerProcess::start(data.path(), &database_url);

    // A kept-alive connection between two requests.
    let mut idle = TcpStream::connect(server.addr()).unwrap();
    write!(
        idle,
        "GET /api/v1/demo-accounts HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    assert_eq!(common::read_response(&mut idle).unwrap().0, 200);
    // One that has sent half a request head.
    let mut halfway = TcpStream::connect(server.addr()).unwrap();
    write!(halfway, "GET /api/v1/demo-accounts HTTP/1.1\r\nHo").unwrap();
    // A sign-in under way: its head and half its body are in when the server is told to stop.
    let body = format!(r#"{{"username":"resident","password":"{PASSWORD}"}}"#);
    let mut signing_in = TcpStream::connect(server.addr()).unwrap();
    write!(
        signing_in,
        "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));

    server.terminate();
    let told = std::time::Instant::now();
    // The kept-alive connection is closed at once, with nothing said.
    let idle = read_to_close(&mut idle, Duration::from_secs(2));
    assert_eq!(
        idle.as_deref(),
        Some(""),
        "the idle connection is closed at once"
    );
    std::thread::sleep(Duration::from_millis(300));
    // No new connection is taken.
    assert!(TcpStream::connect(server.addr()).is_err());
    // The sign-in under way is finished and answered.
    signing_in.write_all(&body.as_bytes()[10..]).unwrap();
    let answer = read_to_close(&mut signing_in, Duration::from_secs(5)).unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    let cookie = answer
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(": ")?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.split(';').next().unwrap_or_default().to_owned())
        })
        .expect("the sign-in sets its session cookie");
    // One that never sent a whole request does not hold the server for long.
    let halfway = read_to_close(&mut halfway, Duration::from_secs(15));
    assert_eq!(
        halfway.as_deref(),
        Some(""),
        "the half-sent request's connection is closed"
    );
    let exited = server
        .exited_within(Duration::from_secs(5))
        .expect("the server exits once its requests are done");
    assert!(exited.success(), "{exited}");
    let stopping = told.elapsed();
    assert!(
        stopping < Duration::from_secs(14),
        "stopped after {stopping:?}"
    );

    // The session it acknowledged is there after a restart.
    let server = ServerProcess::start(data.path(), &database_url);
    let me = runtime.block_on(server.with_session(&cookie).me());
    assert_eq!(me.unwrap().user.username, "resident");
}
