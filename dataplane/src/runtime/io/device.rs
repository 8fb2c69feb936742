//! What every VPC device has, whichever backend carries it: the frame form and limits, the
//! offload flags, the batch counters and scratch, and the two traits the workers see a device
//! through — [`Device`] (one per VPC: queues, interface index, offloads, drop counter) and
//! [`DeviceQueue`] (one per worker: read a batch, send a batch or one frame), modelled on
//! smoltcp's `phy::Device`. The backends ([`super::tun`], [`super::packet`]) and the wrappers
//! ([`super::pcap`]) depend on this module only; [`super::port`] puts them together.
//!
//! # Contracts of every [`DeviceQueue`]
//! - Frames are in the TUN form `[virtio header][IP packet]`, the header present exactly when
//!   [`DeviceQueue::vnet_hdr`] says so, each at most [`MAX_FRAME_LEN`] bytes.
//! - A queue never blocks: an empty queue reads `WouldBlock`; wait on its fd ([`AsFd`]) with a
//!   [`Poller`](super::poll::Poller).
//! - Every frame read or sent is accounted in [`RxCount`]/[`TxCount`]; nothing panics on what
//!   a device hands over.
//! - A [`Scratch`] is the one per-thread piece of memory the system calls need, so a batch
//!   allocates nothing.
//!
//! # Why static dispatch
//! The worker calls a queue once per batch, and what it calls must stay visible to the
//! optimiser: a `dyn DeviceQueue` would put an indirect call (and a lost inlining of the TUN
//! read loop) on every batch and every frame sent alone. So the traits are only ever used
//! through generics and through [`super::port::Queue`], an enum with one variant per concrete
//! queue type whose trait methods are a `match` to the monomorphic code of each: the backend
//! and whether frames are captured ([`super::pcap::Pcap`]) are decided once per batch by one
//! jump, and each arm is the same code a worker written for that one type would run.

use std::io;
use std::os::fd::AsFd;

use crate::coalesce::PAYLOAD_OFFSET;
use crate::frame::{FrameBatch, Out};
use crate::wire::virtio::LEN as VNET_HDR_LEN;

/// Largest frame a queue can return: virtio header + IPv6 header + 65535-byte payload. Receive
/// buffers of this size never truncate (a shorter buffer silently truncates the frame).
pub const MAX_FRAME_LEN: usize = VNET_HDR_LEN + 40 + 65535;

/// Most queues a device can have (the kernel's `MAX_TAP_QUEUES`; packet ports keep to it too).
pub const MAX_QUEUES: usize = 256;

bitflags::bitflags! {
    /// A set of offload flags, as `TUNSETOFFLOAD` takes them (`TUN_F_*`); a packet port with
    /// a virtio header takes them all. Displayed as `csum|tso4|…` or `none` (logged, and
    /// reported by `GetStats`).
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Offloads: u32 {
        /// `TUN_F_CSUM`: we accept partial checksums (`NEEDS_CSUM`).
        const CSUM = libc::TUN_F_CSUM;
        /// `TUN_F_TSO4`: TCP/IPv4 super-packets.
        const TSO4 = libc::TUN_F_TSO4;
        /// `TUN_F_TSO6`: TCP/IPv6 super-packets.
        const TSO6 = libc::TUN_F_TSO6;
        /// `TUN_F_TSO_ECN`: TSO also for segments with CWR (`GSO_ECN`).
        const TSO_ECN = libc::TUN_F_TSO_ECN;
        /// `TUN_F_USO4`: UDP (`UDP_SEGMENT`) super-packets over IPv4.
        const USO4 = libc::TUN_F_USO4;
        /// `TUN_F_USO6`: UDP super-packets over IPv6.
        const USO6 = libc::TUN_F_USO6;
    }
}

impl Offloads {
    /// No offload: every frame is a plain, fully checksummed packet.
    pub const NONE: Offloads = Offloads::empty();
    /// Everything the data plane can use.
    pub const ALL: Offloads = Offloads::all();

    /// Applies the kernel's dependency rules: everything needs CSUM, TSO_ECN needs TSO4 or TSO6,
    /// USO4 and USO6 only work together.
    pub const fn normalized(self) -> Offloads {
        if !self.contains(Self::CSUM) {
            return Self::NONE;
        }
        let mut o = self;
        if !o.intersects(Self::TSO4.union(Self::TSO6)) {
            o = o.difference(Self::TSO_ECN);
        }
        let uso = Self::USO4.union(Self::USO6);
        if !o.contains(uso) {
            o = o.difference(uso);
        }
        o
    }
}

impl std::fmt::Display for Offloads {
    /// The set flags' names in lower case, joined by `|`; `none` for the empty set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, (name, _)) in self.iter_names().enumerate() {
            if i > 0 {
                f.write_char('|')?;
            }
            for c in name.chars() {
                f.write_char(c.to_ascii_lowercase())?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for Offloads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Offloads({self})")
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

/// Per-thread scratch for the system calls' headers, reused for every batch (no allocation
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

/// An I/O vector over `b` (the kernel only reads through it; the `*mut` is the C ABI's).
pub(super) fn iovec(b: &[u8]) -> libc::iovec {
    libc::iovec { iov_base: b.as_ptr() as *mut libc::c_void, iov_len: b.len() }
}

/// One message of a send list (see [`crate::frame::messages`]): its first frame whole, and the
/// UDP payloads of the frames that join it (a USO super-frame, see [`crate::coalesce`]), in
/// the order they go out.
pub(super) fn message_parts<'b>(
    batch: &'b FrameBatch,
    m: &'b [Out],
) -> (&'b [u8], impl ExactSizeIterator<Item = &'b [u8]> + Clone) {
    let head = batch.head(usize::from(m[0].idx), m[0].len as usize);
    let joined = m[1..]
        .iter()
        .map(|o| batch.head(usize::from(o.idx), o.len as usize).get(PAYLOAD_OFFSET..).unwrap_or_default());
    (head, joined)
}

/// One queue of a device, the one a worker reads and writes (see the module doc for the
/// contracts). Methods take `&self`: a queue is shared by its worker and the health checker.
pub trait DeviceQueue: AsFd {
    /// Whether frames carry the 10-byte virtio-net header.
    fn vnet_hdr(&self) -> bool;

    /// Reads frames into `batch` (each at its headroom) until it is full or the queue is
    /// empty; `WouldBlock` if there was none. `s` is the backend's system-call scratch (a
    /// backend that reads one frame per call leaves it alone).
    fn recv_batch(&self, batch: &mut FrameBatch, s: &mut Scratch) -> io::Result<RxCount>;

    /// Sends the frames `outs` of `batch`, one message per [`crate::frame::messages`] entry
    /// (a frame marked [`Out::join`] adds its UDP payload to the message before it).
    fn send_batch(&self, batch: &FrameBatch, outs: &[Out], s: &mut Scratch) -> TxCount;

    /// Sends one frame built outside a batch (a resolver reply, a health probe).
    fn send_one(&self, frame: &[u8], s: &mut Scratch) -> TxCount;
}

/// A VPC's device: queue `i` belongs to worker `i`.
pub trait Device {
    /// The type of its queues.
    type Queue: DeviceQueue;

    /// Queue `i`, if any.
    fn queue(&self, i: usize) -> Option<&Self::Queue>;

    /// The interface index of the VPC's `plink0` in its namespace.
    fn ifindex(&self) -> u32;

    /// Offloads the device takes (frames may carry them only with a virtio header).
    fn offloads(&self) -> Offloads;

    /// Frames the kernel dropped on the way to privlinkd because a worker fell behind, where
    /// the backend counts them apart from the device's own counters (0 where it does not).
    fn socket_drops(&self) -> u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offload_rules_and_names() {
        assert_eq!(Offloads::ALL.to_string(), "csum|tso4|tso6|tso_ecn|uso4|uso6");
        assert_eq!(Offloads::NONE.to_string(), "none");
        assert_eq!(format!("{:?}", Offloads::CSUM | Offloads::TSO4), "Offloads(csum|tso4)");
        assert_eq!(Offloads::TSO4.normalized(), Offloads::NONE);
        assert_eq!((Offloads::CSUM | Offloads::TSO_ECN).normalized(), Offloads::CSUM);
        assert_eq!((Offloads::CSUM | Offloads::USO4).normalized(), Offloads::CSUM);
        assert_eq!(Offloads::ALL.normalized(), Offloads::ALL);
        assert_eq!(
            Offloads::ALL.bits(),
            0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x40,
            "TUN_F_* values from <linux/if_tun.h>"
        );
        assert!(Offloads::ALL.contains(Offloads::TSO4 | Offloads::TSO6));
        assert!(!Offloads::CSUM.intersects(Offloads::TSO4));
        assert_eq!(Offloads::from_bits_truncate(0xffff_ffff), Offloads::ALL);
        assert_eq!(Offloads::default(), Offloads::NONE);
    }

    #[test]
    fn a_message_is_its_head_and_the_joined_payloads() {
        let mut batch = FrameBatch::new(3, 100);
        let (bufs, lens) = batch.slots_mut();
        for (i, (b, l)) in bufs.iter_mut().zip(lens.iter_mut()).enumerate() {
            let f = crate::frame::Frame::receive_area(b);
            f[..60].fill(i as u8);
            *l = 60;
        }
        batch.set_len(3);
        let outs = [
            Out { idx: 0, len: 60, join: false },
            Out { idx: 2, len: 50, join: true },
            Out { idx: 1, len: 60, join: true },
        ];
        let (head, joined) = message_parts(&batch, &outs);
        assert_eq!(head, &[0u8; 60][..]);
        let joined: Vec<&[u8]> = joined.collect();
        assert_eq!(joined, [&[2u8; 50 - PAYLOAD_OFFSET][..], &[1u8; 60 - PAYLOAD_OFFSET][..]]);
    }
}
