//! `DescribeAvailabilityZones {ZoneNames[]?, ZoneIds[]?, AllAvailabilityZones?, Filters?}` →
//! `{"AvailabilityZones":[{ZoneName, ZoneId, RegionName, State, …}]}`: the zones privlink
//! places subnets in (`<region>a` … `<region>f`), all `available`. A named zone that is not
//! one of them is `InvalidParameterValue`. No paging (AWS's model has none).

use serde_json::{Value, json};

use super::describe::Listing;
use super::request::{Params, Request};
use super::validate::{availability_zones, zone_id};
use crate::error::ApiError;
use crate::model::State;

/// The filters of DescribeAvailabilityZones (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "AvailabilityZones",
    key: &["ZoneName"],
    filters: &[
        ("zone-name", "ZoneName"),
        ("zone-id", "ZoneId"),
        ("region-name", "RegionName"),
        ("state", "State"),
        ("zone-type", "ZoneType"),
        ("group-name", "GroupName"),
        ("opt-in-status", "OptInStatus"),
    ],
    tags: None,
    paging: None,
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let region = &state.region;
    let zones: Vec<Value> = availability_zones(region)
        .into_iter()
        .map(|az| {
            json!({"ZoneName": az, "ZoneId": zone_id(region, &az), "RegionName": region, "State": "available",
                   "OptInStatus": "opt-in-not-required", "Messages": [], "GroupName": region,
                   "NetworkBorderGroup": region, "ZoneType": "availability-zone"})
        })
        .collect();
    req.bool_opt("AllAvailabilityZones")?;
    let names = req.list("ZoneNames")?;
    let ids = req.list("ZoneIds")?;
    for (key, wanted, field) in [("ZoneNames", &names, "ZoneName"), ("ZoneIds", &ids, "ZoneId")] {
        if let Some(bad) = wanted.iter().find(|w| !zones.iter().any(|z| z[field] == w.as_str())) {
            let known: Vec<&str> = zones.iter().filter_map(|z| z[field].as_str()).collect();
            return Err(req.bad(
                key,
                &bad.as_str().into(),
                &format!("the zones of {region} are {}", known.join(", ")),
            ));
        }
    }
    let named = |z: &Value| {
        (names.is_empty() || names.iter().any(|n| z["ZoneName"] == n.as_str()))
            && (ids.is_empty() || ids.iter().any(|n| z["ZoneId"] == n.as_str()))
    };
    LISTING.answer(req, zones.into_iter().filter(named).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn lists_the_regions_zones() {
        let mut s = State::new();
        let v = ok(&mut s, json!({"Action": "DescribeAvailabilityZones"}));
        let zones = v["AvailabilityZones"].as_array().unwrap();
        assert_eq!(zones.len(), 6);
        assert_eq!(zones[0]["ZoneName"], "us-east-1a");
        assert_eq!(zones[0]["ZoneId"], "use1-az1");
        assert_eq!(zones[0]["State"], "available");
        let v = ok(
            &mut s,
            json!({"Action": "DescribeAvailabilityZones", "ZoneNames": ["us-east-1b", "us-east-1c"],
                   "Filters": [{"Name": "zone-id", "Values": ["use1-az3"]}], "AllAvailabilityZones": false}),
        );
        assert_eq!(v["AvailabilityZones"].as_array().unwrap().len(), 1);
        assert_eq!(v["AvailabilityZones"][0]["ZoneName"], "us-east-1c");
        fails(
            &mut s,
            json!({"Action": "DescribeAvailabilityZones", "ZoneNames": ["eu-west-1a"]}),
            codes::INVALID_PARAMETER_VALUE,
            "eu-west-1a",
        );
        fails(
            &mut s,
            json!({"Action": "DescribeAvailabilityZones", "MaxResults": 5}),
            codes::UNKNOWN_PARAMETER,
            "MaxResults",
        );
    }
}
