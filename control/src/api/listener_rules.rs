//! The rules a listener obeys, shared by CreateListener and ModifyListener: reading its one
//! `forward` default action, and checking where it may forward.
//!
//! Contract ([`check`]): the target group is in the load balancer's VPC, carries the
//! listener's protocol (`IncompatibleProtocols`; a TCP_UDP group serves TCP or UDP listeners, a
//! TCP_UDP listener needs a TCP_UDP group) and is not used by another load balancer
//! (`TargetGroupAssociationLimit`); one listener per port and transport on a load balancer
//! (`DuplicateListener`), a listener never clashing with itself.

use super::request::{Params, Request};
use super::validate::same_vpc;
use crate::error::{ApiError, codes};
use crate::model::{ElbProtocol, LoadBalancer, State, TargetGroup, find};

/// The target group of the one `forward` action of `DefaultActions`.
pub fn forward_target<'a>(state: &'a State, req: &Request) -> Result<&'a TargetGroup, ApiError> {
    let actions = req.objects("DefaultActions")?;
    let [action] = actions.as_slice() else {
        return Err(ApiError::invalid(format!(
            "DefaultActions must hold exactly one action {{\"Type\":\"forward\",\"TargetGroupArn\":…}}, got {}",
            actions.len()
        )));
    };
    if let Some(t) = action.str_opt("Type")?.filter(|t| !t.eq_ignore_ascii_case("forward")) {
        return Err(action.bad("Type", &t.into(), "network load balancers support forward actions only"));
    }
    // AWS runs a listener's actions by `Order` (1-50000; Terraform always sends it): with the
    // one action an NLB takes, it orders nothing.
    action.int_opt("Order", 1..=50_000)?;
    find(&state.target_groups, &req.account, action.str("TargetGroupArn")?)
}

/// Checks a listener of `lb` on `protocol`/`port` forwarding to `tg` against the rules of the
/// module docs;
/// `except` is the listener being modified (it does not clash with itself).
pub fn check(
    state: &State,
    lb: &LoadBalancer,
    protocol: ElbProtocol,
    port: u16,
    tg: &TargetGroup,
    except: Option<&str>,
) -> Result<(), ApiError> {
    same_vpc(&format!("Target group {}", tg.name), &tg.vpc_id, &lb.vpc_id)?;
    let compatible = match protocol {
        ElbProtocol::TcpUdp => tg.protocol == ElbProtocol::TcpUdp,
        p => tg.protocol == p || tg.protocol == ElbProtocol::TcpUdp,
    };
    if !compatible {
        return Err(ApiError::new(
            codes::INCOMPATIBLE_PROTOCOLS,
            format!(
                "Listener protocol '{}' is not compatible with protocol '{}' of target group '{}'",
                protocol.as_str(),
                tg.protocol.as_str(),
                tg.name
            ),
        ));
    }
    let others = || state.listeners.values().filter(|l| Some(l.arn.as_str()) != except);
    if let Some(other) =
        others().find(|l| l.default_target_group_arn == tg.arn && l.load_balancer_arn != lb.arn)
    {
        return Err(ApiError::new(
            codes::TARGET_GROUP_ASSOCIATION_LIMIT,
            format!(
                "Target group '{}' is already used by load balancer {}",
                tg.name, other.load_balancer_arn
            ),
        ));
    }
    if let Some(other) =
        others().find(|l| l.load_balancer_arn == lb.arn && l.port == port && l.protocol.overlaps(protocol))
    {
        return Err(ApiError::new(
            codes::DUPLICATE_LISTENER,
            format!(
                "A listener already exists on port {port} ({}) of load balancer '{}'",
                other.protocol.as_str(),
                lb.name
            ),
        ));
    }
    Ok(())
}
