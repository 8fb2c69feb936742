//! `ModifyVpcEndpoint {VpcEndpointId, …}` → `{"Return":true}`.
//!
//! Gateway endpoints: `AddRouteTableIds[]` / `RemoveRouteTableIds[]` — the endpoint's
//! `pl-… → vpce-…` route is added to / removed from each table (same VPC; a table already
//! routing the prefix list elsewhere → `RouteAlreadyExists`).
//! Interface endpoints: `AddSecurityGroupIds[]` / `RemoveSecurityGroupIds[]` (at least one group
//! must remain). Removing something the endpoint does not have is `InvalidParameterValue`.
//! (Adding or removing subnets of an interface endpoint is not supported yet.)

use serde_json::Value;

use super::common::{
    add_gateway_route, done, remove_gateway_routes, route_tables_in_vpc, security_groups_in_vpc,
};
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{EndpointType, State, VpcEndpoint, find};

fn not_attached(kind: &str, id: &str, ep: &VpcEndpoint, have: &[String]) -> ApiError {
    ApiError::invalid(format!("{kind} {id} is not attached to {}; it has [{}]", ep.id, have.join(", ")))
}

pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    let mut ep = find(&state.vpc_endpoints, &req.account, req.str("VpcEndpointId")?)?.clone();
    match ep.endpoint_type {
        EndpointType::Gateway => {
            let add = route_tables_in_vpc(state, req, "AddRouteTableIds", &ep.vpc_id)?;
            let remove = route_tables_in_vpc(state, req, "RemoveRouteTableIds", &ep.vpc_id)?;
            if add.is_empty() && remove.is_empty() {
                return Err(ApiError::missing("AddRouteTableIds or RemoveRouteTableIds"));
            }
            if let Some(rt) = remove.iter().find(|rt| !ep.route_table_ids.contains(rt)) {
                return Err(not_attached("Route table", rt, &ep, &ep.route_table_ids));
            }
            let pl = ep.prefix_list_id.clone().expect("gateway endpoints have a prefix list");
            for rt in &remove {
                remove_gateway_routes(state, rt, &ep.id);
            }
            ep.route_table_ids.retain(|rt| !remove.contains(rt));
            for rt in add {
                if ep.route_table_ids.contains(&rt) {
                    continue;
                }
                add_gateway_route(state, &rt, &pl, &ep.id)?;
                ep.route_table_ids.push(rt);
            }
        }
        EndpointType::Interface => {
            let add = security_groups_in_vpc(state, req, "AddSecurityGroupIds", &ep.vpc_id)?;
            let remove = security_groups_in_vpc(state, req, "RemoveSecurityGroupIds", &ep.vpc_id)?;
            if add.is_empty() && remove.is_empty() {
                return Err(ApiError::missing("AddSecurityGroupIds or RemoveSecurityGroupIds"));
            }
            if let Some(sg) = remove.iter().find(|sg| !ep.security_group_ids.contains(sg)) {
                return Err(not_attached("Security group", sg, &ep, &ep.security_group_ids));
            }
            ep.security_group_ids.retain(|sg| !remove.contains(sg));
            for sg in add {
                if !ep.security_group_ids.contains(&sg) {
                    ep.security_group_ids.push(sg);
                }
            }
            if ep.security_group_ids.is_empty() {
                return Err(ApiError::invalid(format!(
                    "Endpoint {} must keep at least one security group",
                    ep.id
                )));
            }
        }
    }
    state.vpc_endpoints.insert(ep.id.clone(), ep);
    Ok(done())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{Destination, State};

    #[test]
    fn gateway_routes_follow_the_route_tables() {
        let mut s = State::new();
        let (v, [a, _]) = consumer(&mut s, "a");
        ok(&mut s, json!({"Action": "CreateRouteTable", "Account": CONSUMER, "VpcId": v, "Name": "private"}));
        ok(
            &mut s,
            json!({"Action": "AssociateRouteTable", "Account": CONSUMER, "RouteTableId": "private", "SubnetId": a}),
        );
        let r = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": v, "ServiceName": "com.amazonaws.us-east-1.s3"}),
        );
        let ep = r["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_owned();
        let pl = Destination::PrefixList(s.vpc_endpoints[&ep].prefix_list_id.clone().unwrap());
        let modify = |key: &str| json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep, key: ["private"]});
        ok(&mut s, modify("AddRouteTableIds"));
        assert!(s.route_table_for_subnet(&a).unwrap().route(&pl).is_some());
        ok(&mut s, modify("AddRouteTableIds"));
        assert_eq!(s.vpc_endpoints[&ep].route_table_ids.len(), 1);
        ok(&mut s, modify("RemoveRouteTableIds"));
        assert!(s.route_table_for_subnet(&a).unwrap().route(&pl).is_none());
        assert!(s.vpc_endpoints[&ep].route_table_ids.is_empty());
        fails(&mut s, modify("RemoveRouteTableIds"), codes::INVALID_PARAMETER_VALUE, "is not attached");
        let mut mixed = modify("AddRouteTableIds");
        mixed["AddSecurityGroupIds"] = json!(["default"]);
        fails(&mut s, mixed, codes::UNKNOWN_PARAMETER, "AddSecurityGroupIds");
    }

    #[test]
    fn interface_security_groups_can_change_but_not_vanish() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, [a, _]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a], &p.service_name);
        ok(
            &mut s,
            json!({"Action": "CreateSecurityGroup", "Account": CONSUMER, "VpcId": v, "GroupName": "ep"}),
        );
        let modify = |extra: serde_json::Value| {
            let mut r = json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        ok(&mut s, modify(json!({"AddSecurityGroupIds": ["ep"], "RemoveSecurityGroupIds": ["default"]})));
        assert_eq!(s.vpc_endpoints[&ep].security_group_ids.len(), 1);
        fails(
            &mut s,
            modify(json!({"RemoveSecurityGroupIds": ["ep"]})),
            codes::INVALID_PARAMETER_VALUE,
            "at least one",
        );
        fails(
            &mut s,
            modify(json!({"RemoveSecurityGroupIds": ["default"]})),
            codes::INVALID_PARAMETER_VALUE,
            "is not attached",
        );
        fails(&mut s, modify(json!({})), codes::MISSING_PARAMETER, "AddSecurityGroupIds");
        fails(
            &mut s,
            json!({"Action": "ModifyVpcEndpoint", "VpcEndpointId": ep}),
            codes::INVALID_VPC_ENDPOINT_ID_NOT_FOUND,
            &ep,
        );
    }
}
