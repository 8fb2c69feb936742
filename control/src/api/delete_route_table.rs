//! `DeleteRouteTable {RouteTableId}` → `{"Return":true}`.
//!
//! A main table, a table with subnet associations, or a table holding a gateway endpoint's
//! route cannot be deleted (`DependencyViolation`).

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{RouteTarget, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let rt = find(&state.route_tables, &req.account, req.str("RouteTableId")?)?;
    let what = format!("The route table '{}'", rt.id);
    if rt.main {
        return Err(ApiError::dependency(&what, &[format!("it is the main route table of {}", rt.vpc_id)]));
    }
    let dependents: Vec<String> = rt
        .associations
        .iter()
        .map(|a| a.subnet_id.clone())
        .chain(rt.routes.iter().filter_map(|r| match &r.target {
            RouteTarget::VpcEndpoint(id) => Some(id.clone()),
            _ => None,
        }))
        .collect();
    if !dependents.is_empty() {
        return Err(ApiError::dependency(&what, &dependents));
    }
    let id = rt.id.clone();
    state.route_tables.remove(&id);
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_unused_tables_only() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let main = s.vpcs[&v].main_route_table.clone();
        fails(
            &mut s,
            json!({"Action": "DeleteRouteTable", "RouteTableId": main}),
            codes::DEPENDENCY_VIOLATION,
            "main route table",
        );
        ok(&mut s, json!({"Action": "CreateRouteTable", "VpcId": v, "Name": "private"}));
        ok(&mut s, json!({"Action": "AssociateRouteTable", "RouteTableId": "private", "SubnetId": sn}));
        fails(
            &mut s,
            json!({"Action": "DeleteRouteTable", "RouteTableId": "private"}),
            codes::DEPENDENCY_VIOLATION,
            &sn,
        );
        ok(&mut s, json!({"Action": "DisassociateRouteTable", "SubnetId": sn}));
        ok(&mut s, json!({"Action": "DeleteRouteTable", "RouteTableId": "private"}));
        assert_eq!(s.route_tables.len(), 1);
    }

    #[test]
    fn refuses_while_a_gateway_endpoint_routes_through_it() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        ok(&mut s, json!({"Action": "CreateRouteTable", "VpcId": v, "Name": "private"}));
        let ep = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "VpcId": v, "ServiceName": "com.amazonaws.us-east-1.s3", "RouteTableIds": ["private"]}),
        );
        let ep = ep["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_owned();
        fails(
            &mut s,
            json!({"Action": "DeleteRouteTable", "RouteTableId": "private"}),
            codes::DEPENDENCY_VIOLATION,
            &ep,
        );
        fails(
            &mut s,
            json!({"Action": "DeleteRouteTable", "RouteTableId": "rtb-x"}),
            codes::INVALID_ROUTE_TABLE_ID_NOT_FOUND,
            "rtb-x",
        );
    }
}
