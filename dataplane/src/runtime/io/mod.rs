//! Linux I/O layer of the data plane: network namespaces, in-namespace link configuration,
//! the VPC devices (two backends behind one device interface, and a capturing wrapper) and an
//! epoll poller for worker loops.
//!
//! The syscall wrappers of the [runtime](super); the rest of the runtime builds on them, and
//! nothing outside the runtime makes a syscall (`wire`, `flow`, `nat`, `pipeline`, … are pure).
//!
//! # Contracts shared by every submodule
//! - **The host namespace is never touched.** Every operation that configures something takes the
//!   name of a namespace under `/run/netns/` and runs on a dedicated thread that has `setns`'d into
//!   it; the thread that called never changes namespace. [`netns::in_netns`] refuses a name that is
//!   bound to the process's own namespace or to PID 1's ([`IoError::HostNetns`]), so a mistaken
//!   `--netns` can never turn a "VPC" into the host.
//! - **File descriptors keep their namespace.** A device's fd, a netlink socket or any socket opened on a
//!   namespace thread belongs to that namespace for its whole life and may be used from any thread
//!   afterwards; this is how workers in the host namespace serve many VPCs.
//! - **Errors name what failed**: the namespace, the device, the operation and the `errno`
//!   ([`IoError`]). No function panics on an error path.
//! - **Idempotent configuration**: adding what exists or removing what is absent is `Ok`.
//!
//! # Modules
//! - [`netns`]: create / delete / check iproute2-compatible named namespaces; run closures inside.
//! - [`link`]: rtnetlink + sysctl configuration *inside* a namespace (link up, MTU, `lo` addresses,
//!   default route via a device, IPv6 off, net sysctls).
//! - [`device`]: what every device shares: the [`Device`] and [`DeviceQueue`] traits, the frame
//!   form (`[virtio header][IP packet]`, the 10-byte `struct virtio_net_hdr` of
//!   [`crate::wire::virtio`] when `vnet_hdr` is on) and limits, [`Offloads`], the batch
//!   counters and scratch. The modules below depend on it, not on each other.
//! - [`packet`]: the default backend: a veth pair per VPC with AF_PACKET sockets on the end in
//!   privlinkd's own namespace, many frames per `recvmmsg`/`sendmmsg`.
//! - [`tun`]: the other backend (`--io tun`): TUN devices created inside a namespace:
//!   `IFF_NO_PI`, optional `IFF_MULTI_QUEUE` (one non-blocking fd per queue) and `IFF_VNET_HDR`
//!   with probed `TUNSETOFFLOAD` flags; one frame per `read(2)`/`write(2)`, GSO super-packets
//!   whole.
//! - [`pcap`]: [`Pcap`], a queue wrapper writing what a device reads and sends to a pcap file
//!   (`privlinkd --pcap DIR`).
//! - [`port`]: the device as the rest of the runtime holds it, whichever backend, captured or
//!   not ([`Port`], [`Queue`]), with static dispatch.
//! - [`poll`]: an epoll [`poll::Poller`] and an eventfd [`poll::Waker`] for blocking worker loops.

pub mod device;
pub mod link;
pub mod netns;
pub mod packet;
pub mod pcap;
pub mod poll;
pub mod port;
pub mod tun;

use nix::errno::Errno;

pub use device::{Device, DeviceQueue, MAX_FRAME_LEN, Offloads, RxCount, Scratch, TxCount};
pub use link::{IfAddr, LinkCtl, LinkInfo, LinkReader};
pub use netns::{NetnsGuard, in_netns};
pub use packet::{PacketConfig, PacketPort, PacketQueue};
pub use pcap::{Capture, Pcap};
pub use poll::{Poller, Waker};
pub use port::{Backend, Port, Queue};
pub use tun::{Tun, TunConfig, TunQueue};

/// Errors of the I/O layer. Every message names the namespace and/or device and the operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// A namespace name failed validation (`^[A-Za-z0-9_.-]{1,64}$`, not `.` or `..`).
    #[error("invalid network namespace name {name:?}: {reason}")]
    InvalidNetnsName { name: String, reason: &'static str },
    /// A device name failed validation (1..=15 bytes, no `/`, `:` or whitespace).
    #[error("invalid device name {name:?}: {reason}")]
    InvalidDeviceName { name: String, reason: &'static str },
    /// A sysctl key is malformed or not under `net.` (only per-namespace net sysctls are allowed).
    #[error("invalid sysctl key {key:?}: {reason}")]
    InvalidSysctlKey { key: String, reason: &'static str },
    /// An argument is out of range (e.g. zero queues).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// `/run/netns/NAME` does not exist or is not a network namespace.
    #[error("netns {netns}: no such network namespace (/run/netns/{netns})")]
    NetnsNotFound { netns: String },
    /// `create` found `/run/netns/NAME` already there.
    #[error("netns {netns}: already exists (/run/netns/{netns})")]
    NetnsExists { netns: String },
    /// The name is bound to the host namespace (the process's own or PID 1's): refused.
    #[error("netns {netns}: is the host network namespace; refusing to touch it")]
    HostNetns { netns: String },
    /// A device is not present in the namespace.
    #[error("netns {netns}: no such device {dev}")]
    NoSuchDevice { netns: String, dev: String },
    /// A TUN device of that name already exists in the namespace (`IFF_TUN_EXCL`).
    #[error("netns {netns}: device {dev} already exists")]
    DeviceExists { netns: String, dev: String },
    /// The running kernel lacks a required feature.
    #[error("{target}: unsupported by this kernel: {what}")]
    Unsupported { target: String, what: String },
    /// A syscall failed.
    #[error("{target}: {op} failed: {errno}")]
    Sys { target: String, op: String, errno: Errno },
    /// A netlink request failed (with the kernel's errno when it sent one).
    #[error("{target}: netlink {op} failed: {detail}")]
    Netlink { target: String, op: String, errno: Option<Errno>, detail: String },
    /// The closure run on a namespace thread panicked.
    #[error("{target}: thread running {op} panicked: {message}")]
    ThreadPanicked { target: String, op: String, message: String },
}

impl IoError {
    /// The kernel's errno behind this error, when there is one.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            IoError::Sys { errno, .. } => Some(*errno),
            IoError::Netlink { errno, .. } => *errno,
            _ => None,
        }
    }

    pub(crate) fn sys(target: impl Into<String>, op: impl Into<String>, errno: Errno) -> Self {
        IoError::Sys { target: target.into(), op: op.into(), errno }
    }

    pub(crate) fn from_io(target: impl Into<String>, op: impl Into<String>, err: &std::io::Error) -> Self {
        IoError::sys(target, op, errno_of(err))
    }
}

/// The errno of a `std::io::Error` (`EIO` when it carries none).
pub(crate) fn errno_of(err: &std::io::Error) -> Errno {
    err.raw_os_error().map_or(Errno::EIO, Errno::from_raw)
}

/// Result type of the I/O layer.
pub type Result<T> = std::result::Result<T, IoError>;

/// `"netns NAME"`, the target string of namespace-level errors.
pub(crate) fn ns_target(netns: &str) -> String {
    format!("netns {netns}")
}

/// `"netns NAME, device DEV"`, the target string of device-level errors.
pub(crate) fn dev_target(netns: &str, dev: &str) -> String {
    format!("netns {netns}, device {dev}")
}
