//! Shared helpers of the I/O integration tests: root gate, unique namespace names, a lab guard
//! that deletes the namespace (also on failure) and checks the host is untouched, and a few
//! IPv4/UDP/TCP packet builders with real checksums.
#![allow(dead_code)]

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use privlink_dataplane::runtime::io::netns::{self, NetnsGuard};

/// `true` if the test may run. Not root: a loud skip, or a panic under `CI=true`.
pub fn require_root(test: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{test}: needs root (CI=true, so this is a failure, not a skip)");
    }
    // Straight to fd 2: libtest captures eprintln! of passing tests, and a skip must be seen.
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!! SKIPPED: needs root: {test} !!!!!!!!\n");
    false
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// `pl-iot-<pid>-<n>`: unique per process and call.
pub fn unique_netns() -> String {
    format!("pl-iot-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("running {cmd} {args:?}: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ip ARGS…`, stdout (and whether it succeeded).
/// Names under `/run/netns` (what `ip netns list` shows).
pub fn list_netns() -> Vec<String> {
    std::fs::read_dir("/run/netns")
        .map(|rd| rd.flatten().filter_map(|e| e.file_name().into_string().ok()).collect())
        .unwrap_or_default()
}

pub fn ip(args: &[&str]) -> (bool, String) {
    let out = Command::new("ip").args(args).output().unwrap_or_else(|e| panic!("running ip {args:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The host namespace's `ip -4 addr` and `ip -4 route`.
#[derive(Debug, PartialEq, Eq)]
pub struct HostSnapshot {
    addr: String,
    route: String,
}

impl HostSnapshot {
    pub fn take() -> HostSnapshot {
        HostSnapshot { addr: run("ip", &["-4", "addr"]), route: run("ip", &["-4", "route"]) }
    }
}

/// A test namespace: created on `new`, deleted on drop (also when the test fails), after which
/// it must be gone and the host's addresses and routes unchanged.
pub struct Lab {
    ns: Option<NetnsGuard>,
    host: HostSnapshot,
}

impl Lab {
    pub fn new() -> Lab {
        let host = HostSnapshot::take();
        let name = unique_netns();
        let ns = NetnsGuard::create(&name).unwrap_or_else(|e| panic!("create {name}: {e}"));
        Lab { ns: Some(ns), host }
    }

    pub fn name(&self) -> &str {
        self.ns.as_ref().map(|g| g.name()).unwrap_or("")
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let Some(ns) = self.ns.take() else { return };
        let name = ns.name().to_owned();
        let deleted = ns.delete();
        let mut problems = Vec::new();
        if let Err(e) = deleted {
            problems.push(format!("delete {name}: {e}"));
        }
        match netns::exists(&name) {
            Ok(false) => {}
            other => problems.push(format!("{name} still exists after delete: {other:?}")),
        }
        if ip(&["netns", "list"]).1.lines().any(|l| l.split_whitespace().next() == Some(&name)) {
            problems.push(format!("{name} still in `ip netns list`"));
        }
        let after = HostSnapshot::take();
        if after != self.host {
            problems.push(format!("host namespace changed!\nbefore: {:?}\nafter: {:?}", self.host, after));
        }
        if !problems.is_empty() {
            if std::thread::panicking() {
                eprintln!("cleanup problems (test already failing): {problems:#?}");
            } else {
                panic!("cleanup problems: {problems:#?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Packets

/// Ones'-complement sum of `data` as big-endian 16-bit words, added to `sum` (not folded).
pub fn csum_add(mut sum: u32, data: &[u8]) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u32::from(*last) << 8;
    }
    sum
}

/// Folds a 32-bit sum to 16 bits (not complemented).
pub fn csum_fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// Pseudo-header sum (not folded) for IPv4 L4 checksums.
pub fn pseudo_sum(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, l4_len: usize) -> u32 {
    let mut s = csum_add(0, &src.octets());
    s = csum_add(s, &dst.octets());
    s + u32::from(proto) + l4_len as u32
}

/// An IPv4 header (20 bytes, DF, TTL 64) with a valid checksum.
pub fn ipv4_header(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, l4_len: usize) -> [u8; 20] {
    let total = (20 + l4_len) as u16;
    let mut h = [0u8; 20];
    h[0] = 0x45;
    h[2..4].copy_from_slice(&total.to_be_bytes());
    h[4..6].copy_from_slice(&0x1234u16.to_be_bytes());
    h[6] = 0x40;
    h[8] = 64;
    h[9] = proto;
    h[12..16].copy_from_slice(&src.octets());
    h[16..20].copy_from_slice(&dst.octets());
    let c = !csum_fold(csum_add(0, &h));
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h
}

/// A whole IPv4/UDP packet with valid checksums.
pub fn udp_packet(src: SocketAddrV4, dst: SocketAddrV4, payload: &[u8]) -> Vec<u8> {
    let l4_len = 8 + payload.len();
    let mut p = ipv4_header(*src.ip(), *dst.ip(), 17, l4_len).to_vec();
    p.extend_from_slice(&src.port().to_be_bytes());
    p.extend_from_slice(&dst.port().to_be_bytes());
    p.extend_from_slice(&(l4_len as u16).to_be_bytes());
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(payload);
    let sum = csum_add(pseudo_sum(*src.ip(), *dst.ip(), 17, l4_len), &p[20..]);
    let mut c = !csum_fold(sum);
    if c == 0 {
        c = 0xffff;
    }
    p[26..28].copy_from_slice(&c.to_be_bytes());
    p
}

pub const TCP_FIN: u8 = 0x01;
pub const TCP_SYN: u8 = 0x02;
pub const TCP_RST: u8 = 0x04;
pub const TCP_PSH: u8 = 0x08;
pub const TCP_ACK: u8 = 0x10;

/// The TCP header fields a test sets.
#[derive(Clone, Copy, Debug)]
pub struct TcpHdr {
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub window: u16,
}

/// A whole IPv4/TCP packet with valid checksums. `options` must be a multiple of 4 bytes.
pub fn tcp_packet(
    src: SocketAddrV4,
    dst: SocketAddrV4,
    h: TcpHdr,
    options: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let TcpHdr { seq, ack, flags, window } = h;
    assert_eq!(options.len() % 4, 0);
    let thl = 20 + options.len();
    let l4_len = thl + payload.len();
    let mut p = ipv4_header(*src.ip(), *dst.ip(), 6, l4_len).to_vec();
    p.extend_from_slice(&src.port().to_be_bytes());
    p.extend_from_slice(&dst.port().to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&ack.to_be_bytes());
    p.push(((thl / 4) as u8) << 4);
    p.push(flags);
    p.extend_from_slice(&window.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
    p.extend_from_slice(options);
    p.extend_from_slice(payload);
    let sum = csum_add(pseudo_sum(*src.ip(), *dst.ip(), 6, l4_len), &p[20..]);
    let c = !csum_fold(sum);
    p[36..38].copy_from_slice(&c.to_be_bytes());
    p
}

/// A parsed IPv4 packet (no options beyond IHL handling).
#[derive(Debug)]
pub struct Ipv4<'a> {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub proto: u8,
    pub ihl: usize,
    pub total_len: usize,
    pub pkt: &'a [u8],
}

impl<'a> Ipv4<'a> {
    pub fn parse(pkt: &'a [u8]) -> Option<Ipv4<'a>> {
        if pkt.len() < 20 || pkt[0] >> 4 != 4 {
            return None;
        }
        let ihl = usize::from(pkt[0] & 0x0f) * 4;
        let total_len = usize::from(u16::from_be_bytes([pkt[2], pkt[3]]));
        Some(Ipv4 {
            src: Ipv4Addr::new(pkt[12], pkt[13], pkt[14], pkt[15]),
            dst: Ipv4Addr::new(pkt[16], pkt[17], pkt[18], pkt[19]),
            proto: pkt[9],
            ihl,
            total_len,
            pkt,
        })
    }

    pub fn l4(&self) -> &'a [u8] {
        &self.pkt[self.ihl..self.total_len.min(self.pkt.len())]
    }

    pub fn header_checksum_ok(&self) -> bool {
        csum_fold(csum_add(0, &self.pkt[..self.ihl])) == 0xffff
    }
}

pub fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

pub fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
