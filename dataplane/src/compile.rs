//! Compiles control-plane [`State`] into a forwarding snapshot ([`Fib`]).
//!
//! Contract:
//! - Pure: the same state and slots give the same `Fib`.
//! - VPC indices are *slots* that stay fixed for a VPC's whole life ([`VpcSlots`]): flows
//!   store ingress/egress indices, so an index must never start meaning another VPC while
//!   flows with it may exist. Slot 0 is always the AWS-service network. A freed slot is
//!   quarantined until every worker runs a snapshot at least as new as the one that freed it
//!   ([`VpcSlots::release`]); only then can no worker add a flow with it, and only then is it
//!   purged and handed out again. Unused slots compile to placeholder entries that accept
//!   nothing.
//! - What forwards: interface endpoints in every state (the pipeline drops non-`available`
//!   ones with their own reason), gateway-endpoint routes (prefix lists expanded), blackhole
//!   routes, NLB nodes, listeners and targets (health as stored; a target not yet checked
//!   counts as healthy), security-group ingress rules of each endpoint's groups, and the VPC
//!   resolvers' records (endpoint DNS names, private DNS names, the gateway services' names;
//!   none in a VPC whose `enableDnsSupport` is off).
//! - What the health checker checks ([`health_checks`]): every registered target of a group
//!   whose VPC has a slot, with its health as stored, the NLB node its probes start from, its
//!   probe port and its group's interval, timeout and thresholds — so the machine in
//!   [`crate::health`] never sees the control plane's model.

use crate::fib::{EndpointState, Fib, FibBuilder, FibEni, FibListener, SgRule};
use crate::health::{self, CheckedTarget, TargetKey};
use crate::route::RouteTarget;
use hashbrown::HashMap;
use privlink_control::model::{
    self, Destination, ElbProtocol, EndpointType, SgProtocol, State, TargetGroup, TargetHealth,
};
use std::net::Ipv4Addr;

/// Slot of the AWS-service network.
pub const AWS_SLOT: u16 = 0;

/// Stable VPC id → index assignment.
#[derive(Debug, Default, Clone)]
pub struct VpcSlots {
    by_id: HashMap<String, u16>,
    /// Slots that may be handed out.
    free: Vec<u16>,
    /// Freed slots with the generation of the snapshot that freed them.
    quarantined: Vec<(u16, u64)>,
    next: u16,
}

impl VpcSlots {
    /// Slots for a fresh daemon (slot 0 reserved for the AWS-service network).
    pub fn new() -> Self {
        VpcSlots { by_id: HashMap::new(), free: Vec::new(), quarantined: Vec::new(), next: AWS_SLOT + 1 }
    }

    /// The slot of `vpc_id`, if it has one.
    pub fn get(&self, vpc_id: &str) -> Option<u16> {
        self.by_id.get(vpc_id).copied()
    }

    /// Makes the quarantined slots reusable whose freeing snapshot is no newer than
    /// `oldest_in_use`, the oldest snapshot generation a worker may still forward with.
    /// Returns them: the caller purges their flows before the next [`sync`](Self::sync) can
    /// hand them out.
    pub fn release(&mut self, oldest_in_use: u64) -> Vec<u16> {
        let (done, wait): (Vec<_>, Vec<_>) = self.quarantined.iter().partition(|(_, g)| *g <= oldest_in_use);
        self.quarantined = wait;
        let released: Vec<u16> = done.into_iter().map(|(s, _)| s).collect();
        self.free.extend(&released);
        released
    }

    /// Gives every VPC of `state` a slot for the snapshot of `generation`, and frees the slots
    /// of VPCs that are gone into quarantine. Returns the freed slots.
    pub fn sync(&mut self, state: &State, generation: u64) -> Vec<u16> {
        let gone: Vec<String> =
            self.by_id.keys().filter(|id| !state.vpcs.contains_key(*id)).cloned().collect();
        let mut freed = Vec::new();
        for id in gone {
            if let Some(s) = self.by_id.remove(&id) {
                freed.push(s);
            }
        }
        for id in state.vpcs.keys() {
            if !self.by_id.contains_key(id) {
                let s = self.free.pop().unwrap_or_else(|| {
                    self.next += 1;
                    self.next - 1
                });
                self.by_id.insert(id.clone(), s);
            }
        }
        self.quarantined.extend(freed.iter().map(|&s| (s, generation)));
        freed
    }

    /// Highest slot in use plus one.
    pub fn len(&self) -> usize {
        usize::from(self.by_id.values().copied().max().unwrap_or(AWS_SLOT)) + 1
    }

    /// True if no VPC has a slot.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

fn sg_rule(r: &model::SgRule) -> SgRule {
    let ports = |v: i32| u16::try_from(v).ok();
    let (from_port, to_port) = match (r.protocol, ports(r.from_port), ports(r.to_port)) {
        (SgProtocol::Tcp | SgProtocol::Udp, Some(a), Some(b)) => (a, b),
        _ => (0, u16::MAX),
    };
    SgRule { proto: r.protocol.number(), from_port, to_port, cidr: r.cidr }
}

fn endpoint_state(s: model::EndpointState) -> EndpointState {
    match s {
        model::EndpointState::Available => EndpointState::Available,
        model::EndpointState::PendingAcceptance => EndpointState::PendingAcceptance,
        model::EndpointState::Rejected => EndpointState::Rejected,
    }
}

/// Builds the snapshot for `state`; `slots` must have been synced with it.
pub fn compile(state: &State, slots: &VpcSlots, aws_netns: &str, generation: u64) -> Fib {
    let mut b = FibBuilder::new(generation);
    let mut by_slot: Vec<Option<&model::Vpc>> = vec![None; slots.len()];
    for v in state.vpcs.values() {
        if let Some(s) = slots.get(&v.id) {
            by_slot[usize::from(s)] = Some(v);
        }
    }
    for (slot, v) in by_slot.iter().enumerate() {
        match v {
            _ if slot == usize::from(AWS_SLOT) => {
                b.aws_network(aws_netns);
            }
            None => b.placeholder(),
            Some(v) => add_vpc(&mut b, state, v),
        }
    }
    let slot = |vpc_id: &str| slots.get(vpc_id);

    let mut tg_index = HashMap::new();
    for tg in state.target_groups.values() {
        if slot(&tg.vpc_id).is_none() {
            continue;
        }
        let subnets: Vec<_> = state.subnets.values().filter(|s| s.vpc_id == tg.vpc_id).collect();
        let zone =
            |ip: Ipv4Addr| subnets.iter().find(|s| s.cidr.contains(&ip)).map_or("?", |s| s.az.as_str());
        let targets: Vec<(Ipv4Addr, u16, &str, bool)> = tg
            .targets
            .iter()
            .map(|t| (t.ip, t.port, zone(t.ip), t.health != TargetHealth::Unhealthy))
            .collect();
        tg_index.insert(tg.arn.as_str(), b.target_group(&tg.arn, &targets));
    }

    let mut nlb_index = HashMap::new();
    for lb in state.load_balancers.values() {
        let Some(vpc) = slot(&lb.vpc_id) else { continue };
        let nodes: Vec<(&str, Ipv4Addr)> = lb.nodes.iter().map(|n| (n.az.as_str(), n.ip)).collect();
        nlb_index.insert(lb.arn.as_str(), b.nlb(&lb.arn, vpc, &nodes, lb.cross_zone));
    }
    for l in state.listeners.values() {
        let (Some(&nlb), Some(&tg)) =
            (nlb_index.get(l.load_balancer_arn.as_str()), tg_index.get(l.default_target_group_arn.as_str()))
        else {
            continue;
        };
        let (tcp, udp) = match l.protocol {
            ElbProtocol::Tcp => (true, false),
            ElbProtocol::Udp => (false, true),
            ElbProtocol::TcpUdp => (true, true),
        };
        let cross_zone = state.target_groups.get(&l.default_target_group_arn).and_then(|t| t.cross_zone);
        b.listener(nlb, FibListener { tcp, udp, port: l.port, target_group: tg, cross_zone });
    }

    for ep in state.vpc_endpoints.values().filter(|e| e.endpoint_type == EndpointType::Interface) {
        let Some(vpc) = slot(&ep.vpc_id) else { continue };
        let Some(nlb) = ep
            .service_id
            .as_ref()
            .and_then(|id| state.endpoint_services.get(id))
            .and_then(|svc| svc.network_load_balancer_arns.first())
            .and_then(|arn| nlb_index.get(arn.as_str()).copied())
        else {
            continue;
        };
        let sg_rules: Vec<SgRule> = ep
            .security_group_ids
            .iter()
            .filter_map(|id| state.security_groups.get(id))
            .flat_map(|g| g.ingress.iter().map(sg_rule))
            .collect();
        for eni in &ep.network_interfaces {
            let az = b.az(&eni.az);
            b.eni(FibEni {
                endpoint_id: ep.id.clone(),
                eni_id: eni.id.clone(),
                vpc,
                ip: eni.ip,
                az,
                state: endpoint_state(ep.state),
                nlb,
                sg_rules: sg_rules.clone(),
            });
        }
        if state.vpcs.get(&ep.vpc_id).is_some_and(|v| v.attributes.enable_dns_support) {
            add_endpoint_names(&mut b, state, vpc, ep);
        }
    }
    b.build()
}

/// The resolver records of an interface endpoint in its VPC: the regional name (every ENI),
/// the zonal names (the ENI of that zone) and, with private DNS on, the service's private DNS
/// name (every ENI).
fn add_endpoint_names(b: &mut FibBuilder, state: &State, vpc: u16, ep: &model::VpcEndpoint) {
    let enis = &ep.network_interfaces;
    for entry in &ep.dns_entries {
        for eni in enis.iter().filter(|e| entry.zone.as_ref().is_none_or(|z| *z == e.az)) {
            b.dns_record(vpc, &entry.dns_name, eni.ip);
        }
    }
    let private = ep.service_id.as_ref().and_then(|id| state.endpoint_services.get(id));
    if let Some(name) =
        private.and_then(|svc| svc.private_dns_name.as_ref()).filter(|_| ep.private_dns_enabled)
    {
        for eni in enis {
            b.dns_record(vpc, name, eni.ip);
        }
    }
}

/// The address of the stand-in service of a prefix-list CIDR: its `.10` host.
pub fn stand_in_address(cidr: &ipnet::Ipv4Net) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(cidr.network()) + 10)
}

/// Public names of the managed gateway services, answered in every VPC with their stand-in
/// addresses in the AWS-service network (`com.amazonaws.us-east-1.s3` → `s3.us-east-1.amazonaws.com`
/// → the `.10` host of 198.51.100.0/24).
fn add_service_names(b: &mut FibBuilder, state: &State, vpc: u16) {
    for pl in state.prefix_lists.values() {
        let (Some(service), Some(cidr)) = (pl.name.rsplit('.').next(), pl.cidrs.first()) else { continue };
        b.dns_record(vpc, &format!("{service}.{}.amazonaws.com", state.region), stand_in_address(cidr));
    }
}

fn add_vpc(b: &mut FibBuilder, state: &State, v: &model::Vpc) {
    let i = b.vpc(&v.id, &v.netns, v.cidr);
    if v.attributes.enable_dns_support {
        add_service_names(b, state, i);
    }
    // The builder's table 0 is the main table; other tables follow in id order.
    let mut tables: Vec<&model::RouteTable> =
        state.route_tables.values().filter(|t| t.vpc_id == v.id).collect();
    tables.sort_by_key(|t| !t.main);
    let mut position = HashMap::new();
    for (n, t) in tables.iter().enumerate() {
        let at = if n == 0 { 0 } else { b.route_table(i) };
        position.insert(t.id.as_str(), at);
        for r in &t.routes {
            let target = match &r.target {
                model::RouteTarget::Local => RouteTarget::Local,
                model::RouteTarget::Blackhole => RouteTarget::Blackhole,
                model::RouteTarget::VpcEndpoint(id) => {
                    RouteTarget::GatewayEndpoint { endpoint_id: id.clone() }
                }
            };
            match &r.destination {
                Destination::Cidr(c) => b.route(i, at, *c, target),
                Destination::PrefixList(pl) => {
                    for c in state.prefix_lists.get(pl).map(|p| p.cidrs.as_slice()).unwrap_or(&[]) {
                        b.route(i, at, *c, target.clone());
                    }
                }
            }
        }
    }
    for s in state.subnets.values().filter(|s| s.vpc_id == v.id) {
        let rt = tables
            .iter()
            .find(|t| t.associations.iter().any(|a| a.subnet_id == s.id))
            .and_then(|t| position.get(t.id.as_str()).copied());
        b.subnet(i, &s.id, s.cidr, &s.az, rt);
    }
}

fn target_health(h: TargetHealth) -> health::TargetHealth {
    match h {
        TargetHealth::Initial => health::TargetHealth::Initial,
        TargetHealth::Healthy => health::TargetHealth::Healthy,
        TargetHealth::Unhealthy => health::TargetHealth::Unhealthy,
        TargetHealth::Unused => health::TargetHealth::Unused,
    }
}

/// The targets of `state` to check, with their provider VPC's slot (targets of a VPC without a
/// slot are left out: there is no device to probe through). Interval and timeout are at
/// least one second (the API enforces far more).
pub fn health_checks(state: &State, slots: &VpcSlots) -> Vec<CheckedTarget> {
    let mut out = Vec::new();
    for tg in state.target_groups.values() {
        let Some(vpc) = slots.get(&tg.vpc_id) else { continue };
        let hc = &tg.health_check;
        for t in &tg.targets {
            out.push(CheckedTarget {
                key: TargetKey { tg: tg.arn.clone(), ip: t.ip, port: t.port },
                health: target_health(t.health),
                source: probe_source(state, tg, t.ip).map(u32::from),
                vpc,
                probe_port: hc.port.for_target(t.port),
                interval_ms: u64::from(hc.interval_seconds.max(1)) * 1000,
                timeout_ms: u64::from(hc.timeout_seconds.max(1)) * 1000,
                healthy_threshold: hc.healthy_threshold,
                unhealthy_threshold: hc.unhealthy_threshold,
            });
        }
    }
    out
}

/// The NLB node a probe to `ip` in target group `tg` starts from: the node in the target's
/// zone, else the first node of the first NLB whose listener uses the group. `None`: unused.
fn probe_source(state: &State, tg: &TargetGroup, ip: Ipv4Addr) -> Option<Ipv4Addr> {
    let zone = state.subnets.values().find(|s| s.vpc_id == tg.vpc_id && s.cidr.contains(&ip)).map(|s| &s.az);
    let nodes: Vec<_> = state
        .listeners
        .values()
        .filter(|l| l.default_target_group_arn == tg.arn)
        .filter_map(|l| state.load_balancers.get(&l.load_balancer_arn))
        .flat_map(|lb| lb.nodes.iter())
        .collect();
    nodes.iter().find(|n| Some(&n.az) == zone).or(nodes.first()).map(|n| n.ip)
}
