//! `DescribeVpcEndpointServicePermissions {ServiceId, Filters?, MaxResults?, NextToken?}` →
//! `{"AllowedPrincipals":[{"PrincipalType":"All"|"Account"|"User"|"Role","Principal":…}],
//! "NextToken"?}` (filters: [`LISTING`]).

use serde_json::{Value, json};

use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

fn principal_type(p: &str) -> &'static str {
    match p {
        "*" => "All",
        p if p.ends_with(":root") => "Account",
        p if p.contains(":user/") => "User",
        _ => "Role",
    }
}

/// The filters of DescribeVpcEndpointServicePermissions (AWS's names) and their view paths.
pub const LISTING: Listing = Listing {
    member: "AllowedPrincipals",
    key: &["Principal"],
    filters: &[("principal", "Principal"), ("principal-type", "PrincipalType")],
    tags: None,
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let svc = find(&state.endpoint_services, &req.account, req.str("ServiceId")?)?;
    let principals: Vec<Value> = svc
        .allowed_principals
        .iter()
        .map(|p| json!({"PrincipalType": principal_type(p), "Principal": p}))
        .collect();
    LISTING.answer(req, principals)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn lists_principals_with_their_type() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let v =
            ok(&mut s, json!({"Action": "DescribeVpcEndpointServicePermissions", "ServiceId": p.service_id}));
        assert_eq!(
            v["AllowedPrincipals"],
            json!([{"PrincipalType": "Account", "Principal": "arn:aws:iam::222222222222:root"}])
        );
        fails(
            &mut s,
            json!({"Action": "DescribeVpcEndpointServicePermissions", "ServiceId": "x"}),
            codes::INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND,
            "'x'",
        );
    }
}
