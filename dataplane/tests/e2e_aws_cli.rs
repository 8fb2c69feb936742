//! End to end through the AWS front with real clients: the AWS CLI builds a provider and two
//! consumer accounts, accepts one endpoint and rejects the other, then real TCP and UDP cross
//! the accepted endpoint and not the rejected one. A boto3 script checks the protocol edges
//! (signatures, presigned URLs, DryRun, ClientToken, filters, paging, tags, errors, limits).
//! Needs root and the AWS CLI/boto3: without them a loud SKIP (a failure under `CI=true`).

mod common;

use common::aws::require_aws_clients;
use common::daemon::*;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;

const PROVIDER: &str = "111111111111";
const CONSUMER_A: &str = "222222222222";
const CONSUMER_B: &str = "333333333333";

macro_rules! needs_root_and_clients {
    ($name:literal) => {
        if !require_root($name) || !require_aws_clients($name) {
            return;
        }
    };
}

fn s(v: &Value, path: &str) -> String {
    v.pointer(path).and_then(Value::as_str).unwrap_or_else(|| panic!("no {path} in {v}")).to_string()
}

/// A VPC with one subnet per (cidr, az) and an instance at `.10` of each; returns (vpc, netns, subnets).
fn network(d: &Daemon, account: &str, cidr: &str, subnets: &[(&str, &str)]) -> (String, String, Vec<String>) {
    let tags = format!("ResourceType=vpc,Tags=[{{Key=Name,Value={}-{account}}}]", d.tag);
    let vpc = s(
        &d.aws_ok(account, &["ec2", "create-vpc", "--cidr-block", cidr, "--tag-specifications", &tags]),
        "/Vpc/VpcId",
    );
    let mut ids = Vec::new();
    for (cidr, az) in subnets {
        let sub = d.aws_ok(
            account,
            &["ec2", "create-subnet", "--vpc-id", &vpc, "--cidr-block", cidr, "--availability-zone", az],
        );
        let id = s(&sub, "/Subnet/SubnetId");
        let ip = cidr.replace(".0/24", ".10");
        let run = d.aws_ok(
            account,
            &[
                "ec2",
                "run-instances",
                "--image-id",
                "ami-0abcdef1234567890",
                "--instance-type",
                "t3.micro",
                "--count",
                "1",
                "--subnet-id",
                &id,
                "--private-ip-address",
                &ip,
            ],
        );
        assert_eq!(s(&run, "/Instances/0/PrivateIpAddress"), ip);
        ids.push(id);
    }
    let described = d.ok(json!({"Action": "DescribeVpcs", "Account": account, "VpcIds": [vpc]}));
    let netns = s(&described, "/Vpcs/0/Netns");
    (vpc, netns, ids)
}

#[test]
fn the_aws_cli_builds_privatelink_and_traffic_follows() {
    needs_root_and_clients!("the_aws_cli_builds_privatelink_and_traffic_follows");
    let d = Daemon::start();
    let who = d.aws_ok(CONSUMER_A, &["sts", "get-caller-identity"]);
    assert_eq!(s(&who, "/Account"), CONSUMER_A);

    // Provider: targets in two zones behind an NLB, published as an endpoint service.
    let (vpc, pns, subnets) =
        network(&d, PROVIDER, "10.0.0.0/16", &[("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b")]);
    echo_server(listen_tcp(&pns, "10.0.1.10:8080"), "target-a");
    echo_server(listen_tcp(&pns, "10.0.2.10:8080"), "target-b");
    let tg = d.aws_ok(
        PROVIDER,
        &[
            "elbv2",
            "create-target-group",
            "--name",
            &format!("{}-tg", d.tag),
            "--protocol",
            "TCP_UDP",
            "--port",
            "8080",
            "--vpc-id",
            &vpc,
            "--target-type",
            "ip",
        ],
    );
    let tg = s(&tg, "/TargetGroups/0/TargetGroupArn");
    d.aws_ok(
        PROVIDER,
        &[
            "elbv2",
            "register-targets",
            "--target-group-arn",
            &tg,
            "--targets",
            "Id=10.0.1.10",
            "Id=10.0.2.10",
        ],
    );
    let lb = d.aws_ok(
        PROVIDER,
        &[
            "elbv2",
            "create-load-balancer",
            "--name",
            &format!("{}-nlb", d.tag),
            "--type",
            "network",
            "--scheme",
            "internal",
            "--subnets",
            &subnets[0],
            &subnets[1],
        ],
    );
    let lb_arn = s(&lb, "/LoadBalancers/0/LoadBalancerArn");
    let node_a = s(&lb, "/LoadBalancers/0/AvailabilityZones/0/LoadBalancerAddresses/0/PrivateIPv4Address");
    for proto in ["TCP", "UDP"] {
        d.aws_ok(
            PROVIDER,
            &[
                "elbv2",
                "create-listener",
                "--load-balancer-arn",
                &lb_arn,
                "--protocol",
                proto,
                "--port",
                "80",
                "--default-actions",
                &format!("Type=forward,TargetGroupArn={tg}"),
            ],
        );
    }
    let svc = d.aws_ok(
        PROVIDER,
        &[
            "ec2",
            "create-vpc-endpoint-service-configuration",
            "--network-load-balancer-arns",
            &lb_arn,
            "--acceptance-required",
        ],
    );
    let (svc_id, svc_name) =
        (s(&svc, "/ServiceConfiguration/ServiceId"), s(&svc, "/ServiceConfiguration/ServiceName"));
    d.aws_ok(
        PROVIDER,
        &[
            "ec2",
            "modify-vpc-endpoint-service-permissions",
            "--service-id",
            &svc_id,
            "--add-allowed-principals",
            &format!("arn:aws:iam::{CONSUMER_A}:root"),
            &format!("arn:aws:iam::{CONSUMER_B}:root"),
        ],
    );

    // Two consumers with the same CIDR ask for an endpoint each.
    let mut endpoints = Vec::new();
    for account in [CONSUMER_A, CONSUMER_B] {
        let (vpc, ns, subnets) = network(&d, account, "10.0.0.0/16", &[("10.0.1.0/24", "us-east-1a")]);
        let ep = d.aws_ok(
            account,
            &[
                "ec2",
                "create-vpc-endpoint",
                "--vpc-id",
                &vpc,
                "--service-name",
                &svc_name,
                "--vpc-endpoint-type",
                "Interface",
                "--subnet-ids",
                &subnets[0],
                "--subnet-configurations",
                &format!("SubnetId={},Ipv4=10.0.1.50", subnets[0]),
            ],
        );
        assert_eq!(s(&ep, "/VpcEndpoint/State"), "pendingAcceptance");
        endpoints.push((account, s(&ep, "/VpcEndpoint/VpcEndpointId"), ns));
    }
    let pending = d.aws_ok(
        PROVIDER,
        &[
            "ec2",
            "describe-vpc-endpoint-connections",
            "--filters",
            &format!("Name=service-id,Values={svc_id}"),
        ],
    );
    assert_eq!(pending["VpcEndpointConnections"].as_array().unwrap().len(), 2, "{pending}");
    let (a, b) = (&endpoints[0], &endpoints[1]);
    let accepted = d.aws_ok(
        PROVIDER,
        &["ec2", "accept-vpc-endpoint-connections", "--service-id", &svc_id, "--vpc-endpoint-ids", &a.1],
    );
    assert_eq!(accepted["Unsuccessful"], json!([]), "{accepted}");
    d.aws_ok(
        PROVIDER,
        &["ec2", "reject-vpc-endpoint-connections", "--service-id", &svc_id, "--vpc-endpoint-ids", &b.1],
    );
    for (account, id, want) in [(a.0, &a.1, "available"), (b.0, &b.1, "rejected")] {
        let v = d.aws_ok(account, &["ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", id]);
        assert_eq!(s(&v, "/VpcEndpoints/0/State"), want, "{v}");
    }
    // A consumer cannot see the other's endpoint.
    let e = d.aws_err(
        CONSUMER_B,
        &["ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", &a.1],
        "InvalidVpcEndpointId.NotFound",
    );
    assert!(e.contains(&a.1), "{e}");

    // Real traffic: TCP and UDP through the accepted endpoint, nothing through the rejected one.
    let mut conn =
        connect(&a.2, "10.0.1.50:80", Duration::from_secs(5)).expect("TCP through the accepted endpoint");
    let (by, seen) = whoami(&mut conn);
    assert_eq!((by.as_str(), seen.as_str()), ("target-a", node_a.as_str()));
    let srv = bind_udp(&pns, "10.0.1.10:8080");
    std::thread::spawn(move || {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = srv.recv_from(&mut buf) {
            let _ = srv.send_to(&buf[..n], from);
        }
    });
    let cli = bind_udp(&a.2, "10.0.1.10:0");
    cli.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    cli.send_to(b"over udp", "10.0.1.50:80".parse::<SocketAddr>().unwrap()).unwrap();
    let mut buf = [0u8; 64];
    let (n, _) = cli.recv_from(&mut buf).expect("UDP reply through the accepted endpoint");
    assert_eq!(&buf[..n], b"over udp");
    assert!(
        connect(&b.2, "10.0.1.50:80", Duration::from_millis(700)).is_err(),
        "the rejected endpoint forwards nothing"
    );

    // Bad input: AWS error codes, named values; a wrong secret is refused.
    let e = d.aws_err(
        PROVIDER,
        &["ec2", "describe-vpcs", "--vpc-ids", "vpc-0000000000000dead"],
        "InvalidVpcID.NotFound",
    );
    assert!(e.contains("vpc-0000000000000dead"), "{e}");
    let e =
        d.aws_err(PROVIDER, &["ec2", "create-vpc", "--cidr-block", "10.0.0.0/33"], "InvalidParameterValue");
    assert!(e.contains("10.0.0.0/33"), "{e}");
    let out = d
        .aws_command(PROVIDER, "aws")
        .env("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        .args(["ec2", "describe-vpcs"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("(AuthFailure)"), "{out:?}");

    // Delete through the API: the endpoint goes, the service can then be deleted.
    let gone = d.aws_ok(a.0, &["ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", &a.1]);
    assert_eq!(gone["Unsuccessful"], json!([]), "{gone}");
    assert!(
        connect(&a.2, "10.0.1.50:80", Duration::from_millis(700)).is_err(),
        "a deleted endpoint forwards nothing"
    );
}

#[test]
fn boto3_covers_signatures_idempotency_filters_paging_and_limits() {
    needs_root_and_clients!("boto3_covers_signatures_idempotency_filters_paging_and_limits");
    let d = Daemon::start();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/aws/boto3_checks.py");
    let out = d.python(PROVIDER, script, &[&d.tag]);
    assert!(out.contains("all boto3 checks passed"), "{out}");
}

/// A child process killed (by its PID, which this test started) when the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_thousand_concurrent_api_connections_starve_neither_the_socket_nor_the_data_plane() {
    needs_root_and_clients!(
        "a_thousand_concurrent_api_connections_starve_neither_the_socket_nor_the_data_plane"
    );
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let d = Daemon::start();
    let p = d.provider(false);
    echo_server(listen_tcp(&p.netns, &format!("10.0.1.10:{TARGET_PORT}")), "target-a");
    echo_server(listen_tcp(&p.netns, &format!("10.0.2.10:{TARGET_PORT}")), "target-b");
    let (vpc, ns, subnet) = d.consumer("c", CONSUMER_A);
    d.endpoint(&vpc, &subnet, &p.service_name, CONSUMER_A);

    // 1,000 keep-alive connections, each sending signed DescribeVpcs back to back until told
    // to stop: the flood is on for as long as the checks below take.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/lib/api_flood.py");
    let mut flood = KillOnDrop(
        d.aws_command(PROVIDER, "python3")
            .arg(script)
            .arg(d.api_url())
            .arg("1000")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the flood"),
    );
    let mut out = BufReader::new(flood.0.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "flooding 1000", "every connection answered once, all open together");

    // Meanwhile: the control socket reads and writes, and the data plane forwards.
    let seen = d.ok(json!({"Action": "DescribeVpcs", "Account": CONSUMER_A, "VpcIds": [vpc]}));
    assert_eq!(s(&seen, "/Vpcs/0/VpcId"), vpc);
    d.subnet(&vpc, "10.0.2.0/24", "us-east-1b", CONSUMER_A);
    let mut conn = connect(&ns, &format!("{ENI}:{PORT}"), Duration::from_secs(5))
        .expect("TCP through the endpoint during the flood");
    let (by, _) = whoami(&mut conn);
    assert!(by.starts_with("target-"), "served by {by}");
    let via_api =
        d.aws_ok(CONSUMER_A, &["ec2", "describe-subnets", "--filters", &format!("Name=vpc-id,Values={vpc}")]);
    assert_eq!(via_api["Subnets"].as_array().unwrap().len(), 2, "{via_api}");

    drop(flood.0.stdin.take()); // EOF: stop
    line.clear();
    out.read_line(&mut line).unwrap();
    let stats: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("flood stats ({e}): {line}"));
    assert_eq!(stats["errors"], json!([]), "{stats}");
    assert_eq!(stats["answered"], 1000, "{stats}");
    let requests = stats["requests"].as_u64().unwrap();
    assert!(requests >= 1000, "{stats}");
    assert_eq!(stats["statuses"], json!({"200": requests}), "every request answered 200: {stats}");
}

#[test]
fn boto3_calls_every_served_operation() {
    needs_root_and_clients!("boto3_calls_every_served_operation");
    let d = Daemon::start();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/aws/every_operation.py");
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/../control/src/aws/models");
    let out = d.python(PROVIDER, script, &[&d.tag, models]);
    assert!(out.contains("every operation called: 81"), "{out}");
}
