//! `AuthorizeSecurityGroupIngress {GroupId, IpPermissions[] | IpProtocol, FromPort, ToPort, CidrIp}`
//! → `{"Return":true,"SecurityGroupRules":[{SecurityGroupRuleId, GroupId, IsEgress, IpProtocol,
//! FromPort, ToPort, CidrIpv4}]}`. [`authorize`] also serves `AuthorizeSecurityGroupEgress`.
//!
//! Rules come either AWS-style (`IpPermissions: [{IpProtocol, FromPort, ToPort, IpRanges:
//! [{CidrIp}]}]`, one rule per range) or flat (one rule). Protocols: tcp, udp, icmp, -1 (all).
//! TCP/UDP need FromPort (ToPort defaults to it); ICMP ports are type/code (-1 = any).
//! A rule that already exists is `InvalidPermission.Duplicate`.

use serde_json::{Value, json};

use super::request::{Params, Request};
use super::validate::sg_protocol;
use super::view;
use crate::error::{ApiError, codes};
use crate::model::{Direction, SgProtocol, SgRule, State, find};

/// The rules a request names (shared with the Revoke* operations), and the first IPv6 range it
/// names, if any: privlink's groups are IPv4-only, so Authorize* refuses IPv6 ranges and
/// Revoke* reports them as rules that do not exist (what Terraform expects when it revokes the
/// default IPv6 egress rule of a group without IPv6). Group references (`UserIdGroupPairs`) and
/// prefix lists are not supported.
pub fn rules(req: &Request) -> Result<(Vec<SgRule>, Option<String>), ApiError> {
    let perms = req.objects("IpPermissions")?;
    if perms.is_empty() {
        let (protocol, from_port, to_port) = protocol_and_ports(req)?;
        return Ok((vec![SgRule { protocol, from_port, to_port, cidr: req.cidr("CidrIp")? }], None));
    }
    let mut rules = Vec::new();
    let mut ipv6 = None;
    for perm in &perms {
        for key in ["UserIdGroupPairs", "PrefixListIds"] {
            if let Some(v) = perm.raw(key).filter(|v| v.as_array().is_some_and(|a| !a.is_empty())) {
                return Err(perm.bad(key, v, "privlink rules name IPv4 ranges (IpRanges) only"));
            }
        }
        let (protocol, from_port, to_port) = protocol_and_ports(perm)?;
        let ranges = perm.objects("IpRanges")?;
        let v6 = perm.objects("Ipv6Ranges")?;
        if ranges.is_empty() && v6.is_empty() {
            return Err(ApiError::missing(&perm.label("IpRanges")));
        }
        if let Some(r) = v6.first() {
            ipv6.get_or_insert(r.str("CidrIpv6")?.to_owned());
        }
        for range in &ranges {
            rules.push(SgRule { protocol, from_port, to_port, cidr: range.cidr("CidrIp")? });
        }
    }
    Ok((rules, ipv6))
}

fn protocol_and_ports(p: &impl Params) -> Result<(SgProtocol, i32, i32), ApiError> {
    let protocol = sg_protocol(p, "IpProtocol")?;
    let (from, to) = match protocol {
        SgProtocol::All => {
            // AWS ignores the ports of protocol -1 (Terraform and the console send 0).
            let _ = (p.raw("FromPort"), p.raw("ToPort"));
            (-1, -1)
        }
        SgProtocol::Icmp => {
            (p.int_opt("FromPort", -1..=255)?.unwrap_or(-1), p.int_opt("ToPort", -1..=255)?.unwrap_or(-1))
        }
        SgProtocol::Tcp | SgProtocol::Udp => {
            let from =
                p.int_opt("FromPort", 0..=65535)?.ok_or_else(|| ApiError::missing(&p.label("FromPort")))?;
            let to = p.int_opt("ToPort", 0..=65535)?.unwrap_or(from);
            if from > to {
                return Err(ApiError::invalid(format!(
                    "FromPort {from} is greater than ToPort {to} in {}; give the lower port first",
                    p.label("IpProtocol")
                )));
            }
            (from, to)
        }
    };
    Ok((protocol, from as i32, to as i32))
}

/// How AWS quotes a rule in `InvalidPermission.*` messages.
pub fn describe_rule(r: &SgRule) -> String {
    format!(
        "peer: {}, {}, from port: {}, to port: {}, ALLOW",
        r.cidr,
        view::permission(r)["IpProtocol"].as_str().unwrap_or("-1").to_uppercase(),
        r.from_port,
        r.to_port
    )
}

/// Adds the rules `req` names to direction `dir` of its group.
pub fn authorize(state: &mut State, req: &Request, dir: Direction) -> Result<Value, ApiError> {
    let id = find(&state.security_groups, &req.account, req.str("GroupId")?)?.id.clone();
    let (new, ipv6) = rules(req)?;
    if let Some(range) = ipv6 {
        return Err(ApiError::invalid(format!(
            "The IPv6 range {range} cannot be authorized: privlink security groups are IPv4-only (no remote-ipv6-range rules)"
        )));
    }
    let sg = state.security_groups.get_mut(&id).expect("found above");
    for (n, rule) in new.iter().enumerate() {
        if sg.rules(dir).contains(rule) || new[..n].contains(rule) {
            return Err(ApiError::new(
                codes::INVALID_PERMISSION_DUPLICATE,
                format!("the specified rule \"{}\" already exists in {id}", describe_rule(rule)),
            ));
        }
    }
    sg.rules_mut(dir).extend(new.iter().cloned());
    let shown: Vec<Value> = new.iter().map(|r| view::security_group_rule(sg, dir, r)).collect();
    Ok(json!({"Return": true, "SecurityGroupRules": shown}))
}

pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    authorize(state, req, Direction::Ingress)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    fn group(s: &mut State) -> String {
        vpc(s, PROVIDER, "prov", "10.0.0.0/16");
        let g = ok(s, json!({"Action": "CreateSecurityGroup", "VpcId": "prov", "GroupName": "web"}));
        g["GroupId"].as_str().unwrap().to_owned()
    }

    #[test]
    fn authorizes_flat_and_aws_style_rules() {
        let mut s = State::new();
        let g = group(&mut s);
        ok(
            &mut s,
            json!({"Action": "AuthorizeSecurityGroupIngress", "GroupId": "web", "IpProtocol": "tcp", "FromPort": 80, "CidrIp": "10.0.0.0/8"}),
        );
        let v = ok(
            &mut s,
            json!({"Action": "AuthorizeSecurityGroupIngress", "GroupId": g, "IpPermissions": [
                {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.1.0.0/16"}, {"CidrIp": "10.2.0.0/16"}]},
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "192.0.2.0/24"}]}]}),
        );
        assert_eq!(v["SecurityGroupRules"].as_array().unwrap().len(), 3);
        let sg = &s.security_groups[&g];
        assert_eq!(sg.ingress.len(), 4);
        assert!(
            sg.allows(6, 80, "10.9.9.9".parse().unwrap()) && !sg.allows(6, 81, "10.9.9.9".parse().unwrap())
        );
        assert!(sg.allows(17, 53, "10.2.0.1".parse().unwrap()));
    }

    #[test]
    fn rejects_duplicates_and_bad_rules() {
        let mut s = State::new();
        group(&mut s);
        let rule = json!({"Action": "AuthorizeSecurityGroupIngress", "GroupId": "web", "IpProtocol": "tcp", "FromPort": 443, "CidrIp": "10.0.0.0/8"});
        ok(&mut s, rule.clone());
        fails(&mut s, rule, codes::INVALID_PERMISSION_DUPLICATE, "peer: 10.0.0.0/8, TCP, from port: 443");
        let bad = |extra: serde_json::Value| {
            let mut r = json!({"Action": "AuthorizeSecurityGroupIngress", "GroupId": "web", "IpProtocol": "tcp", "FromPort": 1, "CidrIp": "10.0.0.0/8"});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        fails(&mut s, bad(json!({"IpProtocol": "gre"})), codes::INVALID_PARAMETER_VALUE, "gre");
        fails(&mut s, bad(json!({"FromPort": 90, "ToPort": 80})), codes::INVALID_PARAMETER_VALUE, "90");
        fails(&mut s, bad(json!({"FromPort": 70000})), codes::INVALID_PARAMETER_VALUE, "70000");
        fails(&mut s, bad(json!({"CidrIp": "10.0.0.0/33"})), codes::INVALID_PARAMETER_VALUE, "10.0.0.0/33");
        fails(&mut s, bad(json!({"GroupId": "sg-0"})), codes::INVALID_GROUP_NOT_FOUND, "sg-0");
        let v6 = json!({"Action": "AuthorizeSecurityGroupIngress", "GroupId": "web", "IpPermissions": [
            {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]});
        fails(&mut s, v6, codes::INVALID_PARAMETER_VALUE, "::/0");
        let pairs = json!({"Action": "AuthorizeSecurityGroupIngress", "GroupId": "web", "IpPermissions": [
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1"}]}]});
        fails(&mut s, pairs, codes::INVALID_PARAMETER_VALUE, "UserIdGroupPairs");
    }
}
