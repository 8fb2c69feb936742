//! The forwarding information base: an immutable snapshot of everything the pipeline needs,
//! compiled from control-plane state and swapped atomically (workers load it once per batch).
//!
//! Contract:
//! - A `Fib` is never mutated after [`FibBuilder::build`]; a control change builds a new one.
//! - VPC indices (`u16`) are positions in [`Fib::vpcs`] and double as device indices: the I/O
//!   layer maps each VPC's device (packet port or TUN) to its index. The AWS-service network is a VPC entry
//!   with `is_aws_network` set and no CIDR.
//! - Fabric-owned addresses are keyed by (VPC index, address): ENIs and NLB nodes of one VPC
//!   never collide with those of another, whatever their CIDRs (overlap is the normal case).
//! - Maglev tables are built here, per (target group, zone scope), over the healthy targets
//!   of the scope, or over all of them when none is healthy (NLB fail-open).

use crate::flow::FlowPlan;
use crate::lb::{DEFAULT_TABLE_SIZE, Maglev};
use crate::nat::PoolKey;
use crate::route::{RouteTable, RouteTarget};
use crate::verdict::DropReason;
use crate::wire::proto;
use hashbrown::HashMap;
use ipnet::Ipv4Net;
use std::collections::HashSet;
use std::net::Ipv4Addr;

/// A VPC (or the AWS-service network) as the data plane sees it.
#[derive(Debug)]
pub struct FibVpc {
    /// `vpc-…` id (or `aws` for the service network).
    pub id: String,
    /// Network namespace holding the VPC's device.
    pub netns: String,
    /// VPC CIDR; `None` for the AWS-service network.
    pub cidr: Option<Ipv4Net>,
    /// Subnets (for the source subnet's route table and the ENI's zone).
    pub subnets: Vec<FibSubnet>,
    /// Route tables; subnets refer to them by position.
    pub route_tables: Vec<RouteTable>,
    /// Route table of subnets without an explicit association.
    pub main_route_table: usize,
    /// True for the AWS-service network.
    pub is_aws_network: bool,
    /// The VPC resolver's address (VPC base + 2), for VPCs.
    pub resolver: Option<u32>,
    /// Names the VPC resolver answers (lowercase, no trailing dot) → A records.
    pub dns: HashMap<String, Vec<Ipv4Addr>>,
}

/// A subnet.
#[derive(Debug, Clone)]
pub struct FibSubnet {
    /// `subnet-…` id.
    pub id: String,
    /// Subnet CIDR.
    pub cidr: Ipv4Net,
    /// Zone index into [`Fib::azs`].
    pub az: u16,
    /// Position of its route table in the VPC's `route_tables`.
    pub route_table: usize,
}

/// Connection state of an interface endpoint, as far as forwarding cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointState {
    /// Traffic flows.
    Available,
    /// Waiting for the service owner.
    PendingAcceptance,
    /// Refused by the service owner.
    Rejected,
    /// Any other state (pending, deleting, failed, expired).
    Unavailable,
}

/// One security-group ingress rule (the union of an ENI's groups is flattened into a list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SgRule {
    /// IP protocol, `None` for all.
    pub proto: Option<u8>,
    /// First port (ignored for ICMP and all-protocol rules).
    pub from_port: u16,
    /// Last port, inclusive.
    pub to_port: u16,
    /// Allowed source range.
    pub cidr: Ipv4Net,
}

impl SgRule {
    fn allows(&self, proto: u8, port: u16, src: Ipv4Addr) -> bool {
        let proto_ok = match self.proto {
            None => true,
            Some(p) if p != proto => false,
            Some(proto::TCP | proto::UDP) => (self.from_port..=self.to_port).contains(&port),
            Some(_) => true,
        };
        proto_ok && self.cidr.contains(&src)
    }
}

/// An interface endpoint's network interface.
#[derive(Debug, Clone)]
pub struct FibEni {
    /// `vpce-…` id of the endpoint.
    pub endpoint_id: String,
    /// `eni-…` id.
    pub eni_id: String,
    /// Consumer VPC.
    pub vpc: u16,
    /// Private address.
    pub ip: Ipv4Addr,
    /// Zone index.
    pub az: u16,
    /// Connection state.
    pub state: EndpointState,
    /// The endpoint service's NLB (index into [`Fib::nlbs`]).
    pub nlb: usize,
    /// Security-group ingress rules (union of the ENI's groups).
    pub sg_rules: Vec<SgRule>,
}

impl FibEni {
    /// True if the ENI's security groups admit a new flow.
    pub fn admits(&self, proto: u8, dport: u16, src: Ipv4Addr) -> bool {
        self.sg_rules.iter().any(|r| r.allows(proto, dport, src))
    }
}

/// An NLB listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FibListener {
    /// Accepts TCP.
    pub tcp: bool,
    /// Accepts UDP.
    pub udp: bool,
    /// Listener port.
    pub port: u16,
    /// Target group index.
    pub target_group: usize,
    /// The target group's cross-zone setting, overriding the NLB's (`None`: the NLB's).
    pub cross_zone: Option<bool>,
}

/// A network load balancer.
#[derive(Debug, Clone)]
pub struct FibNlb {
    /// ARN.
    pub arn: String,
    /// Provider VPC.
    pub vpc: u16,
    /// One node address per zone: (zone index, address).
    pub nodes: Vec<(u16, Ipv4Addr)>,
    /// Cross-zone load balancing.
    pub cross_zone: bool,
    /// Listeners.
    pub listeners: Vec<FibListener>,
}

/// A registered target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FibTarget {
    /// Address.
    pub ip: Ipv4Addr,
    /// Port.
    pub port: u16,
    /// Zone index (from the provider subnet that contains the address).
    pub az: u16,
    /// Health as last reported.
    pub healthy: bool,
    /// Maglev weight.
    pub weight: u32,
}

#[derive(Debug)]
struct Scope {
    /// `None`: all zones (cross-zone); `Some(z)`: targets of zone z.
    az: Option<u16>,
    /// Target indices the table's slots refer to.
    members: Vec<usize>,
    table: Maglev,
}

/// A target group with its prebuilt Maglev tables.
#[derive(Debug)]
pub struct FibTargetGroup {
    /// ARN.
    pub arn: String,
    /// Targets.
    pub targets: Vec<FibTarget>,
    scopes: Vec<Scope>,
}

/// The forwarding snapshot.
#[derive(Debug, Default)]
pub struct Fib {
    /// Increases with every build from control state.
    pub generation: u64,
    /// VPCs by index.
    pub vpcs: Vec<FibVpc>,
    /// Zone names by index.
    pub azs: Vec<String>,
    /// ENIs.
    pub enis: Vec<FibEni>,
    /// NLBs.
    pub nlbs: Vec<FibNlb>,
    /// Target groups.
    pub target_groups: Vec<FibTargetGroup>,
    /// Index of the AWS-service network, if present.
    pub aws_network: Option<u16>,
    eni_by_addr: HashMap<(u16, u32), usize>,
    nlb_by_addr: HashMap<(u16, u32), usize>,
}

impl Fib {
    /// The ENI owning `ip` in VPC `vpc`.
    #[inline]
    pub fn eni(&self, vpc: u16, ip: u32) -> Option<&FibEni> {
        self.eni_by_addr.get(&(vpc, ip)).map(|&i| &self.enis[i])
    }

    /// True if `ip` is an NLB node address in VPC `vpc`.
    #[inline]
    pub fn is_nlb_node(&self, vpc: u16, ip: u32) -> bool {
        self.nlb_by_addr.contains_key(&(vpc, ip))
    }

    /// The subnet of VPC `vpc` containing `ip`.
    pub fn subnet_of(&self, vpc: u16, ip: Ipv4Addr) -> Option<&FibSubnet> {
        self.vpcs.get(usize::from(vpc))?.subnets.iter().find(|s| s.cidr.contains(&ip))
    }

    /// The route table that applies to traffic sourced from `src` in VPC `vpc`.
    pub fn route_table_for(&self, vpc: u16, src: Ipv4Addr) -> Option<&RouteTable> {
        let v = self.vpcs.get(usize::from(vpc))?;
        let rt = self.subnet_of(vpc, src).map_or(v.main_route_table, |s| s.route_table);
        v.route_tables.get(rt)
    }

    /// The listener of `nlb` for (`proto`, `port`).
    pub fn listener(&self, nlb: usize, proto_: u8, port: u16) -> Option<&FibListener> {
        self.nlbs[nlb]
            .listeners
            .iter()
            .find(|l| l.port == port && ((proto_ == proto::TCP && l.tcp) || (proto_ == proto::UDP && l.udp)))
    }

    /// Chooses the NLB node and target for a new flow through `eni` on `listener`, by the
    /// flow's hash: the node of the ENI's zone; targets of that zone unless cross-zone (the
    /// listener's target group's setting, else the NLB's).
    pub fn pick(&self, eni: &FibEni, listener: &FibListener, hash: u64) -> Result<FlowPlan, DropReason> {
        let nlb = &self.nlbs[eni.nlb];
        let &(_, node) = nlb.nodes.iter().find(|(az, _)| *az == eni.az).ok_or(DropReason::NoTarget)?;
        let tg = &self.target_groups[listener.target_group];
        let want = if listener.cross_zone.unwrap_or(nlb.cross_zone) { None } else { Some(eni.az) };
        let scope = tg.scopes.iter().find(|s| s.az == want).ok_or(DropReason::NoTarget)?;
        let t = &tg.targets[scope.members[scope.table.lookup(hash)]];
        Ok(FlowPlan::Nat { vpc: nlb.vpc, nlb: node.into(), target: t.ip.into(), target_port: t.port })
    }

    /// Every NAT pool a new flow could take a port from: for each NLB node address, each
    /// listener protocol and each target of the listener's group (every node, as fail-open
    /// and cross-zone routing may send a zone's flows to any target).
    pub fn pool_keys(&self) -> HashSet<PoolKey> {
        let mut out = HashSet::new();
        for n in &self.nlbs {
            for l in &n.listeners {
                let protos = [(l.tcp, proto::TCP), (l.udp, proto::UDP)];
                for t in &self.target_groups[l.target_group].targets {
                    for (_, node) in &n.nodes {
                        for (_, p) in protos.iter().filter(|(on, _)| *on) {
                            out.insert(PoolKey {
                                vpc: n.vpc,
                                proto: *p,
                                nlb: u32::from(*node),
                                target: u32::from(t.ip),
                                target_port: t.port,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// The A records the resolver of VPC `vpc` has for `name` (any case, trailing dot ok).
    pub fn resolve(&self, vpc: u16, name: &str) -> Option<&[Ipv4Addr]> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.vpcs.get(usize::from(vpc))?.dns.get(&name).map(Vec::as_slice)
    }

    /// Zone name of a zone index.
    pub fn az_name(&self, az: u16) -> &str {
        self.azs.get(usize::from(az)).map_or("?", String::as_str)
    }
}

/// Builds a [`Fib`]; used by the control-state compiler and by tests.
#[derive(Debug, Default)]
pub struct FibBuilder {
    fib: Fib,
}

impl FibBuilder {
    /// An empty builder.
    pub fn new(generation: u64) -> Self {
        FibBuilder { fib: Fib { generation, ..Fib::default() } }
    }

    /// Interns a zone name.
    pub fn az(&mut self, name: &str) -> u16 {
        if let Some(i) = self.fib.azs.iter().position(|a| a == name) {
            return i as u16;
        }
        self.fib.azs.push(name.to_string());
        (self.fib.azs.len() - 1) as u16
    }

    /// Adds a VPC with a main route table holding its local route; returns its index.
    pub fn vpc(&mut self, id: &str, netns: &str, cidr: Ipv4Net) -> u16 {
        let mut main = RouteTable::new();
        main.insert(cidr, RouteTarget::Local);
        self.fib.vpcs.push(FibVpc {
            id: id.to_string(),
            netns: netns.to_string(),
            cidr: Some(cidr),
            subnets: Vec::new(),
            route_tables: vec![main],
            main_route_table: 0,
            is_aws_network: false,
            resolver: Some(u32::from(cidr.network()) + 2),
            dns: HashMap::new(),
        });
        (self.fib.vpcs.len() - 1) as u16
    }

    /// Adds an unused index (a freed VPC slot): no CIDR, so every packet on it is dropped.
    pub fn placeholder(&mut self) {
        self.fib.vpcs.push(FibVpc {
            id: String::new(),
            netns: String::new(),
            cidr: None,
            subnets: Vec::new(),
            route_tables: Vec::new(),
            main_route_table: 0,
            is_aws_network: false,
            resolver: None,
            dns: HashMap::new(),
        });
    }

    /// Adds the AWS-service network; returns its index.
    pub fn aws_network(&mut self, netns: &str) -> u16 {
        self.fib.vpcs.push(FibVpc {
            id: "aws".to_string(),
            netns: netns.to_string(),
            cidr: None,
            subnets: Vec::new(),
            route_tables: Vec::new(),
            main_route_table: 0,
            is_aws_network: true,
            resolver: None,
            dns: HashMap::new(),
        });
        let i = (self.fib.vpcs.len() - 1) as u16;
        self.fib.aws_network = Some(i);
        i
    }

    /// Adds a route table to `vpc` (with the local route); returns its position.
    pub fn route_table(&mut self, vpc: u16) -> usize {
        let v = &mut self.fib.vpcs[usize::from(vpc)];
        let mut t = RouteTable::new();
        if let Some(c) = v.cidr {
            t.insert(c, RouteTarget::Local);
        }
        v.route_tables.push(t);
        v.route_tables.len() - 1
    }

    /// Adds a route to table `rt` of `vpc`.
    pub fn route(&mut self, vpc: u16, rt: usize, prefix: Ipv4Net, target: RouteTarget) {
        self.fib.vpcs[usize::from(vpc)].route_tables[rt].insert(prefix, target);
    }

    /// Adds a subnet using route table `rt` (`None`: the main table).
    pub fn subnet(&mut self, vpc: u16, id: &str, cidr: Ipv4Net, az: &str, rt: Option<usize>) {
        let az = self.az(az);
        let v = &mut self.fib.vpcs[usize::from(vpc)];
        let route_table = rt.unwrap_or(v.main_route_table);
        v.subnets.push(FibSubnet { id: id.to_string(), cidr, az, route_table });
    }

    /// Adds a target group; targets' zones are given by name.
    pub fn target_group(&mut self, arn: &str, targets: &[(Ipv4Addr, u16, &str, bool)]) -> usize {
        let targets = targets
            .iter()
            .map(|&(ip, port, az, healthy)| FibTarget { ip, port, az: self.az(az), healthy, weight: 1 })
            .collect();
        self.fib.target_groups.push(FibTargetGroup { arn: arn.to_string(), targets, scopes: Vec::new() });
        self.fib.target_groups.len() - 1
    }

    /// Adds an NLB with one node per (zone name, address).
    pub fn nlb(&mut self, arn: &str, vpc: u16, nodes: &[(&str, Ipv4Addr)], cross_zone: bool) -> usize {
        let nodes: Vec<(u16, Ipv4Addr)> = nodes.iter().map(|&(az, ip)| (self.az(az), ip)).collect();
        for (_, ip) in &nodes {
            self.fib.nlb_by_addr.insert((vpc, u32::from(*ip)), self.fib.nlbs.len());
        }
        self.fib.nlbs.push(FibNlb { arn: arn.to_string(), vpc, nodes, cross_zone, listeners: Vec::new() });
        self.fib.nlbs.len() - 1
    }

    /// Adds a listener to an NLB.
    pub fn listener(&mut self, nlb: usize, listener: FibListener) {
        self.fib.nlbs[nlb].listeners.push(listener);
    }

    /// Adds an A record to the resolver of `vpc` (names are case-insensitive).
    pub fn dns_record(&mut self, vpc: u16, name: &str, ip: Ipv4Addr) {
        let ips = self.fib.vpcs[usize::from(vpc)]
            .dns
            .entry(name.trim_end_matches('.').to_ascii_lowercase())
            .or_default();
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }

    /// Adds an ENI of an interface endpoint.
    pub fn eni(&mut self, eni: FibEni) {
        self.fib.eni_by_addr.insert((eni.vpc, u32::from(eni.ip)), self.fib.enis.len());
        self.fib.enis.push(eni);
    }

    /// Builds the Maglev tables and returns the snapshot.
    pub fn build(mut self) -> Fib {
        for tg in &mut self.fib.target_groups {
            let mut zones: Vec<u16> = tg.targets.iter().map(|t| t.az).collect();
            zones.sort_unstable();
            zones.dedup();
            let scopes = std::iter::once(None).chain(zones.into_iter().map(Some));
            tg.scopes = scopes.filter_map(|az| build_scope(&tg.targets, az)).collect();
        }
        self.fib
    }
}

fn build_scope(targets: &[FibTarget], az: Option<u16>) -> Option<Scope> {
    let in_scope: Vec<usize> =
        (0..targets.len()).filter(|&i| az.is_none_or(|z| targets[i].az == z)).collect();
    let healthy: Vec<usize> = in_scope.iter().copied().filter(|&i| targets[i].healthy).collect();
    // Fail open: with no healthy target in scope, spread over every registered one.
    let members = if healthy.is_empty() { in_scope } else { healthy };
    let keys: Vec<(String, u32)> = members
        .iter()
        .map(|&i| (format!("{}:{}", targets[i].ip, targets[i].port), targets[i].weight))
        .collect();
    // No positive weight, or more targets than a table holds (the API caps a group far below
    // that): the scope has no table, and its flows drop as `no_target`.
    let table = Maglev::build(&keys, DEFAULT_TABLE_SIZE).ok()?;
    Some(Scope { az, members, table })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    fn provider(cross_zone: bool, health: [bool; 3]) -> (Fib, FibEni) {
        let mut b = FibBuilder::new(1);
        let c = b.vpc("vpc-c", "pl-c", "10.0.0.0/16".parse().unwrap());
        let p = b.vpc("vpc-p", "pl-p", "10.0.0.0/16".parse().unwrap());
        let tg = b.target_group(
            "tg",
            &[
                (ip("10.0.1.10"), 80, "us-east-1a", health[0]),
                (ip("10.0.1.11"), 80, "us-east-1a", health[1]),
                (ip("10.0.2.10"), 80, "us-east-1b", health[2]),
            ],
        );
        let nlb = b.nlb(
            "nlb",
            p,
            &[("us-east-1a", ip("10.0.1.100")), ("us-east-1b", ip("10.0.2.100"))],
            cross_zone,
        );
        b.listener(nlb, FibListener { tcp: true, udp: false, port: 80, target_group: tg, cross_zone: None });
        let eni = FibEni {
            endpoint_id: "vpce-1".into(),
            eni_id: "eni-1".into(),
            vpc: c,
            ip: ip("10.0.1.50"),
            az: b.az("us-east-1b"),
            state: EndpointState::Available,
            nlb,
            sg_rules: vec![],
        };
        b.eni(eni.clone());
        (b.build(), eni)
    }

    #[test]
    fn a_pool_is_used_while_its_node_listener_and_target_exist() {
        let (f, _) = provider(false, [true; 3]);
        let key =
            PoolKey { vpc: 1, proto: proto::TCP, nlb: 0x0a00_0164, target: 0x0a00_010a, target_port: 80 };
        let keys = f.pool_keys();
        assert!(keys.contains(&key));
        assert!(!keys.contains(&PoolKey { proto: proto::UDP, ..key }), "no UDP listener");
        assert!(!keys.contains(&PoolKey { target_port: 81, ..key }));
        assert!(!keys.contains(&PoolKey { target: 0x0a00_010b + 1, ..key }));
        assert!(!keys.contains(&PoolKey { nlb: 0x0a00_0165, ..key }));
        assert!(!keys.contains(&PoolKey { vpc: 0, ..key }));
    }

    fn targets_hit(fib: &Fib, eni: &FibEni) -> std::collections::BTreeSet<(u32, u32)> {
        let l = *fib.listener(eni.nlb, proto::TCP, 80).unwrap();
        (0..2000u64)
            .map(|h| match fib.pick(eni, &l, h.wrapping_mul(0x9e37_79b9_7f4a_7c15)).unwrap() {
                FlowPlan::Nat { nlb, target, .. } => (nlb, target),
                FlowPlan::Forward { .. } => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn cross_zone_off_keeps_the_enis_zone() {
        let (fib, eni) = provider(false, [true; 3]);
        let hit = targets_hit(&fib, &eni);
        assert_eq!(
            hit.into_iter().collect::<Vec<_>>(),
            vec![(ip("10.0.2.100").into(), ip("10.0.2.10").into())]
        );
    }

    #[test]
    fn cross_zone_on_spreads_over_all_zones_via_the_local_node() {
        let (fib, eni) = provider(true, [true; 3]);
        let hit = targets_hit(&fib, &eni);
        assert_eq!(hit.len(), 3);
        assert!(hit.iter().all(|(n, _)| *n == u32::from(ip("10.0.2.100"))));
    }

    #[test]
    fn a_target_groups_cross_zone_setting_overrides_the_nlbs() {
        for (nlb_setting, group, targets) in [(false, Some(true), 3), (true, Some(false), 1)] {
            let (mut fib, eni) = provider(nlb_setting, [true; 3]);
            fib.nlbs[eni.nlb].listeners[0].cross_zone = group;
            assert_eq!(targets_hit(&fib, &eni).len(), targets, "NLB {nlb_setting}, group {group:?}");
        }
    }

    #[test]
    fn only_healthy_targets_unless_none_is_healthy() {
        let (fib, eni) = provider(true, [false, true, false]);
        let hit = targets_hit(&fib, &eni);
        assert_eq!(hit.len(), 1);
        assert!(hit.iter().all(|(_, t)| *t == u32::from(ip("10.0.1.11"))));
        let (fib, eni) = provider(true, [false; 3]);
        assert_eq!(targets_hit(&fib, &eni).len(), 3, "fail open across all targets");
    }

    #[test]
    fn lookups_are_per_vpc() {
        let (fib, eni) = provider(false, [true; 3]);
        assert!(fib.eni(eni.vpc, ip("10.0.1.50").into()).is_some());
        assert!(fib.eni(1, ip("10.0.1.50").into()).is_none(), "same address in another VPC is not the ENI");
        assert!(fib.is_nlb_node(1, ip("10.0.1.100").into()));
        assert!(!fib.is_nlb_node(0, ip("10.0.1.100").into()));
        assert!(fib.listener(eni.nlb, proto::UDP, 80).is_none());
    }

    #[test]
    fn security_group_rules() {
        let r = SgRule {
            proto: Some(proto::TCP),
            from_port: 80,
            to_port: 90,
            cidr: "10.0.1.0/24".parse().unwrap(),
        };
        assert!(r.allows(proto::TCP, 85, ip("10.0.1.9")));
        assert!(!r.allows(proto::TCP, 91, ip("10.0.1.9")));
        assert!(!r.allows(proto::UDP, 85, ip("10.0.1.9")));
        assert!(!r.allows(proto::TCP, 85, ip("10.0.2.9")));
        let all = SgRule { proto: None, from_port: 0, to_port: 0, cidr: "0.0.0.0/0".parse().unwrap() };
        assert!(all.allows(proto::UDP, 53, ip("192.0.2.1")));
    }
}
