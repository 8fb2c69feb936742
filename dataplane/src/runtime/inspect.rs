//! Read-only views of the running data plane, answered through the control socket:
//! `GetStats` (merged worker counters), `DescribeFlows` (the flow table) and `Trace` (runs
//! the packet path's own decision, dry, on a synthetic packet and explains the decision,
//! katran's "where would this flow go?" without sending anything).
//!
//! Contract: nothing here changes a flow, a counter or the FIB. Output field names are
//! PascalCase like the rest of the API, and stable (scripts and tests read them). The
//! [`Inspector`] reads only the published snapshot and shared counters, so the controller
//! calls it without its writer mutex, alongside a fabric `apply`.

use super::Dataplane;
use super::io::{Backend, Offloads};
use crate::fib::Fib;
use crate::flow::{EndReason, FlowPlan, Rewrite};
use crate::packet::FlowKey;
use crate::pipeline::{self, Decision, Observer, Step};
use crate::route::RouteTarget;
use crate::verdict::{DropReason, LocalService};
use crate::wire::proto;
use crate::wire::synth::Synth;
use privlink_control::api::{Params, Request};
use privlink_control::{ApiError, Inspect};
use serde_json::{Map, Value, json};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// privlinkd's [`Inspect`]: `GetStats`, `DescribeFlows` and `Trace`.
pub struct Inspector {
    dp: Arc<Dataplane>,
    offloads: Offloads,
    io: Backend,
}

impl Inspector {
    pub fn new(dp: Arc<Dataplane>, offloads: Offloads, io: Backend) -> Inspector {
        Inspector { dp, offloads, io }
    }
}

impl Inspect for Inspector {
    fn query(&self, req: &Request) -> Option<Result<Value, ApiError>> {
        let snap = self.dp.snapshot();
        match req.action.as_str() {
            "GetStats" => Some(Ok(stats(&self.dp, self.offloads, self.io))),
            "DescribeFlows" => Some(flows(&self.dp, &snap.fib, req)),
            "Trace" => Some(trace(&self.dp, &snap.fib, req)),
            _ => None,
        }
    }
}

/// Kernel-side counters of every VPC device: what each namespace sent to the fabric, what the
/// fabric delivered, and what the kernel dropped because privlinkd's queue was full (the one
/// loss privlinkd's own counters cannot see: the device's, plus the packet sockets' own).
fn devices(dp: &Dataplane) -> Vec<Value> {
    let snap = dp.snapshot();
    snap.devices
        .iter()
        .flatten()
        .map(|d| match d.link.read() {
            Ok(l) => json!({
                "VpcId": d.vpc_id, "Netns": d.netns, "ToFabricPackets": l.tx_packets,
                "FromFabricPackets": l.rx_packets, "QueueDrops": l.tx_dropped + d.port.socket_drops(),
            }),
            Err(e) => json!({"VpcId": d.vpc_id, "Netns": d.netns, "Error": e.to_string()}),
        })
        .collect()
}

/// `GetStats`.
pub fn stats(dp: &Dataplane, offloads: Offloads, io: Backend) -> Value {
    let t = dp.totals();
    let drops: Map<String, Value> =
        DropReason::ALL.iter().map(|r| (r.name().to_string(), json!(t.dropped(*r)))).collect();
    json!({"Stats": {
        "Forwarded": t.forwarded,
        "ForwardedBytes": t.forwarded_bytes,
        "Dropped": t.drops.iter().sum::<u64>(),
        "Drops": drops,
        "HealthCheckReplies": t.health_replies,
        "DnsQueries": t.dns_queries,
        "RxErrors": t.rx_errors,
        "TxErrors": t.tx_errors,
        "ActiveFlows": dp.flows().len(),
        "FlowsCreated": dp.flows().created(),
        "FlowsEnded": EndReason::ALL.iter().map(|r| (r.as_str().to_string(), json!(dp.ended().count(*r)))).collect::<Map<_, _>>(),
        "Workers": dp.workers(),
        "Io": io.as_str(),
        "Offloads": offloads.to_string(),
        "FibGeneration": dp.snapshot().fib.generation,
        "Devices": devices(dp),
    }})
}

fn vpc_name(fib: &Fib, slot: u16) -> String {
    fib.vpcs.get(usize::from(slot)).map_or_else(|| format!("#{slot}"), |v| v.id.clone())
}

fn proto_name(p: u8) -> &'static str {
    match p {
        proto::TCP => "tcp",
        proto::UDP => "udp",
        proto::ICMP => "icmp",
        _ => "other",
    }
}

fn endpoint(addr: u32, port: u16) -> String {
    format!("{}:{port}", Ipv4Addr::from(addr))
}

/// `DescribeFlows` (`MaxResults`, default 1000).
pub fn flows(dp: &Dataplane, fib: &Fib, req: &Request) -> Result<Value, ApiError> {
    let max = req.int_opt("MaxResults", 1..=i64::from(u32::MAX))?.map_or(1000, |n| n as usize);
    let list: Vec<Value> = dp
        .flows()
        .snapshot(dp.now_ms(), max)
        .into_iter()
        .map(|f| {
            let out = Rewrite::towards(&f.rev);
            json!({
                "Protocol": proto_name(f.fwd.proto),
                "Kind": if f.nat { "interface-endpoint" } else { "gateway-endpoint" },
                "State": f.state,
                "IdleMs": f.idle_ms,
                "IngressVpcId": vpc_name(fib, f.fwd.vpc),
                "Source": endpoint(f.fwd.src, f.fwd.sport),
                "Destination": endpoint(f.fwd.dst, f.fwd.dport),
                "EgressVpcId": vpc_name(fib, out.egress),
                "TranslatedSource": endpoint(out.src, out.sport),
                "TranslatedDestination": endpoint(out.dst, out.dport),
                "Packets": f.packets[0], "Bytes": f.bytes[0],
                "ReplyPackets": f.packets[1], "ReplyBytes": f.bytes[1],
            })
        })
        .collect();
    Ok(json!({"Flows": list, "ActiveFlows": dp.flows().len()}))
}

/// An IPv4 address parameter as the pipeline takes it.
fn addr_param(req: &Request, name: &str) -> Result<u32, ApiError> {
    req.ip_opt(name)?.map(u32::from).ok_or_else(|| ApiError::missing(name))
}

/// A port parameter, 0 when absent (ports 0 are allowed: the trace's packet is synthetic).
fn port_param(req: &Request, name: &str) -> Result<u16, ApiError> {
    Ok(req.int_opt(name, 0..=65535)?.map_or(0, |p| p as u16))
}

/// Turns each step of a traced decision into a line of text.
struct Explain<'a> {
    fib: &'a Fib,
    /// The traced packet's key (known after the first step).
    key: Option<FlowKey>,
    steps: Vec<String>,
}

impl Observer for Explain<'_> {
    fn step(&mut self, step: Step<'_>) {
        let fib = self.fib;
        let line = match step {
            Step::Parsed(p) => {
                let k = &p.key;
                self.key = Some(*k);
                format!(
                    "packet {} {} -> {}",
                    proto_name(k.proto),
                    endpoint(k.src, k.sport),
                    endpoint(k.dst, k.dport)
                )
            }
            Step::Flow(_) => "matches an existing flow".into(),
            Step::Local(LocalService::Resolver) => {
                "for the VPC resolver (VPC base + 2, UDP 53): answered by the fabric".into()
            }
            Step::Local(LocalService::HealthCheck) => {
                "a reply to one of the fabric's health-check probes (to an NLB node, probe port)".into()
            }
            Step::NoFlow => "no existing flow: classify as a new flow".into(),
            Step::Eni(eni) => format!(
                "destination is {} of interface endpoint {} in {} (connection {:?})",
                eni.eni_id,
                eni.endpoint_id,
                fib.az_name(eni.az),
                eni.state
            ),
            Step::Listener(l) => format!("NLB listener on port {}", l.port),
            Step::NlbNode => "destination is an NLB node address (reachable only as a reply)".into(),
            Step::Route(route) => {
                let subnet = self
                    .key
                    .and_then(|k| fib.subnet_of(k.vpc, Ipv4Addr::from(k.src)))
                    .map_or("no subnet (main route table)".to_string(), |s| s.id.clone());
                match route {
                    Some((prefix, target)) => {
                        let what = match target {
                            RouteTarget::Local => "local".to_string(),
                            RouteTarget::Blackhole => "blackhole".to_string(),
                            RouteTarget::GatewayEndpoint { endpoint_id } => {
                                format!("gateway endpoint {endpoint_id}")
                            }
                        };
                        format!("route table of {subnet}: {prefix} -> {what} (longest prefix match)")
                    }
                    None => format!("route table of {subnet}: no matching route"),
                }
            }
            Step::Plan(FlowPlan::Nat { nlb, target, target_port, .. }) => format!(
                "Maglev pick: NLB node {} -> target {}; an SNAT port is taken from the node's pool when the flow is created",
                Ipv4Addr::from(nlb),
                endpoint(target, target_port)
            ),
            Step::Plan(FlowPlan::Forward { .. }) => {
                "forwarded unchanged (no NAT) into the AWS-service network".into()
            }
        };
        self.steps.push(line);
    }
}

/// `Trace`: `VpcId`, `Protocol` (tcp|udp|icmp), `Source`, `Destination`,
/// `SourcePort`, `DestinationPort`. The packet goes through [`pipeline::trace`], the packet
/// path's own decision run dry.
pub fn trace(dp: &Dataplane, fib: &Fib, req: &Request) -> Result<Value, ApiError> {
    // The controller has already resolved a Name tag to the VPC id; its slot is its position
    // in the published FIB (a VPC created a moment ago may not be published yet).
    let vpc_id = req.str("VpcId")?;
    let slot = fib.vpcs.iter().position(|v| v.id == vpc_id).and_then(|s| u16::try_from(s).ok()).ok_or_else(
        || ApiError::new("InvalidVpcID.NotFound", format!("The vpc ID '{vpc_id}' does not exist")),
    )?;
    let netns = fib.vpcs.get(usize::from(slot)).map_or("?", |v| v.netns.as_str());
    let proto_ = match req.str_opt("Protocol")?.unwrap_or("tcp") {
        "tcp" => proto::TCP,
        "udp" => proto::UDP,
        "icmp" => proto::ICMP,
        other => return Err(req.bad("Protocol", &other.into(), "expected tcp, udp or icmp")),
    };
    let synth = Synth {
        proto: proto_,
        src: addr_param(req, "Source")?,
        dst: addr_param(req, "Destination")?,
        sport: port_param(req, "SourcePort")?.max(1),
        dport: port_param(req, "DestinationPort")?,
        tcp_flags: crate::wire::l4::tcp_flags::SYN,
        seq: 1,
        ack: 0,
        payload: 0,
    };
    let pkt = synth.build();
    let mut explain = Explain { fib, key: None, steps: vec![format!("ingress {vpc_id} (netns {netns})")] };
    let decision = pipeline::trace(fib, dp.flows(), slot, &pkt, false, dp.now_ms(), &mut explain);
    let mut out = match decision {
        Ok(Decision::Rewrite(rw) | Decision::IcmpError(rw)) => json!({
            "Verdict": "forward",
            "EgressVpcId": vpc_name(fib, rw.egress),
            "TranslatedSource": if rw.sport == 0 { format!("{}:<pool port>", Ipv4Addr::from(rw.src)) } else { endpoint(rw.src, rw.sport) },
            "TranslatedDestination": endpoint(rw.dst, rw.dport),
        }),
        Ok(Decision::Local(service, _)) => json!({"Verdict": "local", "Service": service.name()}),
        Err(r) => json!({"Verdict": "drop", "DropReason": r.name()}),
    };
    out["Steps"] = json!(explain.steps);
    Ok(json!({ "Trace": out }))
}
