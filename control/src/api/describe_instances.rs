//! `DescribeInstances {InstanceIds?, VpcId?, Filters?, MaxResults?, NextToken?}` →
//! `{"Reservations":[{"Instances":[…]}], "NextToken"?}` (one reservation per instance;
//! filters: [`LISTING`]). An instance terminated within [`TERMINATED_VISIBLE_SECS`] is answered
//! when named by ID, in state `terminated` (what clients wait for after TerminateInstances).

use serde_json::Value;

use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{Instance, State, TERMINATED_VISIBLE_SECS, find, select};

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

/// The caller's instance `id` if it was terminated within [`TERMINATED_VISIBLE_SECS`].
fn recently_terminated<'a>(state: &'a State, req: &Request, id: &str) -> Option<&'a Instance> {
    state
        .terminated_instances
        .get(id)
        .filter(|(i, at)| i.owner == req.account && req.now.saturating_sub(*at) < TERMINATED_VISIBLE_SECS)
        .map(|(i, _)| i)
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let named = req.list("InstanceIds")?;
    let (gone, live): (Vec<String>, Vec<String>) =
        named.iter().cloned().partition(|id| recently_terminated(state, req, id).is_some());
    let vpc = req.str_opt("VpcId")?.map(|k| find(&state.vpcs, &req.account, k)).transpose()?;
    let mut items: Vec<Value> = if !named.is_empty() && live.is_empty() {
        Vec::new()
    } else {
        select(&state.instances, &req.account, &live)?
            .into_iter()
            .filter(|i| vpc.is_none_or(|v| v.id == i.vpc_id))
            .map(|i| view::reservation(state, i))
            .collect()
    };
    for i in gone.iter().filter_map(|id| recently_terminated(state, req, id)) {
        if vpc.is_none_or(|v| v.id == i.vpc_id) {
            items.push(view::terminated_reservation(state, i));
        }
    }
    LISTING.answer(req, items)
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
