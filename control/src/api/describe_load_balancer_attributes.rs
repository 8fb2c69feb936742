//! `DescribeLoadBalancerAttributes {LoadBalancerArn}` → `{"Attributes":[{Key, Value}]}`.
//!
//! Every attribute of [`LOAD_BALANCER`] (the keys AWS has for network load balancers), with the load
//! balancer's value or AWS's default.

use serde_json::Value;

use super::attribute_specs::{LOAD_BALANCER, load_balancer_value};
use super::elb_attributes::answer;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let lb = find(&state.load_balancers, &req.account, req.str("LoadBalancerArn")?)?;
    Ok(answer(LOAD_BALANCER, |s| load_balancer_value(lb, s)))
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
        assert_eq!(attrs.len(), super::LOAD_BALANCER.len());
        assert!(attrs.contains(&json!({"Key": "load_balancing.cross_zone.enabled", "Value": "false"})));
        assert!(attrs.contains(&json!({"Key": "deletion_protection.enabled", "Value": "false"})));
        let gone = json!({"Action": "DescribeLoadBalancerAttributes", "LoadBalancerArn": "nope"});
        fails(&mut s, gone, codes::LOAD_BALANCER_NOT_FOUND, "nope");
    }
}
