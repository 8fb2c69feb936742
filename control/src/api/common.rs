//! Helpers shared by several operations (beyond parameter parsing and validation).

use serde_json::{Value, json};

use super::request::{Params, Request};
use super::validate::same_vpc;
use crate::error::{ApiError, codes};
use std::collections::BTreeMap;

use crate::ids;
use crate::model::{
    Destination, DnsEntry, EndpointService, Resource, Route, RouteTarget, State, Subnet, Vpc, VpcEndpoint,
    find, find_scoped, select,
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

/// The resources of `map` named by `keys` (IDs or Names of `account`'s resources), each
/// required to be in `vpc_id`; a Name shared by resources of several VPCs means the one in
/// `vpc_id`. IDs, deduplicated.
fn ids_in_vpc<T: Resource>(
    map: &BTreeMap<String, T>,
    account: &str,
    keys: Vec<String>,
    vpc_id: &str,
    vpc_of: impl Fn(&T) -> &str,
) -> Result<Vec<String>, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for k in keys {
        let r = find_scoped(map, account, &k, |r| vpc_of(r) == vpc_id)?;
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
    ids_in_vpc(&state.route_tables, &req.account, req.list(key)?, vpc_id, |rt| &rt.vpc_id)
}

/// The security groups named by list parameter `key` (see [`ids_in_vpc`]).
pub fn security_groups_in_vpc(
    state: &State,
    req: &Request,
    key: &str,
    vpc_id: &str,
) -> Result<Vec<String>, ApiError> {
    security_groups_named(state, &req.account, req.list(key)?, vpc_id)
}

/// The security groups `keys` of `account` (see [`ids_in_vpc`]).
pub fn security_groups_named(
    state: &State,
    account: &str,
    keys: Vec<String>,
    vpc_id: &str,
) -> Result<Vec<String>, ApiError> {
    ids_in_vpc(&state.security_groups, account, keys, vpc_id, |sg| &sg.vpc_id)
}

/// Adds gateway endpoint `endpoint_id`'s route to prefix list `pl` in table `rt_id`
/// (`RouteAlreadyExists` if the table already routes that prefix list).
pub fn add_gateway_route(
    state: &mut State,
    rt_id: &str,
    pl: &str,
    endpoint_id: &str,
) -> Result<(), ApiError> {
    // `rt_id` comes from route_tables_in_vpc; a missing table is a broken state, not a panic.
    let rt = state.route_tables.get_mut(rt_id).ok_or_else(|| {
        ApiError::internal(format!("route table {rt_id} vanished while routing {endpoint_id}"))
    })?;
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

/// May interface endpoint `ep_id` in `vpc` enable private DNS for `svc`? The service needs a
/// private DNS name, the VPC both DNS attributes (`InvalidParameter` naming them), and no other
/// endpoint of the VPC may serve that name already.
pub fn check_private_dns(
    state: &State,
    vpc: &Vpc,
    svc: &EndpointService,
    ep_id: &str,
) -> Result<(), ApiError> {
    let Some(name) = &svc.private_dns_name else {
        return Err(ApiError::invalid(format!(
            "Private DNS can't be enabled because the service {} does not provide a private DNS name",
            svc.service_name
        )));
    };
    if !vpc.attributes.private_dns_capable() {
        return Err(ApiError::new(
            codes::INVALID_PARAMETER,
            format!(
                "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {} (now {} and {}); set them with ModifyVpcAttribute",
                vpc.id, vpc.attributes.enable_dns_support, vpc.attributes.enable_dns_hostnames
            ),
        ));
    }
    let clash = state.vpc_endpoints.values().find(|o| {
        o.id != ep_id
            && o.vpc_id == vpc.id
            && o.private_dns_enabled
            && o.dns_entries.iter().any(|d| &d.dns_name == name)
    });
    match clash {
        Some(other) => Err(ApiError::invalid(format!(
            "Private DNS name {name} is already served in {} by {}; set PrivateDnsEnabled false",
            vpc.id, other.id
        ))),
        None => Ok(()),
    }
}

/// Rebuilds interface endpoint `ep`'s DNS names from its ENIs and private DNS setting: the
/// regional name `<vpce id>-<8 hex>.<service id>.<region>.vpce.amazonaws.com` (the 8 hex digits
/// kept from the current regional name, new the first time), one zonal name per ENI
/// (`…-<az>.<service id>…`), and the service's private DNS name when enabled.
pub fn set_dns_entries(region: &str, svc: &EndpointService, ep: &mut VpcEndpoint) {
    let suffix = format!("{}.{region}.vpce.amazonaws.com", svc.service_id);
    let base = ep
        .dns_entries
        .iter()
        .filter(|d| d.zone.is_none())
        .find_map(|d| d.dns_name.strip_suffix(&format!(".{suffix}")))
        .map_or_else(|| format!("{}-{}", ep.id, ids::random_hex(8)), str::to_owned);
    let mut entries = vec![DnsEntry { dns_name: format!("{base}.{suffix}"), zone: None }];
    for eni in &ep.network_interfaces {
        entries
            .push(DnsEntry { dns_name: format!("{base}-{}.{suffix}", eni.az), zone: Some(eni.az.clone()) });
    }
    if ep.private_dns_enabled {
        entries.extend(svc.private_dns_name.iter().map(|n| DnsEntry { dns_name: n.clone(), zone: None }));
    }
    ep.dns_entries = entries;
}

/// The default full-access endpoint policy, as AWS shows it on gateway endpoints.
pub const DEFAULT_POLICY: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// The endpoint policy parameter `key`, accepted only as the default full-access policy (one
/// statement allowing every principal every action on every resource): privlink does not
/// evaluate endpoint policies, so any other policy is `InvalidParameterValue`.
pub fn default_policy<'a>(req: &'a Request, key: &str) -> Result<Option<&'a str>, ApiError> {
    let Some(text) = req.str_opt(key)? else { return Ok(None) };
    let star = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s == "*",
        Some(Value::Array(a)) => a.len() == 1 && a[0] == "*",
        Some(Value::Object(o)) => o.len() == 1 && o.get("AWS").is_some_and(|p| p == "*"),
        _ => false,
    };
    let full_access = serde_json::from_str::<Value>(text).ok().is_some_and(|doc| {
        let statements = match doc.get("Statement") {
            Some(Value::Array(a)) => a.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => Vec::new(),
        };
        matches!(statements.as_slice(), [s] if s.get("Effect").is_some_and(|e| e == "Allow")
            && star(s.get("Principal")) && star(s.get("Action")) && star(s.get("Resource"))
            && s.get("Condition").is_none())
    });
    if !full_access {
        return Err(req.bad(
            key,
            &text.into(),
            "privlink does not evaluate endpoint policies and accepts only the default full-access policy {\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
        ));
    }
    Ok(Some(text))
}

/// The `InvalidServiceName` error for `name` (used wherever a ServiceName is looked up).
pub fn invalid_service_name(name: &str) -> ApiError {
    ApiError::new(
        codes::INVALID_SERVICE_NAME,
        format!(
            "The Vpc Endpoint Service '{name}' does not exist (or you are not allowed to use it); DescribeVpcEndpointServices lists the ones you can use"
        ),
    )
}
