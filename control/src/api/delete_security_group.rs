//! `DeleteSecurityGroup {GroupId}` → `{"Return":true}`.
//!
//! The default group of a VPC cannot be deleted (`CannotDelete`); a group still guarding an
//! endpoint cannot either (`DependencyViolation`).

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let sg = find(&state.security_groups, &req.account, req.str("GroupId")?)?;
    if state.vpcs.get(&sg.vpc_id).is_some_and(|v| v.default_security_group == sg.id) {
        return Err(ApiError::new(
            codes::CANNOT_DELETE,
            format!(
                "The security group '{}' is the default group of {} and cannot be deleted",
                sg.id, sg.vpc_id
            ),
        ));
    }
    let users: Vec<String> = state
        .vpc_endpoints
        .values()
        .filter(|e| e.security_group_ids.contains(&sg.id))
        .map(|e| e.id.clone())
        .collect();
    if !users.is_empty() {
        return Err(ApiError::dependency(&format!("The security group '{}'", sg.id), &users));
    }
    let id = sg.id.clone();
    state.security_groups.remove(&id);
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_unused_groups_only() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, subnets) = consumer(&mut s, "a");
        let sg = ok(
            &mut s,
            json!({"Action": "CreateSecurityGroup", "Account": CONSUMER, "VpcId": v, "GroupName": "ep"}),
        );
        let sg = sg["GroupId"].as_str().unwrap().to_owned();
        let default = s.vpcs[&v].default_security_group.clone();
        let delete = |g: &str| json!({"Action": "DeleteSecurityGroup", "Account": CONSUMER, "GroupId": g});
        fails(&mut s, delete(&default), codes::CANNOT_DELETE, &default);
        let ep = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": v, "ServiceName": p.service_name,
                   "VpcEndpointType": "Interface", "SubnetIds": [subnets[0]], "SecurityGroupIds": ["ep"]}),
        );
        let ep = ep["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_owned();
        fails(&mut s, delete(&sg), codes::DEPENDENCY_VIOLATION, &ep);
        ok(&mut s, json!({"Action": "DeleteVpcEndpoints", "Account": CONSUMER, "VpcEndpointIds": [ep]}));
        ok(&mut s, delete("ep"));
        fails(&mut s, delete(&sg), codes::INVALID_GROUP_NOT_FOUND, &sg);
    }
}
