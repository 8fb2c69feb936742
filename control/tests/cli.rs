//! The `privlink` binary against an in-process daemon: JSON output, tables, exit codes.

mod support;

use std::process::{Command, Output};

use serde_json::Value;
use support::Daemon;

fn privlink(d: &Daemon, account: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_privlink"))
        .arg("--socket")
        .arg(&d.socket)
        .args(["--account", account])
        .args(args)
        .env_remove("PRIVLINK_SOCKET")
        .env_remove("PRIVLINK_ACCOUNT")
        .output()
        .unwrap()
}

fn json(d: &Daemon, account: &str, args: &[&str]) -> Value {
    let mut all = vec!["-o", "json"];
    all.extend_from_slice(args);
    let out = privlink(d, account, &all);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn table(d: &Daemon, account: &str, args: &[&str]) -> String {
    let out = privlink(d, account, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

const P: &str = "111111111111";
const C: &str = "222222222222";

#[test]
fn privatelink_walkthrough() {
    let d = Daemon::start();
    let vpc = json(&d, P, &["vpc", "create", "--name", "prov", "--cidr", "10.0.0.0/16"]);
    assert_eq!(vpc["Vpc"]["Netns"], "pl-prov");
    table(
        &d,
        P,
        &[
            "subnet",
            "create",
            "--vpc",
            "prov",
            "--cidr",
            "10.0.1.0/24",
            "--az",
            "us-east-1a",
            "--name",
            "prov-a",
        ],
    );
    table(&d, P, &["instance", "create", "--subnet", "prov-a", "--ip", "10.0.1.10", "--name", "web-a"]);
    let nlb = table(&d, P, &["nlb", "create", "--name", "web", "--subnets", "prov-a"]);
    assert!(nlb.contains("10.0.1.254") && nlb.contains("NodeIp"), "{nlb}");
    table(
        &d,
        P,
        &["target-group", "create", "--name", "web", "--vpc", "prov", "--protocol", "TCP", "--port", "80"],
    );
    assert_eq!(
        table(&d, P, &["target-group", "register", "--target-group", "web", "--targets", "web-a"]),
        "ok\n"
    );
    table(
        &d,
        P,
        &["listener", "create", "--nlb", "web", "--protocol", "TCP", "--port", "80", "--target-group", "web"],
    );
    let svc = json(
        &d,
        P,
        &["endpoint-service", "create", "--nlb", "web", "--acceptance-required", "--name", "websvc"],
    );
    let service_name = svc["ServiceConfiguration"]["ServiceName"].as_str().unwrap().to_owned();
    table(&d, P, &["endpoint-service", "allow", "--service", "websvc", "--principal", C]);

    json(&d, C, &["vpc", "create", "--name", "cons", "--cidr", "10.0.0.0/16"]);
    json(
        &d,
        C,
        &[
            "subnet",
            "create",
            "--vpc",
            "cons",
            "--cidr",
            "10.0.1.0/24",
            "--az",
            "us-east-1a",
            "--name",
            "cons-a",
        ],
    );
    let ep = json(
        &d,
        C,
        &[
            "endpoint",
            "create",
            "--vpc",
            "cons",
            "--service-name",
            &service_name,
            "--subnets",
            "cons-a",
            "--ip-addresses",
            "10.0.1.50",
            "--name",
            "to-web",
        ],
    );
    assert_eq!(ep["VpcEndpoint"]["State"], "pendingAcceptance");
    let shown = table(&d, C, &["endpoint", "describe", "to-web"]);
    for needle in [
        "NetworkInterfaceId",
        "SubnetId",
        "AvailabilityZone",
        "PrivateIpAddress",
        "10.0.1.50",
        "pendingAcceptance",
    ] {
        assert!(shown.contains(needle), "{needle} missing from:\n{shown}");
    }
    let conns = table(&d, P, &["endpoint-service", "connections", "--service", "websvc"]);
    assert!(conns.contains(C) && conns.contains("pendingAcceptance"), "{conns}");
    let id = ep["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap();
    assert_eq!(
        table(&d, P, &["endpoint-service", "accept", "--service", "websvc", "--endpoints", id]),
        "ok\n"
    );
    assert_eq!(json(&d, C, &["endpoint", "describe", id])["VpcEndpoints"][0]["State"], "available");
    let again = privlink(&d, P, &["endpoint-service", "accept", "--service", "websvc", "--endpoints", id]);
    assert_eq!(again.status.code(), Some(1), "a batch failure is an error");
    assert!(String::from_utf8_lossy(&again.stderr).contains("IncorrectState"));

    let listed = table(&d, C, &["describe", "endpoints"]);
    assert!(listed.contains("to-web"), "{listed}");
    let lists = table(&d, C, &["prefix-list", "list"]);
    assert!(lists.contains("198.51.100.0/24"), "{lists}");
    assert_eq!(json(&d, C, &["stats"])["Stats"]["Applies"], 14);
}

#[test]
fn errors_and_exit_codes() {
    let d = Daemon::start();
    json(&d, P, &["vpc", "create", "--name", "prov", "--cidr", "10.0.0.0/16"]);
    let out = privlink(&d, P, &["subnet", "create", "--vpc", "prov", "--cidr", "10.1.0.0/24"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: InvalidSubnet.Range: ") && err.contains("10.1.0.0/24"), "{err}");
    assert!(out.stdout.is_empty());

    let out = privlink(&d, P, &["-o", "json", "vpc", "delete", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["Error"]["Code"], "InvalidVpcID.NotFound", "json mode prints the error response");

    let out = privlink(&d, "12", &["vpc", "describe"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("'12'")
            || String::from_utf8_lossy(&out.stderr).contains("12")
    );

    let out = privlink(&d, P, &["vpc", "create", "--nonsense"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");

    let out = Command::new(env!("CARGO_BIN_EXE_privlink"))
        .args(["--socket", "/nonexistent/privlink.sock", "vpc", "describe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/privlink.sock"));
}

#[test]
fn api_sends_any_action_of_the_registry() {
    let d = Daemon::start();
    let help = privlink(&d, P, &["api", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    for op in privlink_control::api::OPERATIONS {
        assert!(help.contains(op.name), "privlink api --help lacks {}", op.name);
    }
    let tags = r#"TagSpecifications=[{"ResourceType":"vpc","Tags":[{"Key":"Name","Value":"via-api"}]}]"#;
    let out = privlink(&d, P, &["api", "CreateVpc", "CidrBlock=10.9.0.0/16", tags]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let vpc: Value = serde_json::from_slice(&out.stdout).expect("the answer is JSON in table mode too");
    assert_eq!(vpc["Vpc"]["CidrBlock"], "10.9.0.0/16");
    let found =
        json(&d, P, &["api", "DescribeVpcs", r#"Filters=[{"Name":"tag:Name","Values":["via-api"]}]"#]);
    assert_eq!(found["Vpcs"][0]["VpcId"], vpc["Vpc"]["VpcId"]);
    // A misspelt member deep in a parameter is the API's UnknownParameter, naming its path.
    let typo = privlink(
        &d,
        P,
        &["api", "DescribeVpcs", r#"Filters=[{"Name":"vpc-id","Values":["x"],"Valuez":["y"]}]"#],
    );
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&typo.stderr).contains("UnknownParameter: The parameter Filters.1.Valuez")
    );
    // Unknown actions and malformed parameters are usage errors: nothing is sent.
    for bad in [&["api", "Frobnicate"][..], &["api", "DescribeVpcs", "VpcIds"]] {
        let out = privlink(&d, P, bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
