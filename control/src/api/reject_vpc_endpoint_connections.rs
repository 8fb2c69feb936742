//! `RejectVpcEndpointConnections {ServiceId, VpcEndpointIds[]}` → `{"Unsuccessful":[…]}`.
//! Only the service owner may reject; `pendingAcceptance` or `available` → `rejected` (traffic
//! stops). Per-endpoint failures as in `AcceptVpcEndpointConnections`.

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{ConnectionDecision, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let service_id = find(&state.endpoint_services, &req.account, req.str("ServiceId")?)?.service_id.clone();
    Ok(Outcome::Answer(view::batch(&req.list_required("VpcEndpointIds")?, |id| {
        state.decide_connection(&service_id, id, ConnectionDecision::Reject)
    })))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{EndpointState, State};

    #[test]
    fn rejects_available_endpoints_once() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, subnets) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&subnets[0]], &p.service_name);
        assert_eq!(s.vpc_endpoints[&ep].state, EndpointState::Available);
        let reject = json!({"Action": "RejectVpcEndpointConnections", "ServiceId": p.service_id, "VpcEndpointIds": [ep]});
        assert_eq!(ok(&mut s, reject.clone())["Unsuccessful"], json!([]));
        assert!(!s.vpc_endpoints[&ep].state.passes_traffic());
        let again = ok(&mut s, reject);
        assert_eq!(again["Unsuccessful"][0]["Error"]["Code"], codes::INCORRECT_STATE);
        let accept = json!({"Action": "AcceptVpcEndpointConnections", "ServiceId": p.service_id, "VpcEndpointIds": [ep]});
        assert_eq!(ok(&mut s, accept)["Unsuccessful"][0]["Error"]["Code"], codes::INCORRECT_STATE);
    }
}
