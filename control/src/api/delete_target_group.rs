//! `DeleteTargetGroup {TargetGroupArn}` → `{}`. A group a listener forwards to cannot be
//! deleted (`ResourceInUse`).

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let arn = find(&state.target_groups, &req.account, req.str("TargetGroupArn")?)?.arn.clone();
    if let Some(l) = state.listeners.values().find(|l| l.default_target_group_arn == arn) {
        return Err(ApiError::new(
            codes::RESOURCE_IN_USE,
            format!(
                "Target group '{arn}' is currently in use by a listener ({}); delete the listener first",
                l.arn
            ),
        ));
    }
    state.target_groups.remove(&arn);
    Ok(Outcome::Answer(json!({})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_unless_a_listener_uses_it() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let delete = json!({"Action": "DeleteTargetGroup", "TargetGroupArn": "web"});
        fails(&mut s, delete.clone(), codes::RESOURCE_IN_USE, &p.listener);
        ok(&mut s, json!({"Action": "DeleteListener", "ListenerArn": p.listener}));
        ok(&mut s, delete.clone());
        fails(&mut s, delete, codes::TARGET_GROUP_NOT_FOUND, "web");
    }
}
