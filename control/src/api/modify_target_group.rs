//! `ModifyTargetGroup {TargetGroupArn, HealthCheckProtocol?, HealthCheckPort?, HealthCheckPath?,
//! HealthCheckEnabled?, HealthCheckIntervalSeconds?, HealthCheckTimeoutSeconds?,
//! HealthyThresholdCount?, UnhealthyThresholdCount?, Matcher?}` → `{"TargetGroups":[{…}]}`.
//!
//! Changes the health check: each given setting under CreateTargetGroup's rules, the others
//! kept (a switch to HTTP gets path `/`). The health checker uses the new settings from its
//! next round.

use super::health_check::health_check;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let tg = find_mut(&mut state.target_groups, &req.account, req.str("TargetGroupArn")?)?;
    tg.health_check = health_check(req, Some(&tg.health_check))?;
    Ok(Outcome::TargetGroup(tg.arn.clone()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{HealthCheckPort, HealthCheckProtocol, State};

    #[test]
    fn changes_only_the_given_settings() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let modify = |extra: serde_json::Value| {
            let mut r = json!({"Action": "ModifyTargetGroup", "TargetGroupArn": "web"});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        let v = ok(&mut s, modify(json!({"HealthCheckIntervalSeconds": 20, "HealthyThresholdCount": 2})));
        assert_eq!(v["TargetGroups"][0]["HealthCheckIntervalSeconds"], 20);
        let hc = s.target_groups[&p.tg].health_check.clone();
        assert_eq!(
            (hc.interval_seconds, hc.timeout_seconds, hc.healthy_threshold, hc.unhealthy_threshold),
            (20, 10, 2, 3)
        );
        fails(
            &mut s,
            modify(json!({"HealthCheckIntervalSeconds": 9})),
            codes::INVALID_PARAMETER_VALUE,
            "must not exceed",
        );
        ok(&mut s, modify(json!({"HealthCheckTimeoutSeconds": 5, "HealthCheckIntervalSeconds": 10})));
        let v = ok(
            &mut s,
            modify(
                json!({"HealthCheckProtocol": "HTTP", "HealthCheckPort": "8081", "HealthCheckEnabled": true,
                          "Matcher": {"HttpCode": "200-399"}}),
            ),
        );
        assert_eq!(v["TargetGroups"][0]["Matcher"]["HttpCode"], "200-399");
        let hc = &s.target_groups[&p.tg].health_check;
        assert_eq!(
            (hc.protocol, hc.port, hc.path.as_deref(), hc.interval_seconds),
            (HealthCheckProtocol::Http, HealthCheckPort::Port(8081), Some("/"), 10)
        );
        fails(
            &mut s,
            modify(json!({"HealthCheckEnabled": false})),
            codes::INVALID_PARAMETER_VALUE,
            "HealthCheckEnabled",
        );
        fails(
            &mut s,
            modify(json!({"Matcher": {"HttpCode": "200"}})),
            codes::INVALID_PARAMETER_VALUE,
            "Matcher",
        );
        fails(
            &mut s,
            modify(json!({"HealthCheckProtocol": "HTTPS"})),
            codes::INVALID_PARAMETER_VALUE,
            "HTTPS",
        );
    }
}
