//! Helpers shared by several operations (beyond parameter parsing and validation).

use serde_json::{Value, json};

use super::request::{Params, Request};
use super::validate::same_vpc;
use crate::error::{ApiError, codes};
use std::collections::BTreeMap;

use crate::model::{
    Destination, Resource, Route, RouteTarget, State, Subnet, Vpc, find, find_scoped, select,
};

/// The `{"Return":true}` answer of operations that return nothing else.
pub fn done() -> Value {
    json!({"Return": true})
}

/// The optional `VpcId` filter of Describe* operations, resolved.
fn vpc_filter<'a>(state: &'a State, req: &Request) -> Result<Option<&'a Vpc>, ApiError> {
    req.str_opt("VpcId")?.map(|key| find(&state.vpcs, &req.account, key)).transpose()
}

/// True if `vpc_id` passes the filter.
fn passes(filter: Option<&Vpc>, vpc_id: &str) -> bool {
    filter.is_none_or(|v| v.id == vpc_id)
}

/// What the Describe* calls of VPC resources list before filters and paging: the caller's
/// resources of `map` named by list parameter `ids` (all when absent), kept if they are in the
/// optional `VpcId` (privlink's shorthand for the `vpc-id` filter).
pub fn select_in_vpc<'a, T: Resource>(
    state: &State,
    req: &'a Request,
    map: &'a BTreeMap<String, T>,
    ids: &str,
    vpc_of: impl Fn(&T) -> &str,
) -> Result<Vec<&'a T>, ApiError> {
    let vpc = vpc_filter(state, req)?;
    Ok(select(map, &req.account, &req.list(ids)?)?.into_iter().filter(|r| passes(vpc, vpc_of(r))).collect())
}

/// The subnets named by list parameter `key`, each required to be in `vpc`.
pub fn subnets_in_vpc<'a>(
    state: &'a State,
    req: &Request,
    key: &str,
    vpc: &Vpc,
) -> Result<Vec<&'a Subnet>, ApiError> {
    req.list(key)?
        .iter()
        .map(|k| {
            let s = find(&state.subnets, &req.account, k)?;
            same_vpc(&format!("Subnet {}", s.id), &s.vpc_id, &vpc.id)?;
            Ok(s)
        })
        .collect()
}

/// The route a gateway endpoint owns in each of its route tables.
pub fn gateway_route(prefix_list_id: &str, endpoint_id: &str) -> Route {
    Route {
        destination: Destination::PrefixList(prefix_list_id.to_owned()),
        target: RouteTarget::VpcEndpoint(endpoint_id.to_owned()),
    }
}

/// The resources of `map` named by list parameter `key`, each required to be in `vpc_id`; a
/// Name shared by resources of several VPCs means the one in `vpc_id`. IDs, deduplicated.
fn ids_in_vpc<T: Resource>(
    map: &BTreeMap<String, T>,
    req: &Request,
    key: &str,
    vpc_id: &str,
    vpc_of: impl Fn(&T) -> &str,
) -> Result<Vec<String>, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for k in req.list(key)? {
        let r = find_scoped(map, &req.account, &k, |r| vpc_of(r) == vpc_id)?;
        same_vpc(r.id(), vpc_of(r), vpc_id)?;
        if !ids.iter().any(|id| id == r.id()) {
            ids.push(r.id().to_owned());
        }
    }
    Ok(ids)
}

/// The route tables named by list parameter `key` (see [`ids_in_vpc`]).
pub fn route_tables_in_vpc(
    state: &State,
    req: &Request,
    key: &str,
    vpc_id: &str,
) -> Result<Vec<String>, ApiError> {
    ids_in_vpc(&state.route_tables, req, key, vpc_id, |rt| &rt.vpc_id)
}

/// The security groups named by list parameter `key` (see [`ids_in_vpc`]).
pub fn security_groups_in_vpc(
    state: &State,
    req: &Request,
    key: &str,
    vpc_id: &str,
) -> Result<Vec<String>, ApiError> {
    ids_in_vpc(&state.security_groups, req, key, vpc_id, |sg| &sg.vpc_id)
}

/// Adds gateway endpoint `endpoint_id`'s route to prefix list `pl` in table `rt_id`
/// (`RouteAlreadyExists` if the table already routes that prefix list).
pub fn add_gateway_route(
    state: &mut State,
    rt_id: &str,
    pl: &str,
    endpoint_id: &str,
) -> Result<(), ApiError> {
    let rt = state.route_tables.get_mut(rt_id).expect("resolved by route_tables_in_vpc");
    let route = gateway_route(pl, endpoint_id);
    if let Some(existing) = rt.route(&route.destination) {
        return Err(ApiError::new(
            codes::ROUTE_ALREADY_EXISTS,
            format!(
                "Route table {rt_id} already has a route to {pl} (target {:?}); one route per prefix list",
                existing.target
            ),
        ));
    }
    rt.routes.push(route);
    Ok(())
}

/// Removes gateway endpoint `endpoint_id`'s routes from table `rt_id`.
pub fn remove_gateway_routes(state: &mut State, rt_id: &str, endpoint_id: &str) {
    if let Some(rt) = state.route_tables.get_mut(rt_id) {
        rt.routes.retain(|r| r.target != RouteTarget::VpcEndpoint(endpoint_id.to_owned()));
    }
}
