//! SNAT port pools, one per (provider VPC, protocol, NLB node IP, target IP, target port).
//!
//! A pool hands out source ports 1024–65535 in random order and never hands out a port that
//! is in use: a port returns to the pool only when its flow is removed (expiry, restart), and
//! it goes to the *back* of the queue so that it is reused as late as possible (the target may
//! still hold TIME_WAIT state for it). At most `limit` ports of a pool are in use at once (the
//! NLB's ~55,000 connections per target); past that, allocation fails and the flow is dropped
//! and counted as `nat_exhausted`.
//!
//! Ports are kept in `classes` by `port % classes`: the flow table needs the reply key of a
//! NAT'ed flow to land in the same shard as the original key, and the shard of the reply key
//! is decided by the port's class (see `flow::shard_of`). A pool is created lazily on first
//! use and kept afterwards (about 130 KB).

use std::collections::VecDeque;

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

/// The free ports of one pool, split in residue classes.
#[derive(Debug)]
pub struct PortPool {
    classes: Box<[VecDeque<u16>]>,
    in_use: u32,
}

impl PortPool {
    /// A full pool with ports `PORT_MIN..=65535` shuffled, in `classes` residue classes
    /// (`classes` must be a power of two).
    pub fn new(classes: usize, rng: &mut fastrand::Rng) -> Self {
        debug_assert!(classes.is_power_of_two());
        let mut all: Vec<u16> = (PORT_MIN..=u16::MAX).collect();
        rng.shuffle(&mut all);
        let mut cls: Vec<VecDeque<u16>> =
            (0..classes).map(|_| VecDeque::with_capacity(all.len() / classes + 1)).collect();
        for p in all {
            cls[usize::from(p) & (classes - 1)].push_back(p);
        }
        PortPool { classes: cls.into_boxed_slice(), in_use: 0 }
    }

    /// Takes a free port of residue class `class`, unless `limit` ports are already in use.
    pub fn alloc(&mut self, class: usize, limit: u32) -> Option<u16> {
        if self.in_use >= limit {
            return None;
        }
        let p = self.classes[class].pop_front()?;
        self.in_use += 1;
        Some(p)
    }

    /// Whether [`alloc`](Self::alloc) would hand out a port of `class` now.
    pub fn can_alloc(&self, class: usize, limit: u32) -> bool {
        self.in_use < limit && !self.classes[class].is_empty()
    }

    /// Returns `port` to the back of its class.
    pub fn release(&mut self, port: u16) {
        let n = self.classes.len();
        self.classes[usize::from(port) & (n - 1)].push_back(port);
        self.in_use -= 1;
    }

    /// Ports currently in use.
    pub fn in_use(&self) -> u32 {
        self.in_use
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ports_are_unique_in_class_and_limited() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut pool = PortPool::new(16, &mut rng);
        let mut seen = HashSet::new();
        for _ in 0..100 {
            let p = pool.alloc(5, 100).unwrap();
            assert_eq!(usize::from(p) % 16, 5);
            assert!(p >= PORT_MIN);
            assert!(seen.insert(p), "port {p} handed out twice");
        }
        assert_eq!(pool.alloc(3, 100), None, "limit of 100 in use must hold");
        pool.release(*seen.iter().next().unwrap());
        assert!(pool.alloc(3, 100).is_some());
    }

    #[test]
    fn released_port_is_reused_last() {
        let mut rng = fastrand::Rng::with_seed(1);
        let mut pool = PortPool::new(1, &mut rng);
        let first = pool.alloc(0, u32::MAX).unwrap();
        pool.release(first);
        for _ in 0..(65_535 - 1024) {
            assert_ne!(pool.alloc(0, u32::MAX).unwrap(), first);
        }
        assert_eq!(pool.alloc(0, u32::MAX), Some(first));
        assert_eq!(pool.alloc(0, u32::MAX), None, "whole range in use");
    }
}
