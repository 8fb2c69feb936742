//! `CreateTargetGroup {Name, Protocol, Port, VpcId, TargetType?, HealthCheck…}` →
//! `{"TargetGroups":[{…}]}`.
//!
//! Target type `ip` (default) or `instance` (targets registered by instance ID; `alb` and
//! `lambda` are `InvalidParameterValue`). Protocol TCP, UDP or TCP_UDP. Health check parameters and defaults
//! (AWS NLB ranges): `HealthCheckProtocol` TCP (default) | HTTP; `HealthCheckPort`
//! "traffic-port" (default) | port; `HealthCheckPath` (HTTP only, default `/`);
//! `HealthCheckIntervalSeconds` 5–300 (30); `HealthCheckTimeoutSeconds` 2–120 (10 TCP, 6 HTTP),
//! at most the interval (Terraform's `interval = 10` keeps the default timeout 10); `HealthyThresholdCount` / `UnhealthyThresholdCount` 2–10 (3 / 3).
//! Names are unique per account (`DuplicateTargetGroupName`).

use super::health_check::health_check;
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::elb_tags_on_create;
use super::validate::{elb_name, elb_protocol};
use crate::error::{ApiError, codes};
use crate::ids;
use crate::model::{State, TargetGroup, TargetType, find, visible};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let name = elb_name(req, "Target group")?;
    if visible(&state.target_groups, &req.account).any(|tg| tg.name == name) {
        return Err(ApiError::new(
            codes::DUPLICATE_TARGET_GROUP_NAME,
            format!("A target group with the name '{name}' already exists"),
        ));
    }
    let target_type = match req.str_opt("TargetType")? {
        None | Some("ip") => TargetType::Ip,
        Some("instance") => TargetType::Instance,
        Some(t) => {
            return Err(req.bad(
                "TargetType",
                &t.into(),
                "privlink target groups have target type ip or instance",
            ));
        }
    };
    let tg = TargetGroup {
        arn: ids::target_group_arn(&state.region, &req.account, &name),
        owner: req.account.clone(),
        name,
        vpc_id: find(&state.vpcs, &req.account, req.str("VpcId")?)?.id.clone(),
        target_type,
        protocol: elb_protocol(req, "Protocol")?,
        port: req.port("Port")?,
        health_check: health_check(req, None)?,
        targets: Vec::new(),
        cross_zone: None,
        attributes: Default::default(),
        tags: elb_tags_on_create(req)?,
    };
    let arn = tg.arn.clone();
    state.target_groups.insert(tg.arn.clone(), tg);
    Ok(Outcome::TargetGroup(arn))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{HealthCheckPort, HealthCheckProtocol, State};

    fn create(extra: serde_json::Value) -> serde_json::Value {
        let mut r = json!({"Action": "CreateTargetGroup", "Name": "web", "Protocol": "TCP", "Port": 80, "VpcId": "prov"});
        r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        r
    }

    #[test]
    fn defaults_follow_aws_nlb() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let v = ok(&mut s, create(json!({})));
        let tg = &v["TargetGroups"][0];
        assert_eq!(tg["HealthCheckPort"], "traffic-port");
        assert_eq!(tg["HealthCheckIntervalSeconds"], 30);
        assert_eq!(tg["HealthCheckTimeoutSeconds"], 10);
        assert_eq!(tg["TargetType"], "ip");
        let by_instance = ok(&mut s, create(json!({"Name": "byid", "TargetType": "instance"})));
        assert_eq!(by_instance["TargetGroups"][0]["TargetType"], "instance");
        let http = ok(
            &mut s,
            create(
                json!({"Name": "api", "Protocol": "tcp_udp", "HealthCheckProtocol": "HTTP", "HealthCheckPort": "8080"}),
            ),
        );
        let arn = http["TargetGroups"][0]["TargetGroupArn"].as_str().unwrap();
        let hc = &s.target_groups[arn].health_check;
        assert_eq!(
            (hc.protocol, hc.port, hc.path.as_deref()),
            (HealthCheckProtocol::Http, HealthCheckPort::Port(8080), Some("/"))
        );
    }

    #[test]
    fn names_are_validated_in_aws_words() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let long = "a".repeat(33);
        for (name, sentence) in [
            (long.as_str(), format!("Target group name '{long}' cannot be longer than '32' characters")),
            (
                "web_tg",
                "Target group name 'web_tg' can only contain characters that are alphanumeric characters or hyphens(-)"
                    .into(),
            ),
            ("-web", "Target group name '-web' cannot begin or end with '-'".into()),
            ("web-", "Target group name 'web-' cannot begin or end with '-'".into()),
        ] {
            let e = fails(&mut s, create(json!({"Name": name})), codes::VALIDATION_ERROR, name);
            assert!(e.message.starts_with(&sentence), "{}", e.message);
        }
        ok(&mut s, create(json!({"Name": "a".repeat(32)})));
    }

    #[test]
    fn rejects_bad_settings() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        ok(&mut s, create(json!({})));
        fails(&mut s, create(json!({})), codes::DUPLICATE_TARGET_GROUP_NAME, "web");
        fails(
            &mut s,
            create(json!({"Name": "x", "Protocol": "HTTP"})),
            codes::INVALID_PARAMETER_VALUE,
            "HTTP",
        );
        fails(&mut s, create(json!({"Name": "x", "Port": 0})), codes::INVALID_PARAMETER_VALUE, "Port");
        fails(
            &mut s,
            create(json!({"Name": "x", "HealthCheckIntervalSeconds": 4})),
            codes::INVALID_PARAMETER_VALUE,
            "HealthCheckIntervalSeconds",
        );
        fails(
            &mut s,
            create(json!({"Name": "x", "HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 11})),
            codes::INVALID_PARAMETER_VALUE,
            "must not exceed HealthCheckIntervalSeconds 10",
        );
        fails(
            &mut s,
            create(json!({"Name": "x", "HealthCheckPath": "/health"})),
            codes::INVALID_PARAMETER_VALUE,
            "/health",
        );
        fails(
            &mut s,
            create(json!({"Name": "x", "TargetType": "alb"})),
            codes::INVALID_PARAMETER_VALUE,
            "alb",
        );
        fails(&mut s, create(json!({"Name": "x", "VpcId": "nope"})), codes::INVALID_VPC_ID_NOT_FOUND, "nope");
    }
}
