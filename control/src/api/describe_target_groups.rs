//! `DescribeTargetGroups {TargetGroupArns?, Names?, LoadBalancerArn?, PageSize?, Marker?}` →
//! `{"TargetGroups":[…], "NextMarker"?}`.

use serde_json::Value;

use super::describe::{ELB_PAGING, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, find, select};

/// Paged by `PageSize`/`Marker` in ARN order.
pub const LISTING: Listing = Listing {
    member: "TargetGroups",
    key: &["TargetGroupArn"],
    filters: &[],
    tags: None,
    paging: Some(ELB_PAGING),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let mut keys = req.list("TargetGroupArns")?;
    keys.extend(req.list("Names")?);
    let lb =
        req.str_opt("LoadBalancerArn")?.map(|k| find(&state.load_balancers, &req.account, k)).transpose()?;
    let forwarded_by_lb = |arn: &str| {
        lb.is_none_or(|lb| {
            state
                .listeners
                .values()
                .any(|l| l.load_balancer_arn == lb.arn && l.default_target_group_arn == arn)
        })
    };
    let groups: Vec<Value> = select(&state.target_groups, &req.account, &keys)?
        .into_iter()
        .filter(|tg| forwarded_by_lb(&tg.arn))
        .map(|tg| view::target_group(state, tg))
        .collect();
    LISTING.answer(req, groups)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn describes_with_their_load_balancers() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        ok(
            &mut s,
            json!({"Action": "CreateTargetGroup", "Name": "spare", "Protocol": "UDP", "Port": 53, "VpcId": p.vpc}),
        );
        let all = ok(&mut s, json!({"Action": "DescribeTargetGroups"}));
        assert_eq!(all["TargetGroups"].as_array().unwrap().len(), 2);
        let v = ok(&mut s, json!({"Action": "DescribeTargetGroups", "LoadBalancerArn": "web"}));
        assert_eq!(v["TargetGroups"].as_array().unwrap().len(), 1);
        assert_eq!(v["TargetGroups"][0]["LoadBalancerArns"], json!([p.lb]));
        fails(
            &mut s,
            json!({"Action": "DescribeTargetGroups", "Names": ["nope"]}),
            codes::TARGET_GROUP_NOT_FOUND,
            "nope",
        );
    }
}
