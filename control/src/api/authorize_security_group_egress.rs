//! `AuthorizeSecurityGroupEgress {GroupId, IpPermissions[] | IpProtocol, FromPort, ToPort,
//! CidrIp}` → `{"Return":true,"SecurityGroupRules":[…]}`.
//!
//! The outbound twin of AuthorizeSecurityGroupIngress (same rules, `IsEgress` true); the
//! destinations are the ranges. Egress rules are recorded, not enforced (see
//! [`crate::model::SecurityGroup`]).

use super::outcome::Outcome;
use super::permissions::authorize;
use super::request::Request;
use crate::error::ApiError;
use crate::model::{Direction, State};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    authorize(state, req, Direction::Egress).map(Outcome::Answer)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn new_groups_allow_all_egress_until_it_is_revoked() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let g = ok(&mut s, json!({"Action": "CreateSecurityGroup", "VpcId": "prov", "GroupName": "web"}));
        let g = g["GroupId"].as_str().unwrap().to_owned();
        let all = json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []});
        let describe = |s: &mut State| {
            ok(s, json!({"Action": "DescribeSecurityGroups", "GroupIds": [g]}))["SecurityGroups"][0].clone()
        };
        assert_eq!(describe(&mut s)["IpPermissionsEgress"], json!([all]));
        // What Terraform sends on create: the IPv4 default rule, then the IPv6 one (NotFound is expected).
        let tf_all =
            json!({"IpProtocol": "-1", "FromPort": 0, "ToPort": 0, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]});
        ok(&mut s, json!({"Action": "RevokeSecurityGroupEgress", "GroupId": g, "IpPermissions": [tf_all]}));
        let v6 =
            json!({"IpProtocol": "-1", "FromPort": 0, "ToPort": 0, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]});
        fails(
            &mut s,
            json!({"Action": "RevokeSecurityGroupEgress", "GroupId": g, "IpPermissions": [v6]}),
            codes::INVALID_PERMISSION_NOT_FOUND,
            "::/0",
        );
        assert_eq!(describe(&mut s)["IpPermissionsEgress"], json!([]));
        let https = json!({"Action": "AuthorizeSecurityGroupEgress", "GroupId": g, "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]});
        let v = ok(&mut s, https.clone());
        let rule = &v["SecurityGroupRules"][0];
        assert!(rule["SecurityGroupRuleId"].as_str().unwrap().starts_with("sgr-"));
        assert_eq!((rule["IsEgress"].as_bool(), rule["CidrIpv4"].as_str()), (Some(true), Some("10.0.0.0/8")));
        assert!(s.security_groups[&g].ingress.is_empty(), "egress rules stay out of the ingress list");
        fails(&mut s, https, codes::INVALID_PERMISSION_DUPLICATE, "10.0.0.0/8");
        let by_id = json!({"Action": "RevokeSecurityGroupEgress", "GroupId": g, "SecurityGroupRuleIds": [rule["SecurityGroupRuleId"]]});
        ok(&mut s, by_id.clone());
        fails(&mut s, by_id, codes::INVALID_SECURITY_GROUP_RULE_ID_NOT_FOUND, "sgr-");
    }
}
