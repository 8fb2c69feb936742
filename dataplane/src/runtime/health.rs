//! The health-check thread: feeds the pure [`HealthChecks`] machine and carries out what it
//! says. Every tick (200 ms) it takes the probe replies the workers queued
//! ([`Dataplane::take_probe_replies`]), hands the machine the targets compiled into the
//! snapshot ([`Snapshot::health_checks`], only when a new snapshot was published), writes the
//! machine's probes into the provider VPCs' devices (queue 0, like a forwarded packet) and
//! records its health changes through the controller (persisted, then compiled into a FIB
//! whose Maglev tables skip unhealthy targets, and into the next snapshot's checks). The
//! decisions are all the machine's; the controller is only written to.

use super::io::{DeviceQueue, Scratch};
use super::{Dataplane, Snapshot};
use crate::health::{Change, HealthChecks, Probe, TargetHealth};
use crate::wire::proto;
use crate::wire::synth::Synth;
use crate::wire::virtio;
use privlink_control::{Controller, model};
use std::sync::Arc;
use std::time::Duration;

/// How often the machine is ticked.
const TICK: Duration = Duration::from_millis(200);

/// Starts the health-check thread; it runs until the data plane stops.
pub fn spawn(dp: Arc<Dataplane>, ctl: Arc<Controller>) -> std::io::Result<std::thread::JoinHandle<()>> {
    let mut checks = HealthChecks::new(fastrand::u64(..));
    // Every committed change publishes a snapshot of a new generation, so the targets are
    // handed over only when the generation moved.
    let mut listed = None;
    std::thread::Builder::new().name("plink-health".into()).spawn(move || {
        let mut scratch = Scratch::default();
        while !dp.stop_requested() {
            let replies = dp.take_probe_replies();
            let snap = dp.snapshot_owned();
            if listed != Some(snap.fib.generation) {
                checks.set_targets(snap.health_checks.clone());
                listed = Some(snap.fib.generation);
            }
            let (probes, changes) = checks.on_tick(dp.now_ms(), &replies);
            for p in &probes {
                send(&snap, p, &mut scratch);
            }
            if !changes.is_empty() {
                record(&ctl, &changes);
            }
            std::thread::park_timeout(TICK);
        }
    })
}

/// Writes `p` into its VPC's device. A probe that cannot be written is never answered, so
/// the machine counts it as a failure when it times out.
fn send(snap: &Snapshot, p: &Probe, scratch: &mut Scratch) {
    let Some(q) = snap.devices.get(usize::from(p.vpc)).and_then(Option::as_ref).and_then(|d| d.port.queue(0))
    else {
        return;
    };
    let seg = Synth {
        proto: proto::TCP,
        src: p.src,
        dst: p.dst,
        sport: p.sport,
        dport: p.dport,
        tcp_flags: p.flags,
        seq: p.seq,
        ack: 0,
        payload: 0,
    };
    q.send_one(&virtio::frame(&seg.build(), q.vnet_hdr()), scratch);
}

fn model_health(h: TargetHealth) -> model::TargetHealth {
    match h {
        TargetHealth::Initial => model::TargetHealth::Initial,
        TargetHealth::Healthy => model::TargetHealth::Healthy,
        TargetHealth::Unhealthy => model::TargetHealth::Unhealthy,
        TargetHealth::Unused => model::TargetHealth::Unused,
    }
}

fn record(ctl: &Controller, changes: &[Change]) {
    let result = ctl.mutate_internal(|s| {
        for c in changes {
            let k = &c.key;
            let target = s
                .target_groups
                .get_mut(&k.tg)
                .and_then(|tg| tg.targets.iter_mut().find(|t| t.ip == k.ip && t.port == k.port));
            if let Some(t) = target {
                t.health = model_health(c.health);
                tracing::info!(target_group = %k.tg, target = %k.ip, port = k.port, health = t.health.as_str(), "target health");
            }
        }
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot record target health");
    }
}
