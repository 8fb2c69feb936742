//! `DeleteVpcEndpoints {VpcEndpointIds[]}` → `{"Unsuccessful":[…]}`.
//!
//! Each endpoint is removed at once with its ENIs (addresses freed) and, for a gateway
//! endpoint, its prefix-list routes; a later Describe of it is `InvalidVpcEndpointId.NotFound`.
//! Unknown IDs are listed in `Unsuccessful`.

use super::common::remove_gateway_routes;
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, find};

fn delete_one(state: &mut State, req: &Request, key: &str) -> Result<(), ApiError> {
    let ep = find(&state.vpc_endpoints, &req.account, key)?.clone();
    for rt in &ep.route_table_ids {
        remove_gateway_routes(state, rt, &ep.id);
    }
    state.vpc_endpoints.remove(&ep.id);
    Ok(())
}

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    Ok(Outcome::Answer(view::batch(&req.list_required("VpcEndpointIds")?, |key| delete_one(state, req, key))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_interface_and_gateway_endpoints() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, [a, _]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a], &p.service_name);
        let main = s.vpcs[&v].main_route_table.clone();
        let gw = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": v, "ServiceName": "com.amazonaws.us-east-1.s3", "RouteTableIds": [main]}),
        );
        let gw = gw["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_owned();
        let r = ok(
            &mut s,
            json!({"Action": "DeleteVpcEndpoints", "Account": CONSUMER, "VpcEndpointIds": [ep, gw, "vpce-0"]}),
        );
        assert_eq!(r["Unsuccessful"].as_array().unwrap().len(), 1);
        assert_eq!(r["Unsuccessful"][0]["Error"]["Code"], codes::INVALID_VPC_ENDPOINT_ID_NOT_FOUND);
        assert!(s.vpc_endpoints.is_empty());
        assert_eq!(s.route_tables[&main].routes.len(), 1, "only the local route is left");
        ok(&mut s, json!({"Action": "DeleteSubnet", "Account": CONSUMER, "SubnetId": a}));
        let none = ok(&mut s, json!({"Action": "DeleteVpcEndpoints", "VpcEndpointIds": ["vpce-1"]}));
        assert_eq!(none["Unsuccessful"][0]["ResourceId"], "vpce-1");
    }
}
