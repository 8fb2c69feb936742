//! What a mutating operation answers, rendered in one place from the committed state.
//!
//! A mutating operation changes the [`State`] and returns an [`Outcome`]: either a fixed answer
//! (`{"Return":true}`, `{}`, a batch's `Unsuccessful` items) or the resource whose view the
//! answer shows. The controller renders the outcome only after the fabric has applied the
//! change, from that state, so an answer shows what the fabric decided (a VPC's
//! `NetnsManaged`, a subnet's free addresses after an endpoint took one) and never a
//! half-built resource.
//!
//! Invariant: the resource an outcome names is in the state the operation returned it from
//! (the operation created or changed it); rendering a missing one is an `InternalError`, never
//! a panic.

use serde_json::{Value, json};

use super::view;
use crate::error::ApiError;
use crate::model::State;

/// The answer of a mutating operation, before it is rendered.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// An answer that shows no resource's view.
    Answer(Value),
    /// `{"Vpc": …}` of the VPC with this ID.
    Vpc(String),
    /// `{"Subnet": …}`.
    Subnet(String),
    /// `{"RouteTable": …}`.
    RouteTable(String),
    /// A reservation of the one instance with this ID (RunInstances).
    Reservation(String),
    /// `{"LoadBalancers": [ … ]}` of the NLB with this ARN.
    LoadBalancer(String),
    /// `{"TargetGroups": [ … ]}`.
    TargetGroup(String),
    /// `{"Listeners": [ … ]}`.
    Listener(String),
    /// `{"ServiceConfiguration": …}` of the endpoint service with this ID.
    ServiceConfiguration(String),
    /// `{"VpcEndpoint": …}`.
    VpcEndpoint(String),
}

impl Outcome {
    /// The answer, from `state` (the committed state the outcome's change is part of).
    pub fn render(self, state: &State) -> Result<Value, ApiError> {
        let missing = |kind: &str, id: &str| {
            ApiError::internal(format!(
                "the {kind} {id} the operation made is not in the state it answered from"
            ))
        };
        Ok(match self {
            Outcome::Answer(v) => v,
            Outcome::Vpc(id) => {
                json!({"Vpc": view::vpc(state.vpcs.get(&id).ok_or_else(|| missing("VPC", &id))?)})
            }
            Outcome::Subnet(id) => {
                let s = state.subnets.get(&id).ok_or_else(|| missing("subnet", &id))?;
                json!({"Subnet": view::subnet(state, s)})
            }
            Outcome::RouteTable(id) => {
                let rt = state.route_tables.get(&id).ok_or_else(|| missing("route table", &id))?;
                json!({"RouteTable": view::route_table(rt)})
            }
            Outcome::Reservation(id) => {
                view::reservation(state, state.instances.get(&id).ok_or_else(|| missing("instance", &id))?)
            }
            Outcome::LoadBalancer(arn) => {
                let lb = state.load_balancers.get(&arn).ok_or_else(|| missing("load balancer", &arn))?;
                json!({"LoadBalancers": [view::load_balancer(lb)]})
            }
            Outcome::TargetGroup(arn) => {
                let tg = state.target_groups.get(&arn).ok_or_else(|| missing("target group", &arn))?;
                json!({"TargetGroups": [view::target_group(state, tg)]})
            }
            Outcome::Listener(arn) => {
                let l = state.listeners.get(&arn).ok_or_else(|| missing("listener", &arn))?;
                json!({"Listeners": [view::listener(l)]})
            }
            Outcome::ServiceConfiguration(id) => {
                let svc = state.endpoint_services.get(&id).ok_or_else(|| missing("endpoint service", &id))?;
                json!({"ServiceConfiguration": view::service_configuration(state, svc)})
            }
            Outcome::VpcEndpoint(id) => {
                let ep = state.vpc_endpoints.get(&id).ok_or_else(|| missing("VPC endpoint", &id))?;
                json!({"VpcEndpoint": view::vpc_endpoint(state, ep)})
            }
        })
    }
}
