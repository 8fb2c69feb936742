//! VPC endpoints: the consumer side.
//!
//! - Interface endpoint: one ENI per subnet (at most one subnet per AZ), each with a private IP of
//!   its subnet. Traffic to an ENI IP goes to the endpoint service's NLB — but only while
//!   [`VpcEndpoint::state`] is `available` (see [`EndpointState::passes_traffic`]) and a
//!   security group of [`VpcEndpoint::security_group_ids`] admits it.
//! - Gateway endpoint: no ENI; it owns a route `pl-… → vpce-…` in each of
//!   [`VpcEndpoint::route_table_ids`] and forwards matching packets unchanged.
//!
//! States: the lab goes straight from `pendingAcceptance` to `available` on acceptance (AWS's
//! transient `pending` is skipped), and a deleted endpoint is removed at once (no `deleting` /
//! `deleted` tombstone).

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::lookup::resource;
use super::tags::Tags;
use crate::error::codes;

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
    pub fn passes_traffic(self) -> bool {
        self == EndpointState::Available
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
