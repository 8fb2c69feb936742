//! The health-check thread: feeds the pure [`HealthChecks`] machine and carries out what it
//! says. Every tick (200 ms) it takes the probe replies the workers queued in
//! [`Dataplane::take_probe_replies`], lists the targets from the controller's state (only when a
//! new snapshot says the state changed), writes the machine's probes into the provider VPCs'
//! devices (queue 0, like a forwarded packet) and records its health changes through the controller (persisted, then compiled into a FIB
//! whose Maglev tables skip unhealthy targets). The decisions are all the machine's.

use super::io::Scratch;
use super::{Dataplane, Snapshot};
use crate::health::{Change, HealthChecks, Probe, targets};
use crate::wire::proto;
use crate::wire::synth::Synth;
use crate::wire::virtio;
use privlink_control::Controller;
use std::sync::Arc;
use std::time::Duration;

/// How often the machine is ticked.
const TICK: Duration = Duration::from_millis(200);

/// Starts the health-check thread; it runs until the data plane stops.
pub fn spawn(dp: Arc<Dataplane>, ctl: Arc<Controller>) -> std::io::Result<std::thread::JoinHandle<()>> {
    let mut checks = HealthChecks::new(fastrand::u64(..));
    // Every committed change publishes a snapshot of a new generation, so the targets are read
    // from the state only when the generation moved.
    let mut listed = None;
    std::thread::Builder::new().name("plink-health".into()).spawn(move || {
        let mut scratch = Scratch::default();
        while !dp.stop_requested() {
            let replies = dp.take_probe_replies();
            let snap = dp.snapshot_owned();
            if listed != Some(snap.fib.generation) {
                let slot_of = |id: &str| snap.fib.vpcs.iter().position(|v| v.id == id).map(|s| s as u16);
                checks.set_targets(targets(&ctl.snapshot(), slot_of));
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

fn record(ctl: &Controller, changes: &[Change]) {
    let result = ctl.mutate_internal(|s| {
        for c in changes {
            let k = &c.key;
            let target = s
                .target_groups
                .get_mut(&k.tg)
                .and_then(|tg| tg.targets.iter_mut().find(|t| t.ip == k.ip && t.port == k.port));
            if let Some(t) = target {
                tracing::info!(target_group = %k.tg, target = %k.ip, port = k.port, health = c.health.as_str(), "target health");
                t.health = c.health;
            }
        }
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot record target health");
    }
}
