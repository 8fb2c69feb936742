//! `ModifyVpcEndpointServiceConfiguration {ServiceId, AcceptanceRequired?, PrivateDnsName? |
//! RemovePrivateDnsName?, AddNetworkLoadBalancerArns[]?, RemoveNetworkLoadBalancerArns[]?,
//! AddSupportedIpAddressTypes[]?, RemoveSupportedIpAddressTypes[]?}` → `{"Return":true}`.
//!
//! Owner only. `AcceptanceRequired` applies to new connections (pending ones stay pending).
//! A new private DNS name is served at once in every consumer VPC whose endpoint has private DNS
//! on (the endpoint's `DnsEntries` follow; another endpoint of that VPC already serving the name
//! → `InvalidParameterValue`); removing it turns those endpoints' private DNS off. Load
//! balancers: the caller's, not published by another service; at least one must remain; the
//! first one listed carries the endpoints' traffic. IP address types: `ipv4` only (adding it is
//! a no-op, removing it is refused). Gateway load balancers and supported regions are not
//! emulated: any value is `InvalidParameterValue`.

use super::common::{check_private_dns, done, set_dns_entries};
use super::endpoint_service_params::{private_dns_name, unpublished_load_balancers};
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, find};

/// Refuses any entry of list parameters the lab does not emulate, naming the first one.
fn refuse_entries(req: &Request, keys: &[&str], what: &str) -> Result<(), ApiError> {
    for key in keys {
        if let Some(v) = req.list(key)?.first() {
            return Err(req.bad(key, &v.as_str().into(), what));
        }
    }
    Ok(())
}

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let mut svc = find(&state.endpoint_services, &req.account, req.str("ServiceId")?)?.clone();
    refuse_entries(
        req,
        &["AddGatewayLoadBalancerArns", "RemoveGatewayLoadBalancerArns"],
        "privlink emulates network load balancer services only",
    )?;
    refuse_entries(
        req,
        &["AddSupportedRegions", "RemoveSupportedRegions"],
        &format!("privlink emulates one region ({}); services are not shared across regions", state.region),
    )?;
    for t in req.list("AddSupportedIpAddressTypes")? {
        if t != "ipv4" {
            return Err(req.bad(
                "AddSupportedIpAddressTypes",
                &t.into(),
                "privlink services support ipv4 only",
            ));
        }
    }
    if let Some(t) = req.list("RemoveSupportedIpAddressTypes")?.first() {
        return Err(req.bad(
            "RemoveSupportedIpAddressTypes",
            &t.as_str().into(),
            "a service keeps ipv4, the only address type privlink supports",
        ));
    }
    if let Some(on) = req.bool_opt("AcceptanceRequired")? {
        svc.acceptance_required = on;
    }
    let add = unpublished_load_balancers(state, req, "AddNetworkLoadBalancerArns", Some(&svc.service_id))?;
    let remove: Vec<String> = req
        .list("RemoveNetworkLoadBalancerArns")?
        .iter()
        .map(|k| find(&state.load_balancers, &req.account, k).map(|lb| lb.arn.clone()))
        .collect::<Result<_, _>>()?;
    if let Some(arn) = remove.iter().find(|a| !svc.network_load_balancer_arns.contains(a)) {
        return Err(req.bad(
            "RemoveNetworkLoadBalancerArns",
            &arn.as_str().into(),
            "not a load balancer of this service",
        ));
    }
    svc.network_load_balancer_arns.retain(|a| !remove.contains(a));
    for arn in add {
        if !svc.network_load_balancer_arns.contains(&arn) {
            svc.network_load_balancer_arns.push(arn);
        }
    }
    if svc.network_load_balancer_arns.is_empty() {
        return Err(ApiError::invalid(format!(
            "Endpoint service {} must keep at least one network load balancer",
            svc.service_id
        )));
    }
    let new_name = private_dns_name(req)?;
    match (new_name, req.bool_opt("RemovePrivateDnsName")?) {
        (Some(_), Some(true)) => {
            return Err(ApiError::new(
                codes::INVALID_PARAMETER_COMBINATION,
                "PrivateDnsName and RemovePrivateDnsName cannot be given together",
            ));
        }
        (Some(name), _) => svc.private_dns_name = Some(name),
        (None, Some(true)) => svc.private_dns_name = None,
        (None, _) => {}
    }
    let id = svc.service_id.clone();
    state.endpoint_services.insert(id.clone(), svc.clone());
    let endpoints: Vec<String> = state
        .vpc_endpoints
        .values()
        .filter(|e| e.service_id.as_ref() == Some(&id))
        .map(|e| e.id.clone())
        .collect();
    for ep_id in endpoints {
        let mut ep = state.vpc_endpoints[&ep_id].clone();
        if ep.private_dns_enabled {
            if svc.private_dns_name.is_none() {
                ep.private_dns_enabled = false;
            } else {
                let vpc = &state.vpcs[&ep.vpc_id];
                check_private_dns(state, vpc, &svc, &ep.id)?;
            }
        }
        set_dns_entries(&state.region, &svc, &mut ep);
        state.vpc_endpoints.insert(ep_id, ep);
    }
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    fn modify(service: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut r = json!({"Action": "ModifyVpcEndpointServiceConfiguration", "ServiceId": service});
        r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        r
    }

    #[test]
    fn acceptance_and_private_dns_name_change() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, [a, _]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a], &p.service_name);
        assert!(!s.vpc_endpoints[&ep].private_dns_enabled);
        ok(
            &mut s,
            modify(&p.service_id, json!({"AcceptanceRequired": true, "PrivateDnsName": "API.example.test."})),
        );
        let svc = &s.endpoint_services[&p.service_id];
        assert!(svc.acceptance_required);
        assert_eq!(svc.private_dns_name.as_deref(), Some("api.example.test"));
        ok(
            &mut s,
            json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep, "PrivateDnsEnabled": true}),
        );
        let names = |s: &State| {
            s.vpc_endpoints[&ep].dns_entries.iter().map(|d| d.dns_name.clone()).collect::<Vec<_>>()
        };
        assert!(names(&s).contains(&"api.example.test".to_owned()));
        let regional = names(&s)[0].clone();
        ok(&mut s, modify(&p.service_id, json!({"PrivateDnsName": "web.example.test"})));
        assert!(
            names(&s).contains(&"web.example.test".to_owned())
                && !names(&s).contains(&"api.example.test".to_owned())
        );
        assert_eq!(names(&s)[0], regional, "the regional name is kept");
        ok(&mut s, modify(&p.service_id, json!({"RemovePrivateDnsName": true})));
        assert!(s.endpoint_services[&p.service_id].private_dns_name.is_none());
        assert!(!s.vpc_endpoints[&ep].private_dns_enabled && names(&s).len() == 2);
        let both =
            modify(&p.service_id, json!({"PrivateDnsName": "a.example.test", "RemovePrivateDnsName": true}));
        fails(&mut s, both, codes::INVALID_PARAMETER_COMBINATION, "RemovePrivateDnsName");
        fails(
            &mut s,
            modify(&p.service_id, json!({"PrivateDnsName": "bad name"})),
            codes::INVALID_PARAMETER_VALUE,
            "bad name",
        );
        let mut foreign = modify(&p.service_id, json!({"AcceptanceRequired": false}));
        foreign["Account"] = CONSUMER.into();
        fails(&mut s, foreign, codes::INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND, &p.service_id);
    }

    #[test]
    fn load_balancers_can_be_swapped_but_not_all_removed() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let api = ok(
            &mut s,
            json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": "api", "Subnets": [p.subnets[0]]}),
        );
        let api = api["LoadBalancers"][0]["LoadBalancerArn"].as_str().unwrap().to_owned();
        ok(
            &mut s,
            modify(
                &p.service_id,
                json!({"AddNetworkLoadBalancerArns": ["api"], "RemoveNetworkLoadBalancerArns": [p.lb]}),
            ),
        );
        assert_eq!(s.endpoint_services[&p.service_id].network_load_balancer_arns, vec![api.clone()]);
        fails(
            &mut s,
            modify(&p.service_id, json!({"RemoveNetworkLoadBalancerArns": ["api"]})),
            codes::INVALID_PARAMETER_VALUE,
            "at least one",
        );
        fails(
            &mut s,
            modify(&p.service_id, json!({"RemoveNetworkLoadBalancerArns": ["web"]})),
            codes::INVALID_PARAMETER_VALUE,
            "net/web/",
        );
        ok(&mut s, modify(&p.service_id, json!({"AddSupportedIpAddressTypes": ["ipv4"]})));
        fails(
            &mut s,
            modify(&p.service_id, json!({"AddSupportedIpAddressTypes": ["ipv6"]})),
            codes::INVALID_PARAMETER_VALUE,
            "ipv6",
        );
        fails(
            &mut s,
            modify(&p.service_id, json!({"AddGatewayLoadBalancerArns": ["gwy"]})),
            codes::INVALID_PARAMETER_VALUE,
            "gwy",
        );
    }
}
