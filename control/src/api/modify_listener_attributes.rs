//! `ModifyListenerAttributes {ListenerArn, Attributes:[{Key, Value}]}` →
//! `{"Attributes":[…all, after the change]}`. Keys and values per
//! [`LISTENER`].

use super::attribute_specs::LISTENER;
use super::elb_attributes::{answer, parse, record, recorded};
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let l = find_mut(&mut state.listeners, &req.account, req.str("ListenerArn")?)?;
    let changes = parse(req, LISTENER, "network load balancer listeners")?;
    for (spec, v) in changes {
        record(&mut l.attributes, spec, v);
    }
    Ok(Outcome::Answer(answer(LISTENER, |s| recorded(&l.attributes, s))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn records_the_idle_timeout() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let modify = |v: &str| {
            json!({"Action": "ModifyListenerAttributes", "ListenerArn": p.listener,
                   "Attributes": [{"Key": "tcp.idle_timeout.seconds", "Value": v}]})
        };
        let v = ok(&mut s, modify("120"));
        assert_eq!(v["Attributes"], json!([{"Key": "tcp.idle_timeout.seconds", "Value": "120"}]));
        fails(&mut s, modify("10"), codes::INVALID_CONFIGURATION_REQUEST, "from 60 to 6000");
    }
}
