//! `CreateRouteTable {VpcId, Name?}` → `{"RouteTable":{…}}`: a table with the local route only.

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::tags_on_create;
use crate::error::ApiError;
use crate::ids::IdKind;
use crate::model::{RouteTable, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let vpc = find(&state.vpcs, &req.account, req.str("VpcId")?)?;
    let rt = RouteTable::new(
        state.new_id(IdKind::RouteTable),
        vpc.owner.clone(),
        tags_on_create(req, "route-table")?,
        vpc.id.clone(),
        vpc.cidr,
        false,
    );
    let id = rt.id.clone();
    state.route_tables.insert(rt.id.clone(), rt);
    Ok(Outcome::RouteTable(id))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn creates_a_table_with_the_local_route() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let v = ok(&mut s, json!({"Action": "CreateRouteTable", "VpcId": "prov", "Name": "private"}));
        let routes = &v["RouteTable"]["Routes"];
        assert_eq!(routes[0]["DestinationCidrBlock"], "10.0.0.0/16");
        assert_eq!(routes[0]["GatewayId"], "local");
        assert_eq!(v["RouteTable"]["Associations"], json!([]));
        fails(
            &mut s,
            json!({"Action": "CreateRouteTable", "VpcId": "vpc-0"}),
            codes::INVALID_VPC_ID_NOT_FOUND,
            "vpc-0",
        );
    }
}
