//! `DescribeInstances {InstanceIds?, VpcId?}` → `{"Reservations":[{"Instances":[…]}]}` (one
//! reservation per instance).

use serde_json::{Value, json};

use super::common::{passes, vpc_filter};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, select};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let vpc = vpc_filter(state, req)?;
    let reservations: Vec<Value> = select(&state.instances, &req.account, &req.list("InstanceIds")?)?
        .into_iter()
        .filter(|i| passes(vpc, &i.vpc_id))
        .map(|i| view::reservation(state, i))
        .collect();
    Ok(json!({"Reservations": reservations}))
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
