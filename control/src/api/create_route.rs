//! `CreateRoute {RouteTableId, DestinationCidrBlock, Target?}` → `{"Return":true}`.
//!
//! privlink has no gateways to route to, so the one kind of route a user adds is a blackhole
//! (`Target` defaults to and must be `blackhole`): matching packets are dropped. Gateway
//! endpoint routes are managed by `CreateVpcEndpoint` / `ModifyVpcEndpoint`.
//! A table holds at most one route per destination (`RouteAlreadyExists`).

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{Destination, Route, RouteTarget, State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let rt = find_mut(&mut state.route_tables, &req.account, req.str("RouteTableId")?)?;
    let cidr = req.cidr("DestinationCidrBlock")?;
    let destination = Destination::Cidr(cidr);
    if let Some(target) = req.str_opt("Target")?.filter(|t| *t != "blackhole") {
        return Err(req.bad(
            "Target",
            &target.into(),
            "privlink routes can only be created with Target blackhole",
        ));
    }
    if rt.route(&destination).is_some() {
        return Err(ApiError::new(
            codes::ROUTE_ALREADY_EXISTS,
            format!("The route identified by {cidr} already exists in {}", rt.id),
        ));
    }
    rt.routes.push(Route { destination, target: RouteTarget::Blackhole });
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{RouteTarget, State};

    #[test]
    fn adds_blackhole_routes_once() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let main = s.vpcs[&v].main_route_table.clone();
        let add =
            json!({"Action": "CreateRoute", "RouteTableId": main, "DestinationCidrBlock": "192.0.2.0/24"});
        ok(&mut s, add.clone());
        assert_eq!(s.route_tables[&main].routes[1].target, RouteTarget::Blackhole);
        fails(&mut s, add, codes::ROUTE_ALREADY_EXISTS, "192.0.2.0/24");
        fails(
            &mut s,
            json!({"Action": "CreateRoute", "RouteTableId": main, "DestinationCidrBlock": "10.0.0.0/16"}),
            codes::ROUTE_ALREADY_EXISTS,
            "10.0.0.0/16",
        );
        fails(
            &mut s,
            json!({"Action": "CreateRoute", "RouteTableId": main, "DestinationCidrBlock": "198.51.100.0/24", "Target": "igw-1"}),
            codes::INVALID_PARAMETER_VALUE,
            "igw-1",
        );
    }
}
