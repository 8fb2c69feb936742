//! VPC endpoints: the consumer side.
//!
//! - Interface endpoint: one ENI per subnet (at most one subnet per AZ, and only in AZs of the
//!   service's NLBs: [`VpcEndpoint::add_enis`]), each with a private IP of its subnet. Traffic to an ENI IP goes to the endpoint service's NLB — but only while
//!   [`VpcEndpoint::state`] is [`EndpointState::Available`] and a
//!   security group of [`VpcEndpoint::security_group_ids`] admits it.
//! - Gateway endpoint: no ENI; it owns a route `pl-… → vpce-…` in each of
//!   [`VpcEndpoint::route_table_ids`] and forwards matching packets unchanged.
//!
//! States: the lab goes straight from `pendingAcceptance` to `available` on acceptance (AWS's
//! transient `pending` is skipped), and a deleted endpoint is removed at once (no `deleting` /
//! `deleted` tombstone). The service owner's decisions ([`ConnectionDecision`], applied by
//! [`VpcEndpoint::decide`]) are the only transitions after creation: accept takes
//! `pendingAcceptance` → `available`; reject takes `pendingAcceptance` or `available` →
//! `rejected`; `rejected` is final. Anything else is `IncorrectState` and leaves the state.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::addressing::{AddressBook, Pick};
use super::lookup::resource;
use super::tags::Tags;
use super::{EndpointService, State, Subnet};
use crate::error::{ApiError, codes};
use crate::ids::{self, IdKind};

/// Interface or Gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointType {
    Interface,
    Gateway,
}

/// Connection state of an endpoint (AWS spelling on the wire: `pendingAcceptance`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EndpointState {
    PendingAcceptance,
    Available,
    Rejected,
}

impl EndpointState {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointState::PendingAcceptance => "pendingAcceptance",
            EndpointState::Available => "available",
            EndpointState::Rejected => "rejected",
        }
    }

    /// Only an `available` endpoint forwards packets.
    #[cfg(test)]
    pub fn passes_traffic(self) -> bool {
        self == EndpointState::Available
    }
}

/// The service owner's answer to an endpoint's connection (AcceptVpcEndpointConnections /
/// RejectVpcEndpointConnections).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionDecision {
    Accept,
    Reject,
}

impl ConnectionDecision {
    /// The states an endpoint may be in for this decision to apply.
    pub fn applies_to(self) -> &'static [EndpointState] {
        match self {
            ConnectionDecision::Accept => &[EndpointState::PendingAcceptance],
            ConnectionDecision::Reject => &[EndpointState::PendingAcceptance, EndpointState::Available],
        }
    }

    /// The state an endpoint is in once decided.
    pub fn outcome(self) -> EndpointState {
        match self {
            ConnectionDecision::Accept => EndpointState::Available,
            ConnectionDecision::Reject => EndpointState::Rejected,
        }
    }
}

/// A VPC endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    pub id: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    pub endpoint_type: EndpointType,
    pub vpc_id: String,
    pub service_name: String,
    /// Interface: the endpoint service (`vpce-svc-…`) behind [`VpcEndpoint::service_name`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// Gateway: the managed prefix list (`pl-…`) of the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list_id: Option<String>,
    pub state: EndpointState,
    /// Interface: one ENI per subnet.
    #[serde(default)]
    pub network_interfaces: Vec<Eni>,
    /// Interface: the groups guarding the ENIs.
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// Gateway: the tables holding this endpoint's prefix-list route.
    #[serde(default)]
    pub route_table_ids: Vec<String>,
    pub private_dns_enabled: bool,
    /// Names that resolve to the ENIs inside the VPC.
    #[serde(default)]
    pub dns_entries: Vec<DnsEntry>,
    /// RFC 3339, UTC.
    pub creation_timestamp: String,
}

impl VpcEndpoint {
    /// The subnets of the endpoint's ENIs.
    pub fn subnet_ids(&self) -> impl Iterator<Item = &str> {
        self.network_interfaces.iter().map(|n| n.subnet_id.as_str())
    }

    /// Applies the service owner's `decision` (see the module docs): the new state, or
    /// `IncorrectState` naming the endpoint's state and the ones the decision applies to.
    pub fn decide(&mut self, decision: ConnectionDecision) -> Result<(), ApiError> {
        let (from, to) = (decision.applies_to(), decision.outcome());
        if !from.contains(&self.state) {
            return Err(ApiError::new(
                codes::INCORRECT_STATE,
                format!(
                    "Endpoint {} is {}; only {} endpoints can become {}",
                    self.id,
                    self.state.as_str(),
                    from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "),
                    to.as_str()
                ),
            ));
        }
        self.state = to;
        Ok(())
    }

    /// Gives this interface endpoint of `svc` one ENI in each of `subnets`, at `requested[n]`
    /// (checked) or the highest free address of the endpoint's VPC in `state`. Subnets: one per
    /// AZ, counting the ENIs the endpoint already has (`DuplicateSubnetsInSameZone`), each in an
    /// AZ of the service's NLBs (`InvalidParameterValue`). ENI IDs are new in `state`.
    pub fn add_enis(
        &mut self,
        state: &State,
        svc: &EndpointService,
        subnets: &[&Subnet],
        requested: &[Option<Ipv4Addr>],
    ) -> Result<(), ApiError> {
        let zones = state.service_zones(svc);
        for (n, s) in subnets.iter().enumerate() {
            let twin = self
                .network_interfaces
                .iter()
                .map(|e| (e.subnet_id.as_str(), e.az.as_str()))
                .chain(subnets[..n].iter().map(|t| (t.id.as_str(), t.az.as_str())))
                .find(|(_, az)| *az == s.az);
            if let Some((twin, _)) = twin {
                return Err(ApiError::new(
                    codes::DUPLICATE_SUBNETS_IN_SAME_ZONE,
                    format!(
                        "Subnets {twin} and {} are both in {}; an endpoint takes one subnet per availability zone",
                        s.id, s.az
                    ),
                ));
            }
            if !zones.contains(&s.az) {
                return Err(ApiError::invalid(format!(
                    "The endpoint service {} is not available in {} (the availability zone of {}); it is available in {}",
                    svc.service_id,
                    s.az,
                    s.id,
                    zones.join(", ")
                )));
            }
        }
        let mut book = AddressBook::for_vpc(state, &self.vpc_id);
        for (n, subnet) in subnets.iter().enumerate() {
            let id = ids::generate(IdKind::Eni, |id| {
                state.id_taken(id) || self.network_interfaces.iter().any(|e| e.id == id)
            });
            let ip = book.assign(subnet, requested.get(n).copied().flatten(), Pick::Highest, &id)?;
            self.network_interfaces.push(Eni { id, subnet_id: subnet.id.clone(), az: subnet.az.clone(), ip });
        }
        Ok(())
    }
}

impl State {
    /// Applies `decision` to endpoint `id`, which must be connected to service `service_id`
    /// (`InvalidVpcEndpointId.NotFound` otherwise: the owner sees only its own connections).
    pub fn decide_connection(
        &mut self,
        service_id: &str,
        id: &str,
        decision: ConnectionDecision,
    ) -> Result<(), ApiError> {
        let ep = self.vpc_endpoints.get_mut(id).filter(|e| e.service_id.as_deref() == Some(service_id));
        let Some(ep) = ep else {
            return Err(ApiError::new(
                codes::INVALID_VPC_ENDPOINT_ID_NOT_FOUND,
                format!("The Vpc Endpoint Id '{id}' does not exist or is not connected to {service_id}"),
            ));
        };
        ep.decide(decision)
    }
}

/// An endpoint network interface: the endpoint's address in one subnet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Eni {
    pub id: String,
    pub subnet_id: String,
    pub az: String,
    pub ip: Ipv4Addr,
}

/// A DNS name of an interface endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DnsEntry {
    pub dns_name: String,
    /// `Some(az)`: a zonal name, resolving to the ENI in that AZ only; `None`: all ENIs
    /// (the regional name, and the service's private DNS name when enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

resource!(
    VpcEndpoint,
    id,
    "Vpc Endpoint Id",
    "VPC endpoints",
    codes::INVALID_VPC_ENDPOINT_ID_NOT_FOUND,
    "vpc-endpoint",
    |s| s.tags.name()
);

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(state: EndpointState) -> VpcEndpoint {
        VpcEndpoint {
            id: "vpce-1".into(),
            owner: "222222222222".into(),
            tags: Tags::default(),
            endpoint_type: EndpointType::Interface,
            vpc_id: "vpc-1".into(),
            service_name: "com.amazonaws.vpce.us-east-1.vpce-svc-1".into(),
            service_id: Some("vpce-svc-1".into()),
            prefix_list_id: None,
            state,
            network_interfaces: Vec::new(),
            security_group_ids: Vec::new(),
            route_table_ids: Vec::new(),
            private_dns_enabled: false,
            dns_entries: Vec::new(),
            creation_timestamp: "2024-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn decisions_move_only_from_their_states() {
        use ConnectionDecision::{Accept, Reject};
        use EndpointState::{Available, PendingAcceptance, Rejected};
        for (from, decision, to) in [
            (PendingAcceptance, Accept, Some(Available)),
            (PendingAcceptance, Reject, Some(Rejected)),
            (Available, Reject, Some(Rejected)),
            (Available, Accept, None),
            (Rejected, Accept, None),
            (Rejected, Reject, None),
        ] {
            let mut ep = endpoint(from);
            match (ep.decide(decision), to) {
                (Ok(()), Some(to)) => assert_eq!(ep.state, to),
                (Err(e), None) => {
                    assert_eq!((e.code.as_ref(), ep.state), (codes::INCORRECT_STATE, from));
                    assert!(e.message.contains(from.as_str()), "{}", e.message);
                }
                (got, want) => panic!("{from:?} {decision:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn only_connected_endpoints_are_decided() {
        let mut s = State::new();
        s.vpc_endpoints.insert("vpce-1".into(), endpoint(EndpointState::PendingAcceptance));
        let e = s.decide_connection("vpce-svc-2", "vpce-1", ConnectionDecision::Accept).unwrap_err();
        assert_eq!(e.code, codes::INVALID_VPC_ENDPOINT_ID_NOT_FOUND);
        assert_eq!(s.vpc_endpoints["vpce-1"].state, EndpointState::PendingAcceptance);
        s.decide_connection("vpce-svc-1", "vpce-1", ConnectionDecision::Accept).unwrap();
        assert_eq!(s.vpc_endpoints["vpce-1"].state, EndpointState::Available);
    }
}
