//! The HTTP server of the AWS front (hyper, HTTP/1.1).
//!
//! Contract — what keeps a misbehaving client from hurting the daemon:
//! - A body over [`MAX_BODY`] is refused with 413 before anything runs; a request whose headers
//!   or body take longer than [`REQUEST_TIMEOUT`] is answered 408 or dropped, and a keep-alive
//!   connection idle that long is closed.
//! - At most [`MAX_CONNECTIONS`] connections are served at once (further ones wait in the
//!   kernel's accept queue), and at most [`MAX_CALLS`] requests are inside the controller at
//!   once, on the blocking pool, so a flood of API calls cannot take every thread from the
//!   Unix socket or the data plane's helpers.
//! - [`serve`] raises the process's soft open-file limit to fit [`MAX_CONNECTIONS`] (many
//!   systems default to 1,024, which the connections alone would exhaust, starving the control
//!   socket and device setup of descriptors); if the hard limit is lower, it logs a warning.
//! - The accept loop with its connection cap, header timeout and backoff after a failed
//!   accept is [`serve_http1`], which privlinkd's metrics endpoint uses too.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::{Front, HttpRequest};
use crate::error::codes;

/// Largest request body.
pub const MAX_BODY: usize = 1 << 20;
/// Longest time to receive a request's headers, or its body, or the next request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 1024;
/// Requests inside the controller at once.
pub const MAX_CALLS: usize = 4;

/// Descriptors the daemon needs besides API connections (devices, sockets, state files).
const OTHER_FDS: u64 = 1024;

/// Raises the soft `RLIMIT_NOFILE` to hold [`MAX_CONNECTIONS`] plus [`OTHER_FDS`].
fn raise_open_file_limit() {
    let want = MAX_CONNECTIONS as u64 + OTHER_FDS;
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else { return };
    if soft >= want {
        return;
    }
    let target = want.min(hard);
    if setrlimit(Resource::RLIMIT_NOFILE, target, hard).is_err() || target < want {
        tracing::warn!(
            soft,
            hard,
            want,
            "cannot raise the open-file limit enough for the AWS API's connections"
        );
    }
}

/// How [`serve_http1`] protects itself from its clients.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; further ones wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Longest time to receive a request's headers (and, on a keep-alive connection, the
    /// next request's): a slower connection is closed.
    pub header_timeout: Duration,
}

/// Pause after a failed accept (e.g. out of descriptors) before the next one, instead of a
/// busy loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves HTTP/1.1 on `listener` forever, each request answered by `handler`, within
/// `limits`; `what` names the server in the logs. Shared by the AWS API and privlinkd's
/// metrics endpoint.
pub async fn serve_http1<H, F>(listener: TcpListener, what: &'static str, limits: Limits, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send + 'static,
{
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let Ok(permit) = connections.clone().acquire_owned().await else { return };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(server = what, error = %e, "accept failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(stream), service_fn(handler));
            if let Err(e) = conn.await {
                tracing::debug!(server = what, error = %e, "connection ended");
            }
        });
    }
}

/// Serves `front` on `listener` forever.
pub async fn serve(listener: TcpListener, front: Arc<Front>) {
    raise_open_file_limit();
    let calls = Arc::new(Semaphore::new(MAX_CALLS));
    let limits = Limits { max_connections: MAX_CONNECTIONS, header_timeout: REQUEST_TIMEOUT };
    serve_http1(listener, "AWS API", limits, move |req| answer(front.clone(), calls.clone(), req)).await
}

async fn answer(
    front: Arc<Front>,
    calls: Arc<Semaphore>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let mut http = HttpRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: Vec::new(),
    };
    let reply = match tokio::time::timeout(REQUEST_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await {
        Err(_) => {
            Some(front.refuse(&http, "RequestTimeout", "The request body did not arrive within 20 seconds"))
        }
        Ok(Err(e)) if e.is::<LengthLimitError>() => Some(front.refuse(
            &http,
            codes::REQUEST_TOO_LARGE,
            &format!("The request body is larger than {MAX_BODY} bytes; nothing was applied"),
        )),
        Ok(Err(e)) => Some(front.refuse(
            &http,
            codes::MALFORMED_QUERY_STRING,
            &format!("cannot read the request body: {e}"),
        )),
        Ok(Ok(collected)) => {
            http.body = collected.to_bytes().to_vec();
            None
        }
    };
    let reply = match reply {
        Some(r) => r,
        None => {
            // Held until the call ends; the semaphore is never closed.
            let _permit = calls.acquire().await.ok();
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
            let http = Arc::new(http);
            let (f, h) = (front.clone(), http.clone());
            tokio::task::spawn_blocking(move || f.handle(&h, now)).await.unwrap_or_else(|e| {
                front.refuse(&http, codes::INTERNAL_ERROR, &format!("the request failed: {e}"))
            })
        }
    };
    Ok(Response::builder()
        .status(reply.status)
        .header("content-type", "text/xml")
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}
