//! `CreateVpcEndpointServiceConfiguration {NetworkLoadBalancerArns[], AcceptanceRequired?,
//! PrivateDnsName?, Name?}` → `{"ServiceConfiguration":{…}}`.
//!
//! Publishes the caller's NLBs as a service named `com.amazonaws.vpce.<region>.vpce-svc-…`.
//! A load balancer belongs to at most one service; none at all is `InvalidParameter`, as in AWS.
//! `AcceptanceRequired` defaults to false.
//! Nobody but the owner may connect until principals are allowed
//! (`ModifyVpcEndpointServicePermissions`). The private DNS name is taken as verified.

use super::endpoint_service_params::{private_dns_name, unpublished_load_balancers};
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::tags_on_create;
use crate::error::{ApiError, codes};
use crate::ids::IdKind;
use crate::model::{EndpointService, State};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let arns = unpublished_load_balancers(state, req, "NetworkLoadBalancerArns", None)?;
    if arns.is_empty() {
        return Err(ApiError::new(
            codes::INVALID_PARAMETER,
            "To create a VPC endpoint service configuration, you must provide either a Gateway Load Balancer ARN or a Network Load Balancer ARN (privlink publishes network load balancers: give NetworkLoadBalancerArns)",
        ));
    }
    let service_id = state.new_id(IdKind::EndpointService);
    let svc = EndpointService {
        service_name: format!("com.amazonaws.vpce.{}.{service_id}", state.region),
        service_id,
        owner: req.account.clone(),
        tags: tags_on_create(req, "vpc-endpoint-service")?,
        network_load_balancer_arns: arns,
        acceptance_required: req.bool_opt("AcceptanceRequired")?.unwrap_or(false),
        allowed_principals: Vec::new(),
        private_dns_name: private_dns_name(req)?,
    };
    let id = svc.service_id.clone();
    state.endpoint_services.insert(svc.service_id.clone(), svc);
    Ok(Outcome::ServiceConfiguration(id))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn publishes_an_nlb_once() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let svc = &s.endpoint_services[&p.service_id];
        assert_eq!(p.service_name, format!("com.amazonaws.vpce.us-east-1.{}", p.service_id));
        assert!(svc.acceptance_required);
        let again =
            json!({"Action": "CreateVpcEndpointServiceConfiguration", "NetworkLoadBalancerArns": ["web"]});
        fails(&mut s, again, codes::INVALID_PARAMETER_VALUE, &p.service_id);
        ok(
            &mut s,
            json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": "api", "Subnets": [p.subnets[0]]}),
        );
        let v = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpointServiceConfiguration", "NetworkLoadBalancerArns": ["api"], "PrivateDnsName": "API.example.com"}),
        );
        let conf = &v["ServiceConfiguration"];
        assert_eq!(conf["PrivateDnsName"], "api.example.com");
        assert_eq!(conf["AvailabilityZones"], json!(["us-east-1a"]));
        assert_eq!(conf["AcceptanceRequired"], false);
    }

    #[test]
    fn rejects_unknown_nlbs_and_bad_dns_names() {
        let mut s = State::new();
        provider(&mut s, false);
        let create = |extra: serde_json::Value| {
            let mut r = json!({"Action": "CreateVpcEndpointServiceConfiguration", "NetworkLoadBalancerArns": ["nope"]});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        fails(&mut s, create(json!({})), codes::LOAD_BALANCER_NOT_FOUND, "nope");
        fails(
            &mut s,
            create(json!({"Account": CONSUMER, "NetworkLoadBalancerArns": ["web"]})),
            codes::LOAD_BALANCER_NOT_FOUND,
            "web",
        );
        ok(
            &mut s,
            json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": "api", "Subnets": ["prov-a"]}),
        );
        fails(
            &mut s,
            create(json!({"NetworkLoadBalancerArns": ["api"], "PrivateDnsName": "bad_name.com"})),
            codes::INVALID_PARAMETER_VALUE,
            "bad_name.com",
        );
    }

    #[test]
    fn without_a_load_balancer_is_invalid_parameter_in_aws_words() {
        let mut s = State::new();
        provider(&mut s, false);
        for req in [
            json!({"Action": "CreateVpcEndpointServiceConfiguration", "NetworkLoadBalancerArns": []}),
            json!({"Action": "CreateVpcEndpointServiceConfiguration", "AcceptanceRequired": true}),
        ] {
            let e = fails(&mut s, req, codes::INVALID_PARAMETER, "NetworkLoadBalancerArns");
            assert!(
                e.message.starts_with("To create a VPC endpoint service configuration, you must provide either a Gateway Load Balancer ARN or a Network Load Balancer ARN"),
                "{}",
                e.message
            );
        }
    }
}
