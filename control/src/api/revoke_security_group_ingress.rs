//! `RevokeSecurityGroupIngress` — same parameters as `AuthorizeSecurityGroupIngress` →
//! `{"Return":true}`. Every named rule must exist (`InvalidPermission.NotFound`).

use serde_json::Value;

use super::authorize_security_group_ingress::{describe_rule, rules};
use super::common::done;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    let id = find(&state.security_groups, &req.account, req.str("GroupId")?)?.id.clone();
    let gone = rules(req)?;
    let sg = state.security_groups.get_mut(&id).expect("found above");
    if let Some(missing) = gone.iter().find(|r| !sg.ingress.contains(r)) {
        return Err(ApiError::new(
            codes::INVALID_PERMISSION_NOT_FOUND,
            format!("The specified rule \"{}\" does not exist in {id}", describe_rule(missing)),
        ));
    }
    sg.ingress.retain(|r| !gone.contains(r));
    Ok(done())
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
