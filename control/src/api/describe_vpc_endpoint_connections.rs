//! `DescribeVpcEndpointConnections {ServiceId?, Filters?, MaxResults?, NextToken?}` →
//! `{"VpcEndpointConnections":[{ServiceId, VpcEndpointId, VpcEndpointOwner, VpcEndpointState,
//! CreationTimestamp, …}], "NextToken"?}` (filters: [`LISTING`]): the provider's
//! view of the endpoints (of any account) connected to its services.

use serde_json::Value;

use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, find};

/// The filters of DescribeVpcEndpointConnections (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "VpcEndpointConnections",
    key: &["VpcEndpointId"],
    filters: &[
        ("service-id", "ServiceId"),
        ("vpc-endpoint-id", "VpcEndpointId"),
        ("vpc-endpoint-owner", "VpcEndpointOwner"),
        ("vpc-endpoint-state", "VpcEndpointState"),
    ],
    tags: None,
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let only =
        req.str_opt("ServiceId")?.map(|k| find(&state.endpoint_services, &req.account, k)).transpose()?;
    let mine = |service_id: &str| match only {
        Some(svc) => svc.service_id == service_id,
        None => state.endpoint_services.get(service_id).is_some_and(|s| s.owner == req.account),
    };
    let connections: Vec<Value> = state
        .vpc_endpoints
        .values()
        .filter(|e| e.service_id.as_deref().is_some_and(mine))
        .map(|e| view::connection(state, e))
        .collect();
    LISTING.answer(req, connections)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn providers_see_connections_from_other_accounts() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let (v, subnets) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&subnets[0]], &p.service_name);
        let c = ok(&mut s, json!({"Action": "DescribeVpcEndpointConnections", "ServiceId": p.service_id}));
        let conn = &c["VpcEndpointConnections"][0];
        assert_eq!(conn["VpcEndpointId"], ep.as_str());
        assert_eq!(conn["VpcEndpointOwner"], CONSUMER);
        assert_eq!(conn["VpcEndpointState"], "pendingAcceptance");
        let theirs = ok(&mut s, json!({"Action": "DescribeVpcEndpointConnections", "Account": CONSUMER}));
        assert_eq!(theirs["VpcEndpointConnections"], json!([]));
        fails(
            &mut s,
            json!({"Action": "DescribeVpcEndpointConnections", "ServiceId": "s"}),
            codes::INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND,
            "'s'",
        );
    }
}
