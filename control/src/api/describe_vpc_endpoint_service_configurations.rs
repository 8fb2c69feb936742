//! `DescribeVpcEndpointServiceConfigurations {ServiceIds?, Filters?, MaxResults?, NextToken?}` →
//! `{"ServiceConfigurations":[…], "NextToken"?}` (filters: [`LISTING`]):
//! the provider's view of its own services.

use serde_json::Value;

use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, select};

/// The filters of DescribeVpcEndpointServiceConfigurations (AWS's names) and their view paths.
pub const LISTING: Listing = Listing {
    member: "ServiceConfigurations",
    key: &["ServiceId"],
    filters: &[
        ("service-name", "ServiceName"),
        ("service-id", "ServiceId"),
        ("service-state", "ServiceState"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let services: Vec<Value> = select(&state.endpoint_services, &req.account, &req.list("ServiceIds")?)?
        .into_iter()
        .map(|svc| view::service_configuration(state, svc))
        .collect();
    LISTING.answer(req, services)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn owners_see_their_services() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let v = ok(&mut s, json!({"Action": "DescribeVpcEndpointServiceConfigurations"}));
        let conf = &v["ServiceConfigurations"][0];
        assert_eq!(conf["ServiceId"], p.service_id.as_str());
        assert_eq!(conf["AvailabilityZones"], json!(["us-east-1a", "us-east-1b"]));
        assert_eq!(conf["NetworkLoadBalancerArns"], json!([p.lb]));
        let ids = json!({"Action": "DescribeVpcEndpointServiceConfigurations", "Account": CONSUMER, "ServiceIds": [p.service_id]});
        fails(&mut s, ids, codes::INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND, &p.service_id);
    }
}
