//! End to end: the VPC resolver. Ordinary programs in a VPC namespace (`getent`, through
//! `ip netns exec`, which shows them the resolv.conf privlinkd wrote) resolve endpoint DNS
//! names, a service's private DNS name only where private DNS is enabled, and the gateway
//! services' names; a trace of a query shows it answered by the resolver. Needs root (SKIPPED loudly otherwise, a failure under `CI=true`).

mod common;

use common::daemon::*;
use serde_json::json;
use std::process::Command;

/// `getent ahostsv4 NAME` inside `ns`: the addresses, or `None` if the name does not resolve.
fn resolve(ns: &str, name: &str) -> Option<Vec<String>> {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "getent", "ahostsv4", name])
        .output()
        .expect("run getent");
    if !out.status.success() {
        return None;
    }
    let mut ips: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    ips.sort();
    ips.dedup();
    Some(ips)
}

#[test]
fn the_vpc_resolver_answers_endpoint_and_private_dns_names() {
    if !require_root("the_vpc_resolver_answers_endpoint_and_private_dns_names") {
        return;
    }
    let d = Daemon::start();
    let p = d.provider_with(false, Some("api.example.com"));
    let (va, nsa, sa) = d.consumer("a", "222222222222");
    let (vb, nsb, sb) = d.consumer("b", "333333333333");
    let ep = d.ok(json!({"Action": "CreateVpcEndpoint", "Account": "222222222222", "VpcId": va, "ServiceName": p.service_name,
        "VpcEndpointType": "Interface", "SubnetIds": [sa], "IpAddresses": [ENI], "PrivateDnsEnabled": true}));
    d.ok(json!({"Action": "CreateVpcEndpoint", "Account": "333333333333", "VpcId": vb, "ServiceName": p.service_name,
        "VpcEndpointType": "Interface", "SubnetIds": [sb], "IpAddresses": [ENI], "PrivateDnsEnabled": false}));
    let regional = ep["VpcEndpoint"]["DnsEntries"][0]["DnsName"].as_str().unwrap().to_string();

    assert_eq!(resolve(&nsa, &regional), Some(vec![ENI.to_string()]), "regional endpoint name");
    assert_eq!(resolve(&nsa, "API.example.com"), Some(vec![ENI.to_string()]), "private DNS name in A");
    assert_eq!(resolve(&nsb, "api.example.com"), None, "B turned private DNS off");
    assert_eq!(resolve(&nsb, &regional), None, "A's endpoint name means nothing in B");
    assert_eq!(resolve(&nsa, "s3.us-east-1.amazonaws.com"), Some(vec!["198.51.100.10".to_string()]));
    assert_eq!(resolve(&nsa, "example.org"), None, "no internet to recurse to");
    d.ok(json!({"Action": "ModifyVpcAttribute", "Account": "333333333333", "VpcId": vb,
                "EnableDnsSupport": {"Value": false}}));
    assert_eq!(resolve(&nsb, "s3.us-east-1.amazonaws.com"), None, "B turned DNS support off");
    let stats = d.ok(json!({"Action": "GetStats"}));
    assert!(stats["Stats"]["DnsQueries"].as_u64().unwrap() >= 6, "{stats}");
    // A trace of a query to the resolver says what the packet path does with it.
    let t = d.ok(json!({"Action": "Trace", "Account": "222222222222", "VpcId": va, "Protocol": "udp",
        "Source": "10.0.1.10", "SourcePort": 40000, "Destination": "10.0.0.2", "DestinationPort": 53}));
    assert!(t["Trace"]["Steps"].to_string().contains("VPC resolver"), "{t}");
    assert_eq!(
        (&t["Trace"]["Verdict"], &t["Trace"]["Service"]),
        (&json!("local"), &json!("resolver")),
        "{t}"
    );
}
