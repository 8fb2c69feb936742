//! Zero-copy, checked views over the packet formats privlink touches.
//!
//! Every view follows the smoltcp pattern: `View::new_checked(buf)` validates lengths and
//! header fields once and returns a [`WireError`] for truncated or malformed input; after
//! that, accessors and setters cannot panic. Views never allocate and never copy; setters
//! change bytes in place and leave checksum maintenance to the caller (see [`checksum`]).

pub mod checksum;
pub mod icmp;
pub mod ipv4;
pub mod ipv6;
pub mod l4;
pub mod synth;
pub mod virtio;

pub use icmp::IcmpV4Packet;
pub use ipv4::Ipv4Packet;
pub use ipv6::Ipv6Packet;
pub use l4::{TcpPacket, UdpPacket};
pub use virtio::VirtioNetHdr;

/// IP protocol numbers used by the pipeline.
pub mod proto {
    /// ICMP for IPv4.
    pub const ICMP: u8 = 1;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
}

/// Why a buffer is not a valid packet of the expected kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The buffer is shorter than the header or the length the header claims.
    Truncated,
    /// A header field has a value the format does not allow (version, IHL, data offset, …).
    Malformed,
}

#[inline]
pub(crate) fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

#[inline]
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[inline]
pub(crate) fn put16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

#[inline]
pub(crate) fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
}
