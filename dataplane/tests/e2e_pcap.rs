//! End to end: `privlinkd --pcap DIR` writes, per VPC device, a pcap file of what the device
//! received and sent. A TCP connection through an interface endpoint must show up as the
//! client's SYN to the ENI in the consumer's file and as the same SYN, translated (NLB node →
//! target), in the provider's; the files are read by a parser here and, when tshark is
//! installed, by tshark. A `--pcap` that cannot be a directory fails the start, naming it.
//! Needs root, and tshark under `CI=true` (without root: SKIPPED loudly, a failure under CI;
//! without tshark outside CI: the tshark half is SKIPPED loudly).

mod common;

use common::daemon::*;
use privlink_dataplane::runtime::io::netns;
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONSUMER: &str = "222222222222";
/// `LINKTYPE_RAW`.
const RAW_IP: u32 = 101;

/// A TCP segment of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    dport: u16,
    seq: u32,
    syn_only: bool,
}

/// The TCP/IPv4 segments of the pcap file at `path`, after checking its file header.
fn segments(path: &Path) -> Vec<Segment> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    assert!(bytes.len() >= 24, "{}: shorter than a pcap file header", path.display());
    assert_eq!(u32_at(0), 0xa1b2_c3d4, "{}: magic", path.display());
    assert_eq!(u32_at(20), RAW_IP, "{}: link type", path.display());
    let mut out = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let caplen = u32_at(at + 8) as usize;
        let data = &bytes[at + 16..at + 16 + caplen];
        at += 16 + caplen;
        let Ok((ip, l4)) = etherparse::Ipv4Header::from_slice(data) else { continue };
        if ip.protocol != etherparse::IpNumber::TCP {
            continue;
        }
        let Ok((tcp, _)) = etherparse::TcpHeader::from_slice(l4) else { continue };
        out.push(Segment {
            src: ip.source.into(),
            dst: ip.destination.into(),
            dport: tcp.destination_port,
            seq: tcp.sequence_number,
            syn_only: tcp.syn && !tcp.ack,
        });
    }
    out
}

/// `ip.src<TAB>ip.dst` lines tshark reads from `path`; `None` (after a loud skip) when tshark
/// is not installed outside CI, a failure under `CI=true`.
fn tshark_addresses(path: &Path) -> Option<Vec<String>> {
    let out = match Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(["-T", "fields", "-e", "ip.src", "-e", "ip.dst"])
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("tshark is not installed (CI=true, so this is a failure, not a skip)");
            }
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!!!! SKIPPED: tshark not installed: the tshark check !!!!!!!!\n"
            );
            return None;
        }
        Err(e) => panic!("run tshark: {e}"),
    };
    assert!(out.status.success(), "tshark -r {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
}

#[test]
fn a_connection_through_an_endpoint_is_captured_on_both_sides() {
    if !require_root("a_connection_through_an_endpoint_is_captured_on_both_sides") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Missing: privlinkd creates it.
    let dir = tmp.path().join("captures");
    let mut d = Daemon::start_with(&["--workers", "2", "--pcap", dir.to_str().unwrap()]);
    let p = d.provider(false);
    echo_server(listen_tcp(&p.netns, "10.0.1.10:8080"), "target-a");
    echo_server(listen_tcp(&p.netns, "10.0.2.10:8080"), "target-b");
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER);
    let (consumer_file, provider_file) =
        (dir.join(format!("{vpc}.pcap")), dir.join(format!("{}.pcap", p.vpc)));

    let mut s =
        connect(&ns, &format!("{ENI}:{PORT}"), Duration::from_secs(5)).expect("connect through the endpoint");
    let (by, seen) = whoami(&mut s);
    assert_eq!((by.as_str(), seen), ("target-a", p.nlb_nodes[0].to_string()));
    drop(s);

    // A running capture is readable: every batch is written out as it passes.
    let client: Ipv4Addr = "10.0.1.10".parse().unwrap();
    let eni: Ipv4Addr = ENI.parse().unwrap();
    let syn = segments(&consumer_file)
        .into_iter()
        .find(|g| g.syn_only && g.src == client && g.dst == eni && g.dport == PORT)
        .unwrap_or_else(|| panic!("no client → ENI SYN in {}", consumer_file.display()));
    for f in [&consumer_file, &provider_file, &dir.join("aws.pcap")] {
        let m = std::fs::metadata(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!((m.mode() & 0o777, m.uid()), (0o644, 0), "{}: mode 0644, owned by root", f.display());
    }
    d.stop();

    let provider = segments(&provider_file);
    assert!(
        provider.iter().any(|g| *g
            == Segment {
                src: p.nlb_nodes[0],
                dst: p.targets[0],
                dport: TARGET_PORT,
                seq: syn.seq,
                syn_only: true
            }),
        "the client's SYN (seq {}) is not in {} as NLB node {} → target {}:{TARGET_PORT}: {provider:?}",
        syn.seq,
        provider_file.display(),
        p.nlb_nodes[0],
        p.targets[0]
    );
    let consumer = segments(&consumer_file);
    assert!(
        consumer.iter().any(|g| g.src == eni && g.dst == client),
        "the replies (ENI → client) are in the consumer's capture too: {consumer:?}"
    );

    if let Some(lines) = tshark_addresses(&consumer_file) {
        assert!(
            lines.contains(&format!("{client}\t{eni}")),
            "tshark on {}: {lines:?}",
            consumer_file.display()
        );
    }
    if let Some(lines) = tshark_addresses(&provider_file) {
        let want = format!("{}\t{}", p.nlb_nodes[0], p.targets[0]);
        assert!(lines.contains(&want), "tshark on {}: no {want:?} in {lines:?}", provider_file.display());
    }
}

#[test]
fn a_pcap_directory_that_cannot_be_made_fails_the_start_naming_it() {
    if !require_root("a_pcap_directory_that_cannot_be_made_fails_the_start_naming_it") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let bad = file.join("captures");
    let aws_netns = format!("pl-pcap{}-aws", std::process::id());
    let mut child = Command::new(env!("CARGO_BIN_EXE_privlinkd"))
        .arg("--socket")
        .arg(tmp.path().join("privlink.sock"))
        .arg("--state-dir")
        .arg(tmp.path().join("state"))
        .args(["--aws-netns", &aws_netns, "--api-listen", "off"])
        .arg("--pcap")
        .arg(&bad)
        .env("PRIVLINK_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run privlinkd");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            // It started after all: stop it (by its PID) and remove what it made.
            let _ = child.kill();
            let _ = child.wait();
            let _ = netns::delete(&aws_netns);
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.is_some_and(|s| !s.success()), "privlinkd started with --pcap {}", bad.display());
    assert!(
        stderr.contains(&format!("--pcap {}", bad.display()))
            && stderr.contains("create the capture directory"),
        "the error names the directory: {stderr}"
    );
    assert!(!common::netlab::list_netns().contains(&aws_netns), "nothing was set up before the check");
}
