//! A VPC's device, whichever backend carries it: a TUN device ([`super::tun`]) or a packet
//! port ([`super::packet`]). Workers see one interface for both: per-worker queues that read
//! a batch of frames into a [`FrameBatch`] and send a batch back out, frames always in the
//! TUN form `[virtio header][IPv4 packet]`.
//!
//! Contract: a [`Queue`] never blocks; an empty queue reads `WouldBlock`; every frame read or
//! sent is accounted in [`RxCount`]/[`TxCount`]; a [`Scratch`] is the one per-worker piece of
//! memory the system calls need, so a batch allocates nothing.

use std::os::fd::{AsFd, BorrowedFd};

use super::packet::{PacketPort, PacketQueue};
use super::tun::{Offloads, Tun, TunQueue};
use crate::frame::{FrameBatch, Out};
use crate::wire::virtio::LEN as VNET_HDR_LEN;

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

/// A VPC's device.
#[derive(Debug)]
pub enum Port {
    /// A TUN device.
    Tun(Tun),
    /// A veth pair with packet sockets.
    Packet(PacketPort),
}

/// Queue `w` of a [`Port`], the one worker `w` uses.
#[derive(Clone, Copy, Debug)]
pub enum Queue<'a> {
    /// A TUN queue.
    Tun(&'a TunQueue),
    /// A packet socket.
    Packet(&'a PacketQueue),
}

impl Port {
    /// Queue `i`, if any.
    pub fn queue(&self, i: usize) -> Option<Queue<'_>> {
        match self {
            Port::Tun(t) => t.queue(i).map(Queue::Tun),
            Port::Packet(p) => p.queue(i).map(Queue::Packet),
        }
    }

    /// The interface index of the VPC's `plink0` in its namespace.
    pub fn ifindex(&self) -> u32 {
        match self {
            Port::Tun(t) => t.ifindex(),
            Port::Packet(p) => p.ifindex(),
        }
    }

    /// Offloads the device takes: what TUN accepted, or with a virtio header on a packet port
    /// everything a veth does (checksum, TSO, USO).
    pub fn offloads(&self) -> Offloads {
        match self {
            Port::Tun(t) => t.offloads(),
            Port::Packet(p) if p.vnet_hdr() => Offloads::ALL,
            Port::Packet(_) => Offloads::NONE,
        }
    }

    /// Frames the kernel dropped on the way to privlinkd because a worker fell behind, where
    /// the backend counts them apart from the device's own counters (packet sockets).
    pub fn socket_drops(&self) -> u64 {
        match self {
            Port::Tun(_) => 0,
            Port::Packet(p) => p.drops(),
        }
    }
}

impl Queue<'_> {
    /// Whether frames carry the virtio-net header.
    pub fn vnet_hdr(&self) -> bool {
        match self {
            Queue::Tun(q) => q.vnet_hdr(),
            Queue::Packet(q) => q.vnet_hdr(),
        }
    }

    /// Reads a batch (see [`PacketQueue::recv_batch`], [`TunQueue::recv_batch`]).
    pub fn recv_batch(&self, batch: &mut FrameBatch, s: &mut Scratch) -> std::io::Result<RxCount> {
        match self {
            Queue::Tun(q) => q.recv_batch(batch),
            Queue::Packet(q) => q.recv_batch(batch, s),
        }
    }

    /// Sends frames of a batch.
    pub fn send_batch(&self, batch: &FrameBatch, outs: &[Out], s: &mut Scratch) -> TxCount {
        match self {
            Queue::Tun(q) => q.send_batch(batch, outs, s),
            Queue::Packet(q) => q.send_batch(batch, outs, s),
        }
    }

    /// Sends one frame.
    pub fn send_one(&self, frame: &[u8], s: &mut Scratch) -> TxCount {
        match self {
            Queue::Tun(q) => q.send_one(frame, s),
            Queue::Packet(q) => q.send_one(frame, s),
        }
    }
}

impl AsFd for Queue<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Queue::Tun(q) => q.as_fd(),
            Queue::Packet(q) => q.as_fd(),
        }
    }
}

/// What one batched read did besides filling the batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxCount {
    /// Frames in the batch.
    pub frames: usize,
    /// Frames left out: shorter than their headers, or (on a device that hands over other
    /// protocols) not IPv4.
    pub not_ip: usize,
    /// Frames left out: longer than their buffer.
    pub oversized: usize,
}

/// What one batched send did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxCount {
    /// Messages the kernel took (a USO super-frame is one message).
    pub sent: usize,
    /// Messages it refused or that were not tried (full buffer, vanished device).
    pub failed: usize,
}

/// Per-worker scratch for the system calls' headers, reused for every batch (no allocation
/// per call once it has grown to the batch size).
#[derive(Default)]
pub struct Scratch {
    pub(super) msgs: Vec<libc::mmsghdr>,
    /// I/O vectors of all messages, each message's in one stretch.
    pub(super) iovs: Vec<libc::iovec>,
    pub(super) vnet: Vec<[u8; VNET_HDR_LEN]>,
}

impl Scratch {
    /// Room for `n` frames: a message, a virtio header and up to three I/O vectors each.
    pub(super) fn reserve(&mut self, n: usize) {
        // SAFETY: both are plain C structs for which all-zero is a valid value.
        let zero_msg: libc::mmsghdr = unsafe { std::mem::zeroed() };
        let zero_iov = libc::iovec { iov_base: std::ptr::null_mut(), iov_len: 0 };
        if self.msgs.len() < n {
            self.msgs.resize(n, zero_msg);
            self.iovs.resize(3 * n, zero_iov);
            self.vnet.resize(n, [0; VNET_HDR_LEN]);
        }
    }
}

// SAFETY: the raw pointers in the scratch headers are rebuilt before every call and never
// followed otherwise; a Scratch moved to another thread holds nothing that thread cannot use.
unsafe impl Send for Scratch {}
