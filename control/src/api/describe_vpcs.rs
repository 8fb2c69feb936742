//! `DescribeVpcs {VpcIds?, Filters?, MaxResults?, NextToken?}` → `{"Vpcs":[…], "NextToken"?}`:
//! the caller's VPCs (all, or the ones named), filtered per [`LISTING`].

use serde_json::Value;

use super::describe::{EC2_PAGING, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, select};

/// The filters of DescribeVpcs (AWS's names, with the legacy camel-case spellings AWS still
/// accepts and tools still send) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "Vpcs",
    key: &["VpcId"],
    filters: &[
        ("vpc-id", "VpcId"),
        ("cidr", "CidrBlock"),
        ("cidr-block-association.cidr-block", "CidrBlock"),
        ("is-default", "IsDefault"),
        ("isDefault", "IsDefault"),
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

    #[test]
    fn filters_and_pages_vpcs() {
        let mut s = State::new();
        let ids: Vec<String> =
            (0..7).map(|n| vpc(&mut s, PROVIDER, &format!("v{n}"), &format!("10.{n}.0.0/16"))).collect();
        let count = |s: &mut State, filters: serde_json::Value| {
            ok(s, json!({"Action": "DescribeVpcs", "Filters": filters}))["Vpcs"].as_array().unwrap().len()
        };
        assert_eq!(count(&mut s, json!([{"Name": "cidr", "Values": ["10.1.0.0/16", "10.2.*"]}])), 2);
        assert_eq!(count(&mut s, json!([{"Name": "isDefault", "Values": ["false"]}])), 7);
        assert_eq!(count(&mut s, json!([{"Name": "is-default", "Values": ["true"]}])), 0);
        assert_eq!(
            count(
                &mut s,
                json!([{"Name": "tag:Name", "Values": ["v?"]}, {"Name": "state", "Values": ["available"]}])
            ),
            7
        );
        assert_eq!(count(&mut s, json!([{"Name": "vpc-id", "Values": [ids[3]]}])), 1);
        let first = ok(&mut s, json!({"Action": "DescribeVpcs", "MaxResults": 5}));
        // The VPC the token points at is deleted between pages: the next one still follows.
        let mut sorted = ids.clone();
        sorted.sort();
        ok(&mut s, json!({"Action": "DeleteVpc", "VpcId": sorted[5]}));
        let rest =
            ok(&mut s, json!({"Action": "DescribeVpcs", "MaxResults": 5, "NextToken": first["NextToken"]}));
        assert_eq!(rest["Vpcs"][0]["VpcId"], sorted[6].as_str());
        assert_eq!(rest["Vpcs"].as_array().unwrap().len(), 1);
        assert!(rest.get("NextToken").is_none());
        fails(
            &mut s,
            json!({"Action": "DescribeVpcs", "NextToken": "abc"}),
            codes::INVALID_NEXT_TOKEN,
            "abc",
        );
    }
}
