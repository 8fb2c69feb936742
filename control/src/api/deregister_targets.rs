//! `DeregisterTargets {TargetGroupArn, Targets:[{Id, Port?}]}` → `{}`. Every target must be
//! registered (`InvalidTarget`).

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::targets::targets;
use crate::error::{ApiError, codes};
use crate::model::{State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let State { target_groups, vpcs, instances, .. } = state;
    let tg = find_mut(target_groups, &req.account, req.str("TargetGroupArn")?)?;
    let gone = targets(req, tg, vpcs, instances)?;
    if let Some(g) = gone.iter().find(|g| !tg.targets.iter().any(|t| t.same_as(g))) {
        return Err(ApiError::new(
            codes::INVALID_TARGET,
            format!("The target {}:{} is not registered in target group '{}'", g.ip, g.port, tg.name),
        ));
    }
    tg.targets.retain(|t| !gone.iter().any(|g| t.same_as(g)));
    Ok(Outcome::Answer(json!({})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deregisters_registered_targets_only() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let dereg = json!({"Action": "DeregisterTargets", "TargetGroupArn": "web", "Targets": [{"Id": "10.0.1.10", "Port": 80}]});
        ok(&mut s, dereg.clone());
        assert!(s.target_groups[&p.tg].targets.is_empty());
        fails(&mut s, dereg, codes::INVALID_TARGET, "10.0.1.10:80");
    }
}
