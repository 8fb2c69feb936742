//! `DescribeVpcs {VpcIds?}` → `{"Vpcs":[…]}`: the caller's VPCs (all, or the ones named).

use serde_json::{Value, json};

use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, select};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let vpcs = select(&state.vpcs, &req.account, &req.list("VpcIds")?)?;
    Ok(json!({"Vpcs": vpcs.into_iter().map(view::vpc).collect::<Vec<_>>()}))
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
