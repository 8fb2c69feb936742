//! `RegisterTargets {TargetGroupArn, Targets:[{Id, Port?}]}` → `{}`.
//!
//! In a target group of type `ip`, `Id` is an IP address inside the group's VPC CIDR, or (lab
//! convenience) an instance ID / Name in that VPC, standing for its address. In one of type
//! `instance`, `Id` is an instance ID (or Name) in that VPC: the target is its address, and
//! DescribeTargetHealth names it by the ID. `Port` defaults to the group's port.
//! Registering a registered target again changes nothing. New targets start `initial`; the
//! data plane's health checker owns the state from then on. A target group holds at most
//! [`MAX_TARGETS`] targets (`TooManyTargets`, and nothing is registered).

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::targets::targets;
use crate::error::{ApiError, codes};
use crate::model::{State, find_mut};

/// Targets one target group may hold (AWS's quota of targets per target group).
pub const MAX_TARGETS: usize = 1_000;

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let State { target_groups, vpcs, instances, .. } = state;
    let tg = find_mut(target_groups, &req.account, req.str("TargetGroupArn")?)?;
    let mut new = targets(req, tg, vpcs, instances)?;
    new.retain(|n| !tg.targets.iter().any(|t| t.same_as(n)));
    new.sort_unstable_by_key(|t| (t.ip, t.port));
    new.dedup_by_key(|t| (t.ip, t.port));
    let total = tg.targets.len() + new.len();
    if total > MAX_TARGETS {
        return Err(ApiError::new(
            codes::TOO_MANY_TARGETS,
            format!(
                "Registering {} more targets would give target group '{}' {total} targets; the limit is {MAX_TARGETS}",
                new.len(),
                tg.name
            ),
        ));
    }
    tg.targets.extend(new);
    Ok(Outcome::Answer(json!({})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::MAX_TARGETS;
    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{State, TargetHealth};

    #[test]
    fn registers_ips_and_instances_once() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        ok(&mut s, json!({"Action": "RunInstances", "SubnetId": p.subnets[1], "Name": "web-b"}));
        let reg = json!({"Action": "RegisterTargets", "TargetGroupArn": "web", "Targets": [{"Id": "web-b", "Port": 8080}, {"Id": "10.0.1.10"}]});
        ok(&mut s, reg.clone());
        ok(&mut s, reg);
        let tg = &s.target_groups[&p.tg];
        assert_eq!(tg.targets.len(), 2);
        assert_eq!((tg.targets[1].ip.to_string(), tg.targets[1].port), ("10.0.2.4".into(), 8080));
        assert_eq!(tg.targets[1].health, TargetHealth::Initial);
    }

    #[test]
    fn a_target_group_holds_at_most_max_targets() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let reg = |ports: std::ops::Range<u32>| {
            let targets: Vec<_> = ports.map(|port| json!({"Id": "10.0.1.10", "Port": port})).collect();
            json!({"Action": "RegisterTargets", "TargetGroupArn": p.tg, "Targets": targets})
        };
        let before = s.target_groups[&p.tg].targets.len();
        let room = (MAX_TARGETS - before) as u32;
        fails(&mut s, reg(2000..2001 + room), codes::TOO_MANY_TARGETS, "1001 targets; the limit is 1000");
        assert_eq!(s.target_groups[&p.tg].targets.len(), before, "nothing registered");
        ok(&mut s, reg(2000..2000 + room));
        assert_eq!(s.target_groups[&p.tg].targets.len(), MAX_TARGETS);
        // Registering registered targets again adds none, so it stays within the limit.
        ok(&mut s, reg(2000..2010));
        let e = fails(&mut s, reg(1000..1001), codes::TOO_MANY_TARGETS, "1001");
        assert!(e.message.contains(&format!("'{}'", s.target_groups[&p.tg].name)), "{}", e.message);
    }

    #[test]
    fn targets_must_be_in_the_vpc() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let reg =
            |id: &str| json!({"Action": "RegisterTargets", "TargetGroupArn": p.tg, "Targets": [{"Id": id}]});
        fails(&mut s, reg("192.0.2.1"), codes::INVALID_TARGET, "192.0.2.1");
        let other = vpc(&mut s, PROVIDER, "other", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &other, "o", "10.0.1.0/24", "us-east-1a");
        ok(&mut s, json!({"Action": "RunInstances", "SubnetId": sn, "Name": "elsewhere"}));
        fails(&mut s, reg("elsewhere"), codes::INVALID_TARGET, "elsewhere");
        fails(&mut s, reg("ghost"), codes::INVALID_INSTANCE_ID_NOT_FOUND, "ghost");
        fails(
            &mut s,
            json!({"Action": "RegisterTargets", "TargetGroupArn": p.tg}),
            codes::MISSING_PARAMETER,
            "Targets",
        );
        fails(
            &mut s,
            json!({"Action": "RegisterTargets", "TargetGroupArn": "x", "Targets": [{"Id": "10.0.1.9"}]}),
            codes::TARGET_GROUP_NOT_FOUND,
            "'x'",
        );
    }
}
