//! The wire protocol: newline-delimited JSON over a Unix stream socket.
//!
//! Contract:
//! - A client sends one request object per line (`\n`-terminated; a final line without `\n`
//!   before the client closes counts too) and gets exactly one response line per request, in
//!   order. Blank lines are ignored.
//! - A request line longer than [`MAX_REQUEST_BYTES`] is read to its end and discarded (memory
//!   stays bounded) and answered with `RequestEntityTooLarge`; the connection stays usable.
//! - A line that is not JSON is answered with `MalformedQueryString`.
//! - Responses are a single line of compact JSON; they have no size limit.

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::error::{ApiError, codes};

/// Largest request line accepted (1 MiB, without the newline).
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// One unit read from a connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A request line (without its newline).
    Line(Vec<u8>),
    /// A line longer than the limit was skipped; its length in bytes.
    TooLong(usize),
    /// The peer closed the connection.
    Eof,
}

/// Reads the next line of at most `limit` bytes from `r`.
pub async fn read_frame<R: AsyncBufRead + Unpin>(r: &mut R, limit: usize) -> std::io::Result<Frame> {
    let mut line = Vec::new();
    let mut skipped = 0usize;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(match (skipped, line.is_empty()) {
                (0, true) => Frame::Eof,
                (0, false) => Frame::Line(line),
                (n, _) => Frame::TooLong(n),
            });
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1),
            None => (buf, buf.len()),
        };
        let complete = done > chunk.len();
        if skipped > 0 || line.len() + chunk.len() > limit {
            skipped += line.len() + chunk.len();
            line.clear();
        } else {
            line.extend_from_slice(chunk);
        }
        r.consume(done);
        if complete {
            return Ok(if skipped > 0 { Frame::TooLong(skipped) } else { Frame::Line(line) });
        }
    }
}

/// Parses a request line; `None` for a blank line.
pub fn decode(line: &[u8]) -> Option<Result<Value, ApiError>> {
    let text = line.trim_ascii();
    if text.is_empty() {
        return None;
    }
    Some(serde_json::from_slice(text).map_err(|e| {
        let shown = String::from_utf8_lossy(&text[..text.len().min(80)]).into_owned();
        ApiError::new(
            codes::MALFORMED_QUERY_STRING,
            format!(
                "The request is not valid JSON ({e}): {shown}; send one object per line, e.g. {{\"Action\":\"DescribeVpcs\"}}"
            ),
        )
    }))
}

/// The answer to a request line of `len` bytes.
pub fn too_large(len: usize) -> ApiError {
    ApiError::new(
        codes::REQUEST_TOO_LARGE,
        format!("The request of {len} bytes exceeds the limit of {MAX_REQUEST_BYTES} bytes (1 MiB) per line"),
    )
}

/// A response (or request) as one line.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec(v).expect("JSON values serialise");
    out.push(b'\n');
    out
}

/// Builds a request object `{"Action":…,"Account":…,…params}` (what clients send).
pub fn request(action: &str, account: &str, params: Value) -> Value {
    let mut obj = match params {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    obj.insert("Action".into(), action.into());
    obj.insert("Account".into(), account.into());
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokio::io::BufReader;

    async fn frames(input: &[u8], limit: usize) -> Vec<Frame> {
        let mut r = BufReader::with_capacity(16, input);
        let mut out = Vec::new();
        loop {
            let f = read_frame(&mut r, limit).await.unwrap();
            if f == Frame::Eof {
                return out;
            }
            out.push(f);
        }
    }

    #[tokio::test]
    async fn splits_lines_and_skips_oversized_ones() {
        let long = vec![b'x'; 100];
        let mut input = b"{\"a\":1}\n".to_vec();
        input.extend_from_slice(&long);
        input.extend_from_slice(b"\n{}\ntail");
        let f = frames(&input, 64).await;
        assert_eq!(
            f,
            vec![
                Frame::Line(b"{\"a\":1}".to_vec()),
                Frame::TooLong(100),
                Frame::Line(b"{}".to_vec()),
                Frame::Line(b"tail".to_vec())
            ]
        );
        assert_eq!(frames(&long, 64).await, vec![Frame::TooLong(100)]);
        assert_eq!(frames(&[b'y'; 64], 64).await, vec![Frame::Line(vec![b'y'; 64])]);
    }

    #[test]
    fn decodes_json_and_reports_garbage() {
        assert_eq!(decode(b"  \r").map(|r| r.is_ok()), None);
        assert_eq!(decode(b"{\"Action\":\"X\"}\r").unwrap().unwrap(), json!({"Action": "X"}));
        let e = decode(b"{nope").unwrap().unwrap_err();
        assert_eq!(e.code, codes::MALFORMED_QUERY_STRING);
        assert!(e.message.contains("{nope"), "{}", e.message);
        assert!(too_large(2_000_000).message.contains("2000000"));
    }

    #[test]
    fn builds_requests() {
        let r = request("DescribeVpcs", "222222222222", json!({"VpcIds": ["a"]}));
        assert_eq!(r, json!({"Action": "DescribeVpcs", "Account": "222222222222", "VpcIds": ["a"]}));
        assert_eq!(encode(&r).last(), Some(&b'\n'));
    }
}
