//! The runtime: everything of the data plane that makes a syscall, around the pure core
//! (`wire`, `packet`, `fib`, `compile`, `flow`, `nat`, `lb`, `route`, `pipeline`, `icmp_error`,
//! `resolver`, `health`, `verdict`, which take time and packets as arguments and touch
//! nothing else).
//!
//! - [`io`]: namespaces, rtnetlink, the device backends (TUN, veth + AF_PACKET), epoll — the
//!   syscall wrappers.
//! - This module: the state the threads share ([`Dataplane`]: the published [`Snapshot`] of
//!   FIB and devices, the flow table, counters, wake-ups).
//! - [`worker`]: the packet loops, and nothing else.
//! - [`fabric`]: makes namespaces and devices match the control state, publishes snapshots.
//! - [`inspect`]: answers the read-only queries (stats, flows, trace).
//! - [`health`]: the thread that runs the health-check machine.
//! - [`sweeper`]: the thread that ends idle flows.
//! - [`metrics`]: the Prometheus view of the counters.
//! - [`daemon`]: owns all of the above for privlinkd: starts them, and stops them in order.
//!
//! Dependencies point one way: `worker`, `fabric`, `inspect`, `health`, `sweeper` and
//! `metrics` use this module and `io`; `fabric` routes queries to `inspect`; `daemon` uses
//! them all and nothing uses it; nothing here is used by the core.

pub mod daemon;
pub mod fabric;
pub mod health;
pub mod inspect;
pub mod io;
pub mod metrics;
pub mod sweeper;
pub mod worker;

use crate::fib::Fib;
use crate::flow::{EndedFlows, FlowTable};
use crate::health::{CheckedTarget, ProbeReply};
use crate::verdict::Counters;
use arc_swap::ArcSwap;
use io::{LinkReader, Port, Waker};
use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Name of the device inside every namespace.
pub const DEVICE: &str = "plink0";

/// A VPC's (or the AWS-service network's) device.
#[derive(Debug)]
pub struct VpcDevice {
    /// `vpc-…` id, or `aws`.
    pub vpc_id: String,
    /// Namespace the device lives in.
    pub netns: String,
    /// The device, whichever backend carries it; queue `w` belongs to worker `w`.
    pub port: Port,
    /// Reads the device's kernel-side counters (stats, metrics).
    pub link: LinkReader,
}

/// What workers forward with: one FIB and the devices, both indexed by VPC slot; and what the
/// health checker checks, compiled from the same state.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The forwarding tables.
    pub fib: Fib,
    /// Devices by slot (`None`: no device at that slot).
    pub devices: Vec<Option<Arc<VpcDevice>>>,
    /// The targets to health-check ([`crate::compile::health_checks`]).
    pub health_checks: Vec<CheckedTarget>,
}

/// State shared by the workers and the control plane. The fields are private: the threads
/// reach them through the methods below, which say what each access is for.
pub struct Dataplane {
    /// Current snapshot.
    snapshot: ArcSwap<Snapshot>,
    /// The flow table; every flow that leaves it is tallied in `ended`.
    flows: FlowTable,
    /// Flows that ended, by reason.
    ended: Arc<EndedFlows>,
    /// Published counters, one slot per worker.
    counters: Vec<Mutex<Counters>>,
    /// One waker per worker.
    wakers: Vec<Waker>,
    /// Set to stop the workers.
    stop: AtomicBool,
    /// Time base of the pipeline's clock.
    epoch: Instant,
    /// How long a worker keeps polling its queues after the last frame before it sleeps.
    busy_poll: Duration,
    /// Replies to health-check probes, for the health checker.
    probe_replies: Mutex<Vec<ProbeReply>>,
    /// Per worker: the generation of the snapshot it forwards with.
    in_use: Vec<AtomicU64>,
}

impl Dataplane {
    /// A data plane for `workers` workers with an empty snapshot.
    pub fn new(workers: usize, flows: FlowTable, busy_poll: Duration) -> io::Result<Dataplane> {
        let ended = Arc::new(EndedFlows::default());
        Ok(Dataplane {
            snapshot: ArcSwap::from_pointee(Snapshot::default()),
            flows: flows.with_sink(Box::new(ended.clone())),
            ended,
            counters: (0..workers).map(|_| Mutex::new(Counters::default())).collect(),
            wakers: (0..workers).map(|_| Waker::new()).collect::<Result<_, _>>()?,
            stop: AtomicBool::new(false),
            epoch: Instant::now(),
            busy_poll,
            probe_replies: Mutex::new(Vec::new()),
            in_use: (0..workers).map(|_| AtomicU64::new(0)).collect(),
        })
    }

    /// Milliseconds since the data plane started (the pipeline's clock).
    pub fn now_ms(&self) -> u64 {
        self.ms_at(Instant::now())
    }

    /// The pipeline's clock at `t` (a worker reads the clock once per round).
    pub fn ms_at(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.epoch).as_millis() as u64
    }

    /// The snapshot in force, cheaply borrowed (readers that do not keep it).
    pub fn snapshot(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.snapshot.load()
    }

    /// The snapshot in force, owned (a thread that keeps it across rounds).
    pub fn snapshot_owned(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The flow table.
    pub fn flows(&self) -> &FlowTable {
        &self.flows
    }

    /// Flows that ended, by reason.
    pub fn ended(&self) -> &EndedFlows {
        &self.ended
    }

    /// True once [`request_stop`](Self::request_stop) was called: every thread of the data
    /// plane finishes its round and returns.
    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Asks every thread of the data plane to stop; workers also need a [`wake_all`](Self::wake_all).
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Worker `w`'s waker (registered in its poller, reset when it fires).
    pub fn waker(&self, w: usize) -> &Waker {
        &self.wakers[w]
    }

    /// How long a worker keeps polling its queues after the last frame before it sleeps.
    pub fn busy_poll(&self) -> Duration {
        self.busy_poll
    }

    /// Publishes worker `w`'s counters (readers merge the slots, [`totals`](Self::totals)).
    pub fn publish_counters(&self, w: usize, c: &Counters) {
        self.counters[w].lock().clone_from(c);
    }

    /// Records that worker `w` forwards with the snapshot of `generation` from now on.
    pub fn forwarding_with(&self, w: usize, generation: u64) {
        self.in_use[w].store(generation, Ordering::SeqCst);
    }

    /// Queues a reply to a health-check probe for the health checker.
    pub fn queue_probe_reply(&self, r: ProbeReply) {
        self.probe_replies.lock().push(r);
    }

    /// The probe replies queued since the last call.
    pub fn take_probe_replies(&self) -> Vec<ProbeReply> {
        std::mem::take(&mut *self.probe_replies.lock())
    }

    /// Installs a new snapshot and makes every worker pick it up.
    pub fn publish(&self, snap: Snapshot) {
        self.snapshot.store(Arc::new(snap));
        self.wake_all();
    }

    /// Wakes every worker (new snapshot, shutdown).
    pub fn wake_all(&self) {
        for w in &self.wakers {
            // A failed eventfd write only delays the pick-up until the idle timeout.
            let _ = w.wake();
        }
    }

    /// Sum of all workers' counters.
    pub fn totals(&self) -> Counters {
        let mut t = Counters::default();
        for c in &self.counters {
            t.merge(&c.lock());
        }
        t
    }

    /// Number of workers.
    pub fn workers(&self) -> usize {
        self.counters.len()
    }

    /// The oldest snapshot generation a worker may still forward with (`u64::MAX` without
    /// workers): every flow added from now on comes from a snapshot at least this new.
    pub fn oldest_generation_in_use(&self) -> u64 {
        self.in_use.iter().map(|g| g.load(Ordering::SeqCst)).min().unwrap_or(u64::MAX)
    }
}
