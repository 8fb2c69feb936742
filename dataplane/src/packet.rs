//! What the pipeline reads from a packet: its [`FlowKey`] and the rest of what parsing found
//! ([`Parsed`]). Plain values with no dependency on the tables, so the flow table, the
//! verdict and the services that take a local packet can all name them.

use std::net::Ipv4Addr;

/// One direction of a flow as seen on its ingress device. Addresses and ports in host order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(C)]
pub struct FlowKey {
    /// Fib index of the ingress VPC.
    pub vpc: u16,
    /// IP protocol (never 0 for a live flow).
    pub proto: u8,
    /// Source address.
    pub src: u32,
    /// Destination address.
    pub dst: u32,
    /// Source port (ICMP echo: identifier).
    pub sport: u16,
    /// Destination port (ICMP echo: 0).
    pub dport: u16,
}

impl std::hash::Hash for FlowKey {
    /// Two words instead of six fields: the key is hashed on every packet.
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u64(u64::from(self.src) << 32 | u64::from(self.dst));
        h.write_u64(
            u64::from(self.sport) << 40
                | u64::from(self.dport) << 24
                | u64::from(self.vpc) << 8
                | u64::from(self.proto),
        );
    }
}

impl FlowKey {
    /// The key a reply would carry on device `vpc` (addresses and ports swapped).
    pub fn reversed_on(&self, vpc: u16) -> FlowKey {
        FlowKey { vpc, proto: self.proto, src: self.dst, dst: self.src, sport: self.dport, dport: self.sport }
    }

    /// A well-mixed 64-bit hash of the whole key (used for Maglev target selection).
    #[inline]
    pub fn hash64(&self) -> u64 {
        let a = (u64::from(self.src) << 32 | u64::from(self.dst)) ^ u64::from(self.vpc) << 8;
        let b = u64::from(self.sport) << 32 | u64::from(self.dport) << 8 | u64::from(self.proto);
        let mut h = a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b.wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
        h ^= h >> 29;
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^ (h >> 32)
    }
}

impl std::fmt::Display for FlowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "vpc#{} proto {} {}:{} -> {}:{}",
            self.vpc,
            self.proto,
            Ipv4Addr::from(self.src),
            self.sport,
            Ipv4Addr::from(self.dst),
            self.dport
        )
    }
}

/// What the pipeline extracted from a packet before deciding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The flow key on the ingress device.
    pub key: FlowKey,
    /// TCP flags (0 for other protocols).
    pub flags: u8,
    /// What kind of ICMP message it is, if any.
    pub icmp: Icmp,
    /// Offset in the frame of the transport payload: after the TCP or UDP header, or after
    /// the 8-byte ICMP header.
    pub payload: u32,
    /// Offset in the frame where the IP packet ends (its total length).
    pub end: u32,
}

impl Parsed {
    /// The transport payload of the frame this was parsed from (`None` for another frame
    /// too short for it).
    pub fn payload<'a>(&self, frame: &'a [u8]) -> Option<&'a [u8]> {
        frame.get(self.payload as usize..self.end as usize)
    }
}

/// ICMP messages the pipeline handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icmp {
    /// Not ICMP.
    No,
    /// Echo request or reply (keyed like a port pair).
    Echo,
    /// An error about the flow whose reply key on this device is given.
    Error(FlowKey),
}
