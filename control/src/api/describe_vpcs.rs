//! `DescribeVpcs {VpcIds?, Filters?, MaxResults?, NextToken?}` → `{"Vpcs":[…], "NextToken"?}`:
//! the caller's VPCs (all, or the ones named), filtered per [`LISTING`].

use serde_json::Value;

use super::describe::{EC2_PAGING, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, select};

/// The filters of DescribeVpcs (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "Vpcs",
    key: &["VpcId"],
    filters: &[
        ("vpc-id", "VpcId"),
        ("cidr", "CidrBlock"),
        ("cidr-block-association.cidr-block", "CidrBlock"),
        ("is-default", "IsDefault"),
        ("owner-id", "OwnerId"),
        ("state", "State"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let vpcs = select(&state.vpcs, &req.account, &req.list("VpcIds")?)?;
    LISTING.answer(req, vpcs.into_iter().map(view::vpc).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn lists_only_the_callers_vpcs() {
        let mut s = State::new();
        let a = vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        vpc(&mut s, CONSUMER, "b", "10.0.0.0/16");
        let v = ok(&mut s, json!({"Action": "DescribeVpcs"}));
        assert_eq!(v["Vpcs"].as_array().unwrap().len(), 1);
        assert_eq!(v["Vpcs"][0]["VpcId"], a.as_str());
        let v = ok(&mut s, json!({"Action": "DescribeVpcs", "VpcIds": ["a"]}));
        assert_eq!(v["Vpcs"][0]["CidrBlock"], "10.0.0.0/16");
        fails(
            &mut s,
            json!({"Action": "DescribeVpcs", "VpcIds": ["b"]}),
            codes::INVALID_VPC_ID_NOT_FOUND,
            "'b'",
        );
    }
}
