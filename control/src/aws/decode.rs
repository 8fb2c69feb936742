//! Query-request decoding: flat `Name.N.Member=value` parameters → the API's JSON parameters.
//!
//! Contract (the inverse of botocore's `EC2Serializer`/`QuerySerializer`):
//! - Every member of the operation's input shape is looked up under its wire name (EC2:
//!   `queryName`, else `locationName` with a capital first letter, else the member name;
//!   Query: `locationName`, else the member name) and stored under its *member* name, which is
//!   what the operations in [`crate::api`] read.
//! - Lists: EC2 `Name.N`, Query `Name.member.N` (`Name.N` when flattened; `Name=` alone is an
//!   empty list); elements in index order, gaps allowed. Maps: `Name.entry.N.key/value`.
//! - Scalars are typed by the model: integers → JSON numbers, booleans → JSON booleans,
//!   everything else a string. A value that does not fit its type is `InvalidParameterValue`
//!   naming the wire parameter and the value.
//! - A parameter that no member consumed is `UnknownParameter` naming it (except `Action`,
//!   `Version` and the presigned-URL `X-Amz-*` parameters): nothing is silently ignored.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Number, Value};

use super::model::{Kind, Protocol, Service, ShapeRef};
use crate::error::{ApiError, codes};

/// Request parameters by wire name.
pub type Params = BTreeMap<String, String>;

/// Parameters of the envelope rather than of the operation.
fn is_envelope(key: &str) -> bool {
    key == "Action" || key == "Version" || key.starts_with("X-Amz-")
}

/// Decodes `params` against `input` (the operation's input shape; `None`: no parameters).
pub fn decode(
    svc: &Service,
    input: Option<&ShapeRef>,
    params: &Params,
) -> Result<Map<String, Value>, ApiError> {
    let mut d = Decoder { svc, params, used: BTreeSet::new() };
    let out = match input {
        Some(r) => d.structure(r, "")?,
        None => Map::new(),
    };
    match params.keys().find(|k| !is_envelope(k) && !d.used.contains(k.as_str())) {
        Some(k) => {
            Err(ApiError::new(codes::UNKNOWN_PARAMETER, format!("The parameter {k} is not recognized")))
        }
        None => Ok(out),
    }
}

struct Decoder<'a> {
    svc: &'a Service,
    params: &'a Params,
    used: BTreeSet<&'a str>,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}

impl<'a> Decoder<'a> {
    /// The members of structure `r` found under `prefix`.
    fn structure(&mut self, r: &ShapeRef, prefix: &str) -> Result<Map<String, Value>, ApiError> {
        let mut out = Map::new();
        for (name, m) in &self.svc.shape(r).members {
            if let Some(v) = self.value(m, &join(prefix, &self.wire_name(m, name)))? {
                out.insert(name.clone(), v);
            }
        }
        Ok(out)
    }

    fn wire_name(&self, m: &ShapeRef, member: &str) -> String {
        match self.svc.protocol() {
            Protocol::Ec2 => match (&m.query_name, &m.location_name) {
                (Some(q), _) => q.clone(),
                (None, Some(l)) => {
                    let mut c = l.chars();
                    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
                }
                (None, None) => member.to_owned(),
            },
            Protocol::Query => m.location_name.clone().unwrap_or_else(|| member.to_owned()),
        }
    }

    /// The value of shape `r` at wire name `at`, `None` if absent.
    fn value(&mut self, r: &ShapeRef, at: &str) -> Result<Option<Value>, ApiError> {
        let shape = self.svc.shape(r);
        match shape.kind {
            Kind::Structure => {
                let m = self.structure(r, at)?;
                Ok((!m.is_empty()).then_some(Value::Object(m)))
            }
            Kind::List => {
                let member = shape.member.as_ref().expect("list shapes have a member");
                let base = match self.svc.protocol() {
                    Protocol::Query if !(shape.flattened || r.flattened) => {
                        if self.take(at).is_some_and(str::is_empty) {
                            return Ok(Some(Value::Array(Vec::new())));
                        }
                        join(at, member.location_name.as_deref().unwrap_or("member"))
                    }
                    _ => at.to_owned(),
                };
                let mut items = Vec::new();
                for i in self.indices(&base) {
                    if let Some(v) = self.value(member, &format!("{base}.{i}"))? {
                        items.push(v);
                    }
                }
                Ok((!items.is_empty()).then_some(Value::Array(items)))
            }
            Kind::Map => {
                let (Some(k), Some(v)) = (&shape.key, &shape.value) else { return Ok(None) };
                let base = if shape.flattened || r.flattened { at.to_owned() } else { join(at, "entry") };
                let mut out = Map::new();
                for i in self.indices(&base) {
                    let entry = format!("{base}.{i}");
                    let key = self.value(k, &join(&entry, k.location_name.as_deref().unwrap_or("key")))?;
                    let val = self.value(v, &join(&entry, v.location_name.as_deref().unwrap_or("value")))?;
                    if let (Some(Value::String(key)), Some(val)) = (key, val) {
                        out.insert(key, val);
                    }
                }
                Ok((!out.is_empty()).then_some(Value::Object(out)))
            }
            kind => self.take(at).map(|raw| scalar(kind, at, raw)).transpose(),
        }
    }

    /// Marks `key` used and returns its value.
    fn take(&mut self, key: &str) -> Option<&'a str> {
        let (k, v) = self.params.get_key_value(key)?;
        self.used.insert(k);
        Some(v)
    }

    /// The list indices present under `base` (`base.N…`), ascending.
    fn indices(&self, base: &str) -> BTreeSet<u32> {
        let dotted = format!("{base}.");
        self.params
            .range(dotted.clone()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(&dotted))
            .filter_map(|k| k[dotted.len()..].split('.').next()?.parse().ok())
            .filter(|&i| i >= 1)
            .collect()
    }
}

fn scalar(kind: Kind, at: &str, raw: &str) -> Result<Value, ApiError> {
    let bad = |what: &str| {
        ApiError::new(
            codes::INVALID_PARAMETER_VALUE,
            format!("Value ({raw}) for parameter {at} is invalid: expected {what}"),
        )
    };
    match kind {
        Kind::Integer | Kind::Long => raw.parse::<i64>().map(Value::from).map_err(|_| bad("an integer")),
        Kind::Boolean => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad("true or false")),
        },
        Kind::Double | Kind::Float => raw
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| bad("a number")),
        _ => Ok(Value::String(raw.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::aws::model::services;

    fn run(svc: usize, op: &str, pairs: &[(&str, &str)]) -> Result<Value, ApiError> {
        let svc = &services()[svc];
        let params = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        decode(svc, svc.operations[op].input.as_ref(), &params).map(Value::Object)
    }

    #[test]
    fn ec2_lists_filters_and_tag_specifications() {
        let v = run(
            0,
            "DescribeVpcs",
            &[
                ("Action", "DescribeVpcs"),
                ("VpcId.1", "vpc-1"),
                ("VpcId.3", "vpc-3"),
                ("Filter.1.Name", "tag:env"),
                ("Filter.1.Value.1", "a"),
                ("Filter.1.Value.2", "b"),
                ("MaxResults", "5"),
                ("DryRun", "true"),
            ],
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"VpcIds": ["vpc-1", "vpc-3"], "Filters": [{"Name": "tag:env", "Values": ["a", "b"]}],
                   "MaxResults": 5, "DryRun": true})
        );
        let v = run(
            0,
            "CreateVpc",
            &[
                ("CidrBlock", "10.0.0.0/16"),
                ("TagSpecification.1.ResourceType", "vpc"),
                ("TagSpecification.1.Tag.1.Key", "Name"),
                ("TagSpecification.1.Tag.1.Value", "x"),
            ],
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"CidrBlock": "10.0.0.0/16",
                   "TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "x"}]}]})
        );
    }

    #[test]
    fn query_member_lists_and_structures() {
        let v = run(
            1,
            "CreateLoadBalancer",
            &[
                ("Name", "nlb"),
                ("Subnets.member.1", "subnet-a"),
                ("Subnets.member.2", "subnet-b"),
                ("Type", "network"),
            ],
        )
        .unwrap();
        assert_eq!(v, json!({"Name": "nlb", "Subnets": ["subnet-a", "subnet-b"], "Type": "network"}));
        let v = run(
            1,
            "RegisterTargets",
            &[
                ("TargetGroupArn", "arn"),
                ("Targets.member.1.Id", "10.0.0.4"),
                ("Targets.member.1.Port", "80"),
            ],
        )
        .unwrap();
        assert_eq!(v, json!({"TargetGroupArn": "arn", "Targets": [{"Id": "10.0.0.4", "Port": 80}]}));
        let v = run(1, "RemoveTags", &[("ResourceArns.member.1", "arn"), ("TagKeys", "")]).unwrap();
        assert_eq!(v, json!({"ResourceArns": ["arn"], "TagKeys": []}));
    }

    #[test]
    fn bad_values_and_unknown_parameters_are_named() {
        let e = run(0, "DescribeVpcs", &[("MaxResults", "many")]).unwrap_err();
        assert_eq!(e.code, codes::INVALID_PARAMETER_VALUE);
        assert!(e.message.contains("many") && e.message.contains("MaxResults"), "{}", e.message);
        let e = run(0, "DescribeVpcs", &[("VpcIds.1", "vpc-1")]).unwrap_err();
        assert_eq!(e.code, codes::UNKNOWN_PARAMETER);
        assert!(e.message.contains("VpcIds.1"), "{}", e.message);
        let e = run(1, "CreateLoadBalancer", &[("Subnets.member.x", "s")]).unwrap_err();
        assert!(e.message.contains("Subnets.member.x"), "{}", e.message);
        assert_eq!(run(2, "GetCallerIdentity", &[("Version", "2011-06-15")]).unwrap(), json!({}));
    }
}
