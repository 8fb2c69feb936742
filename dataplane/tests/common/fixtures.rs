//! Shared fixtures for the pure pipeline tests: a lab FIB and packet builders.
//!
//! The lab: consumer VPCs A, B, C (all 10.0.0.0/16) with interface endpoints on ENI
//! 10.0.1.50 (A available, B pendingAcceptance, C rejected), a provider VPC P (also
//! 10.0.0.0/16) with an NLB (nodes 10.0.1.100 in us-east-1a, 10.0.2.100 in us-east-1b) whose
//! TCP/80 listener and UDP/53 listener front targets 10.0.1.10 (a) and 10.0.2.10 (b), a UDP/54
//! listener that A's security group does not admit, and the AWS-service network where A's
//! main route table sends the S3 prefix list (198.51.100.0/24). A's subnet 10.0.9.0/24 uses a
//! route table without that route; 192.0.2.0/24 is a blackhole in A's main table.

use etherparse::{IpHeaders, IpNumber, Ipv4Header, Ipv4Options, PacketBuilder};
use privlink_dataplane::fib::{EndpointState, Fib, FibBuilder, FibEni, FibListener, SgRule};
use privlink_dataplane::route::RouteTarget;
use privlink_dataplane::wire::proto;
use std::net::Ipv4Addr;

pub const A: u16 = 0;
pub const B: u16 = 1;
pub const C: u16 = 2;
pub const P: u16 = 3;
pub const AWS: u16 = 4;
pub const D: u16 = 5;

pub const CLIENT: [u8; 4] = [10, 0, 1, 10];
pub const ENI: [u8; 4] = [10, 0, 1, 50];
pub const NLB_A: [u8; 4] = [10, 0, 1, 100];
pub const TARGET_A: [u8; 4] = [10, 0, 1, 10];
pub const S3_HOST: [u8; 4] = [198, 51, 100, 10];

pub fn ip(a: [u8; 4]) -> Ipv4Addr {
    Ipv4Addr::from(a)
}

/// Builds the lab FIB described in the module doc; `extra_consumers` adds more VPCs like A
/// (same CIDR, same ENI address, available) after D.
pub fn lab(extra_consumers: usize) -> Fib {
    let mut b = FibBuilder::new(1);
    let cidr = "10.0.0.0/16".parse().unwrap();
    let mut consumers = Vec::new();
    for name in ["a", "b", "c"] {
        consumers.push(b.vpc(&format!("vpc-{name}"), &format!("pl-{name}"), cidr));
    }
    let p = b.vpc("vpc-p", "pl-p", cidr);
    let aws = b.aws_network("pl-aws");
    let d = b.vpc("vpc-d", "pl-d", cidr);
    assert_eq!((consumers[0], consumers[1], consumers[2], p, aws, d), (A, B, C, P, AWS, D));
    for i in 0..extra_consumers {
        consumers.push(b.vpc(&format!("vpc-x{i}"), &format!("pl-x{i}"), cidr));
    }
    for &v in consumers.iter().chain([&p, &d]) {
        b.subnet(v, "subnet-1", "10.0.1.0/24".parse().unwrap(), "us-east-1a", None);
        b.subnet(v, "subnet-2", "10.0.2.0/24".parse().unwrap(), "us-east-1b", None);
    }
    // A and D: S3 through a gateway endpoint in the main table, a blackhole, and a subnet
    // whose table lacks the prefix-list route.
    for v in [A, D] {
        let gw = RouteTarget::GatewayEndpoint { endpoint_id: "vpce-gw".into() };
        b.route(v, 0, "198.51.100.0/24".parse().unwrap(), gw);
        b.route(v, 0, "192.0.2.0/24".parse().unwrap(), RouteTarget::Blackhole);
        let plain = b.route_table(v);
        b.subnet(v, "subnet-9", "10.0.9.0/24".parse().unwrap(), "us-east-1a", Some(plain));
    }
    let tg = b.target_group(
        "tg-web",
        &[(ip(TARGET_A), 80, "us-east-1a", true), (ip([10, 0, 2, 10]), 80, "us-east-1b", true)],
    );
    let nlb = b.nlb("nlb", p, &[("us-east-1a", ip(NLB_A)), ("us-east-1b", ip([10, 0, 2, 100]))], false);
    for (tcp, udp, port) in [(true, false, 80), (false, true, 53), (false, true, 54)] {
        b.listener(nlb, FibListener { tcp, udp, port, target_group: tg, cross_zone: None });
    }
    let vpc_cidr = "10.0.0.0/16".parse().unwrap();
    let rules = vec![
        SgRule { proto: Some(proto::TCP), from_port: 80, to_port: 80, cidr: vpc_cidr },
        SgRule { proto: Some(proto::UDP), from_port: 53, to_port: 53, cidr: vpc_cidr },
    ];
    let az = b.az("us-east-1a");
    for (i, &v) in consumers.iter().enumerate() {
        let state = match v {
            B => EndpointState::PendingAcceptance,
            C => EndpointState::Rejected,
            _ => EndpointState::Available,
        };
        b.eni(FibEni {
            endpoint_id: format!("vpce-{i}"),
            eni_id: format!("eni-{i}"),
            vpc: v,
            ip: ip(ENI),
            az,
            state,
            nlb,
            sg_rules: rules.clone(),
        });
    }
    b.build()
}

/// A TCP segment with the given flags ("S", "SA", "A", "FA", "R", "PA").
pub fn tcp(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, flags: &str, payload: &[u8]) -> Vec<u8> {
    let mut b = PacketBuilder::ipv4(src, dst, 64).tcp(sport, dport, 1000, 64240);
    for f in flags.chars() {
        b = match f {
            'S' => b.syn(),
            'A' => b.ack(2000),
            'F' => b.fin(),
            'R' => b.rst(),
            'P' => b.psh(),
            _ => panic!("flag {f}"),
        };
    }
    let mut out = Vec::new();
    b.write(&mut out, payload).unwrap();
    out
}

/// A TCP SYN whose IPv4 header carries options (NOP, NOP, timestamp-ish padding).
pub fn tcp_with_ip_options(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16) -> Vec<u8> {
    let mut h = Ipv4Header::new(0, 64, IpNumber::TCP, src, dst).unwrap();
    h.options = Ipv4Options::try_from(&[1u8, 1, 1, 0, 0x44, 4, 5, 0][..]).unwrap();
    let b = PacketBuilder::ip(IpHeaders::Ipv4(h, Default::default())).tcp(sport, dport, 7, 1024).syn();
    let mut out = Vec::new();
    b.write(&mut out, b"opt").unwrap();
    out
}

/// A UDP datagram; `zero_csum` clears the (optional) UDP checksum.
pub fn udp(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, payload: &[u8], zero_csum: bool) -> Vec<u8> {
    let mut out = Vec::new();
    PacketBuilder::ipv4(src, dst, 64).udp(sport, dport).write(&mut out, payload).unwrap();
    if zero_csum {
        out[26] = 0;
        out[27] = 0;
    }
    out
}

/// An ICMP echo request.
pub fn ping(src: [u8; 4], dst: [u8; 4], ident: u16) -> Vec<u8> {
    let mut out = Vec::new();
    PacketBuilder::ipv4(src, dst, 64).icmpv4_echo_request(ident, 1).write(&mut out, b"ping").unwrap();
    out
}

/// An ICMP port unreachable from `src` to `dst` quoting the first 28 bytes of `offending`.
pub fn port_unreachable(src: [u8; 4], dst: [u8; 4], offending: &[u8]) -> Vec<u8> {
    use etherparse::{Icmpv4Type, icmpv4::DestUnreachableHeader};
    let mut out = Vec::new();
    PacketBuilder::ipv4(src, dst, 64)
        .icmpv4(Icmpv4Type::DestinationUnreachable(DestUnreachableHeader::Port))
        .write(&mut out, &offending[..28])
        .unwrap();
    out
}

/// Asserts that the IPv4 header checksum and the TCP/UDP checksum of `pkt` are exactly what a
/// full recomputation gives (a UDP checksum of zero is accepted as "none").
pub fn assert_checksums_valid(pkt: &[u8]) {
    let (h, rest) = Ipv4Header::from_slice(pkt).unwrap();
    assert_eq!(h.header_checksum, h.calc_header_checksum(), "IPv4 header checksum");
    let l4_len = usize::from(h.total_len) - h.header_len();
    let l4 = &rest[..l4_len];
    match h.protocol {
        IpNumber::TCP => {
            let (t, payload) = etherparse::TcpHeader::from_slice(l4).unwrap();
            assert_eq!(t.checksum, t.calc_checksum_ipv4(&h, payload).unwrap(), "TCP checksum");
        }
        IpNumber::ICMP => {
            assert_eq!(
                etherparse::checksum::Sum16BitWords::new().add_slice(l4).ones_complement(),
                0,
                "ICMP checksum"
            );
        }
        IpNumber::UDP => {
            let (u, payload) = etherparse::UdpHeader::from_slice(l4).unwrap();
            if u.checksum != 0 {
                assert_eq!(u.checksum, u.calc_checksum_ipv4(&h, payload).unwrap(), "UDP checksum");
            }
        }
        _ => {}
    }
}

/// Source port of a TCP/UDP packet without options-aware parsing.
pub fn sport_of(pkt: &[u8]) -> u16 {
    let hl = usize::from(pkt[0] & 0x0f) * 4;
    u16::from_be_bytes([pkt[hl], pkt[hl + 1]])
}
