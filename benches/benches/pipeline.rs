//! Micro-benchmarks of the pure data plane (see the README for the latest figures).
//!
//! `cargo bench -p privlink-benches --bench pipeline`

use criterion::{BatchSize, Criterion, black_box, criterion_group, criterion_main};
use ipnet::Ipv4Net;
use privlink_benches::{AWS, CONSUMER, ENI, PROVIDER, lab_fib, tcp_packet};
use privlink_dataplane::flow::{FlowConfig, FlowKey, FlowPlan, FlowTable, Lookup};
use privlink_dataplane::lb::{DEFAULT_TABLE_SIZE, Maglev};
use privlink_dataplane::pipeline::process;
use privlink_dataplane::route::{RouteTable, RouteTarget};
use privlink_dataplane::verdict::Verdict;
use privlink_dataplane::wire::checksum::{self, Delta};
use std::net::Ipv4Addr;

const ACK: u8 = 0x10;
const SYN: u8 = 0x02;

fn established(c: &mut Criterion) {
    let fib = lab_fib(4);
    let flows = FlowTable::new(FlowConfig::default());
    let mut syn = tcp_packet([10, 0, 1, 10], 40000, ENI, 80, SYN, 0);
    assert!(matches!(process(&fib, &flows, CONSUMER, &mut syn, false, 0), Verdict::Forward { .. }));
    let template = tcp_packet([10, 0, 1, 10], 40000, ENI, 80, ACK, 1400);
    let mut pkt = template.clone();
    c.bench_function("process/established_tcp_1440B", |b| {
        b.iter(|| {
            pkt.copy_from_slice(&template);
            black_box(process(&fib, &flows, CONSUMER, black_box(&mut pkt), false, 1))
        })
    });
    let mut pkt = template.clone();
    c.bench_function("copy_only_1440B (baseline for the above)", |b| {
        b.iter(|| {
            pkt.copy_from_slice(&template);
            black_box(&mut pkt);
        })
    });
    let _ = (PROVIDER, AWS);
}

fn new_flow(c: &mut Criterion) {
    let fib = lab_fib(16);
    let flows = FlowTable::new(FlowConfig { tcp_transitory_ms: 0, ..FlowConfig::default() });
    flows.reserve(100_000);
    let mut n: u32 = 0;
    let mut now = 0u64;
    c.bench_function("process/new_tcp_flow (classify+maglev+nat+insert)", |b| {
        b.iter_batched_ref(
            || {
                n = n.wrapping_add(1);
                let src = [10, 0, (n >> 16) as u8 & 0x7f, (n >> 8) as u8];
                tcp_packet(src, 1024 + (n as u16 & 0x3fff), ENI, 80, SYN, 0)
            },
            |pkt| {
                now += 2; // SYN-only flows expire (timeout 0) and are recycled on later inserts
                black_box(process(&fib, &flows, CONSUMER, pkt, false, now))
            },
            BatchSize::SmallInput,
        )
    });
    flows.sweep(u64::MAX / 2);
}

fn flow_lookup_1m(c: &mut Criterion) {
    let flows = FlowTable::new(FlowConfig { max_flows: 2_000_000, ..FlowConfig::default() });
    flows.reserve(1_000_000);
    let keys: Vec<FlowKey> = (0..1_000_000u32)
        .map(|i| FlowKey {
            vpc: CONSUMER,
            proto: 6,
            src: 0x0a00_0000 | (i >> 6),
            dst: u32::from_be_bytes(ENI),
            sport: 1024 + (i & 63) as u16,
            dport: 80,
        })
        .collect();
    for (i, k) in keys.iter().enumerate() {
        let plan = FlowPlan::Nat {
            vpc: PROVIDER,
            nlb: 0x0a00_0164,
            target: 0x0a00_0a00 + (i % 32) as u32,
            target_port: 8080,
        };
        flows.insert(k, plan, SYN, 60, 0).unwrap();
    }
    assert_eq!(flows.len(), 1_000_000);
    let mut i = 0usize;
    c.bench_function("flow_table/lookup_hit_1M_flows_random", |b| {
        b.iter(|| {
            i = (i + 617_293) % keys.len();
            let r = flows.lookup(black_box(&keys[i]), ACK, 60, 1);
            debug_assert!(matches!(r, Lookup::Hit(_)));
            black_box(r)
        })
    });
}

fn lpm(c: &mut Criterion) {
    let mut t = RouteTable::new();
    let mut rng = fastrand::Rng::with_seed(3);
    for _ in 0..10_000 {
        let len = rng.u8(8..=30);
        let net = Ipv4Net::new(Ipv4Addr::from(rng.u32(..)), len).unwrap().trunc();
        t.insert(net, RouteTarget::Blackhole);
    }
    t.insert("10.0.0.0/16".parse().unwrap(), RouteTarget::Local);
    let probes: Vec<Ipv4Addr> = (0..4096).map(|_| Ipv4Addr::from(rng.u32(..))).collect();
    let mut i = 0;
    c.bench_function("route/lpm_10k_prefixes", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            black_box(t.lookup(black_box(probes[i])))
        })
    });
}

fn maglev(c: &mut Criterion) {
    let backends: Vec<(String, u32)> =
        (0..100).map(|i| (format!("10.0.{}.{}:80", i / 200, i % 200), 1)).collect();
    c.bench_function("maglev/build_100_targets_65537_slots", |b| {
        b.iter(|| black_box(Maglev::build(black_box(&backends), DEFAULT_TABLE_SIZE)))
    });
}

fn checksums(c: &mut Criterion) {
    c.bench_function("checksum/incremental_nat_update (2 addrs + 2 ports)", |b| {
        b.iter(|| {
            let d = Delta::ZERO
                .dword(black_box(0x0a00_010a), 0x0a00_0164)
                .dword(black_box(0x0a00_0132), 0x0a00_0a00)
                .word(black_box(40000), 1024)
                .word(black_box(80), 8080);
            black_box(checksum::update_complemented(black_box(0x1234), d))
        })
    });
    let data = vec![0xa5u8; 1460];
    c.bench_function("checksum/full_sum_1460B (what incremental avoids)", |b| {
        b.iter(|| black_box(checksum::fold(checksum::sum(black_box(&data), 0))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = established, new_flow, flow_lookup_1m, lpm, maglev, checksums
}
criterion_main!(benches);
