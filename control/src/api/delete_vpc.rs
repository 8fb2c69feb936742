//! `DeleteVpc {VpcId}` → `{"Return":true}`.
//!
//! Fails with `DependencyViolation` naming every dependent resource (subnets, instances,
//! non-main route tables, non-default security groups, endpoints, load balancers, target
//! groups). Removes the VPC with its main route table and default security group.

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let vpc = find(&state.vpcs, &req.account, req.str("VpcId")?)?.clone();
    let mine = |vpc_id: &str| vpc_id == vpc.id;
    let dependents: Vec<String> = state
        .subnets
        .values()
        .filter(|s| mine(&s.vpc_id))
        .map(|s| s.id.clone())
        .chain(state.instances.values().filter(|i| mine(&i.vpc_id)).map(|i| i.id.clone()))
        .chain(state.route_tables.values().filter(|r| mine(&r.vpc_id) && !r.main).map(|r| r.id.clone()))
        .chain(
            state
                .security_groups
                .values()
                .filter(|g| mine(&g.vpc_id) && g.id != vpc.default_security_group)
                .map(|g| g.id.clone()),
        )
        .chain(state.vpc_endpoints.values().filter(|e| mine(&e.vpc_id)).map(|e| e.id.clone()))
        .chain(state.load_balancers.values().filter(|l| mine(&l.vpc_id)).map(|l| l.arn.clone()))
        .chain(state.target_groups.values().filter(|t| mine(&t.vpc_id)).map(|t| t.arn.clone()))
        .collect();
    if !dependents.is_empty() {
        return Err(ApiError::dependency(&format!("The vpc '{}'", vpc.id), &dependents));
    }
    state.route_tables.remove(&vpc.main_route_table);
    state.security_groups.remove(&vpc.default_security_group);
    state.vpcs.remove(&vpc.id);
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_an_empty_vpc_with_its_table_and_group() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        ok(&mut s, json!({"Action": "DeleteVpc", "VpcId": "a"}));
        assert!(s.vpcs.is_empty() && s.route_tables.is_empty() && s.security_groups.is_empty());
        fails(&mut s, json!({"Action": "DeleteVpc", "VpcId": v}), codes::INVALID_VPC_ID_NOT_FOUND, &v);
    }

    #[test]
    fn refuses_while_resources_depend_on_it() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "a1", "10.0.1.0/24", "us-east-1a");
        let e = fails(&mut s, json!({"Action": "DeleteVpc", "VpcId": v}), codes::DEPENDENCY_VIOLATION, &sn);
        assert!(e.message.contains(&v), "{}", e.message);
    }

    #[test]
    fn other_accounts_cannot_see_it() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        fails(
            &mut s,
            json!({"Action": "DeleteVpc", "Account": CONSUMER, "VpcId": v}),
            codes::INVALID_VPC_ID_NOT_FOUND,
            &v,
        );
    }
}
