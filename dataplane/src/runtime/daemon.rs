//! [`Daemon`]: the owner of everything privlinkd runs — the data plane, the fabric (through
//! the controller), the worker threads, the helper threads and the tokio side (control
//! socket, metrics and AWS API listeners).
//!
//! Contract:
//! - [`Daemon::start`] brings things up in dependency order: the data plane, the fabric (which
//!   sets up the AWS-service network), the controller (which restores the stored state through
//!   the fabric), the workers, the helper threads, then the listeners. When it returns, every
//!   listener is bound and accepting, and SIGTERM/SIGINT are caught; a failure at any step
//!   stops what was already started, in the order below, before the error is returned.
//! - [`Daemon::shutdown`] stops things in the reverse order of their dependencies: the tokio
//!   side first (no new request can reach the controller), then the stop flag, a wake-up for
//!   every worker and their joins (no frame is being forwarded), then each helper thread is
//!   unparked and joined, the control socket file is removed, and last the controller is
//!   dropped, which drops the fabric and closes every device (the kernel removes them and
//!   their routes). Namespaces, instance addresses and the state file stay.
//! - Helper threads (the sweeper, the health checker; the flow-log writer and encapsulation
//!   threads join them in [`Daemon::start`]) loop until [`Dataplane::stop_requested`] and park
//!   between rounds, so an unpark makes them see the stop at once.

use super::fabric::{FabricConfig, VpcFabric};
use super::{Dataplane, health, metrics, sweeper, worker};
use crate::flow::{FlowConfig, FlowTable};
use privlink_control::aws::{Auth, Front};
use privlink_control::{Controller, server};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::signal::unix::{Signal, SignalKind, signal};

/// How long the tokio side gets to finish its requests at shutdown.
const TOKIO_GRACE: Duration = Duration::from_secs(2);

/// Tokio threads: the control socket and the listeners are light; the AWS API's calls run on
/// the blocking pool.
const TOKIO_THREADS: usize = 2;

/// What to run (privlinkd's command line, resolved).
#[derive(Clone, Debug)]
pub struct DaemonConfig {
    /// Control socket path.
    pub socket: PathBuf,
    /// Directory of the durable state.
    pub state_dir: PathBuf,
    /// How devices are built; one worker runs per device queue (`fabric.queues`, at least 1).
    pub fabric: FabricConfig,
    /// Flow table limits and timeouts.
    pub flows: FlowConfig,
    /// How long a worker keeps polling after the last frame before it sleeps.
    pub busy_poll: Duration,
    /// Nice value of the worker threads.
    pub worker_nice: i32,
    /// Pin each worker to its own CPU ([`worker::worker_cpus`]).
    pub pin_workers: bool,
    /// Serve Prometheus metrics here.
    pub metrics_listen: Option<SocketAddr>,
    /// Serve the AWS API here.
    pub api_listen: Option<SocketAddr>,
    /// Whether the AWS API checks signatures.
    pub api_auth: Auth,
}

/// Why the daemon could not start; the cause is the error's `source()` (a binary prints the
/// chain, e.g. with anyhow).
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The workers' eventfds.
    #[error("cannot set up worker wake-ups")]
    Wakeups(#[source] super::io::IoError),
    /// The fabric's first step.
    #[error("cannot set up the AWS-service network in netns {netns}")]
    Fabric { netns: String, source: super::io::IoError },
    /// Opening the store or restoring the state.
    #[error("cannot restore state from {}", dir.display())]
    Restore { dir: PathBuf, source: privlink_control::Error },
    /// A thread or the tokio runtime.
    #[error("cannot start {what}")]
    Spawn { what: &'static str, source: std::io::Error },
    /// The control socket.
    #[error("cannot bind control socket {}", path.display())]
    ControlSocket { path: PathBuf, source: privlink_control::Error },
    /// A TCP listener.
    #[error("cannot bind the {what} listener {addr}{hint}")]
    Listener { what: &'static str, addr: SocketAddr, hint: &'static str, source: std::io::Error },
}

/// The tokio side: the runtime, the control socket's server and the caught signals.
struct TokioSide {
    rt: tokio::runtime::Runtime,
    /// The control socket's server; it only ends on an accept failure it cannot survive.
    control: tokio::task::JoinHandle<()>,
    /// SIGTERM and SIGINT.
    signals: [Signal; 2],
}

/// privlinkd while it runs (see the module doc).
pub struct Daemon {
    dp: Arc<Dataplane>,
    ctl: Arc<Controller>,
    socket: PathBuf,
    /// Set once the control socket is bound (and is then this daemon's to remove).
    tokio: Option<TokioSide>,
    workers: Vec<JoinHandle<()>>,
    /// Threads that loop until the stop flag, parked between rounds: the sweeper and the
    /// health checker (the flow-log writer and the encapsulation threads go here too).
    helpers: Vec<JoinHandle<()>>,
    metrics_addr: Option<SocketAddr>,
    api_addr: Option<SocketAddr>,
}

impl Daemon {
    /// Starts everything (see the module doc).
    pub fn start(cfg: DaemonConfig) -> Result<Daemon, DaemonError> {
        let workers = cfg.fabric.queues.max(1);
        let flows = FlowTable::new(cfg.flows);
        let dp = Arc::new(Dataplane::new(workers, flows, cfg.busy_poll).map_err(DaemonError::Wakeups)?);
        let netns = cfg.fabric.aws_netns.clone();
        let fabric = VpcFabric::new(dp.clone(), FabricConfig { queues: workers, ..cfg.fabric.clone() })
            .map_err(|source| DaemonError::Fabric { netns, source })?;
        let offloads = fabric.offloads();
        let ctl = Controller::open(&cfg.state_dir, fabric)
            .map_err(|source| DaemonError::Restore { dir: cfg.state_dir.clone(), source })?;
        let mut d = Daemon {
            dp,
            ctl: Arc::new(ctl),
            socket: cfg.socket.clone(),
            tokio: None,
            workers: Vec::new(),
            helpers: Vec::new(),
            metrics_addr: None,
            api_addr: None,
        };
        // On an error, dropping `d` stops what was started.
        d.spawn_threads(&cfg, workers)?;
        d.listen(&cfg)?;
        tracing::info!(
            socket = %cfg.socket.display(),
            state_dir = %cfg.state_dir.display(),
            workers,
            io = cfg.fabric.io.as_str(),
            offloads = %offloads,
            "privlinkd ready"
        );
        Ok(d)
    }

    /// The workers, then the helper threads.
    fn spawn_threads(&mut self, cfg: &DaemonConfig, workers: usize) -> Result<(), DaemonError> {
        let spawn_err = |what| move |source| DaemonError::Spawn { what, source };
        let cpus = if cfg.pin_workers { worker::worker_cpus(workers) } else { Vec::new() };
        for w in 0..workers {
            let h = worker::spawn(self.dp.clone(), w, cfg.worker_nice, cpus.get(w).copied())
                .map_err(spawn_err("a worker thread"))?;
            self.workers.push(h);
        }
        self.helpers.push(sweeper::spawn(self.dp.clone()).map_err(spawn_err("the sweeper thread"))?);
        self.helpers.push(
            health::spawn(self.dp.clone(), self.ctl.clone()).map_err(spawn_err("the health-check thread"))?,
        );
        // The flow-log writer and the encapsulation threads start here, into `helpers`.
        Ok(())
    }

    /// Starts the tokio side: catches the signals, binds the control socket and the TCP
    /// listeners and serves them.
    fn listen(&mut self, cfg: &DaemonConfig) -> Result<(), DaemonError> {
        let spawn_err = |what| move |source| DaemonError::Spawn { what, source };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(TOKIO_THREADS)
            .enable_all()
            .build()
            .map_err(spawn_err("the tokio runtime"))?;
        let _entered = rt.enter();
        let term = signal(SignalKind::terminate()).map_err(spawn_err("the SIGTERM handler"))?;
        let int = signal(SignalKind::interrupt()).map_err(spawn_err("the SIGINT handler"))?;
        let listener = server::bind(&cfg.socket)
            .map_err(|source| DaemonError::ControlSocket { path: cfg.socket.clone(), source })?;
        let control = rt.spawn(server::serve(listener, self.ctl.clone()));
        self.tokio = Some(TokioSide { control, signals: [term, int], rt });
        let Some(tokio) = &self.tokio else { return Ok(()) };
        let bind =
            |what, addr, hint| {
                tokio
                    .rt
                    .block_on(tokio::net::TcpListener::bind(addr))
                    .map_err(|source| DaemonError::Listener { what, addr, hint, source })
            };
        if let Some(addr) = cfg.metrics_listen {
            let l = bind("metrics", addr, "")?;
            self.metrics_addr = l.local_addr().ok();
            tokio.rt.spawn(metrics::serve(l, Arc::new(metrics::registry(self.dp.clone()))));
        }
        if let Some(addr) = cfg.api_listen {
            let l = bind("AWS API", addr, " (choose another with --api-listen ADDR, or --api-listen off)")?;
            let url = format!("http://{}", l.local_addr().unwrap_or(addr));
            self.api_addr = l.local_addr().ok();
            if cfg.api_auth == Auth::Off {
                tracing::warn!(
                    "--api-auth off: the AWS API accepts unsigned requests from anyone who can reach {url}"
                );
            }
            self.ctl.set_api_endpoint(url);
            let front = Arc::new(Front::new(self.ctl.clone(), cfg.api_auth));
            tokio.rt.spawn(privlink_control::aws::http::serve(l, front));
        }
        Ok(())
    }

    /// The control socket's path.
    pub fn socket(&self) -> &std::path::Path {
        &self.socket
    }

    /// Where the metrics are served, if they are.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The AWS API's URL, if it is served.
    pub fn api_url(&self) -> Option<String> {
        self.api_addr.map(|a| format!("http://{a}"))
    }

    /// Runs until SIGTERM or SIGINT (or until the control server fails), then shuts down.
    pub fn run_until_signal(mut self) {
        if let Some(TokioSide { rt, control, signals: [term, int] }) = &mut self.tokio {
            rt.block_on(async {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                    _ = control => tracing::error!("the control socket's server stopped"),
                }
            });
        }
        self.shutdown();
    }

    /// Stops everything in order (see the module doc).
    pub fn shutdown(self) {
        // The work is in `Drop`, so that a failed start stops what it started the same way.
        drop(self);
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        tracing::info!("stopping");
        let tokio = self.tokio.take();
        let socket_bound = tokio.is_some();
        if let Some(t) = tokio {
            drop(t.signals);
            t.rt.shutdown_timeout(TOKIO_GRACE);
        }
        self.dp.request_stop();
        self.dp.wake_all();
        for h in self.workers.drain(..) {
            let _ = h.join();
        }
        for h in self.helpers.drain(..) {
            h.thread().unpark();
            let _ = h.join();
        }
        if socket_bound {
            let _ = std::fs::remove_file(&self.socket);
        }
        // The controller is dropped with the fields, after this: that drops the fabric, which
        // closes every device.
    }
}
