//! `DescribeListenerAttributes {ListenerArn}` → `{"Attributes":[{Key, Value}]}`.
//!
//! The attributes of [`LISTENER`] (AWS's one key for network load balancer listeners), with the
//! listener's value or AWS's default.

use serde_json::Value;

use super::attribute_specs::LISTENER;
use super::elb_attributes::{answer, recorded};
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let l = find(&state.listeners, &req.account, req.str("ListenerArn")?)?;
    Ok(answer(LISTENER, |s| recorded(&l.attributes, s)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn lists_the_idle_timeout() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let v = ok(&mut s, json!({"Action": "DescribeListenerAttributes", "ListenerArn": p.listener}));
        assert_eq!(v["Attributes"], json!([{"Key": "tcp.idle_timeout.seconds", "Value": "350"}]));
        let gone = json!({"Action": "DescribeListenerAttributes", "ListenerArn": "nope"});
        fails(&mut s, gone, codes::LISTENER_NOT_FOUND, "nope");
    }
}
