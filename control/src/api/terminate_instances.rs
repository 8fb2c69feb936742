//! `TerminateInstances {InstanceIds[]}` → `{"TerminatingInstances":[{InstanceId, CurrentState,
//! PreviousState}]}`. Instances are removed at once (their addresses leave the namespace).
//! Target registrations of their addresses stay (as on AWS, they turn unhealthy). An instance
//! whose `disableApiTermination` attribute is on is `OperationNotPermitted` (nothing terminated).

use serde_json::{Value, json};

use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, select};

pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
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
    let items: Vec<Value> = ids
        .iter()
        .map(|id| {
            state.instances.remove(id);
            json!({"InstanceId": id, "CurrentState": {"Code": 48, "Name": "terminated"},
                   "PreviousState": {"Code": 16, "Name": "running"}})
        })
        .collect();
    Ok(json!({"TerminatingInstances": items}))
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
}
