//! `DescribeVpcAttribute {VpcId, Attribute}` → `{"VpcId":…, "<Attribute>":{"Value":bool}}`.
//!
//! `Attribute` is `enableDnsSupport`, `enableDnsHostnames` or `enableNetworkAddressUsageMetrics`;
//! the answer carries that one attribute under its output name (`EnableDnsSupport`, …).

use serde_json::{Value, json};

use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, VpcAttributes, find};

/// The output member name and value of attribute `name`.
fn attribute(a: &VpcAttributes, name: &str) -> Option<(&'static str, bool)> {
    Some(match name {
        "enableDnsSupport" => ("EnableDnsSupport", a.enable_dns_support),
        "enableDnsHostnames" => ("EnableDnsHostnames", a.enable_dns_hostnames),
        "enableNetworkAddressUsageMetrics" => {
            ("EnableNetworkAddressUsageMetrics", a.enable_network_address_usage_metrics)
        }
        _ => return None,
    })
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let vpc = find(&state.vpcs, &req.account, req.str("VpcId")?)?;
    let wanted = req.str("Attribute")?;
    let Some((output, value)) = attribute(&vpc.attributes, wanted) else {
        return Err(req.bad(
            "Attribute",
            &wanted.into(),
            "expected enableDnsSupport, enableDnsHostnames or enableNetworkAddressUsageMetrics",
        ));
    };
    Ok(json!({"VpcId": vpc.id, output: {"Value": value}}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn answers_one_attribute_with_aws_defaults() {
        let mut s = State::new();
        let anon = ok(&mut s, json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16"}));
        let v = anon["Vpc"]["VpcId"].as_str().unwrap();
        let get = |s: &mut State, attr: &str| {
            ok(s, json!({"Action": "DescribeVpcAttribute", "VpcId": v, "Attribute": attr}))
        };
        assert_eq!(get(&mut s, "enableDnsSupport"), json!({"VpcId": v, "EnableDnsSupport": {"Value": true}}));
        assert_eq!(get(&mut s, "enableDnsHostnames")["EnableDnsHostnames"]["Value"], false);
        assert_eq!(
            get(&mut s, "enableNetworkAddressUsageMetrics")["EnableNetworkAddressUsageMetrics"]["Value"],
            false
        );
        let bad = json!({"Action": "DescribeVpcAttribute", "VpcId": v, "Attribute": "enableDns"});
        fails(&mut s, bad, codes::INVALID_PARAMETER_VALUE, "enableDns");
        let gone =
            json!({"Action": "DescribeVpcAttribute", "VpcId": "vpc-0", "Attribute": "enableDnsSupport"});
        fails(&mut s, gone, codes::INVALID_VPC_ID_NOT_FOUND, "vpc-0");
    }
}
