//! `CreateVpcEndpoint {VpcId, ServiceName, VpcEndpointType?, Name?, …}` → `{"VpcEndpoint":{…}}`.
//!
//! `VpcEndpointType` defaults to Gateway for the managed gateway services
//! (`com.amazonaws.<region>.s3|dynamodb`) and to Interface otherwise (AWS always defaults to
//! Gateway).
//!
//! Interface (`SubnetIds[]`, `IpAddresses[]?` or AWS's `SubnetConfigurations[{SubnetId, Ipv4}]?`,
//! `SecurityGroupIds[]?`, `PrivateDnsEnabled?`):
//! the service must exist and allow the caller, else `InvalidServiceName` (AWS does not reveal
//! which). Subnets: in the VPC, one per AZ (`DuplicateSubnetsInSameZone`), each in an AZ of the
//! service's NLBs. One ENI per subnet with the matching `IpAddresses` entry (checked) or the
//! highest free address. Groups default to the VPC's default group. `PrivateDnsEnabled` true
//! needs a service private DNS name, both DNS attributes of the VPC (`InvalidParameter` naming
//! them) and no other endpoint serving that name in the VPC; left out, it defaults to true when
//! the service has a name and the VPC both attributes, else false (AWS defaults to true). State: `pendingAcceptance` if the
//! service requires acceptance, else `available`.
//!
//! `PolicyDocument` is accepted only as the default full-access policy (privlink does not
//! evaluate endpoint policies).
//!
//! Gateway (`RouteTableIds[]?`, `PrivateDnsEnabled?` false only): adds the route `pl-… → vpce-…` to each table (same VPC, one
//! route per prefix list: `RouteAlreadyExists`). State `available`.

use std::net::Ipv4Addr;

use super::common::{
    add_gateway_route, check_private_dns, default_policy, invalid_service_name, route_tables_in_vpc,
    security_groups_in_vpc, set_dns_entries, subnets_in_vpc,
};
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::tags_on_create;
use crate::error::{ApiError, codes};
use crate::ids::IdKind;
use crate::model::{EndpointState, EndpointType, State, Vpc, VpcEndpoint, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let vpc = find(&state.vpcs, &req.account, req.str("VpcId")?)?.clone();
    let service_name = req.str("ServiceName")?.to_owned();
    default_policy(req, "PolicyDocument")?;
    let prefix_list = state.prefix_lists.values().find(|pl| pl.name == service_name).map(|pl| pl.id.clone());
    let endpoint_type = match req.str_opt("VpcEndpointType")? {
        None if prefix_list.is_some() => EndpointType::Gateway,
        None => EndpointType::Interface,
        Some(t) if t.eq_ignore_ascii_case("interface") => EndpointType::Interface,
        Some(t) if t.eq_ignore_ascii_case("gateway") => EndpointType::Gateway,
        Some(t) => return Err(req.bad("VpcEndpointType", &t.into(), "expected Interface or Gateway")),
    };
    let mut ep = VpcEndpoint {
        id: state.new_id(IdKind::VpcEndpoint),
        owner: req.account.clone(),
        tags: tags_on_create(req, "vpc-endpoint")?,
        endpoint_type,
        vpc_id: vpc.id.clone(),
        service_name,
        service_id: None,
        prefix_list_id: None,
        state: EndpointState::Available,
        network_interfaces: Vec::new(),
        security_group_ids: Vec::new(),
        route_table_ids: Vec::new(),
        private_dns_enabled: false,
        dns_entries: Vec::new(),
        creation_timestamp: req.timestamp(),
    };
    match endpoint_type {
        EndpointType::Interface => interface(state, req, &vpc, &mut ep)?,
        EndpointType::Gateway => {
            let pl = prefix_list.ok_or_else(|| invalid_service_name(&ep.service_name))?;
            if let Some(true) = req.bool_opt("PrivateDnsEnabled")? {
                return Err(ApiError::new(
                    codes::INVALID_PARAMETER,
                    format!(
                        "PrivateDnsEnabled applies to interface endpoints; {} is a gateway service",
                        ep.service_name
                    ),
                ));
            }
            ep.route_table_ids = route_tables_in_vpc(state, req, "RouteTableIds", &vpc.id)?;
            for rt in &ep.route_table_ids {
                add_gateway_route(state, rt, &pl, &ep.id)?;
            }
            ep.prefix_list_id = Some(pl);
        }
    }
    let id = ep.id.clone();
    state.vpc_endpoints.insert(ep.id.clone(), ep);
    Ok(Outcome::VpcEndpoint(id))
}

fn interface(state: &State, req: &Request, vpc: &Vpc, ep: &mut VpcEndpoint) -> Result<(), ApiError> {
    let svc = state
        .endpoint_services
        .values()
        .find(|s| s.service_name == ep.service_name && s.allows(&req.account))
        .ok_or_else(|| invalid_service_name(&ep.service_name))?;
    let subnets = subnets_in_vpc(state, req, "SubnetIds", vpc)?;
    if subnets.is_empty() {
        return Err(ApiError::missing("SubnetIds"));
    }
    let wanted = req.list("IpAddresses")?;
    if !wanted.is_empty() && wanted.len() != subnets.len() {
        return Err(ApiError::invalid(format!(
            "IpAddresses must hold one address per subnet, in SubnetIds order: got {} addresses for {} subnets",
            wanted.len(),
            subnets.len()
        )));
    }
    // AWS's way to choose ENI addresses: SubnetConfigurations [{SubnetId, Ipv4}].
    let configs = req.objects("SubnetConfigurations")?;
    if !configs.is_empty() && !wanted.is_empty() {
        return Err(ApiError::invalid(
            "Give the ENI addresses either as IpAddresses or as SubnetConfigurations, not both",
        ));
    }
    let mut by_subnet = std::collections::HashMap::new();
    for c in &configs {
        let id = c.str("SubnetId")?;
        if let Some(v6) = c.str_opt("Ipv6")? {
            return Err(c.bad("Ipv6", &v6.into(), "privlink's endpoints are IPv4 only"));
        }
        let subnet = subnets
            .iter()
            .find(|s| s.id == id || s.tags.name() == Some(id))
            .ok_or_else(|| c.bad("SubnetId", &id.into(), "expected one of the endpoint's SubnetIds"))?;
        if let Some(ip) = c.str_opt("Ipv4")? {
            by_subnet.insert(subnet.id.clone(), (c.label("Ipv4"), ip.to_owned()));
        }
    }
    let requested = subnets
        .iter()
        .enumerate()
        .map(|(n, subnet)| {
            wanted
                .get(n)
                .map(|ip| ("IpAddresses".to_owned(), ip.clone()))
                .or_else(|| by_subnet.get(&subnet.id).cloned())
                .map(|(param, ip)| {
                    ip.parse::<Ipv4Addr>().map_err(|_| {
                        ApiError::invalid(format!(
                            "Value ({ip}) for parameter {param} is invalid: expected an IPv4 address"
                        ))
                    })
                })
                .transpose()
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    ep.add_enis(state, svc, &subnets, &requested)?;
    ep.security_group_ids = security_groups_in_vpc(state, req, "SecurityGroupIds", &vpc.id)?;
    if ep.security_group_ids.is_empty() {
        ep.security_group_ids.push(vpc.default_security_group.clone());
    }
    let default = svc.private_dns_name.is_some() && vpc.attributes.private_dns_capable();
    ep.private_dns_enabled = req.bool_opt("PrivateDnsEnabled")?.unwrap_or(default);
    if ep.private_dns_enabled {
        check_private_dns(state, vpc, svc, &ep.id)?;
    }
    set_dns_entries(&state.region, svc, ep);
    ep.service_id = Some(svc.service_id.clone());
    ep.state =
        if svc.acceptance_required { EndpointState::PendingAcceptance } else { EndpointState::Available };
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{Destination, EndpointState, RouteTarget, State};

    fn interface(vpc: &str, service: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut r = json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": vpc, "ServiceName": service,
                           "VpcEndpointType": "Interface"});
        r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        r
    }

    #[test]
    fn interface_endpoint_gets_one_eni_per_subnet_and_dns_names() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let (v, [a, b]) = consumer(&mut s, "a");
        let r = ok(
            &mut s,
            interface(
                &v,
                &p.service_name,
                json!({"SubnetIds": [a, b], "IpAddresses": ["10.0.1.50", "10.0.2.50"]}),
            ),
        );
        let ep = &r["VpcEndpoint"];
        assert_eq!(ep["State"], "pendingAcceptance");
        assert_eq!(ep["NetworkInterfaces"][0]["PrivateIpAddress"], "10.0.1.50");
        assert_eq!(ep["NetworkInterfaces"][1]["AvailabilityZone"], "us-east-1b");
        assert_eq!(ep["Groups"][0]["GroupName"], "default");
        let dns: Vec<&str> =
            ep["DnsEntries"].as_array().unwrap().iter().map(|d| d["DnsName"].as_str().unwrap()).collect();
        let id = ep["VpcEndpointId"].as_str().unwrap();
        assert!(
            dns[0].starts_with(&format!("{id}-"))
                && dns[0].ends_with(&format!(".{}.us-east-1.vpce.amazonaws.com", p.service_id))
        );
        assert!(dns[1].contains("-us-east-1a."));
        let auto = ok(&mut s, interface(&v, &p.service_name, json!({"SubnetIds": ["a-a"]})));
        assert_eq!(auto["VpcEndpoint"]["NetworkInterfaces"][0]["PrivateIpAddress"], "10.0.1.254");
    }

    #[test]
    fn subnet_configurations_choose_eni_addresses_as_aws_does() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, [a, b]) = consumer(&mut s, "a");
        let svc = p.service_name.as_str();
        let r = ok(
            &mut s,
            interface(
                &v,
                svc,
                json!({"SubnetIds": [a, b], "SubnetConfigurations": [{"SubnetId": b, "Ipv4": "10.0.2.60"}]}),
            ),
        );
        let enis = &r["VpcEndpoint"]["NetworkInterfaces"];
        assert_eq!(
            (enis[0]["PrivateIpAddress"].as_str(), enis[1]["PrivateIpAddress"].as_str()),
            (Some("10.0.1.254"), Some("10.0.2.60"))
        );
        let (w, [c, _]) = consumer(&mut s, "b");
        let bad = |cfg: serde_json::Value| {
            interface(&w, svc, json!({"SubnetIds": [c], "SubnetConfigurations": [cfg]}))
        };
        fails(&mut s, bad(json!({"SubnetId": a, "Ipv4": "10.0.1.9"})), codes::INVALID_PARAMETER_VALUE, &a);
        fails(
            &mut s,
            bad(json!({"SubnetId": c, "Ipv4": "10.0.1"})),
            codes::INVALID_PARAMETER_VALUE,
            "SubnetConfigurations.1.Ipv4",
        );
        fails(
            &mut s,
            bad(json!({"SubnetId": c, "Ipv6": "::1"})),
            codes::INVALID_PARAMETER_VALUE,
            "IPv4 only",
        );
        let both = interface(
            &w,
            svc,
            json!({"SubnetIds": [c], "IpAddresses": ["10.0.1.9"], "SubnetConfigurations": [{"SubnetId": c}]}),
        );
        fails(&mut s, both, codes::INVALID_PARAMETER_VALUE, "not both");
    }

    #[test]
    fn interface_endpoint_errors() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, [a, b]) = consumer(&mut s, "a");
        let c = subnet(&mut s, CONSUMER, &v, "a-c", "10.0.3.0/24", "us-east-1c");
        let a2 = subnet(&mut s, CONSUMER, &v, "a-a2", "10.0.4.0/24", "us-east-1a");
        let svc = p.service_name.as_str();
        fails(
            &mut s,
            interface(
                &v,
                "com.amazonaws.vpce.us-east-1.vpce-svc-00000000000000000",
                json!({"SubnetIds": [a]}),
            ),
            codes::INVALID_SERVICE_NAME,
            "vpce-svc-0000",
        );
        let z = vpc(&mut s, "333333333333", "z", "10.0.0.0/16");
        let za = subnet(&mut s, "333333333333", &z, "z-a", "10.0.1.0/24", "us-east-1a");
        let mut stranger = interface(&z, svc, json!({"SubnetIds": [za]}));
        stranger["Account"] = "333333333333".into();
        fails(&mut s, stranger, codes::INVALID_SERVICE_NAME, svc);
        fails(
            &mut s,
            interface(&v, svc, json!({"SubnetIds": [c]})),
            codes::INVALID_PARAMETER_VALUE,
            "us-east-1c",
        );
        fails(
            &mut s,
            interface(&v, svc, json!({"SubnetIds": [a, a2]})),
            codes::DUPLICATE_SUBNETS_IN_SAME_ZONE,
            "us-east-1a",
        );
        fails(&mut s, interface(&v, svc, json!({})), codes::MISSING_PARAMETER, "SubnetIds");
        fails(
            &mut s,
            interface(&v, svc, json!({"SubnetIds": [a, b], "IpAddresses": ["10.0.1.9"]})),
            codes::INVALID_PARAMETER_VALUE,
            "1 addresses for 2",
        );
        fails(
            &mut s,
            interface(&v, svc, json!({"SubnetIds": [a], "IpAddresses": ["10.0.2.9"]})),
            codes::INVALID_PARAMETER_VALUE,
            "10.0.2.9",
        );
        fails(
            &mut s,
            interface(&v, svc, json!({"SubnetIds": [a], "PrivateDnsEnabled": true})),
            codes::INVALID_PARAMETER_VALUE,
            "private DNS",
        );
        fails(
            &mut s,
            interface(&v, svc, json!({"SubnetIds": [a], "RouteTableIds": ["x"]})),
            codes::UNKNOWN_PARAMETER,
            "RouteTableIds",
        );
        ok(
            &mut s,
            json!({"Action": "RunInstances", "Account": CONSUMER, "SubnetId": a, "PrivateIpAddress": "10.0.1.9"}),
        );
        fails(
            &mut s,
            interface(&v, svc, json!({"SubnetIds": [a], "IpAddresses": ["10.0.1.9"]})),
            codes::INVALID_IP_ADDRESS_IN_USE,
            "10.0.1.9",
        );
    }

    #[test]
    fn consumers_with_the_same_cidr_coexist_and_private_dns_is_per_vpc() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let conf = s.endpoint_services.get_mut(&p.service_id).unwrap();
        conf.private_dns_name = Some("api.example.com".into());
        let mut eps = Vec::new();
        for name in ["a", "b"] {
            let (v, [sa, _]) = consumer(&mut s, name);
            let r = ok(
                &mut s,
                interface(&v, &p.service_name, json!({"SubnetIds": [sa], "IpAddresses": ["10.0.1.50"]})),
            );
            assert_eq!(r["VpcEndpoint"]["PrivateDnsEnabled"], true);
            assert_eq!(r["VpcEndpoint"]["State"], "available");
            eps.push(v);
        }
        fails(
            &mut s,
            interface(&eps[0], &p.service_name, json!({"SubnetIds": ["a-b"]})),
            codes::INVALID_PARAMETER_VALUE,
            "api.example.com",
        );
        ok(
            &mut s,
            interface(&eps[0], &p.service_name, json!({"SubnetIds": ["a-b"], "PrivateDnsEnabled": false})),
        );
    }

    #[test]
    fn main_and_default_mean_the_endpoints_vpc() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (a, [sa, _]) = consumer(&mut s, "a");
        consumer(&mut s, "b");
        let gw = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": "a",
                   "ServiceName": "com.amazonaws.us-east-1.s3", "RouteTableIds": ["main"]}),
        );
        assert_eq!(gw["VpcEndpoint"]["RouteTableIds"], json!([s.vpcs[&a].main_route_table]));
        let ep = ok(
            &mut s,
            interface(&a, &p.service_name, json!({"SubnetIds": [sa], "SecurityGroupIds": ["default"]})),
        );
        assert_eq!(ep["VpcEndpoint"]["Groups"][0]["GroupId"], s.vpcs[&a].default_security_group.as_str());
        let global = json!({"Action": "DescribeRouteTables", "Account": CONSUMER, "RouteTableIds": ["main"]});
        fails(&mut s, global, codes::INVALID_PARAMETER_VALUE, "matches 2 route tables");
    }

    #[test]
    fn gateway_endpoint_adds_prefix_list_routes() {
        let mut s = State::new();
        let (v, _) = consumer(&mut s, "a");
        let main = s.vpcs[&v].main_route_table.clone();
        let r = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": v, "ServiceName": "com.amazonaws.us-east-1.s3", "RouteTableIds": [main]}),
        );
        let ep = &r["VpcEndpoint"];
        assert_eq!(
            (ep["VpcEndpointType"].as_str(), ep["State"].as_str()),
            (Some("Gateway"), Some("available"))
        );
        let id = ep["VpcEndpointId"].as_str().unwrap();
        let pl = s.vpc_endpoints[id].prefix_list_id.clone().unwrap();
        let route = s.route_tables[&main].route(&Destination::PrefixList(pl)).unwrap();
        assert_eq!(route.target, RouteTarget::VpcEndpoint(id.to_owned()));
        assert_eq!(s.vpc_endpoints[id].state, EndpointState::Available);
        let again = json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": v, "ServiceName": "com.amazonaws.us-east-1.s3", "RouteTableIds": [main]});
        fails(&mut s, again, codes::ROUTE_ALREADY_EXISTS, &main);
        let wrong = json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": v, "ServiceName": "com.amazonaws.us-east-1.sqs", "VpcEndpointType": "Gateway"});
        fails(&mut s, wrong, codes::INVALID_SERVICE_NAME, "com.amazonaws.us-east-1.sqs");
        let (other, _) = consumer(&mut s, "b");
        let foreign = json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": other, "ServiceName": "com.amazonaws.us-east-1.dynamodb", "RouteTableIds": [main]});
        fails(&mut s, foreign, codes::INVALID_PARAMETER_VALUE, &main);
        let dns = json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": other, "ServiceName": "com.amazonaws.us-east-1.dynamodb", "PrivateDnsEnabled": true});
        fails(&mut s, dns, codes::INVALID_PARAMETER, "gateway service");
        ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": other, "ServiceName": "com.amazonaws.us-east-1.dynamodb", "PrivateDnsEnabled": false}),
        );
        let bad_type = json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": other, "ServiceName": "x", "VpcEndpointType": "GatewayLoadBalancer"});
        fails(&mut s, bad_type, codes::INVALID_PARAMETER_VALUE, "GatewayLoadBalancer");
    }
}
