//! `ModifyVpcEndpoint {VpcEndpointId, …}` → `{"Return":true}`.
//!
//! Gateway endpoints: `AddRouteTableIds[]` / `RemoveRouteTableIds[]` — the endpoint's
//! `pl-… → vpce-…` route is added to / removed from each table (same VPC; a table already
//! routing the prefix list elsewhere → `RouteAlreadyExists`).
//! Interface endpoints: `AddSubnetIds[]` / `RemoveSubnetIds[]` (an ENI, with its zonal DNS name,
//! is created in / removed from each subnet, under the rules of CreateVpcEndpoint; at least one
//! must remain; removals first, so a subnet can be swapped for another of its zone),
//! `AddSecurityGroupIds[]` / `RemoveSecurityGroupIds[]` (at least one group must remain),
//! `PrivateDnsEnabled` (true: under the rules of CreateVpcEndpoint).
//! Both: `ResetPolicy`, and `PolicyDocument` only as the default full-access policy (privlink
//! does not evaluate endpoint policies). Removing something the endpoint does not have is
//! `InvalidParameterValue`; a call that changes nothing is `MissingParameter`. The data plane
//! follows at once: new ENIs forward, removed ones stop answering.

use super::common::{
    add_gateway_route, check_private_dns, default_policy, done, remove_gateway_routes, route_tables_in_vpc,
    security_groups_in_vpc, set_dns_entries, subnets_in_vpc,
};
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{EndpointType, State, VpcEndpoint, find};

fn not_attached(kind: &str, id: &str, ep: &VpcEndpoint, have: &[String]) -> ApiError {
    ApiError::invalid(format!("{kind} {id} is not attached to {}; it has [{}]", ep.id, have.join(", ")))
}

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let mut ep = find(&state.vpc_endpoints, &req.account, req.str("VpcEndpointId")?)?.clone();
    let policy = default_policy(req, "PolicyDocument")?.is_some() | req.bool_opt("ResetPolicy")?.is_some();
    let changed = match ep.endpoint_type {
        EndpointType::Gateway => gateway(state, req, &mut ep)?,
        EndpointType::Interface => interface(state, req, &mut ep)?,
    };
    if !changed && !policy {
        let what = match ep.endpoint_type {
            EndpointType::Gateway => "AddRouteTableIds, RemoveRouteTableIds or PolicyDocument",
            EndpointType::Interface => {
                "AddSubnetIds, RemoveSubnetIds, AddSecurityGroupIds, RemoveSecurityGroupIds, PrivateDnsEnabled or PolicyDocument"
            }
        };
        return Err(ApiError::missing(what));
    }
    state.vpc_endpoints.insert(ep.id.clone(), ep);
    Ok(Outcome::Answer(done()))
}

/// Moves the endpoint's route between tables; true if any table was named.
fn gateway(state: &mut State, req: &Request, ep: &mut VpcEndpoint) -> Result<bool, ApiError> {
    let add = route_tables_in_vpc(state, req, "AddRouteTableIds", &ep.vpc_id)?;
    let remove = route_tables_in_vpc(state, req, "RemoveRouteTableIds", &ep.vpc_id)?;
    if let Some(rt) = remove.iter().find(|rt| !ep.route_table_ids.contains(rt)) {
        return Err(not_attached("Route table", rt, ep, &ep.route_table_ids));
    }
    let pl = ep.prefix_list_id.clone().ok_or_else(|| {
        ApiError::internal(format!("gateway endpoint {} has no prefix list (a broken state)", ep.id))
    })?;
    for rt in &remove {
        remove_gateway_routes(state, rt, &ep.id);
    }
    ep.route_table_ids.retain(|rt| !remove.contains(rt));
    for rt in &add {
        if ep.route_table_ids.contains(rt) {
            continue;
        }
        add_gateway_route(state, rt, &pl, &ep.id)?;
        ep.route_table_ids.push(rt.clone());
    }
    Ok(!add.is_empty() || !remove.is_empty())
}

/// Changes the endpoint's subnets, groups and private DNS; true if any was named.
fn interface(state: &State, req: &Request, ep: &mut VpcEndpoint) -> Result<bool, ApiError> {
    let vpc = &state.vpcs[&ep.vpc_id];
    let svc = ep.service_id.as_ref().and_then(|id| state.endpoint_services.get(id)).ok_or_else(|| {
        ApiError::invalid(format!("The endpoint service {} of {} no longer exists", ep.service_name, ep.id))
    })?;
    let add_subnets = subnets_in_vpc(state, req, "AddSubnetIds", vpc)?;
    let remove_subnets = subnets_in_vpc(state, req, "RemoveSubnetIds", vpc)?;
    let named_subnets = !add_subnets.is_empty() || !remove_subnets.is_empty();
    let have: Vec<String> = ep.subnet_ids().map(String::from).collect();
    if let Some(s) = remove_subnets.iter().find(|s| !have.contains(&s.id)) {
        return Err(not_attached("Subnet", &s.id, ep, &have));
    }
    ep.network_interfaces.retain(|n| !remove_subnets.iter().any(|s| s.id == n.subnet_id));
    let new_subnets: Vec<_> = add_subnets
        .into_iter()
        .filter(|s| !have.contains(&s.id) || remove_subnets.iter().any(|r| r.id == s.id))
        .collect();
    ep.add_enis(state, svc, &new_subnets, &[])?;
    if ep.network_interfaces.is_empty() {
        return Err(ApiError::invalid(format!("Endpoint {} must keep at least one subnet", ep.id)));
    }

    let add_groups = security_groups_in_vpc(state, req, "AddSecurityGroupIds", &ep.vpc_id)?;
    let remove_groups = security_groups_in_vpc(state, req, "RemoveSecurityGroupIds", &ep.vpc_id)?;
    if let Some(sg) = remove_groups.iter().find(|sg| !ep.security_group_ids.contains(sg)) {
        return Err(not_attached("Security group", sg, ep, &ep.security_group_ids));
    }
    ep.security_group_ids.retain(|sg| !remove_groups.contains(sg));
    for sg in &add_groups {
        if !ep.security_group_ids.contains(sg) {
            ep.security_group_ids.push(sg.clone());
        }
    }
    if ep.security_group_ids.is_empty() {
        return Err(ApiError::invalid(format!("Endpoint {} must keep at least one security group", ep.id)));
    }

    let private_dns = req.bool_opt("PrivateDnsEnabled")?;
    if private_dns == Some(true) {
        check_private_dns(state, vpc, svc, &ep.id)?;
    }
    ep.private_dns_enabled = private_dns.unwrap_or(ep.private_dns_enabled);
    set_dns_entries(&state.region, svc, ep);
    Ok(named_subnets || !add_groups.is_empty() || !remove_groups.is_empty() || private_dns.is_some())
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

    #[test]
    fn interface_subnets_come_and_go_with_their_enis_and_names() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, [a, b]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a], &p.service_name);
        let modify = |extra: serde_json::Value| {
            let mut r = json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        let regional = s.vpc_endpoints[&ep].dns_entries[0].dns_name.clone();
        ok(&mut s, modify(json!({"AddSubnetIds": [b]})));
        let e = &s.vpc_endpoints[&ep];
        assert_eq!(e.subnet_ids().collect::<Vec<_>>(), vec![a.as_str(), b.as_str()]);
        assert_eq!(e.dns_entries.len(), 3);
        assert_eq!(e.dns_entries[0].dns_name, regional);
        assert!(e.dns_entries[2].dns_name.contains("-us-east-1b."));
        let eni_b = e.network_interfaces[1].clone();
        assert!(s.subnets[&b].cidr.contains(&eni_b.ip));
        ok(&mut s, modify(json!({"RemoveSubnetIds": [a]})));
        assert_eq!(s.vpc_endpoints[&ep].network_interfaces, vec![eni_b]);
        assert_eq!(s.vpc_endpoints[&ep].dns_entries.len(), 2);
        fails(
            &mut s,
            modify(json!({"RemoveSubnetIds": [b]})),
            codes::INVALID_PARAMETER_VALUE,
            "at least one subnet",
        );
        fails(
            &mut s,
            modify(json!({"RemoveSubnetIds": [a]})),
            codes::INVALID_PARAMETER_VALUE,
            "is not attached",
        );
        let c = subnet(&mut s, CONSUMER, &v, "a-c", "10.0.3.0/24", "us-east-1b");
        fails(&mut s, modify(json!({"AddSubnetIds": [c]})), codes::DUPLICATE_SUBNETS_IN_SAME_ZONE, &c);
        ok(&mut s, modify(json!({"AddSubnetIds": [c], "RemoveSubnetIds": [b]})));
        assert_eq!(s.vpc_endpoints[&ep].subnet_ids().collect::<Vec<_>>(), vec![c.as_str()]);
        let d = subnet(&mut s, CONSUMER, &v, "a-d", "10.0.4.0/24", "us-east-1d");
        fails(&mut s, modify(json!({"AddSubnetIds": [d]})), codes::INVALID_PARAMETER_VALUE, "us-east-1d");
    }

    #[test]
    fn private_dns_needs_a_name_and_the_vpc_attributes() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, [a, _]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a], &p.service_name);
        let on = json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep, "PrivateDnsEnabled": true});
        fails(&mut s, on.clone(), codes::INVALID_PARAMETER_VALUE, "does not provide a private DNS name");
        ok(
            &mut s,
            json!({"Action": "ModifyVpcEndpointServiceConfiguration", "ServiceId": p.service_id, "PrivateDnsName": "api.example.test"}),
        );
        ok(
            &mut s,
            json!({"Action": "ModifyVpcAttribute", "Account": CONSUMER, "VpcId": v, "EnableDnsHostnames": {"Value": false}}),
        );
        fails(&mut s, on.clone(), codes::INVALID_PARAMETER, "enableDnsHostnames");
        ok(
            &mut s,
            json!({"Action": "ModifyVpcAttribute", "Account": CONSUMER, "VpcId": v, "EnableDnsHostnames": {"Value": true}}),
        );
        ok(&mut s, on);
        assert!(s.vpc_endpoints[&ep].dns_entries.iter().any(|d| d.dns_name == "api.example.test"));
    }

    #[test]
    fn only_the_default_policy_is_accepted() {
        let mut s = State::new();
        let (v, _) = consumer(&mut s, "a");
        let r = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": v, "ServiceName": "com.amazonaws.us-east-1.s3"}),
        );
        let ep = r["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_owned();
        let policy = |doc: &str| json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep, "PolicyDocument": doc});
        ok(
            &mut s,
            policy(
                r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
            ),
        );
        ok(
            &mut s,
            policy(
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["*"],"Resource":"*"}}"#,
            ),
        );
        fails(
            &mut s,
            policy(r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#),
            codes::INVALID_PARAMETER_VALUE,
            "Deny",
        );
        ok(
            &mut s,
            json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep, "ResetPolicy": true}),
        );
    }
}
