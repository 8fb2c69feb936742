//! `DescribeInstances {InstanceIds?, VpcId?, Filters?, MaxResults?, NextToken?}` →
//! `{"Reservations":[{"Instances":[…]}], "NextToken"?}` (one reservation per instance;
//! filters: [`LISTING`]).

use serde_json::Value;

use super::common::select_in_vpc;
use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::Request;
use super::view;
use crate::error::ApiError;
use crate::model::State;

/// The filters of DescribeInstances (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "Reservations",
    key: &["Instances.InstanceId"],
    filters: &[
        ("instance-id", "Instances.InstanceId"),
        ("vpc-id", "Instances.VpcId"),
        ("subnet-id", "Instances.SubnetId"),
        ("private-ip-address", "Instances.PrivateIpAddress"),
        ("instance-state-name", "Instances.State.Name"),
        ("instance-state-code", "Instances.State.Code"),
        ("availability-zone", "Instances.Placement.AvailabilityZone"),
        ("owner-id", "OwnerId"),
        ("reservation-id", "ReservationId"),
    ],
    tags: Some("Instances.Tags"),
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let instances = select_in_vpc(state, req, &state.instances, "InstanceIds", |i| &i.vpc_id)?;
    LISTING.answer(req, instances.into_iter().map(|i| view::reservation(state, i)).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn describes_instances_in_reservations() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        ok(&mut s, json!({"Action": "RunInstances", "SubnetId": "a", "Name": "client"}));
        let r = ok(&mut s, json!({"Action": "DescribeInstances", "VpcId": v}));
        assert_eq!(r["Reservations"][0]["Instances"][0]["Tags"][0]["Value"], "client");
        let none = ok(&mut s, json!({"Action": "DescribeInstances", "Account": CONSUMER}));
        assert_eq!(none["Reservations"], json!([]));
        fails(
            &mut s,
            json!({"Action": "DescribeInstances", "InstanceIds": ["i-0"]}),
            codes::INVALID_INSTANCE_ID_NOT_FOUND,
            "i-0",
        );
    }

    #[test]
    fn filters_on_instance_fields_and_tags() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        subnet(&mut s, PROVIDER, &v, "b", "10.0.2.0/24", "us-east-1b");
        ok(&mut s, json!({"Action": "RunInstances", "SubnetId": "a", "Name": "one"}));
        ok(&mut s, json!({"Action": "RunInstances", "SubnetId": "b", "Name": "two"}));
        let count = |s: &mut State, filters: serde_json::Value| {
            ok(s, json!({"Action": "DescribeInstances", "Filters": filters}))["Reservations"]
                .as_array()
                .unwrap()
                .len()
        };
        assert_eq!(count(&mut s, json!([{"Name": "instance-state-name", "Values": ["running"]}])), 2);
        assert_eq!(count(&mut s, json!([{"Name": "availability-zone", "Values": ["us-east-1b"]}])), 1);
        assert_eq!(count(&mut s, json!([{"Name": "tag:Name", "Values": ["o*"]}])), 1);
        assert_eq!(count(&mut s, json!([{"Name": "private-ip-address", "Values": ["10.0.2.*"]}])), 1);
        assert_eq!(count(&mut s, json!([{"Name": "instance-state-name", "Values": ["stopped"]}])), 0);
    }
}
