//! `RevokeSecurityGroupIngress` — same parameters as `AuthorizeSecurityGroupIngress`, or
//! `GroupId` + `SecurityGroupRuleIds[]` → `{"Return":true}`. Every named rule must exist
//! (`InvalidPermission.NotFound` / `InvalidSecurityGroupRuleId.NotFound`). [`revoke`] also
//! serves `RevokeSecurityGroupEgress`.

use serde_json::Value;

use super::authorize_security_group_ingress::{describe_rule, rules};
use super::common::done;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{Direction, State, find};

/// Removes the rules `req` names from direction `dir` of its group.
pub fn revoke(state: &mut State, req: &Request, dir: Direction) -> Result<Value, ApiError> {
    let id = find(&state.security_groups, &req.account, req.str("GroupId")?)?.id.clone();
    let sg = state.security_groups.get_mut(&id).expect("found above");
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

pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    revoke(state, req, Direction::Ingress)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn revokes_existing_rules_only() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let default = s.vpcs[&v].default_security_group.clone();
        let rule = |action: &str| json!({"Action": action, "GroupId": default, "IpProtocol": "-1", "CidrIp": "10.0.0.0/16"});
        ok(&mut s, rule("RevokeSecurityGroupIngress"));
        assert!(s.security_groups[&default].ingress.is_empty());
        fails(
            &mut s,
            rule("RevokeSecurityGroupIngress"),
            codes::INVALID_PERMISSION_NOT_FOUND,
            "peer: 10.0.0.0/16, -1",
        );
        ok(&mut s, rule("AuthorizeSecurityGroupIngress"));
    }
}
