//! After warm-up, the pipeline allocates nothing per packet: established flows in both
//! directions, GSO frames and drops — and new flows, once the table has room and the FIB's
//! NAT pools are built (as the runtime builds them when it compiles the FIB). Checked with a counting global allocator (this test
//! binary has a single test so no other thread allocates meanwhile).

mod common;

use common::fixtures::*;
use privlink_dataplane::flow::{FlowConfig, FlowTable};
use privlink_dataplane::pipeline::process;
use privlink_dataplane::verdict::Verdict;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn no_allocation_per_packet_after_warm_up() {
    let fib = lab(0);
    let flows = FlowTable::new(FlowConfig::default());
    flows.sync_pools(&fib.pool_keys());
    flows.reserve(10_000);
    let mut syn = tcp(CLIENT, 40000, ENI, 80, "S", b"");
    assert!(matches!(process(&fib, &flows, A, &mut syn, false, 0), Verdict::Forward { .. }));
    let port = sport_of(&syn);
    let fwd = tcp(CLIENT, 40000, ENI, 80, "PA", &[7u8; 1400]);
    let rev = tcp(TARGET_A, 80, NLB_A, port, "A", b"");
    let spoofed = tcp([192, 168, 0, 1], 1, ENI, 80, "S", b"");
    let (mut a, mut b, mut c) = (fwd.clone(), rev.clone(), spoofed.clone());
    // Warm-up done by the SYN above; now count.
    let before = ALLOCS.load(Ordering::Relaxed);
    for i in 0..10_000u64 {
        a.copy_from_slice(&fwd);
        b.copy_from_slice(&rev);
        c.copy_from_slice(&spoofed);
        assert!(matches!(process(&fib, &flows, A, &mut a, false, i), Verdict::Forward { .. }));
        assert!(matches!(process(&fib, &flows, P, &mut b, false, i), Verdict::Forward { .. }));
        assert!(matches!(process(&fib, &flows, A, &mut c, false, i), Verdict::Drop(_)));
    }
    let n = ALLOCS.load(Ordering::Relaxed) - before;
    assert_eq!(n, 0, "{n} allocations in 30,000 packets");

    // New flows: a SYN each, from 5,000 client ports.
    let mut syns: Vec<Vec<u8>> = (0..5_000u16).map(|i| tcp(CLIENT, 20_000 + i, ENI, 80, "S", b"")).collect();
    let before = ALLOCS.load(Ordering::Relaxed);
    for s in &mut syns {
        assert!(matches!(process(&fib, &flows, A, s, false, 20_000), Verdict::Forward { .. }));
    }
    let n = ALLOCS.load(Ordering::Relaxed) - before;
    assert_eq!(n, 0, "{n} allocations in 5,000 new flows");
}
