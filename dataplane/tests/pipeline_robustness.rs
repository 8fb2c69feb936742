//! The pipeline on hostile input and at scale: garbage and truncations never panic and are
//! dropped; overlapping consumer VPCs stay apart; the NAT limit holds end to end.

mod common;

use common::fixtures::*;
use privlink_dataplane::flow::{FlowConfig, FlowTable};
use privlink_dataplane::pipeline::process;
use privlink_dataplane::verdict::{DropReason, Verdict};
use privlink_dataplane::wire::{checksum, virtio};

#[test]
fn garbage_and_truncated_frames_of_every_length_are_dropped() {
    let fib = lab(0);
    let flows = FlowTable::new(FlowConfig::default());
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let valid = [
        tcp(CLIENT, 40000, ENI, 80, "S", b"0123456789"),
        udp(CLIENT, 5353, ENI, 53, b"0123456789", false),
        ping(CLIENT, S3_HOST, 5),
        tcp_with_ip_options(CLIENT, 1, ENI, 80),
    ];
    let ingresses = [A, B, C, P, AWS, D, 77];
    let mut cases = 0;
    for &ingress in &ingresses {
        for vnet in [false, true] {
            for len in 0..=80usize {
                for _ in 0..50 {
                    let mut frame: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
                    let v = process(&fib, &flows, ingress, &mut frame, vnet, 0);
                    assert!(matches!(v, Verdict::Drop(_)), "garbage of length {len} forwarded: {frame:02x?}");
                    cases += 1;
                }
                for pkt in &valid {
                    let mut whole = if vnet { vec![0u8; virtio::LEN] } else { Vec::new() };
                    whole.extend_from_slice(pkt);
                    if len < whole.len() {
                        let mut frame = whole[..len].to_vec();
                        let v = process(&fib, &flows, ingress, &mut frame, vnet, 0);
                        assert!(matches!(v, Verdict::Drop(_)), "truncated to {len}: {v:?}");
                        cases += 1;
                    }
                }
            }
        }
    }
    assert!(cases > 50_000);
}

/// Whether the TCP checksum of IPv4 packet `pkt` (20-byte header) verifies.
fn tcp_checksum_ok(pkt: &[u8]) -> bool {
    let be = |i: usize| u32::from_be_bytes([pkt[i], pkt[i + 1], pkt[i + 2], pkt[i + 3]]);
    let pseudo = checksum::pseudo_header_v4(be(12), be(16), 6, (pkt.len() - 20) as u32);
    checksum::fold(checksum::sum(&pkt[20..], pseudo)) == 0xffff
}

/// Every single-bit corruption of a valid SYN: a corrupted IPv4 header is always dropped (its
/// checksum catches any one flipped bit); a corrupted segment may be forwarded (the fabric does
/// not verify L4 checksums, as a router does not), but then whole and still detectably corrupt:
/// the translation must never make a damaged segment's checksum verify.
#[test]
fn bit_flips_of_valid_packets_are_dropped_or_forwarded_still_corrupt() {
    let fib = lab(0);
    let base = tcp(CLIENT, 40000, ENI, 80, "S", b"payload");
    assert!(tcp_checksum_ok(&base));
    let (mut dropped, mut forwarded) = (0, 0);
    for i in 0..base.len() * 8 {
        let flows = FlowTable::new(FlowConfig::default());
        let mut f = base.clone();
        f[i / 8] ^= 1 << (i % 8);
        match process(&fib, &flows, A, &mut f, false, 0) {
            Verdict::Drop(_) => dropped += 1,
            Verdict::Forward { len, .. } => {
                assert!(i / 8 >= 20, "bit {i} flipped in the IPv4 header, yet forwarded");
                assert_eq!(len, base.len(), "bit {i}");
                assert!(!tcp_checksum_ok(&f), "bit {i}: the corrupted segment left with a valid checksum");
                forwarded += 1;
            }
            v => panic!("bit {i}: {v:?}"),
        }
    }
    assert!(dropped >= 20 * 8, "every IPv4 header flip is dropped ({dropped} drops)");
    assert!(forwarded > 0, "flips in the payload still reach the target");
}

#[test]
fn overlapping_consumer_vpcs_get_distinct_nat_ports_and_their_own_replies() {
    // VPCs A, D (no endpoint to P? D has one like A) and three extra consumers share the CIDR,
    // the ENI address and the client address and port.
    let fib = lab(3);
    let flows = FlowTable::new(FlowConfig::default());
    let consumers = [A, 6, 7, 8];
    let mut ports = Vec::new();
    for &vpc in &consumers {
        let mut f = tcp(CLIENT, 40000, ENI, 80, "S", b"");
        let v = process(&fib, &flows, vpc, &mut f, false, 0);
        assert!(matches!(v, Verdict::Forward { egress: P, .. }), "vpc {vpc}: {v:?}");
        assert_eq!(&f[12..16], &NLB_A, "source becomes the NLB node");
        ports.push(sport_of(&f));
    }
    let mut uniq = ports.clone();
    uniq.sort_unstable();
    uniq.dedup();
    assert_eq!(uniq.len(), consumers.len(), "SNAT ports {ports:?} must be distinct");
    for (i, &vpc) in consumers.iter().enumerate().rev() {
        let mut reply = tcp(TARGET_A, 80, NLB_A, ports[i], "SA", b"");
        let v = process(&fib, &flows, P, &mut reply, false, 1);
        assert_eq!(v, Verdict::Forward { egress: vpc, len: reply.len() }, "reply for port {}", ports[i]);
        assert_eq!(reply, tcp(ENI, 80, CLIENT, 40000, "SA", b""));
    }
}

#[test]
fn nat_limit_holds_through_the_pipeline() {
    let fib = lab(0);
    let flows = FlowTable::new(FlowConfig { max_ports_per_target: 50, ..FlowConfig::default() });
    for i in 0..50 {
        let mut f = udp(CLIENT, 10_000 + i, ENI, 53, b"q", false);
        assert!(matches!(process(&fib, &flows, A, &mut f, false, 0), Verdict::Forward { .. }));
    }
    let mut f = udp(CLIENT, 20_000, ENI, 53, b"q", false);
    assert_eq!(process(&fib, &flows, A, &mut f, false, 0), Verdict::Drop(DropReason::NatExhausted));
    // After the UDP idle timeout the ports come back.
    let later = u64::from(flows.config().udp_idle_ms) + 1;
    assert_eq!(flows.sweep(later), 50);
    let mut f = udp(CLIENT, 20_000, ENI, 53, b"q", false);
    assert!(matches!(process(&fib, &flows, A, &mut f, false, later), Verdict::Forward { .. }));
}
