//! ELBv2 attribute lists (`Attributes:[{Key, Value}]`) of load balancers, target groups and
//! listeners: one [`Spec`] table per resource kind says which keys exist, their AWS default and
//! which values are accepted.
//!
//! Contract: a Describe*Attributes answer lists every key of the table (the resource's value,
//! else the default); a Modify*Attributes request must name at least one attribute, each key
//! must be in the table (`InvalidConfigurationRequest` naming it otherwise) and each value of
//! its [`Kind`] (`InvalidConfigurationRequest` naming key and value). Values are normalised
//! (`TRUE` → `true`, `030` → `30`). Where a key is stored is the operation's business.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::request::{Params, Request};
use crate::error::{ApiError, codes};

/// The values an attribute accepts.
pub enum Kind {
    Bool,
    /// An integer in the range.
    Int(i64, i64),
    OneOf(&'static [&'static str]),
    /// Only the default; the text says why.
    DefaultOnly(&'static str),
}

/// One attribute of a resource kind.
pub struct Spec {
    pub key: &'static str,
    pub default: &'static str,
    pub kind: Kind,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(codes::INVALID_CONFIGURATION_REQUEST, message)
}

impl Spec {
    /// `value` normalised, or the error naming key and value.
    fn check(&self, value: &str) -> Result<String, ApiError> {
        let bad = |accepted: String| {
            invalid(format!("The value '{value}' of attribute '{}' is invalid: {accepted}", self.key))
        };
        match &self.kind {
            Kind::Bool => match value.to_ascii_lowercase().as_str() {
                v @ ("true" | "false") => Ok(v.to_owned()),
                _ => Err(bad("expected true or false".into())),
            },
            Kind::Int(lo, hi) => match value.trim().parse::<i64>() {
                Ok(n) if (*lo..=*hi).contains(&n) => Ok(n.to_string()),
                _ => Err(bad(format!("expected an integer from {lo} to {hi}"))),
            },
            Kind::OneOf(values) => match values.iter().find(|v| v.eq_ignore_ascii_case(value)) {
                Some(v) => Ok((*v).to_owned()),
                None => Err(bad(format!("expected one of {}", values.join(", ")))),
            },
            Kind::DefaultOnly(_) if value.eq_ignore_ascii_case(self.default) => Ok(self.default.to_owned()),
            Kind::DefaultOnly(why) => Err(bad(format!("only '{}' is accepted: {why}", self.default))),
        }
    }
}

/// The attributes a Modify*Attributes request sets, checked against `specs`; `what` names the
/// resource kind in errors (e.g. "network load balancers").
pub fn parse<'s>(req: &Request, specs: &'s [Spec], what: &str) -> Result<Vec<(&'s Spec, String)>, ApiError> {
    let given = req.objects("Attributes")?;
    if given.is_empty() {
        return Err(ApiError::missing("Attributes"));
    }
    given
        .iter()
        .map(|a| {
            let key = a.str("Key")?;
            let spec = specs.iter().find(|s| s.key == key).ok_or_else(|| {
                let keys: Vec<&str> = specs.iter().map(|s| s.key).collect();
                invalid(format!(
                    "The attribute key '{key}' is not valid for {what}; valid keys: {}",
                    keys.join(", ")
                ))
            })?;
            let value = match a.raw("Value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                None => String::new(),
                Some(other) => return Err(a.bad("Value", other, "expected a string")),
            };
            Ok((spec, spec.check(&value)?))
        })
        .collect()
}

/// `{"Attributes":[{Key, Value}…]}` for every key of `specs`, valued by `value`.
pub fn answer(specs: &[Spec], value: impl Fn(&Spec) -> String) -> Value {
    let items: Vec<Value> = specs.iter().map(|s| json!({"Key": s.key, "Value": value(s)})).collect();
    json!({"Attributes": items})
}

/// The stored value of a recorded (not typed) attribute, else its default.
pub fn recorded(map: &BTreeMap<String, String>, spec: &Spec) -> String {
    map.get(spec.key).cloned().unwrap_or_else(|| spec.default.to_owned())
}

/// Records `value` of a (not typed) attribute: stored unless it is the default.
pub fn record(map: &mut BTreeMap<String, String>, spec: &Spec, value: String) {
    if value == spec.default {
        map.remove(spec.key);
    } else {
        map.insert(spec.key.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SPECS: &[Spec] = &[
        Spec { key: "a.enabled", default: "false", kind: Kind::Bool },
        Spec { key: "b.seconds", default: "300", kind: Kind::Int(0, 3600) },
        Spec { key: "c.policy", default: "x", kind: Kind::OneOf(&["x", "y"]) },
        Spec { key: "d.enabled", default: "false", kind: Kind::DefaultOnly("not emulated") },
    ];

    fn parse_json(attrs: serde_json::Value) -> Result<Vec<(&'static str, String)>, ApiError> {
        let req = Request::parse(&json!({"Action": "X", "Attributes": attrs})).unwrap();
        Ok(parse(&req, SPECS, "things")?.into_iter().map(|(s, v)| (s.key, v)).collect())
    }

    #[test]
    fn values_are_checked_and_normalised() {
        let ok = parse_json(
            json!([{"Key": "a.enabled", "Value": "TRUE"}, {"Key": "b.seconds", "Value": "030"},
                                   {"Key": "c.policy", "Value": "Y"}, {"Key": "d.enabled", "Value": "false"}]),
        );
        assert_eq!(
            ok.unwrap(),
            vec![
                ("a.enabled", "true".into()),
                ("b.seconds", "30".into()),
                ("c.policy", "y".into()),
                ("d.enabled", "false".into())
            ]
        );
        for (attrs, needle) in [
            (json!([{"Key": "e", "Value": "1"}]), "'e'"),
            (json!([{"Key": "b.seconds", "Value": "3601"}]), "3601"),
            (json!([{"Key": "a.enabled", "Value": "yes"}]), "'yes'"),
            (json!([{"Key": "d.enabled", "Value": "true"}]), "not emulated"),
        ] {
            let e = parse_json(attrs).unwrap_err();
            assert_eq!(e.code, codes::INVALID_CONFIGURATION_REQUEST);
            assert!(e.message.contains(needle), "{}", e.message);
        }
        assert_eq!(parse_json(json!([])).unwrap_err().code, codes::MISSING_PARAMETER);
    }

    #[test]
    fn recorded_values_keep_only_what_differs() {
        let mut map = BTreeMap::new();
        record(&mut map, &SPECS[1], "30".into());
        assert_eq!(recorded(&map, &SPECS[1]), "30");
        record(&mut map, &SPECS[1], "300".into());
        assert!(map.is_empty());
        let all = answer(SPECS, |s| recorded(&map, s));
        assert_eq!(all["Attributes"][2], json!({"Key": "c.policy", "Value": "x"}));
    }
}
