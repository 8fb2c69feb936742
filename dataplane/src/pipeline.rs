//! The per-packet decision: `process(fib, flows, ingress, frame, vnet, now) -> Verdict`, and
//! the same decision watched step by step without changing anything (`trace`).
//!
//! Contract:
//! - Pure: no syscalls, no clock reads, no allocation (the flow table allocates only when it
//!   grows); the frame is rewritten in place and keeps its length. Any input — garbage,
//!   truncated, hostile — yields a verdict, never a panic.
//! - `frame` begins with a 10-byte virtio-net header when `vnet` is true. The header is left
//!   as it is: a NAT rewrite changes no header length, so a GSO super-packet leaves whole with
//!   the same header; under `NEEDS_CSUM` the L4 checksum field (a partial pseudo-header sum)
//!   absorbs only the address changes.
//! - Packets for the fabric's own endpoints that match no flow become `Verdict::Local`: a TCP
//!   packet to an NLB node address on a health-check probe port ([`PROBE_PORTS`], below every
//!   NAT port) is a probe reply; UDP to the VPC resolver (VPC base + 2, port 53) a DNS query.
//! - An ICMP error quoting a packet of a flow is translated back to the flow's other side
//!   (see [`crate::icmp_error`]); one about no flow is dropped as `icmp`.
//! - [`process`] and [`trace`] run the same [`decide`]: `process` on the flow table itself
//!   (lookups refresh flows, misses create them), `trace` on a [`DryRun`] of it that changes
//!   nothing, watched by an [`Observer`] that sees every step. The packet path's observer is
//!   `()`, whose calls compile away.
//! - A [`Verdict::Local`] carries the [`Parsed`] packet, so the service that takes it reads
//!   the frame without parsing it again.
//! - Order of decisions for a packet without a flow: ingress known → not from the AWS-service
//!   network → source inside the ingress VPC (anti-spoofing) → destination is an ENI of the
//!   ingress VPC (endpoint state, listener, security groups, SYN, Maglev pick, NAT) → an NLB
//!   node (the provider cannot initiate) → the source subnet's route table (local: no host;
//!   blackhole; gateway endpoint: forward unchanged; none: no route).

use crate::fib::{EndpointState, Fib, FibEni, FibListener};
use crate::flow::{FlowPlan, FlowTable, Lookup, Rewrite};
use crate::icmp_error;
use crate::packet::{FlowKey, Icmp, Parsed};
use crate::route::RouteTarget;
use crate::verdict::{DropReason, LocalService, Verdict};
use crate::wire::icmp::{ECHO_REPLY, ECHO_REQUEST};
use crate::wire::l4::{CsumMode, tcp_flags};
use crate::wire::{IcmpV4Packet, Ipv4Packet, Ipv6Packet, TcpPacket, UdpPacket, VirtioNetHdr, proto, virtio};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Source ports of the fabric's health-check probes. NAT pools start at
/// [`crate::nat::PORT_MIN`], so a probe's reply tuple can never be a flow's.
pub const PROBE_PORTS: std::ops::RangeInclusive<u16> = 1000..=1023;

/// Which of the fabric's own endpoints `p` (which matched no flow) is for, if any: a reply to
/// a health-check probe, or a query to the VPC resolver.
fn local_service(fib: &Fib, p: &Parsed) -> Option<LocalService> {
    let k = &p.key;
    if k.proto == proto::TCP && PROBE_PORTS.contains(&k.dport) && fib.is_nlb_node(k.vpc, k.dst) {
        return Some(LocalService::HealthCheck);
    }
    let resolver = fib.vpcs.get(usize::from(k.vpc)).and_then(|v| v.resolver);
    (k.proto == proto::UDP && k.dport == 53 && resolver == Some(k.dst)).then_some(LocalService::Resolver)
}

/// Parses the frame into a flow key, or says why it is dropped.
#[inline]
pub fn parse(ingress: u16, frame: &[u8], vnet: bool) -> Result<Parsed, DropReason> {
    let at = if vnet {
        VirtioNetHdr::parse(frame).map_err(|_| DropReason::Malformed)?;
        virtio::LEN
    } else {
        0
    };
    let pkt = &frame[at..];
    match pkt.first().map(|b| b >> 4) {
        Some(4) => {}
        Some(6) => {
            Ipv6Packet::new_checked(pkt).map_err(|_| DropReason::Malformed)?;
            return Err(DropReason::Ipv6);
        }
        Some(_) => return Err(DropReason::NotIp),
        None => return Err(DropReason::Malformed),
    }
    let ip = Ipv4Packet::new_checked(pkt).map_err(|_| DropReason::Malformed)?;
    if ip.is_fragment() {
        return Err(DropReason::Fragment);
    }
    let mut key = FlowKey {
        vpc: ingress,
        proto: ip.protocol(),
        src: ip.src_u32(),
        dst: ip.dst_u32(),
        sport: 0,
        dport: 0,
    };
    let mut flags = 0;
    let mut icmp = Icmp::No;
    let l4 = at + ip.header_len();
    let header = match key.proto {
        proto::TCP => {
            let t = TcpPacket::new_checked(ip.payload()).map_err(|_| DropReason::Malformed)?;
            (key.sport, key.dport, flags) = (t.src_port(), t.dst_port(), t.flags());
            t.header_len()
        }
        proto::UDP => {
            let u = UdpPacket::new_checked(ip.payload()).map_err(|_| DropReason::Malformed)?;
            (key.sport, key.dport) = (u.src_port(), u.dst_port());
            8
        }
        proto::ICMP => {
            let m = IcmpV4Packet::new_checked(ip.payload()).map_err(|_| DropReason::Malformed)?;
            // Echo request and reply are keyed like a port pair so that the reply matches
            // the request's reverse key.
            icmp = match m.msg_type() {
                ECHO_REQUEST => {
                    key.sport = m.echo_ident();
                    Icmp::Echo
                }
                ECHO_REPLY => {
                    key.dport = m.echo_ident();
                    Icmp::Echo
                }
                t if icmp_error::is_error(t) => {
                    Icmp::Error(icmp_error::reply_key(ingress, ip.payload()).ok_or(DropReason::Icmp)?)
                }
                _ => return Err(DropReason::Icmp),
            };
            8
        }
        _ => return Err(DropReason::UnsupportedProtocol),
    };
    let end = (at + ip.header_len() + ip.payload().len()) as u32;
    Ok(Parsed { key, flags, icmp, payload: (l4 + header) as u32, end })
}

/// One step of a decision, as an [`Observer`] sees it.
#[derive(Clone, Copy, Debug)]
pub enum Step<'a> {
    /// What [`parse`] found.
    Parsed(&'a Parsed),
    /// A live flow matched (for an ICMP error: the flow it is about); it rewrites like this.
    Flow(Rewrite),
    /// No flow matched and the packet is for one of the fabric's own endpoints.
    Local(LocalService),
    /// No live flow matched: the packet is classified as a new flow.
    NoFlow,
    /// The destination is this ENI of the ingress VPC.
    Eni(&'a FibEni),
    /// The ENI's NLB listens on the destination protocol and port.
    Listener(&'a FibListener),
    /// The destination is an NLB node address of the ingress VPC.
    NlbNode,
    /// The route the source subnet's table chose (`None`: no route matched).
    Route(Option<(Ipv4Net, &'a RouteTarget)>),
    /// What a new flow becomes.
    Plan(FlowPlan),
}

/// Watches a decision step by step (traces). `()` watches nothing: the packet path passes it
/// and the calls compile away.
pub trait Observer {
    /// Called at every step, in order.
    fn step(&mut self, step: Step<'_>);
}

impl Observer for () {
    #[inline(always)]
    fn step(&mut self, _: Step<'_>) {}
}

/// How a decision uses the flow table: [`FlowTable`] itself on the packet path (a lookup
/// refreshes the flow it finds, a miss creates one), [`DryRun`] for traces (changes nothing).
pub trait FlowAccess {
    /// The flow of a packet with key `k`, TCP flags `flags` and `len` bytes (counted).
    fn lookup(&self, k: &FlowKey, flags: u8, len: u32, now_ms: u64) -> Lookup;
    /// The flow `k` names, untouched (ICMP errors about a flow).
    fn peek(&self, k: &FlowKey, now_ms: u64) -> Option<Rewrite>;
    /// A new flow for the initiator's key `fwd`, its first packet `len` bytes.
    fn create(
        &self,
        fwd: &FlowKey,
        plan: FlowPlan,
        flags: u8,
        len: u32,
        now_ms: u64,
    ) -> Result<Rewrite, DropReason>;
}

impl FlowAccess for FlowTable {
    #[inline]
    fn lookup(&self, k: &FlowKey, flags: u8, len: u32, now_ms: u64) -> Lookup {
        FlowTable::lookup(self, k, flags, len, now_ms)
    }

    #[inline]
    fn peek(&self, k: &FlowKey, now_ms: u64) -> Option<Rewrite> {
        FlowTable::peek(self, k, 0, now_ms)
    }

    #[inline]
    fn create(
        &self,
        fwd: &FlowKey,
        plan: FlowPlan,
        flags: u8,
        len: u32,
        now_ms: u64,
    ) -> Result<Rewrite, DropReason> {
        self.insert(fwd, plan, flags, len, now_ms)
    }
}

/// A flow table seen by a trace: every answer is what the table would give, nothing changes
/// (a new NAT flow's port is not chosen; see [`FlowTable::admit`]).
pub struct DryRun<'a>(pub &'a FlowTable);

impl FlowAccess for DryRun<'_> {
    fn lookup(&self, k: &FlowKey, flags: u8, _len: u32, now_ms: u64) -> Lookup {
        self.0.peek(k, flags, now_ms).map_or(Lookup::Miss, Lookup::Hit)
    }

    fn peek(&self, k: &FlowKey, now_ms: u64) -> Option<Rewrite> {
        self.0.peek(k, 0, now_ms)
    }

    fn create(
        &self,
        fwd: &FlowKey,
        plan: FlowPlan,
        _flags: u8,
        _len: u32,
        now_ms: u64,
    ) -> Result<Rewrite, DropReason> {
        self.0.admit(fwd, plan, now_ms)
    }
}

/// Decides what a packet without a flow should become (no side effects).
fn classify(fib: &Fib, p: &Parsed, obs: &mut impl Observer) -> Result<FlowPlan, DropReason> {
    let k = &p.key;
    let vpc = fib.vpcs.get(usize::from(k.vpc)).ok_or(DropReason::UnknownIngress)?;
    if vpc.is_aws_network {
        return Err(DropReason::UnsolicitedFromService);
    }
    let src = Ipv4Addr::from(k.src);
    if !vpc.cidr.is_some_and(|c| c.contains(&src)) {
        return Err(DropReason::SpoofedSource);
    }
    let opens = p.icmp == Icmp::Echo
        || k.proto != proto::TCP
        || p.flags & (tcp_flags::SYN | tcp_flags::ACK | tcp_flags::RST) == tcp_flags::SYN;
    if let Some(eni) = fib.eni(k.vpc, k.dst) {
        obs.step(Step::Eni(eni));
        match eni.state {
            EndpointState::Available => {}
            EndpointState::PendingAcceptance => return Err(DropReason::EndpointPendingAcceptance),
            EndpointState::Rejected => return Err(DropReason::EndpointRejected),
            EndpointState::Unavailable => return Err(DropReason::EndpointNotAvailable),
        }
        if p.icmp != Icmp::No {
            return Err(DropReason::Icmp);
        }
        let listener = fib.listener(eni.nlb, k.proto, k.dport).ok_or(DropReason::NoListener)?;
        obs.step(Step::Listener(listener));
        if !eni.admits(k.proto, k.dport, src) {
            return Err(DropReason::SecurityGroupDenied);
        }
        if !opens {
            return Err(DropReason::TcpNoFlow);
        }
        return fib.pick(eni, listener, k.hash64());
    }
    if fib.is_nlb_node(k.vpc, k.dst) {
        obs.step(Step::NlbNode);
        return Err(DropReason::ProviderInitiated);
    }
    let table = fib.route_table_for(k.vpc, src).ok_or(DropReason::NoRoute)?;
    let route = table.lookup(Ipv4Addr::from(k.dst));
    obs.step(Step::Route(route));
    match route.map(|(_, t)| t) {
        None => Err(DropReason::NoRoute),
        Some(RouteTarget::Local) => Err(DropReason::NoHost),
        Some(RouteTarget::Blackhole) => Err(DropReason::Blackhole),
        Some(RouteTarget::GatewayEndpoint { .. }) => {
            let aws = fib.aws_network.ok_or(DropReason::NoRoute)?;
            if !opens {
                return Err(DropReason::TcpNoFlow);
            }
            Ok(FlowPlan::Forward { vpc: aws })
        }
    }
}

/// What to do with a frame that passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Rewrite like this and forward.
    Rewrite(Rewrite),
    /// An ICMP error about a flow: translate it with the flow's rewrite and forward.
    IcmpError(Rewrite),
    /// For one of the fabric's own endpoints.
    Local(LocalService, Parsed),
}

impl Decision {
    /// The verdict on a frame of `len` bytes decided like `d`.
    #[inline]
    pub fn verdict(d: Result<Decision, DropReason>, len: usize) -> Verdict {
        match d {
            Ok(Decision::Rewrite(rw) | Decision::IcmpError(rw)) => {
                Verdict::Forward { egress: rw.egress, len }
            }
            Ok(Decision::Local(service, packet)) => Verdict::Local { len, service, packet },
            Err(r) => Verdict::Drop(r),
        }
    }
}

/// The decision on one frame (see the module doc), the frame untouched.
#[inline]
pub fn decide(
    fib: &Fib,
    flows: &impl FlowAccess,
    ingress: u16,
    frame: &[u8],
    vnet: bool,
    now_ms: u64,
    obs: &mut impl Observer,
) -> Result<Decision, DropReason> {
    if usize::from(ingress) >= fib.vpcs.len() {
        return Err(DropReason::UnknownIngress);
    }
    let p = parse(ingress, frame, vnet)?;
    obs.step(Step::Parsed(&p));
    if let Icmp::Error(about) = p.icmp {
        let rw = flows.peek(&about, now_ms).ok_or(DropReason::Icmp)?;
        obs.step(Step::Flow(rw));
        return Ok(Decision::IcmpError(rw));
    }
    // The IP packet's length, as the flow counts it.
    let len = p.end - if vnet { virtio::LEN as u32 } else { 0 };
    match flows.lookup(&p.key, p.flags, len, now_ms) {
        Lookup::Hit(rw) => {
            obs.step(Step::Flow(rw));
            Ok(Decision::Rewrite(rw))
        }
        Lookup::Miss => {
            if let Some(service) = local_service(fib, &p) {
                obs.step(Step::Local(service));
                return Ok(Decision::Local(service, p));
            }
            obs.step(Step::NoFlow);
            let plan = classify(fib, &p, obs)?;
            obs.step(Step::Plan(plan));
            flows.create(&p.key, plan, p.flags, len, now_ms).map(Decision::Rewrite)
        }
    }
}

/// Runs the whole pipeline on one frame; see the module doc.
#[inline]
pub fn process(
    fib: &Fib,
    flows: &FlowTable,
    ingress: u16,
    frame: &mut [u8],
    vnet: bool,
    now_ms: u64,
) -> Verdict {
    let d = decide(fib, flows, ingress, frame, vnet, now_ms, &mut ());
    match d {
        Ok(Decision::Rewrite(rw)) => rewrite(frame, vnet, &rw),
        Ok(Decision::IcmpError(rw)) => {
            icmp_error::rewrite(if vnet { &mut frame[virtio::LEN..] } else { frame }, &rw)
        }
        Ok(Decision::Local(..)) | Err(_) => {}
    }
    Decision::verdict(d, frame.len())
}

/// The decision [`process`] would make on `frame`, made without changing the frame or the
/// flow table, every step shown to `obs`.
pub fn trace(
    fib: &Fib,
    flows: &FlowTable,
    ingress: u16,
    frame: &[u8],
    vnet: bool,
    now_ms: u64,
    obs: &mut impl Observer,
) -> Result<Decision, DropReason> {
    decide(fib, &DryRun(flows), ingress, frame, vnet, now_ms, obs)
}

/// Applies `rw` to a frame that [`parse`] accepted (the L4 views are re-checked: cheap, and
/// it keeps this function panic-free on its own).
#[inline]
fn rewrite(frame: &mut [u8], vnet: bool, rw: &Rewrite) {
    let (mode, pkt) = if vnet {
        let partial = frame[0] & virtio::F_NEEDS_CSUM != 0;
        (if partial { CsumMode::Partial } else { CsumMode::Full }, &mut frame[virtio::LEN..])
    } else {
        (CsumMode::Full, frame)
    };
    // `parse` validated the IPv4 header (checksum included) in this same pass.
    let mut ip = Ipv4Packet::new_unchecked(pkt);
    let proto_ = ip.protocol();
    let delta = ip.set_addrs(rw.src, rw.dst);
    let l4 = ip.payload_mut();
    match proto_ {
        proto::TCP => {
            if let Ok(mut t) = TcpPacket::new_checked(l4) {
                t.set_ports(rw.sport, rw.dport, delta, mode);
            }
        }
        proto::UDP => {
            if let Ok(mut u) = UdpPacket::new_checked(l4) {
                u.set_ports(rw.sport, rw.dport, delta, mode);
            }
        }
        // ICMP echo only crosses gateway endpoints, which translate nothing; the ICMP checksum
        // has no pseudo-header.
        _ => {}
    }
}
