//! `privlinkd`: the privlink daemon — the control socket and the data-plane workers.
//!
//! It restores the stored state at start (namespaces, devices, routes, instance
//! addresses, all resources), serves the control socket and the AWS API (`--api-listen`,
//! SigV4-checked against `<state dir>/credentials.json`) until SIGTERM/SIGINT, then stops the
//! workers and closes every device (which removes the devices and the routes through
//! them). Namespaces, instance addresses and the state file stay for the next start.

use anyhow::{Result, bail};
use clap::{Parser, ValueEnum};
use privlink_control::aws::Auth;
use privlink_dataplane::flow::FlowConfig;
use privlink_dataplane::nat::DEFAULT_PORTS_PER_TARGET;
use privlink_dataplane::runtime::daemon::{Daemon, DaemonConfig};
use privlink_dataplane::runtime::fabric::FabricConfig;
use privlink_dataplane::runtime::io::Backend;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(version, about = "privlink daemon: emulated AWS PrivateLink fabric between network namespaces")]
struct Args {
    /// Control socket path.
    #[arg(long, env = "PRIVLINK_SOCKET", default_value = "/run/privlink/privlink.sock")]
    socket: PathBuf,
    /// Directory of the durable state.
    #[arg(long, default_value = "/var/lib/privlink")]
    state_dir: PathBuf,
    /// Worker threads (and queues per device); 0 = half the cores, at least one. The
    /// lab's senders and receivers run on the same cores: on a 2-core machine one worker
    /// forwards more than two, which would take CPU from the traffic they forward.
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Device backend: `packet` (a veth pair per VPC, AF_PACKET sockets on privlinkd's end,
    /// many frames per system call) or `tun` (a multi-queue TUN device per VPC, one system
    /// call per frame).
    #[arg(long, env = "PRIVLINK_IO", default_value = "packet")]
    io: Backend,
    /// Virtio-net offload on the devices (TSO/USO/checksum): GSO super-packets are
    /// translated whole.
    #[arg(long, value_enum, default_value_t = OnOff::On)]
    offload: OnOff,
    /// MTU of the devices (PrivateLink carries up to 8500).
    #[arg(long, default_value_t = 8500, value_parser = clap::value_parser!(u32).range(576..=65535))]
    mtu: u32,
    /// Namespace standing for the region's AWS-service network.
    #[arg(long, default_value = "pl-aws")]
    aws_netns: String,
    /// Idle timeout of established TCP flows, seconds (NLB: 350, adjustable 60-6000).
    #[arg(long, default_value_t = 350, value_parser = clap::value_parser!(u32).range(60..=6000))]
    tcp_idle_timeout: u32,
    /// Idle timeout of UDP flows, seconds (NLB: 120).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=6000))]
    udp_idle_timeout: u32,
    /// How long a TCP flow closed by FIN both ways or RST keeps its NAT port, seconds. With
    /// 55,000 ports per target this caps sustained new connections at 27,500/s per target.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=600))]
    tcp_closed_timeout: u32,
    /// Nice value of the worker threads (-20..19). Negative values let forwarding keep up
    /// with senders that share its cores, as the kernel's softirq forwarding does.
    #[arg(long, default_value_t = -10, allow_negative_numbers = true, value_parser = clap::value_parser!(i32).range(-20..=19))]
    worker_nice: i32,
    /// Pin each worker to its own CPU (the last ones the process may use): measured faster
    /// on every TCP figure, and on connections/s, on 2 cores.
    #[arg(long, value_enum, default_value_t = OnOff::On)]
    pin_workers: OnOff,
    /// Microseconds a worker keeps polling its queues after the last frame before it sleeps
    /// (0: sleep at once). Polling saves the senders a cross-CPU wake-up per packet.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    busy_poll_us: u64,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9464); off by default.
    #[arg(long)]
    metrics_listen: Option<std::net::SocketAddr>,
    /// Serve the AWS API (EC2, ELBv2 and STS Query, SigV4-signed) at ADDR, or `off`. Clients
    /// get keys with `privlink credentials --account N`.
    #[arg(long, default_value = "127.0.0.1:4566", value_parser = parse_listen)]
    api_listen: Listen,
    /// `off` accepts unsigned requests and any access key (a 12-digit key acts as that
    /// account), as LocalStack does: only for a throwaway lab on a machine you alone use.
    #[arg(long, value_enum, default_value_t = OnOff::On)]
    api_auth: OnOff,
    /// Seconds a start waits for a device left by a killed privlinkd to go away (the
    /// kernel removes a dead process's devices asynchronously) before it replaces it.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=600))]
    stale_device_wait: u64,
    /// Maximum number of flows.
    #[arg(long, default_value_t = 1 << 20)]
    max_flows: usize,
    /// Maximum simultaneous flows per target (SNAT ports per NLB node and target).
    #[arg(long, default_value_t = DEFAULT_PORTS_PER_TARGET, value_parser = clap::value_parser!(u32).range(1..=64512))]
    max_ports_per_target: u32,
    /// Capture each VPC device's frames to DIR/<vpc-id or aws>.pcap (made afresh; DIR made if missing).
    // The doc comment is the --help text, not markdown: `<vpc-id …>` is not an HTML tag.
    #[allow(rustdoc::invalid_html_tags)]
    #[arg(long, value_name = "DIR")]
    pcap: Option<PathBuf>,
}

/// A switch spelled `on` or `off` on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OnOff {
    On,
    Off,
}

impl OnOff {
    fn on(self) -> bool {
        self == OnOff::On
    }
}

/// `--api-listen`: an address or `off`.
#[derive(Debug, Clone, Copy)]
enum Listen {
    At(std::net::SocketAddr),
    Off,
}

fn parse_listen(s: &str) -> Result<Listen, String> {
    match s {
        "off" => Ok(Listen::Off),
        _ => s
            .parse()
            .map(Listen::At)
            .map_err(|_| format!("expected IP:PORT (e.g. 127.0.0.1:4566) or off, got '{s}'")),
    }
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PRIVLINK_LOG").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if !nix::unistd::geteuid().is_root() {
        bail!("privlinkd must run as root: it creates network namespaces and devices");
    }
    let daemon = Daemon::start(config(&args))?;
    // Readiness markers for tests and scripts: each listener accepts from here on.
    if let Some(addr) = daemon.metrics_addr() {
        println!("privlinkd metrics on http://{addr}/metrics");
    }
    if let Some(url) = daemon.api_url() {
        println!("privlinkd AWS API on {url}");
    }
    println!("privlinkd ready on {}", daemon.socket().display());
    daemon.run_until_signal();
    Ok(())
}

/// The daemon's configuration from the command line.
fn config(args: &Args) -> DaemonConfig {
    let workers = match args.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
        n => n,
    };
    DaemonConfig {
        socket: args.socket.clone(),
        state_dir: args.state_dir.clone(),
        fabric: FabricConfig {
            queues: workers,
            io: args.io,
            offload: args.offload.on(),
            mtu: args.mtu,
            aws_netns: args.aws_netns.clone(),
            marks: args.state_dir.join("netns"),
            stale_device_wait: Duration::from_secs(args.stale_device_wait),
            pcap: args.pcap.clone(),
        },
        flows: FlowConfig {
            tcp_idle_ms: args.tcp_idle_timeout * 1000,
            udp_idle_ms: args.udp_idle_timeout * 1000,
            tcp_closed_ms: args.tcp_closed_timeout * 1000,
            max_flows: args.max_flows,
            max_ports_per_target: args.max_ports_per_target,
            ..FlowConfig::default()
        },
        busy_poll: Duration::from_micros(args.busy_poll_us),
        worker_nice: args.worker_nice,
        pin_workers: args.pin_workers.on(),
        metrics_listen: args.metrics_listen,
        api_listen: match args.api_listen {
            Listen::At(addr) => Some(addr),
            Listen::Off => None,
        },
        api_auth: if args.api_auth.on() { Auth::Verify } else { Auth::Off },
    }
}
