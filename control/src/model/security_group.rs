//! Security groups: stateful inbound allow-lists.
//!
//! In privlink a security group guards the ENIs of interface endpoints: a new connection to an
//! ENI passes only if some ingress rule of some group of the endpoint allows it (the data
//! plane compiles the rules into its FIB and checks them there; `SecurityGroup::allows`, for
//! tests, states the same rule); replies of an allowed flow always pass (stateful). Egress rules
//! are kept and shown as on AWS (a new group allows all egress) but not enforced: the ENIs
//! privlink guards never open connections, and replies are stateful. The VPC's default group
//! allows everything from the VPC CIDR (a lab simplification: AWS's default group allows
//! traffic from members of the group). Within one direction of a group, rules are unique.

#[cfg(test)]
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::lookup::resource;
use super::tags::Tags;
use crate::error::codes;

/// A security group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    pub id: String,
    pub owner: String,
    /// The group name (GroupName): unique within the VPC, and the Name used for lookups.
    pub name: String,
    pub description: String,
    pub vpc_id: String,
    #[serde(default)]
    pub ingress: Vec<SgRule>,
    /// Outbound rules (state files from before they existed load with AWS's allow-all rule).
    #[serde(default = "SgRule::allow_all_egress")]
    pub egress: Vec<SgRule>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// Which rules of a group: inbound or outbound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

/// The IP protocol of a rule (`IpProtocol`: tcp, udp, icmp or -1 for all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SgProtocol {
    #[serde(rename = "tcp")]
    Tcp,
    #[serde(rename = "udp")]
    Udp,
    #[serde(rename = "icmp")]
    Icmp,
    #[serde(rename = "-1")]
    All,
}

impl SgProtocol {
    /// The IP protocol number, `None` for all protocols.
    pub fn number(self) -> Option<u8> {
        match self {
            SgProtocol::Tcp => Some(6),
            SgProtocol::Udp => Some(17),
            SgProtocol::Icmp => Some(1),
            SgProtocol::All => None,
        }
    }
}

/// One rule (ingress: allowed sources; egress: allowed destinations), with AWS's port conventions: for TCP/UDP `from_port..=to_port` is the
/// destination port range; for ICMP `from_port` is the ICMP type and `to_port` the code
/// (-1 = any); for all protocols both are -1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SgRule {
    pub protocol: SgProtocol,
    pub from_port: i32,
    pub to_port: i32,
    /// Allowed source (ingress) or destination (egress) addresses.
    pub cidr: Ipv4Net,
}

impl SgRule {
    /// AWS's rule of a new group: all traffic to anywhere (`-1`, `0.0.0.0/0`).
    pub fn allow_all_egress() -> Vec<SgRule> {
        vec![SgRule { protocol: SgProtocol::All, from_port: -1, to_port: -1, cidr: Ipv4Net::default() }]
    }

    /// Does this rule admit a packet of IP protocol `ip_proto` from `src` to destination port
    /// `port` (for ICMP: `port` is the ICMP type)?
    #[cfg(test)]
    pub fn allows(&self, ip_proto: u8, port: u16, src: Ipv4Addr) -> bool {
        if !self.cidr.contains(&src) {
            return false;
        }
        match self.protocol.number() {
            None => true,
            Some(p) if p != ip_proto => false,
            Some(1) => self.from_port == -1 || self.from_port == i32::from(port),
            Some(_) => (self.from_port..=self.to_port).contains(&i32::from(port)),
        }
    }
}

impl SecurityGroup {
    /// The rules of one direction.
    pub fn rules(&self, dir: Direction) -> &Vec<SgRule> {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// The `sgr-…` ID of `rule` in direction `dir` of this group: derived from what the rule
    /// is, so it stays the same for as long as the rule exists.
    pub fn rule_id(&self, dir: Direction, rule: &SgRule) -> String {
        let seed = format!(
            "{}/{dir:?}/{:?}/{}/{}/{}",
            self.id, rule.protocol, rule.from_port, rule.to_port, rule.cidr
        );
        crate::ids::derived(crate::ids::IdKind::SecurityGroupRule, &seed)
    }

    pub fn rules_mut(&mut self, dir: Direction) -> &mut Vec<SgRule> {
        match dir {
            Direction::Ingress => &mut self.ingress,
            Direction::Egress => &mut self.egress,
        }
    }

    /// Does any ingress rule admit this packet? See [`SgRule::allows`].
    #[cfg(test)]
    pub fn allows(&self, ip_proto: u8, port: u16, src: Ipv4Addr) -> bool {
        self.ingress.iter().any(|r| r.allows(ip_proto, port, src))
    }
}

resource!(
    SecurityGroup,
    id,
    "security group",
    "security groups",
    codes::INVALID_GROUP_NOT_FOUND,
    "security-group",
    |s| Some(&s.name)
);

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: SgProtocol, from: i32, to: i32) -> SgRule {
        SgRule { protocol, from_port: from, to_port: to, cidr: "10.0.0.0/16".parse().unwrap() }
    }

    #[test]
    fn rules_match_protocol_port_range_and_source() {
        let src: Ipv4Addr = "10.0.1.9".parse().unwrap();
        let other: Ipv4Addr = "192.0.2.1".parse().unwrap();
        let web = rule(SgProtocol::Tcp, 80, 81);
        assert!(web.allows(6, 80, src) && web.allows(6, 81, src));
        assert!(!web.allows(6, 82, src) && !web.allows(17, 80, src) && !web.allows(6, 80, other));
        assert!(rule(SgProtocol::All, -1, -1).allows(17, 53, src));
        let echo = rule(SgProtocol::Icmp, 8, -1);
        assert!(echo.allows(1, 8, src) && !echo.allows(1, 0, src));
    }
}
