//! `DescribeSubnets {SubnetIds?, VpcId?, Filters?, MaxResults?, NextToken?}` →
//! `{"Subnets":[…], "NextToken"?}`. Filters: see [`LISTING`].

use serde_json::Value;

use super::common::select_in_vpc;
use super::describe::{EC2_PAGING, Listing};
use super::request::Request;
use super::view;
use crate::error::ApiError;
use crate::model::State;

/// The filters of DescribeSubnets (AWS's names, with the legacy camel-case spellings AWS still
/// accepts and tools still send) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "Subnets",
    key: &["SubnetId"],
    filters: &[
        ("subnet-id", "SubnetId"),
        ("vpc-id", "VpcId"),
        ("cidr-block", "CidrBlock"),
        ("cidr", "CidrBlock"),
        ("cidrBlock", "CidrBlock"),
        ("availability-zone", "AvailabilityZone"),
        ("availabilityZone", "AvailabilityZone"),
        ("availability-zone-id", "AvailabilityZoneId"),
        ("available-ip-address-count", "AvailableIpAddressCount"),
        ("default-for-az", "DefaultForAz"),
        ("defaultForAz", "DefaultForAz"),
        ("owner-id", "OwnerId"),
        ("state", "State"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let subnets = select_in_vpc(state, req, &state.subnets, "SubnetIds", |s| &s.vpc_id)?;
    LISTING.answer(req, subnets.into_iter().map(|s| view::subnet(state, s)).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn filters_by_vpc_and_counts_free_addresses() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let other = vpc(&mut s, PROVIDER, "other", "10.9.0.0/16");
        subnet(&mut s, PROVIDER, &other, "o", "10.9.1.0/24", "us-east-1a");
        let v = ok(&mut s, json!({"Action": "DescribeSubnets", "VpcId": "prov"}));
        let subnets = v["Subnets"].as_array().unwrap();
        assert_eq!(subnets.len(), 2);
        let a = subnets.iter().find(|x| x["SubnetId"] == p.subnets[0].as_str()).unwrap();
        assert_eq!(a["AvailableIpAddressCount"], 250, "the NLB node takes one address");
        assert_eq!(ok(&mut s, json!({"Action": "DescribeSubnets"}))["Subnets"].as_array().unwrap().len(), 3);
        fails(
            &mut s,
            json!({"Action": "DescribeSubnets", "SubnetIds": ["zz"]}),
            codes::INVALID_SUBNET_ID_NOT_FOUND,
            "zz",
        );
    }
}
