//! `DescribeRegions {RegionNames[]?, AllRegions?, Filters?}` → `{"Regions":[{RegionName,
//! Endpoint, OptInStatus}]}`: privlink emulates one region (the state's, `us-east-1` by
//! default); naming another is `InvalidParameterValue`.

use serde_json::{Value, json};

use super::describe::Listing;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::State;

/// The filters of DescribeRegions (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "Regions",
    key: &["RegionName"],
    filters: &[("region-name", "RegionName"), ("endpoint", "Endpoint"), ("opt-in-status", "OptInStatus")],
    tags: None,
    paging: None,
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    req.bool_opt("AllRegions")?;
    let region = &state.region;
    if let Some(other) = req.list("RegionNames")?.into_iter().find(|r| r != region) {
        return Err(req.bad("RegionNames", &other.into(), &format!("privlink emulates only {region}")));
    }
    let only = json!({"RegionName": region, "Endpoint": format!("ec2.{region}.amazonaws.com"),
                      "OptInStatus": "opt-in-not-required"});
    LISTING.answer(req, vec![only])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn one_region() {
        let mut s = State::new();
        let v = ok(&mut s, json!({"Action": "DescribeRegions", "AllRegions": true}));
        assert_eq!(
            v,
            json!({"Regions": [{"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com", "OptInStatus": "opt-in-not-required"}]})
        );
        let v = ok(
            &mut s,
            json!({"Action": "DescribeRegions", "Filters": [{"Name": "region-name", "Values": ["eu-*"]}]}),
        );
        assert_eq!(v, json!({"Regions": []}));
        fails(
            &mut s,
            json!({"Action": "DescribeRegions", "RegionNames": ["eu-west-1"]}),
            codes::INVALID_PARAMETER_VALUE,
            "eu-west-1",
        );
    }
}
