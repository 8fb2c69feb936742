//! `AuthorizeSecurityGroupIngress {GroupId, IpPermissions[] | IpProtocol, FromPort, ToPort, CidrIp}`
//! → `{"Return":true,"SecurityGroupRules":[{SecurityGroupRuleId, GroupId, IsEgress, IpProtocol,
//! FromPort, ToPort, CidrIpv4}]}`. [`authorize`] also serves `AuthorizeSecurityGroupEgress`.
//!
//! Rules come either AWS-style (`IpPermissions: [{IpProtocol, FromPort, ToPort, IpRanges:
//! [{CidrIp}]}]`, one rule per range) or flat (one rule). Protocols: tcp, udp, icmp, -1 (all).
//! TCP/UDP need FromPort (ToPort defaults to it); ICMP ports are type/code (-1 = any).
//! A rule that already exists is `InvalidPermission.Duplicate`.

use super::outcome::Outcome;
use super::permissions::authorize;
use super::request::Request;
use crate::error::ApiError;
use crate::model::{Direction, State};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    authorize(state, req, Direction::Ingress).map(Outcome::Answer)
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
    fn host_bits_of_cidr_ip_are_cleared_as_aws_does() {
        let mut s = State::new();
        let g = group(&mut s);
        let v = ok(
            &mut s,
            json!({"Action": "AuthorizeSecurityGroupIngress", "GroupId": g, "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "192.168.1.77/24"}]}]}),
        );
        assert_eq!(v["SecurityGroupRules"][0]["CidrIpv4"], "192.168.1.0/24");
        assert!(s.security_groups[&g].ingress.iter().any(|r| r.cidr.to_string() == "192.168.1.0/24"));
        // The stored rule is the truncated one: the same rule written either way is a duplicate.
        fails(
            &mut s,
            json!({"Action": "AuthorizeSecurityGroupIngress", "GroupId": g, "IpProtocol": "tcp", "FromPort": 22, "CidrIp": "192.168.1.0/24"}),
            codes::INVALID_PERMISSION_DUPLICATE,
            "192.168.1.0/24",
        );
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
