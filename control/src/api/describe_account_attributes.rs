//! `DescribeAccountAttributes {AttributeNames[]?}` → `{"AccountAttributes":[{AttributeName,
//! AttributeValues:[{AttributeValue}]}]}`: a VPC-only account (`supported-platforms` `VPC`)
//! without a default VPC (`default-vpc` `none`), with AWS's default limits. An unknown name is
//! `InvalidParameterValue` listing the known ones.

use serde_json::{Value, json};

use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::State;

/// Every attribute and its value, in AWS's order.
const ATTRIBUTES: &[(&str, &str)] = &[
    ("supported-platforms", "VPC"),
    ("default-vpc", "none"),
    ("max-instances", "20"),
    ("vpc-max-security-groups-per-interface", "5"),
    ("max-elastic-ips", "5"),
    ("vpc-max-elastic-ips", "5"),
];

pub fn run(_state: &State, req: &Request) -> Result<Value, ApiError> {
    let names = req.list("AttributeNames")?;
    if let Some(bad) = names.iter().find(|n| !ATTRIBUTES.iter().any(|(a, _)| a == n)) {
        let known: Vec<&str> = ATTRIBUTES.iter().map(|(a, _)| *a).collect();
        return Err(req.bad(
            "AttributeNames",
            &bad.as_str().into(),
            &format!("the attributes are {}", known.join(", ")),
        ));
    }
    let attributes: Vec<Value> = ATTRIBUTES
        .iter()
        .filter(|(a, _)| names.is_empty() || names.iter().any(|n| n == a))
        .map(|(a, v)| json!({"AttributeName": a, "AttributeValues": [{"AttributeValue": v}]}))
        .collect();
    Ok(json!({"AccountAttributes": attributes}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn vpc_only_without_default_vpc() {
        let mut s = State::new();
        let v = ok(
            &mut s,
            json!({"Action": "DescribeAccountAttributes", "AttributeNames": ["default-vpc", "supported-platforms"]}),
        );
        assert_eq!(
            v["AccountAttributes"],
            json!([{"AttributeName": "supported-platforms", "AttributeValues": [{"AttributeValue": "VPC"}]},
                   {"AttributeName": "default-vpc", "AttributeValues": [{"AttributeValue": "none"}]}])
        );
        assert_eq!(
            ok(&mut s, json!({"Action": "DescribeAccountAttributes"}))["AccountAttributes"]
                .as_array()
                .unwrap()
                .len(),
            6
        );
        fails(
            &mut s,
            json!({"Action": "DescribeAccountAttributes", "AttributeNames": ["nope"]}),
            codes::INVALID_PARAMETER_VALUE,
            "nope",
        );
    }
}
