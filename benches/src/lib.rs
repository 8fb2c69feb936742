//! Shared setup for the criterion micro-benchmarks in `benches/` (the benchmarks themselves
//! live in `benches/benches/`). Builds a small PrivateLink lab FIB and raw packets.

use privlink_dataplane::fib::{EndpointState, Fib, FibBuilder, FibEni, FibListener, SgRule};
use privlink_dataplane::route::RouteTarget;
use privlink_dataplane::wire::proto;
use privlink_dataplane::wire::synth::Synth;
use std::net::Ipv4Addr;

/// Consumer VPC index in [`lab_fib`].
pub const CONSUMER: u16 = 0;
/// Provider VPC index in [`lab_fib`].
pub const PROVIDER: u16 = 1;
/// AWS-service network index in [`lab_fib`].
pub const AWS: u16 = 2;
/// The ENI address of the consumer's interface endpoint.
pub const ENI: [u8; 4] = [10, 0, 1, 50];

/// A consumer VPC with an interface endpoint (TCP/80, UDP/53) to a provider NLB with
/// `targets` targets in one zone, and a gateway endpoint to 198.51.100.0/24.
pub fn lab_fib(targets: usize) -> Fib {
    let mut b = FibBuilder::new(1);
    let cidr = "10.0.0.0/16".parse().unwrap();
    let c = b.vpc("vpc-c", "pl-c", cidr);
    let p = b.vpc("vpc-p", "pl-p", cidr);
    b.aws_network("pl-aws");
    for v in [c, p] {
        b.subnet(v, "subnet-a", "10.0.0.0/17".parse().unwrap(), "us-east-1a", None);
    }
    b.route(
        c,
        0,
        "198.51.100.0/24".parse().unwrap(),
        RouteTarget::GatewayEndpoint { endpoint_id: "vpce-gw".into() },
    );
    let list: Vec<(Ipv4Addr, u16, &str, bool)> =
        (0..targets).map(|i| (Ipv4Addr::from(0x0a00_0a00 + i as u32), 8080, "us-east-1a", true)).collect();
    let tg = b.target_group("tg", &list);
    let nlb = b.nlb("nlb", p, &[("us-east-1a", Ipv4Addr::new(10, 0, 1, 100))], false);
    b.listener(nlb, FibListener { tcp: true, udp: false, port: 80, target_group: tg, cross_zone: None });
    b.listener(nlb, FibListener { tcp: false, udp: true, port: 53, target_group: tg, cross_zone: None });
    let az = b.az("us-east-1a");
    b.eni(FibEni {
        endpoint_id: "vpce-1".into(),
        eni_id: "eni-1".into(),
        vpc: c,
        ip: ENI.into(),
        az,
        state: EndpointState::Available,
        nlb,
        sg_rules: vec![SgRule { proto: None, from_port: 0, to_port: 0, cidr }],
    });
    b.build()
}

/// A valid IPv4/TCP segment with `payload` zero bytes.
pub fn tcp_packet(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, flags: u8, payload: usize) -> Vec<u8> {
    Synth {
        proto: proto::TCP,
        src: u32::from_be_bytes(src),
        dst: u32::from_be_bytes(dst),
        sport,
        dport,
        tcp_flags: flags,
        seq: 1,
        ack: 0,
        payload,
    }
    .build()
}
