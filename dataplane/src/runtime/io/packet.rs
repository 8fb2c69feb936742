//! Packet ports: a VPC's `plink0` as one end of a veth pair whose other end lives in a
//! namespace privlinkd owns, read and written there with AF_PACKET sockets, many frames per
//! system call (`recvmmsg`/`sendmmsg`).
//!
//! # Shape
//! - The pair is made in the I/O namespace (`io_netns`, privlinkd's own, never the host's)
//!   as `<name>` + `<name>p`; the peer moves into the VPC namespace and is renamed `plink0` on
//!   the way. Both ends have fixed locally administered addresses ([`VPC_MAC`] on `plink0`,
//!   [`FABRIC_MAC`] on the fabric end) and `plink0` is NOARP: the VPC's stack sends every
//!   frame to its own address without asking for a neighbour, and every frame we send it is
//!   addressed to it. Ethernet only in form; nothing answers or sends ARP.
//! - One socket per queue (worker) on the fabric end, `SOCK_RAW`, bound to that device:
//!   - for IPv4 only: a protocol handler, not a tap, so as the frame's last handler it takes
//!     the frame without a clone (measured: 15 % less CPU per small packet than `ETH_P_ALL`);
//!   - `PACKET_VNET_HDR` when offload is on: GSO super-frames and partial checksums travel
//!     whole, with their virtio header, both ways;
//!   - `PACKET_QDISC_BYPASS` (a send goes straight to the veth) and `PACKET_IGNORE_OUTGOING`;
//!   - 32 MiB of buffer each way: a limit, not an allocation, about 500 GSO frames like a TUN
//!     queue;
//!   - with more than one queue, a `PACKET_FANOUT_HASH` group, so a flow's frames always reach
//!     the same worker.
//! - The fabric end's own stack never sees a frame it could act on: it has no address, IPv6
//!   is off, and every frame on it is addressed to `plink0`'s MAC, so IPv4 discards it as
//!   "other host" at once.
//!
//! # Contracts
//! - Frames come out of [`PacketQueue::recv_batch`] and go into [`PacketQueue::send_batch`] in
//!   the TUN form the pipeline reads: `[virtio header][IPv4 packet]`. The Ethernet header is
//!   dropped on the way in (the virtio header moves over it and its `csum_start`/`hdr_len`,
//!   which count the Ethernet header on a packet socket, lose 14) and added on the way out
//!   (from a constant, as a separate I/O vector; the header gains 14 back).
//! - A frame that is not IPv4 never reaches the socket. One shorter than its headers or longer
//!   than its buffer is counted in [`RxCount`] and left out of the batch; nothing here panics
//!   on what a device hands over.
//! - Sends never block (`MSG_DONTWAIT`): a frame the kernel refuses is counted in [`TxCount`]
//!   and the rest of the batch still goes; a full send buffer drops the rest of the batch.
//! - Dropping the port deletes the pair (and with it `plink0`); the sockets close with it.
//!   Deleting the VPC's namespace or the I/O namespace deletes it too, and a queue of a
//!   vanished device reports errors (counted), never a hang.
//!
//! # Why sockets and not mmap rings
//! `TPACKET_V3` RX rings hand a block to user space only when it is full or its retire timer
//! (1 ms at best) fires, so a lone request waits a millisecond; the TX ring's frames are
//! handed to the receiving namespace by reference, and its IP layer orphans them (handing
//! the slot back) while the data still waits in a socket there. A `TPACKET_V2` RX ring with
//! small slots (longer frames left whole in the socket, `PACKET_COPY_THRESH`) was built and
//! measured: 8 % more connections/s, but 64-byte UDP at full load swung between 0.50 and 0.72
//! of the kernel against 0.74–0.76 with sockets, and its loss-free rate was lower (README,
//! "Measured and rejected"). `recvmmsg`/`sendmmsg` keep the batching (one call per up to
//! [`crate::runtime::worker::BATCH`] frames), wake on the first frame, and use the worker's
//! buffers for every device: the frames are copied once each way, as with a ring.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;

use super::device::{
    Device, DeviceQueue, MAX_QUEUES, Offloads, RxCount, Scratch, TxCount, iovec, message_parts,
};
use super::link::{LinkCtl, validate_device_name};
use super::netns::{in_netns, path_of};
use super::{IoError, Result, dev_target};
use crate::frame::{FrameBatch, HEADROOM, Out, messages};
use crate::wire::virtio::{self, LEN as VNET_HDR_LEN};

/// Address of `plink0`, the VPC's end.
pub const VPC_MAC: [u8; 6] = [0x02, 0x70, 0x6c, 0x00, 0x00, 0x01];
/// Address of the fabric's end.
pub const FABRIC_MAC: [u8; 6] = [0x02, 0x70, 0x6c, 0x00, 0x00, 0x02];
/// Length of the Ethernet header the veth adds.
pub const ETH_LEN: usize = 14;
const ETH_P_IP: u16 = 0x0800;
/// Every frame we hand to `plink0`: to its address, from ours, IPv4.
const ETH_HEADER: [u8; ETH_LEN] =
    [0x02, 0x70, 0x6c, 0x00, 0x00, 0x01, 0x02, 0x70, 0x6c, 0x00, 0x00, 0x02, 0x08, 0x00];
/// Socket buffer each way, per queue.
const SOCKET_BUFFER: libc::c_int = 32 << 20;
/// `<linux/if_packet.h>` values `libc` does not carry.
const PACKET_FANOUT_HASH: libc::c_int = 0;
const PACKET_FANOUT_FLAG_UNIQUEID: libc::c_int = 0x2000;

/// How to make a packet port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketConfig {
    /// Sockets (one per worker), 1..=256.
    pub queues: usize,
    /// `PACKET_VNET_HDR`: frames carry the virtio header (GSO, partial checksums). Without it
    /// `plink0` gets transmit checksum offload off, so its stack sends complete packets.
    pub vnet_hdr: bool,
    /// MTU of both ends.
    pub mtu: u32,
}

/// One queue of a port: a non-blocking AF_PACKET socket on the fabric end.
#[derive(Debug)]
pub struct PacketQueue {
    fd: OwnedFd,
    vnet_hdr: bool,
    /// Frames the kernel dropped because this socket's queue was full (read-and-reset by the
    /// kernel, so accumulated here).
    drops: AtomicU64,
}

impl DeviceQueue for PacketQueue {
    fn vnet_hdr(&self) -> bool {
        self.vnet_hdr
    }

    /// Reads up to `batch.capacity()` frames with one `recvmmsg`. Frame `i` lands in buffer
    /// `i` so that, once its Ethernet header is gone, it starts at [`HEADROOM`] (see the
    /// module doc).
    fn recv_batch(&self, batch: &mut FrameBatch, s: &mut Scratch) -> std::io::Result<RxCount> {
        let hdr = self.hdr();
        let n = batch.capacity();
        s.reserve(n);
        let (bufs, lens) = batch.slots_mut();
        for ((buf, iov), msg) in bufs.iter_mut().zip(s.iovs.iter_mut()).zip(s.msgs.iter_mut()) {
            let area = &mut buf[HEADROOM - ETH_LEN..];
            *iov = libc::iovec { iov_base: area.as_mut_ptr().cast(), iov_len: area.len() };
            // SAFETY: all-zero is a valid msghdr.
            msg.msg_hdr = unsafe { std::mem::zeroed() };
            msg.msg_hdr.msg_iov = iov;
            msg.msg_hdr.msg_iovlen = 1;
            msg.msg_len = 0;
        }
        // SAFETY: `msgs[..n]` point at `n` live iovecs that cover live, writable buffers.
        let got = unsafe {
            libc::recvmmsg(
                self.fd.as_raw_fd(),
                s.msgs.as_mut_ptr(),
                n as libc::c_uint,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if got < 0 {
            batch.set_len(0);
            return Err(std::io::Error::last_os_error());
        }
        let mut count = RxCount::default();
        let mut kept = 0;
        for i in 0..got as usize {
            let len = s.msgs[i].msg_len as usize;
            let start = HEADROOM - ETH_LEN;
            if s.msgs[i].msg_hdr.msg_flags & libc::MSG_TRUNC != 0 {
                count.oversized += 1;
                continue;
            }
            let buf = &mut bufs[i];
            let eth_type = start + hdr + 12;
            if len < hdr + ETH_LEN || u16::from_be_bytes([buf[eth_type], buf[eth_type + 1]]) != ETH_P_IP {
                count.not_ip += 1;
                continue;
            }
            if hdr > 0 {
                let mut v = [0u8; VNET_HDR_LEN];
                v.copy_from_slice(&buf[start..start + VNET_HDR_LEN]);
                shift_vnet(&mut v, false);
                buf[HEADROOM..HEADROOM + VNET_HDR_LEN].copy_from_slice(&v);
            }
            if kept != i {
                bufs.swap(kept, i);
            }
            lens[kept] = len - ETH_LEN;
            kept += 1;
        }
        count.frames = kept;
        batch.set_len(kept);
        Ok(count)
    }

    /// Sends with one `sendmmsg` (more if the kernel refuses one in the middle: that message
    /// is counted as failed and the rest still goes).
    fn send_batch(&self, batch: &FrameBatch, outs: &[Out], s: &mut Scratch) -> TxCount {
        s.reserve(outs.len());
        let mut count = TxCount::default();
        let (mut n, mut used) = (0, 0);
        for m in messages(outs) {
            let (head, joined) = message_parts(batch, m);
            match self.lay_out(s, n, used, head, joined) {
                Some(end) => (n, used) = (n + 1, end),
                None => count.failed += m.len(),
            }
        }
        self.send_messages(n, s, &mut count);
        count
    }

    fn send_one(&self, frame: &[u8], s: &mut Scratch) -> TxCount {
        s.reserve(1);
        let mut count = TxCount::default();
        match self.lay_out(s, 0, 0, frame, std::iter::empty()) {
            Some(_) => self.send_messages(1, s, &mut count),
            None => count.failed = 1,
        }
        count
    }
}

impl PacketQueue {
    fn hdr(&self) -> usize {
        if self.vnet_hdr { VNET_HDR_LEN } else { 0 }
    }

    /// Lays out message `n` of `s`, its I/O vectors from `iovs[used]` on: the frame `head`
    /// (its virtio header shifted to L2 offsets, the Ethernet header, the rest), then the
    /// `joined` payloads. Returns where its vectors end; `None` (nothing laid out) if `head`
    /// is shorter than its virtio header, or payloads would join a frame without one (no
    /// super-frame can be described).
    fn lay_out<'a>(
        &self,
        s: &mut Scratch,
        n: usize,
        mut used: usize,
        head: &[u8],
        joined: impl ExactSizeIterator<Item = &'a [u8]>,
    ) -> Option<usize> {
        let hdr = self.hdr();
        if head.len() < hdr || (joined.len() > 0 && hdr == 0) {
            return None;
        }
        let first = used;
        if hdr > 0 {
            s.vnet[n].copy_from_slice(&head[..VNET_HDR_LEN]);
            shift_vnet(&mut s.vnet[n], true);
            s.iovs[used] = iovec(&s.vnet[n]);
            used += 1;
        }
        s.iovs[used] = iovec(&ETH_HEADER);
        s.iovs[used + 1] = iovec(&head[hdr..]);
        used += 2;
        for p in joined {
            s.iovs[used] = iovec(p);
            used += 1;
        }
        // SAFETY: all-zero is a valid msghdr.
        s.msgs[n].msg_hdr = unsafe { std::mem::zeroed() };
        s.msgs[n].msg_hdr.msg_iov = s.iovs[first..].as_mut_ptr();
        s.msgs[n].msg_hdr.msg_iovlen = used - first;
        Some(used)
    }

    /// `sendmmsg` of the first `n` messages laid out in `s`, counting each message once.
    fn send_messages(&self, n: usize, s: &mut Scratch, count: &mut TxCount) {
        let mut from = 0;
        while from < n {
            // SAFETY: `msgs[from..n]` point at live iovecs over live frames and headers; the
            // kernel only reads them (the `*mut` casts are the C ABI's).
            let r = unsafe {
                libc::sendmmsg(
                    self.fd.as_raw_fd(),
                    s.msgs[from..].as_mut_ptr(),
                    (n - from) as libc::c_uint,
                    libc::MSG_DONTWAIT,
                )
            };
            if r > 0 {
                count.sent += r as usize;
                from += r as usize;
                continue;
            }
            match Errno::last() {
                Errno::EINTR if r < 0 => continue,
                // A full buffer or a vanished device: the rest would fail the same way.
                Errno::EAGAIN | Errno::ENOBUFS | Errno::ENXIO | Errno::ENETDOWN | Errno::ENODEV => {
                    count.failed += n - from;
                    break;
                }
                // This message is bad (e.g. longer than the MTU): skip it.
                _ => {
                    count.failed += 1;
                    from += 1;
                }
            }
        }
    }

    /// Frames the kernel dropped at this socket since it was opened (its queue was full).
    pub fn drops(&self) -> u64 {
        #[repr(C)]
        #[derive(Default)]
        struct TpacketStats {
            packets: u32,
            drops: u32,
        }
        let mut st = TpacketStats::default();
        let mut len = std::mem::size_of::<TpacketStats>() as libc::socklen_t;
        // SAFETY: PACKET_STATISTICS writes one `struct tpacket_stats` of `len` bytes.
        let r = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                (&mut st as *mut TpacketStats).cast(),
                &mut len,
            )
        };
        if r == 0 {
            self.drops.fetch_add(u64::from(st.drops), Ordering::Relaxed);
        }
        self.drops.load(Ordering::Relaxed)
    }
}

/// Moves a virtio header between the packet socket's view (offsets count the Ethernet
/// header) and the pipeline's (they start at the IP header): `to_l2` adds [`ETH_LEN`] to a
/// set `csum_start` and a non-zero `hdr_len`, otherwise subtracts it.
fn shift_vnet(v: &mut [u8; VNET_HDR_LEN], to_l2: bool) {
    let adjust = |b: &mut [u8], when: bool| {
        let x = u16::from_le_bytes([b[0], b[1]]);
        if when {
            let y = if to_l2 { x.saturating_add(ETH_LEN as u16) } else { x.saturating_sub(ETH_LEN as u16) };
            b.copy_from_slice(&y.to_le_bytes());
        }
    };
    let needs_csum = v[0] & virtio::F_NEEDS_CSUM != 0;
    let hdr_len_set = u16::from_le_bytes([v[2], v[3]]) != 0;
    adjust(&mut v[2..4], hdr_len_set);
    adjust(&mut v[6..8], needs_csum);
}

impl AsFd for PacketQueue {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// A VPC's veth pair and the sockets on its fabric end (see the module doc).
#[derive(Debug)]
pub struct PacketPort {
    io_netns: String,
    name: String,
    vpc_dev: String,
    vpc_ifindex: u32,
    vnet_hdr: bool,
    queues: Vec<PacketQueue>,
}

fn setsockopt_int(
    fd: &OwnedFd,
    level: libc::c_int,
    opt: libc::c_int,
    v: libc::c_int,
) -> std::result::Result<(), Errno> {
    // SAFETY: the option reads one int.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    Errno::result(r).map(drop)
}

/// Opens one queue's socket on the calling thread (in the I/O namespace), bound to `ifindex`;
/// joins fanout group `fanout` (`Some(0)`: make a new group) and returns the group's id.
fn open_socket(
    ifindex: u32,
    vnet_hdr: bool,
    fanout: Option<u16>,
) -> std::result::Result<(OwnedFd, Option<u16>), (&'static str, Errno)> {
    // Protocol 0 until bound: the socket sees nothing from other devices meanwhile.
    // SAFETY: a plain socket call; the fd is owned at once.
    let raw = unsafe {
        libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, 0)
    };
    if raw < 0 {
        return Err(("socket(AF_PACKET)", Errno::last()));
    }
    // SAFETY: raw was just returned by socket(2) and is owned by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let opt = |name, o, v| setsockopt_int(&fd, libc::SOL_PACKET, o, v).map_err(|e| (name, e));
    if vnet_hdr {
        opt("setsockopt(PACKET_VNET_HDR)", libc::PACKET_VNET_HDR, 1)?;
    }
    opt("setsockopt(PACKET_QDISC_BYPASS)", libc::PACKET_QDISC_BYPASS, 1)?;
    opt("setsockopt(PACKET_IGNORE_OUTGOING)", libc::PACKET_IGNORE_OUTGOING, 1)?;
    setsockopt_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, SOCKET_BUFFER)
        .map_err(|e| ("setsockopt(SO_RCVBUFFORCE)", e))?;
    setsockopt_int(&fd, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, SOCKET_BUFFER)
        .map_err(|e| ("setsockopt(SO_SNDBUFFORCE)", e))?;
    // SAFETY: all-zero is a valid sockaddr_ll.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = ETH_P_IP.to_be();
    sll.sll_ifindex = ifindex as i32;
    // SAFETY: bind reads one sockaddr_ll of the given size.
    let r = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    Errno::result(r).map_err(|e| ("bind", e))?;
    let group = match fanout {
        None => None,
        Some(0) => {
            opt(
                "setsockopt(PACKET_FANOUT, new group)",
                libc::PACKET_FANOUT,
                (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16,
            )?;
            let mut v: libc::c_int = 0;
            let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            // SAFETY: PACKET_FANOUT reads back one int.
            let r = unsafe {
                libc::getsockopt(
                    fd.as_raw_fd(),
                    libc::SOL_PACKET,
                    libc::PACKET_FANOUT,
                    (&mut v as *mut libc::c_int).cast(),
                    &mut len,
                )
            };
            Errno::result(r).map_err(|e| ("getsockopt(PACKET_FANOUT)", e))?;
            Some((v & 0xffff) as u16)
        }
        Some(id) => {
            opt(
                "setsockopt(PACKET_FANOUT, join)",
                libc::PACKET_FANOUT,
                (PACKET_FANOUT_HASH << 16) | libc::c_int::from(id),
            )?;
            Some(id)
        }
    };
    Ok((fd, group))
}

impl PacketPort {
    /// Makes the pair: `name` in `io_netns` (privlinkd's namespace, which must exist), its
    /// peer as `vpc_dev` in `netns` (down, no address: configure it like a TUN device), and
    /// the sockets. [`IoError::DeviceExists`] if `vpc_dev` exists in `netns` or `name` in
    /// `io_netns`; on any error nothing of the pair stays.
    pub fn create(
        io_netns: &str,
        name: &str,
        netns: &str,
        vpc_dev: &str,
        cfg: &PacketConfig,
    ) -> Result<PacketPort> {
        validate_device_name(name)?;
        validate_device_name(vpc_dev)?;
        let peer = format!("{name}p");
        validate_device_name(&peer)?;
        if cfg.queues == 0 || cfg.queues > MAX_QUEUES {
            return Err(IoError::InvalidArgument(format!(
                "netns {io_netns}, device {name}: queues must be 1..={MAX_QUEUES}, got {}",
                cfg.queues
            )));
        }
        let vpc_ns = std::fs::File::open(path_of(netns)?).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => IoError::NetnsNotFound { netns: netns.to_owned() },
            _ => IoError::from_io(super::ns_target(netns), "open", &e),
        })?;
        let vpc_ns = OwnedFd::from(vpc_ns);
        let fds = in_netns(io_netns, || -> Result<Vec<OwnedFd>> {
            let ctl = LinkCtl::open_here(io_netns)?;
            ctl.add_veth(name, FABRIC_MAC, &peer, VPC_MAC, cfg.mtu)?;
            let made = (|| {
                ctl.set_noarp(&peer)?;
                ctl.move_to_netns(&peer, &vpc_ns, netns, vpc_dev)?;
                ctl.disable_ipv6(name)?;
                ctl.set_up(name)?;
                let ifindex = ctl.index(name)?;
                let target = dev_target(io_netns, name);
                let mut fds = Vec::with_capacity(cfg.queues);
                let mut group = if cfg.queues > 1 { Some(0) } else { None };
                for i in 0..cfg.queues {
                    let (fd, g) = open_socket(ifindex, cfg.vnet_hdr, group)
                        .map_err(|(op, e)| IoError::sys(&target, format!("{op} (queue {i})"), e))?;
                    group = g;
                    fds.push(fd);
                }
                Ok(fds)
            })();
            if made.is_err() {
                let _ = ctl.delete(name);
            }
            made
        })??;
        let mut port = PacketPort {
            io_netns: io_netns.to_owned(),
            name: name.to_owned(),
            vpc_dev: vpc_dev.to_owned(),
            vpc_ifindex: 0,
            vnet_hdr: cfg.vnet_hdr,
            queues: fds
                .into_iter()
                .map(|fd| PacketQueue { fd, vnet_hdr: cfg.vnet_hdr, drops: AtomicU64::new(0) })
                .collect(),
        };
        // From here on, dropping `port` removes the pair.
        let vnet = cfg.vnet_hdr;
        port.vpc_ifindex = super::link::configure(netns, |l| {
            if !vnet {
                l.disable_tx_offload(vpc_dev)?;
            }
            l.index(vpc_dev)
        })?;
        Ok(port)
    }

    /// Whether frames carry the virtio-net header.
    pub fn vnet_hdr(&self) -> bool {
        self.vnet_hdr
    }

    /// All queues.
    pub fn queues(&self) -> &[PacketQueue] {
        &self.queues
    }
}

impl Device for PacketPort {
    type Queue = PacketQueue;

    fn queue(&self, i: usize) -> Option<&PacketQueue> {
        self.queues.get(i)
    }

    /// `plink0`'s interface index in the VPC namespace.
    fn ifindex(&self) -> u32 {
        self.vpc_ifindex
    }

    /// With a virtio header, everything a veth does (checksum, TSO, USO); none without.
    fn offloads(&self) -> Offloads {
        if self.vnet_hdr { Offloads::ALL } else { Offloads::NONE }
    }

    /// Frames the kernel dropped at the sockets because a worker fell behind.
    fn socket_drops(&self) -> u64 {
        self.queues.iter().map(PacketQueue::drops).sum()
    }
}

impl Drop for PacketPort {
    /// Deletes the pair (the sockets close after). Gone already (its namespace was deleted)
    /// is fine.
    fn drop(&mut self) {
        let (ns, name, vpc_dev) = (self.io_netns.clone(), self.name.clone(), self.vpc_dev.clone());
        match super::link::configure(&ns, |l| l.delete(&name)) {
            Ok(()) | Err(IoError::NoSuchDevice { .. } | IoError::NetnsNotFound { .. }) => {}
            Err(e) => {
                tracing::warn!(netns = %ns, device = %name, peer = %vpc_dev, error = %e, "cannot delete veth pair")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_virtio_header_moves_between_l2_and_l3_offsets() {
        let mut v = [virtio::F_NEEDS_CSUM, virtio::GSO_TCPV4, 66, 0, 0xa8, 0x05, 34, 0, 16, 0];
        shift_vnet(&mut v, false);
        assert_eq!(u16::from_le_bytes([v[2], v[3]]), 52, "hdr_len");
        assert_eq!(u16::from_le_bytes([v[6], v[7]]), 20, "csum_start");
        assert_eq!(u16::from_le_bytes([v[4], v[5]]), 1448, "gso_size untouched");
        assert_eq!(u16::from_le_bytes([v[8], v[9]]), 16, "csum_offset untouched");
        shift_vnet(&mut v, true);
        assert_eq!(v, [virtio::F_NEEDS_CSUM, virtio::GSO_TCPV4, 66, 0, 0xa8, 0x05, 34, 0, 16, 0]);
        let mut plain = [0u8; VNET_HDR_LEN];
        plain[6] = 5;
        shift_vnet(&mut plain, true);
        assert_eq!(plain[6], 5, "csum_start without NEEDS_CSUM means nothing and stays");
        assert_eq!(plain[2], 0, "an unset hdr_len stays unset");
    }

    #[test]
    fn the_ethernet_header_is_addressed_to_plink0() {
        assert_eq!(ETH_HEADER[..6], VPC_MAC);
        assert_eq!(ETH_HEADER[6..12], FABRIC_MAC);
        assert_eq!(u16::from_be_bytes([ETH_HEADER[12], ETH_HEADER[13]]), ETH_P_IP);
    }
}
