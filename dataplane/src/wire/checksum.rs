//! Internet checksum arithmetic (RFC 1071) and incremental updates (RFC 1624).
//!
//! Contract:
//! - [`sum`] accumulates 16-bit big-endian words of a byte slice (an odd trailing byte is
//!   padded with zero) into a wide accumulator; [`fold`] reduces an accumulator to 16 bits
//!   *without* complementing it. A complemented checksum field is `!fold(..)`.
//! - [`adjust`] is the one primitive for in-place rewrites: given a 16-bit ones'-complement
//!   sum `s` (uncomplemented) and a [`Delta`] describing replaced words, it returns the sum
//!   of the rewritten data. For a complemented checksum field `c` the updated field is
//!   `!adjust(!c, delta)` (RFC 1624 eqn. 3), which is what [`update_complemented`] does.
//! - The virtio `NEEDS_CSUM` convention stores the *uncomplemented* pseudo-header sum in the
//!   L4 checksum field; it is updated with [`adjust`] directly and only for pseudo-header
//!   (address) changes.

/// Ones'-complement sum of `data` as big-endian 16-bit words, added to `initial`.
///
/// The accumulator is 64 bits wide so that even a 64 KiB GSO payload cannot overflow it.
#[inline]
pub fn sum(data: &[u8], initial: u64) -> u64 {
    let mut acc = initial;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        // Adding 32-bit halves of big-endian words keeps the 16-bit word structure intact
        // modulo 0xffff after folding.
        let v = u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        acc += v >> 32;
        acc += v & 0xffff_ffff;
    }
    let rest = chunks.remainder();
    let mut pairs = rest.chunks_exact(2);
    for p in &mut pairs {
        acc += u64::from(u16::from_be_bytes([p[0], p[1]]));
    }
    if let [last] = pairs.remainder() {
        acc += u64::from(*last) << 8;
    }
    acc
}

/// Folds a wide accumulator into a 16-bit ones'-complement sum (not complemented).
#[inline]
pub fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// A set of replaced 16-bit words, accumulated as `sum(!old) + sum(new)` (RFC 1624).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delta(u64);

impl Delta {
    /// No change.
    pub const ZERO: Delta = Delta(0);

    /// Records that the 16-bit word `old` was replaced by `new`.
    #[inline]
    pub fn word(self, old: u16, new: u16) -> Delta {
        Delta(self.0 + u64::from(!old) + u64::from(new))
    }

    /// Records that the 32-bit value `old` (e.g. an IPv4 address) was replaced by `new`.
    #[inline]
    pub fn dword(self, old: u32, new: u32) -> Delta {
        self.word((old >> 16) as u16, (new >> 16) as u16).word(old as u16, new as u16)
    }
}

/// Applies `delta` to an uncomplemented ones'-complement sum.
#[inline]
pub fn adjust(sum: u16, delta: Delta) -> u16 {
    fold(u64::from(sum) + delta.0)
}

/// Applies `delta` to a complemented checksum field (IPv4 header, TCP, UDP).
#[inline]
pub fn update_complemented(field: u16, delta: Delta) -> u16 {
    !adjust(!field, delta)
}

/// Sum of the IPv4 pseudo-header (addresses, protocol, L4 length), uncomplemented.
#[inline]
pub fn pseudo_header_v4(src: u32, dst: u32, proto: u8, l4_len: u32) -> u64 {
    u64::from(src >> 16)
        + u64::from(src & 0xffff)
        + u64::from(dst >> 16)
        + u64::from(dst & 0xffff)
        + u64::from(proto)
        + u64::from(l4_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(data: &[u8]) -> u16 {
        let mut acc: u32 = 0;
        for pair in data.chunks(2) {
            let w = if pair.len() == 2 {
                u16::from_be_bytes([pair[0], pair[1]])
            } else {
                u16::from(pair[0]) << 8
            };
            acc += u32::from(w);
            acc = (acc & 0xffff) + (acc >> 16);
        }
        acc as u16
    }

    #[test]
    fn sum_matches_naive_for_every_length_and_alignment() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7919 % 251) as u8).collect();
        for start in 0..9 {
            for end in start..data.len() {
                assert_eq!(fold(sum(&data[start..end], 0)), naive(&data[start..end]));
            }
        }
    }

    #[test]
    fn rfc1071_example() {
        // RFC 1071 section 3: words 0001 f203 f4f5 f6f7 sum to 0xddf2.
        assert_eq!(fold(sum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7], 0)), 0xddf2);
    }

    #[test]
    fn incremental_update_equals_recomputation() {
        let mut data: Vec<u8> = (0..64u32).map(|i| (i * 31 + 5) as u8).collect();
        let field = !fold(sum(&data, 0));
        let old = u32::from_be_bytes([data[12], data[13], data[14], data[15]]);
        let new: u32 = 0x0a00_0264;
        data[12..16].copy_from_slice(&new.to_be_bytes());
        let old_port = u16::from_be_bytes([data[20], data[21]]);
        data[20..22].copy_from_slice(&4242u16.to_be_bytes());
        let delta = Delta::ZERO.dword(old, new).word(old_port, 4242);
        let updated = update_complemented(field, delta);
        // Verification: the sum over data plus the field is -0 (0xffff) in ones' complement.
        assert_eq!(fold(sum(&data, u64::from(updated))), 0xffff);
    }

    #[test]
    fn adjust_of_uncomplemented_sum_tracks_pseudo_header() {
        let before = fold(pseudo_header_v4(0x0a00_010a, 0x0a00_0132, 6, 1500));
        let after = fold(pseudo_header_v4(0x0a00_0264, 0x0a00_010a, 6, 1500));
        let delta = Delta::ZERO.dword(0x0a00_010a, 0x0a00_0264).dword(0x0a00_0132, 0x0a00_010a);
        // Ones' complement has two zeros; compare modulo 0xffff.
        assert_eq!(adjust(before, delta) % 0xffff, after % 0xffff);
    }
}
