//! `DescribeVpcEndpoints {VpcEndpointIds?, VpcId?}` → `{"VpcEndpoints":[…]}`: the caller's
//! endpoints with state, ENIs (`NetworkInterfaces`: ID, subnet, AZ, private IP), groups, route
//! tables and DNS entries.

use serde_json::Value;

use super::common::describe_in_vpc;
use super::request::Request;
use super::view;
use crate::error::ApiError;
use crate::model::State;

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    describe_in_vpc(
        state,
        req,
        &state.vpc_endpoints,
        "VpcEndpointIds",
        "VpcEndpoints",
        |e| &e.vpc_id,
        |e| view::vpc_endpoint(state, e),
    )
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
}
