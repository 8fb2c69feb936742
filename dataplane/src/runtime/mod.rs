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
//! - [`metrics`]: the Prometheus view of the counters.
//!
//! Dependencies point one way: `worker`, `fabric`, `inspect`, `health` and `metrics` use this
//! module and `io`; `fabric` routes queries to `inspect`; nothing here is used by the core.

pub mod fabric;
pub mod health;
pub mod inspect;
pub mod io;
pub mod metrics;
pub mod worker;

use crate::fib::Fib;
use crate::flow::{EndedFlows, FlowTable};
use crate::health::ProbeReply;
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

/// What workers forward with: one FIB and the devices, both indexed by VPC slot.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The forwarding tables.
    pub fib: Fib,
    /// Devices by slot (`None`: no device at that slot).
    pub devices: Vec<Option<Arc<VpcDevice>>>,
}

/// State shared by the workers and the control plane.
pub struct Dataplane {
    /// Current snapshot.
    pub snapshot: ArcSwap<Snapshot>,
    /// The flow table; every flow that leaves it is tallied in `ended`.
    pub flows: FlowTable,
    /// Flows that ended, by reason.
    pub ended: Arc<EndedFlows>,
    /// Published counters, one slot per worker.
    pub counters: Vec<Mutex<Counters>>,
    /// One waker per worker.
    pub wakers: Vec<Waker>,
    /// Set to stop the workers.
    pub stop: AtomicBool,
    /// Time base of the pipeline's clock.
    pub epoch: Instant,
    /// How long a worker keeps polling its queues after the last frame before it sleeps.
    pub busy_poll: Duration,
    /// Replies to health-check probes, for the health checker.
    pub probe_replies: Mutex<Vec<ProbeReply>>,
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
        self.epoch.elapsed().as_millis() as u64
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
