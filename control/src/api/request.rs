//! A parsed API request and typed access to its parameters.
//!
//! Contract:
//! - `Action` is required; `Account` defaults to [`DEFAULT_ACCOUNT`] and must be 12 digits.
//! - Parameters are read through [`Params`]: a wrong type or a bad value is
//!   `InvalidParameterValue` naming the parameter and the value; a missing required one is
//!   `MissingParameter`. JSON `null` counts as absent. Numbers and booleans may also be given as
//!   strings (`"80"`, `"true"`), lists as a single string.
//! - The request remembers which parameters the operation read, nested ones too (by their
//!   label, `Targets.1.Port`): [`Request::reject_unused`] turns any other one into
//!   `UnknownParameter`, so a typo never passes silently, at any depth
//!   (`Tags:[{"Key":"env","Valeu":"prod"}]` is refused, not stored with an empty value). An
//!   object none of whose members was read one by one was taken whole (a policy document, a
//!   client token's recorded parameters) and is not looked into.

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

    /// `UnknownParameter` for the first parameter the operation did not read, at any depth.
    pub fn reject_unused(&self) -> Result<(), ApiError> {
        let used = self.used.borrow();
        match unread_in(&used, "", &self.params) {
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

    /// Replaces the value of `key` (the controller resolving a Name tag to an ID before a
    /// data-plane query reads it).
    pub fn resolve(&mut self, key: &str, value: String) {
        self.params.insert(key.to_owned(), value.into());
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

/// The label of the first member under `label` (the read value `v`) that was not read, where
/// some member of the same object was: `Targets.1.Prot` beside a read `Targets.1.Id`.
fn unread_member(used: &BTreeSet<String>, label: &str, v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(n, item)| unread_member(used, &format!("{label}.{}", n + 1), item)),
        Value::Object(map) => {
            let prefix = format!("{label}.");
            if !used.range(prefix.clone()..).next().is_some_and(|u| u.starts_with(&prefix)) {
                return None; // taken whole
            }
            unread_in(used, &prefix, map)
        }
        _ => None,
    }
}

/// The label of the first member of `map` (labelled `{prefix}{key}`) that was not read, or
/// that holds an unread member itself; `null` members count as absent.
fn unread_in(used: &BTreeSet<String>, prefix: &str, map: &Map<String, Value>) -> Option<String> {
    map.iter().find_map(|(k, v)| {
        let member = format!("{prefix}{k}");
        match used.contains(&member) {
            _ if v.is_null() => None,
            true => unread_member(used, &member, v),
            false => Some(member),
        }
    })
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
    fn read_set(&self) -> &RefCell<BTreeSet<String>> {
        &self.used
    }
}

/// A JSON object inside a request (e.g. one of `Targets`), labelled `Targets.1.Port` in errors;
/// what is read of it is recorded in the request's read set under that label.
pub struct Nested<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
    read: &'a RefCell<BTreeSet<String>>,
}

impl Params for Nested<'_> {
    fn raw(&self, key: &str) -> Option<&Value> {
        let v = self.map.get(key).filter(|v| !v.is_null())?;
        self.read.borrow_mut().insert(self.label(key));
        Some(v)
    }
    fn label(&self, key: &str) -> String {
        format!("{}.{key}", self.prefix)
    }
    fn read_set(&self) -> &RefCell<BTreeSet<String>> {
        self.read
    }
}

/// Typed parameter access; see the module docs for the conventions.
pub trait Params {
    /// The raw value of `key` (absent or `null` → `None`).
    fn raw(&self, key: &str) -> Option<&Value>;
    /// How `key` is named in error messages (and in the request's read set).
    fn label(&self, key: &str) -> String;
    /// The labels of the parameters read so far, nested ones included.
    fn read_set(&self) -> &RefCell<BTreeSet<String>>;

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
                Nested { map, prefix: self.label(key), read: self.read_set() }.bool_opt("Value")?.map_or_else(
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
                let nested = Nested { map, prefix: self.label(key), read: self.read_set() };
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
                    Value::Object(map) => Ok(Nested {
                        map,
                        prefix: format!("{}.{}", self.label(key), n + 1),
                        read: self.read_set(),
                    }),
                    other => Err(self.bad(key, other, "expected a list of objects")),
                })
                .collect(),
            Some(v) => Err(self.bad(key, v, "expected a list of objects")),
        }
    }

    /// An IPv4 CIDR block with zero host bits.
    fn cidr(&self, key: &str) -> Result<Ipv4Net, ApiError> {
        let net = self.cidr_as_given(key)?;
        if net.network() != net.addr() {
            let why = format!("host bits must be zero (did you mean {}?)", net.trunc());
            return Err(self.bad(key, &net.to_string().into(), &why));
        }
        Ok(net)
    }

    /// An IPv4 CIDR block as given, host bits and all.
    fn cidr_as_given(&self, key: &str) -> Result<Ipv4Net, ApiError> {
        let s = self.str(key)?;
        s.parse()
            .map_err(|_| self.bad(key, &Value::from(s), "expected an IPv4 CIDR block such as 10.0.0.0/16"))
    }

    /// An IPv4 CIDR block whose host bits, if any, are cleared: AWS creates `10.250.0.0/16`
    /// from `10.250.1.0/16` (CreateVpc, CreateSubnet, security group `CidrIp`).
    fn cidr_normalised(&self, key: &str) -> Result<Ipv4Net, ApiError> {
        Ok(self.cidr_as_given(key)?.trunc())
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

/// Formats seconds since the Unix epoch as RFC 3339 UTC with milliseconds (times past
/// year 9999 print as that year's end: AWS's timestamps have four-digit years).
pub fn rfc3339(secs: u64) -> String {
    const RFC3339_MS: &[time::format_description::BorrowedFormatItem<'_>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");
    let t = i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(time::macros::datetime!(9999-12-31 23:59:59 UTC));
    t.format(RFC3339_MS).unwrap_or_default()
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
        assert_eq!(r.cidr_normalised("CidrBlock").unwrap().to_string(), "10.0.0.0/16");
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
    fn unread_nested_members_are_rejected() {
        let r = Request::parse(&json!({"Action": "RegisterTargets",
            "Targets": [{"Id": "10.0.0.4", "Port": 80}, {"Id": "10.0.0.5", "Prot": 8080}],
            "Policy": {"Statement": []}}))
        .unwrap();
        for t in r.objects("Targets").unwrap() {
            t.str("Id").unwrap();
            t.port_opt("Port").unwrap();
        }
        r.raw("Policy");
        let e = r.reject_unused().unwrap_err();
        assert_eq!(e.code, codes::UNKNOWN_PARAMETER);
        assert!(
            e.message.contains("Targets.2.Prot") && e.message.contains("RegisterTargets"),
            "{}",
            e.message
        );
        let tags =
            Request::parse(&json!({"Action": "CreateTags", "Tags": [{"Key": "env", "Valeu": "prod"}]}))
                .unwrap();
        tags.objects("Tags").unwrap()[0].str("Key").unwrap();
        assert!(tags.reject_unused().unwrap_err().message.contains("Tags.1.Valeu"));
        let attr =
            Request::parse(&json!({"Action": "X", "EnableDnsSupport": {"Value": true, "Valeu": 1}})).unwrap();
        attr.attribute_bool_opt("EnableDnsSupport").unwrap();
        assert!(attr.reject_unused().unwrap_err().message.contains("EnableDnsSupport.Valeu"));
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
