//! End to end: changes made after creation take effect in forwarding at once — an interface
//! endpoint's subnets (new ENIs forward, removed ones stop) and security groups, and a
//! listener's port. Needs root (SKIPPED loudly otherwise, a failure under `CI=true`).

mod common;

use common::daemon::*;
use serde_json::{Value, json};
use std::time::Duration;

const CONSUMER: &str = "222222222222";
const BLOCKED: Duration = Duration::from_millis(700);

#[test]
fn endpoint_subnets_groups_and_listener_ports_follow_modifications() {
    if !require_root("endpoint_subnets_groups_and_listener_ports_follow_modifications") {
        return;
    }
    let d = Daemon::start();
    let p = d.provider(false);
    echo_server(listen_tcp(&p.netns, "10.0.1.10:8080"), "target-a");
    echo_server(listen_tcp(&p.netns, "10.0.2.10:8080"), "target-b");
    let (vpc, ns, sa) = d.consumer("a", CONSUMER);
    let sb = d.subnet(&vpc, "10.0.2.0/24", "us-east-1b", CONSUMER);
    let ep = d.endpoint(&vpc, &sa, &p.service_name, CONSUMER);
    let modify = |extra: Value| {
        let mut r = json!({"Action": "ModifyVpcEndpoint", "Account": CONSUMER, "VpcEndpointId": ep});
        r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        d.ok(r)
    };

    modify(json!({"AddSubnetIds": [sb]}));
    let described =
        d.ok(json!({"Action": "DescribeVpcEndpoints", "Account": CONSUMER, "VpcEndpointIds": [ep]}));
    let enis = described["VpcEndpoints"][0]["NetworkInterfaces"].as_array().unwrap().clone();
    let eni_b = enis.iter().find(|e| e["SubnetId"] == sb.as_str()).expect("an ENI in the added subnet");
    let eni_b = format!("{}:{PORT}", eni_b["PrivateIpAddress"].as_str().unwrap());
    let mut s = connect(&ns, &eni_b, Duration::from_secs(5)).expect("the added ENI forwards");
    let (by, seen) = whoami(&mut s);
    assert_eq!(by, "target-b", "cross-zone off: the us-east-1b ENI reaches the us-east-1b target");
    assert_eq!(seen, p.nlb_nodes[1].to_string());

    modify(json!({"RemoveSubnetIds": [sa]}));
    assert!(connect(&ns, &format!("{ENI}:{PORT}"), BLOCKED).is_err(), "a removed ENI must not forward");

    let g = d.ok(
        json!({"Action": "CreateSecurityGroup", "Account": CONSUMER, "VpcId": vpc, "GroupName": "closed"}),
    );
    let g = g["GroupId"].as_str().unwrap().to_string();
    modify(json!({"AddSecurityGroupIds": [g], "RemoveSecurityGroupIds": ["default"]}));
    assert!(connect(&ns, &eni_b, BLOCKED).is_err(), "a group without ingress rules blocks");
    d.ok(json!({"Action": "AuthorizeSecurityGroupIngress", "Account": CONSUMER, "GroupId": g,
                "IpProtocol": "tcp", "FromPort": PORT, "ToPort": PORT + 1, "CidrIp": "10.0.0.0/16"}));
    connect(&ns, &eni_b, Duration::from_secs(5)).expect("the authorized rule admits");

    let listeners = d.ok(json!({"Action": "DescribeListeners"}));
    let tcp =
        listeners["Listeners"].as_array().unwrap().iter().find(|l| l["Protocol"] == "TCP").unwrap().clone();
    d.ok(json!({"Action": "ModifyListener", "ListenerArn": tcp["ListenerArn"], "Port": PORT + 1}));
    let moved = eni_b.replace(&format!(":{PORT}"), &format!(":{}", PORT + 1));
    let mut s = connect(&ns, &moved, Duration::from_secs(5)).expect("the listener's new port forwards");
    assert_eq!(whoami(&mut s).0, "target-b");
}
