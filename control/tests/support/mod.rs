//! A privlinkd stand-in for integration tests: the real controller and server on a socket in a
//! temporary directory, with a [`RecordingFabric`].

use std::path::PathBuf;
use std::sync::Arc;

use privlink_control::{Controller, RecordingFabric, server};

#[allow(dead_code)] // each test crate uses a different subset
pub struct Daemon {
    pub socket: PathBuf,
    pub state_dir: PathBuf,
    pub fabric: RecordingFabric,
    pub controller: Arc<Controller>,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Daemon {
    pub fn start() -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("run/privlink.sock");
        let state_dir = dir.path().join("state");
        let fabric = RecordingFabric::new();
        let controller = Arc::new(Controller::open(&state_dir, fabric.clone()).unwrap());
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let listener = runtime.block_on(async { server::bind(&socket) }).unwrap();
        runtime.spawn(server::serve(listener, Arc::clone(&controller)));
        Daemon { socket, state_dir, fabric, controller, _runtime: runtime, _dir: dir }
    }
}
