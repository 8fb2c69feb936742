//! `DescribeSecurityGroups {GroupIds?, VpcId?}` → `{"SecurityGroups":[…]}` with `IpPermissions`.

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
        &state.security_groups,
        "GroupIds",
        "SecurityGroups",
        |g| &g.vpc_id,
        view::security_group,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn describes_the_default_group_rule() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let v = ok(&mut s, json!({"Action": "DescribeSecurityGroups", "VpcId": "prov"}));
        let g = &v["SecurityGroups"][0];
        assert_eq!(g["GroupName"], "default");
        assert_eq!(
            g["IpPermissions"][0],
            json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]})
        );
        fails(
            &mut s,
            json!({"Action": "DescribeSecurityGroups", "GroupIds": ["nope"]}),
            codes::INVALID_GROUP_NOT_FOUND,
            "nope",
        );
    }
}
