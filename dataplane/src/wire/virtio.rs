//! The 10-byte `struct virtio_net_hdr` that prefixes every frame with offload on: on a packet
//! socket with `PACKET_VNET_HDR`, on a TUN device opened with `IFF_VNET_HDR` (little-endian on
//! the hosts privlink supports).
//!
//! A NAT rewrite never changes header lengths, so `hdr_len`, `gso_size`, `csum_start` and
//! `csum_offset` stay valid and the header is written back unchanged with the rewritten
//! super-packet. What a rewrite needs to know is [`VirtioNetHdr::needs_csum`]: when set, the
//! L4 checksum field holds the uncomplemented pseudo-header sum (see `wire::l4::CsumMode`).

use super::WireError;

/// Size of `struct virtio_net_hdr` (without `num_buffers`).
pub const LEN: usize = 10;
/// `VIRTIO_NET_HDR_F_NEEDS_CSUM`.
pub const F_NEEDS_CSUM: u8 = 1;
/// `VIRTIO_NET_HDR_GSO_NONE`.
pub const GSO_NONE: u8 = 0;
/// `VIRTIO_NET_HDR_GSO_TCPV4`.
pub const GSO_TCPV4: u8 = 1;
/// `VIRTIO_NET_HDR_GSO_UDP_L4` (USO).
pub const GSO_UDP_L4: u8 = 5;
/// `VIRTIO_NET_HDR_GSO_ECN` flag bit of `gso_type`.
pub const GSO_ECN: u8 = 0x80;

/// A decoded virtio-net header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VirtioNetHdr {
    /// `F_NEEDS_CSUM` / `F_DATA_VALID`.
    pub flags: u8,
    /// `GSO_*`, possibly with `GSO_ECN`.
    pub gso_type: u8,
    /// Length of all headers (Ethernet-less here: IP + L4).
    pub hdr_len: u16,
    /// Segment payload size for GSO.
    pub gso_size: u16,
    /// Offset where checksumming starts (the L4 header).
    pub csum_start: u16,
    /// Offset of the checksum field from `csum_start`.
    pub csum_offset: u16,
}

impl VirtioNetHdr {
    /// Parses the first [`LEN`] bytes of `b`.
    pub fn parse(b: &[u8]) -> Result<Self, WireError> {
        if b.len() < LEN {
            return Err(WireError::Truncated);
        }
        let le = |at: usize| u16::from_le_bytes([b[at], b[at + 1]]);
        Ok(VirtioNetHdr {
            flags: b[0],
            gso_type: b[1],
            hdr_len: le(2),
            gso_size: le(4),
            csum_start: le(6),
            csum_offset: le(8),
        })
    }

    /// Writes the header into the first [`LEN`] bytes of `b` (which must be long enough).
    pub fn emit(&self, b: &mut [u8]) {
        b[0] = self.flags;
        b[1] = self.gso_type;
        b[2..4].copy_from_slice(&self.hdr_len.to_le_bytes());
        b[4..6].copy_from_slice(&self.gso_size.to_le_bytes());
        b[6..8].copy_from_slice(&self.csum_start.to_le_bytes());
        b[8..10].copy_from_slice(&self.csum_offset.to_le_bytes());
    }

    /// The header as bytes.
    pub fn to_bytes(&self) -> [u8; LEN] {
        let mut b = [0u8; LEN];
        self.emit(&mut b);
        b
    }

    /// True if the L4 checksum field holds a partial (pseudo-header) sum.
    #[inline]
    pub fn needs_csum(&self) -> bool {
        self.flags & F_NEEDS_CSUM != 0
    }

    /// True if this frame is a GSO super-packet.
    #[inline]
    pub fn is_gso(&self) -> bool {
        self.gso_type & !GSO_ECN != GSO_NONE
    }
}

/// The IP packet inside a frame: the frame itself, or what follows its virtio header when
/// the device uses one (`None` if the frame is shorter than the header).
pub fn packet(frame: &[u8], vnet: bool) -> Option<&[u8]> {
    if vnet { frame.get(LEN..) } else { Some(frame) }
}

/// A frame for a device carrying the IP packet `pkt`: as is, or behind a zero virtio header
/// (no offload requested: the packet's checksums are complete) when the device uses one.
pub fn frame(pkt: &[u8], vnet: bool) -> Vec<u8> {
    let mut f = if vnet { vec![0u8; LEN] } else { Vec::new() };
    f.extend_from_slice(pkt);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let h = VirtioNetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: GSO_TCPV4 | GSO_ECN,
            hdr_len: 52,
            gso_size: 1448,
            csum_start: 20,
            csum_offset: 16,
        };
        let mut b = [0u8; LEN];
        h.emit(&mut b);
        assert_eq!(VirtioNetHdr::parse(&b).unwrap(), h);
        assert!(h.needs_csum() && h.is_gso());
        assert_eq!(VirtioNetHdr::parse(&b[..9]).unwrap_err(), WireError::Truncated);
    }

    #[test]
    fn frame_and_packet_are_inverse() {
        for vnet in [false, true] {
            let f = frame(b"ip", vnet);
            assert_eq!(f.len(), if vnet { LEN + 2 } else { 2 });
            assert_eq!(packet(&f, vnet), Some(&b"ip"[..]));
        }
        assert_eq!(packet(&[0u8; 9], true), None);
    }
}
