//! ICMP errors (destination unreachable, time exceeded, parameter problem) about a flow's
//! packets, translated back to the other side of the flow.
//!
//! An ICMP error quotes the IPv4 header and at least 8 bytes of the packet that caused it: a
//! packet the fabric emitted on this device. Swapping the quoted tuple gives the key a reply
//! would carry on this device — the flow's key for this direction. With that flow's rewrite
//! (`src`, `dst`, `sport`, `dport` as seen on the other side) the error leaves the other
//! device as if the other side's peer had sent it: outer `src → dst`, and the quoted packet
//! restored to what the other side originally sent (`dst:dport → src:sport`). A port
//! unreachable from a provider's target thus reaches the client from the ENI, quoting the
//! client's own datagram, and its socket reports "connection refused".
//!
//! Contract: pure and panic-free on any input; only errors quoting TCP or UDP with a full
//! 8-byte L4 prefix are translated; the flow is not refreshed by an error. Checksums: the
//! outer and quoted IPv4 headers and a quoted UDP/TCP checksum (when it is within the
//! quote) are updated incrementally, the ICMP checksum is recomputed.

use crate::flow::Rewrite;
use crate::packet::FlowKey;
use crate::wire::checksum::{self, Delta};
use crate::wire::{be16, be32, proto, put16, put32};

/// ICMP destination unreachable.
pub const DEST_UNREACHABLE: u8 = 3;
/// ICMP time exceeded.
pub const TIME_EXCEEDED: u8 = 11;
/// ICMP parameter problem.
pub const PARAMETER_PROBLEM: u8 = 12;

/// True for the ICMP types that quote an offending packet.
pub fn is_error(icmp_type: u8) -> bool {
    matches!(icmp_type, DEST_UNREACHABLE | TIME_EXCEEDED | PARAMETER_PROBLEM)
}

/// Offset of the quoted IPv4 header in the ICMP message, and its header length, if the quote
/// holds a whole IPv4 header of TCP/UDP plus 8 bytes.
fn quoted(icmp: &[u8]) -> Option<(usize, usize)> {
    let at = 8;
    let q = icmp.get(at..)?;
    if q.len() < 20 || q[0] >> 4 != 4 {
        return None;
    }
    let hl = usize::from(q[0] & 0x0f) * 4;
    if hl < 20 || q.len() < hl + 8 || !matches!(q[9], proto::TCP | proto::UDP) {
        return None;
    }
    Some((at, hl))
}

/// The flow key of the quoted packet's reply on device `vpc` (`None`: nothing to translate).
pub fn reply_key(vpc: u16, icmp: &[u8]) -> Option<FlowKey> {
    let (at, hl) = quoted(icmp)?;
    let q = &icmp[at..];
    Some(FlowKey {
        vpc,
        proto: q[9],
        src: be32(q, 16),
        dst: be32(q, 12),
        sport: be16(q, hl + 2),
        dport: be16(q, hl),
    })
}

/// Rewrites an IPv4 packet holding an ICMP error (validated by the pipeline) with the
/// rewrite `rw` of the quoted flow's reply direction. `ip` is the IPv4 packet without any
/// virtio header.
pub fn rewrite(ip: &mut [u8], rw: &Rewrite) {
    let hl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(be16(ip, 2)).min(ip.len());
    // Outer header: from the other side's peer (`src`) to the other side's endpoint (`dst`).
    let outer = Delta::ZERO.dword(be32(ip, 12), rw.src).dword(be32(ip, 16), rw.dst);
    put32(ip, 12, rw.src);
    put32(ip, 16, rw.dst);
    put16(ip, 10, checksum::update_complemented(be16(ip, 10), outer));
    let Some(icmp) = ip.get_mut(hl..total) else { return };
    let Some((at, qhl)) = quoted(icmp) else { return };
    let q = &mut icmp[at..];
    // The quoted packet as the other side sent it: dst:dport -> src:sport.
    let (old_src, old_dst) = (be32(q, 12), be32(q, 16));
    let (old_sport, old_dport) = (be16(q, qhl), be16(q, qhl + 2));
    let addrs = Delta::ZERO.dword(old_src, rw.dst).dword(old_dst, rw.src);
    put32(q, 12, rw.dst);
    put32(q, 16, rw.src);
    put16(q, 10, checksum::update_complemented(be16(q, 10), addrs));
    put16(q, qhl, rw.dport);
    put16(q, qhl + 2, rw.sport);
    let l4 = addrs.word(old_sport, rw.dport).word(old_dport, rw.sport);
    let csum_at = match q[9] {
        proto::UDP => Some(qhl + 6),
        _ => Some(qhl + 16).filter(|at| at + 2 <= q.len()),
    };
    if let Some(c) = csum_at {
        let old = be16(q, c);
        // A zero UDP checksum means "none" and stays zero.
        if !(q[9] == proto::UDP && old == 0) {
            put16(q, c, checksum::update_complemented(old, l4));
        }
    }
    put16(icmp, 2, 0);
    let c = !checksum::fold(checksum::sum(icmp, 0));
    put16(icmp, 2, c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_a_quoted_tcp_or_udp_header_and_eight_bytes() {
        let mut icmp = vec![3u8, 3, 0, 0, 0, 0, 0, 0];
        assert_eq!(reply_key(1, &icmp), None);
        let mut quote = vec![0x45u8, 0, 0, 36, 0, 0, 0, 0, 64, proto::UDP, 0, 0, 10, 0, 1, 254, 10, 0, 1, 10];
        quote.extend_from_slice(&[0x10, 0x00, 0x1f, 0x90, 0, 16, 0, 0]);
        icmp.extend_from_slice(&quote);
        let k = reply_key(7, &icmp).unwrap();
        assert_eq!(
            (k.vpc, k.proto, k.src, k.dst, k.sport, k.dport),
            (7, proto::UDP, 0x0a00_010a, 0x0a00_01fe, 8080, 4096)
        );
        assert_eq!(reply_key(7, &icmp[..icmp.len() - 1]), None, "fewer than 8 quoted L4 bytes");
        icmp[8 + 9] = 47;
        assert_eq!(reply_key(7, &icmp), None, "GRE is not translated");
    }
}
