//! End to end: NLB health checks against real targets in a provider namespace. A target whose
//! port closes turns unhealthy and new flows avoid it; a target no listener uses is `unused`.
//! Needs root (SKIPPED loudly otherwise, a failure under `CI=true`).

mod common;

use common::daemon::*;
use serde_json::{Value, json};
use std::net::Shutdown;
use std::time::{Duration, Instant};

const ACCOUNT: &str = "111111111111";

fn health(d: &Daemon, tg: &str) -> Vec<(String, String)> {
    let r = d.ok(json!({"Action": "DescribeTargetHealth", "TargetGroupArn": tg}));
    r["TargetHealthDescriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (s(&t["Target"]["Id"]), s(&t["TargetHealth"]["State"]))
        })
        .collect()
}

fn wait_for(d: &Daemon, tg: &str, want: &[(&str, &str)], within: Duration) {
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let deadline = Instant::now() + within;
    loop {
        let now = health(d, tg);
        if now == want {
            return;
        }
        assert!(Instant::now() < deadline, "target health {now:?}, want {want:?} within {within:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_target_that_stops_listening_turns_unhealthy_and_is_avoided() {
    if !require_root("a_target_that_stops_listening_turns_unhealthy_and_is_avoided") {
        return;
    }
    let d = Daemon::start();
    let (vpc, ns) = d.vpc("p", "10.0.0.0/16", ACCOUNT);
    let subnet = d.subnet(&vpc, "10.0.1.0/24", "us-east-1a", ACCOUNT);
    for ip in ["10.0.1.10", "10.0.1.11"] {
        d.instance(&subnet, ip, ACCOUNT);
    }
    let tg = d.ok(json!({"Action": "CreateTargetGroup", "Name": format!("{}-hc", d.tag), "VpcId": vpc, "Protocol": "TCP",
        "Port": 8080, "HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 2,
        "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2}));
    let tg = tg["TargetGroups"][0]["TargetGroupArn"].as_str().unwrap().to_string();
    d.ok(json!({"Action": "RegisterTargets", "TargetGroupArn": tg, "Targets": [{"Id": "10.0.1.10"}, {"Id": "10.0.1.11"}]}));
    wait_for(&d, &tg, &[("10.0.1.10", "unused"), ("10.0.1.11", "unused")], Duration::from_secs(3));

    let a = listen_tcp(&ns, "10.0.1.10:8080");
    let b = listen_tcp(&ns, "10.0.1.11:8080");
    let b_handle = b.try_clone().unwrap();
    echo_server(a, "target-a");
    echo_server(b, "target-b");
    let lb =
        d.ok(json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": format!("{}-nlb", d.tag), "Subnets": [subnet]}));
    let lb = lb["LoadBalancers"][0]["LoadBalancerArn"].as_str().unwrap().to_string();
    d.ok(json!({"Action": "CreateListener", "LoadBalancerArn": lb, "Protocol": "TCP", "Port": 80,
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]}));
    let svc = d.ok(json!({"Action": "CreateVpcEndpointServiceConfiguration", "NetworkLoadBalancerArns": [lb], "AcceptanceRequired": false}));
    let service_name = svc["ServiceConfiguration"]["ServiceName"].as_str().unwrap().to_string();
    let (cvpc, cns, csubnet) = d.consumer("c", ACCOUNT);
    d.endpoint(&cvpc, &csubnet, &service_name, ACCOUNT);

    // Two successful probes, one interval apart.
    wait_for(&d, &tg, &[("10.0.1.10", "healthy"), ("10.0.1.11", "healthy")], Duration::from_secs(12));
    let served = |n: usize| -> std::collections::BTreeSet<String> {
        (0..n)
            .map(|_| {
                whoami(&mut connect(&cns, &format!("{ENI}:80"), Duration::from_secs(5)).expect("connect")).0
            })
            .collect()
    };
    assert_eq!(served(40).len(), 2, "both healthy targets take new flows");

    // target-b's port closes: its probes get RST, two failures make it unhealthy.
    socket2::SockRef::from(&b_handle).shutdown(Shutdown::Read).unwrap();
    wait_for(&d, &tg, &[("10.0.1.10", "healthy"), ("10.0.1.11", "unhealthy")], Duration::from_secs(15));
    let after = served(40);
    assert_eq!(
        after.into_iter().collect::<Vec<_>>(),
        vec!["target-a".to_string()],
        "new flows avoid the unhealthy target"
    );
    let stats = d.ok(json!({"Action": "GetStats"}));
    assert!(stats["Stats"]["HealthCheckReplies"].as_u64().unwrap() >= 6, "{stats}");
}
