//! Measures the flow table's memory per flow (both directions) at 1,000,000 flows with a
//! counting global allocator. Prints one line; the README quotes it.
//!
//! `cargo bench -p privlink-benches --bench flow_memory`

use privlink_dataplane::flow::{FlowConfig, FlowKey, FlowPlan, FlowTable};
use privlink_dataplane::nat::PoolKey;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn main() {
    const N: u32 = 1_000_000;
    const TARGETS: u32 = 32;
    let before = LIVE.load(Ordering::Relaxed);
    let flows = FlowTable::new(FlowConfig { max_flows: 2 * N as usize, ..FlowConfig::default() });
    // The NAT port pools are per target, not per flow: built first (as the FIB compiler
    // does) and measured apart.
    let keys = (0..TARGETS)
        .map(|t| PoolKey { vpc: 1, proto: 6, nlb: 0x0a00_0164, target: 0x0a00_0a00 + t, target_port: 8080 })
        .collect();
    flows.sync_pools(&keys);
    let pools = LIVE.load(Ordering::Relaxed) - before;
    for i in 0..N {
        let k = FlowKey {
            vpc: 0,
            proto: 6,
            src: 0x0a00_0000 | (i >> 6),
            dst: 0x0a00_0132,
            sport: 1024 + (i & 63) as u16,
            dport: 80,
        };
        let plan =
            FlowPlan::Nat { vpc: 1, nlb: 0x0a00_0164, target: 0x0a00_0a00 + i % TARGETS, target_port: 8080 };
        flows.insert(&k, plan, 0x02, 60, 0).unwrap();
    }
    let total = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "flow_memory: {} flows, {:.1} MiB total, {:.0} bytes/flow including NAT pools, {:.0} bytes/flow excluding the {} per-target pools ({:.1} KiB each)",
        flows.len(),
        total as f64 / (1 << 20) as f64,
        total as f64 / f64::from(N),
        (total - pools.min(total)) as f64 / f64::from(N),
        TARGETS,
        pools as f64 / 1024.0 / f64::from(TARGETS)
    );
}
