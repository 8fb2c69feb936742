//! IPv6 fixed-header view (RFC 8200).
//!
//! The pipeline does not forward IPv6 yet (it drops it with a counted reason); the view exists
//! so that the drop is a parsed decision and so the IPv6 data path can grow here. Invariants
//! after [`Ipv6Packet::new_checked`]: version is 6 and `40 + payload_len <= buffer.len()`.
//! Extension headers are not walked.

use super::{WireError, be16};
use std::net::Ipv6Addr;

/// Length of the fixed IPv6 header.
pub const HEADER_LEN: usize = 40;

/// A checked view over an IPv6 packet.
#[derive(Debug)]
pub struct Ipv6Packet<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> Ipv6Packet<T> {
    /// Validates `buf` as an IPv6 packet.
    pub fn new_checked(buf: T) -> Result<Self, WireError> {
        let b = buf.as_ref();
        if b.len() < HEADER_LEN {
            return Err(WireError::Truncated);
        }
        if b[0] >> 4 != 6 {
            return Err(WireError::Malformed);
        }
        if b.len() < HEADER_LEN + usize::from(be16(b, 4)) {
            return Err(WireError::Truncated);
        }
        Ok(Ipv6Packet { buf })
    }

    /// Payload length field.
    pub fn payload_len(&self) -> usize {
        usize::from(be16(self.buf.as_ref(), 4))
    }

    /// Next header (first extension header or L4 protocol).
    pub fn next_header(&self) -> u8 {
        self.buf.as_ref()[6]
    }

    /// Hop limit.
    pub fn hop_limit(&self) -> u8 {
        self.buf.as_ref()[7]
    }

    /// Source address.
    pub fn src(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.buf.as_ref()[8..24]);
        Ipv6Addr::from(a)
    }

    /// Destination address.
    pub fn dst(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.buf.as_ref()[24..40]);
        Ipv6Addr::from(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixed_header_and_rejects_truncation() {
        let mut b = [0u8; 48];
        b[0] = 0x60;
        b[5] = 8;
        b[6] = 17;
        b[7] = 64;
        b[23] = 1;
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        assert_eq!((p.payload_len(), p.next_header(), p.hop_limit()), (8, 17, 64));
        assert_eq!(p.src(), Ipv6Addr::LOCALHOST);
        assert_eq!(Ipv6Packet::new_checked(&b[..47]).unwrap_err(), WireError::Truncated);
        b[0] = 0x40;
        assert_eq!(Ipv6Packet::new_checked(&b[..]).unwrap_err(), WireError::Malformed);
    }
}
