//! The AWS-shaped JSON of each resource, shared by its Create* and Describe* operations.
//!
//! Field names follow EC2 / ELBv2 responses. Lab extensions (not in AWS) are few and named
//! plainly: `Netns`, `NetnsManaged`, `MainRouteTableId`, `DefaultSecurityGroupId` on a VPC;
//! `NetworkInterfaces` (with each ENI's subnet, AZ and IP) on an endpoint; `CrossZoneEnabled`
//! on a load balancer.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::validate::{availability_zones, zone_id};
use crate::error::ApiError;
use crate::ids::{self, IdKind};
use crate::model::{
    AddressBook, Destination, Direction, EndpointService, EndpointType, HealthCheck, HealthCheckPort,
    Instance, Listener, LoadBalancer, PrefixList, Route, RouteTable, RouteTarget, SecurityGroup, SgProtocol,
    SgRule, State, Subnet, Target, TargetGroup, Vpc, VpcEndpoint,
};

/// The Route 53 zone of us-east-1's network load balancers' DNS names (`CanonicalHostedZoneId`).
const NLB_HOSTED_ZONE: &str = "Z26RNL4JYFTOTI";
/// The Route 53 zone of us-east-1's interface endpoints' DNS names (`DnsEntries[].HostedZoneId`).
const VPCE_HOSTED_ZONE: &str = "Z7HUB22UULQXV";

pub fn vpc(v: &Vpc) -> Value {
    let association = format!("vpc-cidr-assoc-{}", v.id.trim_start_matches("vpc-"));
    json!({
        "VpcId": v.id, "OwnerId": v.owner, "CidrBlock": v.cidr, "State": "available", "InstanceTenancy": "default",
        "IsDefault": false, "Tags": v.tags.to_json(), "DhcpOptionsId": "default",
        "CidrBlockAssociationSet": [{
            "AssociationId": association, "CidrBlock": v.cidr, "CidrBlockState": {"State": "associated"},
        }],
        "Netns": v.netns, "NetnsManaged": v.netns_managed,
        "MainRouteTableId": v.main_route_table, "DefaultSecurityGroupId": v.default_security_group,
    })
}

pub fn subnet(state: &State, s: &Subnet) -> Value {
    let free = AddressBook::for_vpc(state, &s.vpc_id).free_count(s.cidr);
    let a = &s.attributes;
    json!({
        "SubnetId": s.id, "VpcId": s.vpc_id, "OwnerId": s.owner, "CidrBlock": s.cidr,
        "SubnetArn": format!("arn:aws:ec2:{}:{}:subnet/{}", state.region, s.owner, s.id),
        "Ipv6Native": false, "Ipv6CidrBlockAssociationSet": [],
        "AvailabilityZone": s.az, "AvailabilityZoneId": zone_id(&state.region, &s.az),
        "State": "available", "DefaultForAz": false,
        "AvailableIpAddressCount": free, "Tags": s.tags.to_json(),
        "MapPublicIpOnLaunch": a.map_public_ip_on_launch, "AssignIpv6AddressOnCreation": false,
        "MapCustomerOwnedIpOnLaunch": false, "EnableDns64": false, "DefaultForAz": false,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": a.private_dns_hostname_type_on_launch,
            "EnableResourceNameDnsARecord": a.enable_resource_name_dns_a_record_on_launch,
            "EnableResourceNameDnsAAAARecord": false,
        },
    })
}

fn route(r: &Route) -> Value {
    let mut v = match &r.destination {
        Destination::Cidr(c) => json!({"DestinationCidrBlock": c}),
        Destination::PrefixList(pl) => json!({"DestinationPrefixListId": pl}),
    };
    let (gateway, state, origin) = match &r.target {
        RouteTarget::Local => (Some("local"), "active", "CreateRouteTable"),
        RouteTarget::VpcEndpoint(id) => (Some(id.as_str()), "active", "CreateRoute"),
        RouteTarget::Blackhole => (None, "blackhole", "CreateRoute"),
    };
    if let Some(g) = gateway {
        v["GatewayId"] = g.into();
    }
    v["State"] = state.into();
    v["Origin"] = origin.into();
    v
}

pub fn route_table(rt: &RouteTable) -> Value {
    let mut associations: Vec<Value> = rt
        .associations
        .iter()
        .map(|a| {
            json!({"RouteTableAssociationId": a.id, "RouteTableId": rt.id, "SubnetId": a.subnet_id,
                   "Main": false, "AssociationState": {"State": "associated"}})
        })
        .collect();
    if rt.main {
        associations.push(json!({
            "RouteTableAssociationId": ids::derived(IdKind::RouteTableAssociation, &rt.id),
            "RouteTableId": rt.id, "Main": true, "AssociationState": {"State": "associated"},
        }));
    }
    json!({
        "RouteTableId": rt.id, "VpcId": rt.vpc_id, "OwnerId": rt.owner,
        "Routes": rt.routes.iter().map(route).collect::<Vec<_>>(),
        "Associations": associations, "Tags": rt.tags.to_json(),
    })
}

/// One `IpPermissions` entry.
pub fn permission(r: &SgRule) -> Value {
    let mut v = json!({
        "IpProtocol": protocol_name(r.protocol), "IpRanges": [{"CidrIp": r.cidr}],
        "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": [],
    });
    if r.protocol != SgProtocol::All {
        v["FromPort"] = r.from_port.into();
        v["ToPort"] = r.to_port.into();
    }
    v
}

fn protocol_name(p: SgProtocol) -> &'static str {
    match p {
        SgProtocol::Tcp => "tcp",
        SgProtocol::Udp => "udp",
        SgProtocol::Icmp => "icmp",
        SgProtocol::All => "-1",
    }
}

/// One `SecurityGroupRule` (DescribeSecurityGroupRules, Authorize* answers).
pub fn security_group_rule(sg: &SecurityGroup, dir: Direction, r: &SgRule) -> Value {
    json!({
        "SecurityGroupRuleId": sg.rule_id(dir, r), "GroupId": sg.id, "GroupOwnerId": sg.owner,
        "IsEgress": dir == Direction::Egress, "IpProtocol": protocol_name(r.protocol),
        "FromPort": r.from_port, "ToPort": r.to_port, "CidrIpv4": r.cidr, "Tags": [],
    })
}

pub fn security_group(sg: &SecurityGroup) -> Value {
    json!({
        "GroupId": sg.id, "GroupName": sg.name, "Description": sg.description,
        "VpcId": sg.vpc_id, "OwnerId": sg.owner,
        "IpPermissions": sg.ingress.iter().map(permission).collect::<Vec<_>>(),
        "IpPermissionsEgress": sg.egress.iter().map(permission).collect::<Vec<_>>(),
        "Tags": sg.tags.to_json(),
    })
}

pub fn instance(state: &State, i: &Instance) -> Value {
    let az = state.subnets.get(&i.subnet_id).map(|s| s.az.as_str());
    let groups = group_identifiers(state, &state.instance_groups(i));
    let a = &i.attributes;
    json!({
        "InstanceId": i.id, "SubnetId": i.subnet_id, "VpcId": i.vpc_id,
        "PrivateIpAddress": i.ip, "State": {"Code": 16, "Name": "running"},
        "PrivateDnsName": format!("ip-{}.ec2.internal", i.ip.to_string().replace('.', "-")),
        "Placement": {"AvailabilityZone": az, "Tenancy": "default"}, "Tags": i.tags.to_json(),
        "ImageId": i.image_id, "InstanceType": i.instance_type, "SecurityGroups": groups,
        "NetworkInterfaces": [instance_nic(state, i)], "SourceDestCheck": a.source_dest_check,
        "EbsOptimized": a.ebs_optimized, "Monitoring": {"State": "disabled"}, "Architecture": "x86_64",
        "RootDeviceType": "ebs", "RootDeviceName": "/dev/xvda", "BlockDeviceMappings": [],
        "VirtualizationType": "hvm", "Hypervisor": "xen", "EnaSupport": true,
    })
}

/// A reservation (`DescribeInstances` groups instances in reservations; privlink: one each).
pub fn reservation(state: &State, i: &Instance) -> Value {
    let hex = i.id.trim_start_matches(IdKind::Instance.prefix());
    json!({"ReservationId": format!("r-{hex}"), "OwnerId": i.owner, "Instances": [instance(state, i)]})
}

/// The reservation of an instance terminated a moment ago: state `terminated`, no interface.
pub fn terminated_reservation(state: &State, i: &Instance) -> Value {
    let mut r = reservation(state, i);
    let inst = &mut r["Instances"][0];
    inst["State"] = json!({"Code": 48, "Name": "terminated"});
    inst["NetworkInterfaces"] = json!([]);
    inst["SecurityGroups"] = json!([]);
    r
}

/// `[{GroupId, GroupName}]` of `ids`.
pub fn group_identifiers(state: &State, ids: &[String]) -> Vec<Value> {
    ids.iter()
        .map(|id| json!({"GroupId": id, "GroupName": state.security_groups.get(id).map(|g| g.name.as_str())}))
        .collect()
}

/// The primary network interface ID of instance `i`.
fn instance_eni_id(i: &Instance) -> String {
    ids::derived(IdKind::Eni, &format!("{}/primary", i.id))
}

/// The fields every interface has.
pub fn interface(
    id: &str,
    subnet: Option<&Subnet>,
    owner: &str,
    ip: std::net::Ipv4Addr,
    kind: &str,
) -> Value {
    json!({
        "NetworkInterfaceId": id, "SubnetId": subnet.map(|s| &s.id), "VpcId": subnet.map(|s| &s.vpc_id),
        "AvailabilityZone": subnet.map(|s| &s.az), "OwnerId": owner, "InterfaceType": kind,
        "Status": "in-use", "PrivateIpAddress": ip, "SourceDestCheck": true,
        "PrivateIpAddresses": [{"Primary": true, "PrivateIpAddress": ip}],
        "Ipv6Addresses": [], "TagSet": [],
    })
}

/// The primary interface of instance `i` (also shown by DescribeInstances).
pub fn instance_eni(state: &State, i: &Instance) -> Value {
    let id = instance_eni_id(i);
    let mut v = interface(&id, state.subnets.get(&i.subnet_id), &i.owner, i.ip, "interface");
    v["Description"] = "".into();
    v["RequesterManaged"] = false.into();
    v["SourceDestCheck"] = i.attributes.source_dest_check.into();
    v["Groups"] = group_identifiers(state, &state.instance_groups(i)).into();
    let hex = id.trim_start_matches(IdKind::Eni.prefix());
    v["Attachment"] = json!({
        "AttachmentId": format!("eni-attach-{hex}"), "InstanceId": i.id, "InstanceOwnerId": i.owner,
        "DeviceIndex": 0, "NetworkCardIndex": 0, "Status": "attached", "DeleteOnTermination": true,
    });
    v
}

/// The primary interface as DescribeInstances shows it: AWS's `InstanceNetworkInterface` has no
/// zone, tags or requester field, and its attachment does not repeat the instance.
fn instance_nic(state: &State, i: &Instance) -> Value {
    let mut v = instance_eni(state, i);
    if let Value::Object(nic) = &mut v {
        for k in ["AvailabilityZone", "TagSet", "RequesterManaged"] {
            nic.remove(k);
        }
        if let Some(Value::Object(a)) = nic.get_mut("Attachment") {
            a.remove("InstanceId");
            a.remove("InstanceOwnerId");
        }
    }
    v
}

pub fn load_balancer(lb: &LoadBalancer) -> Value {
    let zones: Vec<Value> = lb
        .nodes
        .iter()
        .map(|n| json!({"ZoneName": n.az, "SubnetId": n.subnet_id, "LoadBalancerAddresses": [{"PrivateIPv4Address": n.ip}]}))
        .collect();
    json!({
        "LoadBalancerArn": lb.arn, "LoadBalancerName": lb.name, "DNSName": lb.dns_name,
        "CanonicalHostedZoneId": NLB_HOSTED_ZONE,
        "Scheme": "internal", "Type": "network", "IpAddressType": "ipv4", "VpcId": lb.vpc_id,
        "State": {"Code": "active"}, "AvailabilityZones": zones, "CrossZoneEnabled": lb.cross_zone,
    })
}

fn health_check_port(p: HealthCheckPort) -> String {
    match p {
        HealthCheckPort::TrafficPort => "traffic-port".into(),
        HealthCheckPort::Port(n) => n.to_string(),
    }
}

pub fn target_group(state: &State, tg: &TargetGroup) -> Value {
    let lbs: BTreeSet<&str> = state
        .listeners
        .values()
        .filter(|l| l.default_target_group_arn == tg.arn)
        .map(|l| l.load_balancer_arn.as_str())
        .collect();
    let hc = &tg.health_check;
    let mut v = json!({
        "TargetGroupArn": tg.arn, "TargetGroupName": tg.name, "Protocol": tg.protocol.as_str(),
        "Port": tg.port, "VpcId": tg.vpc_id, "TargetType": tg.target_type.as_str(), "HealthCheckEnabled": true,
        "HealthCheckProtocol": hc.protocol, "HealthCheckPort": health_check_port(hc.port),
        "HealthCheckIntervalSeconds": hc.interval_seconds, "HealthCheckTimeoutSeconds": hc.timeout_seconds,
        "HealthyThresholdCount": hc.healthy_threshold, "UnhealthyThresholdCount": hc.unhealthy_threshold,
        "LoadBalancerArns": lbs,
    });
    if let Some(path) = &hc.path {
        v["HealthCheckPath"] = path.as_str().into();
        v["Matcher"] = json!({"HttpCode": HealthCheck::DEFAULT_MATCHER});
    }
    v
}

pub fn target_health(tg: &TargetGroup, t: &Target) -> Value {
    json!({
        "Target": {"Id": t.instance_id.clone().unwrap_or_else(|| t.ip.to_string()), "Port": t.port},
        "HealthCheckPort": tg.health_check.port.for_target(t.port).to_string(),
        "TargetHealth": {"State": t.health.as_str()},
    })
}

pub fn listener(l: &Listener) -> Value {
    json!({
        "ListenerArn": l.arn, "LoadBalancerArn": l.load_balancer_arn, "Port": l.port,
        "Protocol": l.protocol.as_str(),
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": l.default_target_group_arn}],
    })
}

fn base_dns_name(state: &State, svc: &EndpointService) -> String {
    format!("{}.{}.vpce.amazonaws.com", svc.service_id, state.region)
}

/// The provider's view (`ServiceConfiguration`).
pub fn service_configuration(state: &State, svc: &EndpointService) -> Value {
    json!({
        "ServiceType": [{"ServiceType": "Interface"}], "ServiceId": svc.service_id,
        "ServiceName": svc.service_name, "ServiceState": "Available",
        "AvailabilityZones": state.service_zones(svc), "AcceptanceRequired": svc.acceptance_required,
        "ManagesVpcEndpoints": false, "NetworkLoadBalancerArns": svc.network_load_balancer_arns,
        "BaseEndpointDnsNames": [base_dns_name(state, svc)], "PrivateDnsName": svc.private_dns_name,
        "Tags": svc.tags.to_json(),
    })
}

/// A consumer's view (`ServiceDetail`) of an endpoint service.
pub fn service_detail(state: &State, svc: &EndpointService) -> Value {
    json!({
        "ServiceName": svc.service_name, "ServiceId": svc.service_id,
        "ServiceType": [{"ServiceType": "Interface"}], "AvailabilityZones": state.service_zones(svc),
        "Owner": svc.owner, "BaseEndpointDnsNames": [base_dns_name(state, svc)],
        "PrivateDnsName": svc.private_dns_name, "VpcEndpointPolicySupported": false,
        "AcceptanceRequired": svc.acceptance_required, "ManagesVpcEndpoints": false,
        "Tags": svc.tags.to_json(),
    })
}

/// A consumer's view (`ServiceDetail`) of a managed gateway service.
pub fn gateway_service_detail(state: &State, pl: &PrefixList) -> Value {
    json!({
        "ServiceName": pl.name, "ServiceType": [{"ServiceType": "Gateway"}],
        "AvailabilityZones": availability_zones(&state.region), "Owner": "amazon",
        "BaseEndpointDnsNames": [], "VpcEndpointPolicySupported": true,
        "AcceptanceRequired": false, "ManagesVpcEndpoints": false, "Tags": [],
    })
}

pub fn vpc_endpoint(state: &State, ep: &VpcEndpoint) -> Value {
    let enis: Vec<Value> = ep
        .network_interfaces
        .iter()
        .map(|n| json!({"NetworkInterfaceId": n.id, "SubnetId": n.subnet_id, "AvailabilityZone": n.az, "PrivateIpAddress": n.ip}))
        .collect();
    let mut v = json!({
        "VpcEndpointId": ep.id, "VpcEndpointType": ep.endpoint_type, "VpcId": ep.vpc_id,
        "ServiceName": ep.service_name, "State": ep.state.as_str(), "OwnerId": ep.owner,
        "RouteTableIds": ep.route_table_ids, "SubnetIds": ep.subnet_ids().collect::<Vec<_>>(),
        "Groups": group_identifiers(state, &ep.security_group_ids), "PrivateDnsEnabled": ep.private_dns_enabled,
        "NetworkInterfaceIds": ep.network_interfaces.iter().map(|n| &n.id).collect::<Vec<_>>(),
        "NetworkInterfaces": enis,
        "DnsEntries": dns_entries(ep),
        "CreationTimestamp": ep.creation_timestamp, "Tags": ep.tags.to_json(),
    });
    if ep.endpoint_type == EndpointType::Gateway {
        v["PolicyDocument"] = super::common::DEFAULT_POLICY.into();
    }
    v
}

/// The provider's view of an endpoint connected to its service (`VpcEndpointConnection`).
pub fn connection(state: &State, ep: &VpcEndpoint) -> Value {
    let svc = ep.service_id.as_deref().and_then(|id| state.endpoint_services.get(id));
    json!({
        "ServiceId": ep.service_id, "VpcEndpointId": ep.id, "VpcEndpointOwner": ep.owner,
        "VpcEndpointState": ep.state.as_str(), "CreationTimestamp": ep.creation_timestamp,
        "DnsEntries": dns_entries(ep),
        "NetworkLoadBalancerArns": svc.map(|s| s.network_load_balancer_arns.clone()).unwrap_or_default(),
    })
}

pub fn prefix_list(pl: &PrefixList) -> Value {
    json!({"PrefixListId": pl.id, "PrefixListName": pl.name, "Cidrs": pl.cidrs})
}

/// One item of an `Unsuccessful` list (batch operations).
pub fn unsuccessful(id: &str, e: &ApiError) -> Value {
    json!({"ResourceId": id, "Error": {"Code": e.code, "Message": e.message}})
}

/// The answer of a batch operation: applies `each` to every key and lists the keys it
/// failed for as `{"Unsuccessful": [...]}` (AWS's shape; success of the others stands).
pub fn batch(keys: &[String], mut each: impl FnMut(&str) -> Result<(), ApiError>) -> Value {
    let failed: Vec<Value> =
        keys.iter().filter_map(|key| each(key).err().map(|e| unsuccessful(key, &e))).collect();
    json!({"Unsuccessful": failed})
}

/// An interface endpoint's DNS names as AWS lists them, each with its hosted zone.
fn dns_entries(ep: &VpcEndpoint) -> Vec<Value> {
    ep.dns_entries.iter().map(|d| json!({"DnsName": d.dns_name, "HostedZoneId": VPCE_HOSTED_ZONE})).collect()
}
