//! The AWS front: EC2, ELBv2 and STS Query APIs over HTTP, so the AWS CLI, boto3, the SDKs and
//! Terraform drive privlink.
//!
//! It is only a translation layer: every operation lives once in [`crate::api`] and is reached
//! through [`Controller::call`], exactly as the control socket reaches it.
//!
//! ```text
//! HTTP ─▶ http (limits, timeouts) ─▶ Front::handle: params ─▶ service ─▶ sigv4 ─▶ decode
//!                                        ─▶ Controller::call ─▶ encode (XML) ─▶ HTTP
//! ```
//!
//! - [`model`]: botocore's models of the three services (wire names, shapes).
//! - [`decode`]: `Filter.1.Value.2=…` → the API's JSON parameters (member names).
//! - [`encode`]: the API's JSON result → each protocol's XML; error envelopes.
//! - [`sigv4`]: signature verification against the access keys of [`crate::credentials`].
//! - [`http`]: the hyper server (body limit, timeouts, connection and call limits).
//!
//! Contract of [`Front::handle`]:
//! - Parameters come from the query string and a form-encoded body; a parameter given twice is
//!   `MalformedQueryString`. The service is the SigV4 credential scope's (`ec2`,
//!   `elasticloadbalancing`, `sts`), else the one whose `Version` is given, else the first
//!   whose model has the `Action` (EC2 and ELBv2 share names such as `DescribeTags`).
//! - Authentication ([`Auth::Verify`]): the signature must verify with the secret of a known
//!   access key; the request then acts as that key's account. Failures are 403 with the
//!   protocol's code (EC2 `AuthFailure`/`RequestExpired`; Query `MissingAuthenticationToken`,
//!   `IncompleteSignature`, `InvalidClientTokenId`, `SignatureDoesNotMatch`). [`Auth::Off`]
//!   accepts any request: a known key maps to its account, a 12-digit access key *is* the
//!   account (as LocalStack does), anything else is the default account.
//! - Only operations in the models are served (socket-only actions such as `GetStats` or
//!   `GetCredentials` are `InvalidAction` here). Responses: 200 with the result document, or
//!   the error envelope with 400 (client errors), 403 (authentication), 408 (too slow), 412
//!   (`DryRunOperation`), 413, 500 or 503.

pub mod decode;
pub mod encode;
pub mod http;
pub mod model;
pub mod sigv4;

use std::sync::Arc;

use serde_json::Value;

use crate::controller::Controller;
use crate::error::codes;
use crate::model::DEFAULT_ACCOUNT;
use model::{Protocol, Service, services};
use sigv4::{AuthError, HttpParts};

/// Whether requests must be signed by a known key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    Verify,
    Off,
}

/// An HTTP request as the front sees it.
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    /// Raw query string, without `?`.
    pub query: String,
    /// Header names lower-case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    fn parts(&self) -> HttpParts<'_> {
        HttpParts {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// An HTTP answer: status and XML body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// The front: controller + authentication mode.
pub struct Front {
    ctl: Arc<Controller>,
    auth: Auth,
}

/// A refusal before or instead of the controller's answer.
struct Refusal {
    code: &'static str,
    message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

/// The HTTP status AWS gives `code`.
pub fn status_of(code: &str) -> u16 {
    match code {
        "DryRunOperation" => 412,
        "AuthFailure"
        | "RequestExpired"
        | "MissingAuthenticationToken"
        | "IncompleteSignature"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch" => 403,
        "RequestTimeout" => 408,
        codes::REQUEST_TOO_LARGE => 413,
        codes::INTERNAL_ERROR => 500,
        codes::SERVICE_UNAVAILABLE => 503,
        _ => 400,
    }
}

/// The operation that `action` of the model `svc` is, if privlink serves it.
fn served(svc: &Service, action: &str) -> Option<&'static crate::api::Operation> {
    crate::api::operation_on_wire(crate::api::Service::signed_as(svc.signing_name())?, action)
}

/// A fresh request ID (UUID-shaped, as AWS's).
fn request_id() -> String {
    let r = fastrand::u128(..);
    let h = format!("{r:032x}");
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

impl Front {
    pub fn new(ctl: Arc<Controller>, auth: Auth) -> Front {
        Front { ctl, auth }
    }

    /// Answers one request (blocking: the controller may fsync).
    pub fn handle(&self, req: &HttpRequest, now: i64) -> Reply {
        let id = request_id();
        let params = params(req);
        let svc = self.service(req, params.as_ref().ok());
        let answer = params.map_err(|m| refuse(codes::MALFORMED_QUERY_STRING, m)).and_then(|params| {
            let account = self.authenticate(svc, req, now)?;
            let action = params
                .get("Action")
                .ok_or_else(|| refuse("MissingAction", "The request must contain the parameter Action"))?;
            let (Some(wire), Some(op)) = (svc.operations.get(action.as_str()), served(svc, action)) else {
                let e = crate::api::invalid_action(action);
                return Ok(Err(e));
            };
            let mut call = match decode::decode(svc, wire.input.as_ref(), &params) {
                Ok(map) => map,
                Err(e) => return Ok(Err(e)),
            };
            call.insert("Action".into(), op.name.into());
            call.insert("Account".into(), account.into());
            Ok(self.ctl.call(&Value::Object(call)).map(|v| (action.clone(), v)))
        });
        match answer {
            Ok(Ok((op, result))) => Reply { status: 200, body: encode::result(svc, &op, &result, &id) },
            Ok(Err(e)) => error_reply(svc, &e.code, &e.message, &id),
            Err(r) => error_reply(svc, r.code, &r.message, &id),
        }
    }

    /// The answer to a request refused before its body was read (too large, too slow).
    pub fn refuse(&self, req: &HttpRequest, code: &str, message: &str) -> Reply {
        let params = params(req);
        error_reply(self.service(req, params.as_ref().ok()), code, message, &request_id())
    }

    fn service(&self, req: &HttpRequest, params: Option<&decode::Params>) -> &'static Service {
        let all = services();
        let scoped = sigv4::parse(&req.parts()).ok().map(|s| s.service);
        let version = params.and_then(|p| p.get("Version"));
        let action = params.and_then(|p| p.get("Action"));
        all.iter()
            .find(|s| scoped.as_deref() == Some(s.signing_name()))
            .or_else(|| all.iter().find(|s| version == Some(&s.metadata.api_version)))
            .or_else(|| all.iter().find(|s| action.is_some_and(|a| s.operations.contains_key(a))))
            .unwrap_or(&all[0])
    }

    /// The account the request acts as.
    fn authenticate(&self, svc: &Service, req: &HttpRequest, now: i64) -> Result<String, Refusal> {
        let signed = sigv4::parse(&req.parts());
        if self.auth == Auth::Off {
            let key = signed.map(|s| s.access_key).unwrap_or_default();
            return Ok(match self.ctl.credentials().lookup(&key) {
                Some(k) => k.account,
                None if key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit()) => key,
                None => DEFAULT_ACCOUNT.to_owned(),
            });
        }
        let checked = signed.and_then(|s| {
            if s.service != svc.signing_name() {
                return Err(AuthError::Malformed(format!(
                    "the request is signed for service '{}'; privlink serves ec2, elasticloadbalancing and sts",
                    s.service
                )));
            }
            let key = self.ctl.credentials().lookup(&s.access_key).ok_or(AuthError::UnknownKey(s.access_key.clone()))?;
            s.verify(&req.parts(), &key.secret_access_key, now)?;
            Ok(key.account)
        });
        checked.map_err(|e| auth_refusal(svc.protocol(), e))
    }
}

fn auth_refusal(protocol: Protocol, e: AuthError) -> Refusal {
    const HINT: &str = "get a key with: privlink credentials --account <12 digits>";
    let (ec2, query, message) = match e {
        AuthError::Missing => (
            "AuthFailure",
            "MissingAuthenticationToken",
            format!("Request is missing Authentication Token: sign it with SigV4 ({HINT})"),
        ),
        AuthError::Malformed(m) => ("AuthFailure", "IncompleteSignature", m),
        AuthError::UnknownKey(k) => (
            "AuthFailure",
            "InvalidClientTokenId",
            format!("The access key ID '{k}' is not known to this privlinkd ({HINT})"),
        ),
        AuthError::Mismatch => (
            "AuthFailure",
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.".to_owned(),
        ),
        AuthError::Expired(m) => ("RequestExpired", "SignatureDoesNotMatch", m),
    };
    refuse(if protocol == Protocol::Ec2 { ec2 } else { query }, message)
}

fn error_reply(svc: &Service, code: &str, message: &str, id: &str) -> Reply {
    let status = status_of(code);
    Reply { status, body: encode::error(svc, code, message, status < 500, id) }
}

/// The request's parameters (query string, then a form body); a message if malformed.
fn params(req: &HttpRequest) -> Result<decode::Params, String> {
    let form = req.header("content-type").is_none_or(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !req.body.is_empty() && !form {
        return Err(format!(
            "privlink's AWS API takes form-encoded Query requests (application/x-www-form-urlencoded), not {}",
            req.header("content-type").unwrap_or_default()
        ));
    }
    let body: &[u8] = if form { &req.body } else { b"" };
    let mut out = decode::Params::new();
    for (k, v) in form_urlencoded::parse(req.query.as_bytes()).chain(form_urlencoded::parse(body)) {
        if out.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(format!("The parameter {k} is given more than once"));
        }
    }
    Ok(out)
}
