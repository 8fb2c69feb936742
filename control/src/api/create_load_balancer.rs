//! `CreateLoadBalancer {Name, Subnets[], Type, Scheme?, CrossZone?}` → `{"LoadBalancers":[{…}]}`.
//!
//! Only internal network load balancers exist in privlink: `Type` must be `network`
//! (`ValidationError` otherwise, absent included: AWS would create an application load
//! balancer), `Scheme` internal.
//! Subnets: all in one VPC, at most one per AZ (`InvalidConfigurationRequest`). Each gets a
//! node with the highest free address of its subnet. Names are unique per account
//! (`DuplicateLoadBalancerName`). `CrossZone` (lab shortcut for the load balancer attribute)
//! defaults to false.

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::elb_tags_on_create;
use super::validate::{elb_name, same_vpc};
use crate::error::{ApiError, codes};
use crate::ids;
use crate::model::{AddressBook, LoadBalancer, NlbNode, Pick, State, Subnet, find, visible};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let name = elb_name(req, "Load balancer")?;
    match req.str_opt("Type")? {
        Some("network") => {}
        // AWS creates an application load balancer when Type is absent: privlink does not
        // silently create another kind than the one asked for.
        None => {
            return Err(ApiError::new(
                codes::VALIDATION_ERROR,
                "privlink models only network load balancers: give Type network (without Type, AWS creates an application load balancer)",
            ));
        }
        Some(other) => {
            return Err(ApiError::new(
                codes::VALIDATION_ERROR,
                format!(
                    "privlink models only network load balancers: the load balancer type '{other}' is not supported; give Type network"
                ),
            ));
        }
    }
    if let Some(v) = req.str_opt("Scheme")?.filter(|v| *v != "internal") {
        return Err(req.bad("Scheme", &v.into(), "privlink load balancers are internal only"));
    }
    if visible(&state.load_balancers, &req.account).any(|lb| lb.name == name) {
        return Err(ApiError::new(
            codes::DUPLICATE_LOAD_BALANCER_NAME,
            format!("A load balancer with the name '{name}' already exists"),
        ));
    }
    let subnets = req
        .list_required("Subnets")?
        .iter()
        .map(|k| find(&state.subnets, &req.account, k))
        .collect::<Result<Vec<&Subnet>, _>>()?;
    let vpc_id = subnets[0].vpc_id.clone();
    for (n, s) in subnets.iter().enumerate() {
        same_vpc(&format!("Subnet {}", s.id), &s.vpc_id, &vpc_id)?;
        if let Some(twin) = subnets[..n].iter().find(|t| t.az == s.az) {
            return Err(ApiError::new(
                codes::INVALID_CONFIGURATION_REQUEST,
                format!(
                    "A load balancer cannot be attached to multiple subnets in the same Availability Zone: {} and {} are both in {}",
                    twin.id, s.id, s.az
                ),
            ));
        }
    }
    let arn = ids::load_balancer_arn(&state.region, &req.account, &name);
    let mut book = AddressBook::for_vpc(state, &vpc_id);
    let nodes = subnets
        .iter()
        .map(|s| {
            let ip = book.assign(s, None, Pick::Highest, &arn)?;
            Ok(NlbNode { subnet_id: s.id.clone(), az: s.az.clone(), ip })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let lb = LoadBalancer {
        dns_name: format!("{name}-{}.elb.{}.amazonaws.com", ids::arn_suffix(&arn), state.region),
        arn,
        owner: req.account.clone(),
        name,
        vpc_id,
        nodes,
        cross_zone: req.bool_opt("CrossZone")?.unwrap_or(false),
        deletion_protection: false,
        attributes: Default::default(),
        tags: elb_tags_on_create(req)?,
    };
    let arn = lb.arn.clone();
    state.load_balancers.insert(lb.arn.clone(), lb);
    Ok(Outcome::LoadBalancer(arn))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    fn setup(s: &mut State) -> [String; 3] {
        let v = vpc(s, PROVIDER, "prov", "10.0.0.0/16");
        [
            subnet(s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a"),
            subnet(s, PROVIDER, &v, "b", "10.0.2.0/24", "us-east-1b"),
            subnet(s, PROVIDER, &v, "a2", "10.0.3.0/24", "us-east-1a"),
        ]
    }

    #[test]
    fn creates_one_node_per_subnet_from_the_top_of_the_range() {
        let mut s = State::new();
        setup(&mut s);
        let v = ok(
            &mut s,
            json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": "web", "Subnets": ["a", "b"], "CrossZone": true}),
        );
        let lb = &v["LoadBalancers"][0];
        assert!(lb["LoadBalancerArn"].as_str().unwrap().contains(":loadbalancer/net/web/"));
        assert_eq!(
            lb["AvailabilityZones"][0]["LoadBalancerAddresses"][0]["PrivateIPv4Address"],
            "10.0.1.254"
        );
        assert_eq!(lb["AvailabilityZones"][1]["ZoneName"], "us-east-1b");
        assert_eq!(lb["CrossZoneEnabled"], true);
        assert!(lb["DNSName"].as_str().unwrap().starts_with("web-"));
    }

    #[test]
    fn enforces_names_zones_vpcs_and_type() {
        let mut s = State::new();
        setup(&mut s);
        let other = vpc(&mut s, PROVIDER, "other", "10.0.0.0/16");
        subnet(&mut s, PROVIDER, &other, "o", "10.0.1.0/24", "us-east-1c");
        let create = |name: &str, subnets: serde_json::Value| json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": name, "Subnets": subnets});
        ok(&mut s, create("web", json!(["a"])));
        fails(&mut s, create("web", json!(["b"])), codes::DUPLICATE_LOAD_BALANCER_NAME, "web");
        fails(&mut s, create("x", json!(["a", "a2"])), codes::INVALID_CONFIGURATION_REQUEST, "us-east-1a");
        fails(&mut s, create("x", json!(["b", "o"])), codes::INVALID_PARAMETER_VALUE, "belongs to");
        let e = fails(&mut s, create("-x", json!(["b"])), codes::VALIDATION_ERROR, "'-x'");
        assert!(
            e.message.starts_with("Load balancer name '-x' cannot begin or end with '-'"),
            "{}",
            e.message
        );
        fails(&mut s, create("x", json!([])), codes::MISSING_PARAMETER, "Subnets");
        let mut alb = create("x", json!(["b"]));
        alb["Type"] = "application".into();
        fails(&mut s, alb, codes::VALIDATION_ERROR, "'application'");
        let (_, consumer_subnets) = consumer(&mut s, "c");
        let theirs = json!({"Action": "CreateLoadBalancer", "Type": "network", "Account": CONSUMER, "Name": "web", "Subnets": [consumer_subnets[0]]});
        ok(&mut s, theirs);
    }

    #[test]
    fn without_type_is_a_validation_error_not_an_application_load_balancer() {
        let mut s = State::new();
        setup(&mut s);
        let e = fails(
            &mut s,
            json!({"Action": "CreateLoadBalancer", "Name": "web", "Subnets": ["a"]}),
            codes::VALIDATION_ERROR,
            "Type network",
        );
        assert!(e.message.starts_with("privlink models only network load balancers"), "{}", e.message);
    }
}
