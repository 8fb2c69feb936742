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

use std::convert::Infallible;
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

/// Serves `front` on `listener` forever.
pub async fn serve(listener: TcpListener, front: Arc<Front>) {
    raise_open_file_limit();
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let calls = Arc::new(Semaphore::new(MAX_CALLS));
    loop {
        let Ok(permit) = connections.clone().acquire_owned().await else { return };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "AWS API accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (front, calls) = (front.clone(), calls.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let service = service_fn(move |req| answer(front.clone(), calls.clone(), req));
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(REQUEST_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "AWS API connection ended");
            }
        });
    }
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
