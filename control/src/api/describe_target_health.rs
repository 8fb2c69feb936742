//! `DescribeTargetHealth {TargetGroupArn, Targets[{Id, Port?}]?}` →
//! `{"TargetHealthDescriptions":[{Target:{Id,Port}, HealthCheckPort, TargetHealth:{State}}]}`.
//! The state is whatever the data plane's health checker last recorded. With `Targets`, only
//! those, in that order; one that is not registered is `unused` with reason
//! `Target.NotRegistered` (as AWS answers, and as Terraform reads a removed attachment).

use serde_json::{Value, json};

use super::request::{Params, Request};
use super::targets::targets;
use super::view;
use crate::error::ApiError;
use crate::model::{State, Target, TargetHealth, find};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let tg = find(&state.target_groups, &req.account, req.str("TargetGroupArn")?)?;
    if req.raw("Targets").is_some() {
        let asked = targets(req, tg, &state.vpcs, &state.instances)?;
        let items: Vec<Value> = asked
            .iter()
            .map(|a| match tg.targets.iter().find(|t| t.same_as(a)) {
                Some(t) => view::target_health(tg, t),
                None => {
                    let mut v =
                        view::target_health(tg, &Target { health: TargetHealth::Unused, ..a.clone() });
                    v["TargetHealth"]["Reason"] = "Target.NotRegistered".into();
                    v["TargetHealth"]["Description"] = "Target is not registered to the target group".into();
                    v
                }
            })
            .collect();
        return Ok(json!({"TargetHealthDescriptions": items}));
    }
    let items: Vec<Value> = tg.targets.iter().map(|t| view::target_health(tg, t)).collect();
    Ok(json!({"TargetHealthDescriptions": items}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{State, TargetHealth};

    #[test]
    fn reports_the_recorded_health() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        s.target_groups.get_mut(&p.tg).unwrap().targets[0].health = TargetHealth::Unhealthy;
        let v = ok(&mut s, json!({"Action": "DescribeTargetHealth", "TargetGroupArn": "web"}));
        assert_eq!(
            v["TargetHealthDescriptions"][0],
            json!({"Target": {"Id": "10.0.1.10", "Port": 80}, "HealthCheckPort": "80", "TargetHealth": {"State": "unhealthy"}})
        );
        fails(&mut s, json!({"Action": "DescribeTargetHealth"}), codes::MISSING_PARAMETER, "TargetGroupArn");
    }

    #[test]
    fn named_targets_by_instance_id_and_unregistered_ones() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let tg = ok(
            &mut s,
            json!({"Action": "CreateTargetGroup", "Name": "byid", "Protocol": "TCP", "Port": 8080, "VpcId": "prov", "TargetType": "instance"}),
        );
        let arn = tg["TargetGroups"][0]["TargetGroupArn"].as_str().unwrap().to_owned();
        let run = ok(&mut s, json!({"Action": "RunInstances", "SubnetId": p.subnets[1]}));
        let id = run["Instances"][0]["InstanceId"].as_str().unwrap().to_owned();
        fails(
            &mut s,
            json!({"Action": "RegisterTargets", "TargetGroupArn": arn, "Targets": [{"Id": "10.0.1.10"}]}),
            codes::INVALID_TARGET,
            "target type instance",
        );
        ok(&mut s, json!({"Action": "RegisterTargets", "TargetGroupArn": arn, "Targets": [{"Id": id}]}));
        let one = json!({"Action": "DescribeTargetHealth", "TargetGroupArn": arn, "Targets": [{"Id": id, "Port": 8080}]});
        let v = ok(&mut s, one.clone());
        assert_eq!(v["TargetHealthDescriptions"][0]["Target"], json!({"Id": id, "Port": 8080}));
        assert_eq!(v["TargetHealthDescriptions"][0]["TargetHealth"]["State"], "initial");
        ok(&mut s, json!({"Action": "DeregisterTargets", "TargetGroupArn": arn, "Targets": [{"Id": id}]}));
        let v = ok(&mut s, one);
        assert_eq!(
            v["TargetHealthDescriptions"][0]["TargetHealth"],
            json!({"State": "unused", "Reason": "Target.NotRegistered", "Description": "Target is not registered to the target group"})
        );
        fails(
            &mut s,
            json!({"Action": "DescribeTargetHealth", "TargetGroupArn": arn, "Targets": [{"Id": "i-0000000000000dead"}]}),
            codes::INVALID_INSTANCE_ID_NOT_FOUND,
            "i-0000000000000dead",
        );
    }
}
