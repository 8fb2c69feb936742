//! Test fixtures: build states through the API itself, as a client would.

use serde_json::{Value, json};

use super::{Request, run};
use crate::error::ApiError;
use crate::model::State;

/// The provider account of the fixtures.
pub const PROVIDER: &str = "111111111111";
/// A consumer account.
pub const CONSUMER: &str = "222222222222";

/// Runs `req` like the controller does: on a copy, committed only on success.
pub fn call(state: &mut State, req: Value) -> Result<Value, ApiError> {
    let mut next = state.clone();
    let out = run(&mut next, &Request::parse(&req)?)?;
    *state = next;
    Ok(out)
}

/// `call` that must succeed.
pub fn ok(state: &mut State, req: Value) -> Value {
    call(state, req.clone()).unwrap_or_else(|e| panic!("{req} failed: {e}"))
}

/// `call` that must fail with `code`, with a message containing `needle`; the state must not change.
pub fn fails(state: &mut State, req: Value, code: &str, needle: &str) -> ApiError {
    let before = state.clone();
    let e = call(state, req.clone()).expect_err(&format!("{req} should fail with {code}"));
    assert_eq!(e.code, code, "{req}: {e}");
    assert!(e.message.contains(needle), "message of {req} should name {needle:?}: {}", e.message);
    assert_eq!(*state, before, "a failed call must not change the state");
    e
}

/// A VPC made as privlink's CLI makes it (DNS hostnames on).
pub fn vpc(state: &mut State, account: &str, name: &str, cidr: &str) -> String {
    let v = ok(
        state,
        json!({"Action": "CreateVpc", "Account": account, "Name": name, "CidrBlock": cidr, "EnableDnsHostnames": true}),
    );
    v["Vpc"]["VpcId"].as_str().unwrap().to_owned()
}

pub fn subnet(state: &mut State, account: &str, vpc: &str, name: &str, cidr: &str, az: &str) -> String {
    let v = ok(
        state,
        json!({"Action": "CreateSubnet", "Account": account, "VpcId": vpc, "Name": name, "CidrBlock": cidr, "AvailabilityZone": az}),
    );
    v["Subnet"]["SubnetId"].as_str().unwrap().to_owned()
}

/// What [`provider`] built.
pub struct Provider {
    pub vpc: String,
    pub subnets: [String; 2],
    pub lb: String,
    pub tg: String,
    pub listener: String,
    pub service_id: String,
    pub service_name: String,
}

/// A provider: VPC `prov` 10.0.0.0/16 with subnets in us-east-1a/b, NLB `web` on both, target
/// group `web` (TCP 80, target 10.0.1.10), a TCP 80 listener, and an endpoint service allowing
/// [`CONSUMER`].
pub fn provider(state: &mut State, acceptance_required: bool) -> Provider {
    let vpc = vpc(state, PROVIDER, "prov", "10.0.0.0/16");
    let a = subnet(state, PROVIDER, &vpc, "prov-a", "10.0.1.0/24", "us-east-1a");
    let b = subnet(state, PROVIDER, &vpc, "prov-b", "10.0.2.0/24", "us-east-1b");
    let lb = ok(
        state,
        json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": "web", "Subnets": [a, b]}),
    );
    let lb = lb["LoadBalancers"][0]["LoadBalancerArn"].as_str().unwrap().to_owned();
    let tg = ok(
        state,
        json!({"Action": "CreateTargetGroup", "Name": "web", "Protocol": "TCP", "Port": 80, "VpcId": vpc}),
    );
    let tg = tg["TargetGroups"][0]["TargetGroupArn"].as_str().unwrap().to_owned();
    ok(state, json!({"Action": "RegisterTargets", "TargetGroupArn": tg, "Targets": [{"Id": "10.0.1.10"}]}));
    let l = ok(
        state,
        json!({"Action": "CreateListener", "LoadBalancerArn": lb, "Protocol": "TCP", "Port": 80,
               "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]}),
    );
    let listener = l["Listeners"][0]["ListenerArn"].as_str().unwrap().to_owned();
    let s = ok(
        state,
        json!({"Action": "CreateVpcEndpointServiceConfiguration", "NetworkLoadBalancerArns": [lb],
               "AcceptanceRequired": acceptance_required}),
    );
    let service_id = s["ServiceConfiguration"]["ServiceId"].as_str().unwrap().to_owned();
    let service_name = s["ServiceConfiguration"]["ServiceName"].as_str().unwrap().to_owned();
    ok(
        state,
        json!({"Action": "ModifyVpcEndpointServicePermissions", "ServiceId": service_id,
               "AddAllowedPrincipals": [format!("arn:aws:iam::{CONSUMER}:root")]}),
    );
    Provider { vpc, subnets: [a, b], lb, tg, listener, service_id, service_name }
}

/// [`provider`] (acceptance not required) whose service has private DNS name `name`.
pub fn provider_with_private_dns(state: &mut State, name: &str) -> Provider {
    let p = provider(state, false);
    ok(
        state,
        json!({"Action": "ModifyVpcEndpointServiceConfiguration", "ServiceId": p.service_id, "PrivateDnsName": name}),
    );
    p
}

/// A consumer VPC `name` 10.0.0.0/16 of [`CONSUMER`] with subnets in us-east-1a/b.
pub fn consumer(state: &mut State, name: &str) -> (String, [String; 2]) {
    let vpc = vpc(state, CONSUMER, name, "10.0.0.0/16");
    let a = subnet(state, CONSUMER, &vpc, &format!("{name}-a"), "10.0.1.0/24", "us-east-1a");
    let b = subnet(state, CONSUMER, &vpc, &format!("{name}-b"), "10.0.2.0/24", "us-east-1b");
    (vpc, [a, b])
}

/// An interface endpoint of [`CONSUMER`] from `vpc` (subnets `subnets`) to `service_name`.
pub fn interface_endpoint(state: &mut State, vpc: &str, subnets: &[&str], service_name: &str) -> String {
    let v = ok(
        state,
        json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": vpc, "VpcEndpointType": "Interface",
               "ServiceName": service_name, "SubnetIds": subnets}),
    );
    v["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_owned()
}
