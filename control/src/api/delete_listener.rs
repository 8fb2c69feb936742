//! `DeleteListener {ListenerArn}` → `{}`.

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let arn = find(&state.listeners, &req.account, req.str("ListenerArn")?)?.arn.clone();
    state.listeners.remove(&arn);
    Ok(Outcome::Answer(json!({})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_a_listener() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let delete = json!({"Action": "DeleteListener", "ListenerArn": p.listener});
        ok(&mut s, delete.clone());
        assert!(s.listeners.is_empty());
        fails(&mut s, delete, codes::LISTENER_NOT_FOUND, &p.listener);
    }
}
