//! `DescribeTargetGroupAttributes {TargetGroupArn}` → `{"Attributes":[{Key, Value}]}`.
//!
//! Every attribute of [`SPECS`] (the keys AWS has for network load balancer target groups),
//! with the group's value or AWS's default (`preserve_client_ip.enabled` defaults to true for
//! UDP and TCP_UDP groups, false for TCP, as for AWS's ip targets).

use serde_json::Value;

use super::elb_attributes::{Kind, Spec, answer, recorded};
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{ElbProtocol, State, TargetGroup, find};

const NO_STICKINESS: &str =
    "privlink balances every flow by its own 5-tuple; source-IP stickiness is not emulated";
const NO_HEALTH_THRESHOLDS: &str =
    "privlink routes to the healthy targets and fails open when none is, without thresholds";

/// The attributes of a target group. Wired: `load_balancing.cross_zone.enabled` (overrides the
/// load balancer's setting for this group's flows). Recorded only: deregistration delay and
/// connection termination (deregistered targets leave at once), `preserve_client_ip.enabled`
/// (traffic through PrivateLink always arrives from NLB node addresses, on AWS as in privlink).
/// Anything privlink would have to act on but does not is accepted only at its default.
pub const SPECS: &[Spec] = &[
    Spec { key: "deregistration_delay.timeout_seconds", default: "300", kind: Kind::Int(0, 3600) },
    Spec { key: "deregistration_delay.connection_termination.enabled", default: "false", kind: Kind::Bool },
    Spec { key: "preserve_client_ip.enabled", default: "false", kind: Kind::Bool },
    Spec {
        key: "proxy_protocol_v2.enabled",
        default: "false",
        kind: Kind::DefaultOnly("privlink sends no proxy protocol header"),
    },
    Spec { key: "stickiness.enabled", default: "false", kind: Kind::DefaultOnly(NO_STICKINESS) },
    Spec { key: "stickiness.type", default: "source_ip", kind: Kind::OneOf(&["source_ip"]) },
    Spec {
        key: "load_balancing.cross_zone.enabled",
        default: "use_load_balancer_configuration",
        kind: Kind::OneOf(&["true", "false", "use_load_balancer_configuration"]),
    },
    Spec {
        key: "target_health_state.unhealthy.connection_termination.enabled",
        default: "true",
        kind: Kind::Bool,
    },
    Spec {
        key: "target_health_state.unhealthy.draining_interval_seconds",
        default: "0",
        kind: Kind::Int(0, 360_000),
    },
    Spec {
        key: "target_group_health.dns_failover.minimum_healthy_targets.count",
        default: "1",
        kind: Kind::DefaultOnly(NO_HEALTH_THRESHOLDS),
    },
    Spec {
        key: "target_group_health.dns_failover.minimum_healthy_targets.percentage",
        default: "off",
        kind: Kind::DefaultOnly(NO_HEALTH_THRESHOLDS),
    },
    Spec {
        key: "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
        default: "1",
        kind: Kind::DefaultOnly(NO_HEALTH_THRESHOLDS),
    },
    Spec {
        key: "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
        default: "off",
        kind: Kind::DefaultOnly(NO_HEALTH_THRESHOLDS),
    },
];

/// The current value of attribute `spec` of `tg`.
pub fn value(tg: &TargetGroup, spec: &Spec) -> String {
    match spec.key {
        "load_balancing.cross_zone.enabled" => {
            tg.cross_zone.map_or_else(|| spec.default.to_owned(), |on| on.to_string())
        }
        "preserve_client_ip.enabled" => tg
            .attributes
            .get(spec.key)
            .cloned()
            .unwrap_or_else(|| (tg.protocol != ElbProtocol::Tcp).to_string()),
        _ => recorded(&tg.attributes, spec),
    }
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let tg = find(&state.target_groups, &req.account, req.str("TargetGroupArn")?)?;
    Ok(answer(SPECS, |s| value(tg, s)))
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
        assert_eq!(web.len(), super::SPECS.len());
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
