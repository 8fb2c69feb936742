//! End to end: crash consistency. privlinkd is killed with SIGKILL while VPCs, subnets and
//! interface endpoints are being created and deleted, and started again at once: it must come
//! up every time (the devices of the killed process may still exist), and afterwards every
//! namespace of the test is the namespace of a VPC in the state (none orphaned), no endpoint
//! outlives its VPC, and an endpoint made before the crashes still forwards. A namespace privlink marked but no state
//! names is removed at start; one privlink did not create is left alone; a device that
//! outlived its privlinkd is replaced.
//! Needs root (SKIPPED loudly otherwise, a failure under `CI=true`).

mod common;

use common::daemon::*;
use common::netlab::ip;
use privlink_control::Client;
use privlink_dataplane::runtime::io::{link, netns};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Namespaces of this test's VPCs: the ones named `pl-<tag>…`, minus the AWS-service network
/// and privlinkd's I/O namespace.
fn vpc_namespaces(d: &Daemon) -> BTreeSet<String> {
    let prefix = format!("pl-{}", d.tag);
    common::netlab::list_netns()
        .into_iter()
        .filter(|n| n.starts_with(&prefix) && *n != d.aws_netns() && *n != d.io_netns())
        .collect()
}

/// The namespaces the state names (the VPCs of both accounts the tests use).
fn state_namespaces(d: &Daemon) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for account in ["111111111111", "222222222222"] {
        let vpcs = d.ok(json!({"Action": "DescribeVpcs", "Account": account}));
        out.extend(vpcs["Vpcs"].as_array().unwrap().iter().map(|v| v["Netns"].as_str().unwrap().to_string()));
    }
    out
}

/// Creates VPCs `<tag>r<round>v<i>`, each with a subnet and an interface endpoint to
/// `service`, and deletes every other one (endpoint, subnet, VPC) until `stop` is set or the
/// daemon goes away.
fn churn(socket: std::path::PathBuf, tag: String, round: usize, service: String, stop: Arc<AtomicBool>) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut c) = Client::connect(&socket) else { return };
        let name = format!("{tag}r{round}v{i}");
        let made = (|| {
            let v = c.call(&json!({"Action": "CreateVpc", "CidrBlock": "10.9.0.0/16", "Name": name}))?;
            let vpc = v["Vpc"]["VpcId"].clone();
            let s = c.call(&json!({"Action": "CreateSubnet", "VpcId": vpc, "CidrBlock": "10.9.1.0/24",
                "AvailabilityZone": "us-east-1a"}))?;
            let subnet = s["Subnet"]["SubnetId"].clone();
            let e = c.call(&json!({"Action": "CreateVpcEndpoint", "VpcId": vpc, "ServiceName": service,
                "VpcEndpointType": "Interface", "SubnetIds": [subnet]}))?;
            if i % 2 == 0 {
                let ep = e["VpcEndpoint"]["VpcEndpointId"].clone();
                c.call(&json!({"Action": "DeleteVpcEndpoints", "VpcEndpointIds": [ep]}))?;
                c.call(&json!({"Action": "DeleteSubnet", "SubnetId": subnet}))?;
                c.call(&json!({"Action": "DeleteVpc", "VpcId": vpc}))?;
            }
            Ok::<_, privlink_control::ApiError>(())
        })();
        if made.is_err() {
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
    // A service, and a consumer whose endpoint must keep forwarding across every crash.
    let p = d.provider(false);
    echo_server(listen_tcp(&p.netns, &format!("10.0.1.10:{TARGET_PORT}")), "target-a");
    echo_server(listen_tcp(&p.netns, &format!("10.0.2.10:{TARGET_PORT}")), "target-b");
    let (vpc, ns, subnet) = d.consumer("stable", "222222222222");
    d.endpoint(&vpc, &subnet, &p.service_name, "222222222222");
    // Enough VPCs that the killed process's devices are still being removed when the next
    // privlinkd opens its own.
    for i in 0..30 {
        d.vpc(&format!("b{i}"), "10.8.0.0/16", "111111111111");
    }
    for round in 0..6 {
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let (socket, tag, service, stop) =
                (d.socket.clone(), d.tag.clone(), p.service_name.clone(), stop.clone());
            std::thread::spawn(move || churn(socket, tag, round, service, stop))
        };
        std::thread::sleep(Duration::from_millis(40 + 35 * round as u64));
        d.kill();
        stop.store(true, Ordering::Relaxed);
        worker.join().unwrap();
        // Straight after the kill: the killed process's devices may still be going away.
        d.respawn();
        let named = state_namespaces(&d);
        assert_eq!(vpc_namespaces(&d), named, "round {round}: namespaces vs the VPCs of the state");
        let mut conn = connect(&ns, &format!("{ENI}:{PORT}"), Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("round {round}: the stable endpoint does not forward: {e}"));
        assert!(whoami(&mut conn).0.starts_with("target-"), "round {round}");
        let eps = d.ok(json!({"Action": "DescribeVpcEndpoints"}));
        for e in eps["VpcEndpoints"].as_array().unwrap() {
            let owner = d.ok(json!({"Action": "DescribeVpcs", "VpcIds": [e["VpcId"]]}));
            assert_eq!(owner["Vpcs"].as_array().unwrap().len(), 1, "round {round}: {e} outlived its VPC");
        }
    }
    // Deleting what the churn left (endpoint, subnet, VPC) deletes its namespaces.
    let churned = format!("{}r", d.tag);
    for e in d.ok(json!({"Action": "DescribeVpcEndpoints"}))["VpcEndpoints"].as_array().unwrap() {
        d.ok(json!({"Action": "DeleteVpcEndpoints", "VpcEndpointIds": [e["VpcEndpointId"]]}));
    }
    let vpcs = d.ok(json!({"Action": "DescribeVpcs"}));
    for v in vpcs["Vpcs"].as_array().unwrap() {
        let name =
            v["Tags"].as_array().and_then(|t| t.iter().find(|t| t["Key"] == "Name")).map(|t| &t["Value"]);
        if !name.and_then(Value::as_str).is_some_and(|n| n.starts_with(&churned)) {
            continue;
        }
        let subnets = d.ok(
            json!({"Action": "DescribeSubnets", "Filters": [{"Name": "vpc-id", "Values": [v["VpcId"]]}]}),
        );
        for sn in subnets["Subnets"].as_array().unwrap() {
            d.ok(json!({"Action": "DeleteSubnet", "SubnetId": sn["SubnetId"]}));
        }
        d.ok(json!({"Action": "DeleteVpc", "VpcId": v["VpcId"]}));
    }
    let left: BTreeSet<String> =
        vpc_namespaces(&d).into_iter().filter(|n| n.starts_with(&format!("pl-{churned}"))).collect();
    assert_eq!(left, BTreeSet::new(), "deleting every churned VPC deletes its namespace");
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
    // A device that outlived the killed privlinkd: with the packet backend its veth pair (which
    // stays until the next start deletes the I/O namespace); with TUN a persistent one (which
    // never goes away by itself), once the killed process's own device is gone.
    if Daemon::packet_backend() {
        assert!(link::link_info(&kept, "plink0").is_ok(), "the killed privlinkd's veth end is left");
    } else {
        let deadline = Instant::now() + Duration::from_secs(20);
        while link::link_info(&kept, "plink0").is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let (ok, out) = ip(&["-n", &kept, "tuntap", "add", "dev", "plink0", "mode", "tun"]);
        assert!(ok, "{out}");
    }
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
    // written, and /run/netns/<ns> is a plain file that was never bind-mounted. (A TUN device
    // goes with its process; a veth end stays until the namespace is deleted.)
    let deadline = Instant::now() + Duration::from_secs(20);
    while !Daemon::packet_backend() && link::link_info(&ns, "plink0").is_ok() && Instant::now() < deadline {
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
