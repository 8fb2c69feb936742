//! `DescribeVpcEndpoints {VpcEndpointIds?, VpcId?, Filters?, MaxResults?, NextToken?}` →
//! `{"VpcEndpoints":[…], "NextToken"?}` (filters: [`LISTING`]): the caller's
//! endpoints with state, ENIs (`NetworkInterfaces`: ID, subnet, AZ, private IP), groups, route
//! tables and DNS entries.

use serde_json::Value;

use super::common::select_in_vpc;
use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::Request;
use super::view;
use crate::error::ApiError;
use crate::model::State;

/// The filters of DescribeVpcEndpoints (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "VpcEndpoints",
    key: &["VpcEndpointId"],
    filters: &[
        ("vpc-endpoint-id", "VpcEndpointId"),
        ("vpc-id", "VpcId"),
        ("service-name", "ServiceName"),
        ("vpc-endpoint-state", "State"),
        ("vpc-endpoint-type", "VpcEndpointType"),
        ("owner-id", "OwnerId"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let endpoints = select_in_vpc(state, req, &state.vpc_endpoints, "VpcEndpointIds", |e| &e.vpc_id)?;
    LISTING.answer(req, endpoints.into_iter().map(|e| view::vpc_endpoint(state, e)).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn consumers_see_their_endpoints_only() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let (v, [a, _]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a], &p.service_name);
        let r = ok(&mut s, json!({"Action": "DescribeVpcEndpoints", "Account": CONSUMER, "VpcId": "a"}));
        assert_eq!(r["VpcEndpoints"][0]["VpcEndpointId"], ep.as_str());
        assert_eq!(r["VpcEndpoints"][0]["SubnetIds"], json!([a]));
        let provider_view = ok(&mut s, json!({"Action": "DescribeVpcEndpoints"}));
        assert_eq!(provider_view["VpcEndpoints"], json!([]));
        fails(
            &mut s,
            json!({"Action": "DescribeVpcEndpoints", "VpcEndpointIds": [ep]}),
            codes::INVALID_VPC_ENDPOINT_ID_NOT_FOUND,
            &ep,
        );
    }

    #[test]
    fn filters_by_state_type_and_service() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let (v, [a, _]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a], &p.service_name);
        let gw = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": v, "VpcEndpointType": "Gateway",
                   "ServiceName": "com.amazonaws.us-east-1.s3"}),
        );
        let gw = gw["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap();
        let ids = |s: &mut State, filters: serde_json::Value| -> Vec<String> {
            let r = ok(s, json!({"Action": "DescribeVpcEndpoints", "Account": CONSUMER, "Filters": filters}));
            r["VpcEndpoints"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["VpcEndpointId"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            ids(&mut s, json!([{"Name": "vpc-endpoint-state", "Values": ["pendingAcceptance"]}])),
            [ep.as_str()]
        );
        assert_eq!(ids(&mut s, json!([{"Name": "vpc-endpoint-type", "Values": ["Gateway"]}])), [gw]);
        assert_eq!(
            ids(&mut s, json!([{"Name": "service-name", "Values": ["com.amazonaws.vpce.*"]}])),
            [ep.as_str()]
        );
        assert_eq!(
            ids(
                &mut s,
                json!([{"Name": "vpc-id", "Values": [v]}, {"Name": "vpc-endpoint-id", "Values": [ep]}])
            )
            .len(),
            1
        );
        fails(
            &mut s,
            json!({"Action": "DescribeVpcEndpoints", "Filters": [{"Name": "state", "Values": ["available"]}]}),
            codes::INVALID_PARAMETER_VALUE,
            "'state'",
        );
    }
}
