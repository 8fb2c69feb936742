//! `ModifyListener {ListenerArn, Port?, Protocol?, DefaultActions?}` → `{"Listeners":[{…}]}`.
//!
//! Changes a listener's port, protocol or default target group under CreateListener's rules
//! (the listener never clashes with itself). New flows follow at once; established flows keep
//! their target. TLS settings (`SslPolicy`, `Certificates`, `AlpnPolicy`,
//! `MutualAuthentication`) are `InvalidConfigurationRequest`: privlink's listeners are TCP/UDP.

use super::listener_rules::{check, forward_target};
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::validate::elb_protocol;
use crate::error::{ApiError, codes};
use crate::model::{State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let listener = find(&state.listeners, &req.account, req.str("ListenerArn")?)?.clone();
    if let Some(key) = ["SslPolicy", "Certificates", "AlpnPolicy", "MutualAuthentication"]
        .into_iter()
        .find(|k| req.raw(k).is_some())
    {
        return Err(ApiError::new(
            codes::INVALID_CONFIGURATION_REQUEST,
            format!(
                "{key} applies to TLS listeners; privlink's network load balancers listen on TCP, UDP or TCP_UDP"
            ),
        ));
    }
    let lb = &state.load_balancers[&listener.load_balancer_arn];
    let protocol = match req.raw("Protocol") {
        Some(_) => elb_protocol(req, "Protocol")?,
        None => listener.protocol,
    };
    let port = req.port_opt("Port")?.unwrap_or(listener.port);
    let tg = match req.raw("DefaultActions") {
        Some(_) => forward_target(state, req)?,
        None => &state.target_groups[&listener.default_target_group_arn],
    };
    check(state, lb, protocol, port, tg, Some(&listener.arn))?;
    let mut changed = listener;
    changed.protocol = protocol;
    changed.port = port;
    changed.default_target_group_arn = tg.arn.clone();
    let arn = changed.arn.clone();
    state.listeners.insert(changed.arn.clone(), changed);
    Ok(Outcome::Listener(arn))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{ElbProtocol, State};

    #[test]
    fn moves_port_protocol_and_target_group() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let modify = |extra: serde_json::Value| {
            let mut r = json!({"Action": "ModifyListener", "ListenerArn": p.listener});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        let v = ok(&mut s, modify(json!({"Port": 8080})));
        assert_eq!(v["Listeners"][0]["Port"], 8080);
        assert_eq!(s.listeners[&p.listener].port, 8080);
        ok(&mut s, modify(json!({"Port": 8080, "Protocol": "TCP"})));
        ok(
            &mut s,
            json!({"Action": "CreateTargetGroup", "Name": "dns", "Protocol": "TCP_UDP", "Port": 53, "VpcId": p.vpc}),
        );
        ok(
            &mut s,
            modify(
                json!({"Protocol": "TCP_UDP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": "dns"}]}),
            ),
        );
        let l = &s.listeners[&p.listener];
        assert_eq!(l.protocol, ElbProtocol::TcpUdp);
        assert!(l.default_target_group_arn.contains(":targetgroup/dns/"));
        fails(
            &mut s,
            modify(json!({"DefaultActions": [{"Type": "forward", "TargetGroupArn": "web"}]})),
            codes::INCOMPATIBLE_PROTOCOLS,
            "'TCP_UDP'",
        );
        ok(
            &mut s,
            json!({"Action": "CreateListener", "LoadBalancerArn": p.lb, "Protocol": "TCP", "Port": 80,
                   "DefaultActions": [{"Type": "forward", "TargetGroupArn": "web"}]}),
        );
        fails(&mut s, modify(json!({"Port": 80})), codes::DUPLICATE_LISTENER, "port 80");
        fails(
            &mut s,
            modify(json!({"SslPolicy": "ELBSecurityPolicy-2016-08"})),
            codes::INVALID_CONFIGURATION_REQUEST,
            "SslPolicy",
        );
        fails(&mut s, modify(json!({"Port": 0})), codes::INVALID_PARAMETER_VALUE, "Port");
    }
}
