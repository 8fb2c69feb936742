//! Route tables.
//!
//! Every table holds the local route (VPC CIDR → [`RouteTarget::Local`]). A subnet uses the table
//! it is explicitly associated with, else its VPC's main table. Lookups are longest-prefix match over
//! [`Route::destination`]; a [`Destination::PrefixList`] route stands for every CIDR of that
//! prefix list (a gateway endpoint's route). At most one route per destination.

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::lookup::resource;
use super::tags::Tags;
use crate::error::codes;

/// A route table of a VPC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    pub id: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    pub vpc_id: String,
    /// True for the VPC's main table (implicitly associated with unassociated subnets).
    pub main: bool,
    /// Explicit subnet associations.
    #[serde(default)]
    pub associations: Vec<Association>,
    pub routes: Vec<Route>,
}

/// An explicit association of a subnet with a route table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Association {
    /// `rtbassoc-…`.
    pub id: String,
    pub subnet_id: String,
}

/// One route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    pub destination: Destination,
    pub target: RouteTarget,
}

/// What a route matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Destination {
    /// A CIDR block.
    Cidr(Ipv4Net),
    /// Every CIDR of a managed prefix list (`pl-…`).
    PrefixList(String),
}

/// Where a matching packet goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteTarget {
    /// Delivered inside the VPC.
    Local,
    /// Forwarded unchanged to the gateway endpoint's service network (`vpce-…`).
    VpcEndpoint(String),
    /// Dropped.
    Blackhole,
}

impl RouteTable {
    /// A table of `vpc_id` holding only the local route for `vpc_cidr`.
    pub fn new(id: String, owner: String, tags: Tags, vpc_id: String, vpc_cidr: Ipv4Net, main: bool) -> Self {
        RouteTable {
            id,
            owner,
            tags,
            vpc_id,
            main,
            associations: Vec::new(),
            routes: vec![Route { destination: Destination::Cidr(vpc_cidr), target: RouteTarget::Local }],
        }
    }

    /// The route for exactly `destination`, if any.
    pub fn route(&self, destination: &Destination) -> Option<&Route> {
        self.routes.iter().find(|r| &r.destination == destination)
    }
}

resource!(
    RouteTable,
    id,
    "route table ID",
    "route tables",
    codes::INVALID_ROUTE_TABLE_ID_NOT_FOUND,
    "route-table",
    |s| s.tags.name()
);
