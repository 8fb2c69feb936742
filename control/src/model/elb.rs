//! Network Load Balancers (ELBv2 type `network`, scheme `internal`): load balancers, target
//! groups, targets, listeners.
//!
//! An NLB has one node per subnet (one subnet per AZ), each with a private IP of that subnet:
//! traffic from an interface endpoint reaches the targets with a node IP as source. A listener
//! (port + protocol) forwards to one target group; a target group holds IP targets inside its
//! VPC's CIDR. Node selection: the node in the ENI's AZ, or any node when
//! cross-zone load balancing is on ([`TargetGroup::cross_zone`], else
//! [`LoadBalancer::cross_zone`]).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::lookup::resource;
use super::tags::Tags;
use crate::error::codes;

/// A network load balancer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancer {
    pub arn: String,
    pub owner: String,
    /// LoadBalancerName: unique per account.
    pub name: String,
    pub vpc_id: String,
    /// One node per subnet, in the order the subnets were given.
    pub nodes: Vec<NlbNode>,
    /// Cross-zone load balancing (default off, as on AWS).
    #[serde(default)]
    pub cross_zone: bool,
    pub dns_name: String,
    /// `deletion_protection.enabled`: DeleteLoadBalancer is refused while on.
    #[serde(default)]
    pub deletion_protection: bool,
    /// Attributes that are recorded and shown back only, by key (defaults left out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// An NLB node: the load balancer's private address in one subnet / AZ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NlbNode {
    pub subnet_id: String,
    pub az: String,
    pub ip: Ipv4Addr,
}

impl LoadBalancer {
    /// The availability zones the load balancer is in, in node order.
    pub fn azs(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|n| n.az.as_str())
    }
}

/// Transport protocol of a listener or target group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElbProtocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "TCP_UDP")]
    TcpUdp,
}

impl ElbProtocol {
    /// The AWS spelling (`TCP`, `UDP`, `TCP_UDP`).
    pub fn as_str(self) -> &'static str {
        match self {
            ElbProtocol::Tcp => "TCP",
            ElbProtocol::Udp => "UDP",
            ElbProtocol::TcpUdp => "TCP_UDP",
        }
    }

    /// Does this protocol carry IP protocol `ip_proto` (6 = TCP, 17 = UDP)?
    pub fn carries(self, ip_proto: u8) -> bool {
        matches!(
            (self, ip_proto),
            (ElbProtocol::Tcp | ElbProtocol::TcpUdp, 6) | (ElbProtocol::Udp | ElbProtocol::TcpUdp, 17)
        )
    }

    /// Do the two protocols share a transport (so two listeners on one port would clash)?
    pub fn overlaps(self, other: ElbProtocol) -> bool {
        [6, 17].iter().any(|&p| self.carries(p) && other.carries(p))
    }
}

/// A target group. Targets are addresses either way: an `instance` group's targets also
/// keep the instance ID they were registered by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroup {
    pub arn: String,
    pub owner: String,
    /// TargetGroupName: unique per account.
    pub name: String,
    pub vpc_id: String,
    #[serde(default, skip_serializing_if = "TargetType::is_ip")]
    pub target_type: TargetType,
    pub protocol: ElbProtocol,
    /// Default port of targets registered without one.
    pub port: u16,
    pub health_check: HealthCheck,
    #[serde(default)]
    pub targets: Vec<Target>,
    /// `load_balancing.cross_zone.enabled`: overrides the load balancer's setting for flows to
    /// this group (`None`: the load balancer's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_zone: Option<bool>,
    /// Attributes that are recorded and shown back only, by key (defaults left out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// How the data plane probes targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthCheck {
    pub protocol: HealthCheckProtocol,
    pub port: HealthCheckPort,
    /// HTTP only: the path to GET (default `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub interval_seconds: u32,
    pub timeout_seconds: u32,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
}

impl HealthCheck {
    /// The HTTP success codes of an NLB's HTTP health checks: AWS's default, and the only
    /// `Matcher` privlink takes (its HTTP checks are TCP connects).
    pub const DEFAULT_MATCHER: &str = "200-399";
    /// The path an HTTP check GETs when none is given.
    pub const DEFAULT_PATH: &str = "/";
    /// Seconds between checks when none is given.
    pub const DEFAULT_INTERVAL_SECONDS: u32 = 30;
    /// Healthy and unhealthy threshold counts when none is given.
    pub const DEFAULT_THRESHOLD: u32 = 3;

    /// AWS's timeout for a new check of `protocol`: 10 s for TCP, 6 s for HTTP.
    pub fn default_timeout_seconds(protocol: HealthCheckProtocol) -> u32 {
        match protocol {
            HealthCheckProtocol::Tcp => 10,
            HealthCheckProtocol::Http => 6,
        }
    }
}

/// Health check protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthCheckProtocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "HTTP")]
    Http,
}

/// Health check port: the target's own port, or a fixed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthCheckPort {
    TrafficPort,
    Port(u16),
}

impl HealthCheckPort {
    /// The port to probe for a target serving on `target_port`.
    pub fn for_target(self, target_port: u16) -> u16 {
        match self {
            HealthCheckPort::TrafficPort => target_port,
            HealthCheckPort::Port(p) => p,
        }
    }
}

/// `TargetType`: how a target group's targets are named.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    /// By IP address in the group's VPC.
    #[default]
    Ip,
    /// By instance ID in the group's VPC; the target is the instance's private address.
    Instance,
}

impl TargetType {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Ip => "ip",
            TargetType::Instance => "instance",
        }
    }

    fn is_ip(&self) -> bool {
        *self == TargetType::Ip
    }
}

/// A registered target: an IP and port in the target group's VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    pub ip: Ipv4Addr,
    pub port: u16,
    /// The instance the target was registered by (`instance` target groups only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// Fabric-owned: the health checker's verdict (the API sets `healthy` on registration).
    pub health: TargetHealth,
}

impl Target {
    /// A target group holds each address and port once: a target with the same ones (however
    /// it was named, whatever its health) is the same target.
    pub fn same_as(&self, other: &Target) -> bool {
        self.ip == other.ip && self.port == other.port
    }
}

/// Target health states (`TargetHealth.State`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetHealth {
    Initial,
    Healthy,
    Unhealthy,
    Unused,
}

impl TargetHealth {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetHealth::Initial => "initial",
            TargetHealth::Healthy => "healthy",
            TargetHealth::Unhealthy => "unhealthy",
            TargetHealth::Unused => "unused",
        }
    }
}

/// A listener: NLB port + protocol → default target group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Listener {
    pub arn: String,
    pub owner: String,
    pub load_balancer_arn: String,
    pub protocol: ElbProtocol,
    pub port: u16,
    pub default_target_group_arn: String,
    /// Attributes that are recorded and shown back only, by key (defaults left out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

resource!(
    LoadBalancer,
    arn,
    "load balancer",
    "load balancers",
    codes::LOAD_BALANCER_NOT_FOUND,
    "loadbalancer",
    |s| Some(&s.name)
);
resource!(
    TargetGroup,
    arn,
    "target group",
    "target groups",
    codes::TARGET_GROUP_NOT_FOUND,
    "targetgroup",
    |s| Some(&s.name)
);
resource!(Listener, arn, "listener", "listeners", codes::LISTENER_NOT_FOUND, "listener", |_s| None);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_overlap_when_they_share_a_transport() {
        use ElbProtocol::*;
        assert!(Tcp.overlaps(TcpUdp) && Udp.overlaps(TcpUdp) && Tcp.overlaps(Tcp));
        assert!(!Tcp.overlaps(Udp));
        assert!(TcpUdp.carries(6) && TcpUdp.carries(17) && !Tcp.carries(17));
    }
}
