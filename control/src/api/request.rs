//! A parsed API request and typed access to its parameters.
//!
//! Contract:
//! - `Action` is required; `Account` defaults to [`DEFAULT_ACCOUNT`] and must be 12 digits.
//! - Parameters are read through [`Params`]: a wrong type or a bad value is
//!   `InvalidParameterValue` naming the parameter and the value; a missing required one is
//!   `MissingParameter`. JSON `null` counts as absent. Numbers and booleans may also be given as
//!   strings (`"80"`, `"true"`), lists as a single string.
//! - The request remembers which parameters the operation read: [`Request::reject_unused`]
//!   turns any other one into `UnknownParameter`, so a typo never passes silently.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use std::time::{SystemTime, UNIX_EPOCH};

use ipnet::Ipv4Net;
use serde_json::{Map, Value};

use crate::error::{ApiError, codes};
use crate::model::DEFAULT_ACCOUNT;

/// One API request: action, calling account, parameters.
#[derive(Debug)]
pub struct Request {
    pub action: String,
    pub account: String,
    /// When the request is handled, in seconds since the Unix epoch.
    pub now: u64,
    params: Map<String, Value>,
    used: RefCell<BTreeSet<String>>,
}

impl Request {
    /// Parses a request object `{"Action":…,"Account":…,…params}`.
    pub fn parse(v: &Value) -> Result<Request, ApiError> {
        let Value::Object(map) = v else {
            return Err(ApiError::new(
                codes::MALFORMED_QUERY_STRING,
                format!(
                    "A request must be a JSON object like {{\"Action\":\"DescribeVpcs\"}}, got {}",
                    snippet(v)
                ),
            ));
        };
        let action = match map.get("Action") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            None | Some(Value::Null) => return Err(ApiError::missing("Action")),
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "Action must be an operation name such as \"DescribeVpcs\", got {}",
                    snippet(other)
                )));
            }
        };
        let account = match map.get("Account") {
            None | Some(Value::Null) => DEFAULT_ACCOUNT.to_owned(),
            Some(Value::String(s)) if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) => s.clone(),
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "Account {} is not an AWS account ID: expected 12 digits such as \"{DEFAULT_ACCOUNT}\"",
                    snippet(other)
                )));
            }
        };
        let mut params = map.clone();
        params.remove("Action");
        params.remove("Account");
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Ok(Request { action, account, now, params, used: RefCell::default() })
    }

    /// `UnknownParameter` for the first parameter the operation did not read.
    pub fn reject_unused(&self) -> Result<(), ApiError> {
        let used = self.used.borrow();
        match self.params.iter().find(|(k, v)| !v.is_null() && !used.contains(*k)).map(|(k, _)| k) {
            None => Ok(()),
            Some(k) => Err(ApiError::new(
                codes::UNKNOWN_PARAMETER,
                format!(
                    "The parameter {k} is not recognized by {} (or does not apply to the other parameters given)",
                    self.action
                ),
            )),
        }
    }

    /// The parameters other than `except`, as one JSON object (what makes two calls "the same").
    pub fn params_except(&self, except: &[&str]) -> Value {
        Value::Object(
            self.params
                .iter()
                .filter(|(k, _)| !except.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// Marks every parameter as read (a replayed call whose parameters were all checked before).
    pub fn mark_all_used(&self) {
        self.used.borrow_mut().extend(self.params.keys().cloned());
    }

    /// The request time as an RFC 3339 UTC timestamp (`2024-05-01T12:00:00.000Z`).
    pub fn timestamp(&self) -> String {
        rfc3339(self.now)
    }
}

impl Params for Request {
    fn raw(&self, key: &str) -> Option<&Value> {
        let v = self.params.get(key).filter(|v| !v.is_null())?;
        self.used.borrow_mut().insert(key.to_owned());
        Some(v)
    }
    fn label(&self, key: &str) -> String {
        key.to_owned()
    }
}

/// A JSON object inside a request (e.g. one of `Targets`), labelled `Targets.1.Port` in errors.
pub struct Nested<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

impl Params for Nested<'_> {
    fn raw(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }
    fn label(&self, key: &str) -> String {
        format!("{}.{key}", self.prefix)
    }
}

/// Typed parameter access; see the module docs for the conventions.
pub trait Params {
    /// The raw value of `key` (absent or `null` → `None`).
    fn raw(&self, key: &str) -> Option<&Value>;
    /// How `key` is named in error messages.
    fn label(&self, key: &str) -> String;

    /// `InvalidParameterValue` for `value` of `key`, saying what is accepted.
    fn bad(&self, key: &str, value: &Value, accepted: &str) -> ApiError {
        ApiError::invalid(format!(
            "Value ({}) for parameter {} is invalid: {accepted}",
            plain(value),
            self.label(key)
        ))
    }

    fn str_opt(&self, key: &str) -> Result<Option<&str>, ApiError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
            Some(v) => Err(self.bad(key, v, "expected a non-empty string")),
        }
    }

    fn str(&self, key: &str) -> Result<&str, ApiError> {
        self.str_opt(key)?.ok_or_else(|| ApiError::missing(&self.label(key)))
    }

    fn bool_opt(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
            Some(v) => Err(self.bad(key, v, "expected true or false")),
        }
    }

    /// An EC2 `AttributeBooleanValue` (`{"Value":true}`; a bare boolean is taken too).
    fn attribute_bool_opt(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.raw(key) {
            Some(Value::Object(map)) => {
                Nested { map, prefix: self.label(key) }.bool_opt("Value")?.map_or_else(
                    || Err(ApiError::missing(&format!("{}.Value", self.label(key)))),
                    |b| Ok(Some(b)),
                )
            }
            _ => self.bool_opt(key),
        }
    }

    /// An EC2 `AttributeValue` (`{"Value":"stop"}`; a bare string is taken too).
    fn attribute_str_opt(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.raw(key) {
            Some(Value::Object(map)) => {
                let nested = Nested { map, prefix: self.label(key) };
                match nested.raw("Value") {
                    None => Ok(Some(String::new())),
                    Some(Value::String(s)) => Ok(Some(s.clone())),
                    Some(v) => Err(nested.bad("Value", v, "expected a string")),
                }
            }
            _ => Ok(self.str_opt(key)?.map(str::to_owned)),
        }
    }

    /// An integer within `range`.
    fn int_opt(&self, key: &str, range: RangeInclusive<i64>) -> Result<Option<i64>, ApiError> {
        let Some(v) = self.raw(key) else { return Ok(None) };
        let n = match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        match n {
            Some(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(self.bad(
                key,
                v,
                &format!("expected an integer from {} to {}", range.start(), range.end()),
            )),
        }
    }

    /// A TCP/UDP port 1..=65535.
    fn port_opt(&self, key: &str) -> Result<Option<u16>, ApiError> {
        Ok(self.int_opt(key, 1..=65535)?.map(|p| p as u16))
    }

    fn port(&self, key: &str) -> Result<u16, ApiError> {
        self.port_opt(key)?.ok_or_else(|| ApiError::missing(&self.label(key)))
    }

    /// A list of strings (a single string counts as a one-element list); absent → empty.
    fn list(&self, key: &str) -> Result<Vec<String>, ApiError> {
        match self.raw(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) if !s.is_empty() => Ok(s.clone()),
                    other => Err(self.bad(key, other, "expected a list of non-empty strings")),
                })
                .collect(),
            Some(v) => Err(self.bad(key, v, "expected a list of strings")),
        }
    }

    /// A non-empty list of strings.
    fn list_required(&self, key: &str) -> Result<Vec<String>, ApiError> {
        let l = self.list(key)?;
        if l.is_empty() { Err(ApiError::missing(&self.label(key))) } else { Ok(l) }
    }

    /// A list of objects; absent → empty.
    fn objects(&self, key: &str) -> Result<Vec<Nested<'_>>, ApiError> {
        match self.raw(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(n, i)| match i {
                    Value::Object(map) => {
                        Ok(Nested { map, prefix: format!("{}.{}", self.label(key), n + 1) })
                    }
                    other => Err(self.bad(key, other, "expected a list of objects")),
                })
                .collect(),
            Some(v) => Err(self.bad(key, v, "expected a list of objects")),
        }
    }

    /// An IPv4 CIDR block with zero host bits.
    fn cidr(&self, key: &str) -> Result<Ipv4Net, ApiError> {
        let s = self.str(key)?;
        let bad = |why: &str| self.bad(key, &Value::from(s), why);
        let net: Ipv4Net = s.parse().map_err(|_| bad("expected an IPv4 CIDR block such as 10.0.0.0/16"))?;
        if net.network() != net.addr() {
            return Err(bad(&format!("host bits must be zero (did you mean {}?)", net.trunc())));
        }
        Ok(net)
    }

    fn ip_opt(&self, key: &str) -> Result<Option<Ipv4Addr>, ApiError> {
        self.str_opt(key)?
            .map(|s| {
                s.parse()
                    .map_err(|_| self.bad(key, &Value::from(s), "expected an IPv4 address such as 10.0.1.10"))
            })
            .transpose()
    }
}

/// A value as text: strings without quotes, anything else as compact JSON (cut at 80 chars).
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => truncate(s),
        other => snippet(other),
    }
}

/// Compact JSON cut at 80 characters.
pub(crate) fn snippet(v: &Value) -> String {
    truncate(&v.to_string())
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC with milliseconds.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn account_defaults_and_is_checked() {
        let r = Request::parse(&json!({"Action": "DescribeVpcs"})).unwrap();
        assert_eq!(r.account, DEFAULT_ACCOUNT);
        let e = Request::parse(&json!({"Action": "DescribeVpcs", "Account": "12ab"})).unwrap_err();
        assert_eq!(e.code, codes::INVALID_PARAMETER_VALUE);
        assert!(e.message.contains("12ab"), "{}", e.message);
        assert_eq!(
            Request::parse(&json!({"Account": "111111111111"})).unwrap_err().code,
            codes::MISSING_PARAMETER
        );
        assert_eq!(Request::parse(&json!([1])).unwrap_err().code, codes::MALFORMED_QUERY_STRING);
    }

    #[test]
    fn typed_getters_name_the_parameter_and_value() {
        let r = Request::parse(
            &json!({"Action": "X", "Port": "99999", "CidrBlock": "10.0.0.1/16", "Ids": ["a", 3]}),
        )
        .unwrap();
        let e = r.port("Port").unwrap_err();
        assert!(e.message.contains("99999") && e.message.contains("Port"), "{}", e.message);
        let e = r.cidr("CidrBlock").unwrap_err();
        assert!(e.message.contains("10.0.0.0/16"), "{}", e.message);
        assert_eq!(r.list("Ids").unwrap_err().code, codes::INVALID_PARAMETER_VALUE);
        assert_eq!(r.str("VpcId").unwrap_err().code, codes::MISSING_PARAMETER);
    }

    #[test]
    fn unread_parameters_are_rejected() {
        let r = Request::parse(&json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16", "SubnetID": "x"}))
            .unwrap();
        r.cidr("CidrBlock").unwrap();
        let e = r.reject_unused().unwrap_err();
        let nulls = Request::parse(&json!({"Action": "DescribeVpcs", "NextToken": null})).unwrap();
        nulls.reject_unused().expect("null counts as absent");
        assert_eq!(e.code, codes::UNKNOWN_PARAMETER);
        assert!(e.message.contains("SubnetID") && e.message.contains("CreateVpc"), "{}", e.message);
    }

    #[test]
    fn nested_objects_are_labelled() {
        let r = Request::parse(&json!({"Action": "X", "Targets": [{"Id": "10.0.0.4"}, {"Id": 5}]})).unwrap();
        let t = r.objects("Targets").unwrap();
        assert_eq!(t[0].str("Id").unwrap(), "10.0.0.4");
        assert!(t[1].str("Id").unwrap_err().message.contains("Targets.2.Id"));
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_714_564_800), "2024-05-01T12:00:00.000Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00.000Z");
    }
}
