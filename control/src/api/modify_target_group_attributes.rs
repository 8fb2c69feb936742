//! `ModifyTargetGroupAttributes {TargetGroupArn, Attributes:[{Key, Value}]}` →
//! `{"Attributes":[…all, after the change]}`.
//!
//! Keys and values per [`TARGET_GROUP`] (`InvalidConfigurationRequest` naming a bad key or value).
//! `load_balancing.cross_zone.enabled` `true`/`false` overrides the load balancer's cross-zone
//! setting for this group's new flows at once; `use_load_balancer_configuration` follows it again.

use super::attribute_specs::{TARGET_GROUP, target_group_value};
use super::elb_attributes::{answer, parse, record};
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let tg = find_mut(&mut state.target_groups, &req.account, req.str("TargetGroupArn")?)?;
    let changes = parse(req, TARGET_GROUP, "network load balancer target groups")?;
    for (spec, v) in changes {
        match spec.key {
            "load_balancing.cross_zone.enabled" => tg.cross_zone = v.parse().ok(),
            // Its default depends on the protocol, so it is kept even when it equals the table's.
            "preserve_client_ip.enabled" => {
                tg.attributes.insert(spec.key.to_owned(), v);
            }
            _ => record(&mut tg.attributes, spec, v),
        }
    }
    Ok(Outcome::Answer(answer(TARGET_GROUP, |s| target_group_value(tg, s))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    fn modify(tg: &str, attrs: serde_json::Value) -> serde_json::Value {
        json!({"Action": "ModifyTargetGroupAttributes", "TargetGroupArn": tg, "Attributes": attrs})
    }

    #[test]
    fn sets_recorded_and_wired_attributes() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let v = ok(
            &mut s,
            modify(
                &p.tg,
                json!([{"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
                                 {"Key": "preserve_client_ip.enabled", "Value": "true"},
                                 {"Key": "load_balancing.cross_zone.enabled", "Value": "true"},
                                 {"Key": "stickiness.enabled", "Value": "false"},
                                 {"Key": "proxy_protocol_v2.enabled", "Value": "false"}]),
            ),
        );
        let attrs = v["Attributes"].as_array().unwrap();
        assert!(attrs.contains(&json!({"Key": "deregistration_delay.timeout_seconds", "Value": "30"})));
        assert!(attrs.contains(&json!({"Key": "preserve_client_ip.enabled", "Value": "true"})));
        assert_eq!(s.target_groups[&p.tg].cross_zone, Some(true));
        ok(
            &mut s,
            modify(
                &p.tg,
                json!([{"Key": "load_balancing.cross_zone.enabled", "Value": "use_load_balancer_configuration"}]),
            ),
        );
        assert_eq!(s.target_groups[&p.tg].cross_zone, None);
        fails(
            &mut s,
            modify(&p.tg, json!([{"Key": "proxy_protocol_v2.enabled", "Value": "true"}])),
            codes::INVALID_CONFIGURATION_REQUEST,
            "proxy protocol",
        );
        fails(
            &mut s,
            modify(&p.tg, json!([{"Key": "stickiness.enabled", "Value": "true"}])),
            codes::INVALID_CONFIGURATION_REQUEST,
            "stickiness",
        );
        fails(
            &mut s,
            modify(&p.tg, json!([{"Key": "slow_start.duration_seconds", "Value": "30"}])),
            codes::INVALID_CONFIGURATION_REQUEST,
            "slow_start.duration_seconds",
        );
        fails(
            &mut s,
            modify(&p.tg, json!([{"Key": "deregistration_delay.timeout_seconds", "Value": "-1"}])),
            codes::INVALID_CONFIGURATION_REQUEST,
            "-1",
        );
    }
}
