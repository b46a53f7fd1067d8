//! Accepting connections and serving HTTP/1.1 on them, with time limits on each request's
//! head and on sending each answer, and a limit on connections at once.
//!
//! `axum::serve` sets no timer on hyper, so its connections wait for ever: one that opens and
//! sends nothing, or sends a request's head a byte at a time, keeps a socket and a task for as
//! long as the client likes, and a few thousand of them use up the process's file descriptors.
//! Here hyper is given a timer and [`Timeouts::head`]: a connection whose next request head
//! has not all arrived that long after the connection opened, or after its last answer, is
//! closed. That also ends a kept-alive connection left idle that long; browsers open a new one
//! when they need it. The body's limit is `web::read_whole_body`'s. Writing is limited too
//! ([`Timeouts::send`]): a connection whose answer makes no progress for that long, because
//! the client reads none of it or has vanished without closing, is closed.
//!
//! A connection is also a file descriptor, and the database and the client's files need some
//! too: were connections to take them all, SQLite could not open its files and requests on
//! the connections already open would fail with 500s. So at most [`connection_limit`]
//! connections are served at once; the next one is accepted when one closes, and until then
//! waits in the kernel's queue as on a busy server. Otherwise this does what
//! `axum::serve` does: each connection on a task of its own, the caller's address as
//! `ConnectInfo`, and on shutdown no new connections while the open ones finish.

use std::{future::Future, io, sync::Arc, time::Duration};

use axum::{Router, body::Body, extract::ConnectInfo, http::Request};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_io_timeout::TimeoutStream;
use tower::ServiceExt;

use crate::config::Timeouts;

/// How long the open connections get to finish once the server is told to stop; then it stops
/// anyway. A request under way finishes well within it. hyper counts a connection that has
/// not yet sent its first whole request head as busy and waits for it up to the head time
/// limit, so without this, one such connection (a browser's preconnection, or a slow client)
/// would hold every restart for 30 s.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Files the process keeps for everything but connections: the database's (each SQLite
/// connection holds the database, its log and its shared memory), the client's files being
/// sent, the log.
const FILES_KEPT: u64 = 256;

/// Connections at once, however many files the process may open: each holds a task and
/// hyper's buffers (8 KiB or more).
const CONNECTIONS_AT_MOST: u64 = 16_384;

/// How many connections to serve at once. Raises the process's soft limit on open files to
/// its hard limit first, as servers do: the usual soft limit, 1024, is a few hundred phones.
/// Of the files, `FILES_KEPT` (or half, when there are few) are kept for the rest.
pub fn connection_limit() -> usize {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(files) => files,
        Err(e) => {
            tracing::warn!("cannot read or raise the limit on open files: {e}");
            1024
        }
    };
    let connections = files
        .saturating_sub(FILES_KEPT)
        .max(files / 2)
        .min(CONNECTIONS_AT_MOST);
    usize::try_from(connections).unwrap_or(usize::MAX)
}

/// Serves `app` on `listener`, at most `max_connections` at once, until `shutdown` completes,
/// then waits for the open connections to finish their requests (`SHUTDOWN_GRACE` at most).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    max_connections: usize,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let connections = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.map_err(io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    pause_after_accept_error(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app.clone().map_request(move |request: Request<Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(remote));
            request
        });
        let mut stream = TimeoutStream::new(stream);
        stream.set_write_timeout(Some(timeouts.send));
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.head)
            .serve_connection(
                TokioIo::new(Box::pin(stream)),
                TowerToHyperService::new(service),
            );
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = connection.await {
                // A client that went away, or one closed for taking too long over its head or
                // over taking its answer.
                tracing::debug!(%remote, "connection ended: {e}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, connections.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("stopping with connections still open after {SHUTDOWN_GRACE:?}");
    }
    Ok(())
}

/// A failed `accept` is either one connection's (it was reset before it was taken: go on) or
/// the process's, such as running out of file descriptors: then wait a moment for some to be
/// freed rather than spin, as `axum::serve` does.
async fn pause_after_accept_error(e: io::Error) {
    use io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accepting a connection failed: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use rlimit::Resource;

    use super::*;

    #[test]
    fn the_open_file_limit_is_raised_to_the_hard_one_and_files_are_kept_for_the_rest() {
        let (_, hard) = Resource::NOFILE.get().unwrap();
        // A service manager's usual start: a soft limit far below the hard one.
        Resource::NOFILE.set(512.min(hard), hard).unwrap();
        let connections = connection_limit() as u64;
        assert_eq!(Resource::NOFILE.get().unwrap(), (hard, hard));
        let expected = hard
            .saturating_sub(FILES_KEPT)
            .max(hard / 2)
            .min(CONNECTIONS_AT_MOST);
        assert_eq!(connections, expected);
        assert!(connections + FILES_KEPT.min(hard / 2) <= hard);
    }
}
