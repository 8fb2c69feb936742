//! The control socket server.
//!
//! Contract: [`bind`] creates the socket (parent directory 0700 if it has to create it, socket
//! mode 0600; a stale socket left by a dead daemon is replaced, a live one is an error).
//! [`serve`] accepts clients forever, each on its own task, many at once; per connection it
//! answers requests in order ([`crate::proto`]). A malformed or oversized request gets an error
//! response and the connection stays open; a client that misbehaves only loses its own
//! connection. Requests run on the blocking pool (the controller may fsync or wait for the
//! fabric).

use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::controller::Controller;
use crate::error::{ApiError, Error};
use crate::proto::{self, Frame, MAX_REQUEST_BYTES};

/// Binds the control socket at `path`. Must be called inside a tokio runtime.
pub fn bind(path: &Path) -> Result<UnixListener, Error> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(Error::io("create socket directory", parent))?;
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => match std::os::unix::net::UnixStream::connect(path) {
            Ok(_) => return Err(Error::SocketInUse { path: path.to_path_buf() }),
            Err(_) => std::fs::remove_file(path).map_err(Error::io("remove stale socket", path))?,
        },
        Ok(_) => {
            return Err(Error::io("replace (it is not a socket)", path)(std::io::Error::from(
                ErrorKind::AlreadyExists,
            )));
        }
        Err(_) => {}
    }
    let listener = std::os::unix::net::UnixListener::bind(path).map_err(Error::io("bind", path))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(Error::io("chmod 0600", path))?;
    listener.set_nonblocking(true).map_err(Error::io("configure", path))?;
    UnixListener::from_std(listener).map_err(Error::io("register", path))
}

/// Serves clients on `listener` forever.
pub async fn serve(listener: UnixListener, ctl: Arc<Controller>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let ctl = Arc::clone(&ctl);
                tokio::spawn(async move {
                    if let Err(e) = connection(stream, ctl).await {
                        tracing::debug!(error = %e, "client connection ended");
                    }
                });
            }
            Err(e) => {
                // E.g. out of file descriptors: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn connection(stream: UnixStream, ctl: Arc<Controller>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    loop {
        let response = match proto::read_frame(&mut read, MAX_REQUEST_BYTES).await? {
            Frame::Eof => return Ok(()),
            Frame::TooLong(len) => proto::too_large(len).to_json(),
            Frame::Line(line) => match proto::decode(&line) {
                None => continue,
                Some(Err(e)) => e.to_json(),
                Some(Ok(req)) => {
                    let ctl = Arc::clone(&ctl);
                    tokio::task::spawn_blocking(move || ctl.handle(&req))
                        .await
                        .unwrap_or_else(|e| ApiError::internal(format!("the request failed: {e}")).to_json())
                }
            },
        };
        write.write_all(&proto::encode(&response)).await?;
    }
}
