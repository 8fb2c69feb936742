//! NLB health checks: TCP probes from the NLB's node addresses to every registered target.
//!
//! Contract:
//! - Every `interval` of its target group's health check, each target in use by a listener
//!   gets a TCP SYN from an NLB node address (the node of the target's zone when the NLB has
//!   one there), written into the provider VPC's device like any forwarded packet. A SYN-ACK
//!   is a success (the half-open connection is reset at once); an RST or no answer within the
//!   timeout is a failure. HTTP checks are probed the same way (a TCP connect; the request
//!   line is not sent).
//! - `healthy_threshold` consecutive successes make a target `healthy`, `unhealthy_threshold`
//!   consecutive failures `unhealthy`. A target no listener uses is `unused` and not probed.
//!   Changes go through the controller like an API change: persisted, then compiled into a
//!   new FIB, whose Maglev tables then skip unhealthy targets (or fail open if none is
//!   healthy). Established flows to a target that turns unhealthy are left alone, as the
//!   NLB does.
//! - Probe source ports come from [`PROBE_PORTS`], below every NAT port, so the pipeline tells
//!   replies apart from forwarded traffic without a flow entry (`Verdict::Local`); workers
//!   queue them in [`Dataplane::probe_replies`](crate::worker::Dataplane::probe_replies).

use crate::packet::Parsed;
use crate::pipeline::PROBE_PORTS;
use crate::wire::l4::tcp_flags;
use crate::wire::synth::Synth;
use crate::wire::{proto, virtio};
use crate::worker::{Dataplane, Snapshot};
use hashbrown::HashMap;
use privlink_control::Controller;
use privlink_control::model::{State, TargetGroup, TargetHealth};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How often the checker looks for due probes, replies and timeouts.
const TICK: Duration = Duration::from_millis(200);

/// A reply to a probe, as a worker received it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeReply {
    /// Provider VPC slot.
    pub vpc: u16,
    /// NLB node address the probe came from.
    pub nlb: u32,
    /// The probe's source port.
    pub probe_port: u16,
    /// Target address.
    pub target: u32,
    /// Probed port.
    pub target_port: u16,
    /// SYN-ACK (the port is open) rather than RST.
    pub open: bool,
}

impl ProbeReply {
    /// The reply in a packet the pipeline handed to the health checker, if it is one: a
    /// SYN-ACK (open) or an RST (closed).
    pub fn from_parsed(p: &Parsed) -> Option<ProbeReply> {
        let open = p.flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN | tcp_flags::ACK;
        if !open && p.flags & tcp_flags::RST == 0 {
            return None;
        }
        let k = &p.key;
        Some(ProbeReply {
            vpc: k.vpc,
            nlb: k.dst,
            probe_port: k.dport,
            target: k.src,
            target_port: k.sport,
            open,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct TargetKey {
    tg: String,
    ip: Ipv4Addr,
    port: u16,
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    vpc: u16,
    nlb: u32,
    probe_port: u16,
    port: u16,
    /// The SYN's sequence number (the reset that closes an open probe carries it plus one).
    seq: u32,
    sent: Instant,
}

#[derive(Debug)]
struct Check {
    successes: u32,
    failures: u32,
    next_due: Instant,
    pending: Option<Pending>,
}

/// The health checker; runs on its own thread (see [`spawn`]).
pub struct HealthChecker {
    dp: Arc<Dataplane>,
    ctl: Arc<Controller>,
    checks: HashMap<TargetKey, Check>,
    next_port: u16,
    rng: fastrand::Rng,
}

/// Starts the health checker; it runs until the data plane stops.
pub fn spawn(dp: Arc<Dataplane>, ctl: Arc<Controller>) -> std::io::Result<std::thread::JoinHandle<()>> {
    let mut hc = HealthChecker {
        dp,
        ctl,
        checks: HashMap::new(),
        next_port: *PROBE_PORTS.start(),
        rng: fastrand::Rng::new(),
    };
    std::thread::Builder::new().name("plink-health".into()).spawn(move || {
        while !hc.dp.stop.load(Ordering::Relaxed) {
            hc.round(Instant::now());
            std::thread::park_timeout(TICK);
        }
    })
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

impl HealthChecker {
    fn round(&mut self, now: Instant) {
        let state = self.ctl.state();
        let snap = self.dp.snapshot.load_full();
        let mut changes: Vec<(TargetKey, TargetHealth)> = Vec::new();
        let replies = std::mem::take(&mut *self.dp.probe_replies.lock());
        for tg in state.target_groups.values() {
            let hc = &tg.health_check;
            let timeout = Duration::from_secs(u64::from(hc.timeout_seconds.max(1)));
            for t in &tg.targets {
                let key = TargetKey { tg: tg.arn.clone(), ip: t.ip, port: t.port };
                let check = self.checks.entry(key.clone()).or_insert(Check {
                    successes: 0,
                    failures: 0,
                    next_due: now,
                    pending: None,
                });
                let Some(node) = probe_source(&state, tg, t.ip) else {
                    if t.health != TargetHealth::Unused {
                        changes.push((key, TargetHealth::Unused));
                    }
                    continue;
                };
                let outcome = match check.pending {
                    Some(p) => replies
                        .iter()
                        .find(|r| {
                            (r.vpc, r.nlb, r.probe_port, r.target, r.target_port)
                                == (p.vpc, p.nlb, p.probe_port, u32::from(t.ip), p.port)
                        })
                        .map(|r| {
                            if r.open {
                                send_reset(&snap, r, p.seq.wrapping_add(1));
                            }
                            r.open
                        })
                        .or_else(|| (now.duration_since(p.sent) > timeout).then_some(false)),
                    None => None,
                };
                if let Some(ok) = outcome {
                    check.pending = None;
                    let next = if ok {
                        check.failures = 0;
                        check.successes += 1;
                        (check.successes >= hc.healthy_threshold).then_some(TargetHealth::Healthy)
                    } else {
                        check.successes = 0;
                        check.failures += 1;
                        (check.failures >= hc.unhealthy_threshold).then_some(TargetHealth::Unhealthy)
                    };
                    if let Some(h) = next.filter(|h| *h != t.health) {
                        changes.push((key.clone(), h));
                    }
                }
                if check.pending.is_none() && now >= check.next_due {
                    let port = hc.port.for_target(t.port);
                    let probe_port = self.next_port;
                    self.next_port =
                        if probe_port == *PROBE_PORTS.end() { *PROBE_PORTS.start() } else { probe_port + 1 };
                    check.next_due = now + Duration::from_secs(u64::from(hc.interval_seconds.max(1)));
                    let seq = self.rng.u32(..);
                    let syn = Synth {
                        proto: proto::TCP,
                        src: node.into(),
                        dst: t.ip.into(),
                        sport: probe_port,
                        dport: port,
                        tcp_flags: tcp_flags::SYN,
                        seq,
                        ack: 0,
                        payload: 0,
                    };
                    if let Some(vpc) = send(&snap, &tg.vpc_id, &syn) {
                        check.pending =
                            Some(Pending { vpc, nlb: node.into(), probe_port, port, seq, sent: now });
                    }
                }
            }
        }
        let live: hashbrown::HashSet<TargetKey> = state
            .target_groups
            .values()
            .flat_map(|tg| {
                tg.targets.iter().map(|t| TargetKey { tg: tg.arn.clone(), ip: t.ip, port: t.port })
            })
            .collect();
        self.checks.retain(|k, _| live.contains(k));
        if !changes.is_empty() {
            self.commit(changes);
        }
    }

    fn commit(&self, changes: Vec<(TargetKey, TargetHealth)>) {
        let result = self.ctl.mutate_internal(|s| {
            for (k, h) in &changes {
                let target = s
                    .target_groups
                    .get_mut(&k.tg)
                    .and_then(|tg| tg.targets.iter_mut().find(|t| t.ip == k.ip && t.port == k.port));
                if let Some(t) = target {
                    tracing::info!(target_group = %k.tg, target = %k.ip, port = k.port, health = h.as_str(), "target health");
                    t.health = *h;
                }
            }
        });
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot record target health");
        }
    }
}

/// Writes `pkt` into the device of VPC `vpc_id`; returns the VPC's slot if it was sent.
fn send(snap: &Snapshot, vpc_id: &str, pkt: &Synth) -> Option<u16> {
    let slot = snap.fib.vpcs.iter().position(|v| v.id == vpc_id)?;
    let q = snap.devices.get(slot)?.as_ref()?.tun.queue(0)?;
    q.send(&virtio::frame(&pkt.build(), q.vnet_hdr())).ok()?;
    Some(slot as u16)
}

/// Resets the half-open connection a successful probe left at the target.
fn send_reset(snap: &Snapshot, r: &ProbeReply, seq: u32) {
    let Some(vpc) = snap.fib.vpcs.get(usize::from(r.vpc)) else { return };
    let rst = Synth {
        proto: proto::TCP,
        src: r.nlb,
        dst: r.target,
        sport: r.probe_port,
        dport: r.target_port,
        tcp_flags: tcp_flags::RST,
        seq,
        ack: 0,
        payload: 0,
    };
    let _ = send(snap, &vpc.id, &rst);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::parse;

    fn reply(flags: u8) -> Option<ProbeReply> {
        let frame = Synth {
            proto: proto::TCP,
            src: 0x0a00_010a,
            dst: 0x0a00_01fe,
            sport: 8080,
            dport: 1003,
            tcp_flags: flags,
            seq: 5,
            ack: 99,
            payload: 0,
        }
        .build();
        ProbeReply::from_parsed(&parse(3, &frame, false).unwrap())
    }

    #[test]
    fn syn_ack_and_rst_are_replies_and_nothing_else_is() {
        assert_eq!(
            reply(tcp_flags::SYN | tcp_flags::ACK),
            Some(ProbeReply {
                vpc: 3,
                nlb: 0x0a00_01fe,
                probe_port: 1003,
                target: 0x0a00_010a,
                target_port: 8080,
                open: true,
            })
        );
        assert!(!reply(tcp_flags::RST | tcp_flags::ACK).unwrap().open);
        assert_eq!(reply(tcp_flags::ACK), None);
    }
}
