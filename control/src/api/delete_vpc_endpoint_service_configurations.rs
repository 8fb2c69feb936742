//! `DeleteVpcEndpointServiceConfigurations {ServiceIds[]}` → `{"Unsuccessful":[…]}`.
//!
//! Each ID is handled on its own: unknown → `InvalidVpcEndpointService.NotFound` (AWS's code
//! here, not the `…ServiceId.NotFound` of the other operations); a service
//! with endpoints still connected (any state but `rejected`) → `ExistingVpcEndpointConnections`.
//! Rejected endpoints of a deleted service keep their ServiceName but lose their service ID.

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::view;
use crate::error::{ApiError, codes};
use crate::model::{EndpointState, State, find};

fn delete_one(state: &mut State, req: &Request, key: &str) -> Result<(), ApiError> {
    let id = find(&state.endpoint_services, &req.account, key)
        .map_err(|e| match e.code == codes::INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND {
            true => ApiError::new(
                codes::INVALID_ENDPOINT_SERVICE_NOT_FOUND,
                format!("The VpcEndpointService Id '{key}' does not exist"),
            ),
            false => e,
        })?
        .service_id
        .clone();
    let connected: Vec<String> = state
        .vpc_endpoints
        .values()
        .filter(|e| e.service_id.as_deref() == Some(&id) && e.state != EndpointState::Rejected)
        .map(|e| format!("{} ({})", e.id, e.state.as_str()))
        .collect();
    if !connected.is_empty() {
        return Err(ApiError::new(
            codes::EXISTING_VPC_ENDPOINT_CONNECTIONS,
            format!(
                "Service {id} has existing endpoint connections: {}; reject them first",
                connected.join(", ")
            ),
        ));
    }
    for e in state.vpc_endpoints.values_mut().filter(|e| e.service_id.as_deref() == Some(&id)) {
        e.service_id = None;
    }
    state.endpoint_services.remove(&id);
    Ok(())
}

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    Ok(Outcome::Answer(view::batch(&req.list_required("ServiceIds")?, |key| delete_one(state, req, key))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn deletes_services_without_live_connections() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let (v, subnets) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&subnets[0]], &p.service_name);
        let delete = json!({"Action": "DeleteVpcEndpointServiceConfigurations", "ServiceIds": [p.service_id, "vpce-svc-nope"]});
        let r = ok(&mut s, delete.clone());
        let failed = r["Unsuccessful"].as_array().unwrap();
        assert_eq!(failed[0]["Error"]["Code"], codes::EXISTING_VPC_ENDPOINT_CONNECTIONS);
        assert!(failed[0]["Error"]["Message"].as_str().unwrap().contains(&ep));
        assert_eq!(failed[1]["Error"]["Code"], "InvalidVpcEndpointService.NotFound");
        assert!(
            failed[1]["Error"]["Message"]
                .as_str()
                .unwrap()
                .starts_with("The VpcEndpointService Id 'vpce-svc-nope' does not exist"),
            "{}",
            failed[1]
        );
        assert_eq!(failed[1]["ResourceId"], "vpce-svc-nope");
        ok(
            &mut s,
            json!({"Action": "RejectVpcEndpointConnections", "ServiceId": p.service_id, "VpcEndpointIds": [ep]}),
        );
        let r = ok(
            &mut s,
            json!({"Action": "DeleteVpcEndpointServiceConfigurations", "ServiceIds": [p.service_id]}),
        );
        assert_eq!(r["Unsuccessful"], json!([]));
        assert!(s.endpoint_services.is_empty() && s.vpc_endpoints[&ep].service_id.is_none());
    }
}
