//! Builds small, valid IPv4 packets (TCP, UDP or ICMP echo) with correct checksums.
//!
//! Used by `privlink trace` (which runs the real pipeline on a synthetic packet) and by the
//! benchmarks. Not on the forwarding path, so it may allocate.

use super::checksum;
use super::proto;

/// Parameters of a synthetic packet. For ICMP, `sport` is the echo identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Synth {
    /// `proto::TCP`, `proto::UDP` or `proto::ICMP`.
    pub proto: u8,
    /// Source address (host order).
    pub src: u32,
    /// Destination address (host order).
    pub dst: u32,
    /// Source port / echo identifier.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// TCP flags (ignored for UDP/ICMP).
    pub tcp_flags: u8,
    /// TCP sequence number (ignored for UDP/ICMP).
    pub seq: u32,
    /// TCP acknowledgment number (ignored for UDP/ICMP).
    pub ack: u32,
    /// Zero bytes of payload.
    pub payload: usize,
}

impl Synth {
    /// Emits the packet with `payload` zero bytes of data.
    pub fn build(&self) -> Vec<u8> {
        self.build_with(&vec![0u8; self.payload])
    }

    /// Emits the packet carrying `data` (the `payload` field is ignored).
    pub fn build_with(&self, data: &[u8]) -> Vec<u8> {
        let l4_hdr = match self.proto {
            proto::TCP => 20,
            _ => 8,
        };
        let total = 20 + l4_hdr + data.len();
        let mut p = vec![0u8; total];
        p[20 + l4_hdr..].copy_from_slice(data);
        p[0] = 0x45;
        p[2..4].copy_from_slice(&(total as u16).to_be_bytes());
        p[6] = 0x40; // DF
        p[8] = 64;
        p[9] = self.proto;
        p[12..16].copy_from_slice(&self.src.to_be_bytes());
        p[16..20].copy_from_slice(&self.dst.to_be_bytes());
        let c = !checksum::fold(checksum::sum(&p[..20], 0));
        p[10..12].copy_from_slice(&c.to_be_bytes());
        let l4_len = (total - 20) as u32;
        let (csum_at, pseudo) = match self.proto {
            proto::TCP => {
                p[20..22].copy_from_slice(&self.sport.to_be_bytes());
                p[22..24].copy_from_slice(&self.dport.to_be_bytes());
                p[24..28].copy_from_slice(&self.seq.to_be_bytes());
                p[28..32].copy_from_slice(&self.ack.to_be_bytes());
                p[32] = 0x50;
                p[33] = self.tcp_flags;
                p[34..36].copy_from_slice(&64240u16.to_be_bytes());
                (36, checksum::pseudo_header_v4(self.src, self.dst, proto::TCP, l4_len))
            }
            proto::UDP => {
                p[20..22].copy_from_slice(&self.sport.to_be_bytes());
                p[22..24].copy_from_slice(&self.dport.to_be_bytes());
                p[24..26].copy_from_slice(&(l4_len as u16).to_be_bytes());
                (26, checksum::pseudo_header_v4(self.src, self.dst, proto::UDP, l4_len))
            }
            _ => {
                p[20] = super::icmp::ECHO_REQUEST;
                p[24..26].copy_from_slice(&self.sport.to_be_bytes());
                (22, 0)
            }
        };
        let c = !checksum::fold(checksum::sum(&p[20..], pseudo));
        p[csum_at..csum_at + 2].copy_from_slice(&c.to_be_bytes());
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IcmpV4Packet, Ipv4Packet, TcpPacket, UdpPacket};

    fn synth(proto: u8) -> Synth {
        Synth {
            proto,
            src: 0x0a00_010a,
            dst: 0x0a00_0132,
            sport: 4000,
            dport: 80,
            tcp_flags: 2,
            seq: 7,
            ack: 0,
            payload: 3,
        }
    }

    #[test]
    fn builds_valid_packets_of_each_protocol() {
        for p in [proto::TCP, proto::UDP, proto::ICMP] {
            let b = synth(p).build();
            let ip = Ipv4Packet::new_checked(&b[..]).unwrap();
            assert_eq!(ip.protocol(), p);
            let l4 = ip.payload();
            let pseudo = if p == proto::ICMP {
                0
            } else {
                checksum::pseudo_header_v4(ip.src_u32(), ip.dst_u32(), p, l4.len() as u32)
            };
            assert_eq!(checksum::fold(checksum::sum(l4, pseudo)), 0xffff, "L4 checksum of proto {p}");
            match p {
                proto::TCP => {
                    let t = TcpPacket::new_checked(l4).unwrap();
                    assert_eq!((t.flags(), t.seq_number(), t.ack_number()), (2, 7, 0));
                }
                proto::UDP => assert_eq!(UdpPacket::new_checked(l4).unwrap().dst_port(), 80),
                _ => assert_eq!(IcmpV4Packet::new_checked(l4).unwrap().echo_ident(), 4000),
            }
        }
    }
}
