//! Integration tests of the packet-port backend (need root; a loud skip otherwise, a failure
//! under CI=true): a veth pair between two test namespaces (`Lab`s, deleted on drop, host
//! checked unchanged), frames both ways in the TUN form, and the faults a device can hand
//! over — a non-IP frame (never delivered), a frame shorter than its headers and one longer
//! than its buffer, a device whose namespace is deleted under the port — counted or refused,
//! never a panic or a hang.

mod common;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use common::netlab::*;
use privlink_dataplane::frame::{FrameBatch, HEADROOM, Out};
use privlink_dataplane::runtime::io::packet::{ETH_LEN, FABRIC_MAC, VPC_MAC};
use privlink_dataplane::runtime::io::{
    Device, DeviceQueue, IoError, MAX_FRAME_LEN, PacketConfig, PacketPort, PacketQueue, RxCount, Scratch,
    TxCount, in_netns, link,
};
use privlink_dataplane::wire::virtio::{self as vnet, LEN as VNET_HDR_LEN, VirtioNetHdr};

const SRC: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(10, 0, 1, 10), 4000);
const DST: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(10, 0, 1, 50), 53);

/// An AF_PACKET socket on `plink0` inside `ns`: the VPC side of the pair, as the test sees it.
fn vpc_socket(ns: &str) -> OwnedFd {
    let ns2 = ns.to_owned();
    in_netns(ns, move || {
        let index = link::configure(&ns2, |c| {
            c.disable_ipv6("plink0")?;
            c.set_up("plink0")?;
            c.index("plink0")
        })
        .expect("plink0 up");
        // SAFETY: plain socket calls on an fd owned at once.
        unsafe {
            let fd = libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                (0x0003u16).to_be() as i32,
            );
            assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
            let fd = OwnedFd::from_raw_fd(fd);
            let mut sll: libc::sockaddr_ll = std::mem::zeroed();
            sll.sll_family = libc::AF_PACKET as u16;
            sll.sll_protocol = (0x0003u16).to_be();
            sll.sll_ifindex = index as i32;
            let r = libc::bind(
                fd.as_raw_fd(),
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            );
            assert_eq!(r, 0, "bind: {}", std::io::Error::last_os_error());
            let tv = libc::timeval { tv_sec: 2, tv_usec: 0 };
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as u32,
            );
            fd
        }
    })
    .expect("in vpc netns")
}

fn send_raw(fd: &OwnedFd, frame: &[u8]) {
    // SAFETY: send reads `frame`.
    let r = unsafe { libc::send(fd.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0) };
    assert_eq!(r, frame.len() as isize, "send: {}", std::io::Error::last_os_error());
}

/// The next frame on the VPC side that is IPv4 (the kernel may send its own frames too).
fn recv_ipv4(fd: &OwnedFd) -> Vec<u8> {
    let mut buf = vec![0u8; 70_000];
    loop {
        // SAFETY: recv writes at most `buf.len()` bytes into `buf`.
        let n = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        assert!(n > 0, "no frame reached plink0: {}", std::io::Error::last_os_error());
        let f = &buf[..n as usize];
        if f.len() > ETH_LEN && f[12..14] == [0x08, 0x00] {
            return f.to_vec();
        }
    }
}

fn ethernet(ether_type: [u8; 2], payload: &[u8]) -> Vec<u8> {
    let mut f = FABRIC_MAC.to_vec();
    f.extend_from_slice(&VPC_MAC);
    f.extend_from_slice(&ether_type);
    f.extend_from_slice(payload);
    f
}

/// Reads batches until `want` frames (counting the ones left out) arrived or 2 s passed.
fn read(q: &PacketQueue, batch: &mut FrameBatch, s: &mut Scratch, want: usize) -> (RxCount, Vec<Vec<u8>>) {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut total = RxCount::default();
    let mut frames = Vec::new();
    while total.frames + total.not_ip + total.oversized < want && Instant::now() < deadline {
        match q.recv_batch(batch, s) {
            Ok(c) => {
                for i in 0..c.frames {
                    frames.push(batch.frame(i).bytes().to_vec());
                }
                total.frames += c.frames;
                total.not_ip += c.not_ip;
                total.oversized += c.oversized;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2))
            }
            Err(e) => panic!("recv_batch: {e}"),
        }
    }
    (total, frames)
}

/// Sends `frame` (TUN form) through `q` as a one-frame batch.
fn send(q: &PacketQueue, frame: &[u8], s: &mut Scratch) -> TxCount {
    let mut out = FrameBatch::new(1, frame.len());
    let (bufs, lens) = out.slots_mut();
    bufs[0][HEADROOM..].copy_from_slice(frame);
    lens[0] = frame.len();
    out.set_len(1);
    q.send_batch(&out, &[Out { idx: 0, len: frame.len() as u32, join: false }], s)
}

#[test]
fn a_packet_port_carries_frames_both_ways_in_tun_form() {
    if !require_root("a_packet_port_carries_frames_both_ways_in_tun_form") {
        return;
    }
    let (io, vpc) = (Lab::new(), Lab::new());
    let cfg = PacketConfig { queues: 2, vnet_hdr: true, mtu: 1500 };
    let port = PacketPort::create(io.name(), "pvtest", vpc.name(), "plink0", &cfg).expect("create port");
    assert!(matches!(
        PacketPort::create(io.name(), "pvtest2", vpc.name(), "plink0", &cfg),
        Err(IoError::DeviceExists { .. })
    ));
    let raw = vpc_socket(vpc.name());
    let pkt = udp_packet(SRC, DST, b"hello through a veth");
    send_raw(&raw, &ethernet([0x08, 0x00], &pkt));
    let (mut batch, mut s) = (FrameBatch::new(8, MAX_FRAME_LEN), Scratch::default());
    let got: Vec<Vec<u8>> = port.queues().iter().flat_map(|q| read(q, &mut batch, &mut s, 1).1).collect();
    assert_eq!(got.len(), 1, "one frame, on one of the fanout's queues");
    let hdr = VirtioNetHdr::parse(&got[0]).unwrap();
    assert!(!hdr.is_gso());
    assert_eq!(&got[0][VNET_HDR_LEN..], &pkt[..], "the IPv4 packet behind a virtio header, Ethernet gone");

    // Out: a frame in TUN form reaches plink0 addressed to it.
    let reply = udp_packet(DST, SRC, b"and back");
    let frame = vnet::frame(&reply, true);
    let q = port.queue(0).unwrap();
    let sent = send(q, &frame, &mut s);
    assert_eq!((sent.sent, sent.failed), (1, 0));
    let on_wire = recv_ipv4(&raw);
    assert_eq!(&on_wire[..6], &VPC_MAC, "addressed to plink0");
    assert_eq!(&on_wire[6..12], &FABRIC_MAC);
    assert_eq!(&on_wire[ETH_LEN..], &reply[..]);
    drop(port);
    assert!(
        matches!(link::link_info(vpc.name(), "plink0"), Err(IoError::NoSuchDevice { .. })),
        "the pair goes with the port"
    );
}

#[test]
fn what_a_device_hands_over_that_is_not_usable_is_counted_and_left_out() {
    if !require_root("what_a_device_hands_over_that_is_not_usable_is_counted_and_left_out") {
        return;
    }
    let (io, vpc) = (Lab::new(), Lab::new());
    let cfg = PacketConfig { queues: 1, vnet_hdr: true, mtu: 1500 };
    let port = PacketPort::create(io.name(), "pvfault", vpc.name(), "plink0", &cfg).expect("create port");
    let raw = vpc_socket(vpc.name());
    let q = port.queue(0).unwrap();
    // Buffers of 300 bytes: a 1,000-byte frame does not fit.
    let (mut batch, mut s) = (FrameBatch::new(8, 300), Scratch::default());
    send_raw(&raw, &ethernet([0x08, 0x06], &[0u8; 28]));
    send_raw(&raw, &ethernet([0x08, 0x00], &[]));
    send_raw(&raw, &ethernet([0x08, 0x00], &udp_packet(SRC, DST, &[7u8; 1000])));
    let small = udp_packet(SRC, DST, b"fits");
    send_raw(&raw, &ethernet([0x08, 0x00], &small));
    let (count, frames) = read(q, &mut batch, &mut s, 3);
    assert_eq!((count.frames, count.not_ip, count.oversized), (2, 0, 1), "{count:?}: ARP never arrives");
    assert_eq!(
        frames[0].len(),
        VNET_HDR_LEN,
        "an empty IPv4 frame is its virtio header alone (the pipeline drops it)"
    );
    assert_eq!(&frames[1][VNET_HDR_LEN..], &small[..], "the usable frame still comes through");

    // The VPC's namespace is deleted under the port: the pair is gone; reads and sends report
    // it (counted by the worker) and return at once.
    drop(raw);
    drop(vpc);
    // The kernel dismantles a deleted namespace's devices asynchronously.
    let deadline = Instant::now() + Duration::from_secs(10);
    while link::link_info(io.name(), "pvfault").is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(link::link_info(io.name(), "pvfault").is_err(), "the pair went with the VPC's namespace");
    // They cannot block: the socket is non-blocking (checked on the descriptor, not on a
    // clock), so a read with nothing to read returns at once.
    let flags = nix::fcntl::fcntl(q, nix::fcntl::FcntlArg::F_GETFL).unwrap();
    assert_ne!(flags & libc::O_NONBLOCK, 0, "queue sockets are non-blocking");
    let r = q.recv_batch(&mut batch, &mut s);
    assert!(r.is_err() || r.unwrap().frames == 0);
    let frame = vnet::frame(&small, true);
    let sent = send(q, &frame, &mut s);
    assert_eq!((sent.sent, sent.failed), (0, 1), "a send to a vanished device fails and is counted");
    drop(port);
}
