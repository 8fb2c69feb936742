//! `DescribeNetworkInterfaces {NetworkInterfaceIds[]?, Filters[]?, MaxResults?, NextToken?}` →
//! `{"NetworkInterfaces":[…], "NextToken"?}`.
//!
//! The caller's network interfaces, all derived from other resources (privlink keeps no ENI of
//! its own): each interface endpoint's ENIs (`InterfaceType` `vpc_endpoint`, requester-managed,
//! Description `VPC Endpoint Interface vpce-…`), one per NLB node (`network_load_balancer`,
//! requester-managed, Description `ELB net/<name>/<id>`, an ID derived from the load balancer and
//! subnet) — both attached for `amazon-aws` — and each instance's primary interface (`interface`, attached at device index 0, an ID
//! derived from the instance). All are `in-use`. A named ID the caller does not have is
//! `InvalidNetworkInterfaceID.NotFound`. Filters: see [`LISTING`].

use serde_json::{Value, json};

use super::describe::{EC2_PAGING, Listing};
use super::request::{Params, Request};
use super::view::{group_identifiers, instance_eni, interface};
use crate::error::{ApiError, codes};
use crate::ids::{self, IdKind};
use crate::model::{LoadBalancer, NlbNode, State, VpcEndpoint};

pub const LISTING: Listing = Listing {
    member: "NetworkInterfaces",
    key: &["NetworkInterfaceId"],
    filters: &[
        ("network-interface-id", "NetworkInterfaceId"),
        ("vpc-id", "VpcId"),
        ("subnet-id", "SubnetId"),
        ("availability-zone", "AvailabilityZone"),
        ("description", "Description"),
        ("interface-type", "InterfaceType"),
        ("owner-id", "OwnerId"),
        ("requester-id", "RequesterId"),
        ("requester-managed", "RequesterManaged"),
        ("status", "Status"),
        ("private-ip-address", "PrivateIpAddress"),
        ("addresses.private-ip-address", "PrivateIpAddresses.PrivateIpAddress"),
        ("group-id", "Groups.GroupId"),
        ("group-name", "Groups.GroupName"),
        ("attachment.attachment-id", "Attachment.AttachmentId"),
        ("attachment.instance-id", "Attachment.InstanceId"),
        ("attachment.instance-owner-id", "Attachment.InstanceOwnerId"),
        ("attachment.device-index", "Attachment.DeviceIndex"),
        ("attachment.status", "Attachment.Status"),
    ],
    tags: Some("TagSet"),
    paging: Some(EC2_PAGING),
};

/// The attachment of a requester-managed interface: AWS's services own it (`amazon-aws`).
fn service_attachment(eni_id: &str) -> Value {
    let hex = eni_id.trim_start_matches(IdKind::Eni.prefix());
    json!({"AttachmentId": format!("ela-attach-{hex}"), "InstanceOwnerId": "amazon-aws", "DeviceIndex": 1,
           "NetworkCardIndex": 0, "Status": "attached", "DeleteOnTermination": false})
}

fn endpoint_enis<'a>(state: &'a State, ep: &'a VpcEndpoint) -> impl Iterator<Item = Value> + 'a {
    ep.network_interfaces.iter().map(move |eni| {
        let mut v = interface(&eni.id, state.subnets.get(&eni.subnet_id), &ep.owner, eni.ip, "vpc_endpoint");
        v["Description"] = format!("VPC Endpoint Interface {}", ep.id).into();
        v["RequesterManaged"] = true.into();
        v["Groups"] = group_identifiers(state, &ep.security_group_ids).into();
        v["Attachment"] = service_attachment(&eni.id);
        v
    })
}

fn nlb_eni(state: &State, lb: &LoadBalancer, node: &NlbNode) -> Value {
    let id = ids::derived(IdKind::Eni, &format!("{}/{}", lb.arn, node.subnet_id));
    let mut v =
        interface(&id, state.subnets.get(&node.subnet_id), &lb.owner, node.ip, "network_load_balancer");
    let resource = lb.arn.split_once(":loadbalancer/").map_or(lb.arn.as_str(), |(_, r)| r);
    v["Description"] = format!("ELB {resource}").into();
    v["RequesterId"] = "amazon-elb".into();
    v["RequesterManaged"] = true.into();
    v["Groups"] = json!([]);
    v["Attachment"] = service_attachment(&id);
    v
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let account = req.account.as_str();
    let mut all: Vec<Value> = Vec::new();
    for ep in state.vpc_endpoints.values().filter(|e| e.owner == account) {
        all.extend(endpoint_enis(state, ep));
    }
    for lb in state.load_balancers.values().filter(|lb| lb.owner == account) {
        all.extend(lb.nodes.iter().map(|n| nlb_eni(state, lb, n)));
    }
    all.extend(state.instances.values().filter(|i| i.owner == account).map(|i| instance_eni(state, i)));
    let wanted = req.list("NetworkInterfaceIds")?;
    if let Some(missing) =
        wanted.iter().find(|id| !all.iter().any(|v| v["NetworkInterfaceId"] == id.as_str()))
    {
        return Err(ApiError::new(
            codes::INVALID_NETWORK_INTERFACE_ID_NOT_FOUND,
            format!("The networkInterface ID '{missing}' does not exist"),
        ));
    }
    if !wanted.is_empty() {
        all.retain(|v| wanted.iter().any(|id| v["NetworkInterfaceId"] == id.as_str()));
    }
    LISTING.answer(req, all)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    fn describe(s: &mut State, account: &str, extra: serde_json::Value) -> Vec<serde_json::Value> {
        let mut r = json!({"Action": "DescribeNetworkInterfaces", "Account": account});
        r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        ok(s, r)["NetworkInterfaces"].as_array().unwrap().clone()
    }

    #[test]
    fn endpoint_nlb_and_instance_interfaces() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (v, [a, b]) = consumer(&mut s, "a");
        let ep = interface_endpoint(&mut s, &v, &[&a, &b], &p.service_name);
        ok(&mut s, json!({"Action": "RunInstances", "Account": CONSUMER, "SubnetId": a}));
        let mine = describe(&mut s, CONSUMER, json!({}));
        assert_eq!(mine.len(), 3);
        let eni = s.vpc_endpoints[&ep].network_interfaces[0].clone();
        let e = describe(&mut s, CONSUMER, json!({"NetworkInterfaceIds": [eni.id]}));
        assert_eq!(e.len(), 1);
        let e = &e[0];
        assert_eq!(e["InterfaceType"], "vpc_endpoint");
        assert_eq!(e["RequesterManaged"], true);
        assert_eq!(e["Status"], "in-use");
        assert_eq!(e["Description"], format!("VPC Endpoint Interface {ep}"));
        assert_eq!(
            (e["SubnetId"].as_str(), e["VpcId"].as_str(), e["AvailabilityZone"].as_str()),
            (Some(a.as_str()), Some(v.as_str()), Some("us-east-1a"))
        );
        assert_eq!(e["PrivateIpAddress"], eni.ip.to_string());
        assert_eq!(e["OwnerId"], CONSUMER);
        assert_eq!(e["Groups"][0]["GroupName"], "default");
        let inst = describe(
            &mut s,
            CONSUMER,
            json!({"Filters": [{"Name": "interface-type", "Values": ["interface"]}]}),
        );
        assert_eq!(inst.len(), 1);
        assert_eq!(inst[0]["Attachment"]["DeviceIndex"], 0);
        assert_eq!(inst[0]["RequesterManaged"], false);
        let by_subnet =
            describe(&mut s, CONSUMER, json!({"Filters": [{"Name": "subnet-id", "Values": [b]}]}));
        assert_eq!(by_subnet.len(), 1);

        let nlb = describe(
            &mut s,
            PROVIDER,
            json!({"Filters": [{"Name": "description", "Values": ["ELB net/web/*"]}]}),
        );
        assert_eq!(nlb.len(), 2);
        assert_eq!(nlb[0]["InterfaceType"], "network_load_balancer");
        let nodes = s.load_balancers[&p.lb].nodes.clone();
        assert!(nodes.iter().any(|n| nlb[0]["PrivateIpAddress"] == n.ip.to_string()));
        let again = describe(&mut s, PROVIDER, json!({"Filters": [{"Name": "vpc-id", "Values": [p.vpc]}]}));
        assert_eq!(again.len(), 2, "IDs are stable: {again:?} vs {nlb:?}");
        assert_eq!(again[0]["NetworkInterfaceId"], nlb[0]["NetworkInterfaceId"]);

        ok(&mut s, json!({"Action": "DeleteVpcEndpoints", "Account": CONSUMER, "VpcEndpointIds": [ep]}));
        ok(&mut s, json!({"Action": "DeleteVpcEndpointServiceConfigurations", "ServiceIds": [p.service_id]}));
        ok(&mut s, json!({"Action": "DeleteLoadBalancer", "LoadBalancerArn": p.lb}));
        let gone = describe(
            &mut s,
            PROVIDER,
            json!({"Filters": [{"Name": "description", "Values": ["ELB net/web/*"]}]}),
        );
        assert!(gone.is_empty(), "a deleted NLB's interfaces go with it (Terraform waits for that)");
        let theirs = json!({"Action": "DescribeNetworkInterfaces", "Account": PROVIDER, "NetworkInterfaceIds": [eni.id]});
        fails(&mut s, theirs, codes::INVALID_NETWORK_INTERFACE_ID_NOT_FOUND, &eni.id);
        let bad =
            json!({"Action": "DescribeNetworkInterfaces", "Filters": [{"Name": "eni", "Values": ["x"]}]});
        fails(&mut s, bad, codes::INVALID_PARAMETER_VALUE, "'eni'");
    }
}
