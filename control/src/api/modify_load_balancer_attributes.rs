//! `ModifyLoadBalancerAttributes {LoadBalancerArn, Attributes:[{Key, Value}]}` →
//! `{"Attributes":[…all, after the change]}`.
//!
//! Keys and values per [`LOAD_BALANCER`] (`InvalidConfigurationRequest` naming a bad key or value).
//! Cross-zone load balancing takes effect in the data plane at once; deletion protection makes
//! DeleteLoadBalancer fail with `OperationNotPermitted`.

use super::attribute_specs::{LOAD_BALANCER, load_balancer_value};
use super::elb_attributes::{answer, parse, record};
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let lb = find_mut(&mut state.load_balancers, &req.account, req.str("LoadBalancerArn")?)?;
    let changes = parse(req, LOAD_BALANCER, "network load balancers")?;
    for (spec, v) in changes {
        match spec.key {
            "deletion_protection.enabled" => lb.deletion_protection = v == "true",
            "load_balancing.cross_zone.enabled" => lb.cross_zone = v == "true",
            _ => record(&mut lb.attributes, spec, v),
        }
    }
    Ok(Outcome::Answer(answer(LOAD_BALANCER, |s| load_balancer_value(lb, s))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    fn modify(lb: &str, key: &str, value: &str) -> serde_json::Value {
        json!({"Action": "ModifyLoadBalancerAttributes", "LoadBalancerArn": lb, "Attributes": [{"Key": key, "Value": value}]})
    }

    #[test]
    fn cross_zone_and_deletion_protection_are_wired() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let v = ok(&mut s, modify(&p.lb, "load_balancing.cross_zone.enabled", "true"));
        assert!(
            v["Attributes"]
                .as_array()
                .unwrap()
                .contains(&json!({"Key": "load_balancing.cross_zone.enabled", "Value": "true"}))
        );
        assert!(s.load_balancers[&p.lb].cross_zone);
        ok(&mut s, modify(&p.lb, "deletion_protection.enabled", "true"));
        ok(&mut s, json!({"Action": "DeleteVpcEndpointServiceConfigurations", "ServiceIds": [p.service_id]}));
        let delete = json!({"Action": "DeleteLoadBalancer", "LoadBalancerArn": p.lb});
        fails(&mut s, delete.clone(), codes::OPERATION_NOT_PERMITTED, "deletion protection");
        ok(&mut s, modify(&p.lb, "deletion_protection.enabled", "false"));
        ok(&mut s, delete);
    }

    #[test]
    fn recorded_and_refused_attributes() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        ok(&mut s, modify(&p.lb, "dns_record.client_routing_policy", "availability_zone_affinity"));
        let v = ok(&mut s, json!({"Action": "DescribeLoadBalancerAttributes", "LoadBalancerArn": p.lb}));
        assert!(v["Attributes"].as_array().unwrap().contains(
            &json!({"Key": "dns_record.client_routing_policy", "Value": "availability_zone_affinity"})
        ));
        ok(&mut s, modify(&p.lb, "access_logs.s3.enabled", "false"));
        fails(
            &mut s,
            modify(&p.lb, "access_logs.s3.enabled", "true"),
            codes::INVALID_CONFIGURATION_REQUEST,
            "access logs",
        );
        fails(
            &mut s,
            modify(&p.lb, "idle_timeout.timeout_seconds", "60"),
            codes::INVALID_CONFIGURATION_REQUEST,
            "idle_timeout.timeout_seconds",
        );
        fails(
            &mut s,
            modify(&p.lb, "zonal_shift.config.enabled", "maybe"),
            codes::INVALID_CONFIGURATION_REQUEST,
            "maybe",
        );
    }
}
