//! End to end: a real privlinkd, real namespaces and VPC devices (packet ports; TUN with
//! `PRIVLINK_IO=tun`), real TCP/UDP sockets.
//! Each test builds its own lab (unique names) and tears it down in `Drop`, also on failure.
//! Needs root: without it each test prints a loud SKIPPED (and fails under `CI=true`).

mod common;

use common::daemon::*;
use privlink_dataplane::runtime::io::netns;
use privlink_dataplane::wire::{proto, synth::Synth};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

const PROVIDER: &str = "111111111111";
const CONSUMER_A: &str = "222222222222";
const CONSUMER_B: &str = "333333333333";
const CONSUMER_C: &str = "444444444444";
const BLOCKED: Duration = Duration::from_millis(700);

macro_rules! needs_root {
    ($name:literal) => {
        if !require_root($name) {
            return;
        }
    };
}

/// Serves both provider targets with the echo server.
fn serve_targets(p: &Provider) {
    echo_server(listen_tcp(&p.netns, "10.0.1.10:8080"), "target-a");
    echo_server(listen_tcp(&p.netns, "10.0.2.10:8080"), "target-b");
}

fn eni() -> String {
    format!("{ENI}:{PORT}")
}

fn fnv(h: u64, data: &[u8]) -> u64 {
    data.iter().fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
const FNV0: u64 = 0xcbf2_9ce4_8422_2325;

#[test]
fn tcp_and_udp_cross_an_interface_endpoint_both_ways() {
    needs_root!("tcp_and_udp_cross_an_interface_endpoint_both_ways");
    let d = Daemon::start();
    let p = d.provider(false);
    serve_targets(&p);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);

    let mut s = connect(&ns, &eni(), Duration::from_secs(5)).expect("connect through the endpoint");
    let (by, seen) = whoami(&mut s);
    assert_eq!(by, "target-a", "cross-zone off: the us-east-1a ENI reaches the us-east-1a target");
    assert_eq!(seen, p.nlb_nodes[0].to_string(), "the target sees the NLB node, not the client");
    let data: Vec<u8> = (0..256 * 1024u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let mut r = s.try_clone().unwrap();
    let reader = std::thread::spawn(move || {
        let mut back = vec![0u8; 256 * 1024];
        r.read_exact(&mut back).map(|_| back)
    });
    s.write_all(&data).unwrap();
    assert_eq!(reader.join().unwrap().expect("echo"), data, "echoed bytes differ");

    // UDP: a target echoes each datagram prefixed with the source it saw.
    let srv = bind_udp(&p.netns, "10.0.1.10:8080");
    std::thread::spawn(move || {
        let mut buf = [0u8; 9000];
        while let Ok((n, from)) = srv.recv_from(&mut buf) {
            let mut out = format!("{} ", from.ip()).into_bytes();
            out.extend_from_slice(&buf[..n]);
            let _ = srv.send_to(&out, from);
        }
    });
    let cli = bind_udp(&ns, "10.0.1.10:0");
    cli.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    for i in 0..20 {
        let msg = format!("datagram {i} {}", "x".repeat(i * 300));
        cli.send_to(msg.as_bytes(), eni().parse::<SocketAddr>().unwrap()).unwrap();
        let mut buf = [0u8; 9000];
        let (n, from) = cli.recv_from(&mut buf).expect("UDP reply through the endpoint");
        assert_eq!(from.to_string(), eni(), "the reply comes from the ENI");
        assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), format!("{} {msg}", p.nlb_nodes[0]));
    }
}

fn bulk_transfer(extra: &[&str]) {
    let d = Daemon::start_with(extra);
    let p = d.provider(false);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);
    const SIZE: usize = 100 << 20;
    // The target hashes what it receives, then sends SIZE bytes back for the client to hash.
    let l = listen_tcp(&p.netns, "10.0.1.10:8080");
    let server = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = vec![0u8; 1 << 16];
        let (mut h, mut got) = (FNV0, 0usize);
        while got < SIZE {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "upload ended early at {got} bytes");
            h = fnv(h, &buf[..n]);
            got += n;
        }
        let mut rng = fastrand::Rng::with_seed(2);
        let mut sent = 0;
        while sent < SIZE {
            rng.fill(&mut buf);
            s.write_all(&buf).unwrap();
            sent += buf.len();
        }
        h
    });
    let mut s = connect(&ns, &eni(), Duration::from_secs(5)).expect("connect");
    let mut rng = fastrand::Rng::with_seed(1);
    let mut buf = vec![0u8; 1 << 16];
    let mut h_up = FNV0;
    for _ in 0..SIZE / buf.len() {
        rng.fill(&mut buf);
        h_up = fnv(h_up, &buf);
        s.write_all(&buf).unwrap();
    }
    let mut rng = fastrand::Rng::with_seed(2);
    let (mut want, mut got) = (FNV0, FNV0);
    let mut expect = vec![0u8; 1 << 16];
    for _ in 0..SIZE / expect.len() {
        rng.fill(&mut expect);
        want = fnv(want, &expect);
        s.read_exact(&mut buf).unwrap();
        got = fnv(got, &buf);
    }
    assert_eq!(server.join().unwrap(), h_up, "the target received different bytes than were sent");
    assert_eq!(got, want, "the client received different bytes than the target sent");
}

#[test]
fn a_100_mb_transfer_each_way_is_byte_exact_with_offload() {
    needs_root!("a_100_mb_transfer_each_way_is_byte_exact_with_offload");
    bulk_transfer(&["--offload", "on", "--workers", "2"]);
}

#[test]
fn a_100_mb_transfer_each_way_is_byte_exact_without_offload() {
    needs_root!("a_100_mb_transfer_each_way_is_byte_exact_without_offload");
    bulk_transfer(&["--offload", "off", "--mtu", "1500", "--workers", "1", "--busy-poll-us", "0"]);
}

#[test]
fn a_udp_stream_arrives_byte_exact() {
    needs_root!("a_udp_stream_arrives_byte_exact");
    let d = Daemon::start();
    let p = d.provider(false);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);
    let srv = bind_udp(&p.netns, "10.0.1.10:8080");
    srv.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    socket2::SockRef::from(&srv).set_recv_buffer_size(8 << 20).unwrap();
    let cli = bind_udp(&ns, "10.0.1.10:0");
    let payload = |i: u32| -> Vec<u8> {
        let len = 8 + (i as usize * 37) % 8000;
        let mut v = i.to_be_bytes().to_vec();
        v.extend((4..len).map(|j| (j as u32 ^ i) as u8));
        v
    };
    const N: u32 = 3000;
    // Datagrams in flight at most: far less than any queue on the path holds (the sender waits
    // for the receiver, not for a clock), so none is dropped for lack of room however loaded
    // the machine is, and every one must arrive.
    const WINDOW: u32 = 16;
    let (progress_tx, progress) = std::sync::mpsc::channel::<u32>();
    let rx = std::thread::spawn(move || {
        let mut seen = std::collections::HashSet::new();
        let mut buf = [0u8; 9000];
        // Ends at the read timeout if a datagram is lost, which also stops the sender.
        while let Ok((n, from)) = srv.recv_from(&mut buf) {
            let i = u32::from_be_bytes(buf[..4].try_into().unwrap());
            assert_eq!(&buf[..n], &payload(i)[..], "datagram {i} from {from} corrupted");
            seen.insert(i);
            let _ = progress_tx.send(seen.len() as u32);
            if seen.len() == N as usize {
                break;
            }
        }
        seen.len()
    });
    let mut arrived = 0;
    'send: for i in 0..N {
        while i >= arrived + WINDOW {
            match progress.recv() {
                Ok(n) => arrived = n,
                Err(_) => break 'send,
            }
        }
        cli.send_to(&payload(i), eni().parse::<SocketAddr>().unwrap()).unwrap();
    }
    let got = rx.join().unwrap();
    let stats = d.ok(json!({"Action": "GetStats"}));
    assert_eq!(got, N as usize, "datagrams arrived; {stats}");
}

#[test]
fn a_thousand_concurrent_connections() {
    needs_root!("a_thousand_concurrent_connections");
    let d = Daemon::start();
    let p = d.provider(false);
    serve_targets(&p);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);
    let addr: SocketAddr = eni().parse().unwrap();
    let mut conns: Vec<TcpStream> = netns::in_netns(&ns, || {
        (0..1000)
            .map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .expect("1000 connections");
    let flows = d.ok(json!({"Action": "GetStats"}))["Stats"]["ActiveFlows"].as_u64().unwrap();
    assert!(flows >= 1000, "{flows} active flows for 1000 open connections");
    for c in &mut conns {
        assert_eq!(whoami(c).0, "target-a");
    }
    for (i, c) in conns.iter_mut().enumerate() {
        c.write_all(format!("conn {i}\n").as_bytes()).unwrap();
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let want = format!("conn {i}\n");
        let mut got = vec![0u8; want.len()];
        c.read_exact(&mut got).unwrap();
        assert_eq!(got, want.as_bytes(), "connection {i} got another connection's bytes");
    }
}

#[test]
fn three_consumers_with_the_same_cidr_at_once() {
    needs_root!("three_consumers_with_the_same_cidr_at_once");
    let d = Daemon::start();
    let p = d.provider(false);
    serve_targets(&p);
    let mut streams = Vec::new();
    for (suffix, account) in [("a", CONSUMER_A), ("b", CONSUMER_B), ("c", CONSUMER_C)] {
        let (vpc, ns, subnet) = d.consumer(suffix, account);
        d.endpoint(&vpc, &subnet, &p.service_name, account);
        let s = connect(&ns, &eni(), Duration::from_secs(5)).expect("connect");
        streams.push((suffix, s));
    }
    for (suffix, s) in &mut streams {
        let (by, seen) = whoami(s);
        assert_eq!(
            (by.as_str(), seen.as_str()),
            ("target-a", p.nlb_nodes[0].to_string().as_str()),
            "consumer {suffix}"
        );
        s.write_all(format!("from {suffix}\n").as_bytes()).unwrap();
    }
    for (suffix, s) in &mut streams {
        let want = format!("from {suffix}\n");
        let mut got = vec![0u8; want.len()];
        s.read_exact(&mut got).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), want, "replies went to the wrong VPC");
    }
    let flows = d.ok(json!({"Action": "DescribeFlows"}));
    let ports: std::collections::HashSet<_> = flows["Flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["TranslatedSource"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ports.len(), 3, "each consumer's identical client tuple needs its own SNAT port: {flows}");
    // Each flow counted both directions: SYN, ACK, two writes one way; SYN-ACK, two answers back.
    for f in flows["Flows"].as_array().unwrap() {
        let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("{k} in {f}"));
        assert!(n("Packets") >= 4 && n("ReplyPackets") >= 3, "{f}");
        assert!(n("Bytes") >= 40 * n("Packets") && n("ReplyBytes") >= 40 * n("ReplyPackets"), "{f}");
    }
    // Deleting an endpoint cuts its flow, and the flow's end is tallied.
    let eps = d.ok(json!({"Action": "DescribeVpcEndpoints", "Account": CONSUMER_A}));
    let ep = eps["VpcEndpoints"][0]["VpcEndpointId"].as_str().unwrap().to_string();
    d.ok(json!({"Action": "DeleteVpcEndpoints", "Account": CONSUMER_A, "VpcEndpointIds": [ep]}));
    let stats = d.ok(json!({"Action": "GetStats"}));
    assert_eq!(stats["Stats"]["FlowsEnded"]["purged"], 1, "{stats}");
    assert_eq!(stats["Stats"]["ActiveFlows"], 2, "{stats}");
}

#[test]
fn acceptance_workflow_gates_traffic() {
    needs_root!("acceptance_workflow_gates_traffic");
    let d = Daemon::start();
    let p = d.provider(true);
    serve_targets(&p);
    let (va, nsa, sa) = d.consumer("a", CONSUMER_A);
    let (vb, nsb, sb) = d.consumer("b", CONSUMER_B);
    let ea = d.endpoint(&va, &sa, &p.service_name, CONSUMER_A);
    let eb = d.endpoint(&vb, &sb, &p.service_name, CONSUMER_B);
    let state = |acct: &str, id: &str| {
        d.ok(json!({"Action": "DescribeVpcEndpoints", "Account": acct, "VpcEndpointIds": [id]}))["VpcEndpoints"][0]["State"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(state(CONSUMER_A, &ea), "pendingAcceptance");
    assert!(connect(&nsa, &eni(), BLOCKED).is_err(), "pendingAcceptance must block");
    assert!(d.drops("endpoint_pending_acceptance") >= 1);

    let conns = d.ok(json!({"Action": "DescribeVpcEndpointConnections", "Account": PROVIDER}));
    assert_eq!(conns["VpcEndpointConnections"].as_array().unwrap().len(), 2, "{conns}");
    d.ok(
        json!({"Action": "AcceptVpcEndpointConnections", "ServiceId": p.service_id, "VpcEndpointIds": [ea]}),
    );
    d.ok(
        json!({"Action": "RejectVpcEndpointConnections", "ServiceId": p.service_id, "VpcEndpointIds": [eb]}),
    );
    assert_eq!(state(CONSUMER_A, &ea), "available");
    assert_eq!(state(CONSUMER_B, &eb), "rejected");
    let mut s = connect(&nsa, &eni(), Duration::from_secs(5)).expect("accepted endpoint passes");
    assert_eq!(whoami(&mut s).0, "target-a");
    assert!(connect(&nsb, &eni(), BLOCKED).is_err(), "rejected must block");
    assert!(d.drops("endpoint_rejected") >= 1);

    // Deleting the endpoint cuts the open connection and blocks new ones.
    d.ok(json!({"Action": "DeleteVpcEndpoints", "Account": CONSUMER_A, "VpcEndpointIds": [ea]}));
    assert!(connect(&nsa, &eni(), BLOCKED).is_err(), "deleted endpoint must block");
    s.set_read_timeout(Some(BLOCKED)).unwrap();
    s.write_all(b"still there?\n").unwrap();
    let mut buf = [0u8; 64];
    assert!(!matches!(s.read(&mut buf), Ok(n) if n > 0), "a deleted endpoint must not carry old connections");
}

#[test]
fn the_provider_cannot_initiate() {
    needs_root!("the_provider_cannot_initiate");
    let d = Daemon::start();
    let p = d.provider(false);
    serve_targets(&p);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);
    echo_server(listen_tcp(&ns, "10.0.1.10:9000"), "consumer");
    // Open a real connection so that a NAT mapping exists to aim at.
    let mut s = connect(&ns, &eni(), Duration::from_secs(5)).unwrap();
    whoami(&mut s);
    let port = s.local_addr().unwrap().port();
    for dst in
        [format!("{}:{port}", p.nlb_nodes[0]), format!("{}:9000", p.nlb_nodes[0]), format!("{ENI}:9000")]
    {
        assert!(connect(&p.netns, &dst, BLOCKED).is_err(), "provider reached {dst}");
    }
    assert!(d.drops("provider_initiated") >= 2);
}

/// Sends one raw IPv4/UDP packet from inside `ns` (IP_HDRINCL, so any source address).
fn send_raw(ns: &str, pkt: Vec<u8>, dst: Ipv4Addr) {
    netns::in_netns(ns, move || {
        let s = socket2::Socket::new(
            socket2::Domain::IPV4,
            socket2::Type::RAW,
            Some(socket2::Protocol::from(255)),
        )
        .expect("raw socket");
        s.set_header_included_v4(true).unwrap();
        s.send_to(&pkt, &SocketAddr::from((dst, 0)).into()).expect("send raw");
    })
    .unwrap();
}

#[test]
fn spoofed_sources_are_dropped() {
    needs_root!("spoofed_sources_are_dropped");
    let d = Daemon::start();
    let p = d.provider(false);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);
    let srv = bind_udp(&p.netns, "10.0.1.10:8080");
    srv.set_read_timeout(Some(BLOCKED)).unwrap();
    let eni_ip: Ipv4Addr = ENI.parse().unwrap();
    let pkt = |src: [u8; 4]| {
        let udp = Synth {
            proto: proto::UDP,
            src: u32::from_be_bytes(src),
            dst: eni_ip.into(),
            sport: 5555,
            dport: PORT,
            tcp_flags: 0,
            seq: 1,
            ack: 0,
            payload: 8,
        };
        udp.build()
    };
    send_raw(&ns, pkt([192, 168, 7, 7]), eni_ip);
    let mut buf = [0u8; 100];
    assert!(srv.recv_from(&mut buf).is_err(), "a packet with a source outside the VPC reached the provider");
    assert_eq!(d.drops("spoofed_source"), 1);
    // The same raw path with a legitimate source does arrive, so the test can fail.
    send_raw(&ns, pkt([10, 0, 1, 10]), eni_ip);
    let (_, from) = srv.recv_from(&mut buf).expect("legitimate raw packet");
    assert_eq!(from.ip().to_string(), p.nlb_nodes[0].to_string());
}

#[test]
fn gateway_endpoint_before_after_and_per_route_table() {
    needs_root!("gateway_endpoint_before_after_and_per_route_table");
    let d = Daemon::start();
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    let other_subnet = d.subnet(&vpc, "10.0.2.0/24", "us-east-1b", CONSUMER_A);
    d.instance(&other_subnet, "10.0.2.10", CONSUMER_A);
    let rt = d.ok(json!({"Action": "CreateRouteTable", "Account": CONSUMER_A, "VpcId": vpc}))["RouteTable"]["RouteTableId"]
        .as_str()
        .unwrap()
        .to_string();
    d.ok(json!({"Action": "AssociateRouteTable", "Account": CONSUMER_A, "RouteTableId": rt, "SubnetId": other_subnet}));
    echo_server(listen_tcp(&d.aws_netns(), "198.51.100.10:443"), "s3");
    let s3 = "198.51.100.10:443";
    let from = |src: &str| connect_from(&ns, src, s3, BLOCKED);
    assert!(from("10.0.1.10").is_err(), "S3 reachable before the gateway endpoint");
    assert!(d.drops("no_route") >= 1);

    let main = d.ok(json!({"Action": "DescribeVpcs", "Account": CONSUMER_A, "VpcIds": [vpc]}))["Vpcs"][0]["MainRouteTableId"]
        .as_str()
        .unwrap()
        .to_string();
    let ep = d.ok(json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER_A, "VpcId": vpc, "VpcEndpointType": "Gateway",
        "ServiceName": "com.amazonaws.us-east-1.s3", "RouteTableIds": [main]}));
    let ep = ep["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_string();
    let mut s = from("10.0.1.10").expect("S3 through the gateway endpoint");
    assert_eq!(
        whoami(&mut s),
        ("s3".to_string(), "10.0.1.10".to_string()),
        "the service sees the private source IP"
    );
    assert!(
        from("10.0.2.10").is_err(),
        "a subnet whose route table has no prefix-list route must not reach S3"
    );

    d.ok(json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER_A, "VpcEndpointId": ep, "AddRouteTableIds": [rt]}));
    let mut s2 = from("10.0.2.10").expect("after adding the route table");
    assert_eq!(whoami(&mut s2).1, "10.0.2.10");
    let _ = subnet;

    d.ok(json!({"Action": "DeleteVpcEndpoints", "Account": CONSUMER_A, "VpcEndpointIds": [ep]}));
    assert!(from("10.0.1.10").is_err(), "S3 reachable after deleting the gateway endpoint");
}

#[test]
fn a_restart_restores_config_and_new_connections_work() {
    needs_root!("a_restart_restores_config_and_new_connections_work");
    let mut d = Daemon::start();
    let p = d.provider(false);
    serve_targets(&p);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    let ep = d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);
    assert_eq!(whoami(&mut connect(&ns, &eni(), Duration::from_secs(5)).unwrap()).0, "target-a");
    let before = d.ok(json!({"Action": "DescribeVpcEndpoints", "Account": CONSUMER_A}));

    d.restart();
    assert_eq!(d.ok(json!({"Action": "DescribeVpcEndpoints", "Account": CONSUMER_A})), before);
    assert_eq!(
        whoami(&mut connect(&ns, &eni(), Duration::from_secs(5)).expect("after restart")).0,
        "target-a"
    );

    // A crash (SIGKILL) loses nothing either.
    d.kill();
    d.restart();
    assert_eq!(whoami(&mut connect(&ns, &eni(), Duration::from_secs(5)).expect("after crash")).0, "target-a");
    let _ = ep;
}

#[test]
fn bad_api_input_gets_aws_error_codes() {
    needs_root!("bad_api_input_gets_aws_error_codes");
    let d = Daemon::start();
    let m = d.err(json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/33"}), "InvalidParameterValue");
    assert!(m.contains("10.0.0.0/33"), "{m}");
    let (vpc, _, _) = d.consumer("a", CONSUMER_A);
    let m = d.err(
        json!({"Action": "CreateSubnet", "Account": CONSUMER_A, "VpcId": vpc, "CidrBlock": "10.0.1.128/25", "AvailabilityZone": "us-east-1a"}),
        "InvalidSubnet.Conflict",
    );
    assert!(m.contains("10.0.1.128/25"), "{m}");
    d.err(
        json!({"Action": "DescribeVpcs", "Account": CONSUMER_A, "VpcIds": ["vpc-00000000000000000"]}),
        "InvalidVpcID.NotFound",
    );
    let m = d.err(
        json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER_A, "VpcId": vpc, "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-nope", "SubnetIds": []}),
        "InvalidServiceName",
    );
    assert!(m.contains("vpce-svc-nope"), "{m}");
    d.err(json!({"Action": "DeleteVpc", "Account": CONSUMER_A, "VpcId": vpc}), "DependencyViolation");
    d.err(json!({"Action": "LaunchRockets"}), "InvalidAction");
    // A malformed line gets an error and the daemon keeps serving.
    let mut raw = std::os::unix::net::UnixStream::connect(&d.socket).unwrap();
    raw.write_all(b"{not json\n").unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(&raw), &mut line).unwrap();
    assert!(line.contains("\"Error\""), "{line}");
    d.ok(json!({"Action": "DescribeVpcs"}));
}

#[test]
fn deleting_a_vpc_removes_only_the_namespace_privlink_created() {
    needs_root!("deleting_a_vpc_removes_only_the_namespace_privlink_created");
    let d = Daemon::start();
    let (made, made_ns) = d.vpc("m", "10.1.0.0/16", CONSUMER_A);
    let own_ns = format!("pl-{}own", d.tag);
    netns::create(&own_ns).unwrap();
    let own = d.ok(
        json!({"Action": "CreateVpc", "Account": CONSUMER_A, "CidrBlock": "10.2.0.0/16", "Netns": own_ns}),
    );
    let own = own["Vpc"]["VpcId"].as_str().unwrap().to_string();
    assert!(netns::exists(&made_ns).unwrap() && netns::exists(&own_ns).unwrap());
    for vpc in [&made, &own] {
        d.ok(json!({"Action": "DeleteVpc", "Account": CONSUMER_A, "VpcId": vpc}));
    }
    assert!(!netns::exists(&made_ns).unwrap(), "the namespace privlink created must go with its VPC");
    assert!(netns::exists(&own_ns).unwrap(), "a namespace the user brought must stay");
    // Workers let go of the device when they pick up the new snapshot (they are woken for it);
    // the last one to let go closes it. What is asserted is that it goes, not how fast: the
    // guard only turns a device that is never closed into a failure instead of a hang.
    let guard = std::time::Instant::now() + Duration::from_secs(60);
    while privlink_dataplane::runtime::io::link::link_info(&own_ns, "plink0").is_ok() {
        assert!(std::time::Instant::now() < guard, "plink0 never left the user's namespace");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn udp_to_a_closed_target_port_is_refused_through_the_endpoint() {
    needs_root!("udp_to_a_closed_target_port_is_refused_through_the_endpoint");
    let d = Daemon::start();
    let p = d.provider(false);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);
    // Nothing listens on the target's UDP port: its kernel answers port unreachable to the
    // NLB node, and the fabric must carry that back to the client as if from the ENI.
    let cli = bind_udp(&ns, "10.0.1.10:0");
    cli.connect(eni()).unwrap();
    cli.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    cli.send(b"anyone?").unwrap();
    let mut buf = [0u8; 64];
    let err = cli.recv(&mut buf).expect_err("no datagram can come back");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
}

#[test]
fn security_groups_on_the_eni_admit_new_flows() {
    needs_root!("security_groups_on_the_eni_admit_new_flows");
    let d = Daemon::start();
    let p = d.provider(false);
    serve_targets(&p);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    let sg = d.ok(json!({"Action": "CreateSecurityGroup", "Account": CONSUMER_A, "VpcId": vpc, "GroupName": "endpoint-sg"}));
    let sg = sg["GroupId"].as_str().unwrap().to_string();
    d.ok(json!({"Action": "AuthorizeSecurityGroupIngress", "Account": CONSUMER_A, "GroupId": sg,
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.2.0/24"}));
    d.ok(json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER_A, "VpcId": vpc, "ServiceName": p.service_name,
        "VpcEndpointType": "Interface", "SubnetIds": [subnet], "IpAddresses": [ENI], "SecurityGroupIds": [sg]}));
    assert!(connect(&ns, &eni(), BLOCKED).is_err(), "the group admits only 10.0.2.0/24");
    assert!(d.drops("security_group_denied") >= 1);
    d.ok(json!({"Action": "AuthorizeSecurityGroupIngress", "Account": CONSUMER_A, "GroupId": sg,
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.1.0/24"}));
    let mut s = connect(&ns, &eni(), Duration::from_secs(5)).expect("admitted after the new rule");
    assert_eq!(whoami(&mut s).0, "target-a");
    d.ok(json!({"Action": "RevokeSecurityGroupIngress", "Account": CONSUMER_A, "GroupId": sg,
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.1.0/24"}));
    assert!(connect(&ns, &eni(), BLOCKED).is_err(), "revoked: new flows are refused again");
    s.write_all(b"still mine\n").unwrap();
    let mut back = [0u8; 11];
    s.read_exact(&mut back).expect("security groups are stateful: the open flow keeps working");
    assert_eq!(&back, b"still mine\n");
}

#[test]
fn prometheus_metrics_show_forwarding_and_drops() {
    needs_root!("prometheus_metrics_show_forwarding_and_drops");
    let d = Daemon::start_with(&["--workers", "2", "--metrics-listen", "127.0.0.1:0"]);
    let p = d.provider(false);
    serve_targets(&p);
    let (vpc, ns, subnet) = d.consumer("a", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);
    whoami(&mut connect(&ns, &eni(), Duration::from_secs(5)).unwrap());
    assert!(connect(&ns, "192.0.2.1:80", BLOCKED).is_err());
    let body = d.scrape();
    let value = |metric: &str| -> f64 {
        let line =
            body.lines().find(|l| l.starts_with(metric)).unwrap_or_else(|| panic!("no {metric} in:\n{body}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(value("privlink_forwarded_packets_total") >= 6.0, "{body}");
    assert!(value("privlink_dropped_packets_total{reason=\"no_route\"}") >= 1.0, "{body}");
    assert_eq!(value("privlink_dropped_packets_total{reason=\"spoofed_source\"}"), 0.0);
    assert!(value("privlink_flows_created_total") >= 1.0);
    assert!(body.contains("privlink_device_queue_drops_total{vpc="), "{body}");
}
