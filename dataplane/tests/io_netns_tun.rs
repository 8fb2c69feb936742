//! Integration tests of the I/O layer (need root; a loud skip otherwise, a failure under CI=true).
//!
//! Every test works in its own `pl-iot-<pid>-<n>` namespace, deleted on drop (also on failure),
//! then checks that the namespace is gone and that the host's `ip -4 addr` / `ip -4 route` did
//! not change. Traffic never leaves the test namespace: "remote" addresses (10.99.0.1) are only
//! routes into the TUN device, whose other end is the test itself.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use common::netlab::*;
use privlink_dataplane::runtime::io::netns::{self, NetnsGuard, NetnsId};
use privlink_dataplane::runtime::io::{
    Device, DeviceQueue, IoError, LinkReader, MAX_FRAME_LEN, Offloads, Poller, Tun, TunConfig, link,
};
use privlink_dataplane::wire::virtio::{self as vnet, LEN as VNET_HDR_LEN, VirtioNetHdr};

const INSTANCE: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 10);
const REMOTE: Ipv4Addr = Ipv4Addr::new(10, 99, 0, 1);

/// The VPC shape: plink0 (IPv6 off, up, MTU 1500), INSTANCE on lo, default route via plink0.
fn vpc_tun(lab: &Lab, cfg: &TunConfig) -> Tun {
    let ns = lab.name();
    let tun = Tun::create(ns, cfg).expect("create tun");
    link::configure(ns, |c| {
        c.disable_ipv6(tun.name())?;
        c.set_up(tun.name())?;
        c.add_lo_address(INSTANCE)?;
        c.add_default_route(tun.name(), Some(INSTANCE))
    })
    .expect("configure vpc netns");
    tun
}

/// Waits (briefly) for `dev` to leave `ns`: removal lags the last close while a concurrently
/// forked child (another test running `ip`) still holds copies of the fds until its exec.
fn gone(ns: &str, dev: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match link::link_info(ns, dev) {
            Err(IoError::NoSuchDevice { .. }) => return true,
            _ if Instant::now() >= deadline => return false,
            _ => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Reads frames from any queue of `tun` until `pred` accepts one or `timeout` passes.
/// Returns (queue index, frame).
fn read_until(tun: &Tun, timeout: Duration, mut pred: impl FnMut(&[u8]) -> bool) -> Option<(usize, Vec<u8>)> {
    let mut poller = Poller::new().unwrap();
    for q in tun.queues() {
        poller.add(q, q.index() as u64).unwrap();
    }
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0u8; MAX_FRAME_LEN];
    while Instant::now() < deadline {
        let ready: Vec<u64> = poller.wait(Some(Duration::from_millis(50))).unwrap().collect();
        for t in ready {
            let q = &tun.queues()[t as usize];
            while let Ok(n) = q.recv(&mut buf) {
                if pred(&buf[..n]) {
                    return Some((q.index(), buf[..n].to_vec()));
                }
            }
        }
    }
    None
}

#[test]
fn invalid_names_are_rejected_without_touching_anything() {
    for bad in ["", "a/b", "..", "x y", &"n".repeat(65)] {
        assert!(matches!(netns::create(bad), Err(IoError::InvalidNetnsName { .. })), "{bad:?}");
        assert!(matches!(netns::delete(bad), Err(IoError::InvalidNetnsName { .. })));
        assert!(matches!(netns::in_netns(bad, || ()), Err(IoError::InvalidNetnsName { .. })));
    }
    let e = link::set_sysctl("pl-whatever", "kernel.panic", "1").unwrap_err();
    assert!(matches!(e, IoError::InvalidSysctlKey { .. }), "{e}");
}

#[test]
fn netns_lifecycle_and_iproute2_compat() {
    if !require_root("netns_lifecycle_and_iproute2_compat") {
        return;
    }
    let lab = Lab::new();
    let ns = lab.name();

    assert!(netns::exists(ns).unwrap());
    assert!(list_netns().iter().any(|n| n == ns));
    assert!(ip(&["netns", "list"]).1.contains(ns));
    let (ok, out) = ip(&["netns", "exec", ns, "ip", "-o", "link", "show", "lo"]);
    assert!(ok, "ip netns exec works on our namespace: {out}");
    assert!(out.contains("UP"), "lo is up: {out}");
    let lo = link::link_info(ns, "lo").unwrap();
    assert!(lo.up, "{lo:?}");
    // Nothing but lo in a new namespace.
    let (_, links) = ip(&["-n", ns, "-o", "link"]);
    assert_eq!(links.lines().count(), 1, "{links}");

    assert!(matches!(netns::create(ns), Err(IoError::NetnsExists { .. })));
    assert!(!netns::ensure(ns).unwrap(), "ensure on an existing namespace creates nothing");

    // A namespace made by iproute2 works with ours, and vice versa for delete.
    let theirs = unique_netns();
    let (ok, out) = ip(&["netns", "add", &theirs]);
    assert!(ok, "{out}");
    let guard = NetnsGuard::adopt(&theirs).unwrap();
    assert!(link::link_info(&theirs, "lo").is_ok());
    guard.delete().unwrap();
    assert!(!netns::exists(&theirs).unwrap());
    assert!(!ip(&["netns", "list"]).1.contains(&theirs));
    assert!(matches!(netns::delete(&theirs), Err(IoError::NetnsNotFound { .. })));
}

#[test]
fn in_netns_never_moves_the_caller() {
    if !require_root("in_netns_never_moves_the_caller") {
        return;
    }
    let lab = Lab::new();
    let ns = lab.name();
    let mine = NetnsId::of_current_thread().unwrap();
    let target = NetnsId::of_name(ns).unwrap();
    assert_ne!(mine, target);

    let borrowed = String::from("borrowed from the caller");
    let (inside, child, len) = netns::in_netns(ns, || {
        let inside = NetnsId::of_current_thread().unwrap();
        // Threads spawned inside inherit the namespace.
        let child = std::thread::spawn(|| NetnsId::of_current_thread().unwrap()).join().unwrap();
        (inside, child, borrowed.len())
    })
    .unwrap();
    assert_eq!(inside, target);
    assert_eq!(child, target);
    assert_eq!(len, borrowed.len());
    assert_eq!(NetnsId::of_current_thread().unwrap(), mine, "caller unchanged");

    // A panic inside is an error, not a crash of the caller.
    let e =
        netns::in_netns(ns, || panic!("deliberate panic, expected by the test")).map(|_: ()| ()).unwrap_err();
    assert!(matches!(e, IoError::ThreadPanicked { .. }) && e.to_string().contains("deliberate panic"), "{e}");

    let missing = unique_netns();
    assert!(matches!(netns::in_netns(&missing, || ()), Err(IoError::NetnsNotFound { .. })));
}

/// A name bound to the host namespace (as a careless `--netns` could be) is refused by every
/// entry point; the name itself is removed again by the guard.
#[test]
fn host_namespace_is_refused() {
    if !require_root("host_namespace_is_refused") {
        return;
    }
    let host = HostSnapshot::take();
    let name = unique_netns();
    let path = format!("/run/netns/{name}");
    std::fs::File::create(&path).unwrap();
    struct Unbind(String);
    impl Drop for Unbind {
        fn drop(&mut self) {
            let _ = netns::delete(&self.0);
        }
    }
    let _unbind = Unbind(name.clone());
    nix::mount::mount(
        Some("/proc/self/ns/net"),
        path.as_str(),
        Some("none"),
        nix::mount::MsFlags::MS_BIND,
        None::<&str>,
    )
    .unwrap();
    assert!(netns::exists(&name).unwrap());
    // Only read-only probes here: were the guard ever broken, nothing would change on the host.
    assert!(matches!(netns::in_netns(&name, || ()), Err(IoError::HostNetns { .. })));
    assert!(matches!(link::link_info(&name, "lo"), Err(IoError::HostNetns { .. })));
    assert!(matches!(link::get_sysctl(&name, "net.ipv4.ip_forward"), Err(IoError::HostNetns { .. })));
    netns::delete(&name).unwrap();
    assert!(!netns::exists(&name).unwrap());
    assert_eq!(HostSnapshot::take(), host);
}

#[test]
fn lo_addresses_routes_and_sysctls_stay_in_the_namespace() {
    if !require_root("lo_addresses_routes_and_sysctls_stay_in_the_namespace") {
        return;
    }
    let lab = Lab::new();
    let ns = lab.name();

    link::add_lo_address(ns, INSTANCE).unwrap();
    link::add_lo_address(ns, INSTANCE).unwrap(); // idempotent
    let addrs = link::addresses(ns, "lo").unwrap();
    assert!(addrs.iter().any(|a| a.addr == INSTANCE && a.prefix_len == 32), "{addrs:?}");
    assert!(addrs.iter().any(|a| a.to_string() == "127.0.0.1/8"), "{addrs:?}");
    assert!(ip(&["-n", ns, "-4", "addr", "show", "dev", "lo"]).1.contains("10.0.1.10/32"));
    link::del_lo_address(ns, INSTANCE).unwrap();
    link::del_lo_address(ns, INSTANCE).unwrap(); // idempotent
    assert!(!link::addresses(ns, "lo").unwrap().iter().any(|a| a.addr == INSTANCE));

    assert!(matches!(link::link_info(ns, "plink9"), Err(IoError::NoSuchDevice { .. })));
    let e = link::set_mtu(ns, "plink9", 1400).unwrap_err();
    assert!(e.to_string().contains(ns) && e.to_string().contains("plink9"), "{e}");

    // sysctl written from the namespace thread lands in the namespace, not in the host.
    let key = "net.ipv4.ip_local_port_range";
    let host_before = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
    let want =
        if host_before.split_whitespace().next() == Some("20001") { "20002\t30002" } else { "20001\t30001" };
    link::set_sysctl(ns, key, &want.replace('\t', " ")).unwrap();
    assert_eq!(link::get_sysctl(ns, key).unwrap(), want);
    let (ok, seen) = ip(&["netns", "exec", ns, "cat", "/proc/sys/net/ipv4/ip_local_port_range"]);
    assert!(ok);
    assert_eq!(seen.trim_end(), want, "ip netns exec sees our value");
    assert_eq!(
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap(),
        host_before,
        "host value untouched"
    );
    link::set_sysctl(ns, "net/ipv4/tcp_tw_reuse", "1").unwrap();
    assert_eq!(link::get_sysctl(ns, "net.ipv4.tcp_tw_reuse").unwrap(), "1");
    // A global-only knob does not exist in a child namespace: ENOENT, never the host's.
    let e = link::set_sysctl(ns, "net.core.netdev_max_backlog", "1234").unwrap_err();
    assert_eq!(e.errno(), Some(nix::errno::Errno::ENOENT), "{e}");
}

#[test]
fn tun_two_queues_vnet_udp_both_ways() {
    if !require_root("tun_two_queues_vnet_udp_both_ways") {
        return;
    }
    let lab = Lab::new();
    let ns = lab.name();
    let cfg = TunConfig::new("plink0").queues(2).vnet_hdr(true).mtu(1500);
    let tun = vpc_tun(&lab, &cfg);
    eprintln!("offloads accepted by this kernel: {}", tun.offloads());
    assert!(tun.offloads().contains(Offloads::CSUM | Offloads::TSO4 | Offloads::TSO6), "{}", tun.offloads());
    assert_eq!(tun.queues().len(), 2);
    assert!(tun.ifindex() > 1);

    let info = link::link_info(ns, "plink0").unwrap();
    assert!(info.up && info.lower_up, "{info:?}");
    assert_eq!(info.mtu, Some(1500));
    let (_, details) = ip(&["-n", ns, "-d", "link", "show", "plink0"]);
    eprintln!("{details}");
    if details.contains("tun type tun") {
        assert!(details.contains("vnet_hdr on"), "{details}");
        assert!(details.contains("multi_queue"), "{details}");
        assert!(details.contains("numqueues 2"), "{details}");
    }
    assert_eq!(link::get_sysctl(ns, "net.ipv6.conf.plink0.disable_ipv6").unwrap(), "1");
    assert!(!ip(&["-n", ns, "-6", "addr", "show", "dev", "plink0"]).1.contains("inet6"));
    let (_, routes) = ip(&["-n", ns, "-4", "route"]);
    assert!(routes.contains("default dev plink0") && routes.contains("src 10.0.1.10"), "{routes}");
    link::add_default_route(ns, "plink0", Some(INSTANCE)).unwrap(); // replace: idempotent

    // Out: a datagram to a non-local address goes into the TUN, read with its virtio header.
    let payload = b"hello privlink";
    let sock = netns::in_netns(ns, || UdpSocket::bind(SocketAddrV4::new(INSTANCE, 40000))).unwrap().unwrap();
    sock.send_to(payload, SocketAddrV4::new(REMOTE, 9999)).unwrap();
    let (_, frame) = read_until(&tun, Duration::from_secs(5), |f| {
        Ipv4::parse(&f[VNET_HDR_LEN..]).is_some_and(|p| p.proto == 17 && p.dst == REMOTE)
    })
    .expect("datagram read from a queue");
    let hdr = VirtioNetHdr::parse(&frame).unwrap();
    let p = Ipv4::parse(&frame[VNET_HDR_LEN..]).unwrap();
    assert_eq!((p.src, p.dst, p.proto), (INSTANCE, REMOTE, 17));
    assert!(p.header_checksum_ok());
    let udp = p.l4();
    assert_eq!(be16(udp, 0), 40000);
    assert_eq!(be16(udp, 2), 9999);
    assert_eq!(usize::from(be16(udp, 4)), 8 + payload.len());
    assert_eq!(&udp[8..], payload);
    eprintln!("UDP frame virtio header: {hdr:?}");
    assert!(!hdr.is_gso());
    if hdr.needs_csum() {
        // Partial checksum: the field holds the folded, uncomplemented pseudo-header sum.
        assert_eq!((hdr.csum_start, hdr.csum_offset), (20, 6));
        let pseudo = csum_fold(pseudo_sum(INSTANCE, REMOTE, 17, udp.len()));
        assert_eq!(be16(udp, 6), pseudo, "NEEDS_CSUM field is the pseudo-header sum");
    } else {
        assert_eq!(csum_fold(csum_add(pseudo_sum(INSTANCE, REMOTE, 17, udp.len()), udp)), 0xffff);
    }

    // Multi-queue: many flows spread over both queues.
    let mut per_queue = [0usize; 2];
    for i in 0..32u16 {
        let s =
            netns::in_netns(ns, || UdpSocket::bind(SocketAddrV4::new(INSTANCE, 41000 + i))).unwrap().unwrap();
        s.send_to(b"spread", SocketAddrV4::new(REMOTE, 9999)).unwrap();
        let (q, _) = read_until(&tun, Duration::from_secs(5), |f| {
            Ipv4::parse(&f[VNET_HDR_LEN..]).is_some_and(|p| p.proto == 17 && be16(p.l4(), 0) == 41000 + i)
        })
        .expect("spread datagram");
        per_queue[q] += 1;
    }
    eprintln!("32 flows per queue: {per_queue:?}");
    assert!(per_queue[0] > 0 && per_queue[1] > 0, "{per_queue:?}");

    // In: a crafted packet written to a queue reaches a socket bound in the namespace.
    let rx = netns::in_netns(ns, || UdpSocket::bind(SocketAddrV4::new(INSTANCE, 7777))).unwrap().unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let from = SocketAddrV4::new(REMOTE, 5555);
    let mut frame = VirtioNetHdr::default().to_bytes().to_vec();
    frame.extend(udp_packet(from, SocketAddrV4::new(INSTANCE, 7777), b"inbound"));
    assert_eq!(tun.queues()[1].send(&frame).unwrap(), frame.len());
    let mut buf = [0u8; 64];
    let (n, src) = rx.recv_from(&mut buf).expect("crafted datagram delivered");
    assert_eq!(&buf[..n], b"inbound");
    assert_eq!(src, SocketAddr::V4(from));

    // The same with NEEDS_CSUM: the checksum field carries only the pseudo-header sum.
    let mut pkt = udp_packet(from, SocketAddrV4::new(INSTANCE, 7777), b"partial");
    let l4_len = pkt.len() - 20;
    let pseudo = csum_fold(pseudo_sum(REMOTE, INSTANCE, 17, l4_len));
    pkt[26..28].copy_from_slice(&pseudo.to_be_bytes());
    let hdr =
        VirtioNetHdr { flags: vnet::F_NEEDS_CSUM, csum_start: 20, csum_offset: 6, ..Default::default() };
    let mut frame = hdr.to_bytes().to_vec();
    frame.extend(pkt);
    tun.queues()[0].send(&frame).expect("a partial-checksum frame is accepted");
    let (n, _) = rx.recv_from(&mut buf).expect("partial-checksum datagram delivered");
    assert_eq!(&buf[..n], b"partial");

    // A frame without room for the virtio header is refused, not half-written.
    assert!(tun.queues()[0].send(&[0u8; 4]).is_err());
    // Nothing else is waiting: a read says so without blocking.
    let mut b = vec![0u8; MAX_FRAME_LEN];
    for q in tun.queues() {
        assert_eq!(q.recv(&mut b).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    }

    // Counters read through a socket kept from the namespace agree with a fresh session's and
    // count the two frames written into the namespace.
    let reader = LinkReader::open(ns, "plink0", tun.ifindex()).unwrap();
    let kept = reader.read().unwrap();
    let fresh = link::link_info(ns, "plink0").unwrap();
    assert_eq!((&kept.name, kept.index, kept.mtu, kept.up), (&fresh.name, fresh.index, fresh.mtu, fresh.up));
    assert!(kept.rx_packets >= 2, "{kept:?}");

    tun.close().unwrap();
    assert!(gone(ns, "plink0"));
    assert!(matches!(reader.read(), Err(IoError::NoSuchDevice { .. })), "{:?}", reader.read());
}

#[test]
fn tun_single_queue_plain_frames_in_and_out() {
    if !require_root("tun_single_queue_plain_frames_in_and_out") {
        return;
    }
    let lab = Lab::new();
    let ns = lab.name();
    let tun = vpc_tun(&lab, &TunConfig::new("plink0"));
    assert_eq!(tun.offloads(), Offloads::NONE);
    assert!(!tun.queues()[0].vnet_hdr());

    let sock = netns::in_netns(ns, || UdpSocket::bind(SocketAddrV4::new(INSTANCE, 0))).unwrap().unwrap();
    for i in 0..8u8 {
        sock.send_to(&[i; 100], SocketAddrV4::new(REMOTE, 9999)).unwrap();
    }
    let q = &tun.queues()[0];
    let mut poller = Poller::new().unwrap();
    poller.add(q, 0).unwrap();
    let mut b = vec![0u8; 2048];
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while got.len() < 8 && Instant::now() < deadline {
        if poller.wait(Some(Duration::from_millis(100))).unwrap().len() == 0 {
            continue;
        }
        while let Ok(n) = q.recv(&mut b) {
            let p = Ipv4::parse(&b[..n]).expect("plain IPv4, no header");
            assert_eq!(p.dst, REMOTE);
            got.push(p.l4()[8]);
        }
    }
    assert_eq!(got, (0..8).collect::<Vec<u8>>(), "all 8, in order");

    // Batch write of plain packets into the namespace.
    let rx = netns::in_netns(ns, || UdpSocket::bind(SocketAddrV4::new(INSTANCE, 7000))).unwrap().unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let frames: Vec<Vec<u8>> = (0..5u8)
        .map(|i| udp_packet(SocketAddrV4::new(REMOTE, 6000), SocketAddrV4::new(INSTANCE, 7000), &[i]))
        .collect();
    for f in &frames {
        q.send(f).expect("a plain packet is accepted");
    }
    for i in 0..5u8 {
        let mut b = [0u8; 8];
        let (n, _) = rx.recv_from(&mut b).unwrap();
        assert_eq!(&b[..n], &[i]);
    }
    drop(tun); // Drop removes the device too.
    assert!(gone(ns, "plink0"));
}

#[test]
fn tun_name_is_exclusive_and_queues_keep_the_device() {
    if !require_root("tun_name_is_exclusive_and_queues_keep_the_device") {
        return;
    }
    let lab = Lab::new();
    let ns = lab.name();
    let cfg = TunConfig::new("plink0").queues(3).vnet_hdr(true);
    let tun = Tun::create(ns, &cfg).unwrap();
    assert!(matches!(Tun::create(ns, &cfg), Err(IoError::DeviceExists { .. })));
    assert!(matches!(Tun::create(ns, &TunConfig::new("lo")), Err(IoError::DeviceExists { .. })));
    assert!(matches!(Tun::create(ns, &TunConfig::new("plink1").queues(0)), Err(IoError::InvalidArgument(_))));
    assert!(matches!(Tun::create(ns, &TunConfig::new("a/b")), Err(IoError::InvalidDeviceName { .. })));

    // A subset of offloads is taken as asked; NONE with the header is allowed too.
    let sub = Offloads::CSUM | Offloads::TSO4;
    let t1 = Tun::create(ns, &TunConfig::new("plink1").vnet_hdr(true).offloads(sub)).unwrap();
    assert_eq!(t1.offloads(), sub);
    let t2 = Tun::create(ns, &TunConfig::new("plink2").vnet_hdr(true).offloads(Offloads::NONE)).unwrap();
    assert_eq!(t2.offloads(), Offloads::NONE);
    assert!(t2.queues()[0].vnet_hdr());
    t1.close().unwrap();
    t2.close().unwrap();

    let mut queues = tun.into_queues();
    assert_eq!(queues.len(), 3);
    queues.truncate(1);
    assert!(link::link_info(ns, "plink0").is_ok(), "one queue left keeps the device");
    drop(queues);
    assert!(gone(ns, "plink0"));

    // The name is free again; the namespace is deleted while a TUN is still open: the device
    // and the namespace go when the fd closes.
    let tun = Tun::create(ns, &cfg).unwrap();
    netns::delete(ns).unwrap();
    assert!(tun.close().is_ok());
}

/// A TCP connection whose peer is "behind" the TUN: the test answers the handshake and ACKs from
/// the device side, so the kernel's TSO hands us whole super-packets. Checks their virtio header
/// and that the byte stream arrives complete and in order.
#[test]
fn tun_tcp_gso_superpackets() {
    if !require_root("tun_tcp_gso_superpackets") {
        return;
    }
    let lab = Lab::new();
    let ns = lab.name().to_owned();
    let tun = vpc_tun(&lab, &TunConfig::new("plink0").vnet_hdr(true).mtu(1500));
    if !tun.offloads().contains(Offloads::TSO4) {
        eprintln!("kernel refused TSO4 ({}): nothing to observe", tun.offloads());
        return;
    }
    const TOTAL: usize = 1 << 20;
    let pattern = |i: usize| (i % 251) as u8;
    let remote = SocketAddrV4::new(REMOTE, 8080);

    let ns2 = ns.clone();
    let client = std::thread::spawn(move || {
        netns::in_netns(&ns2, || -> std::io::Result<usize> {
            let mut s = TcpStream::connect_timeout(&SocketAddr::V4(remote), Duration::from_secs(5))?;
            s.set_write_timeout(Some(Duration::from_secs(15)))?;
            let data: Vec<u8> = (0..TOTAL).map(pattern).collect();
            s.write_all(&data)?;
            s.shutdown(std::net::Shutdown::Write)?;
            let mut rest = Vec::new();
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.read_to_end(&mut rest);
            Ok(data.len())
        })
    });

    let q = &tun.queues()[0];
    let mut poller = Poller::new().unwrap();
    poller.add(q, 0).unwrap();
    let mut buf = vec![0u8; MAX_FRAME_LEN];
    let our_isn: u32 = 0x1000_0000;
    let mut client_addr: Option<SocketAddrV4> = None;
    let mut client_isn = 0u32;
    let mut next = 0u32; // next expected client seq
    let mut received = 0usize;
    let mut fin = false;
    let mut gso_frames = 0usize;
    let mut biggest = 0usize;
    let mut sample: Option<VirtioNetHdr> = None;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !fin && Instant::now() < deadline {
        if poller.wait(Some(Duration::from_millis(100))).unwrap().len() == 0 {
            continue;
        }
        while let Ok(n) = q.recv(&mut buf) {
            let hdr = VirtioNetHdr::parse(&buf[..n]).unwrap();
            let Some(p) = Ipv4::parse(&buf[VNET_HDR_LEN..n]) else {
                continue;
            };
            if p.proto != 6 || p.dst != REMOTE {
                continue;
            }
            let t = p.l4();
            let (sport, seq, flags) = (be16(t, 0), be32(t, 4), t[13]);
            let doff = usize::from(t[12] >> 4) * 4;
            let data = &t[doff..];
            let client = SocketAddrV4::new(p.src, sport);
            if flags & TCP_SYN != 0 {
                client_addr = Some(client);
                client_isn = seq;
                next = seq.wrapping_add(1);
                // MSS 1460, NOP, window scale 7.
                let opts = [2, 4, 0x05, 0xb4, 1, 3, 3, 7];
                let synack = tcp_packet(
                    remote,
                    client,
                    TcpHdr { seq: our_isn, ack: next, flags: TCP_SYN | TCP_ACK, window: 65535 },
                    &opts,
                    &[],
                );
                let mut f = VirtioNetHdr::default().to_bytes().to_vec();
                f.extend(synack);
                q.send(&f).unwrap();
                continue;
            }
            if Some(client) != client_addr {
                continue;
            }
            if !data.is_empty() && seq == next {
                let off = seq.wrapping_sub(client_isn).wrapping_sub(1) as usize;
                for (k, b) in data.iter().enumerate() {
                    assert_eq!(*b, pattern(off + k), "byte {} of the stream", off + k);
                }
                next = next.wrapping_add(data.len() as u32);
                received += data.len();
                biggest = biggest.max(n);
                if hdr.is_gso() {
                    gso_frames += 1;
                    if sample.is_none() || n > VNET_HDR_LEN + 1500 {
                        sample = Some(hdr);
                        // With NEEDS_CSUM the TCP checksum field is the pseudo-header sum over
                        // the whole super-packet's L4 length.
                        let pseudo = csum_fold(pseudo_sum(p.src, p.dst, 6, t.len()));
                        assert_eq!(be16(t, 16), pseudo, "GSO checksum field = pseudo-header sum");
                        assert_eq!(
                            usize::from(hdr.hdr_len),
                            20 + doff,
                            "hdr_len = IP + TCP headers: {hdr:?}"
                        );
                    }
                }
            }
            if flags & TCP_FIN != 0 && seq.wrapping_add(data.len() as u32) == next {
                next = next.wrapping_add(1);
                fin = true;
            } else if data.is_empty() {
                continue; // never answer a pure ACK (that would look like a duplicate ACK)
            }
            let ack = tcp_packet(
                remote,
                client,
                TcpHdr { seq: our_isn.wrapping_add(1), ack: next, flags: TCP_ACK, window: 65535 },
                &[],
                &[],
            );
            let mut f = VirtioNetHdr::default().to_bytes().to_vec();
            f.extend(ack);
            q.send(&f).unwrap();
        }
    }
    // Tear the connection down so the client's read_to_end ends.
    if let Some(client) = client_addr {
        let rst = tcp_packet(
            remote,
            client,
            TcpHdr { seq: our_isn.wrapping_add(1), ack: next, flags: TCP_RST | TCP_ACK, window: 0 },
            &[],
            &[],
        );
        let mut f = VirtioNetHdr::default().to_bytes().to_vec();
        f.extend(rst);
        let _ = q.send(&f);
    }
    let sent = client.join().unwrap().unwrap().unwrap();
    let h = sample.expect("at least one GSO super-packet");
    eprintln!(
        "GSO: {gso_frames} super-packets, largest frame {biggest} bytes; sample header: flags={} gso_type={} \
         hdr_len={} gso_size={} csum_start={} csum_offset={}",
        h.flags, h.gso_type, h.hdr_len, h.gso_size, h.csum_start, h.csum_offset
    );
    assert_eq!(sent, TOTAL);
    assert_eq!(received, TOTAL, "whole stream through GSO frames, in order");
    assert!(fin);
    assert!(biggest > VNET_HDR_LEN + 1500, "a frame larger than the MTU: {biggest}");
    assert_eq!(h.gso_type & !vnet::GSO_ECN, vnet::GSO_TCPV4);
    assert!(h.needs_csum());
    assert_eq!((h.csum_start, h.csum_offset), (20, 16));
    assert_eq!(h.gso_size, 1460, "MSS from our SYN-ACK / the MTU");
    drop(tun);
}

/// With USO accepted, a UDP_SEGMENT send becomes one GSO_UDP_L4 super-packet on the TUN.
#[test]
fn tun_udp_gso_superpacket() {
    if !require_root("tun_udp_gso_superpacket") {
        return;
    }
    let lab = Lab::new();
    let ns = lab.name();
    let tun = vpc_tun(&lab, &TunConfig::new("plink0").vnet_hdr(true).mtu(1500));
    if !tun.offloads().contains(Offloads::USO4) {
        eprintln!("kernel refused USO ({}): nothing to observe", tun.offloads());
        return;
    }
    let sock = netns::in_netns(ns, || UdpSocket::bind(SocketAddrV4::new(INSTANCE, 40001))).unwrap().unwrap();
    nix::sys::socket::setsockopt(&sock, nix::sys::socket::sockopt::UdpGsoSegment, &1400).unwrap();
    let data: Vec<u8> = (0..14_000usize).map(|i| (i % 253) as u8).collect();
    sock.send_to(&data, SocketAddrV4::new(REMOTE, 9999)).unwrap();
    let (_, frame) = read_until(&tun, Duration::from_secs(5), |f| {
        Ipv4::parse(&f[VNET_HDR_LEN..]).is_some_and(|p| p.proto == 17 && p.dst == REMOTE)
    })
    .expect("UDP GSO frame");
    let h = VirtioNetHdr::parse(&frame).unwrap();
    let p = Ipv4::parse(&frame[VNET_HDR_LEN..]).unwrap();
    eprintln!("USO frame: {} bytes, header {h:?}", frame.len());
    assert_eq!(h.gso_type & !vnet::GSO_ECN, vnet::GSO_UDP_L4);
    assert_eq!(h.gso_size, 1400);
    assert!(h.needs_csum());
    assert_eq!((h.csum_start, h.csum_offset), (20, 6));
    assert_eq!(&p.l4()[8..], &data[..], "one super-packet carrying the whole send");
}
