//! Worker threads: run-to-completion packet loops over the device queues of every VPC. Only
//! the loop lives here; the state it shares with the control plane is [`Dataplane`].
//!
//! Contract:
//! - Worker `w` owns queue `w` of every VPC device: it reads a batch of frames there and
//!   writes the forwarded frames to queue `w` of their egress devices, one batch per egress,
//!   in arrival order within each (so no flow is reordered). Plain epoll loops, no async
//!   runtime; the backend (packet sockets or TUN) and any capture are behind
//!   [`super::io::Queue`], dispatched statically.
//! - The [`Snapshot`] (FIB + devices, indexed by VPC slot) is loaded once per round, before
//!   any frame of the round is read; the control plane swaps in a new one and wakes every
//!   worker, which then re-registers its queues. A device dropped from the snapshot stays
//!   open until every worker let go of it. Each worker publishes the generation of the
//!   snapshot it forwards with ([`Dataplane::oldest_generation_in_use`]) before it uses it,
//!   so the fabric knows when no worker can still add a flow on a freed VPC slot.
//! - One [`FrameBatch`] per worker, reused forever: [`BATCH`] buffers, each large enough for a
//!   64 KB GSO frame with its virtio header behind [`crate::frame::HEADROOM`] spare bytes: no
//!   allocation per packet, and room to encapsulate in place. A batch is sent before the next
//!   is read.
//! - Each ready queue gets one batch of at most [`BATCH`] frames per wake-up (level-triggered
//!   epoll reports it again), so one busy VPC cannot starve the others.
//! - Counters are kept locally and published to the worker's slot ([`Dataplane::publish_counters`])
//!   after every round that forwarded something; readers merge the slots.
//! - After a round that moved frames the worker keeps polling without sleeping for
//!   [`Dataplane::busy_poll`]: a sleeping worker costs every sender a cross-CPU wake-up per
//!   packet, a polling one costs nothing.

use super::io::{DeviceQueue, MAX_FRAME_LEN, Offloads, Poller, Scratch};
use super::{Dataplane, Snapshot, VpcDevice};
use crate::coalesce::coalesce_udp;
use crate::frame::{FrameBatch, Out};
use crate::health::ProbeReply;
use crate::pipeline::process;
use crate::resolver;
use crate::verdict::{Counters, DropReason, LocalService, Verdict};
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Frames taken from one queue before the worker looks at the others.
pub const BATCH: usize = 64;
const WAKER_TOKEN: u64 = u64::MAX;
const IDLE_WAIT: Duration = Duration::from_millis(250);

/// Starts worker `w` at scheduling priority `nice` (see `privlinkd --worker-nice`), pinned to
/// `cpu` if given (see [`worker_cpus`]); it runs until [`Dataplane::request_stop`].
pub fn spawn(
    dp: Arc<Dataplane>,
    w: usize,
    nice: i32,
    cpu: Option<usize>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name(format!("plink-w{w}")).spawn(move || {
        set_thread_nice(nice);
        if let Some(cpu) = cpu {
            pin_thread(cpu);
        }
        if let Err(e) = run(&dp, w) {
            tracing::error!(worker = w, error = %e, "worker stopped");
        }
    })
}

/// Gives the calling thread the nice value `nice`. The kernel forwards in softirq context,
/// ahead of every process; a userspace forwarder sharing cores with the traffic's senders and
/// receivers needs a head start or the senders starve it and its queues overflow. (SCHED_FIFO
/// was measured too: it starves the receivers and loses on every benchmark figure.)
fn set_thread_nice(nice: i32) {
    if nice == 0 {
        return;
    }
    // SAFETY: plain syscalls on the calling thread's own id.
    let r = unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice)
    };
    if r != 0 {
        tracing::warn!(nice, error = %std::io::Error::last_os_error(), "cannot set worker priority");
    }
}

/// A worker's buffers, allocated once: the receive batch, the system calls' scratch and the
/// list of frames to send.
struct Buffers {
    batch: FrameBatch,
    scratch: Scratch,
    /// Frames of the batch to send, with their egress slot.
    pending: Vec<(u16, Out)>,
    /// One egress's run of `pending`.
    run: Vec<Out>,
}

/// The CPU for each of `workers` workers when they are pinned: the last CPUs the process may
/// run on, one each (cycling when there are more workers than CPUs). A worker that stays on
/// one CPU keeps its caches and is never migrated mid-burst; the scheduler moves the traffic's
/// own threads around it. Measured on 2 cores (`scripts/bench.sh`, full runs before and
/// after): TCP 1 stream 0.84 → 0.88 of the kernel on TUN and 0.70 → 0.85 on packet ports,
/// new connections/s 0.78 → 0.91 on packet ports; UDP 64 B on TUN 0.58 → 0.53.
pub fn worker_cpus(workers: usize) -> Vec<usize> {
    let allowed: Vec<usize> = match nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0)) {
        Ok(set) => (0..nix::sched::CpuSet::count()).filter(|&c| set.is_set(c).unwrap_or(false)).collect(),
        Err(_) => Vec::new(),
    };
    if allowed.is_empty() {
        return Vec::new();
    }
    (0..workers).map(|w| allowed[allowed.len() - 1 - (w % allowed.len())]).collect()
}

/// Pins the calling thread to `cpu`; a refusal (e.g. a cpuset without it) is logged, and the
/// worker runs unpinned.
fn pin_thread(cpu: usize) {
    let mut set = nix::sched::CpuSet::new();
    let pinned =
        set.set(cpu).and_then(|_| nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set));
    if let Err(e) = pinned {
        tracing::warn!(cpu, error = %e, "cannot pin worker");
    }
}

fn run(dp: &Dataplane, w: usize) -> super::io::Result<()> {
    let mut poller = Poller::with_capacity(256)?;
    poller.add(dp.waker(w), WAKER_TOKEN)?;
    let mut registered: Vec<(u16, Arc<VpcDevice>)> = Vec::new();
    let mut snap = dp.snapshot_owned();
    dp.forwarding_with(w, snap.fib.generation);
    resync(&poller, &snap, &mut registered, w);
    let mut bufs = Buffers {
        batch: FrameBatch::new(BATCH, MAX_FRAME_LEN),
        scratch: Scratch::default(),
        pending: Vec::with_capacity(BATCH),
        run: Vec::with_capacity(BATCH),
    };
    let mut local = Counters::default();
    let mut ready: Vec<u64> = Vec::with_capacity(256);
    // One clock read per round: it dates the frames and decides whether to keep polling.
    let mut t = Instant::now();
    let mut poll_until = t;
    while !dp.stop_requested() {
        ready.clear();
        let timeout = if t < poll_until { Duration::ZERO } else { IDLE_WAIT };
        ready.extend(poller.wait(Some(timeout))?);
        t = Instant::now();
        let now = dp.ms_at(t);
        let fresh = dp.snapshot();
        if !Arc::ptr_eq(&fresh, &snap) {
            snap = arc_swap::Guard::into_inner(fresh);
            dp.forwarding_with(w, snap.fib.generation);
            resync(&poller, &snap, &mut registered, w);
        }
        let mut frames = 0;
        for &token in &ready {
            if token == WAKER_TOKEN {
                dp.waker(w).reset()?;
                continue;
            }
            frames += drain(dp, &snap, token as u16, w, &mut bufs, now, &mut local);
        }
        if frames > 0 {
            dp.publish_counters(w, &local);
            poll_until = t + dp.busy_poll();
        }
    }
    Ok(())
}

/// Reads one batch (up to [`BATCH`] frames) from queue `w` of the device at `slot`, forwards
/// it, and sends what leaves, one batch per egress device, each in the order it arrived;
/// returns how many frames it read.
fn drain(
    dp: &Dataplane,
    snap: &Snapshot,
    slot: u16,
    w: usize,
    b: &mut Buffers,
    now: u64,
    c: &mut Counters,
) -> usize {
    let Some(Some(dev)) = snap.devices.get(usize::from(slot)) else { return 0 };
    let Some(q) = dev.port.queue(w) else { return 0 };
    let vnet = q.vnet_hdr();
    let rx = match q.recv_batch(&mut b.batch, &mut b.scratch) {
        Ok(rx) => rx,
        Err(e) if e.kind() == ErrorKind::WouldBlock => return 0,
        Err(_) => {
            c.rx_errors += 1;
            return 0;
        }
    };
    c.drops[DropReason::NotIp as usize] += rx.not_ip as u64;
    c.drops[DropReason::Oversized as usize] += rx.oversized as u64;
    b.pending.clear();
    for i in 0..rx.frames {
        let mut frame = b.batch.frame(i);
        let v = process(&snap.fib, dp.flows(), slot, frame.bytes(), vnet, now);
        c.count(v);
        match v {
            Verdict::Forward { egress, len } => {
                b.pending.push((egress, Out { idx: i as u16, len: len as u32, join: false }))
            }
            Verdict::Local { service: LocalService::HealthCheck, packet, .. } => {
                if let Some(r) = ProbeReply::from_parsed(&packet) {
                    dp.queue_probe_reply(r);
                }
            }
            Verdict::Local { len, service: LocalService::Resolver, packet } => {
                if let Some(reply) = resolver::answer(&snap.fib, &packet, frame.head(len), vnet) {
                    c.tx_errors += q.send_one(&reply, &mut b.scratch).failed as u64;
                }
            }
            Verdict::Drop(_) => {}
        }
    }
    b.pending.sort_unstable_by_key(|(egress, o)| (*egress, o.idx));
    for run in b.pending.chunk_by(|x, y| x.0 == y.0) {
        let dev = snap.devices.get(usize::from(run[0].0)).and_then(|d| d.as_ref());
        let Some((dev, out)) = dev.and_then(|d| Some((d, d.port.queue(w)?))) else {
            c.tx_errors += run.len() as u64;
            continue;
        };
        b.run.clear();
        b.run.extend(run.iter().map(|(_, o)| *o));
        if dev.port.offloads().contains(Offloads::USO4) {
            coalesce_udp(&mut b.batch, &mut b.run);
        }
        c.tx_errors += out.send_batch(&b.batch, &b.run, &mut b.scratch).failed as u64;
    }
    rx.frames + rx.not_ip + rx.oversized
}

/// Makes the poller watch exactly queue `w` of every device in `snap`.
fn resync(poller: &Poller, snap: &Snapshot, registered: &mut Vec<(u16, Arc<VpcDevice>)>, w: usize) {
    let wanted: Vec<(u16, Arc<VpcDevice>)> = snap
        .devices
        .iter()
        .enumerate()
        .filter_map(|(slot, d)| d.as_ref().map(|d| (slot as u16, d.clone())))
        .collect();
    for (slot, dev) in registered.iter() {
        if !wanted.iter().any(|(s, d)| s == slot && Arc::ptr_eq(d, dev))
            && let Some(q) = dev.port.queue(w)
        {
            let _ = poller.delete(&q);
        }
    }
    for (slot, dev) in &wanted {
        if !registered.iter().any(|(s, d)| s == slot && Arc::ptr_eq(d, dev))
            && let Some(q) = dev.port.queue(w)
            && let Err(e) = poller.add(&q, u64::from(*slot))
        {
            tracing::error!(worker = w, vpc = %dev.vpc_id, error = %e, "cannot watch device queue");
        }
    }
    *registered = wanted;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{FlowConfig, FlowTable};

    /// After a publish every worker, idle or not, moves to the new snapshot and says so.
    #[test]
    fn workers_report_the_generation_they_forward_with() {
        let dp = Arc::new(Dataplane::new(2, FlowTable::new(FlowConfig::default()), Duration::ZERO).unwrap());
        let cpus = worker_cpus(2);
        assert_eq!(cpus.len(), 2, "every worker gets a CPU");
        let workers: Vec<_> =
            (0..2).map(|w| spawn(dp.clone(), w, 0, cpus.get(w).copied()).unwrap()).collect();
        assert_eq!(dp.oldest_generation_in_use(), 0);
        let fib = crate::fib::FibBuilder::new(7).build();
        dp.publish(Snapshot { fib, ..Snapshot::default() });
        let deadline = Instant::now() + Duration::from_secs(30);
        while dp.oldest_generation_in_use() != 7 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(dp.oldest_generation_in_use(), 7);
        dp.request_stop();
        dp.wake_all();
        for w in workers {
            w.join().unwrap();
        }
    }
}
