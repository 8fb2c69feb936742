//! The control socket end to end: concurrency, bad input, permissions, stale sockets.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;

use privlink_control::error::codes;
use privlink_control::{ApiError, Client, Error, server};
use serde_json::{Value, json};
use support::Daemon;

fn raw_call(stream: &mut UnixStream, bytes: &[u8]) -> Value {
    stream.write_all(bytes).unwrap();
    let mut line = String::new();
    BufReader::new(stream.try_clone().unwrap()).read_line(&mut line).unwrap();
    serde_json::from_str(&line).unwrap()
}

#[test]
fn many_clients_at_once() {
    let d = Daemon::start();
    let threads: Vec<_> = (0..8)
        .map(|n| {
            let socket = d.socket.clone();
            std::thread::spawn(move || {
                let mut c = Client::connect(&socket).unwrap();
                let cidr = format!("10.{n}.0.0/16");
                let v = c
                    .call(&json!({"Action": "CreateVpc", "Name": format!("vpc{n}"), "CidrBlock": cidr}))
                    .unwrap();
                for _ in 0..5 {
                    c.call(&json!({"Action": "DescribeVpcs", "VpcIds": [format!("vpc{n}")]})).unwrap();
                }
                v["Vpc"]["VpcId"].as_str().unwrap().to_owned()
            })
        })
        .collect();
    let ids: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let mut c = Client::connect(&d.socket).unwrap();
    let all = c.call(&json!({"Action": "DescribeVpcs"})).unwrap();
    assert_eq!(all["Vpcs"].as_array().unwrap().len(), 8);
    for id in ids {
        assert!(d.controller.state().vpcs.contains_key(&id));
    }
    assert_eq!(d.fabric.applied().len(), 9, "restore + 8 creates, each applied once");
}

#[test]
fn malformed_and_oversized_requests_get_errors_and_the_connection_stays_usable() {
    let d = Daemon::start();
    let mut s = UnixStream::connect(&d.socket).unwrap();
    let r = raw_call(&mut s, b"{\"Action\": nope}\n");
    assert_eq!(r["Error"]["Code"], codes::MALFORMED_QUERY_STRING);
    assert!(r["Error"]["Message"].as_str().unwrap().contains("nope"));
    let r = raw_call(&mut s, b"[1,2]\n");
    assert_eq!(r["Error"]["Code"], codes::MALFORMED_QUERY_STRING);
    let mut huge = vec![b' '; (1 << 20) + 10];
    huge.push(b'\n');
    let r = raw_call(&mut s, &huge);
    assert_eq!(r["Error"]["Code"], codes::REQUEST_TOO_LARGE);
    assert!(r["Error"]["Message"].as_str().unwrap().contains("1048586"));
    let r = raw_call(&mut s, b"\n{\"Action\":\"DescribePrefixLists\"}\n");
    assert_eq!(r["PrefixLists"].as_array().unwrap().len(), 2, "blank line skipped, next request answered");
    // A client that vanishes mid-request does not disturb anyone else.
    let mut rude = UnixStream::connect(&d.socket).unwrap();
    rude.write_all(b"{\"Action\":\"Descr").unwrap();
    drop(rude);
    let mut c = Client::connect(&d.socket).unwrap();
    assert!(c.call(&json!({"Action": "DescribeVpcs"})).is_ok());
}

#[test]
fn api_errors_come_back_as_api_errors() {
    let d = Daemon::start();
    let mut c = Client::connect(&d.socket).unwrap();
    let e = c.call(&json!({"Action": "DeleteVpc", "VpcId": "vpc-00000000000000000"})).unwrap_err();
    assert_eq!(e.code, codes::INVALID_VPC_ID_NOT_FOUND);
    assert!(e.message.contains("vpc-00000000000000000"));
    d.fabric.fail_next(ApiError::internal("netns pl-x could not be created"));
    let e = c.call(&json!({"Action": "CreateVpc", "Name": "x", "CidrBlock": "10.0.0.0/16"})).unwrap_err();
    assert!(e.message.contains("pl-x"));
    assert!(c.call(&json!({"Action": "DescribeVpcs"})).unwrap()["Vpcs"].as_array().unwrap().is_empty());
    let on_disk = std::fs::read_to_string(d.state_dir.join("state.json")).unwrap();
    assert!(!on_disk.contains("pl-x"), "a refused change is not persisted");
}

#[test]
fn socket_is_private_and_stale_sockets_are_replaced() {
    let d = Daemon::start();
    let mode = std::fs::metadata(&d.socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let in_use = rt.block_on(async { server::bind(&d.socket) });
    assert!(matches!(in_use, Err(Error::SocketInUse { .. })), "a live daemon's socket is never taken over");
    let stale = d.socket.with_file_name("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    assert!(stale.exists());
    rt.block_on(async { server::bind(&stale) }).expect("a stale socket is replaced");
    let file = d.socket.with_file_name("not-a-socket");
    std::fs::write(&file, "keep me").unwrap();
    let e = rt.block_on(async { server::bind(&file) }).unwrap_err().to_string();
    assert!(e.contains("not a socket") && e.contains("not-a-socket"), "{e}");
}

#[test]
fn unreachable_daemon_is_a_connect_error_naming_the_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nobody.sock");
    let e = Client::connect(&path).err().unwrap().to_string();
    assert!(e.contains("nobody.sock"), "{e}");
}
