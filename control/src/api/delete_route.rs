//! `DeleteRoute {RouteTableId, DestinationCidrBlock}` → `{"Return":true}`.
//!
//! Removes a route added with `CreateRoute`. The local route cannot be removed; gateway
//! endpoint routes (prefix-list destinations) follow their endpoint.

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{Destination, RouteTarget, State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let rt = find_mut(&mut state.route_tables, &req.account, req.str("RouteTableId")?)?;
    let cidr = req.cidr("DestinationCidrBlock")?;
    let destination = Destination::Cidr(cidr);
    match rt.route(&destination).map(|r| &r.target) {
        None => {
            return Err(ApiError::new(
                codes::INVALID_ROUTE_NOT_FOUND,
                format!("No route with destination-cidr-block {cidr} in route table {}", rt.id),
            ));
        }
        Some(RouteTarget::Local) => {
            return Err(ApiError::invalid(format!("The local route {cidr} of {} cannot be deleted", rt.id)));
        }
        Some(_) => {}
    }
    rt.routes.retain(|r| r.destination != destination);
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_added_routes_but_not_the_local_one() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let main = s.vpcs[&v].main_route_table.clone();
        let route = json!({"RouteTableId": main, "DestinationCidrBlock": "192.0.2.0/24"});
        let with = |action: &str| {
            let mut r = route.clone();
            r["Action"] = action.into();
            r
        };
        ok(&mut s, with("CreateRoute"));
        ok(&mut s, with("DeleteRoute"));
        assert_eq!(s.route_tables[&main].routes.len(), 1);
        fails(&mut s, with("DeleteRoute"), codes::INVALID_ROUTE_NOT_FOUND, "192.0.2.0/24");
        fails(
            &mut s,
            json!({"Action": "DeleteRoute", "RouteTableId": main, "DestinationCidrBlock": "10.0.0.0/16"}),
            codes::INVALID_PARAMETER_VALUE,
            "10.0.0.0/16",
        );
    }
}
