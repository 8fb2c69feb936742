//! The resource model: everything privlink knows about, as one serialisable [`State`].
//!
//! Contract:
//! - A `State` is plain data (serde, PascalCase field names): it is what the store persists and
//!   what the data plane compiles into forwarding tables. Maps are `BTreeMap`s keyed by ID (ARN
//!   for ELBv2 resources), so iteration order is deterministic.
//! - Invariants the API maintains (and the data plane may rely on): every referenced ID exists
//!   (subnet → VPC, ENI → subnet, route → endpoint, listener → NLB and target group, interface
//!   endpoint → service); subnets of a VPC do not overlap and lie inside its CIDR; addresses of
//!   instances, ENIs and NLB nodes are unique per VPC and inside their subnet's usable range;
//!   every route table holds the local route of its VPC's CIDR; every resource has an owner
//!   account, and the owner of a subnet/table/group/instance is the owner of its VPC.
//! - Fabric-owned fields (filled by the data plane, not the API): [`Vpc::netns_managed`] and
//!   [`Target::health`].
//! - Every resource carries its [`Tags`] (the Name of a VPC, subnet, route table, instance,
//!   endpoint or endpoint service is its `Name` tag); [`State::client_tokens`] remembers the
//!   idempotent calls (`ClientToken`) of the last 24 hours. Neither matters to the data plane.

mod addressing;
mod client_token;
mod elb;
mod endpoint_service;
mod instance;
mod instance_type;
mod lookup;
mod prefix_list;
mod route_table;
mod security_group;
mod tags;
mod vpc;
mod vpc_endpoint;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use addressing::{AddressBook, Pick};
pub use client_token::{CLIENT_TOKEN_TTL, ClientTokenUse, client_token_key};
pub use elb::{
    ElbProtocol, HealthCheck, HealthCheckPort, HealthCheckProtocol, Listener, LoadBalancer, NlbNode, Target,
    TargetGroup, TargetHealth, TargetType,
};
pub use endpoint_service::EndpointService;
pub use instance::{
    DEFAULT_IMAGE_ID, DEFAULT_INSTANCE_TYPE, Instance, InstanceAttributes, SHUTDOWN_BEHAVIORS, is_ami_id,
};
pub use instance_type::{INSTANCE_TYPES, InstanceType};
pub use lookup::{Kind, Resource, TagTarget, Tagged, find, find_mut, find_scoped, select, visible};
pub use prefix_list::PrefixList;
pub use route_table::{Association, Destination, Route, RouteTable, RouteTarget};
pub use security_group::{Direction, SecurityGroup, SgProtocol, SgRule};
pub use tags::{MAX_TAGS, Tags};
pub use vpc::{Subnet, SubnetAttributes, Vpc, VpcAttributes};
pub use vpc_endpoint::{ConnectionDecision, DnsEntry, EndpointState, EndpointType, Eni, VpcEndpoint};

/// Version of the persisted state format. Version 1 had a `Name` field where resources now
/// have `Tags` ([`crate::store`] migrates it).
pub const STATE_VERSION: u32 = 2;
/// The one region privlink emulates.
pub const DEFAULT_REGION: &str = "us-east-1";
/// How long a terminated instance stays visible to DescribeInstances (AWS: about an hour).
pub const TERMINATED_VISIBLE_SECS: u64 = 3600;
/// The account used when a request names none.
pub const DEFAULT_ACCOUNT: &str = "111111111111";

/// Everything the control plane knows. See the module docs for its invariants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct State {
    pub version: u32,
    pub region: String,
    #[serde(default)]
    pub vpcs: BTreeMap<String, Vpc>,
    #[serde(default)]
    pub subnets: BTreeMap<String, Subnet>,
    #[serde(default)]
    pub route_tables: BTreeMap<String, RouteTable>,
    #[serde(default)]
    pub security_groups: BTreeMap<String, SecurityGroup>,
    #[serde(default)]
    pub instances: BTreeMap<String, Instance>,
    /// Instances terminated within [`TERMINATED_VISIBLE_SECS`], by ID, each with the time (Unix
    /// seconds) it was terminated: DescribeInstances still answers them by ID as `terminated`,
    /// as AWS does (clients wait for that state), and their IDs are not reused. Nothing else
    /// sees them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub terminated_instances: BTreeMap<String, (Instance, u64)>,
    /// Keyed by ARN.
    #[serde(default)]
    pub load_balancers: BTreeMap<String, LoadBalancer>,
    /// Keyed by ARN.
    #[serde(default)]
    pub target_groups: BTreeMap<String, TargetGroup>,
    /// Keyed by ARN.
    #[serde(default)]
    pub listeners: BTreeMap<String, Listener>,
    /// Keyed by service ID (`vpce-svc-…`).
    #[serde(default)]
    pub endpoint_services: BTreeMap<String, EndpointService>,
    #[serde(default)]
    pub vpc_endpoints: BTreeMap<String, VpcEndpoint>,
    /// The region's managed prefix lists (created with the state, never changed by the API).
    pub prefix_lists: BTreeMap<String, PrefixList>,
    /// Idempotent calls, keyed by [`client_token_key`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_tokens: BTreeMap<String, ClientTokenUse>,
}

impl State {
    /// A fresh state of the default region: no resources, the managed prefix lists.
    pub fn new() -> State {
        State::for_region(DEFAULT_REGION)
    }

    /// A fresh state of `region`.
    pub fn for_region(region: &str) -> State {
        State {
            version: STATE_VERSION,
            region: region.to_owned(),
            vpcs: BTreeMap::new(),
            subnets: BTreeMap::new(),
            route_tables: BTreeMap::new(),
            security_groups: BTreeMap::new(),
            instances: BTreeMap::new(),
            terminated_instances: BTreeMap::new(),
            load_balancers: BTreeMap::new(),
            target_groups: BTreeMap::new(),
            listeners: BTreeMap::new(),
            endpoint_services: BTreeMap::new(),
            vpc_endpoints: BTreeMap::new(),
            prefix_lists: PrefixList::managed(region).into_iter().map(|pl| (pl.id.clone(), pl)).collect(),
            client_tokens: BTreeMap::new(),
        }
    }

    /// A fresh state of the same region as `other` (what the fabric starts from on restore).
    pub fn empty_like(other: &State) -> State {
        State::for_region(&other.region)
    }

    /// True if any resource of any kind already uses `id` (ID uniqueness across kinds).
    pub fn id_taken(&self, id: &str) -> bool {
        self.vpcs.contains_key(id)
            || self.subnets.contains_key(id)
            || self.route_tables.contains_key(id)
            || self.route_tables.values().any(|rt| rt.associations.iter().any(|a| a.id == id))
            || self.security_groups.contains_key(id)
            || self.instances.contains_key(id)
            || self.terminated_instances.contains_key(id)
            || self.endpoint_services.contains_key(id)
            || self.vpc_endpoints.contains_key(id)
            || self.vpc_endpoints.values().any(|e| e.network_interfaces.iter().any(|n| n.id == id))
            || self.prefix_lists.contains_key(id)
    }

    /// A new unused ID of `kind`.
    pub fn new_id(&self, kind: crate::ids::IdKind) -> String {
        crate::ids::generate(kind, |id| self.id_taken(id))
    }

    /// The route table that governs `subnet_id`: its explicit association, else its VPC's main table.
    #[cfg(test)]
    pub fn route_table_for_subnet(&self, subnet_id: &str) -> Option<&RouteTable> {
        let subnet = self.subnets.get(subnet_id)?;
        self.route_tables
            .values()
            .find(|rt| rt.associations.iter().any(|a| a.subnet_id == subnet_id))
            .or_else(|| self.route_tables.get(&self.vpcs.get(&subnet.vpc_id)?.main_route_table))
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_state_has_the_managed_prefix_lists() {
        let s = State::new();
        let names: Vec<_> = s.prefix_lists.values().map(|p| p.name.as_str()).collect();
        assert!(names.contains(&"com.amazonaws.us-east-1.s3"), "{names:?}");
        assert!(names.contains(&"com.amazonaws.us-east-1.dynamodb"), "{names:?}");
        assert_eq!(State::empty_like(&s), s);
    }

    #[test]
    fn state_serialises_with_version_first() {
        let json = serde_json::to_string(&State::new()).unwrap();
        assert!(json.starts_with("{\"Version\":2,\"Region\":\"us-east-1\""), "{json}");
        let back: State = serde_json::from_str(&json).unwrap();
        assert_eq!(back, State::new());
    }
}
