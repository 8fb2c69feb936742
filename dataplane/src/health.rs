//! NLB health checks as a pure state machine: `on_tick(now, replies) -> (probes, changes)`.
//!
//! Contract (no syscalls, no clock: time is the pipeline's milliseconds, passed in):
//! - The machine knows nothing of the control plane's model: what it checks is compiled with
//!   the FIB ([`crate::compile::health_checks`]), one [`CheckedTarget`] per target.
//! - [`HealthChecks::set_targets`] says what to check: every registered target, with the NLB
//!   node its probes start from (`None`: no listener uses its group, so it is `unused` and not
//!   probed), its provider VPC's slot, its probe port and its group's health check settings.
//!   A target that is no longer listed is forgotten, with its counts and pending probe.
//! - A target is probed at its first tick, then every `interval` after the previous probe,
//!   never with a probe outstanding. A probe is a TCP SYN from a port of [`PROBE_PORTS`]
//!   (taken in turn), so the pipeline tells replies apart from forwarded traffic.
//! - Outcome of a probe: a SYN-ACK from the target (matched on VPC, node, probe port, target
//!   and port) is a success, and the half-open connection is reset with an RST whose sequence
//!   number is the SYN's plus one; an RST is a failure; no reply when more than `timeout`
//!   has passed since the probe is a failure. Replies to no pending probe are ignored.
//! - `healthy_threshold` consecutive successes make a target `healthy`, `unhealthy_threshold`
//!   consecutive failures `unhealthy`; a success resets the failures and the other way round.
//!   A change is reported only when it differs from the health the target has in the state.
//! - HTTP checks are probed the same way (a TCP connect; the request line is not sent).
//!
//! The runtime ([`crate::runtime::health`]) writes the probes into the VPC devices and records
//! the changes through the controller, which persists them and compiles them into the FIB.

use crate::packet::Parsed;
use crate::pipeline::PROBE_PORTS;
use crate::wire::l4::tcp_flags;
use hashbrown::HashMap;
use std::net::Ipv4Addr;

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

/// A target's health, as the state records it and as the machine reports changes to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetHealth {
    /// Registered, not decided yet.
    Initial,
    /// Passed `healthy_threshold` checks in a row.
    Healthy,
    /// Failed `unhealthy_threshold` checks in a row.
    Unhealthy,
    /// No listener uses its group: not checked.
    Unused,
}

/// Names one registered target.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TargetKey {
    /// Target group ARN.
    pub tg: String,
    /// Target address.
    pub ip: Ipv4Addr,
    /// Target (traffic) port.
    pub port: u16,
}

/// How to check one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedTarget {
    /// Which target.
    pub key: TargetKey,
    /// Its health as the state records it.
    pub health: TargetHealth,
    /// The NLB node address probes start from; `None`: no listener uses the group (unused).
    pub source: Option<u32>,
    /// Slot of the provider VPC whose device carries the probes.
    pub vpc: u16,
    /// The port probed.
    pub probe_port: u16,
    /// Milliseconds between probes.
    pub interval_ms: u64,
    /// Milliseconds after which an unanswered probe is a failure.
    pub timeout_ms: u64,
    /// Consecutive successes that make the target healthy.
    pub healthy_threshold: u32,
    /// Consecutive failures that make the target unhealthy.
    pub unhealthy_threshold: u32,
}

/// A TCP segment to write into VPC `vpc`'s device: a SYN probe or the RST that ends one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// Provider VPC slot.
    pub vpc: u16,
    /// NLB node address (source).
    pub src: u32,
    /// Target address.
    pub dst: u32,
    /// Source port (from [`PROBE_PORTS`]).
    pub sport: u16,
    /// Probed port.
    pub dport: u16,
    /// `SYN` or `RST`.
    pub flags: u8,
    /// Sequence number.
    pub seq: u32,
}

/// A target whose health changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Which target.
    pub key: TargetKey,
    /// Its new health.
    pub health: TargetHealth,
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    src: u32,
    sport: u16,
    seq: u32,
    sent_ms: u64,
}

#[derive(Debug, Default)]
struct Check {
    successes: u32,
    failures: u32,
    /// When the next probe is due (`None`: at the next tick).
    next_due_ms: Option<u64>,
    pending: Option<Pending>,
}

/// The checker's state: counts, due times and outstanding probes per target.
pub struct HealthChecks {
    targets: Vec<CheckedTarget>,
    checks: HashMap<TargetKey, Check>,
    next_port: u16,
    rng: fastrand::Rng,
}

impl HealthChecks {
    /// A checker with no targets; `seed` seeds the probes' sequence numbers.
    pub fn new(seed: u64) -> Self {
        HealthChecks {
            targets: Vec::new(),
            checks: HashMap::new(),
            next_port: *PROBE_PORTS.start(),
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// Replaces the list of targets to check; forgets targets no longer listed.
    pub fn set_targets(&mut self, targets: Vec<CheckedTarget>) {
        self.checks.retain(|k, _| targets.iter().any(|t| t.key == *k));
        self.targets = targets;
    }

    /// Advances to `now_ms` with the probe replies received since the last tick: returns the
    /// segments to send and the health changes to record (see the module doc).
    pub fn on_tick(&mut self, now_ms: u64, replies: &[ProbeReply]) -> (Vec<Probe>, Vec<Change>) {
        let mut probes = Vec::new();
        let mut changes = Vec::new();
        for t in &self.targets {
            let change = |health: TargetHealth| Change { key: t.key.clone(), health };
            let Some(source) = t.source else {
                self.checks.remove(&t.key);
                if t.health != TargetHealth::Unused {
                    changes.push(change(TargetHealth::Unused));
                }
                continue;
            };
            let check = self.checks.entry(t.key.clone()).or_default();
            if let Some(p) = check.pending {
                let reply = replies.iter().find(|r| {
                    (r.vpc, r.nlb, r.probe_port, r.target, r.target_port)
                        == (t.vpc, p.src, p.sport, u32::from(t.key.ip), t.probe_port)
                });
                let outcome = match reply {
                    Some(r) => Some(r.open),
                    None => (now_ms.saturating_sub(p.sent_ms) > t.timeout_ms).then_some(false),
                };
                if let Some(ok) = outcome {
                    check.pending = None;
                    if ok {
                        probes.push(Probe {
                            vpc: t.vpc,
                            src: p.src,
                            dst: t.key.ip.into(),
                            sport: p.sport,
                            dport: t.probe_port,
                            flags: tcp_flags::RST,
                            seq: p.seq.wrapping_add(1),
                        });
                    }
                    let next = if ok {
                        check.failures = 0;
                        check.successes = check.successes.saturating_add(1);
                        (check.successes >= t.healthy_threshold).then_some(TargetHealth::Healthy)
                    } else {
                        check.successes = 0;
                        check.failures = check.failures.saturating_add(1);
                        (check.failures >= t.unhealthy_threshold).then_some(TargetHealth::Unhealthy)
                    };
                    if let Some(h) = next.filter(|h| *h != t.health) {
                        changes.push(change(h));
                    }
                }
            }
            if check.pending.is_none() && check.next_due_ms.is_none_or(|due| now_ms >= due) {
                let sport = self.next_port;
                self.next_port = if sport == *PROBE_PORTS.end() { *PROBE_PORTS.start() } else { sport + 1 };
                let seq = self.rng.u32(..);
                check.next_due_ms = Some(now_ms + t.interval_ms);
                check.pending = Some(Pending { src: source, sport, seq, sent_ms: now_ms });
                probes.push(Probe {
                    vpc: t.vpc,
                    src: source,
                    dst: t.key.ip.into(),
                    sport,
                    dport: t.probe_port,
                    flags: tcp_flags::SYN,
                    seq,
                });
            }
        }
        (probes, changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::parse;
    use crate::wire::proto;
    use crate::wire::synth::Synth;

    const NODE: u32 = 0x0a00_01fe;
    const TARGET: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 10);
    const VPC: u16 = 3;

    fn target(health: TargetHealth) -> CheckedTarget {
        CheckedTarget {
            key: TargetKey { tg: "tg".into(), ip: TARGET, port: 80 },
            health,
            source: Some(NODE),
            vpc: VPC,
            probe_port: 8080,
            interval_ms: 10_000,
            timeout_ms: 5_000,
            healthy_threshold: 3,
            unhealthy_threshold: 2,
        }
    }

    fn checker(t: CheckedTarget) -> HealthChecks {
        let mut hc = HealthChecks::new(7);
        hc.set_targets(vec![t]);
        hc
    }

    fn reply_to(p: &Probe, open: bool) -> ProbeReply {
        ProbeReply { vpc: p.vpc, nlb: p.src, probe_port: p.sport, target: p.dst, target_port: p.dport, open }
    }

    /// The single SYN among `probes`.
    fn syn(probes: &[Probe]) -> Probe {
        let syns: Vec<_> = probes.iter().filter(|p| p.flags == tcp_flags::SYN).collect();
        assert_eq!(syns.len(), 1, "{probes:?}");
        *syns[0]
    }

    /// Probes every interval and answers each probe with `open` just after sending it;
    /// returns the changes of each round.
    fn rounds(hc: &mut HealthChecks, open: &[bool]) -> Vec<Vec<Change>> {
        let (probes, _) = hc.on_tick(0, &[]);
        let mut probe = syn(&probes);
        let mut out = Vec::new();
        for (i, &o) in open.iter().enumerate() {
            let at = (i as u64 + 1) * 10_000;
            let (_, changes) = hc.on_tick(at - 9_000, &[reply_to(&probe, o)]);
            out.push(changes);
            probe = syn(&hc.on_tick(at, &[]).0);
        }
        out
    }

    fn health(changes: &[Change]) -> Vec<TargetHealth> {
        changes.iter().map(|c| c.health).collect()
    }

    #[test]
    fn first_probe_goes_out_at_the_first_tick_from_the_node_to_the_probe_port() {
        let mut hc = checker(target(TargetHealth::Initial));
        let (probes, changes) = hc.on_tick(0, &[]);
        let p = syn(&probes);
        assert_eq!((p.vpc, p.src, p.dst, p.dport), (VPC, NODE, u32::from(TARGET), 8080));
        assert!(PROBE_PORTS.contains(&p.sport));
        assert!(changes.is_empty());
    }

    #[test]
    fn the_next_probe_waits_for_the_interval() {
        let mut hc = checker(target(TargetHealth::Initial));
        let p = syn(&hc.on_tick(0, &[]).0);
        let (probes, _) = hc.on_tick(100, &[reply_to(&p, true)]);
        assert!(probes.iter().all(|p| p.flags == tcp_flags::RST), "no SYN before the interval: {probes:?}");
        assert!(hc.on_tick(9_999, &[]).0.is_empty());
        let next = syn(&hc.on_tick(10_000, &[]).0);
        assert_ne!(next.sport, p.sport, "probe ports are taken in turn");
    }

    #[test]
    fn no_new_probe_while_one_is_outstanding() {
        let mut t = target(TargetHealth::Initial);
        t.timeout_ms = 20_000;
        let mut hc = checker(t);
        syn(&hc.on_tick(0, &[]).0);
        assert!(hc.on_tick(15_000, &[]).0.is_empty(), "interval passed but the probe is pending");
    }

    #[test]
    fn a_syn_ack_is_a_success_and_is_reset_with_the_next_sequence_number() {
        let mut hc = checker(target(TargetHealth::Initial));
        let p = syn(&hc.on_tick(0, &[]).0);
        let (probes, _) = hc.on_tick(100, &[reply_to(&p, true)]);
        assert_eq!(
            probes,
            [Probe { flags: tcp_flags::RST, seq: p.seq.wrapping_add(1), ..p }],
            "the half-open connection is reset"
        );
    }

    #[test]
    fn healthy_after_exactly_healthy_threshold_successes() {
        let mut hc = checker(target(TargetHealth::Initial));
        let r = rounds(&mut hc, &[true, true, true, true]);
        assert_eq!(health(&r[0]), []);
        assert_eq!(health(&r[1]), []);
        assert_eq!(health(&r[2]), [TargetHealth::Healthy]);
        assert_eq!(r[2][0].key, TargetKey { tg: "tg".into(), ip: TARGET, port: 80 });
    }

    #[test]
    fn unhealthy_after_exactly_unhealthy_threshold_rsts() {
        let mut hc = checker(target(TargetHealth::Healthy));
        let r = rounds(&mut hc, &[false, false]);
        assert_eq!(health(&r[0]), []);
        assert_eq!(health(&r[1]), [TargetHealth::Unhealthy]);
    }

    #[test]
    fn a_success_resets_the_failures_and_a_failure_the_successes() {
        let mut hc = checker(target(TargetHealth::Healthy));
        let r = rounds(&mut hc, &[false, true, false, true, true, false, false]);
        let all: Vec<_> = r.iter().flat_map(|c| health(c)).collect();
        assert_eq!(all, [TargetHealth::Unhealthy], "only the last two failures in a row count");
        assert_eq!(health(&r[6]), [TargetHealth::Unhealthy]);
        let mut hc = checker(target(TargetHealth::Unhealthy));
        let r = rounds(&mut hc, &[true, true, false, true, true, true]);
        let all: Vec<_> = r.iter().flat_map(|c| health(c)).collect();
        assert_eq!(all, [TargetHealth::Healthy]);
        assert_eq!(health(&r[5]), [TargetHealth::Healthy]);
    }

    #[test]
    fn no_change_is_reported_for_the_health_the_target_already_has() {
        let mut hc = checker(target(TargetHealth::Healthy));
        let r = rounds(&mut hc, &[true, true, true, true]);
        assert!(r.iter().all(Vec::is_empty), "{r:?}");
    }

    #[test]
    fn no_reply_is_a_failure_only_after_the_timeout() {
        let mut t = target(TargetHealth::Healthy);
        t.unhealthy_threshold = 1;
        let mut hc = checker(t);
        syn(&hc.on_tick(0, &[]).0);
        assert_eq!(hc.on_tick(5_000, &[]), (vec![], vec![]), "at the timeout, not yet");
        let (probes, changes) = hc.on_tick(5_001, &[]);
        assert_eq!(health(&changes), [TargetHealth::Unhealthy]);
        assert!(probes.is_empty(), "the next probe still waits for the interval");
        syn(&hc.on_tick(10_000, &[]).0);
    }

    #[test]
    fn a_late_reply_after_the_timeout_does_not_count() {
        let mut t = target(TargetHealth::Unhealthy);
        t.healthy_threshold = 1;
        let mut hc = checker(t);
        let p = syn(&hc.on_tick(0, &[]).0);
        hc.on_tick(6_000, &[]);
        let (probes, changes) = hc.on_tick(7_000, &[reply_to(&p, true)]);
        assert_eq!((probes, changes), (vec![], vec![]));
    }

    #[test]
    fn replies_that_match_no_pending_probe_are_ignored() {
        let mut t = target(TargetHealth::Unhealthy);
        t.healthy_threshold = 1;
        let mut hc = checker(t);
        let p = syn(&hc.on_tick(0, &[]).0);
        let wrong = [
            ProbeReply { probe_port: p.sport.wrapping_add(1), ..reply_to(&p, true) },
            ProbeReply { vpc: VPC + 1, ..reply_to(&p, true) },
            ProbeReply { target_port: 81, ..reply_to(&p, true) },
            ProbeReply { nlb: NODE + 1, ..reply_to(&p, true) },
        ];
        assert_eq!(hc.on_tick(100, &wrong), (vec![], vec![]));
        assert_eq!(health(&hc.on_tick(200, &[reply_to(&p, true)]).1), [TargetHealth::Healthy]);
    }

    #[test]
    fn a_target_no_listener_uses_is_unused_and_not_probed() {
        let mut t = target(TargetHealth::Healthy);
        t.source = None;
        let mut hc = checker(t.clone());
        let (probes, changes) = hc.on_tick(0, &[]);
        assert!(probes.is_empty());
        assert_eq!(health(&changes), [TargetHealth::Unused]);
        t.health = TargetHealth::Unused;
        hc.set_targets(vec![t]);
        assert_eq!(hc.on_tick(20_000, &[]), (vec![], vec![]), "reported once");
    }

    #[test]
    fn a_deregistered_target_is_forgotten() {
        let mut t = target(TargetHealth::Initial);
        t.healthy_threshold = 2;
        let mut hc = checker(t.clone());
        let p = syn(&hc.on_tick(0, &[]).0);
        hc.on_tick(100, &[reply_to(&p, true)]);
        hc.set_targets(vec![]);
        assert_eq!(hc.on_tick(10_000, &[]), (vec![], vec![]));
        hc.set_targets(vec![t]);
        // Registered again: counts start over, and it is probed at once.
        let p = syn(&hc.on_tick(10_100, &[]).0);
        assert_eq!(health(&hc.on_tick(10_200, &[reply_to(&p, true)]).1), []);
    }

    #[test]
    fn probe_ports_cycle_through_the_probe_range() {
        let mut hc = HealthChecks::new(1);
        let many: Vec<_> = (0..30u8)
            .map(|i| CheckedTarget {
                key: TargetKey { tg: "tg".into(), ip: Ipv4Addr::new(10, 0, 1, i), port: 80 },
                ..target(TargetHealth::Initial)
            })
            .collect();
        hc.set_targets(many);
        let ports: Vec<u16> = hc.on_tick(0, &[]).0.iter().map(|p| p.sport).collect();
        assert_eq!(ports.len(), 30);
        assert!(ports.iter().all(|p| PROBE_PORTS.contains(p)));
        assert_eq!(ports[24], *PROBE_PORTS.start(), "wraps after {}", PROBE_PORTS.end());
    }

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
