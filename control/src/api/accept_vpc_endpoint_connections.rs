//! `AcceptVpcEndpointConnections {ServiceId, VpcEndpointIds[]}` → `{"Unsuccessful":[…]}`.
//!
//! Only the service owner may accept. Each endpoint moves `pendingAcceptance` → `available`
//! (AWS's transient `pending` is skipped). Per-endpoint failures are listed in `Unsuccessful`:
//! an endpoint not connected to this service → `InvalidVpcEndpointId.NotFound`, one in another
//! state → `IncorrectState`.

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::view;
use crate::error::ApiError;
use crate::model::{ConnectionDecision, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let service_id = find(&state.endpoint_services, &req.account, req.str("ServiceId")?)?.service_id.clone();
    Ok(Outcome::Answer(view::batch(&req.list_required("VpcEndpointIds")?, |id| {
        state.decide_connection(&service_id, id, ConnectionDecision::Accept)
    })))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{EndpointState, State};

    #[test]
    fn accepts_pending_endpoints_and_reports_the_rest() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let (v, subnets) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&subnets[0]], &p.service_name);
        let accept = json!({"Action": "AcceptVpcEndpointConnections", "ServiceId": p.service_id, "VpcEndpointIds": [ep, "vpce-0"]});
        let r = ok(&mut s, accept.clone());
        assert_eq!(s.vpc_endpoints[&ep].state, EndpointState::Available);
        assert_eq!(r["Unsuccessful"][0]["ResourceId"], "vpce-0");
        assert_eq!(r["Unsuccessful"][0]["Error"]["Code"], codes::INVALID_VPC_ENDPOINT_ID_NOT_FOUND);
        let again = ok(&mut s, accept);
        assert_eq!(again["Unsuccessful"][0]["Error"]["Code"], codes::INCORRECT_STATE);
        assert!(again["Unsuccessful"][0]["Error"]["Message"].as_str().unwrap().contains("available"));
    }

    #[test]
    fn only_the_owner_may_accept() {
        let mut s = State::new();
        let p = provider(&mut s, true);
        let (v, subnets) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&subnets[0]], &p.service_name);
        let accept = json!({"Action": "AcceptVpcEndpointConnections", "Account": CONSUMER, "ServiceId": p.service_id, "VpcEndpointIds": [ep]});
        fails(&mut s, accept, codes::INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND, &p.service_id);
        let none = json!({"Action": "AcceptVpcEndpointConnections", "ServiceId": p.service_id});
        fails(&mut s, none, codes::MISSING_PARAMETER, "VpcEndpointIds");
    }
}
