//! End to end: crash consistency. privlinkd is killed with SIGKILL while VPCs are being created
//! and deleted, and started again at once: it must come up every time (the devices of the
//! killed process may still exist), and afterwards every namespace of the test is the
//! namespace of a VPC in the state (none orphaned). A namespace privlink marked but no state
//! names is removed at start; one privlink did not create is left alone; a device that
//! outlived its privlinkd is replaced.
//! Needs root (SKIPPED loudly otherwise, a failure under `CI=true`).

mod common;

use common::daemon::*;
use common::netlab::ip;
use privlink_control::Client;
use privlink_dataplane::runtime::io::{link, netns};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Namespaces of this test's VPCs: the ones named `pl-<tag>…`, minus the AWS-service network.
fn vpc_namespaces(d: &Daemon) -> BTreeSet<String> {
    let prefix = format!("pl-{}", d.tag);
    common::netlab::list_netns()
        .into_iter()
        .filter(|n| n.starts_with(&prefix) && *n != d.aws_netns())
        .collect()
}

/// The namespaces the state names, after checking each VPC's exists.
fn state_namespaces(d: &Daemon) -> BTreeSet<String> {
    let vpcs = d.ok(json!({"Action": "DescribeVpcs"}));
    vpcs["Vpcs"].as_array().unwrap().iter().map(|v| v["Netns"].as_str().unwrap().to_string()).collect()
}

/// Creates VPCs `<tag>r<round>v<i>` and deletes every other one until `stop` is set or the
/// daemon goes away.
fn churn(socket: std::path::PathBuf, tag: String, round: usize, stop: Arc<AtomicBool>) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut c) = Client::connect(&socket) else { return };
        let name = format!("{tag}r{round}v{i}");
        let Ok(v) = c.call(&json!({"Action": "CreateVpc", "CidrBlock": "10.9.0.0/16", "Name": name})) else {
            return;
        };
        if i % 2 == 0 && c.call(&json!({"Action": "DeleteVpc", "VpcId": v["Vpc"]["VpcId"]})).is_err() {
            return;
        }
        i += 1;
    }
}

#[test]
fn kill_9_during_vpc_churn_then_restart_leaves_no_orphan_namespace() {
    if !require_root("kill_9_during_vpc_churn_then_restart_leaves_no_orphan_namespace") {
        return;
    }
    let mut d = Daemon::start();
    // Enough VPCs that the killed process's devices are still being removed when the next
    // privlinkd opens its own.
    for i in 0..30 {
        d.vpc(&format!("b{i}"), "10.8.0.0/16", "111111111111");
    }
    for round in 0..6 {
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let (socket, tag, stop) = (d.socket.clone(), d.tag.clone(), stop.clone());
            std::thread::spawn(move || churn(socket, tag, round, stop))
        };
        std::thread::sleep(Duration::from_millis(40 + 35 * round as u64));
        d.kill();
        stop.store(true, Ordering::Relaxed);
        worker.join().unwrap();
        // Straight after the kill: the killed process's devices may still be going away.
        d.respawn();
        let named = state_namespaces(&d);
        assert_eq!(vpc_namespaces(&d), named, "round {round}: namespaces vs the VPCs of the state");
    }
    let vpcs = d.ok(json!({"Action": "DescribeVpcs"}));
    let ids: Vec<String> =
        vpcs["Vpcs"].as_array().unwrap().iter().map(|v| v["VpcId"].as_str().unwrap().to_string()).collect();
    for id in ids {
        d.ok(json!({"Action": "DeleteVpc", "VpcId": id}));
    }
    assert_eq!(vpc_namespaces(&d), BTreeSet::new(), "deleting every VPC deletes every namespace");
}

#[test]
fn a_marked_namespace_no_state_names_is_removed_and_a_stale_device_replaced_at_start() {
    if !require_root("a_marked_namespace_no_state_names_is_removed_and_a_stale_device_replaced_at_start") {
        return;
    }
    let mut d = Daemon::start_with(&["--workers", "2", "--stale-device-wait", "1"]);
    let (_, kept) = d.vpc("kept", "10.0.0.0/16", "111111111111");
    d.kill();
    // What a kill between creating a VPC's namespace and saving the state leaves behind.
    let orphan = format!("pl-{}orphan", d.tag);
    netns::create(&orphan).unwrap();
    std::fs::write(d.state_dir().join("netns").join(&orphan), b"").unwrap();
    // A namespace privlink did not create.
    let users = format!("pl-{}users", d.tag);
    netns::create(&users).unwrap();
    // A device that outlived the killed privlinkd (a persistent one never goes away by itself),
    // once the killed process's own device is gone.
    let deadline = Instant::now() + Duration::from_secs(20);
    while link::link_info(&kept, "plink0").is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (ok, out) = ip(&["-n", &kept, "tuntap", "add", "dev", "plink0", "mode", "tun"]);
    assert!(ok, "{out}");
    d.respawn();
    let dev = d.ok(json!({"Action": "GetStats"}));
    let kept_dev =
        dev["Stats"]["Devices"].as_array().unwrap().iter().find(|v| v["Netns"] == kept.as_str()).cloned();
    assert!(kept_dev.is_some_and(|v| v.get("Error").is_none()), "no working device in {kept}: {dev}");
    assert!(!netns::exists(&orphan).unwrap(), "the orphaned namespace is still there");
    assert!(!d.state_dir().join("netns").join(&orphan).exists(), "its mark is still there");
    assert!(netns::exists(&users).unwrap(), "a namespace privlink did not create was removed");
    assert!(netns::exists(&kept).unwrap());
    // A VPC created under the orphan's name gets a namespace privlink owns and deletes.
    let (id, ns) = d.vpc("orphan", "10.0.0.0/16", "111111111111");
    assert_eq!(ns, orphan);
    d.ok(json!({"Action": "DeleteVpc", "VpcId": id}));
    assert!(!netns::exists(&orphan).unwrap());
}

#[test]
fn a_namespace_file_left_half_made_by_a_kill_is_cleared_at_restore() {
    if !require_root("a_namespace_file_left_half_made_by_a_kill_is_cleared_at_restore") {
        return;
    }
    let mut d = Daemon::start();
    let (_, ns) = d.vpc("half", "10.0.0.0/16", "111111111111");
    d.kill();
    // A kill inside the restore's namespace creation: the state names the VPC, its mark is
    // written, and /run/netns/<ns> is a plain file that was never bind-mounted.
    let deadline = Instant::now() + Duration::from_secs(20);
    while link::link_info(&ns, "plink0").is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    netns::delete(&ns).unwrap();
    std::fs::write(format!("/run/netns/{ns}"), b"").unwrap();
    assert!(!netns::exists(&ns).unwrap(), "a plain file is not a namespace");
    d.respawn();
    assert!(netns::exists(&ns).unwrap(), "the restore made the namespace again");
    let stats = d.ok(json!({"Action": "GetStats"}));
    let dev =
        stats["Stats"]["Devices"].as_array().unwrap().iter().find(|v| v["Netns"] == ns.as_str()).cloned();
    assert!(dev.is_some_and(|v| v.get("Error").is_none()), "no working device in {ns}: {stats}");
}
