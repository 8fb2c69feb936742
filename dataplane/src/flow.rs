//! The flow table: a sharded, concurrent map from both directions of every flow to its record.
//!
//! Contract:
//! - A flow is created once, by the first packet of its initiator, with a [`FlowPlan`]: either
//!   NAT to an NLB target (interface endpoint) or forward unchanged to another VPC (gateway
//!   endpoint). Both its keys — the initiator's `fwd` key and the responder's `rev` key, each
//!   as seen on its own ingress device — map to one record, so a lookup by either direction
//!   is one probe and yields the rewrite for that direction: a packet matching one key leaves
//!   with the *other* key reversed (`src = other.dst`, `sport = other.dport`, …).
//! - Both keys of a flow live in the same shard ([`shard_of`] ignores the VPC and is symmetric
//!   in the two endpoints; NAT ports are chosen from the residue class that makes the reply
//!   key land in the original key's shard). So every operation takes exactly one shard lock.
//!   Each shard owns its residue class of every NAT pool ([`ClassPool`]): taking and returning
//!   a port happen under that same lock. The pool registry (the in-use count each pool's
//!   classes share) is locked only when pools are built or freed, after a shard lock if both.
//! - Pools are built when the FIB that routes to them is compiled ([`FlowTable::sync_pools`]),
//!   so a new flow allocates nothing; a pool missing at a flow's first packet (a table used
//!   without `sync_pools`, as in tests) is built then. A pool no FIB routes to is freed only
//!   when no port of it is in use, checked with every shard locked (the one operation that
//!   holds them all): workers forwarding with the previous FIB may still open flows through
//!   it until the new one is published.
//! - A reply key is never shared by two flows: NAT ports are unique per pool, and a gateway
//!   flow whose reply key exists already (two VPCs with identical addresses talking to the
//!   same service tuple) is refused with `GatewayTupleCollision` rather than misdelivered.
//! - Expiry is lazy on lookup and by [`FlowTable::sweep`]; removing a flow returns its NAT
//!   port. Time is passed in as milliseconds (wrapping `u32` inside the record), never read.
//! - TCP tracking: SYN-only flows use the transitory timeout, established and half-closed
//!   flows the idle timeout, fully closed (FIN both ways) or reset flows the short closed
//!   timeout. A pure SYN from the initiator on a closing or closed flow removes it and reports
//!   a miss, so the caller creates a fresh flow (as conntrack does for recycled ports).
//!
//! - Every packet a flow forwards is counted in its direction (packets, and bytes of the IP
//!   packet; a GSO super-frame counts as one packet), under the shard lock the lookup holds
//!   anyway: plain adds, no atomics.
//! - Every removal — expiry (lazy or by sweep), a re-opened TCP flow, a purge — hands one
//!   [`FlowRecord`] to the table's [`FlowSink`] (none by default), once per flow, under the
//!   shard lock: a sink must be quick and must not touch the table. Flow logs are built on it.
//!
//! Memory: 16-byte keys, a 56-byte record (the counters are packed into 18 bytes), two hash
//! entries per flow (see the benchmarks and README for the measured bytes per flow at 1M
//! flows).
//!
//! Why hand-written shards rather than `dashmap`: a flow must be reachable from both of its
//! keys under one lock. With independent maps each direction would need its own copy of the
//! flow's state (or a second lookup and a second lock), costing memory (the budget is 150
//! bytes per flow) and a lock per packet. Choosing the NAT port's residue class puts both keys
//! in one shard by construction.

use crate::nat::{ClassPool, DEFAULT_PORTS_PER_TARGET, PoolKey};
pub use crate::packet::FlowKey;
use crate::verdict::DropReason;
use crate::wire::l4::tcp_flags;
use crate::wire::proto;
use hashbrown::HashMap;
use parking_lot::Mutex;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};

/// Number of shards (a power of two). Also the number of NAT port residue classes.
pub const SHARDS: usize = 32;

#[inline]
fn addr_mix(a: u32, b: u32, proto: u8) -> usize {
    let x = u64::from(a ^ b) | u64::from(proto) << 32;
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize
}

/// The shard of a key: independent of the VPC, symmetric in (src, dst) and (sport, dport),
/// and linear in the ports so that a NAT port can be chosen to hit a given shard.
#[inline]
pub fn shard_of(k: &FlowKey) -> usize {
    (addr_mix(k.src, k.dst, k.proto) + usize::from(k.sport) + usize::from(k.dport)) & (SHARDS - 1)
}

/// The residue class a NAT port must have so that the reply key
/// `(target:target_port -> nlb:port)` lands in shard `shard`.
#[inline]
fn nat_class_for(shard: usize, nlb: u32, target: u32, target_port: u16, proto: u8) -> usize {
    shard.wrapping_sub(addr_mix(target, nlb, proto)).wrapping_sub(usize::from(target_port)) & (SHARDS - 1)
}

/// How a new flow is to be forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowPlan {
    /// Interface endpoint: SNAT to `nlb` with a pool port, DNAT to `target:target_port`, out
    /// of the device of `vpc` (the provider VPC).
    Nat {
        /// Provider VPC.
        vpc: u16,
        /// NLB node address.
        nlb: u32,
        /// Target address.
        target: u32,
        /// Target port.
        target_port: u16,
    },
    /// Gateway endpoint: forward unchanged out of the device of `vpc` (the AWS-service network).
    Forward {
        /// Egress VPC.
        vpc: u16,
    },
}

/// The rewrite for one packet of an existing flow: the packet leaves through `egress` with
/// these addresses and ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rewrite {
    /// Egress VPC.
    pub egress: u16,
    /// New source address.
    pub src: u32,
    /// New destination address.
    pub dst: u32,
    /// New source port.
    pub sport: u16,
    /// New destination port.
    pub dport: u16,
}

impl Rewrite {
    /// The rewrite that makes a packet leave as the reverse of `other`, a flow's key for the
    /// other direction: out of `other.vpc`, from `other.dst:dport` to `other.src:sport`.
    pub fn towards(other: &FlowKey) -> Rewrite {
        Rewrite { egress: other.vpc, src: other.dst, dst: other.src, sport: other.dport, dport: other.sport }
    }
}

/// Timeouts and limits. All durations in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowConfig {
    /// Established (and half-closed) TCP idle timeout; NLB default 350 s.
    pub tcp_idle_ms: u32,
    /// TCP flows that have seen only the initiator's SYN.
    pub tcp_transitory_ms: u32,
    /// TCP flows closed by FIN in both directions or by RST.
    pub tcp_closed_ms: u32,
    /// UDP (and ICMP echo) idle timeout; NLB default 120 s.
    pub udp_idle_ms: u32,
    /// Maximum number of flows; beyond it new flows are dropped as `FlowTableFull`.
    pub max_flows: usize,
    /// Maximum NAT ports in use per target (per pool).
    pub max_ports_per_target: u32,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            tcp_idle_ms: 350_000,
            tcp_transitory_ms: 30_000,
            tcp_closed_ms: 2_000,
            udp_idle_ms: 120_000,
            max_flows: 1 << 20,
            max_ports_per_target: DEFAULT_PORTS_PER_TARGET,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum State {
    Free = 0,
    /// UDP / ICMP: one idle timeout.
    Datagram,
    TcpSynSent,
    TcpEstablished,
    /// At least one FIN seen ([`FIN_FWD`] / [`FIN_REV`] in `bits`).
    TcpClosing,
    /// FIN both ways, or RST.
    TcpClosed,
}

/// `Flow::bits`: a FIN seen from the initiator, from the responder; a NAT'ed flow.
const FIN_FWD: u8 = 1;
const FIN_REV: u8 = 2;
const NAT: u8 = 4;

#[derive(Clone, Copy, Debug)]
struct Flow {
    fwd: FlowKey,
    rev: FlowKey,
    last_seen: u32,
    state: State,
    /// [`FIN_FWD`], [`FIN_REV`], [`NAT`]: one byte, so the record stays at 56 bytes.
    bits: u8,
    /// Per-direction counters (index 0: the initiator's packets, 1: the responder's), kept in
    /// 18 bytes for the memory budget: 32-bit packet counts and 40-bit byte counts (1 TiB per
    /// direction), both wrapping.
    packets: [u32; 2],
    bytes_lo: [u32; 2],
    bytes_hi: [u8; 2],
}

impl Flow {
    fn nat(&self) -> bool {
        self.bits & NAT != 0
    }

    /// Why this flow ends when its timeout has passed.
    fn expiry_reason(&self) -> EndReason {
        if self.state == State::TcpClosed { EndReason::Closed } else { EndReason::Idle }
    }

    #[inline]
    fn count(&mut self, dir: usize, len: u32) {
        self.packets[dir] = self.packets[dir].wrapping_add(1);
        let (lo, carry) = self.bytes_lo[dir].overflowing_add(len);
        self.bytes_lo[dir] = lo;
        self.bytes_hi[dir] = self.bytes_hi[dir].wrapping_add(u8::from(carry));
    }

    fn packets(&self) -> [u64; 2] {
        self.packets.map(u64::from)
    }

    fn bytes(&self) -> [u64; 2] {
        [0, 1].map(|d| u64::from(self.bytes_hi[d]) << 32 | u64::from(self.bytes_lo[d]))
    }
}

/// Why a flow left the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum EndReason {
    /// Idle longer than its state's timeout.
    Idle,
    /// TCP closed (FIN both ways or RST) and its short timeout passed.
    Closed,
    /// Its initiator opened it again with a pure SYN while it was closing.
    Reopened,
    /// Cut by the control plane (its VPC deleted, its endpoint no longer available).
    Purged,
}

impl EndReason {
    /// Every reason, in a fixed order (counter arrays are indexed by it).
    pub const ALL: [EndReason; 4] =
        [EndReason::Idle, EndReason::Closed, EndReason::Reopened, EndReason::Purged];

    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Idle => "idle",
            EndReason::Closed => "closed",
            EndReason::Reopened => "reopened",
            EndReason::Purged => "purged",
        }
    }
}

/// A flow that left the table, as handed to the [`FlowSink`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowRecord {
    /// The initiator's key.
    pub fwd: FlowKey,
    /// The responder's key.
    pub rev: FlowKey,
    /// True for NAT'ed (interface endpoint) flows.
    pub nat: bool,
    /// Packets and bytes from the initiator (`[0]`) and from the responder (`[1]`).
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    /// The table's clock (ms, wrapping) at the flow's last packet and at its removal.
    pub last_seen_ms: u32,
    pub ended_ms: u32,
    pub reason: EndReason,
}

/// Where flows that leave the table go (flow logs, counters). Called under a shard lock.
pub trait FlowSink: Send + Sync {
    fn flow_ended(&self, record: &FlowRecord);
}

impl<T: FlowSink + ?Sized> FlowSink for std::sync::Arc<T> {
    fn flow_ended(&self, record: &FlowRecord) {
        (**self).flow_ended(record)
    }
}

/// A sink that tallies ended flows: how many per [`EndReason`], and their packets and bytes.
#[derive(Debug, Default)]
pub struct EndedFlows {
    by_reason: [AtomicU64; EndReason::ALL.len()],
    packets: AtomicU64,
    bytes: AtomicU64,
}

impl EndedFlows {
    /// Flows that ended for `reason`.
    pub fn count(&self, reason: EndReason) -> u64 {
        self.by_reason[reason as usize].load(Ordering::Relaxed)
    }

    /// Packets and bytes, both directions, of every flow that ended.
    pub fn totals(&self) -> (u64, u64) {
        (self.packets.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }
}

impl FlowSink for EndedFlows {
    fn flow_ended(&self, r: &FlowRecord) {
        self.by_reason[r.reason as usize].fetch_add(1, Ordering::Relaxed);
        self.packets.fetch_add(r.packets[0] + r.packets[1], Ordering::Relaxed);
        self.bytes.fetch_add(r.bytes[0] + r.bytes[1], Ordering::Relaxed);
    }
}

/// One direction's view of a flow, for `privlink flows` and traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowInfo {
    /// The initiator's key.
    pub fwd: FlowKey,
    /// The responder's key.
    pub rev: FlowKey,
    /// TCP/UDP state name.
    pub state: &'static str,
    /// Milliseconds since the last packet.
    pub idle_ms: u32,
    /// True for NAT'ed (interface endpoint) flows.
    pub nat: bool,
    /// Packets and bytes from the initiator (`[0]`) and from the responder (`[1]`).
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
}

#[derive(Default)]
struct Shard {
    map: HashMap<FlowKey, u32>,
    slab: Vec<Flow>,
    free: Vec<u32>,
    /// This shard's residue class of every NAT pool.
    pools: HashMap<PoolKey, ClassPool>,
}

#[repr(align(64))]
struct PaddedShard(Mutex<Shard>);

/// Result of [`FlowTable::lookup`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// An existing flow; rewrite the packet like this.
    Hit(Rewrite),
    /// No live flow for this key.
    Miss,
}

/// The shared flow table.
pub struct FlowTable {
    cfg: FlowConfig,
    shards: Box<[PaddedShard]>,
    pools: Mutex<Registry>,
    len: AtomicUsize,
    created: AtomicU64,
    sink: Option<Box<dyn FlowSink>>,
}

/// The NAT pools that exist: each one's in-use count, shared by its classes in the shards.
struct Registry {
    in_use: HashMap<PoolKey, Arc<AtomicU32>>,
    rng: fastrand::Rng,
}

impl Registry {
    /// The class pool of `key` that shard `shard` needs, registering the pool if it is new.
    fn class_pool(&mut self, key: &PoolKey, shard: usize) -> ClassPool {
        let count = self.in_use.entry(*key).or_default().clone();
        let class = nat_class_for(shard, key.nlb, key.target, key.target_port, key.proto);
        ClassPool::new(class, SHARDS, count, &mut self.rng)
    }
}

impl FlowTable {
    /// An empty table.
    pub fn new(cfg: FlowConfig) -> Self {
        let shards = (0..SHARDS).map(|_| PaddedShard(Mutex::new(Shard::default()))).collect();
        FlowTable {
            cfg,
            shards,
            pools: Mutex::new(Registry { in_use: HashMap::new(), rng: fastrand::Rng::new() }),
            len: AtomicUsize::new(0),
            created: AtomicU64::new(0),
            sink: None,
        }
    }

    /// The table, handing every flow that leaves it to `sink`.
    pub fn with_sink(self, sink: Box<dyn FlowSink>) -> Self {
        FlowTable { sink: Some(sink), ..self }
    }

    /// The configuration the table was built with.
    pub fn config(&self) -> &FlowConfig {
        &self.cfg
    }

    /// Number of live flows (each counts once, not per direction).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// Flows created since the table was made.
    pub fn created(&self) -> u64 {
        self.created.load(Ordering::Relaxed)
    }

    /// True if no flow is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reserves room for `flows` flows up front (spread over the shards), so that the table
    /// does not rehash while it fills.
    pub fn reserve(&self, flows: usize) {
        let per = flows / SHARDS + 1;
        for s in self.shards.iter() {
            let mut s = s.0.lock();
            s.map.reserve(per * 2);
            s.slab.reserve(per);
        }
    }

    fn timeout(&self, f: &Flow) -> u32 {
        match f.state {
            State::Datagram => self.cfg.udp_idle_ms,
            State::TcpSynSent => self.cfg.tcp_transitory_ms,
            State::TcpEstablished | State::TcpClosing => self.cfg.tcp_idle_ms,
            State::TcpClosed | State::Free => self.cfg.tcp_closed_ms,
        }
    }

    fn expired(&self, f: &Flow, now: u32) -> bool {
        idle(now, f.last_seen) > self.timeout(f)
    }

    /// Whether flow `f`, found under key `k`, still serves a packet with TCP flags `flags` at
    /// `now`: it has not expired, and it is not a closing flow that its initiator re-opens
    /// with a pure SYN.
    fn serves(&self, f: &Flow, k: &FlowKey, flags: u8, now: u32) -> bool {
        let restart = f.fwd == *k
            && flags & (tcp_flags::SYN | tcp_flags::ACK | tcp_flags::RST) == tcp_flags::SYN
            && matches!(f.state, State::TcpClosing | State::TcpClosed);
        !restart && !self.expired(f, now)
    }

    /// Why `f` no longer serves: re-opened by its initiator, else expired (idle or closed).
    fn end_reason(&self, f: &Flow, k: &FlowKey, flags: u8, now: u32) -> EndReason {
        if self.expired(f, now) {
            f.expiry_reason()
        } else if f.fwd == *k && flags & tcp_flags::SYN != 0 {
            EndReason::Reopened
        } else {
            EndReason::Idle
        }
    }

    /// Looks up the flow of a packet with key `k` (and TCP flags `flags`, 0 for non-TCP) whose
    /// IP packet is `len` bytes, refreshing its idle timer and TCP state and counting the
    /// packet. A flow that no longer [serves](Self::peek) the packet (expired, or re-opened)
    /// is removed and reported as a miss.
    #[inline]
    pub fn lookup(&self, k: &FlowKey, flags: u8, len: u32, now_ms: u64) -> Lookup {
        let now = now_ms as u32;
        let mut shard = self.shards[shard_of(k)].0.lock();
        let Some(&idx) = shard.map.get(k) else {
            return Lookup::Miss;
        };
        let f = &shard.slab[idx as usize];
        if !self.serves(f, k, flags, now) {
            let reason = self.end_reason(f, k, flags, now);
            self.remove(&mut shard, idx, now, reason);
            return Lookup::Miss;
        }
        let f = &mut shard.slab[idx as usize];
        let is_fwd = f.fwd == *k;
        f.count(usize::from(!is_fwd), len);
        if idle(now, f.last_seen) > 0 {
            f.last_seen = now;
        }
        if f.fwd.proto == proto::TCP {
            track_tcp(f, is_fwd, flags);
        }
        Lookup::Hit(Rewrite::towards(if is_fwd { &f.rev } else { &f.fwd }))
    }

    /// What [`lookup`](Self::lookup) would find for a packet with key `k` and TCP flags
    /// `flags`, without touching the flow (traces, ICMP errors about a flow).
    pub fn peek(&self, k: &FlowKey, flags: u8, now_ms: u64) -> Option<Rewrite> {
        let shard = self.shards[shard_of(k)].0.lock();
        let f = &shard.slab[*shard.map.get(k)? as usize];
        self.serves(f, k, flags, now_ms as u32)
            .then(|| Rewrite::towards(if f.fwd == *k { &f.rev } else { &f.fwd }))
    }

    /// Creates the flow whose initiator's key is `fwd` and returns the rewrite for its first
    /// packet (`len` bytes, counted). If another worker created it meanwhile, that flow's
    /// rewrite is returned.
    pub fn insert(
        &self,
        fwd: &FlowKey,
        plan: FlowPlan,
        flags: u8,
        len: u32,
        now_ms: u64,
    ) -> Result<Rewrite, DropReason> {
        self.create(fwd, plan, flags, len, now_ms, true)
    }

    /// What [`insert`](Self::insert) would return, changing nothing (traces). A new NAT flow's
    /// port is not chosen: the rewrite's `sport` is 0, and only the pool's capacity is checked.
    pub fn admit(&self, fwd: &FlowKey, plan: FlowPlan, now_ms: u64) -> Result<Rewrite, DropReason> {
        self.create(fwd, plan, 0, 0, now_ms, false)
    }

    /// [`insert`](Self::insert) when `commit`, else [`admit`](Self::admit): one sequence of
    /// checks for both, so a trace cannot drift from what the packet path does.
    fn create(
        &self,
        fwd: &FlowKey,
        plan: FlowPlan,
        flags: u8,
        len: u32,
        now_ms: u64,
        commit: bool,
    ) -> Result<Rewrite, DropReason> {
        let now = now_ms as u32;
        let si = shard_of(fwd);
        let mut shard = self.shards[si].0.lock();
        if let Some(&idx) = shard.map.get(fwd) {
            // Another worker created a flow with this key since the caller's lookup missed.
            let f = &shard.slab[idx as usize];
            if !self.expired(f, now) {
                return Ok(Rewrite::towards(if f.fwd == *fwd { &f.rev } else { &f.fwd }));
            }
            if commit {
                let reason = f.expiry_reason();
                self.remove(&mut shard, idx, now, reason);
            }
        }
        if self.len.load(Ordering::Relaxed) >= self.cfg.max_flows {
            return Err(DropReason::FlowTableFull);
        }
        let (rev, nat) = match plan {
            FlowPlan::Forward { vpc } => (fwd.reversed_on(vpc), false),
            FlowPlan::Nat { vpc, nlb, target, target_port } => {
                let key = PoolKey { vpc, proto: fwd.proto, nlb, target, target_port };
                let limit = self.cfg.max_ports_per_target;
                let port = if commit {
                    if !shard.pools.contains_key(&key) {
                        let pool = self.pools.lock().class_pool(&key, si);
                        shard.pools.insert(key, pool);
                    }
                    shard.pools.get_mut(&key).and_then(|p| p.alloc(limit))
                } else {
                    // A pool not built yet has every port free.
                    shard.pools.get(&key).map_or(limit > 0, |p| p.can_alloc(limit)).then_some(0)
                }
                .ok_or(DropReason::NatExhausted)?;
                let rev =
                    FlowKey { vpc, proto: fwd.proto, src: target, dst: nlb, sport: target_port, dport: port };
                (rev, true)
            }
        };
        if !commit {
            // A NAT flow's reply key depends on the port a commit would choose.
            if !nat && shard.map.contains_key(&rev) {
                return Err(DropReason::GatewayTupleCollision);
            }
            return Ok(Rewrite::towards(&rev));
        }
        debug_assert_eq!(shard_of(&rev), si, "reply key must share the flow's shard");
        if shard.map.contains_key(&rev) {
            if nat {
                release_port(&mut shard, &rev);
            }
            return Err(DropReason::GatewayTupleCollision);
        }
        let state = if fwd.proto == proto::TCP { State::TcpSynSent } else { State::Datagram };
        let mut flow = Flow {
            fwd: *fwd,
            rev,
            last_seen: now,
            state,
            bits: if nat { NAT } else { 0 },
            packets: [0; 2],
            bytes_lo: [0; 2],
            bytes_hi: [0; 2],
        };
        flow.count(0, len);
        if fwd.proto == proto::TCP {
            track_tcp(&mut flow, true, flags);
        }
        let idx = match shard.free.pop() {
            Some(i) => {
                shard.slab[i as usize] = flow;
                i
            }
            None => {
                shard.slab.push(flow);
                (shard.slab.len() - 1) as u32
            }
        };
        shard.map.insert(*fwd, idx);
        shard.map.insert(rev, idx);
        self.len.fetch_add(1, Ordering::Relaxed);
        self.created.fetch_add(1, Ordering::Relaxed);
        Ok(Rewrite::towards(&rev))
    }

    fn remove(&self, shard: &mut Shard, idx: u32, now: u32, reason: EndReason) {
        let f = shard.slab[idx as usize];
        if let Some(sink) = &self.sink {
            sink.flow_ended(&FlowRecord {
                fwd: f.fwd,
                rev: f.rev,
                nat: f.nat(),
                packets: f.packets(),
                bytes: f.bytes(),
                last_seen_ms: f.last_seen,
                ended_ms: now,
                reason,
            });
        }
        shard.map.remove(&f.fwd);
        shard.map.remove(&f.rev);
        shard.slab[idx as usize].state = State::Free;
        shard.free.push(idx);
        if f.nat() {
            release_port(shard, &f.rev);
        }
        self.len.fetch_sub(1, Ordering::Relaxed);
    }

    /// Removes every expired flow; returns how many were removed.
    pub fn sweep(&self, now_ms: u64) -> usize {
        let now = now_ms as u32;
        let mut removed = 0;
        for s in self.shards.iter() {
            let mut shard = s.0.lock();
            for idx in 0..shard.slab.len() as u32 {
                let f = &shard.slab[idx as usize];
                if f.state != State::Free && self.expired(f, now) {
                    let reason = f.expiry_reason();
                    self.remove(&mut shard, idx, now, reason);
                    removed += 1;
                }
            }
        }
        removed
    }

    /// Removes every flow matching `pred` (e.g. flows of a deleted endpoint) at `now_ms`;
    /// returns the count.
    pub fn purge(&self, now_ms: u64, mut pred: impl FnMut(&FlowKey, &FlowKey) -> bool) -> usize {
        let now = now_ms as u32;
        let mut removed = 0;
        for s in self.shards.iter() {
            let mut shard = s.0.lock();
            for idx in 0..shard.slab.len() as u32 {
                let f = &shard.slab[idx as usize];
                if f.state != State::Free && pred(&f.fwd, &f.rev) {
                    self.remove(&mut shard, idx, now, EndReason::Purged);
                    removed += 1;
                }
            }
        }
        removed
    }

    /// Up to `limit` live flows, for display.
    pub fn snapshot(&self, now_ms: u64, limit: usize) -> Vec<FlowInfo> {
        let now = now_ms as u32;
        let mut out = Vec::new();
        for s in self.shards.iter() {
            let shard = s.0.lock();
            for f in shard.slab.iter().filter(|f| f.state != State::Free) {
                if out.len() == limit {
                    return out;
                }
                out.push(FlowInfo {
                    fwd: f.fwd,
                    rev: f.rev,
                    state: match f.state {
                        State::Datagram => "active",
                        State::TcpSynSent => "syn_sent",
                        State::TcpEstablished => "established",
                        State::TcpClosing => "closing",
                        State::TcpClosed | State::Free => "closed",
                    },
                    idle_ms: idle(now, f.last_seen),
                    nat: f.nat(),
                    packets: f.packets(),
                    bytes: f.bytes(),
                });
            }
        }
        out
    }

    /// NAT ports in use for one pool (tests and stats).
    pub fn ports_in_use(&self, key: &PoolKey) -> u32 {
        self.pools.lock().in_use.get(key).map_or(0, |n| n.load(Ordering::Relaxed))
    }

    /// Makes the pools match `wanted` (the pools a FIB can route to, [`Fib::pool_keys`]):
    /// builds the missing ones in every shard, and frees the ones not wanted that no flow
    /// uses (their target, node or listener is gone). Returns (built, freed). Called before
    /// the FIB is published, so its new flows find their pools built.
    ///
    /// [`Fib::pool_keys`]: crate::fib::Fib::pool_keys
    pub fn sync_pools(&self, wanted: &HashSet<PoolKey>) -> (usize, usize) {
        let new: Vec<PoolKey> = {
            let reg = self.pools.lock();
            wanted.iter().filter(|k| !reg.in_use.contains_key(*k)).copied().collect()
        };
        for (si, s) in self.shards.iter().enumerate() {
            // Built outside the shard lock (the registry lock is never taken under it here).
            let built: Vec<(PoolKey, ClassPool)> = {
                let mut reg = self.pools.lock();
                new.iter().map(|k| (*k, reg.class_pool(k, si))).collect()
            };
            let mut shard = s.0.lock();
            for (k, pool) in built {
                shard.pools.entry(k).or_insert(pool);
            }
        }
        let freed = self.free_pools(&self.idle_pools(wanted));
        (new.len(), freed)
    }

    /// The pools not in `wanted` that no flow uses right now. Workers forward with the
    /// previous FIB until the new one is published, so such a pool can still gain a flow:
    /// [`free_pools`](Self::free_pools) checks again.
    fn idle_pools(&self, wanted: &HashSet<PoolKey>) -> Vec<PoolKey> {
        let reg = self.pools.lock();
        reg.in_use
            .iter()
            .filter(|(k, n)| !wanted.contains(*k) && n.load(Ordering::Relaxed) == 0)
            .map(|(k, _)| *k)
            .collect()
    }

    /// Frees the pools of `idle` that are still unused, from every shard and the registry;
    /// returns how many. Ports are taken and returned only under a shard lock, so with every
    /// shard locked (in index order, then the registry: the table's lock order) a pool's
    /// in-use count cannot change between the check and the removal.
    fn free_pools(&self, idle: &[PoolKey]) -> usize {
        if idle.is_empty() {
            return 0;
        }
        let mut shards: Vec<_> = self.shards.iter().map(|s| s.0.lock()).collect();
        let mut reg = self.pools.lock();
        let unused: Vec<PoolKey> = idle
            .iter()
            .filter(|k| reg.in_use.get(*k).is_some_and(|n| n.load(Ordering::Relaxed) == 0))
            .copied()
            .collect();
        for k in &unused {
            for shard in shards.iter_mut() {
                shard.pools.remove(k);
            }
            reg.in_use.remove(k);
        }
        unused.len()
    }

    /// NAT pools currently held.
    pub fn pools(&self) -> usize {
        self.pools.lock().in_use.len()
    }
}

/// Returns the NAT port of `rev` (a NAT'ed flow's reply key) to its pool's class in `shard`.
fn release_port(shard: &mut Shard, rev: &FlowKey) {
    let key =
        PoolKey { vpc: rev.vpc, proto: rev.proto, nlb: rev.dst, target: rev.src, target_port: rev.sport };
    if let Some(pool) = shard.pools.get_mut(&key) {
        pool.release(rev.dport);
    }
}

/// Milliseconds since `last`, on the wrapping 32-bit clock. Workers read the clock once per
/// batch, so a worker's `now` may be slightly *older* than a `last_seen` another worker just
/// wrote: such a negative age counts as zero, never as a huge one.
#[inline]
fn idle(now: u32, last: u32) -> u32 {
    let age = now.wrapping_sub(last);
    if age > u32::MAX / 2 { 0 } else { age }
}

fn track_tcp(f: &mut Flow, is_fwd: bool, flags: u8) {
    if flags & tcp_flags::RST != 0 {
        f.state = State::TcpClosed;
        return;
    }
    if flags & tcp_flags::FIN != 0 {
        f.bits |= if is_fwd { FIN_FWD } else { FIN_REV };
        f.state = if f.bits & (FIN_FWD | FIN_REV) == FIN_FWD | FIN_REV {
            State::TcpClosed
        } else {
            State::TcpClosing
        };
        return;
    }
    if f.state == State::TcpSynSent && !is_fwd {
        f.state = State::TcpEstablished;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::l4::tcp_flags::{ACK, FIN, RST, SYN};

    fn key(vpc: u16, src: u32, sport: u16, dst: u32, dport: u16) -> FlowKey {
        FlowKey { vpc, proto: proto::TCP, src, dst, sport, dport }
    }

    const CLIENT: u32 = 0x0a00_010a;
    const ENI: u32 = 0x0a00_0132;
    const NLB: u32 = 0x0a00_0264;
    const TARGET: u32 = 0x0a00_010a;

    fn nat() -> FlowPlan {
        FlowPlan::Nat { vpc: 9, nlb: NLB, target: TARGET, target_port: 8080 }
    }

    #[test]
    fn pools_are_built_ahead_and_freed_when_unwanted_and_idle() {
        let t = FlowTable::new(FlowConfig::default());
        let pool = PoolKey { vpc: 9, proto: proto::TCP, nlb: NLB, target: TARGET, target_port: 8080 };
        let wanted: HashSet<PoolKey> = [pool].into();
        assert_eq!(t.sync_pools(&wanted), (1, 0));
        assert_eq!(t.sync_pools(&wanted), (0, 0), "built once");
        assert!(t.shards.iter().all(|s| s.0.lock().pools.contains_key(&pool)), "every shard has its class");
        let fwd = key(1, CLIENT, 40000, ENI, 80);
        t.insert(&fwd, nat(), SYN, 60, 0).unwrap();
        assert_eq!(t.ports_in_use(&pool), 1);
        assert_eq!(t.sync_pools(&HashSet::new()), (0, 0), "a pool with a port in use stays");
        assert_eq!(t.purge(0, |f, _| *f == fwd), 1);
        assert_eq!(t.ports_in_use(&pool), 0);
        assert_eq!(t.sync_pools(&wanted), (0, 0), "a wanted pool stays");
        assert_eq!(t.sync_pools(&HashSet::new()), (0, 1));
        assert_eq!(t.pools(), 0);
        assert!(t.shards.iter().all(|s| s.0.lock().pools.is_empty()));
        // A table used without sync_pools builds a pool at its first flow.
        t.insert(&fwd, nat(), SYN, 60, 0).unwrap();
        assert_eq!(t.pools(), 1);
    }

    /// A pool judged idle that gains a flow before it is freed stays, with its port: freeing
    /// it would hand the port out again, to a second flow with the same reply key.
    #[test]
    fn a_pool_that_gains_a_flow_after_the_idle_check_is_not_freed() {
        let t = FlowTable::new(FlowConfig::default());
        let pool = PoolKey { vpc: 9, proto: proto::TCP, nlb: NLB, target: TARGET, target_port: 8080 };
        t.sync_pools(&[pool].into());
        let idle = t.idle_pools(&HashSet::new());
        assert_eq!(idle, [pool], "no flow uses it yet");
        // A worker still forwarding with the previous FIB opens a flow through it.
        let fwd = key(1, CLIENT, 40000, ENI, 80);
        t.insert(&fwd, nat(), SYN, 60, 0).unwrap();
        assert_eq!(t.free_pools(&idle), 0, "checked again under the locks");
        assert_eq!(t.pools(), 1);
        assert_eq!(t.ports_in_use(&pool), 1);
        assert!(t.shards.iter().all(|s| s.0.lock().pools.contains_key(&pool)));
        // The flow's port comes back to the pool it came from; then the pool can go.
        assert_eq!(t.purge(0, |f, _| *f == fwd), 1);
        assert_eq!(t.ports_in_use(&pool), 0);
        assert_eq!(t.sync_pools(&HashSet::new()), (0, 1));
    }

    #[test]
    fn a_pools_limit_holds_across_shards() {
        let t = FlowTable::new(FlowConfig { max_ports_per_target: 3, ..FlowConfig::default() });
        let mut shards = HashSet::new();
        let mut ok = 0;
        for port in 1000..1100u16 {
            let k = key(1, CLIENT, port, ENI, 80);
            shards.insert(shard_of(&k));
            if t.insert(&k, nat(), SYN, 60, 0).is_ok() {
                ok += 1;
            }
        }
        assert!(shards.len() > 3, "the flows spread over shards");
        assert_eq!(ok, 3);
    }

    #[test]
    fn both_directions_find_the_flow_and_rewrite_symmetrically() {
        let t = FlowTable::new(FlowConfig::default());
        let fwd = key(1, CLIENT, 40000, ENI, 80);
        let rw = t.insert(&fwd, nat(), SYN, 60, 0).unwrap();
        assert_eq!((rw.egress, rw.src, rw.dst, rw.dport), (9, NLB, TARGET, 8080));
        let reply = key(9, TARGET, 8080, NLB, rw.sport);
        let back = t.lookup(&reply, SYN | ACK, 60, 1);
        assert_eq!(back, Lookup::Hit(Rewrite { egress: 1, src: ENI, dst: CLIENT, sport: 80, dport: 40000 }));
        assert_eq!(t.lookup(&fwd, ACK, 60, 2), Lookup::Hit(rw));
        assert_eq!(t.len(), 1);
    }

    /// Collects every record a table hands out.
    struct Recorder(std::sync::Arc<Mutex<Vec<FlowRecord>>>);

    impl FlowSink for Recorder {
        fn flow_ended(&self, record: &FlowRecord) {
            self.0.lock().push(*record);
        }
    }

    fn recorded(cfg: FlowConfig) -> (FlowTable, std::sync::Arc<Mutex<Vec<FlowRecord>>>) {
        let log = std::sync::Arc::new(Mutex::new(Vec::new()));
        (FlowTable::new(cfg).with_sink(Box::new(Recorder(log.clone()))), log)
    }

    #[test]
    fn flows_count_each_direction_and_leave_one_record() {
        let cfg = FlowConfig::default();
        let (t, log) = recorded(cfg);
        let fwd = key(1, CLIENT, 40000, ENI, 80);
        let rw = t.insert(&fwd, nat(), SYN, 60, 0).unwrap();
        let reply = key(9, TARGET, 8080, NLB, rw.sport);
        t.lookup(&reply, SYN | ACK, 60, 1);
        for _ in 0..3 {
            t.lookup(&fwd, ACK, 1000, 2);
        }
        for _ in 0..2 {
            t.lookup(&reply, ACK, 500, 3);
        }
        let info = &t.snapshot(3, 10)[0];
        assert_eq!((info.packets, info.bytes), ([4, 3], [3060, 1060]));
        t.lookup(&fwd, RST, 40, 4);
        assert!(log.lock().is_empty(), "nothing ends while the flow lives");
        let end = 4 + u64::from(cfg.tcp_closed_ms) + 1;
        assert_eq!(t.sweep(end), 1);
        let r = log.lock();
        assert_eq!(r.len(), 1, "one record per flow");
        assert_eq!((r[0].fwd, r[0].rev, r[0].nat), (fwd, reply, true));
        assert_eq!((r[0].packets, r[0].bytes), ([5, 3], [3100, 1060]));
        assert_eq!((r[0].last_seen_ms, r[0].ended_ms, r[0].reason), (4, end as u32, EndReason::Closed));
    }

    #[test]
    fn every_way_out_names_its_reason() {
        let cfg = FlowConfig::default();
        let (t, log) = recorded(cfg);
        let reasons = |log: &Mutex<Vec<FlowRecord>>| log.lock().iter().map(|r| r.reason).collect::<Vec<_>>();
        // Idle: found expired by a lookup.
        let a = key(1, CLIENT, 1000, ENI, 80);
        t.insert(&a, nat(), SYN, 60, 0).unwrap();
        assert_eq!(t.lookup(&a, ACK, 60, u64::from(cfg.tcp_transitory_ms) + 1), Lookup::Miss);
        assert_eq!(reasons(&log), [EndReason::Idle]);
        // Reopened: a pure SYN from the initiator on a closing flow.
        let b = key(1, CLIENT, 2000, ENI, 80);
        t.insert(&b, nat(), SYN, 60, 0).unwrap();
        t.lookup(&b, FIN | ACK, 60, 1);
        assert_eq!(t.lookup(&b, SYN, 60, 2), Lookup::Miss);
        // Purged by the control plane.
        let c = key(1, CLIENT, 3000, ENI, 80);
        t.insert(&c, nat(), SYN, 60, 0).unwrap();
        assert_eq!(t.purge(5, |f, _| *f == c), 1);
        assert_eq!(reasons(&log), [EndReason::Idle, EndReason::Reopened, EndReason::Purged]);
        assert_eq!(log.lock()[2].ended_ms, 5);
        assert!(t.is_empty());
    }

    #[test]
    fn the_tally_counts_what_ended() {
        let tally = std::sync::Arc::new(EndedFlows::default());
        let t = FlowTable::new(FlowConfig::default()).with_sink(Box::new(tally.clone()));
        for port in [1000, 2000] {
            let k = key(1, CLIENT, port, ENI, 80);
            t.insert(&k, nat(), SYN, 60, 0).unwrap();
            t.lookup(&k, ACK, 40, 1);
        }
        assert_eq!(t.purge(2, |_, _| true), 2);
        assert_eq!((tally.count(EndReason::Purged), tally.count(EndReason::Idle)), (2, 0));
        assert_eq!(tally.totals(), (4, 200));
    }

    #[test]
    fn byte_counts_carry_past_32_bits() {
        let t = FlowTable::new(FlowConfig::default());
        let k = FlowKey { proto: proto::UDP, ..key(1, CLIENT, 1000, ENI, 53) };
        t.insert(&k, nat(), 0, u32::MAX, 0).unwrap();
        t.lookup(&k, 0, u32::MAX, 1);
        t.lookup(&k, 0, 2, 2);
        let f = &t.snapshot(2, 1)[0];
        assert_eq!((f.packets, f.bytes), ([3, 0], [2 * u64::from(u32::MAX) + 2, 0]));
        assert_eq!(std::mem::size_of::<Flow>(), 56, "the record stays within the memory budget");
    }

    #[test]
    fn reply_key_always_shares_the_shard() {
        let t = FlowTable::new(FlowConfig::default());
        for i in 0..2000u32 {
            let fwd = key(1, CLIENT + i, 1024 + i as u16, ENI, 80);
            let rw = t.insert(&fwd, nat(), SYN, 60, 0).unwrap();
            let reply = key(9, rw.dst, rw.dport, rw.src, rw.sport);
            assert_eq!(shard_of(&reply), shard_of(&fwd));
            assert!(matches!(t.lookup(&reply, ACK, 60, 0), Lookup::Hit(_)));
        }
    }

    #[test]
    fn idle_timeouts_depend_on_state() {
        let cfg = FlowConfig::default();
        let t = FlowTable::new(cfg);
        let fwd = key(1, CLIENT, 40000, ENI, 80);
        let rw = t.insert(&fwd, nat(), SYN, 60, 0).unwrap();
        let reply = key(9, TARGET, 8080, NLB, rw.sport);
        t.lookup(&reply, SYN | ACK, 60, 10);
        // Established: alive just before the idle timeout, gone just after.
        let at = u64::from(cfg.tcp_idle_ms) + 10;
        assert!(matches!(t.lookup(&fwd, ACK, 60, at), Lookup::Hit(_)));
        assert_eq!(t.lookup(&fwd, ACK, 60, at + u64::from(cfg.tcp_idle_ms) + 1), Lookup::Miss);
        assert!(t.is_empty());
    }

    #[test]
    fn fin_both_ways_or_rst_shortens_the_timeout_and_sweep_frees_ports() {
        let cfg = FlowConfig::default();
        let t = FlowTable::new(cfg);
        let pool = PoolKey { vpc: 9, proto: proto::TCP, nlb: NLB, target: TARGET, target_port: 8080 };
        let a = key(1, CLIENT, 40000, ENI, 80);
        let rw = t.insert(&a, nat(), SYN, 60, 0).unwrap();
        let ra = key(9, TARGET, 8080, NLB, rw.sport);
        t.lookup(&ra, SYN | ACK, 60, 0);
        t.lookup(&a, FIN | ACK, 60, 0);
        t.lookup(&ra, FIN | ACK, 60, 0);
        let b = key(1, CLIENT, 40001, ENI, 80);
        t.insert(&b, nat(), SYN, 60, 0).unwrap();
        t.lookup(&b, RST, 60, 0);
        let c = key(1, CLIENT, 40002, ENI, 80);
        t.insert(&c, nat(), SYN, 60, 0).unwrap();
        assert_eq!(t.ports_in_use(&pool), 3);
        let removed = t.sweep(u64::from(cfg.tcp_closed_ms) + 1);
        assert_eq!(removed, 2, "closed and reset flows expire, the SYN-only one lives on");
        assert_eq!(t.ports_in_use(&pool), 1);
    }

    #[test]
    fn syn_on_a_closing_flow_starts_a_fresh_one() {
        let t = FlowTable::new(FlowConfig::default());
        let fwd = key(1, CLIENT, 40000, ENI, 80);
        t.insert(&fwd, nat(), SYN, 60, 0).unwrap();
        assert!(matches!(t.lookup(&fwd, SYN, 60, 5), Lookup::Hit(_)), "SYN retransmit keeps the flow");
        t.lookup(&fwd, FIN | ACK, 60, 6);
        assert_eq!(t.lookup(&fwd, SYN, 60, 7), Lookup::Miss, "recycled port must not stall");
        assert!(t.is_empty());
        assert!(t.insert(&fwd, nat(), SYN, 60, 7).is_ok());
    }

    #[test]
    fn nat_exhaustion_at_the_limit_and_reuse_only_after_expiry() {
        let cfg = FlowConfig { max_ports_per_target: 100, ..FlowConfig::default() };
        let t = FlowTable::new(cfg);
        let mut ports = std::collections::HashSet::new();
        for i in 0..100u16 {
            let rw = t.insert(&key(1, CLIENT, 2000 + i, ENI, 80), nat(), SYN, 60, 0).unwrap();
            assert!(ports.insert(rw.sport), "NAT port {} reused while in use", rw.sport);
        }
        assert_eq!(
            t.insert(&key(1, CLIENT, 5000, ENI, 80), nat(), SYN, 60, 0),
            Err(DropReason::NatExhausted)
        );
        // Still exhausted just before the transitory timeout…
        let before = u64::from(cfg.tcp_transitory_ms);
        assert_eq!(t.sweep(before), 0);
        assert_eq!(
            t.insert(&key(1, CLIENT, 5000, ENI, 80), nat(), SYN, 60, before),
            Err(DropReason::NatExhausted)
        );
        // …and free again after it.
        assert_eq!(t.sweep(before + 1), 100);
        assert!(t.insert(&key(1, CLIENT, 5000, ENI, 80), nat(), SYN, 60, before + 1).is_ok());
    }

    #[test]
    fn gateway_collision_is_refused_not_misdelivered() {
        let t = FlowTable::new(FlowConfig::default());
        let svc = 0xc633_640a;
        let a = key(1, CLIENT, 40000, svc, 443);
        let b = key(2, CLIENT, 40000, svc, 443);
        let rw = t.insert(&a, FlowPlan::Forward { vpc: 7 }, SYN, 60, 0).unwrap();
        assert_eq!((rw.egress, rw.src, rw.dst, rw.sport, rw.dport), (7, CLIENT, svc, 40000, 443));
        assert_eq!(
            t.insert(&b, FlowPlan::Forward { vpc: 7 }, SYN, 60, 0),
            Err(DropReason::GatewayTupleCollision)
        );
        let reply = key(7, svc, 443, CLIENT, 40000);
        assert!(matches!(t.lookup(&reply, ACK, 60, 0), Lookup::Hit(Rewrite { egress: 1, .. })));
    }

    #[test]
    fn table_full_is_a_drop() {
        let t = FlowTable::new(FlowConfig { max_flows: 3, ..FlowConfig::default() });
        for i in 0..3 {
            t.insert(&key(1, CLIENT, 1000 + i, ENI, 80), nat(), SYN, 60, 0).unwrap();
        }
        assert_eq!(t.insert(&key(1, CLIENT, 9, ENI, 80), nat(), SYN, 60, 0), Err(DropReason::FlowTableFull));
    }

    #[test]
    fn a_clock_read_slightly_earlier_by_another_worker_is_not_expiry() {
        let t = FlowTable::new(FlowConfig::default());
        let fwd = key(1, CLIENT, 40000, ENI, 80);
        t.insert(&fwd, nat(), SYN, 60, 1_000).unwrap();
        assert!(matches!(t.lookup(&fwd, ACK, 60, 1_005), Lookup::Hit(_)));
        assert!(matches!(t.lookup(&fwd, ACK, 60, 999), Lookup::Hit(_)), "older batch clock");
        assert_eq!(t.sweep(998), 0);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn time_wraps_without_false_expiry() {
        let t = FlowTable::new(FlowConfig::default());
        let start = u64::from(u32::MAX) - 5;
        let fwd = FlowKey { proto: proto::UDP, ..key(1, CLIENT, 5353, ENI, 53) };
        t.insert(&fwd, nat(), 0, 60, start).unwrap();
        assert!(matches!(t.lookup(&fwd, 0, 60, start + 10), Lookup::Hit(_)));
    }
}
