//! `DescribeTargetGroupAttributes {TargetGroupArn}` → `{"Attributes":[{Key, Value}]}`.
//!
//! Every attribute of [`TARGET_GROUP`] (the keys AWS has for network load balancer target groups),
//! with the group's value or AWS's default (`preserve_client_ip.enabled` defaults to true for
//! UDP and TCP_UDP groups, false for TCP, as for AWS's ip targets).

use serde_json::Value;

use super::attribute_specs::{TARGET_GROUP, target_group_value};
use super::elb_attributes::answer;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let tg = find(&state.target_groups, &req.account, req.str("TargetGroupArn")?)?;
    Ok(answer(TARGET_GROUP, |s| target_group_value(tg, s)))
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
        ok(
            &mut s,
            json!({"Action": "CreateTargetGroup", "Name": "dns", "Protocol": "UDP", "Port": 53, "VpcId": p.vpc}),
        );
        let get = |s: &mut State, tg: &str| {
            ok(s, json!({"Action": "DescribeTargetGroupAttributes", "TargetGroupArn": tg}))["Attributes"]
                .as_array()
                .unwrap()
                .clone()
        };
        let web = get(&mut s, &p.tg);
        assert_eq!(web.len(), super::TARGET_GROUP.len());
        assert!(web.contains(&json!({"Key": "deregistration_delay.timeout_seconds", "Value": "300"})));
        assert!(web.contains(&json!({"Key": "preserve_client_ip.enabled", "Value": "false"})));
        assert!(web.contains(
            &json!({"Key": "load_balancing.cross_zone.enabled", "Value": "use_load_balancer_configuration"})
        ));
        assert!(get(&mut s, "dns").contains(&json!({"Key": "preserve_client_ip.enabled", "Value": "true"})));
        let gone = json!({"Action": "DescribeTargetGroupAttributes", "TargetGroupArn": "nope"});
        fails(&mut s, gone, codes::TARGET_GROUP_NOT_FOUND, "nope");
    }
}
