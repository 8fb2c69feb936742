//! `ModifyVpcAttribute {VpcId, EnableDnsSupport? | EnableDnsHostnames? |
//! EnableNetworkAddressUsageMetrics?}` → `{"Return":true}`.
//!
//! Exactly one attribute per call, as on AWS (`InvalidParameterCombination` otherwise), given
//! as `{"Value":bool}` (or a bare boolean). Turning a DNS attribute off while an interface
//! endpoint of the VPC has private DNS enabled is `InvalidParameter` naming the endpoint (the
//! invariant of [`crate::model::VpcAttributes`]). With DNS support off the VPC resolver stops
//! answering.

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let State { vpcs, vpc_endpoints, .. } = state;
    let vpc = find_mut(vpcs, &req.account, req.str("VpcId")?)?;
    let id = vpc.id.clone();
    let given = [
        ("EnableDnsSupport", req.attribute_bool_opt("EnableDnsSupport")?),
        ("EnableDnsHostnames", req.attribute_bool_opt("EnableDnsHostnames")?),
        ("EnableNetworkAddressUsageMetrics", req.attribute_bool_opt("EnableNetworkAddressUsageMetrics")?),
    ];
    let set: Vec<(&str, bool)> = given.iter().filter_map(|(k, v)| v.map(|v| (*k, v))).collect();
    let [(attribute, value)] = set.as_slice() else {
        return Err(ApiError::new(
            codes::INVALID_PARAMETER_COMBINATION,
            format!(
                "Give exactly one of EnableDnsSupport, EnableDnsHostnames, EnableNetworkAddressUsageMetrics per call; got {}",
                set.len()
            ),
        ));
    };
    let a = &mut vpc.attributes;
    match *attribute {
        "EnableDnsSupport" => a.enable_dns_support = *value,
        "EnableDnsHostnames" => a.enable_dns_hostnames = *value,
        _ => a.enable_network_address_usage_metrics = *value,
    }
    if !a.private_dns_capable() {
        let private = vpc_endpoints.values().find(|e| e.vpc_id == id && e.private_dns_enabled);
        if let Some(ep) = private {
            return Err(ApiError::new(
                codes::INVALID_PARAMETER,
                format!(
                    "{attribute} of {id} must stay true while endpoint {} has private DNS enabled (it needs enableDnsSupport and enableDnsHostnames); disable its private DNS first",
                    ep.id
                ),
            ));
        }
    }
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn sets_one_attribute_at_a_time() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let modify = |attrs: serde_json::Value| {
            let mut r = json!({"Action": "ModifyVpcAttribute", "VpcId": "prov"});
            r.as_object_mut().unwrap().extend(attrs.as_object().unwrap().clone());
            r
        };
        ok(&mut s, modify(json!({"EnableDnsSupport": {"Value": false}})));
        assert!(!s.vpcs[&v].attributes.enable_dns_support);
        ok(&mut s, modify(json!({"EnableNetworkAddressUsageMetrics": true})));
        assert!(s.vpcs[&v].attributes.enable_network_address_usage_metrics);
        let two = modify(json!({"EnableDnsSupport": {"Value": true}, "EnableDnsHostnames": {"Value": true}}));
        fails(&mut s, two, codes::INVALID_PARAMETER_COMBINATION, "exactly one");
        fails(&mut s, modify(json!({})), codes::INVALID_PARAMETER_COMBINATION, "got 0");
        let bad = modify(json!({"EnableDnsSupport": {"Value": "yes"}}));
        fails(&mut s, bad, codes::INVALID_PARAMETER_VALUE, "EnableDnsSupport.Value");
    }

    #[test]
    fn dns_stays_on_under_private_dns_endpoints() {
        let mut s = State::new();
        let p = provider_with_private_dns(&mut s, "api.example.test");
        let (v, [a, _]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a], &p.service_name);
        assert!(s.vpc_endpoints[&ep].private_dns_enabled);
        let off = json!({"Action": "ModifyVpcAttribute", "Account": CONSUMER, "VpcId": v, "EnableDnsHostnames": {"Value": false}});
        fails(&mut s, off.clone(), codes::INVALID_PARAMETER, &ep);
        ok(
            &mut s,
            json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep, "PrivateDnsEnabled": false}),
        );
        ok(&mut s, off);
    }
}
