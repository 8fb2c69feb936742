//! `RevokeSecurityGroupIngress` — same parameters as `AuthorizeSecurityGroupIngress`, or
//! `GroupId` + `SecurityGroupRuleIds[]` → `{"Return":true}`. Every named rule must exist
//! (`InvalidPermission.NotFound` / `InvalidSecurityGroupRuleId.NotFound`). [`revoke`] also
//! serves `RevokeSecurityGroupEgress`.

use super::outcome::Outcome;
use super::permissions::revoke;
use super::request::Request;
use crate::error::ApiError;
use crate::model::{Direction, State};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    revoke(state, req, Direction::Ingress).map(Outcome::Answer)
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
