//! VPCs and subnets.
//!
//! A [`Vpc`] is a Linux network namespace ([`Vpc::netns`]) to the data plane; VPC CIDRs may
//! overlap freely, because the fabric always knows which namespace a packet came from. A
//! [`Subnet`] is a slice of its VPC's CIDR in one availability zone; subnets of one VPC never
//! overlap.

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::lookup::resource;
use super::tags::Tags;
use crate::error::codes;

/// A VPC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vpc {
    pub id: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    pub cidr: Ipv4Net,
    /// The network namespace that is this VPC (`pl-<name>` or `pl-<vpc id>` unless chosen).
    pub netns: String,
    /// Fabric-owned: true if privlink created the namespace (and so removes it with the VPC).
    #[serde(default)]
    pub netns_managed: bool,
    /// The main route table: governs every subnet without an explicit association.
    pub main_route_table: String,
    /// The default security group (created with the VPC, cannot be deleted).
    pub default_security_group: String,
    /// The attributes of DescribeVpcAttribute / ModifyVpcAttribute.
    #[serde(default)]
    pub attributes: VpcAttributes,
}

/// A VPC's DNS attributes. Invariant kept by the API: a VPC with an interface endpoint whose
/// private DNS is enabled has both DNS attributes on (as AWS requires).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcAttributes {
    /// `enableDnsSupport`: the VPC resolver (base + 2) answers.
    pub enable_dns_support: bool,
    /// `enableDnsHostnames`: required with DNS support for private DNS names of endpoints.
    pub enable_dns_hostnames: bool,
    /// `enableNetworkAddressUsageMetrics`: recorded only.
    #[serde(default)]
    pub enable_network_address_usage_metrics: bool,
}

impl VpcAttributes {
    /// AWS's defaults for a new non-default VPC: DNS support on, DNS hostnames off.
    pub fn aws_defaults() -> VpcAttributes {
        VpcAttributes {
            enable_dns_support: true,
            enable_dns_hostnames: false,
            enable_network_address_usage_metrics: false,
        }
    }

    /// Does the VPC allow private DNS names of interface endpoints?
    pub fn private_dns_capable(&self) -> bool {
        self.enable_dns_support && self.enable_dns_hostnames
    }
}

/// What a VPC stored before these attributes existed has: both DNS attributes on, since such
/// VPCs were made by privlink's own clients, whose VPCs resolve private DNS names.
impl Default for VpcAttributes {
    fn default() -> VpcAttributes {
        VpcAttributes {
            enable_dns_support: true,
            enable_dns_hostnames: true,
            enable_network_address_usage_metrics: false,
        }
    }
}

resource!(Vpc, id, "vpc ID", "VPCs", codes::INVALID_VPC_ID_NOT_FOUND, "vpc", |s| s.tags.name());

/// A subnet of a VPC in one availability zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    pub id: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    pub vpc_id: String,
    pub cidr: Ipv4Net,
    /// Availability zone, e.g. `us-east-1a`.
    pub az: String,
    /// The attributes of ModifySubnetAttribute.
    #[serde(default)]
    pub attributes: SubnetAttributes,
}

/// A subnet's launch settings (recorded and shown: privlink has no public addresses and no
/// per-instance DNS records).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SubnetAttributes {
    pub map_public_ip_on_launch: bool,
    pub enable_resource_name_dns_a_record_on_launch: bool,
    /// `ip-name` or `resource-name`.
    pub private_dns_hostname_type_on_launch: String,
}

impl Default for SubnetAttributes {
    fn default() -> SubnetAttributes {
        SubnetAttributes {
            map_public_ip_on_launch: false,
            enable_resource_name_dns_a_record_on_launch: false,
            private_dns_hostname_type_on_launch: "ip-name".into(),
        }
    }
}

resource!(Subnet, id, "subnet ID", "subnets", codes::INVALID_SUBNET_ID_NOT_FOUND, "subnet", |s| s
    .tags
    .name());
