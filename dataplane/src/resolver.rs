//! The VPC resolver ("AmazonProvidedDNS" at VPC base + 2, UDP 53), answered by the fabric.
//!
//! Contract:
//! - It answers A queries from the VPC's own records (compiled into the FIB): each interface
//!   endpoint's regional and zonal DNS names, the service's private DNS name when the endpoint
//!   has private DNS enabled (so the service's own name resolves to the ENIs inside that VPC
//!   only), and the managed gateway services' public names (their stand-in addresses).
//! - A known name asked for another type gets an empty NOERROR answer; an unknown name gets
//!   NXDOMAIN (the emulated region has no internet to recurse to). Malformed queries get no
//!   answer. Answers carry TTL 60 and the recursion-available flag.
//! - Queries are rare, so this path may allocate; it is never taken for forwarded traffic.

use crate::fib::Fib;
use crate::packet::Parsed;
use crate::wire::{proto, synth::Synth, virtio};
use simple_dns::rdata::{A, RData};
use simple_dns::{CLASS, Packet, PacketFlag, QTYPE, RCODE, ResourceRecord, TYPE};

/// TTL of every answer, seconds.
pub const TTL: u32 = 60;

/// The DNS message answering `query` from the records of VPC `vpc`.
pub fn answer_message(fib: &Fib, vpc: u16, query: &[u8]) -> Option<Vec<u8>> {
    let q = Packet::parse(query).ok()?;
    if q.has_flags(PacketFlag::RESPONSE) {
        return None;
    }
    let mut reply = Packet::new_reply(q.id());
    reply.set_flags(PacketFlag::RECURSION_AVAILABLE);
    if q.has_flags(PacketFlag::RECURSION_DESIRED) {
        reply.set_flags(PacketFlag::RECURSION_DESIRED);
    }
    let mut known = true;
    for question in &q.questions {
        let Some(ips) = fib.resolve(vpc, &question.qname.to_string()) else {
            known = false;
            continue;
        };
        if matches!(question.qtype, QTYPE::TYPE(TYPE::A) | QTYPE::ANY) {
            for ip in ips {
                let rdata = RData::A(A { address: u32::from(*ip) });
                reply.answers.push(ResourceRecord::new(question.qname.clone(), CLASS::IN, TTL, rdata));
            }
        }
    }
    if !known {
        *reply.rcode_mut() = RCODE::NameError;
    }
    reply.questions = q.questions.clone();
    reply.build_bytes_vec().ok()
}

/// The reply frame (with a zero virtio header when `vnet`) to a query `q` in `frame` that the
/// pipeline handed to the resolver of VPC `q.key.vpc`.
pub fn answer(fib: &Fib, q: &Parsed, frame: &[u8], vnet: bool) -> Option<Vec<u8>> {
    let k = &q.key;
    let message = answer_message(fib, k.vpc, q.payload(frame)?)?;
    let reply = Synth {
        proto: proto::UDP,
        src: k.dst,
        dst: k.src,
        sport: k.dport,
        dport: k.sport,
        tcp_flags: 0,
        seq: 0,
        ack: 0,
        payload: 0,
    };
    Some(virtio::frame(&reply.build_with(&message), vnet))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fib::FibBuilder;
    use crate::pipeline::parse;
    use crate::wire::{Ipv4Packet, UdpPacket};
    use std::net::Ipv4Addr;

    fn fib() -> Fib {
        let mut b = FibBuilder::new(1);
        let v = b.vpc("vpc-a", "pl-a", "10.0.0.0/16".parse().unwrap());
        b.dns_record(v, "vpce-1-abc.vpce-svc-1.us-east-1.vpce.amazonaws.com", Ipv4Addr::new(10, 0, 1, 50));
        b.dns_record(v, "API.example.com.", Ipv4Addr::new(10, 0, 1, 50));
        b.dns_record(v, "api.example.com", Ipv4Addr::new(10, 0, 2, 50));
        b.build()
    }

    fn query(name: &str, qtype: TYPE) -> Vec<u8> {
        let mut q = Packet::new_query(0x4242);
        q.set_flags(PacketFlag::RECURSION_DESIRED);
        q.questions.push(simple_dns::Question::new(
            simple_dns::Name::new_unchecked(name),
            QTYPE::TYPE(qtype),
            simple_dns::QCLASS::CLASS(CLASS::IN),
            false,
        ));
        q.build_bytes_vec().unwrap()
    }

    fn a_records(msg: &[u8]) -> (RCODE, Vec<Ipv4Addr>) {
        let p = Packet::parse(msg).unwrap();
        let ips = p
            .answers
            .iter()
            .filter_map(|rr| match &rr.rdata {
                RData::A(a) => Some(Ipv4Addr::from(a.address)),
                _ => None,
            })
            .collect();
        (p.rcode(), ips)
    }

    #[test]
    fn answers_known_names_case_insensitively() {
        let f = fib();
        let msg = answer_message(&f, 0, &query("Api.Example.COM", TYPE::A)).unwrap();
        let p = Packet::parse(&msg).unwrap();
        assert_eq!(p.id(), 0x4242);
        assert!(p.has_flags(PacketFlag::RESPONSE | PacketFlag::RECURSION_AVAILABLE));
        assert_eq!(
            a_records(&msg),
            (RCODE::NoError, vec![Ipv4Addr::new(10, 0, 1, 50), Ipv4Addr::new(10, 0, 2, 50)])
        );
    }

    #[test]
    fn unknown_names_are_nxdomain_and_other_types_are_empty() {
        let f = fib();
        assert_eq!(
            a_records(&answer_message(&f, 0, &query("example.org", TYPE::A)).unwrap()),
            (RCODE::NameError, vec![])
        );
        assert_eq!(
            a_records(&answer_message(&f, 0, &query("api.example.com", TYPE::AAAA)).unwrap()),
            (RCODE::NoError, vec![])
        );
        assert!(answer_message(&f, 0, b"\\x00garbage").is_none());
    }

    #[test]
    fn answers_frames_from_the_resolver_address() {
        let f = fib();
        let q = Synth {
            proto: proto::UDP,
            src: 0x0a00_010a,
            dst: 0x0a00_0002,
            sport: 40000,
            dport: 53,
            tcp_flags: 0,
            seq: 0,
            ack: 0,
            payload: 0,
        }
        .build_with(&query("api.example.com", TYPE::A));
        let r = answer(&f, &parse(0, &q, false).unwrap(), &q, false).unwrap();
        let ip = Ipv4Packet::new_checked(&r[..]).unwrap();
        let udp = UdpPacket::new_checked(ip.payload()).unwrap();
        assert_eq!(
            (ip.src_u32(), ip.dst_u32(), udp.src_port(), udp.dst_port()),
            (0x0a00_0002, 0x0a00_010a, 53, 40000)
        );
        assert_eq!(a_records(&ip.payload()[8..]).1.len(), 2);
    }
}
