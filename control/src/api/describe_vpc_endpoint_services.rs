//! `DescribeVpcEndpointServices {ServiceNames?, Filters?, MaxResults?, NextToken?}` →
//! `{"ServiceNames":[…],"ServiceDetails":[…], "NextToken"?}` (filters: [`LISTING`]; the names
//! are those of the page's details):
//! the consumer's view — the managed gateway services (S3, DynamoDB) and every endpoint service
//! the caller may connect to. A named service the caller may not use is reported as missing
//! (`InvalidServiceName`), exactly like one that does not exist.

use serde_json::Value;

use super::common::invalid_service_name;
use super::describe::{self, EC2_PAGING_UNBOUNDED, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::State;

/// The filters of DescribeVpcEndpointServices (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "ServiceDetails",
    key: &["ServiceName"],
    filters: &[
        ("service-name", "ServiceName"),
        ("service-type", "ServiceType.ServiceType"),
        ("owner", "Owner"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let mut details: Vec<(String, Value)> = state
        .prefix_lists
        .values()
        .map(|pl| (pl.name.clone(), view::gateway_service_detail(state, pl)))
        .chain(
            state
                .endpoint_services
                .values()
                .filter(|svc| svc.allows(&req.account))
                .map(|svc| (svc.service_name.clone(), view::service_detail(state, svc))),
        )
        .collect();
    let wanted = req.list("ServiceNames")?;
    if let Some(missing) = wanted.iter().find(|w| !details.iter().any(|(n, _)| n == *w)) {
        return Err(invalid_service_name(missing));
    }
    if !wanted.is_empty() {
        details.retain(|(n, _)| wanted.contains(n));
    }
    let mut out = LISTING.answer(req, details.into_iter().map(|(_, detail)| detail).collect())?;
    out["ServiceNames"] = describe::values(&out, "ServiceDetails.ServiceName").into();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn consumers_see_allowed_services_and_gateway_services() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let v = ok(&mut s, json!({"Action": "DescribeVpcEndpointServices", "Account": CONSUMER}));
        let names = v["ServiceNames"].as_array().unwrap();
        assert_eq!(names.len(), 3);
        assert!(
            names.contains(&json!("com.amazonaws.us-east-1.s3")) && names.contains(&json!(p.service_name))
        );
        let stranger =
            ok(&mut s, json!({"Action": "DescribeVpcEndpointServices", "Account": "333333333333"}));
        assert_eq!(stranger["ServiceNames"].as_array().unwrap().len(), 2);
        let one =
            ok(&mut s, json!({"Action": "DescribeVpcEndpointServices", "ServiceNames": [p.service_name]}));
        assert_eq!(one["ServiceDetails"][0]["AcceptanceRequired"], true);
        let hidden = json!({"Action": "DescribeVpcEndpointServices", "Account": "333333333333", "ServiceNames": [p.service_name]});
        fails(&mut s, hidden, codes::INVALID_SERVICE_NAME, &p.service_name);
    }

    #[test]
    fn filters_and_pages_service_details() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let gw = ok(
            &mut s,
            json!({"Action": "DescribeVpcEndpointServices", "Filters": [{"Name": "service-type", "Values": ["Gateway"]}]}),
        );
        assert_eq!(
            gw["ServiceNames"],
            json!(["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"])
        );
        let first = ok(&mut s, json!({"Action": "DescribeVpcEndpointServices", "MaxResults": 2}));
        assert_eq!(first["ServiceDetails"].as_array().unwrap().len(), 2);
        let rest =
            ok(&mut s, json!({"Action": "DescribeVpcEndpointServices", "NextToken": first["NextToken"]}));
        assert_eq!(rest["ServiceNames"], json!([p.service_name]));
        assert!(rest.get("NextToken").is_none());
    }
}
