//! End to end with Terraform's AWS provider: `examples/terraform/` (two provider aliases, a
//! provider and a consumer account) is applied against a test daemon's AWS API. Before the
//! provider accepts, the endpoint is `pendingAcceptance` and forwards nothing; after the full
//! apply real TCP crosses the interface endpoint (by IP and by its DNS name) and the gateway
//! endpoint; a second plan shows no changes (reads are faithful); `terraform destroy` leaves
//! no resource and no namespace behind.
//!
//! Needs root, Terraform and the `hashicorp/aws` provider under `/opt/tf-plugins` (there is no
//! registry access): without Terraform a loud SKIP, even under `CI=true`, as Terraform cannot
//! be installed from a package registry.

mod common;

use common::daemon::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const PROVIDER: &str = "111111111111";
const CONSUMER: &str = "222222222222";
const PLUGIN_DIR: &str = "/opt/tf-plugins";
const BLOCKED: Duration = Duration::from_millis(700);

/// `true` if Terraform and the AWS provider are here; otherwise a loud skip (also under CI).
fn require_terraform(test: &str) -> bool {
    let terraform = Command::new("terraform").arg("version").output().is_ok_and(|o| o.status.success());
    let plugin = Path::new(PLUGIN_DIR).join("registry.terraform.io/hashicorp/aws").is_dir();
    if terraform && plugin {
        return true;
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!!!!! SKIPPED: needs terraform on PATH and the hashicorp/aws provider under {PLUGIN_DIR} \
         (they cannot be installed from a package registry): {test} !!!!!!!!\n"
    );
    false
}

/// A working copy of `examples/terraform/` wired to one daemon and its two accounts.
struct Workspace {
    dir: tempfile::TempDir,
    env: Vec<(&'static str, String)>,
}

impl Workspace {
    fn new(d: &Daemon) -> Workspace {
        let dir = tempfile::tempdir().expect("tempdir");
        let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/terraform/main.tf");
        std::fs::copy(example, dir.path().join("main.tf")).expect("copy examples/terraform/main.tf");
        let key = |account: &str| {
            let k = d.ok(json!({"Action": "GetCredentials", "Account": account}));
            (
                k["AccessKeyId"].as_str().unwrap().to_string(),
                k["SecretAccessKey"].as_str().unwrap().to_string(),
            )
        };
        let ((pa, ps), (ca, cs)) = (key(PROVIDER), key(CONSUMER));
        let env = vec![
            ("TF_VAR_endpoint", d.api_url()),
            ("TF_VAR_provider_access_key", pa),
            ("TF_VAR_provider_secret_key", ps),
            ("TF_VAR_consumer_access_key", ca),
            ("TF_VAR_consumer_secret_key", cs),
            ("TF_VAR_name", d.tag.clone()),
            ("TF_CLI_CONFIG_FILE", "/dev/null".into()),
            ("TF_IN_AUTOMATION", "1".into()),
            ("TF_INPUT", "0".into()),
            ("CHECKPOINT_DISABLE", "1".into()),
            ("AWS_CONFIG_FILE", "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ];
        Workspace { dir, env }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// `terraform ARGS…` in the workspace, with no AWS settings from the environment.
    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("terraform");
        for (k, _) in std::env::vars() {
            if k.starts_with("AWS_") || k.starts_with("TF_") {
                cmd.env_remove(k);
            }
        }
        cmd.current_dir(self.path())
            .envs(self.env.iter().cloned())
            .args(args)
            .output()
            .expect("run terraform")
    }

    /// `terraform ARGS…` that must exit 0.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(
            out.status.success(),
            "terraform {}: exit {:?}\n{stdout}\n{stderr}",
            args.join(" "),
            out.status.code()
        );
        stdout.into_owned()
    }

    fn outputs(&self) -> Value {
        let v: Value = serde_json::from_str(&self.ok(&["output", "-json"])).expect("terraform output -json");
        v
    }
}

fn netns_of(d: &Daemon, account: &str, vpc: &str) -> String {
    let v = d.ok(json!({"Action": "DescribeVpcs", "Account": account, "VpcIds": [vpc]}));
    v["Vpcs"][0]["Netns"].as_str().unwrap().to_string()
}

#[test]
fn terraform_applies_privatelink_traffic_flows_replan_is_empty_destroy_leaves_nothing() {
    let name = "terraform_applies_privatelink_traffic_flows_replan_is_empty_destroy_leaves_nothing";
    if !require_root(name) || !require_terraform(name) {
        return;
    }
    let d = Daemon::start();
    let ws = Workspace::new(&d);
    ws.ok(&["init", "-input=false", &format!("-plugin-dir={PLUGIN_DIR}")]);

    // Everything but the provider's acceptance: the endpoint waits and forwards nothing.
    ws.ok(&[
        "apply",
        "-auto-approve",
        "-target=aws_vpc_endpoint.web",
        "-target=aws_vpc_endpoint.s3",
        "-target=aws_lb_listener.http",
        "-target=aws_lb_target_group_attachment.web",
        "-target=aws_instance.client",
        "-target=aws_route_table_association.consumer",
    ]);
    let out = ws.outputs();
    let o = |k: &str| out[k]["value"].as_str().unwrap_or_else(|| panic!("output {k}: {out}")).to_string();
    let (pns, cns) =
        (netns_of(&d, PROVIDER, &o("provider_vpc_id")), netns_of(&d, CONSUMER, &o("consumer_vpc_id")));
    for (ip, served_by) in [("10.0.1.10", "target-a"), ("10.0.2.10", "target-b")] {
        echo_server(listen_tcp(&pns, &format!("{ip}:8080")), served_by);
    }
    let eni = format!("{}:80", o("endpoint_ip"));
    let ep = d.ok(
        json!({"Action": "DescribeVpcEndpoints", "Account": CONSUMER, "VpcEndpointIds": [o("endpoint_id")]}),
    );
    assert_eq!(ep["VpcEndpoints"][0]["State"], "pendingAcceptance", "{ep}");
    assert!(connect_from(&cns, "10.0.1.10", &eni, BLOCKED).is_err(), "pendingAcceptance forwards nothing");

    // The full configuration: the accepter makes the endpoint available.
    ws.ok(&["apply", "-auto-approve"]);
    let out = ws.outputs();
    assert_eq!(out["endpoint_state"]["value"], "available", "{out}");
    let nlb = d.ok(json!({"Action": "DescribeLoadBalancers", "Account": PROVIDER}));
    let nodes: Vec<String> = nlb["LoadBalancers"][0]["AvailabilityZones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["LoadBalancerAddresses"][0]["PrivateIPv4Address"].as_str().unwrap().to_string())
        .collect();
    let mut conn =
        connect_from(&cns, "10.0.1.10", &eni, Duration::from_secs(5)).expect("TCP through the endpoint");
    let (by, seen) = whoami(&mut conn);
    assert!(by.starts_with("target-"), "served by {by}");
    assert!(nodes.contains(&seen), "the target saw {seen}, not an NLB node {nodes:?}");
    // By the endpoint's DNS name, through the VPC resolver.
    let dns = out["endpoint_dns_name"]["value"].as_str().unwrap().to_string();
    let curl = Command::new("ip")
        .args(["netns", "exec", &cns, "getent", "hosts", &dns])
        .output()
        .expect("getent in the consumer namespace");
    assert!(
        String::from_utf8_lossy(&curl.stdout).starts_with("10.0.1.50 "),
        "{dns} resolves to the ENI: {curl:?}"
    );
    // The gateway endpoint: S3 from the subnet whose route table Terraform associated.
    echo_server(listen_tcp(&d.aws_netns(), "198.51.100.10:443"), "s3");
    let mut s3 = connect_from(&cns, "10.0.1.10", "198.51.100.10:443", Duration::from_secs(5))
        .expect("S3 through the gateway endpoint");
    assert_eq!(whoami(&mut s3), ("s3".to_string(), "10.0.1.10".to_string()));

    // A second plan finds nothing to change: every read answers what was written.
    let plan = ws.run(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "a second plan wants changes:\n{}\n{}",
        String::from_utf8_lossy(&plan.stdout),
        String::from_utf8_lossy(&plan.stderr)
    );

    // Destroy leaves nothing: no resource in either account, no namespace, no forwarding.
    ws.ok(&["destroy", "-auto-approve"]);
    for (account, action, key) in [
        (PROVIDER, "DescribeVpcs", "Vpcs"),
        (CONSUMER, "DescribeVpcs", "Vpcs"),
        (PROVIDER, "DescribeLoadBalancers", "LoadBalancers"),
        (PROVIDER, "DescribeTargetGroups", "TargetGroups"),
        (PROVIDER, "DescribeVpcEndpointServiceConfigurations", "ServiceConfigurations"),
        (CONSUMER, "DescribeVpcEndpoints", "VpcEndpoints"),
        (PROVIDER, "DescribeInstances", "Reservations"),
        (CONSUMER, "DescribeSecurityGroups", "SecurityGroups"),
    ] {
        let v = d.ok(json!({"Action": action, "Account": account}));
        assert_eq!(v[key], json!([]), "{action} as {account} after destroy: {v}");
    }
    let (_, namespaces) = common::netlab::ip(&["netns", "list"]);
    for ns in [&pns, &cns] {
        assert!(!namespaces.contains(ns.as_str()), "namespace {ns} survived destroy");
    }
}
