//! Security group rules as requests name them (`IpPermissions`, or one flat rule), and the
//! one body of AuthorizeSecurityGroupIngress/Egress and of RevokeSecurityGroupIngress/Egress,
//! which differ only in the [`Direction`] they change.
//!
//! Contract: a rule is IPv4 only (an IPv6 range is refused by Authorize* and reported as a rule
//! that does not exist by Revoke*); within one direction of a group rules stay unique
//! (`InvalidPermission.Duplicate`); a revoke removes only rules that exist, all or none
//! (`InvalidPermission.NotFound` / `InvalidSecurityGroupRuleId.NotFound`). Errors quote rules
//! the way AWS does ([`describe_rule`]). A `CidrIp` with host bits is stored truncated, as AWS
//! stores it (`10.0.1.7/24` is the rule `10.0.1.0/24`).

use serde_json::{Value, json};

use super::common::done;
use super::request::{Params, Request};
use super::validate::sg_protocol;
use super::view;
use crate::error::{ApiError, codes};
use crate::model::{Direction, SgProtocol, SgRule, State, find_mut};

/// The rules a request names (shared with the Revoke* operations), and the first IPv6 range it
/// names, if any: privlink's groups are IPv4-only, so Authorize* refuses IPv6 ranges and
/// Revoke* reports them as rules that do not exist (what Terraform expects when it revokes the
/// default IPv6 egress rule of a group without IPv6). Group references (`UserIdGroupPairs`) and
/// prefix lists are not supported.
pub fn rules(req: &Request) -> Result<(Vec<SgRule>, Option<String>), ApiError> {
    let perms = req.objects("IpPermissions")?;
    if perms.is_empty() {
        let (protocol, from_port, to_port) = protocol_and_ports(req)?;
        return Ok((
            vec![SgRule { protocol, from_port, to_port, cidr: req.cidr_normalised("CidrIp")? }],
            None,
        ));
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
            rules.push(SgRule { protocol, from_port, to_port, cidr: range.cidr_normalised("CidrIp")? });
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
    let sg = find_mut(&mut state.security_groups, &req.account, req.str("GroupId")?)?;
    let (new, ipv6) = rules(req)?;
    if let Some(range) = ipv6 {
        return Err(ApiError::invalid(format!(
            "The IPv6 range {range} cannot be authorized: privlink security groups are IPv4-only (no remote-ipv6-range rules)"
        )));
    }
    for (n, rule) in new.iter().enumerate() {
        if sg.rules(dir).contains(rule) || new[..n].contains(rule) {
            return Err(ApiError::new(
                codes::INVALID_PERMISSION_DUPLICATE,
                format!("the specified rule \"{}\" already exists in {}", describe_rule(rule), sg.id),
            ));
        }
    }
    sg.rules_mut(dir).extend(new.iter().cloned());
    let shown: Vec<Value> = new.iter().map(|r| view::security_group_rule(sg, dir, r)).collect();
    Ok(json!({"Return": true, "SecurityGroupRules": shown}))
}

/// Removes the rules `req` names from direction `dir` of its group.
pub fn revoke(state: &mut State, req: &Request, dir: Direction) -> Result<Value, ApiError> {
    let sg = find_mut(&mut state.security_groups, &req.account, req.str("GroupId")?)?;
    let id = sg.id.clone();
    let by_id = req.list("SecurityGroupRuleIds")?;
    let gone = if by_id.is_empty() {
        let (gone, ipv6) = rules(req)?;
        if let Some(range) = ipv6 {
            return Err(ApiError::new(
                codes::INVALID_PERMISSION_NOT_FOUND,
                format!(
                    "The specified rule (IPv6 range {range}) does not exist in {id}: privlink groups have IPv4 rules only"
                ),
            ));
        }
        if let Some(missing) = gone.iter().find(|r| !sg.rules(dir).contains(r)) {
            return Err(ApiError::new(
                codes::INVALID_PERMISSION_NOT_FOUND,
                format!("The specified rule \"{}\" does not exist in {id}", describe_rule(missing)),
            ));
        }
        gone
    } else {
        let mut gone = Vec::new();
        for rule_id in &by_id {
            let rule = sg.rules(dir).iter().find(|r| sg.rule_id(dir, r) == *rule_id).ok_or_else(|| {
                ApiError::new(
                    codes::INVALID_SECURITY_GROUP_RULE_ID_NOT_FOUND,
                    format!("The security group rule ID '{rule_id}' does not exist in {dir:?} rules of {id}"),
                )
            })?;
            gone.push(rule.clone());
        }
        gone
    };
    sg.rules_mut(dir).retain(|r| !gone.contains(r));
    Ok(done())
}
