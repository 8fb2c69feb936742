//! `DescribeLoadBalancerAttributes {LoadBalancerArn}` → `{"Attributes":[{Key, Value}]}`.
//!
//! Every attribute of [`SPECS`] (the keys AWS has for network load balancers), with the load
//! balancer's value or AWS's default.

use serde_json::Value;

use super::elb_attributes::{Kind, Spec, answer, recorded};
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{LoadBalancer, State, find};

/// The attributes of a network load balancer. Wired: `load_balancing.cross_zone.enabled` (node
/// and target selection), `deletion_protection.enabled` (DeleteLoadBalancer). The others are
/// recorded only: the lab has no access logs, one address type, and no DNS service in front of
/// the load balancer (its nodes are reached through endpoints).
pub const SPECS: &[Spec] = &[
    Spec {
        key: "access_logs.s3.enabled",
        default: "false",
        kind: Kind::DefaultOnly("privlink writes no access logs"),
    },
    Spec {
        key: "access_logs.s3.bucket",
        default: "",
        kind: Kind::DefaultOnly("privlink writes no access logs"),
    },
    Spec {
        key: "access_logs.s3.prefix",
        default: "",
        kind: Kind::DefaultOnly("privlink writes no access logs"),
    },
    Spec { key: "deletion_protection.enabled", default: "false", kind: Kind::Bool },
    Spec { key: "load_balancing.cross_zone.enabled", default: "false", kind: Kind::Bool },
    Spec { key: "ipv6.deny_all_igw_traffic", default: "true", kind: Kind::Bool },
    Spec {
        key: "dns_record.client_routing_policy",
        default: "any_availability_zone",
        kind: Kind::OneOf(&[
            "any_availability_zone",
            "availability_zone_affinity",
            "partial_availability_zone_affinity",
        ]),
    },
    Spec { key: "zonal_shift.config.enabled", default: "false", kind: Kind::Bool },
    Spec {
        key: "secondary_ips.auto_assigned.per_subnet",
        default: "0",
        kind: Kind::DefaultOnly("NLB nodes have one address each in privlink"),
    },
];

/// The current value of attribute `spec` of `lb`.
pub fn value(lb: &LoadBalancer, spec: &Spec) -> String {
    match spec.key {
        "deletion_protection.enabled" => lb.deletion_protection.to_string(),
        "load_balancing.cross_zone.enabled" => lb.cross_zone.to_string(),
        _ => recorded(&lb.attributes, spec),
    }
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let lb = find(&state.load_balancers, &req.account, req.str("LoadBalancerArn")?)?;
    Ok(answer(SPECS, |s| value(lb, s)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn lists_every_attribute_with_aws_defaults() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let v = ok(&mut s, json!({"Action": "DescribeLoadBalancerAttributes", "LoadBalancerArn": p.lb}));
        let attrs = v["Attributes"].as_array().unwrap();
        assert_eq!(attrs.len(), super::SPECS.len());
        assert!(attrs.contains(&json!({"Key": "load_balancing.cross_zone.enabled", "Value": "false"})));
        assert!(attrs.contains(&json!({"Key": "deletion_protection.enabled", "Value": "false"})));
        let gone = json!({"Action": "DescribeLoadBalancerAttributes", "LoadBalancerArn": "nope"});
        fails(&mut s, gone, codes::LOAD_BALANCER_NOT_FOUND, "nope");
    }
}
