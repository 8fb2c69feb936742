//! `DescribeCapacityReservation {LoadBalancerArn}` → `{"CapacityReservationState":[…],
//! "DecreaseRequestsRemaining":0}` (ELBv2; Terraform reads it for every `aws_lb`).
//!
//! privlink's load balancers have no provisioned capacity: each zone of the load balancer is
//! listed with zero reserved units, there is no `MinimumLoadBalancerCapacity`, and no decrease
//! request remains.

use serde_json::{Value, json};

use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let lb = find(&state.load_balancers, &req.account, req.str("LoadBalancerArn")?)?;
    let zones: Vec<Value> = lb
        .azs()
        .map(|az| json!({"AvailabilityZone": az, "EffectiveCapacityUnits": 0.0, "State": {"Code": "provisioned"}}))
        .collect();
    Ok(json!({"CapacityReservationState": zones, "DecreaseRequestsRemaining": 0}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn every_zone_has_no_reserved_capacity() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let v = ok(&mut s, json!({"Action": "DescribeCapacityReservation", "LoadBalancerArn": p.lb}));
        let zones = v["CapacityReservationState"].as_array().unwrap();
        assert_eq!(zones.len(), 2);
        assert_eq!(zones[0]["AvailabilityZone"], "us-east-1a");
        assert_eq!(v["DecreaseRequestsRemaining"], 0);
        assert!(v.get("MinimumLoadBalancerCapacity").is_none());
        let gone = json!({"Action": "DescribeCapacityReservation", "LoadBalancerArn": "nope"});
        fails(&mut s, gone, codes::LOAD_BALANCER_NOT_FOUND, "nope");
    }
}
