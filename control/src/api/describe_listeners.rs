//! `DescribeListeners {ListenerArns?, LoadBalancerArn?, PageSize?, Marker?}` →
//! `{"Listeners":[…], "NextMarker"?}`.
//!
//! With neither parameter, every listener of the account is listed (`privlink list listeners`
//! relies on it; AWS answers `ValidationError` instead: a known difference, docs/aws-api.md).

use serde_json::Value;

use super::describe::{ELB_PAGING, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{State, find, select};

/// Paged by `PageSize`/`Marker` in ARN order.
pub const LISTING: Listing = Listing {
    member: "Listeners",
    key: &["ListenerArn"],
    filters: &[],
    tags: None,
    paging: Some(ELB_PAGING),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let lb =
        req.str_opt("LoadBalancerArn")?.map(|k| find(&state.load_balancers, &req.account, k)).transpose()?;
    let listeners: Vec<Value> = select(&state.listeners, &req.account, &req.list("ListenerArns")?)?
        .into_iter()
        .filter(|l| lb.is_none_or(|lb| l.load_balancer_arn == lb.arn))
        .map(view::listener)
        .collect();
    LISTING.answer(req, listeners)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn lists_listeners_of_a_load_balancer() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let v = ok(&mut s, json!({"Action": "DescribeListeners", "LoadBalancerArn": "web"}));
        assert_eq!(v["Listeners"][0]["DefaultActions"][0]["TargetGroupArn"], p.tg.as_str());
        assert_eq!(v["Listeners"][0]["Port"], 80);
        fails(
            &mut s,
            json!({"Action": "DescribeListeners", "LoadBalancerArn": "nope"}),
            codes::LOAD_BALANCER_NOT_FOUND,
            "nope",
        );
        fails(
            &mut s,
            json!({"Action": "DescribeListeners", "ListenerArns": ["arn:x"]}),
            codes::LISTENER_NOT_FOUND,
            "arn:x",
        );
    }
}
