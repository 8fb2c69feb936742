//! `DeleteLoadBalancer {LoadBalancerArn}` → `{}`.
//!
//! Deletes the load balancer and its listeners (as AWS does), freeing its node addresses. A load
//! balancer published by an endpoint service cannot be deleted (`ResourceInUse`), nor one with
//! deletion protection on (`OperationNotPermitted`).

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let lb = find(&state.load_balancers, &req.account, req.str("LoadBalancerArn")?)?;
    if lb.deletion_protection {
        return Err(ApiError::new(
            codes::OPERATION_NOT_PERMITTED,
            format!(
                "Load balancer '{}' cannot be deleted because deletion protection is enabled; set deletion_protection.enabled to false first",
                lb.arn
            ),
        ));
    }
    let arn = lb.arn.clone();
    if let Some(svc) = state.endpoint_services.values().find(|s| s.network_load_balancer_arns.contains(&arn))
    {
        return Err(ApiError::new(
            codes::RESOURCE_IN_USE,
            format!(
                "Load balancer '{arn}' cannot be deleted because it is associated with endpoint service {}; delete the service configuration first",
                svc.service_id
            ),
        ));
    }
    state.listeners.retain(|_, l| l.load_balancer_arn != arn);
    state.load_balancers.remove(&arn);
    Ok(Outcome::Answer(json!({})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_with_listeners_unless_published() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let delete = json!({"Action": "DeleteLoadBalancer", "LoadBalancerArn": "web"});
        fails(&mut s, delete.clone(), codes::RESOURCE_IN_USE, &p.service_id);
        ok(&mut s, json!({"Action": "DeleteVpcEndpointServiceConfigurations", "ServiceIds": [p.service_id]}));
        ok(&mut s, delete);
        assert!(s.load_balancers.is_empty() && s.listeners.is_empty());
        assert_eq!(s.target_groups.len(), 1, "target groups outlive the load balancer");
        fails(
            &mut s,
            json!({"Action": "DeleteLoadBalancer", "LoadBalancerArn": p.lb}),
            codes::LOAD_BALANCER_NOT_FOUND,
            &p.lb,
        );
    }
}
