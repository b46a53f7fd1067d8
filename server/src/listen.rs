//! Accepting connections and serving HTTP/1.1 on them, with a time limit on each request's
//! head.
//!
//! `axum::serve` sets no timer on hyper, so its connections wait for ever: one that opens and
//! sends nothing, or sends a request's head a byte at a time, keeps a socket and a task for as
//! long as the client likes, and a few thousand of them use up the process's file descriptors.
//! Here hyper is given a timer and [`Timeouts::head`]: a connection whose next request head
//! has not all arrived that long after the connection opened, or after its last answer, is
//! closed. That also ends a kept-alive connection left idle that long; browsers open a new one
//! when they need it. The body's limit is `web::read_whole_body`'s. Otherwise this does what
//! `axum::serve` does: each connection on a task of its own, the caller's address as
//! `ConnectInfo`, and on shutdown no new connections while the open ones finish.

use std::{future::Future, io, time::Duration};

use axum::{Router, body::Body, extract::ConnectInfo, http::Request};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::config::Timeouts;

/// Serves `app` on `listener` until `shutdown` completes, then waits for the open connections
/// to finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
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
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.head)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                // A client that went away, or one closed for taking too long over its head.
                tracing::debug!(%remote, "connection ended: {e}");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
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
