//! Maglev consistent hashing (Eisenbud et al., NSDI 2016) for NLB target selection.
//!
//! A [`Maglev`] table has a prime number of slots (65,537 by default), each naming a backend
//! index. It is built once per Fib compilation from the backends' stable identities (so a
//! backend keeps its permutation when others come and go, which bounds disruption to about
//! 1/N of the keys when one of N backends leaves) and integer weights (a backend with weight
//! `w` owns about `w / sum(w)` of the slots). Lookup is one hash-indexed load. Health and
//! zone filtering happen *before* the build: the Fib builds one table per (target group,
//! zone scope) over the healthy targets, or over all of them when none is healthy (fail-open).

/// Default table size: a prime larger than 100 × the largest target group we expect.
pub const DEFAULT_TABLE_SIZE: usize = 65_537;

/// Why a table cannot be built (never a panic: the backends come from the API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MaglevError {
    /// No backend has a positive weight.
    #[error("no backend has a positive weight")]
    NoBackend,
    /// More backends than a slot can name.
    #[error("{count} backends, at most {max} fit a Maglev table")]
    TooManyBackends {
        /// Backends given.
        count: usize,
        /// The most a table holds.
        max: usize,
    },
    /// The size is not a prime larger than the backend count.
    #[error(
        "a Maglev table of {size} slots for {backends} backends: the size must be a prime above the backend count"
    )]
    BadSize {
        /// Slots asked for.
        size: usize,
        /// Backends given.
        backends: usize,
    },
}

/// Backends a table can hold: a slot names one in a `u16`, and `u16::MAX` marks a free slot.
pub const MAX_BACKENDS: usize = u16::MAX as usize - 1;

fn is_prime(n: usize) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| !n.is_multiple_of(d))
}

/// A built Maglev lookup table.
#[derive(Clone, Debug)]
pub struct Maglev {
    slots: Box<[u16]>,
}

/// 64-bit FNV-1a, with a seed folded in; stable across runs and platforms.
fn fnv1a(seed: u64, data: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Final avalanche (splitmix64) so nearby names spread over the table.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

impl Maglev {
    /// Builds a table of `size` slots (a prime larger than the number of backends) for at most
    /// [`MAX_BACKENDS`] backends given as `(stable identity, weight)`. Backends with weight 0
    /// get no slot.
    pub fn build<K: AsRef<[u8]>>(backends: &[(K, u32)], size: usize) -> Result<Maglev, MaglevError> {
        if backends.len() > MAX_BACKENDS {
            return Err(MaglevError::TooManyBackends { count: backends.len(), max: MAX_BACKENDS });
        }
        if size <= backends.len() || !is_prime(size) {
            return Err(MaglevError::BadSize { size, backends: backends.len() });
        }
        let max_w = backends.iter().map(|b| b.1).max().filter(|w| *w > 0).ok_or(MaglevError::NoBackend)?;
        let m = size as u64;
        let perms: Vec<(u64, u64)> = backends
            .iter()
            .map(|(k, _)| {
                let offset = fnv1a(1, k.as_ref()) % m;
                let skip = fnv1a(2, k.as_ref()) % (m - 1) + 1;
                (offset, skip)
            })
            .collect();
        let mut next = vec![0u64; backends.len()];
        let mut credit = vec![0u64; backends.len()];
        let mut slots = vec![u16::MAX; size];
        let mut filled = 0usize;
        'outer: loop {
            for (i, &(offset, skip)) in perms.iter().enumerate() {
                // Weighted turns: a backend places one entry each time its accumulated
                // credit reaches the largest weight.
                credit[i] += u64::from(backends[i].1);
                while credit[i] >= u64::from(max_w) {
                    credit[i] -= u64::from(max_w);
                    let mut c = (offset + next[i] * skip) % m;
                    while slots[c as usize] != u16::MAX {
                        next[i] += 1;
                        c = (offset + next[i] * skip) % m;
                    }
                    slots[c as usize] = i as u16;
                    next[i] += 1;
                    filled += 1;
                    if filled == size {
                        break 'outer;
                    }
                }
            }
        }
        Ok(Maglev { slots: slots.into_boxed_slice() })
    }

    /// The backend index owning `hash`.
    #[inline]
    pub fn lookup(&self, hash: u64) -> usize {
        usize::from(self.slots[(hash % self.slots.len() as u64) as usize])
    }

    /// Number of slots.
    pub fn size(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<(String, u32)> {
        (0..n).map(|i| (format!("10.0.{}.{}:80", i / 200, i % 200 + 10), 1)).collect()
    }

    fn key_hash(i: u64) -> u64 {
        fnv1a(99, &i.to_le_bytes())
    }

    #[test]
    fn removing_one_of_ten_moves_about_a_tenth() {
        let all = names(10);
        let t1 = Maglev::build(&all, DEFAULT_TABLE_SIZE).unwrap();
        let fewer: Vec<_> = all.iter().filter(|b| b.0 != all[3].0).cloned().collect();
        let t2 = Maglev::build(&fewer, DEFAULT_TABLE_SIZE).unwrap();
        let keys = 100_000u64;
        let mut moved = 0;
        for k in 0..keys {
            let h = key_hash(k);
            let before = &all[t1.lookup(h)].0;
            let after = &fewer[t2.lookup(h)].0;
            if before != after {
                moved += 1;
            }
        }
        let frac = moved as f64 / keys as f64;
        // Keys of the removed backend (~10%) must move; Maglev adds only a little churn.
        assert!(frac >= 0.09, "only {frac} moved");
        assert!(frac <= 0.10 + 0.03, "{frac} of keys moved, bound is 0.13");
    }

    #[test]
    fn distribution_follows_weights() {
        let backends: Vec<(String, u32)> =
            vec![("a".into(), 1), ("b".into(), 2), ("c".into(), 3), ("d".into(), 4)];
        let t = Maglev::build(&backends, DEFAULT_TABLE_SIZE).unwrap();
        let mut counts = [0u32; 4];
        for k in 0..100_000u64 {
            counts[t.lookup(key_hash(k))] += 1;
        }
        for (i, c) in counts.iter().enumerate() {
            let want = 100_000.0 * f64::from(backends[i].1) / 10.0;
            let err = (f64::from(*c) - want).abs() / want;
            assert!(err < 0.05, "backend {i}: {c} keys, want ~{want}");
        }
    }

    #[test]
    fn equal_weights_are_balanced_and_zero_weight_gets_nothing() {
        let mut backends = names(5);
        backends.push(("drained".into(), 0));
        let t = Maglev::build(&backends, DEFAULT_TABLE_SIZE).unwrap();
        let mut counts = [0u32; 6];
        for s in 0..t.size() as u64 {
            counts[t.lookup(s)] += 1;
        }
        assert_eq!(counts[5], 0);
        for c in &counts[..5] {
            assert!((13_000..=13_200).contains(c), "slot counts {counts:?}");
        }
        assert_eq!(Maglev::build(&[("x", 0)], 7).unwrap_err(), MaglevError::NoBackend);
    }

    #[test]
    fn limits_are_errors_not_panics() {
        let too_many: Vec<(String, u32)> = (0..=MAX_BACKENDS).map(|i| (i.to_string(), 1)).collect();
        assert_eq!(
            Maglev::build(&too_many, DEFAULT_TABLE_SIZE).unwrap_err(),
            MaglevError::TooManyBackends { count: 65_535, max: 65_534 }
        );
        let five = names(5);
        for size in [0, 1, 4, 5, 9, 65_536] {
            assert_eq!(
                Maglev::build(&five, size).unwrap_err(),
                MaglevError::BadSize { size, backends: 5 },
                "size {size}"
            );
        }
        assert_eq!(Maglev::build(&five, 7).unwrap().size(), 7);
        let msg = Maglev::build(&too_many, DEFAULT_TABLE_SIZE).unwrap_err().to_string();
        assert!(msg.contains("65535 backends"), "{msg}");
    }
}
