//! `DescribeSecurityGroupRules {SecurityGroupRuleIds[]?, Filters[]?, MaxResults?, NextToken?}` →
//! `{"SecurityGroupRules":[{SecurityGroupRuleId, GroupId, GroupOwnerId, IsEgress, IpProtocol,
//! FromPort, ToPort, CidrIpv4}], "NextToken"?}`.
//!
//! Every ingress and egress rule of the caller's groups. Rule IDs are derived from the group and
//! the rule ([`crate::model::SecurityGroup::rule_id`]). A named ID the caller does not have is
//! `InvalidSecurityGroupRuleId.NotFound`. Filters: `group-id`, `security-group-rule-id`, tags; a
//! `group-id` value that is neither a group ID nor a pattern is `InvalidGroupId.Malformed`.

use serde_json::Value;

use super::describe::{EC2_PAGING, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::{ApiError, codes};
use crate::model::{Direction, State, visible};

pub const LISTING: Listing = Listing {
    member: "SecurityGroupRules",
    key: &["SecurityGroupRuleId"],
    filters: &[("group-id", "GroupId"), ("security-group-rule-id", "SecurityGroupRuleId")],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING),
};

/// AWS's shape of a security group ID: `sg-` and 8 or 17 lowercase hex digits.
fn is_group_id(s: &str) -> bool {
    s.strip_prefix("sg-").is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17)
            && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    for f in req.objects("Filters")? {
        if f.str_opt("Name")? != Some("group-id") {
            continue;
        }
        // A pattern (`sg-*`) is matched, not checked; a plain value must be a group ID.
        if let Some(bad) = f.list("Values")?.into_iter().find(|v| !v.contains(['*', '?']) && !is_group_id(v))
        {
            return Err(ApiError::new(
                codes::INVALID_GROUP_ID_MALFORMED,
                format!("Invalid id: \"{bad}\" (expecting \"sg-...\")"),
            ));
        }
    }
    let mut all: Vec<Value> = Vec::new();
    for sg in visible(&state.security_groups, &req.account) {
        for dir in [Direction::Ingress, Direction::Egress] {
            all.extend(sg.rules(dir).iter().map(|r| view::security_group_rule(sg, dir, r)));
        }
    }
    let wanted = req.list("SecurityGroupRuleIds")?;
    if let Some(missing) =
        wanted.iter().find(|id| !all.iter().any(|r| r["SecurityGroupRuleId"] == id.as_str()))
    {
        return Err(ApiError::new(
            codes::INVALID_SECURITY_GROUP_RULE_ID_NOT_FOUND,
            format!("The security group rule ID '{missing}' does not exist"),
        ));
    }
    if !wanted.is_empty() {
        all.retain(|r| wanted.iter().any(|id| r["SecurityGroupRuleId"] == id.as_str()));
    }
    LISTING.answer(req, all)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn lists_both_directions_with_stable_ids() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let default = s.vpcs[&v].default_security_group.clone();
        let by_group = json!({"Action": "DescribeSecurityGroupRules", "Filters": [{"Name": "group-id", "Values": [default]}]});
        let rules = ok(&mut s, by_group.clone())["SecurityGroupRules"].as_array().unwrap().clone();
        assert_eq!(rules.len(), 2);
        let egress = rules.iter().find(|r| r["IsEgress"] == true).unwrap();
        assert_eq!(
            (egress["IpProtocol"].as_str(), egress["CidrIpv4"].as_str()),
            (Some("-1"), Some("0.0.0.0/0"))
        );
        let ingress = rules.iter().find(|r| r["IsEgress"] == false).unwrap();
        assert_eq!(ingress["CidrIpv4"], "10.0.0.0/16");
        assert_eq!(ok(&mut s, by_group)["SecurityGroupRules"].as_array().unwrap(), &rules, "IDs are stable");
        let one = ok(
            &mut s,
            json!({"Action": "DescribeSecurityGroupRules", "SecurityGroupRuleIds": [egress["SecurityGroupRuleId"]]}),
        );
        assert_eq!(one["SecurityGroupRules"].as_array().unwrap().len(), 1);
        let theirs = json!({"Action": "DescribeSecurityGroupRules", "Account": CONSUMER, "SecurityGroupRuleIds": [egress["SecurityGroupRuleId"]]});
        fails(&mut s, theirs, codes::INVALID_SECURITY_GROUP_RULE_ID_NOT_FOUND, "sgr-");
    }

    #[test]
    fn a_malformed_group_id_filter_value_is_malformed() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let by = |value: &str| json!({"Action": "DescribeSecurityGroupRules", "Filters": [{"Name": "group-id", "Values": [value]}]});
        let e = fails(&mut s, by("default"), codes::INVALID_GROUP_ID_MALFORMED, "default");
        assert!(e.message.starts_with(r#"Invalid id: "default" (expecting "sg-...")"#), "{}", e.message);
        fails(&mut s, by("sg-12"), codes::INVALID_GROUP_ID_MALFORMED, "sg-12");
        assert_eq!(ok(&mut s, by("sg-0123456789abcdef0"))["SecurityGroupRules"], json!([]));
        assert_eq!(ok(&mut s, by("sg-*"))["SecurityGroupRules"].as_array().unwrap().len(), 2);
    }
}
