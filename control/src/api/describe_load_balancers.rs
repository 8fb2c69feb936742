//! `DescribeLoadBalancers {LoadBalancerArns?, Names?, PageSize?, Marker?}` →
//! `{"LoadBalancers":[…], "NextMarker"?}` with each node's subnet, zone and `PrivateIPv4Address`.

use serde_json::Value;

use super::describe::{ELB_PAGING, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, select};

/// Paged by `PageSize`/`Marker` in ARN order.
pub const LISTING: Listing = Listing {
    member: "LoadBalancers",
    key: &["LoadBalancerArn"],
    filters: &[],
    tags: None,
    paging: Some(ELB_PAGING),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let mut keys = req.list("LoadBalancerArns")?;
    keys.extend(req.list("Names")?);
    let lbs = select(&state.load_balancers, &req.account, &keys)?;
    LISTING.answer(req, lbs.into_iter().map(view::load_balancer).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn describes_by_arn_or_name() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let v = ok(&mut s, json!({"Action": "DescribeLoadBalancers", "Names": ["web"]}));
        assert_eq!(v["LoadBalancers"][0]["LoadBalancerArn"], p.lb.as_str());
        let v = ok(&mut s, json!({"Action": "DescribeLoadBalancers", "LoadBalancerArns": [p.lb]}));
        assert_eq!(v["LoadBalancers"].as_array().unwrap().len(), 1);
        fails(
            &mut s,
            json!({"Action": "DescribeLoadBalancers", "Names": ["api"]}),
            codes::LOAD_BALANCER_NOT_FOUND,
            "api",
        );
        let theirs = ok(&mut s, json!({"Action": "DescribeLoadBalancers", "Account": CONSUMER}));
        assert_eq!(theirs["LoadBalancers"], json!([]));
    }

    #[test]
    fn pages_with_page_size_and_marker() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        for name in ["b", "c"] {
            ok(
                &mut s,
                json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": name, "Subnets": [p.subnets[0]]}),
            );
        }
        let mut seen = Vec::new();
        let mut marker = serde_json::Value::Null;
        loop {
            let v = ok(&mut s, json!({"Action": "DescribeLoadBalancers", "PageSize": 2, "Marker": marker}));
            seen.extend(v["LoadBalancers"].as_array().unwrap().iter().map(|l| l["LoadBalancerName"].clone()));
            match v.get("NextMarker") {
                Some(m) => marker = m.clone(),
                None => break,
            }
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
        fails(
            &mut s,
            json!({"Action": "DescribeLoadBalancers", "Marker": "nope"}),
            codes::INVALID_PARAMETER_VALUE,
            "Marker",
        );
        fails(
            &mut s,
            json!({"Action": "DescribeLoadBalancers", "PageSize": 401}),
            codes::INVALID_PARAMETER_VALUE,
            "PageSize",
        );
        fails(
            &mut s,
            json!({"Action": "DescribeLoadBalancers", "MaxResults": 5}),
            codes::UNKNOWN_PARAMETER,
            "MaxResults",
        );
    }
}
