//! `CreateListener {LoadBalancerArn, Protocol, Port, DefaultActions:[{Type:"forward",
//! TargetGroupArn}]}` → `{"Listeners":[{…}]}`.
//!
//! The target group must be in the load balancer's VPC, carry the listener's protocol
//! (`IncompatibleProtocols`; a TCP_UDP group serves TCP or UDP listeners, a TCP_UDP listener
//! needs a TCP_UDP group) and not be used by another load balancer
//! (`TargetGroupAssociationLimit`). One listener per port and transport on a load balancer
//! (`DuplicateListener`).

use super::listener_rules::{check, forward_target};
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::elb_tags_on_create;
use super::validate::elb_protocol;
use crate::error::ApiError;
use crate::ids;
use crate::model::{Listener, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let lb = find(&state.load_balancers, &req.account, req.str("LoadBalancerArn")?)?;
    let protocol = elb_protocol(req, "Protocol")?;
    let port = req.port("Port")?;
    let tg = forward_target(state, req)?;
    check(state, lb, protocol, port, tg, None)?;
    let listener = Listener {
        arn: ids::listener_arn(&lb.arn),
        owner: req.account.clone(),
        load_balancer_arn: lb.arn.clone(),
        protocol,
        port,
        default_target_group_arn: tg.arn.clone(),
        attributes: Default::default(),
        tags: elb_tags_on_create(req)?,
    };
    let arn = listener.arn.clone();
    state.listeners.insert(listener.arn.clone(), listener);
    Ok(Outcome::Listener(arn))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    fn listener(protocol: &str, port: u16, tg: &str) -> serde_json::Value {
        json!({"Action": "CreateListener", "LoadBalancerArn": "web", "Protocol": protocol, "Port": port,
               "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]})
    }

    #[test]
    fn protocols_must_match_and_ports_not_clash() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        ok(
            &mut s,
            json!({"Action": "CreateTargetGroup", "Name": "dns", "Protocol": "TCP_UDP", "Port": 53, "VpcId": p.vpc}),
        );
        ok(&mut s, listener("UDP", 80, "dns"));
        fails(&mut s, listener("TCP", 80, "web"), codes::DUPLICATE_LISTENER, "port 80");
        fails(&mut s, listener("UDP", 81, "web"), codes::INCOMPATIBLE_PROTOCOLS, "'UDP'");
        fails(&mut s, listener("TCP_UDP", 81, "web"), codes::INCOMPATIBLE_PROTOCOLS, "'TCP_UDP'");
        ok(&mut s, listener("TCP", 53, "dns"));
        let v = ok(&mut s, listener("TCP", 8080, "web"));
        assert!(v["Listeners"][0]["ListenerArn"].as_str().unwrap().contains(":listener/net/web/"));
        let mut bad = listener("TCP", 9, "web");
        bad["DefaultActions"][0]["Type"] = "redirect".into();
        fails(&mut s, bad, codes::INVALID_PARAMETER_VALUE, "redirect");
        let mut two = listener("TCP", 9, "web");
        two["DefaultActions"] = json!([]);
        fails(&mut s, two, codes::INVALID_PARAMETER_VALUE, "exactly one");
        // Terraform sends each action's Order; a member nobody reads is refused by its path.
        let mut ordered = listener("TCP", 9, "web");
        ordered["DefaultActions"][0]["Order"] = 1.into();
        ok(&mut s, ordered);
        let mut typo = listener("TCP", 10, "web");
        typo["DefaultActions"][0]["Ordre"] = 1.into();
        fails(&mut s, typo, codes::UNKNOWN_PARAMETER, "DefaultActions.1.Ordre");
    }

    #[test]
    fn a_target_group_serves_one_load_balancer_in_its_vpc() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        ok(
            &mut s,
            json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": "api", "Subnets": [p.subnets[0]]}),
        );
        let mut second = listener("TCP", 80, "web");
        second["LoadBalancerArn"] = "api".into();
        fails(&mut s, second, codes::TARGET_GROUP_ASSOCIATION_LIMIT, "web");
        let other = vpc(&mut s, PROVIDER, "other", "10.0.0.0/16");
        ok(
            &mut s,
            json!({"Action": "CreateTargetGroup", "Name": "far", "Protocol": "TCP", "Port": 80, "VpcId": other}),
        );
        fails(&mut s, listener("TCP", 81, "far"), codes::INVALID_PARAMETER_VALUE, &other);
    }
}
