//! AWS Signature Version 4 verification, header (`Authorization: AWS4-HMAC-SHA256 …`) and
//! presigned-query (`X-Amz-Signature=…`) forms.
//!
//! Hand-written on `hmac`/`sha2` because the `aws-sigv4` crate only *signs*: verifying means
//! rebuilding the canonical request from what arrived, which it does not expose.
//!
//! Contract: [`parse`] reads the credential (access key, date, region, service) without
//! trusting it; [`Signed::verify`] recomputes the signature with the secret of that access key
//! and compares in constant time. A request is accepted only if the signature matches, the
//! scope's date is the request's date, and the request time is within 15 minutes of `now`
//! (presigned: not past `X-Amz-Expires`, at most 7 days). Canonicalisation follows the SigV4
//! specification: URI-encoded path, query parameters decoded and re-encoded with the
//! unreserved set and sorted, signed headers lower-cased with whitespace folded, payload hash
//! from `x-amz-content-sha256` (checked against the body) or computed.

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Allowed clock difference between client and daemon, as AWS allows.
const MAX_SKEW_SECS: i64 = 15 * 60;
/// Longest validity of a presigned URL (AWS: 7 days).
const MAX_EXPIRES_SECS: i64 = 7 * 24 * 3600;

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// The parts of an HTTP request the signature covers.
pub struct HttpParts<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// Raw query string (without `?`).
    pub query: &'a str,
    /// Header names lower-case.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl HttpParts<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Why a request is not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No signature at all.
    Missing,
    /// A signature that cannot be read; the message says what is wrong.
    Malformed(String),
    /// The access key is not known.
    UnknownKey(String),
    /// Signature mismatch.
    Mismatch,
    /// Request time too far from now, or presigned URL expired.
    Expired(String),
}

/// A parsed signature of a request.
#[derive(Debug)]
pub struct Signed {
    pub access_key: String,
    pub region: String,
    pub service: String,
    date: String,
    amz_date: String,
    signed_headers: Vec<String>,
    signature: String,
    presigned_expires: Option<i64>,
}

fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        let dec = |s: &str| percent_decode_str(&s.replace('+', "%20")).decode_utf8_lossy().into_owned();
        (dec(k), dec(v))
    })
}

/// Reads the signature of `req` (header form first, then presigned query).
pub fn parse(req: &HttpParts<'_>) -> Result<Signed, AuthError> {
    let malformed = |m: &str| AuthError::Malformed(m.to_owned());
    let (credential, signed_headers, signature, amz_date, expires) = if let Some(auth) =
        req.header("authorization")
    {
        let rest = auth
            .strip_prefix(ALGORITHM)
            .ok_or_else(|| malformed("the Authorization header must use AWS4-HMAC-SHA256"))?;
        let mut fields = std::collections::HashMap::new();
        for part in rest.split(',') {
            if let Some((k, v)) = part.trim().split_once('=') {
                fields.insert(k.trim(), v.trim());
            }
        }
        let get = |k: &str| {
            fields
                .get(k)
                .map(|v| v.to_string())
                .ok_or_else(|| AuthError::Malformed(format!("Authorization header requires '{k}' parameter")))
        };
        let amz_date = req.header("x-amz-date").ok_or_else(|| {
            malformed("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header")
        })?;
        (get("Credential")?, get("SignedHeaders")?, get("Signature")?, amz_date.to_owned(), None)
    } else {
        let q: std::collections::HashMap<String, String> = query_pairs(req.query).collect();
        let Some(sig) = q.get("X-Amz-Signature") else { return Err(AuthError::Missing) };
        if q.get("X-Amz-Algorithm").map(String::as_str) != Some(ALGORITHM) {
            return Err(malformed("X-Amz-Algorithm must be AWS4-HMAC-SHA256"));
        }
        let get = |k: &str| {
            q.get(k).cloned().ok_or_else(|| AuthError::Malformed(format!("a presigned URL requires {k}")))
        };
        let expires: i64 = get("X-Amz-Expires")?
            .parse()
            .ok()
            .filter(|e| (0..=MAX_EXPIRES_SECS).contains(e))
            .ok_or_else(|| malformed("X-Amz-Expires must be a number of seconds from 0 to 604800"))?;
        (
            get("X-Amz-Credential")?,
            get("X-Amz-SignedHeaders")?,
            sig.clone(),
            get("X-Amz-Date")?,
            Some(expires),
        )
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, "aws4_request"] = parts[..] else {
        return Err(AuthError::Malformed(format!(
            "Credential '{credential}' must be <access key>/<YYYYMMDD>/<region>/<service>/aws4_request"
        )));
    };
    if !amz_date.starts_with(date) {
        return Err(AuthError::Malformed(format!(
            "Date in Credential scope '{date}' does not match X-Amz-Date '{amz_date}'"
        )));
    }
    Ok(Signed {
        access_key: access_key.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        date: date.to_owned(),
        amz_date,
        signed_headers: signed_headers.split(';').map(str::to_owned).collect(),
        signature,
        presigned_expires: expires,
    })
}

/// Seconds since the epoch of an ISO 8601 basic timestamp `YYYYMMDDTHHMMSSZ`.
fn epoch(amz_date: &str) -> Option<i64> {
    const AMZ_DATE: &[time::format_description::BorrowedFormatItem<'_>] =
        time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(amz_date, AMZ_DATE).ok().map(|t| t.assume_utc().unix_timestamp())
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

impl Signed {
    /// Checks the signature against `secret`, with `now` in seconds since the epoch.
    pub fn verify(&self, req: &HttpParts<'_>, secret: &str, now: i64) -> Result<(), AuthError> {
        let at = epoch(&self.amz_date).ok_or_else(|| {
            AuthError::Malformed(format!("X-Amz-Date '{}' is not YYYYMMDDTHHMMSSZ", self.amz_date))
        })?;
        match self.presigned_expires {
            Some(exp) if now > at + exp => {
                return Err(AuthError::Expired(format!(
                    "the presigned URL expired at {} + {exp} s",
                    self.amz_date
                )));
            }
            _ if (now - at).abs() > MAX_SKEW_SECS && self.presigned_expires.is_none() => {
                return Err(AuthError::Expired(format!(
                    "Signature expired: {} is more than 15 minutes from the daemon's clock",
                    self.amz_date
                )));
            }
            _ => {}
        }
        let payload = match req.header("x-amz-content-sha256") {
            Some(h) if h.len() == 64 => {
                if *h != hex::encode(Sha256::digest(req.body)) {
                    return Err(AuthError::Malformed("x-amz-content-sha256 does not match the body".into()));
                }
                h.to_owned()
            }
            _ => hex::encode(Sha256::digest(req.body)),
        };
        let canonical = self.canonical_request(req, &payload);
        let scope = format!("{}/{}/{}/aws4_request", self.date, self.region, self.service);
        let to_sign =
            format!("{ALGORITHM}\n{}\n{scope}\n{}", self.amz_date, hex::encode(Sha256::digest(canonical)));
        let mut key = hmac(format!("AWS4{secret}").as_bytes(), self.date.as_bytes());
        for part in [self.region.as_str(), self.service.as_str(), "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        let given = hex::decode(&self.signature).map_err(|_| AuthError::Mismatch)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
        mac.update(to_sign.as_bytes());
        mac.verify_slice(&given).map_err(|_| AuthError::Mismatch)
    }

    fn canonical_request(&self, req: &HttpParts<'_>, payload: &str) -> String {
        let enc = |s: &str| utf8_percent_encode(s, UNRESERVED).to_string();
        let mut query: Vec<(String, String)> = query_pairs(req.query)
            .filter(|(k, _)| !(self.presigned_expires.is_some() && k == "X-Amz-Signature"))
            .map(|(k, v)| (enc(&k), enc(&v)))
            .collect();
        query.sort();
        let query = query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let headers: String = self
            .signed_headers
            .iter()
            .map(|name| {
                let values: Vec<String> = req
                    .headers
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect();
                format!("{name}:{}\n", values.join(","))
            })
            .collect();
        let path = if req.path.is_empty() { "/" } else { req.path };
        let path = utf8_percent_encode(&percent_decode_str(path).decode_utf8_lossy(), PATH).to_string();
        format!("{}\n{path}\n{query}\n{headers}\n{}\n{payload}", req.method, self.signed_headers.join(";"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn headers(auth: &str) -> Vec<(String, String)> {
        vec![
            ("content-type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
            ("host".into(), "iam.amazonaws.com".into()),
            ("x-amz-date".into(), "20150830T123600Z".into()),
            ("authorization".into(), auth.into()),
        ]
    }

    /// The worked example of AWS's SigV4 documentation (IAM ListUsers, GET).
    #[test]
    fn aws_documentation_vector() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let h = headers(auth);
        let req = HttpParts {
            method: "GET",
            path: "/",
            query: "Action=ListUsers&Version=2010-05-08",
            headers: &h,
            body: b"",
        };
        let s = parse(&req).unwrap();
        assert_eq!(
            (s.access_key.as_str(), s.region.as_str(), s.service.as_str()),
            ("AKIDEXAMPLE", "us-east-1", "iam")
        );
        let now = epoch("20150830T123600Z").unwrap();
        assert_eq!(now, 1_440_938_160);
        s.verify(&req, SECRET, now + 60).unwrap();
        assert_eq!(s.verify(&req, "wrong", now), Err(AuthError::Mismatch));
        assert!(matches!(s.verify(&req, SECRET, now + 16 * 60), Err(AuthError::Expired(_))));
        let tampered = HttpParts { query: "Action=ListUsers&Version=2010-05-09", ..req };
        assert_eq!(s.verify(&tampered, SECRET, now), Err(AuthError::Mismatch));
    }

    #[test]
    fn missing_and_malformed_signatures() {
        let none = HttpParts { method: "POST", path: "/", query: "", headers: &[], body: b"" };
        assert_eq!(parse(&none).unwrap_err(), AuthError::Missing);
        let h = headers(
            "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iam, SignedHeaders=host, Signature=00",
        );
        let req = HttpParts { headers: &h, ..none };
        assert!(
            matches!(parse(&req), Err(AuthError::Malformed(m)) if m.contains("AK/20150830/us-east-1/iam"))
        );
        let h = headers(
            "AWS4-HMAC-SHA256 Credential=AK/20150831/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00",
        );
        let req = HttpParts { headers: &h, ..none };
        assert!(matches!(parse(&req), Err(AuthError::Malformed(m)) if m.contains("20150831")));
        let q = "X-Amz-Signature=00&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=999999999";
        let req = HttpParts { query: q, ..none };
        assert!(matches!(parse(&req), Err(AuthError::Malformed(m)) if m.contains("X-Amz-Expires")));
        assert_eq!(epoch("2015-08-30T12:36"), None);
    }
}
