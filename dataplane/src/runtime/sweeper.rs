//! The sweeper thread: ends the flows that went idle or finished closing.
//!
//! Contract: every [`SWEEP_INTERVAL`] (or at once when unparked) it sweeps the flow table at
//! the pipeline's clock ([`Dataplane::now_ms`]), which frees the flows' NAT ports and tallies
//! them as ended; it returns at the first round after [`Dataplane::request_stop`] (unpark it
//! to make that immediate). The expiry decisions are the flow table's; this thread only
//! brings the clock.

use super::Dataplane;
use std::sync::Arc;
use std::time::Duration;

/// Time between two sweeps: the precision of the idle timeouts.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// Starts the sweeper; it runs until the data plane stops.
pub fn spawn(dp: Arc<Dataplane>) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("plink-sweep".into()).spawn(move || {
        while !dp.stop_requested() {
            dp.flows().sweep(dp.now_ms());
            std::thread::park_timeout(SWEEP_INTERVAL);
        }
    })
}
