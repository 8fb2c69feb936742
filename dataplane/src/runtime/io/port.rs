//! A VPC's device, whichever backend carries it — a packet port ([`super::packet`]) or a TUN
//! device ([`super::tun`]) — and whether its frames are captured ([`super::pcap`]): the one
//! type the workers, the fabric and the health checker hold ([`Port`]), and its queues
//! ([`Queue`]), which are [`DeviceQueue`]s with the contracts of [`super::device`].
//!
//! Dispatch is static ([`super::device`] says why): [`Queue`] has a variant per concrete
//! queue type — each backend's own queue, and each wrapped in [`Pcap`] — and its trait
//! methods are one `match` to that type's code. Without `--pcap` the variants in use are the
//! backends' own, so capture adds nothing to the path when it is off.

use std::os::fd::{AsFd, BorrowedFd};

use super::device::{Device, DeviceQueue, Offloads, RxCount, Scratch, TxCount};
use super::packet::{PacketPort, PacketQueue};
use super::pcap::{Capture, Pcap};
use super::tun::{Tun, TunQueue};
use crate::frame::{FrameBatch, Out};

/// Which device backend carries the VPCs (`privlinkd --io`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// A veth pair per VPC, AF_PACKET sockets on privlinkd's end, batched system calls.
    Packet,
    /// A multi-queue TUN device per VPC, one `read(2)`/`write(2)` per frame.
    Tun,
}

impl Backend {
    /// `packet` or `tun`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Packet => "packet",
            Backend::Tun => "tun",
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Backend, String> {
        match s {
            "packet" => Ok(Backend::Packet),
            "tun" => Ok(Backend::Tun),
            _ => Err(format!("unknown I/O backend {s:?}: expected packet or tun")),
        }
    }
}

/// A VPC's device: a backend, and the capture of its frames when privlinkd runs with `--pcap`.
#[derive(Debug)]
pub struct Port {
    backing: Backing,
    capture: Option<Capture>,
}

#[derive(Debug)]
enum Backing {
    Tun(Tun),
    Packet(PacketPort),
}

/// Queue `w` of a [`Port`], the one worker `w` uses: one variant per concrete queue type (see
/// the module doc).
#[derive(Debug)]
pub enum Queue<'a> {
    /// A TUN queue.
    Tun(&'a TunQueue),
    /// A packet socket.
    Packet(&'a PacketQueue),
    /// A TUN queue whose frames are captured.
    TunPcap(Pcap<'a, TunQueue>),
    /// A packet socket whose frames are captured.
    PacketPcap(Pcap<'a, PacketQueue>),
}

impl From<Tun> for Port {
    fn from(t: Tun) -> Port {
        Port { backing: Backing::Tun(t), capture: None }
    }
}

impl From<PacketPort> for Port {
    fn from(p: PacketPort) -> Port {
        Port { backing: Backing::Packet(p), capture: None }
    }
}

/// `$body` with `$d` bound to the backend device, whichever it is.
macro_rules! on_backing {
    ($backing:expr, $d:ident => $body:expr) => {
        match $backing {
            Backing::Tun($d) => $body,
            Backing::Packet($d) => $body,
        }
    };
}

/// `$body` with `$q` bound to the concrete queue, whichever it is: each arm is compiled for
/// its own type.
macro_rules! on_queue {
    ($queue:expr, $q:ident => $body:expr) => {
        match $queue {
            Queue::Tun($q) => $body,
            Queue::Packet($q) => $body,
            Queue::TunPcap($q) => $body,
            Queue::PacketPcap($q) => $body,
        }
    };
}

impl Port {
    /// The device with every frame its queues read or send captured by `capture`, which must
    /// have a tap per queue.
    pub fn captured(self, capture: Capture) -> Port {
        Port { capture: Some(capture), ..self }
    }

    /// Queue `i`, if any.
    pub fn queue(&self, i: usize) -> Option<Queue<'_>> {
        Some(match (&self.backing, &self.capture) {
            (Backing::Tun(t), None) => Queue::Tun(t.queue(i)?),
            (Backing::Packet(p), None) => Queue::Packet(p.queue(i)?),
            (Backing::Tun(t), Some(c)) => Queue::TunPcap(Pcap::new(t.queue(i)?, c.tap(i)?)),
            (Backing::Packet(p), Some(c)) => Queue::PacketPcap(Pcap::new(p.queue(i)?, c.tap(i)?)),
        })
    }

    /// The interface index of the VPC's `plink0` in its namespace.
    pub fn ifindex(&self) -> u32 {
        on_backing!(&self.backing, d => d.ifindex())
    }

    /// Offloads the device takes ([`Device::offloads`]).
    pub fn offloads(&self) -> Offloads {
        on_backing!(&self.backing, d => d.offloads())
    }

    /// Frames the kernel dropped on the way to privlinkd because a worker fell behind
    /// ([`Device::socket_drops`]).
    pub fn socket_drops(&self) -> u64 {
        on_backing!(&self.backing, d => d.socket_drops())
    }
}

impl DeviceQueue for Queue<'_> {
    fn vnet_hdr(&self) -> bool {
        on_queue!(self, q => q.vnet_hdr())
    }

    fn recv_batch(&self, batch: &mut FrameBatch, s: &mut Scratch) -> std::io::Result<RxCount> {
        on_queue!(self, q => q.recv_batch(batch, s))
    }

    fn send_batch(&self, batch: &FrameBatch, outs: &[Out], s: &mut Scratch) -> TxCount {
        on_queue!(self, q => q.send_batch(batch, outs, s))
    }

    fn send_one(&self, frame: &[u8], s: &mut Scratch) -> TxCount {
        on_queue!(self, q => q.send_one(frame, s))
    }
}

impl AsFd for Queue<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        on_queue!(self, q => q.as_fd())
    }
}
