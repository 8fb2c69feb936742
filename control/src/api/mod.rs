//! The API: one file per AWS-named operation, plus dispatch.
//!
//! Each operation file has `run(state, req) -> Result<Value, ApiError>`: it reads its parameters
//! from the [`Request`], validates them against the [`State`], applies the change (mutating
//! operations get `&mut State`, Describe* `&State`) and returns the AWS-shaped result. Every
//! operation file documents its rules and carries its own tests.
//!
//! # Wire shapes
//!
//! A request is one JSON object: `{"Action":"CreateVpc","Account":"111111111111",…params}`.
//! `Account` defaults to `111111111111` and must be 12 digits. Parameters use EC2 / ELBv2 names
//! (botocore's member names, as the AWS front passes them); lists are JSON arrays (a single
//! string is taken as a one-element list); numbers and booleans may be JSON or strings. A
//! parameter the operation does not use is `UnknownParameter`.
//! Wherever a parameter takes an ID (or an ELBv2 ARN), a unique `Name` tag of a resource of that
//! kind owned by the caller works too; an account sees only its own resources (`…NotFound`
//! otherwise), except that endpoint services are found by ServiceName by every allowed account
//! and service owners see the endpoints connected to their services.
//!
//! Common to many operations, and written once:
//! - EC2 Describe* take `Filters[{Name, Values[]}]?` (all but DescribeAccountAttributes) and,
//!   where AWS pages them, `MaxResults?`, `NextToken?`, answering `NextToken` when more items
//!   follow; ELBv2 DescribeLoadBalancers / TargetGroups / Listeners take `PageSize?`, `Marker?`
//!   and answer `NextMarker` (`api/describe.rs` has the rules, each operation's `LISTING` its
//!   filter names).
//! - EC2 Create* take `TagSpecifications[{ResourceType, Tags[{Key, Value}]}]?`, ELBv2 Create*
//!   `Tags[]?` (`api/tagging.rs`); Describe* of EC2 resources show `Tags`.
//! - Every EC2 action takes `DryRun?`; CreateRouteTable, CreateVpcEndpoint,
//!   CreateVpcEndpointServiceConfiguration and RunInstances take `ClientToken?` (`api/call.rs`).
//!
//! A success is the result object below; a failure is
//! `{"Error":{"Code":"InvalidVpcID.NotFound","Message":"The vpc ID 'vpc-1' does not exist"}}`
//! (see [`crate::error::codes`]). Delete* calls of EC2 that return nothing answer
//! `{"Return":true}`; ELBv2 ones answer `{}`.
//!
//! Every operation, its parameters and its answer are listed once, in [`registry::OPERATIONS`]
//! (rendered into `docs/aws-api.md`, and by `privlink api --help`). Data-plane actions
//! (`GetStats`, `DescribeFlows`, `Trace`) are in the registry too and answered by the fabric's
//! [`crate::Inspect`]; an action not in the registry is `InvalidAction`.

mod accept_vpc_endpoint_connections;
mod add_tags;
mod associate_route_table;
mod attribute_specs;
mod authorize_security_group_egress;
mod authorize_security_group_ingress;
mod call;
mod common;
mod create_listener;
mod create_load_balancer;
mod create_route;
mod create_route_table;
mod create_security_group;
mod create_subnet;
mod create_tags;
mod create_target_group;
mod create_vpc;
mod create_vpc_endpoint;
mod create_vpc_endpoint_service_configuration;
mod delete_listener;
mod delete_load_balancer;
mod delete_route;
mod delete_route_table;
mod delete_security_group;
mod delete_subnet;
mod delete_tags;
mod delete_target_group;
mod delete_vpc;
mod delete_vpc_endpoint_service_configurations;
mod delete_vpc_endpoints;
mod deregister_targets;
mod describe;
mod describe_account_attributes;
mod describe_availability_zones;
mod describe_capacity_reservation;
mod describe_elb_tags;
mod describe_images;
mod describe_instance_attribute;
mod describe_instance_credit_specifications;
mod describe_instance_types;
mod describe_instances;
mod describe_listener_attributes;
mod describe_listeners;
mod describe_load_balancer_attributes;
mod describe_load_balancers;
mod describe_network_acls;
mod describe_network_interfaces;
mod describe_prefix_lists;
mod describe_regions;
mod describe_route_tables;
mod describe_security_group_rules;
mod describe_security_groups;
mod describe_subnets;
mod describe_tags;
mod describe_target_group_attributes;
mod describe_target_groups;
mod describe_target_health;
mod describe_volumes;
mod describe_vpc_attribute;
mod describe_vpc_endpoint_connections;
mod describe_vpc_endpoint_service_configurations;
mod describe_vpc_endpoint_service_permissions;
mod describe_vpc_endpoint_services;
mod describe_vpc_endpoints;
mod describe_vpcs;
mod disassociate_route_table;
mod elb_attributes;
mod endpoint_service_params;
mod get_caller_identity;
mod health_check;
mod listener_rules;
mod modify_instance_attribute;
mod modify_listener;
mod modify_listener_attributes;
mod modify_load_balancer_attributes;
mod modify_subnet_attribute;
mod modify_target_group;
mod modify_target_group_attributes;
mod modify_vpc_attribute;
mod modify_vpc_endpoint;
mod modify_vpc_endpoint_service_configuration;
mod modify_vpc_endpoint_service_permissions;
mod outcome;
mod permissions;
mod register_targets;
mod registry;
mod reject_vpc_endpoint_connections;
mod remove_tags;
mod request;
mod revoke_security_group_egress;
mod revoke_security_group_ingress;
mod run_instances;
mod tagging;
mod targets;
mod terminate_instances;
#[cfg(test)]
mod testkit;
mod validate;
mod view;

use serde_json::Value;

pub use outcome::Outcome;
pub use registry::{Kind, OPERATIONS, Operation, ReadOp, Service, WriteOp};
pub use request::{Nested, Params, Request, rfc3339};

use call::Call;

use crate::error::{ApiError, codes};
use crate::model::State;

/// The operation named `action`, if privlink implements it.
pub fn operation(action: &str) -> Option<&'static Operation> {
    registry::find(action)
}

/// The operation of an AWS `service` called `wire` on the wire.
pub fn operation_on_wire(service: Service, wire: &str) -> Option<&'static Operation> {
    registry::on_wire(service, wire)
}

/// Every action, one line each by service (the CLI's `privlink api --help`).
pub fn action_list() -> String {
    registry::action_list()
}

/// The `InvalidAction` error for `action`.
pub fn invalid_action(action: &str) -> ApiError {
    ApiError::new(
        codes::INVALID_ACTION,
        format!(
            "The action {action} is not valid for this web service; `privlink api --help` lists the actions"
        ),
    )
}

/// A call that ran and passed every check: its answer is rendered once the fabric has applied
/// the change ([`Pending::answer`]).
pub struct Pending {
    call: Call,
    outcome: Outcome,
}

impl Pending {
    /// The answer, rendered from `applied` (the state after the fabric applied the change) and
    /// recorded there under the call's client token.
    pub fn answer(self, applied: &mut State) -> Result<Value, ApiError> {
        let out = self.outcome.render(applied)?;
        self.call.record(applied, &out);
        Ok(out)
    }
}

/// Runs `req` against `state`, with `DryRun` and `ClientToken` handled as `api/call.rs` says;
/// a dry run fails here with `DryRunOperation`, after every check.
/// Contract: on `Err`, `state` may be partly modified, so callers pass a scratch copy and keep
/// it only on `Ok` (the [`crate::Controller`] does).
pub fn dispatch(state: &mut State, req: &Request) -> Result<Pending, ApiError> {
    let op = operation(&req.action).ok_or_else(|| invalid_action(&req.action))?;
    let call = Call::read(op, req)?;
    if let Some(answer) = call.replay(state, req)? {
        return Ok(Pending { call: call.replayed(), outcome: Outcome::Answer(answer) });
    }
    let outcome = match op.kind {
        Kind::Read(run) => Outcome::Answer(run(state, req)?),
        Kind::Write(run) => run(state, req)?,
        Kind::DataPlane | Kind::Credentials => return Err(invalid_action(&req.action)),
    };
    req.reject_unused()?;
    call.check()?;
    Ok(Pending { call, outcome })
}

/// [`dispatch`] and the answer at once, for a state no fabric applies (tests, tools).
pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    dispatch(state, req)?.answer(state)
}

/// Runs a read-only `req` against `state`; `InvalidAction` for anything else.
pub fn query(state: &State, req: &Request) -> Result<Value, ApiError> {
    let Some(op @ Operation { kind: Kind::Read(read), .. }) = operation(&req.action) else {
        return Err(invalid_action(&req.action));
    };
    let call = Call::read(op, req)?;
    let out = read(state, req)?;
    req.reject_unused()?;
    call.check()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::testkit::*;

    #[test]
    fn unknown_actions_and_parameters_are_errors() {
        let mut s = State::new();
        fails(&mut s, json!({"Action": "CreateVpcs"}), codes::INVALID_ACTION, "CreateVpcs");
        fails(&mut s, json!({"Action": "DescribeVpcs", "VpcID": "x"}), codes::UNKNOWN_PARAMETER, "VpcID");
        let req = Request::parse(&json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16"})).unwrap();
        assert_eq!(query(&s, &req).unwrap_err().code, codes::INVALID_ACTION);
    }
}
