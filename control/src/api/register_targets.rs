//! `RegisterTargets {TargetGroupArn, Targets:[{Id, Port?}]}` → `{}`.
//!
//! `Id` is an IP address inside the target group's VPC CIDR, or (lab convenience) an instance
//! ID / Name in that VPC, standing for its address. `Port` defaults to the group's port.
//! Registering a registered target again changes nothing. New targets start `healthy`; the
//! data plane's health checker owns the state from then on.

use std::net::Ipv4Addr;

use serde_json::{Value, json};

use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, Target, TargetGroup, TargetHealth, find};

/// The (address, port) pairs a request's `Targets` name (shared with `DeregisterTargets`).
pub fn targets(state: &State, req: &Request, tg: &TargetGroup) -> Result<Vec<(Ipv4Addr, u16)>, ApiError> {
    let items = req.objects("Targets")?;
    if items.is_empty() {
        return Err(ApiError::missing("Targets"));
    }
    let vpc = &state.vpcs[&tg.vpc_id];
    items
        .iter()
        .map(|t| {
            let id = t.str("Id")?;
            let ip = match id.parse::<Ipv4Addr>() {
                Ok(ip) => ip,
                Err(_) => {
                    let i = find(&state.instances, &req.account, id)?;
                    if i.vpc_id != tg.vpc_id {
                        return Err(ApiError::new(
                            codes::INVALID_TARGET,
                            format!(
                                "The instance '{id}' is in {}, not in the target group's VPC {}",
                                i.vpc_id, tg.vpc_id
                            ),
                        ));
                    }
                    i.ip
                }
            };
            if !vpc.cidr.contains(&ip) {
                return Err(ApiError::new(
                    codes::INVALID_TARGET,
                    format!(
                        "The IP address '{ip}' is not within the CIDR {} of the target group's VPC {}",
                        vpc.cidr, vpc.id
                    ),
                ));
            }
            Ok((ip, t.port_opt("Port")?.unwrap_or(tg.port)))
        })
        .collect()
}

pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    let tg = find(&state.target_groups, &req.account, req.str("TargetGroupArn")?)?;
    let new = targets(state, req, tg)?;
    let arn = tg.arn.clone();
    let tg = state.target_groups.get_mut(&arn).expect("found above");
    for (ip, port) in new {
        if !tg.targets.iter().any(|t| t.ip == ip && t.port == port) {
            tg.targets.push(Target { ip, port, health: TargetHealth::Initial });
        }
    }
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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
