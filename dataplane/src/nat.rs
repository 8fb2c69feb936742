//! SNAT port pools, one per (provider VPC, protocol, NLB node IP, target IP, target port).
//!
//! A pool hands out source ports 1024–65535 and never hands out a port that is in use: a port
//! returns to the pool only when its flow is removed (expiry, restart), and it is handed out
//! again as late as possible (the target may still hold TIME_WAIT state for it). At most
//! `limit` ports of a pool are in use at once (the NLB's ~55,000 connections per target); past
//! that, allocation fails and the flow is dropped and counted as `nat_exhausted`.
//!
//! Ports are split in residue classes by `port % classes`: the flow table needs the reply key
//! of a NAT'ed flow to land in the same shard as the original key, and the shard of the reply
//! key is decided by the port's class (see `flow::shard_of`). So each shard owns, for every
//! pool, the one class its flows need, as a [`ClassPool`], under the shard lock it holds
//! anyway: no lock of its own. A class pool is a bitmap of the ports in use and a cursor that
//! walks the class in a random order (an affine permutation), skipping ports in use: a port is
//! reused only after the cursor went round the whole class, and neither taking nor returning
//! a port allocates. The classes of one pool share its in-use count (an atomic), which holds
//! the limit across shards. Pools are built when the FIB that routes to them is compiled
//! (`FlowTable::sync_pools`), about 10 KB each, and freed when their target, node or listener
//! is gone and no flow uses them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// First port handed out.
pub const PORT_MIN: u16 = 1024;
/// Default cap of ports in use per target (the NLB's per-target connection limit).
pub const DEFAULT_PORTS_PER_TARGET: u32 = 55_000;

/// Identifies one pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PoolKey {
    /// Provider VPC (Fib index).
    pub vpc: u16,
    /// IP protocol.
    pub proto: u8,
    /// NLB node address (the translated source).
    pub nlb: u32,
    /// Target address.
    pub target: u32,
    /// Target port.
    pub target_port: u16,
}

/// One residue class of one pool: the ports `PORT_MIN + class + classes * slot`.
#[derive(Debug)]
pub struct ClassPool {
    class: u16,
    classes: u16,
    /// Ports in the class.
    slots: u16,
    /// The walk order: slot `(mult * i + add) % slots` at step `i`; `mult` is coprime with
    /// `slots`, so the walk is a permutation.
    mult: u32,
    add: u32,
    cursor: u16,
    used: Box<[u64]>,
    in_use: Arc<AtomicU32>,
}

impl ClassPool {
    /// Class `class` of `classes` (a power of two dividing `PORT_MIN`), all ports free, in a
    /// random walk order; `in_use` is the pool's count shared by its classes.
    pub fn new(class: usize, classes: usize, in_use: Arc<AtomicU32>, rng: &mut fastrand::Rng) -> Self {
        debug_assert!(classes.is_power_of_two() && usize::from(PORT_MIN) % classes == 0 && class < classes);
        let slots = ((1usize << 16) - usize::from(PORT_MIN)) / classes;
        let mult = loop {
            let m = rng.usize(1..slots.max(2));
            if gcd(m, slots) == 1 {
                break m;
            }
        };
        ClassPool {
            class: class as u16,
            classes: classes as u16,
            slots: slots as u16,
            mult: mult as u32,
            add: rng.usize(..slots) as u32,
            cursor: 0,
            used: vec![0; slots.div_ceil(64)].into_boxed_slice(),
            in_use,
        }
    }

    fn slot_of(&self, port: u16) -> usize {
        usize::from((port - PORT_MIN - self.class) / self.classes)
    }

    /// Takes a free port, unless `limit` ports of the pool are already in use.
    pub fn alloc(&mut self, limit: u32) -> Option<u16> {
        self.in_use
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| (n < limit).then_some(n + 1))
            .ok()?;
        for _ in 0..self.slots {
            let step = u32::from(self.cursor);
            self.cursor = if self.cursor + 1 == self.slots { 0 } else { self.cursor + 1 };
            let slot = ((self.mult * step + self.add) % u32::from(self.slots)) as usize;
            let (word, bit) = (slot / 64, 1u64 << (slot % 64));
            if self.used[word] & bit == 0 {
                self.used[word] |= bit;
                return Some(PORT_MIN + self.class + self.classes * slot as u16);
            }
        }
        self.in_use.fetch_sub(1, Ordering::Relaxed);
        None
    }

    /// Whether [`alloc`](Self::alloc) would hand out a port now.
    pub fn can_alloc(&self, limit: u32) -> bool {
        self.in_use.load(Ordering::Relaxed) < limit
            && self.used.iter().map(|w| w.count_ones()).sum::<u32>() < u32::from(self.slots)
    }

    /// Returns `port` (one this class handed out); a port not in use is ignored.
    pub fn release(&mut self, port: u16) {
        let slot = self.slot_of(port);
        let (word, bit) = (slot / 64, 1u64 << (slot % 64));
        if self.used[word] & bit != 0 {
            self.used[word] &= !bit;
            self.in_use.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn pool(class: usize, classes: usize, seed: u64) -> ClassPool {
        ClassPool::new(class, classes, Arc::new(AtomicU32::new(0)), &mut fastrand::Rng::with_seed(seed))
    }

    #[test]
    fn ports_are_unique_in_class_and_limited() {
        let mut p = pool(5, 16, 7);
        let mut seen = HashSet::new();
        for _ in 0..100 {
            let port = p.alloc(100).unwrap();
            assert_eq!(usize::from(port) % 16, 5);
            assert!(port >= PORT_MIN);
            assert!(seen.insert(port), "port {port} handed out twice");
        }
        assert_eq!(p.alloc(100), None, "limit of 100 in use must hold");
        p.release(*seen.iter().next().unwrap());
        assert!(p.alloc(100).is_some());
    }

    #[test]
    fn released_port_is_reused_last_and_the_whole_class_is_used() {
        let mut p = pool(0, 1, 1);
        let first = p.alloc(u32::MAX).unwrap();
        p.release(first);
        let mut seen = HashSet::new();
        for _ in 0..(65_535 - 1024) {
            let port = p.alloc(u32::MAX).unwrap();
            assert_ne!(port, first);
            assert!(seen.insert(port));
        }
        assert_eq!(p.alloc(u32::MAX), Some(first));
        assert_eq!(p.alloc(u32::MAX), None, "whole range in use");
        assert!(!p.can_alloc(u32::MAX));
        assert_eq!(p.in_use.load(Ordering::Relaxed), 65_536 - 1024);
    }

    #[test]
    fn classes_of_one_pool_share_its_limit() {
        let shared = Arc::new(AtomicU32::new(0));
        let mut rng = fastrand::Rng::with_seed(3);
        let mut a = ClassPool::new(0, 32, shared.clone(), &mut rng);
        let mut b = ClassPool::new(1, 32, shared.clone(), &mut rng);
        let pa = a.alloc(2).unwrap();
        assert!(b.alloc(2).is_some());
        assert_eq!(a.alloc(2), None, "two in use across the classes");
        assert!(!b.can_alloc(2));
        a.release(pa);
        a.release(pa);
        assert_eq!(shared.load(Ordering::Relaxed), 1, "a port released twice counts once");
    }
}
