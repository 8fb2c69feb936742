//! `ModifyVpcEndpointServicePermissions {ServiceId, AddAllowedPrincipals[]?,
//! RemoveAllowedPrincipals[]?}` → `{"ReturnValue":true}`.
//!
//! Principals are `*` or IAM ARNs (`arn:aws:iam::<account>:root`). Removing a principal that is
//! not allowed is `InvalidParameterValue` naming the current list. Existing endpoints are not
//! affected by a removal (as on AWS).

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::validate::principal;
use crate::error::ApiError;
use crate::model::{State, find_mut};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let svc = find_mut(&mut state.endpoint_services, &req.account, req.str("ServiceId")?)?;
    let id = svc.service_id.clone();
    let add = req.list("AddAllowedPrincipals")?;
    let remove = req.list("RemoveAllowedPrincipals")?;
    if add.is_empty() && remove.is_empty() {
        return Err(ApiError::missing("AddAllowedPrincipals or RemoveAllowedPrincipals"));
    }
    for p in &add {
        principal(p)?;
    }
    if let Some(p) = remove.iter().find(|p| !svc.allowed_principals.contains(p)) {
        return Err(ApiError::invalid(format!(
            "The principal '{p}' is not allowed on {id}; allowed principals: [{}]",
            svc.allowed_principals.join(", ")
        )));
    }
    svc.allowed_principals.retain(|p| !remove.contains(p));
    for p in add {
        if !svc.allowed_principals.contains(&p) {
            svc.allowed_principals.push(p);
        }
    }
    Ok(Outcome::Answer(json!({"ReturnValue": true})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn adds_and_removes_principals() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let modify = |key: &str, who: &str| json!({"Action": "ModifyVpcEndpointServicePermissions", "ServiceId": p.service_id, key: [who]});
        ok(&mut s, modify("AddAllowedPrincipals", "*"));
        ok(&mut s, modify("AddAllowedPrincipals", "*"));
        assert!(s.endpoint_services[&p.service_id].allows("999999999999"));
        ok(&mut s, modify("RemoveAllowedPrincipals", "*"));
        assert!(!s.endpoint_services[&p.service_id].allows("999999999999"));
        fails(
            &mut s,
            modify("RemoveAllowedPrincipals", "*"),
            codes::INVALID_PARAMETER_VALUE,
            "arn:aws:iam::222222222222:root",
        );
        fails(
            &mut s,
            modify("AddAllowedPrincipals", "333333333333"),
            codes::INVALID_PARAMETER_VALUE,
            "333333333333",
        );
        fails(
            &mut s,
            json!({"Action": "ModifyVpcEndpointServicePermissions", "ServiceId": p.service_id}),
            codes::MISSING_PARAMETER,
            "AddAllowedPrincipals",
        );
        let theirs = json!({"Action": "ModifyVpcEndpointServicePermissions", "Account": CONSUMER, "ServiceId": p.service_id, "AddAllowedPrincipals": ["*"]});
        fails(&mut s, theirs, codes::INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND, &p.service_id);
    }
}
