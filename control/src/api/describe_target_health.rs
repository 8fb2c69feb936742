//! `DescribeTargetHealth {TargetGroupArn}` → `{"TargetHealthDescriptions":[{Target:{Id,Port},
//! HealthCheckPort, TargetHealth:{State}}]}`. The state is whatever the data plane's health
//! checker last recorded.

use serde_json::{Value, json};

use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, find};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let tg = find(&state.target_groups, &req.account, req.str("TargetGroupArn")?)?;
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
}
