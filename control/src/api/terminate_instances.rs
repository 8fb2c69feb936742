//! `TerminateInstances {InstanceIds[]}` → `{"TerminatingInstances":[{InstanceId, CurrentState,
//! PreviousState}]}`. Instances are removed at once (their addresses leave the namespace); for
//! [`TERMINATED_VISIBLE_SECS`] DescribeInstances still answers their IDs as `terminated`.
//! Registrations by instance ID (target groups of type `instance`) go with them, as on AWS;
//! registrations of their addresses in `ip` groups stay (they turn unhealthy). An instance
//! whose `disableApiTermination` attribute is on is `OperationNotPermitted` (nothing terminated).

use serde_json::{Value, json};

use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, TERMINATED_VISIBLE_SECS, select};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let chosen = select(&state.instances, &req.account, &req.list_required("InstanceIds")?)?;
    if let Some(i) = chosen.iter().find(|i| i.attributes.disable_api_termination) {
        return Err(ApiError::new(
            codes::OPERATION_NOT_PERMITTED,
            format!(
                "The instance '{}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.",
                i.id
            ),
        ));
    }
    let ids: Vec<String> = chosen.into_iter().map(|i| i.id.clone()).collect();
    for tg in state.target_groups.values_mut() {
        tg.targets.retain(|t| t.instance_id.as_ref().is_none_or(|id| !ids.contains(id)));
    }
    state.terminated_instances.retain(|_, (_, at)| req.now.saturating_sub(*at) < TERMINATED_VISIBLE_SECS);
    let items: Vec<Value> = ids
        .iter()
        .map(|id| {
            if let Some(i) = state.instances.remove(id) {
                state.terminated_instances.insert(id.clone(), (i, req.now));
            }
            json!({"InstanceId": id, "CurrentState": {"Code": 48, "Name": "terminated"},
                   "PreviousState": {"Code": 16, "Name": "running"}})
        })
        .collect();
    Ok(Outcome::Answer(json!({"TerminatingInstances": items})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn terminates_by_id_or_name_and_frees_the_address() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        ok(&mut s, json!({"Action": "RunInstances", "SubnetId": "a", "Name": "client"}));
        let r = ok(&mut s, json!({"Action": "TerminateInstances", "InstanceIds": ["client"]}));
        assert_eq!(r["TerminatingInstances"][0]["CurrentState"]["Name"], "terminated");
        assert!(s.instances.is_empty());
        let again = ok(&mut s, json!({"Action": "RunInstances", "SubnetId": "a"}));
        assert_eq!(again["Instances"][0]["PrivateIpAddress"], "10.0.1.4");
        fails(
            &mut s,
            json!({"Action": "TerminateInstances", "InstanceIds": ["client"]}),
            codes::INVALID_INSTANCE_ID_NOT_FOUND,
            "client",
        );
        fails(&mut s, json!({"Action": "TerminateInstances"}), codes::MISSING_PARAMETER, "InstanceIds");
    }

    #[test]
    fn terminated_instances_stay_visible_by_id_for_a_while() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let a = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let r = ok(&mut s, json!({"Action": "RunInstances", "SubnetId": a, "PrivateIpAddress": "10.0.1.9"}));
        let id = r["Instances"][0]["InstanceId"].as_str().unwrap().to_owned();
        ok(&mut s, json!({"Action": "TerminateInstances", "InstanceIds": [id]}));
        let d = ok(&mut s, json!({"Action": "DescribeInstances", "InstanceIds": [id]}));
        assert_eq!(d["Reservations"][0]["Instances"][0]["State"]["Name"], "terminated");
        let all = ok(&mut s, json!({"Action": "DescribeInstances"}));
        assert_eq!(all["Reservations"], json!([]), "only a named ID shows a terminated instance");
        let theirs = json!({"Action": "DescribeInstances", "Account": CONSUMER, "InstanceIds": [id]});
        fails(&mut s, theirs, codes::INVALID_INSTANCE_ID_NOT_FOUND, &id);
        ok(&mut s, json!({"Action": "RunInstances", "SubnetId": a, "PrivateIpAddress": "10.0.1.9"}));
        s.terminated_instances.get_mut(&id).unwrap().1 -= crate::model::TERMINATED_VISIBLE_SECS;
        fails(
            &mut s,
            json!({"Action": "DescribeInstances", "InstanceIds": [id]}),
            codes::INVALID_INSTANCE_ID_NOT_FOUND,
            &id,
        );
    }
}
