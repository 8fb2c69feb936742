//! A blocking client of the control socket (used by the CLI and by tests).
//!
//! [`Client::call`] sends one request line and reads one response line; an `{"Error":…}`
//! response becomes `Err(ApiError)`. Losing the connection is `ServiceUnavailable` naming the
//! socket (the daemon itself never answers with that code).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{ApiError, Error, codes};
use crate::proto;

/// A connection to privlinkd.
pub struct Client {
    path: PathBuf,
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Client {
    /// Connects to the control socket at `path`.
    pub fn connect(path: impl AsRef<Path>) -> Result<Client, Error> {
        let path = path.as_ref().to_path_buf();
        let writer = UnixStream::connect(&path).map_err(Error::io("connect to privlinkd at", &path))?;
        let reader = BufReader::new(writer.try_clone().map_err(Error::io("use the connection to", &path))?);
        Ok(Client { path, reader, writer })
    }

    /// Sends `req` and returns the result, or the error the daemon answered.
    pub fn call(&mut self, req: &Value) -> Result<Value, ApiError> {
        let lost = |e: &dyn std::fmt::Display| {
            ApiError::new(
                codes::SERVICE_UNAVAILABLE,
                format!("lost the connection to privlinkd at {}: {e}", self.path.display()),
            )
        };
        self.writer.write_all(&proto::encode(req)).map_err(|e| lost(&e))?;
        let mut line = String::new();
        if self.reader.read_line(&mut line).map_err(|e| lost(&e))? == 0 {
            return Err(lost(&"it closed the connection"));
        }
        let v: Value =
            serde_json::from_str(&line).map_err(|e| lost(&format!("unreadable response ({e})")))?;
        match ApiError::from_json(&v) {
            Some(e) => Err(e),
            None => Ok(v),
        }
    }
}
