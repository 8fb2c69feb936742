//! `DescribeInstances {InstanceIds?, VpcId?}` → `{"Reservations":[{"Instances":[…]}]}` (one
//! reservation per instance).

use serde_json::Value;

use super::common::describe_in_vpc;
use super::request::Request;
use super::view;
use crate::error::ApiError;
use crate::model::State;

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    describe_in_vpc(
        state,
        req,
        &state.instances,
        "InstanceIds",
        "Reservations",
        |i| &i.vpc_id,
        |i| view::reservation(state, i),
    )
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
}
