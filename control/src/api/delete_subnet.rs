//! `DeleteSubnet {SubnetId}` → `{"Return":true}`.
//!
//! Fails with `DependencyViolation` while instances, endpoint ENIs or NLB nodes use the subnet.
//! Drops the subnet's explicit route table association.

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let id = find(&state.subnets, &req.account, req.str("SubnetId")?)?.id.clone();
    let dependents: Vec<String> = state
        .instances
        .values()
        .filter(|i| i.subnet_id == id)
        .map(|i| i.id.clone())
        .chain(
            state
                .vpc_endpoints
                .values()
                .flat_map(|e| &e.network_interfaces)
                .filter(|n| n.subnet_id == id)
                .map(|n| n.id.clone()),
        )
        .chain(
            state
                .load_balancers
                .values()
                .filter(|lb| lb.nodes.iter().any(|n| n.subnet_id == id))
                .map(|lb| lb.arn.clone()),
        )
        .collect();
    if !dependents.is_empty() {
        return Err(ApiError::dependency(&format!("The subnet '{id}'"), &dependents));
    }
    for rt in state.route_tables.values_mut() {
        rt.associations.retain(|a| a.subnet_id != id);
    }
    state.subnets.remove(&id);
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_and_drops_the_association() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let rt = ok(&mut s, json!({"Action": "CreateRouteTable", "VpcId": v}));
        let rt = rt["RouteTable"]["RouteTableId"].as_str().unwrap().to_owned();
        ok(&mut s, json!({"Action": "AssociateRouteTable", "RouteTableId": rt, "SubnetId": sn}));
        ok(&mut s, json!({"Action": "DeleteSubnet", "SubnetId": "a"}));
        assert!(s.subnets.is_empty() && s.route_tables[&rt].associations.is_empty());
        fails(
            &mut s,
            json!({"Action": "DeleteSubnet", "SubnetId": sn}),
            codes::INVALID_SUBNET_ID_NOT_FOUND,
            &sn,
        );
    }

    #[test]
    fn refuses_while_an_instance_or_nlb_node_is_in_it() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let e = fails(
            &mut s,
            json!({"Action": "DeleteSubnet", "SubnetId": p.subnets[0]}),
            codes::DEPENDENCY_VIOLATION,
            &p.lb,
        );
        assert!(e.message.contains(&p.subnets[0]));
        let v = vpc(&mut s, PROVIDER, "x", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "x-a", "10.0.1.0/24", "us-east-1a");
        let i = ok(&mut s, json!({"Action": "RunInstances", "SubnetId": sn}));
        let i = i["Instances"][0]["InstanceId"].as_str().unwrap().to_owned();
        fails(&mut s, json!({"Action": "DeleteSubnet", "SubnetId": sn}), codes::DEPENDENCY_VIOLATION, &i);
    }
}
