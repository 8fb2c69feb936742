//! TCP and UDP header views with in-place port rewrites.
//!
//! Invariants: a [`TcpPacket`] has `20 <= data_offset <= buffer.len()`; a [`UdpPacket`] has at
//! least its 8-byte header. For GSO super-packets the UDP length field and the TCP payload may
//! describe the whole super-packet; the views do not check payload lengths against them.
//!
//! Checksum rules (applied by callers through the returned [`Delta`]s):
//! - a complemented TCP/UDP checksum absorbs both the address (pseudo-header) delta and the
//!   port delta;
//! - a UDP checksum of zero means "no checksum" and stays zero; a computed zero is sent
//!   as `0xffff`;
//! - under virtio `NEEDS_CSUM` the field holds the uncomplemented pseudo-header sum: only the
//!   address delta applies (ports are summed later by whoever completes the checksum).

use super::checksum::{self, Delta};
use super::{WireError, be16, put16};

/// TCP flag bits (byte 13).
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// ACK.
    pub const ACK: u8 = 0x10;
}

/// Offset of the TCP checksum field within the TCP header.
pub const TCP_CSUM_OFFSET: usize = 16;
/// Offset of the UDP checksum field within the UDP header.
pub const UDP_CSUM_OFFSET: usize = 6;

/// How the L4 checksum field of a packet must be maintained on rewrite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsumMode {
    /// The field holds a complete, complemented checksum.
    Full,
    /// virtio `NEEDS_CSUM`: the field holds the uncomplemented pseudo-header sum.
    Partial,
}

/// Rewrites ports at `sport_at`/`sport_at + 2` and the checksum at `csum_at` of an L4 header.
#[inline]
fn rewrite(
    b: &mut [u8],
    csum_at: usize,
    sport: u16,
    dport: u16,
    addr_delta: Delta,
    mode: CsumMode,
    zero_means_none: bool,
) {
    let old_s = be16(b, 0);
    let old_d = be16(b, 2);
    put16(b, 0, sport);
    put16(b, 2, dport);
    let field = be16(b, csum_at);
    let new = match mode {
        CsumMode::Partial => checksum::adjust(field, addr_delta),
        CsumMode::Full if zero_means_none && field == 0 => 0,
        CsumMode::Full => {
            let c = checksum::update_complemented(field, addr_delta.word(old_s, sport).word(old_d, dport));
            if zero_means_none && c == 0 { 0xffff } else { c }
        }
    };
    put16(b, csum_at, new);
}

/// A checked view over a TCP segment.
#[derive(Debug)]
pub struct TcpPacket<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> TcpPacket<T> {
    /// Validates `buf` (the IPv4 payload) as a TCP segment.
    pub fn new_checked(buf: T) -> Result<Self, WireError> {
        let b = buf.as_ref();
        if b.len() < 20 {
            return Err(WireError::Truncated);
        }
        let off = usize::from(b[12] >> 4) * 4;
        if off < 20 {
            return Err(WireError::Malformed);
        }
        if off > b.len() {
            return Err(WireError::Truncated);
        }
        Ok(TcpPacket { buf })
    }

    /// Source port.
    #[inline]
    pub fn src_port(&self) -> u16 {
        be16(self.buf.as_ref(), 0)
    }

    /// Destination port.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        be16(self.buf.as_ref(), 2)
    }

    /// Sequence number.
    pub fn seq_number(&self) -> u32 {
        super::be32(self.buf.as_ref(), 4)
    }

    /// Acknowledgment number.
    pub fn ack_number(&self) -> u32 {
        super::be32(self.buf.as_ref(), 8)
    }

    /// Flag byte (see [`tcp_flags`]).
    #[inline]
    pub fn flags(&self) -> u8 {
        self.buf.as_ref()[13]
    }

    /// Header length in bytes.
    pub fn header_len(&self) -> usize {
        usize::from(self.buf.as_ref()[12] >> 4) * 4
    }

    /// Checksum field.
    pub fn checksum(&self) -> u16 {
        be16(self.buf.as_ref(), TCP_CSUM_OFFSET)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> TcpPacket<T> {
    /// Sets both ports and maintains the checksum field according to `mode`.
    #[inline]
    pub fn set_ports(&mut self, sport: u16, dport: u16, addr_delta: Delta, mode: CsumMode) {
        rewrite(self.buf.as_mut(), TCP_CSUM_OFFSET, sport, dport, addr_delta, mode, false);
    }
}

/// A checked view over a UDP datagram.
#[derive(Debug)]
pub struct UdpPacket<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> UdpPacket<T> {
    /// Validates `buf` (the IPv4 payload) as a UDP datagram.
    pub fn new_checked(buf: T) -> Result<Self, WireError> {
        if buf.as_ref().len() < 8 {
            return Err(WireError::Truncated);
        }
        Ok(UdpPacket { buf })
    }

    /// Source port.
    #[inline]
    pub fn src_port(&self) -> u16 {
        be16(self.buf.as_ref(), 0)
    }

    /// Destination port.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        be16(self.buf.as_ref(), 2)
    }

    /// Checksum field (0 = none).
    pub fn checksum(&self) -> u16 {
        be16(self.buf.as_ref(), UDP_CSUM_OFFSET)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> UdpPacket<T> {
    /// Sets both ports and maintains the checksum field according to `mode`; a zero
    /// (absent) checksum stays zero.
    #[inline]
    pub fn set_ports(&mut self, sport: u16, dport: u16, addr_delta: Delta, mode: CsumMode) {
        rewrite(self.buf.as_mut(), UDP_CSUM_OFFSET, sport, dport, addr_delta, mode, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_rejects_bad_offsets() {
        let mut b = [0u8; 20];
        b[12] = 0x40;
        assert_eq!(TcpPacket::new_checked(&b[..]).unwrap_err(), WireError::Malformed);
        b[12] = 0x60;
        assert_eq!(TcpPacket::new_checked(&b[..]).unwrap_err(), WireError::Truncated);
        assert_eq!(TcpPacket::new_checked(&b[..19]).unwrap_err(), WireError::Truncated);
    }

    #[test]
    fn udp_zero_checksum_stays_zero() {
        let mut b = [0x10, 0x00, 0x00, 0x35, 0, 8, 0, 0];
        let mut u = UdpPacket::new_checked(&mut b[..]).unwrap();
        u.set_ports(1, 2, Delta::ZERO.dword(1, 2), CsumMode::Full);
        assert_eq!((u.src_port(), u.dst_port(), u.checksum()), (1, 2, 0));
    }

    #[test]
    fn partial_mode_ignores_port_changes() {
        let mut b = [0u8; 20];
        b[12] = 0x50;
        put16(&mut b, TCP_CSUM_OFFSET, 0x1234);
        let mut t = TcpPacket::new_checked(&mut b[..]).unwrap();
        t.set_ports(80, 8080, Delta::ZERO, CsumMode::Partial);
        assert_eq!(t.checksum(), 0x1234);
        t.set_ports(81, 8080, Delta::ZERO, CsumMode::Full);
        assert_ne!(t.checksum(), 0x1234);
    }
}
