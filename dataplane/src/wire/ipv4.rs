//! IPv4 header view (RFC 791), options included.
//!
//! Invariants after [`Ipv4Packet::new_checked`]: version is 4; `20 <= header_len <= total_len
//! <= buffer.len()`; the header checksum verifies. The payload is `buf[header_len..total_len]`
//! (trailing bytes past `total_len`, if any, are ignored). For a GSO super-packet read from a
//! device with a virtio header (packet port or TUN), `total_len` covers the whole super-packet, as the kernel
//! writes it.

use super::checksum::{self, Delta};
use super::{WireError, be16, be32, put16, put32};
use std::net::Ipv4Addr;

/// Fixed part of the IPv4 header.
pub const MIN_HEADER_LEN: usize = 20;

/// A checked view over an IPv4 packet.
#[derive(Debug)]
pub struct Ipv4Packet<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> Ipv4Packet<T> {
    /// Validates `buf` as an IPv4 packet.
    pub fn new_checked(buf: T) -> Result<Self, WireError> {
        let b = buf.as_ref();
        if b.len() < MIN_HEADER_LEN {
            return Err(WireError::Truncated);
        }
        if b[0] >> 4 != 4 {
            return Err(WireError::Malformed);
        }
        let hl = usize::from(b[0] & 0x0f) * 4;
        if hl < MIN_HEADER_LEN {
            return Err(WireError::Malformed);
        }
        let total = usize::from(be16(b, 2));
        if total < hl {
            return Err(WireError::Malformed);
        }
        if b.len() < total || b.len() < hl {
            return Err(WireError::Truncated);
        }
        if checksum::fold(checksum::sum(&b[..hl], 0)) != 0xffff {
            return Err(WireError::Malformed);
        }
        Ok(Ipv4Packet { buf })
    }

    /// Wraps a buffer that [`Ipv4Packet::new_checked`] already accepted (e.g. earlier in the
    /// same pipeline pass). Accessors may panic if that is not true.
    #[inline]
    pub fn new_unchecked(buf: T) -> Self {
        Ipv4Packet { buf }
    }

    /// Header length in bytes (20..=60).
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(self.buf.as_ref()[0] & 0x0f) * 4
    }

    /// Total length from the header.
    #[inline]
    pub fn total_len(&self) -> usize {
        usize::from(be16(self.buf.as_ref(), 2))
    }

    /// True if this is a fragment (MF set or a non-zero fragment offset).
    #[inline]
    pub fn is_fragment(&self) -> bool {
        be16(self.buf.as_ref(), 6) & 0x3fff != 0
    }

    /// Time to live.
    #[inline]
    pub fn ttl(&self) -> u8 {
        self.buf.as_ref()[8]
    }

    /// Payload protocol number.
    #[inline]
    pub fn protocol(&self) -> u8 {
        self.buf.as_ref()[9]
    }

    /// Header checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        be16(self.buf.as_ref(), 10)
    }

    /// Source address as a host-order integer.
    #[inline]
    pub fn src_u32(&self) -> u32 {
        be32(self.buf.as_ref(), 12)
    }

    /// Destination address as a host-order integer.
    #[inline]
    pub fn dst_u32(&self) -> u32 {
        be32(self.buf.as_ref(), 16)
    }

    /// Source address.
    pub fn src(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.src_u32())
    }

    /// Destination address.
    pub fn dst(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.dst_u32())
    }

    /// The L4 payload (`header_len..total_len`).
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buf.as_ref()[self.header_len()..self.total_len()]
    }

    /// Recomputes the header checksum from scratch and says whether it verifies.
    pub fn verify_checksum(&self) -> bool {
        checksum::fold(checksum::sum(&self.buf.as_ref()[..self.header_len()], 0)) == 0xffff
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buf
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv4Packet<T> {
    /// Rewrites source and destination addresses and updates the header checksum
    /// incrementally. Returns the address delta, which also applies to the L4 pseudo-header.
    #[inline]
    pub fn set_addrs(&mut self, src: u32, dst: u32) -> Delta {
        let delta = Delta::ZERO.dword(self.src_u32(), src).dword(self.dst_u32(), dst);
        let b = self.buf.as_mut();
        put32(b, 12, src);
        put32(b, 16, dst);
        let c = checksum::update_complemented(be16(b, 10), delta);
        put16(b, 10, c);
        delta
    }

    /// Mutable L4 payload (`header_len..total_len`).
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (hl, tl) = (self.header_len(), self.total_len());
        &mut self.buf.as_mut()[hl..tl]
    }

    /// Recomputes and stores the header checksum (used by fixtures and local endpoints).
    pub fn fill_checksum(&mut self) {
        let hl = self.header_len();
        let b = self.buf.as_mut();
        put16(b, 10, 0);
        let c = !checksum::fold(checksum::sum(&b[..hl], 0));
        put16(b, 10, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(options: &[u8], payload_len: usize) -> Vec<u8> {
        let hl = 20 + options.len();
        let mut b = vec![0u8; hl + payload_len];
        b[0] = 0x40 | (hl / 4) as u8;
        put16(&mut b, 2, (hl + payload_len) as u16);
        b[8] = 64;
        b[9] = 17;
        put32(&mut b, 12, 0x0a00_010a);
        put32(&mut b, 16, 0x0a00_0132);
        b[20..hl].copy_from_slice(options);
        let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
        p.fill_checksum();
        b
    }

    #[test]
    fn accepts_options_and_exposes_payload() {
        let b = header(&[1, 1, 1, 0], 8);
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.header_len(), 24);
        assert_eq!(p.payload().len(), 8);
        assert_eq!(p.src(), Ipv4Addr::new(10, 0, 1, 10));
    }

    #[test]
    fn rejects_bad_version_ihl_length_and_checksum() {
        let good = header(&[], 4);
        let mut b = good.clone();
        b[0] = 0x65;
        assert_eq!(Ipv4Packet::new_checked(&b[..]).unwrap_err(), WireError::Malformed);
        let mut b = good.clone();
        b[0] = 0x44;
        assert_eq!(Ipv4Packet::new_checked(&b[..]).unwrap_err(), WireError::Malformed);
        assert_eq!(Ipv4Packet::new_checked(&good[..23]).unwrap_err(), WireError::Truncated);
        let mut b = good.clone();
        b[10] ^= 0xff;
        assert_eq!(Ipv4Packet::new_checked(&b[..]).unwrap_err(), WireError::Malformed);
    }

    #[test]
    fn set_addrs_keeps_header_checksum_valid() {
        let mut b = header(&[7, 3, 4, 0], 0);
        let mut p = Ipv4Packet::new_checked(&mut b[..]).unwrap();
        p.set_addrs(0x0a00_0264, 0xc633_640a);
        assert!(p.verify_checksum());
        assert_eq!(p.dst(), Ipv4Addr::new(198, 51, 100, 10));
    }
}
