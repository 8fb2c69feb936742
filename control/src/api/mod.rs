//! The API: one file per AWS-named operation, plus dispatch.
//!
//! Each operation file has `run(state, req) -> Result<Value, ApiError>`: it reads its parameters
//! from the [`Request`], validates them against the [`State`], applies the change (mutating
//! operations get `&mut State`, Describe* `&State`) and returns the AWS-shaped result. Every
//! operation file documents its rules and carries its own tests.
//!
//! # Wire shapes
//!
//! A request is one JSON object: `{"Action":"CreateVpc","Account":"111111111111",…params}`.
//! `Account` defaults to `111111111111` and must be 12 digits. Parameters use EC2 / ELBv2 names
//! (botocore's member names, as the AWS front passes them); lists are JSON arrays (a single
//! string is taken as a one-element list); numbers and booleans may be JSON or strings. A
//! parameter the operation does not use is `UnknownParameter`.
//! Wherever a parameter takes an ID (or an ELBv2 ARN), a unique `Name` tag of a resource of that
//! kind owned by the caller works too; an account sees only its own resources (`…NotFound`
//! otherwise), except that endpoint services are found by ServiceName by every allowed account
//! and service owners see the endpoints connected to their services.
//!
//! Common to many operations, and written once:
//! - EC2 Describe* take `Filters[{Name, Values[]}]?` (all but DescribeAccountAttributes) and,
//!   where AWS pages them, `MaxResults?`, `NextToken?`, answering `NextToken` when more items
//!   follow; ELBv2 DescribeLoadBalancers / TargetGroups / Listeners take `PageSize?`, `Marker?`
//!   and answer `NextMarker` (`api/describe.rs` has the rules, each operation's `LISTING` its
//!   filter names).
//! - EC2 Create* take `TagSpecifications[{ResourceType, Tags[{Key, Value}]}]?`, ELBv2 Create*
//!   `Tags[]?` (`api/tagging.rs`); Describe* of EC2 resources show `Tags`.
//! - Every EC2 action takes `DryRun?`; CreateRouteTable, CreateVpcEndpoint,
//!   CreateVpcEndpointServiceConfiguration and RunInstances take `ClientToken?` (`api/call.rs`).
//!
//! A success is the result object below; a failure is
//! `{"Error":{"Code":"InvalidVpcID.NotFound","Message":"The vpc ID 'vpc-1' does not exist"}}`
//! (see [`crate::error::codes`]). Delete* calls of EC2 that return nothing answer
//! `{"Return":true}`; ELBv2 ones answer `{}`.
//!
//! | Action | Parameters (`?` optional, `[]` list) | Result |
//! |---|---|---|
//! | CreateVpc | CidrBlock, Name?, Netns?, EnableDnsHostnames? | `{"Vpc":{VpcId, OwnerId, CidrBlock, State, Tags, Netns, NetnsManaged, MainRouteTableId, DefaultSecurityGroupId}}` |
//! | DeleteVpc | VpcId | `{"Return":true}` |
//! | DescribeVpcs | VpcIds[]?, Filters? | `{"Vpcs":[Vpc]}` |
//! | CreateSubnet | VpcId, CidrBlock, AvailabilityZone?, Name? | `{"Subnet":{SubnetId, VpcId, CidrBlock, AvailabilityZone, AvailableIpAddressCount, Tags}}` |
//! | DeleteSubnet | SubnetId | `{"Return":true}` |
//! | DescribeSubnets | SubnetIds[]?, VpcId?, Filters? | `{"Subnets":[Subnet]}` |
//! | CreateRouteTable | VpcId, Name? | `{"RouteTable":{RouteTableId, VpcId, Routes:[{DestinationCidrBlock \| DestinationPrefixListId, GatewayId?, State, Origin}], Associations:[{RouteTableAssociationId, SubnetId?, Main}], Tags}}` |
//! | DeleteRouteTable | RouteTableId | `{"Return":true}` |
//! | AssociateRouteTable | RouteTableId, SubnetId | `{"AssociationId", "AssociationState":{"State":"associated"}}` |
//! | DisassociateRouteTable | AssociationId \| SubnetId | `{"Return":true}` |
//! | CreateRoute | RouteTableId, DestinationCidrBlock, Target? (`blackhole`) | `{"Return":true}` |
//! | DeleteRoute | RouteTableId, DestinationCidrBlock | `{"Return":true}` |
//! | DescribeRouteTables | RouteTableIds[]?, VpcId?, Filters? | `{"RouteTables":[RouteTable]}` |
//! | CreateSecurityGroup | VpcId, GroupName, Description? | `{"GroupId", "Tags"}` |
//! | DeleteSecurityGroup | GroupId | `{"Return":true}` |
//! | AuthorizeSecurityGroupIngress | GroupId, IpPermissions[{IpProtocol, FromPort?, ToPort?, IpRanges[{CidrIp}]}] \| IpProtocol, FromPort?, ToPort?, CidrIp | `{"Return":true, "SecurityGroupRules":[SecurityGroupRule]}` |
//! | RevokeSecurityGroupIngress | as Authorize, or GroupId + SecurityGroupRuleIds[] | `{"Return":true}` |
//! | DescribeSecurityGroups | GroupIds[]?, GroupNames[]?, VpcId?, Filters? | `{"SecurityGroups":[{GroupId, GroupName, Description, VpcId, IpPermissions, IpPermissionsEgress}]}` |
//! | RunInstances | SubnetId, PrivateIpAddress?, Name?, ImageId?, InstanceType?, MinCount?/MaxCount? (1), SecurityGroupIds[]?, SecurityGroups[]?, UserData?, DisableApiTermination?, DisableApiStop?, InstanceInitiatedShutdownBehavior?, EbsOptimized?, Monitoring?, Placement?, CreditSpecification? | `{"ReservationId", "OwnerId", "Instances":[{InstanceId, ImageId, InstanceType, SubnetId, VpcId, PrivateIpAddress, PrivateDnsName, State, Placement:{AvailabilityZone}, SecurityGroups, NetworkInterfaces, Tags, …}]}` |
//! | TerminateInstances | InstanceIds[] | `{"TerminatingInstances":[{InstanceId, CurrentState, PreviousState}]}` |
//! | DescribeInstances | InstanceIds[]?, VpcId?, Filters? | `{"Reservations":[{ReservationId, OwnerId, Instances:[Instance]}]}` |
//! | CreateLoadBalancer | Name, Subnets[], Type? (`network`), Scheme? (`internal`), CrossZone? | `{"LoadBalancers":[{LoadBalancerArn, LoadBalancerName, DNSName, Scheme, Type, VpcId, State:{Code}, AvailabilityZones:[{ZoneName, SubnetId, LoadBalancerAddresses:[{PrivateIPv4Address}]}], CrossZoneEnabled}]}` |
//! | DeleteLoadBalancer | LoadBalancerArn | `{}` |
//! | DescribeLoadBalancers | LoadBalancerArns[]?, Names[]? | `{"LoadBalancers":[LoadBalancer]}` |
//! | CreateTargetGroup | Name, Protocol, Port, VpcId, TargetType? (ip|instance), HealthCheckProtocol?, HealthCheckPort?, HealthCheckPath?, HealthCheckIntervalSeconds?, HealthCheckTimeoutSeconds?, HealthyThresholdCount?, UnhealthyThresholdCount? | `{"TargetGroups":[{TargetGroupArn, TargetGroupName, Protocol, Port, VpcId, TargetType, HealthCheck…, LoadBalancerArns}]}` |
//! | DeleteTargetGroup | TargetGroupArn | `{}` |
//! | DescribeTargetGroups | TargetGroupArns[]?, Names[]?, LoadBalancerArn? | `{"TargetGroups":[TargetGroup]}` |
//! | RegisterTargets | TargetGroupArn, Targets[{Id (IP, or instance ID: required in `instance` groups), Port?}] | `{}` |
//! | DeregisterTargets | TargetGroupArn, Targets[{Id, Port?}] | `{}` |
//! | DescribeTargetHealth | TargetGroupArn, Targets[{Id, Port?}]? | `{"TargetHealthDescriptions":[{Target:{Id, Port}, HealthCheckPort, TargetHealth:{State}}]}` |
//! | CreateListener | LoadBalancerArn, Protocol, Port, DefaultActions[{Type:"forward", TargetGroupArn}] | `{"Listeners":[{ListenerArn, LoadBalancerArn, Port, Protocol, DefaultActions}]}` |
//! | DeleteListener | ListenerArn | `{}` |
//! | DescribeListeners | ListenerArns[]?, LoadBalancerArn? | `{"Listeners":[Listener]}` |
//! | CreateVpcEndpointServiceConfiguration | NetworkLoadBalancerArns[], AcceptanceRequired?, PrivateDnsName?, Name? | `{"ServiceConfiguration":{ServiceId, ServiceName, ServiceType, ServiceState, AvailabilityZones, AcceptanceRequired, NetworkLoadBalancerArns, BaseEndpointDnsNames, PrivateDnsName}}` |
//! | DeleteVpcEndpointServiceConfigurations | ServiceIds[] | `{"Unsuccessful":[{ResourceId, Error:{Code, Message}}]}` |
//! | DescribeVpcEndpointServiceConfigurations | ServiceIds[]?, Filters? | `{"ServiceConfigurations":[ServiceConfiguration]}` |
//! | DescribeVpcEndpointServices | ServiceNames[]?, Filters? | `{"ServiceNames":[…], "ServiceDetails":[{ServiceName, ServiceId?, ServiceType, AvailabilityZones, Owner, AcceptanceRequired, PrivateDnsName?}]}` |
//! | ModifyVpcEndpointServicePermissions | ServiceId, AddAllowedPrincipals[]?, RemoveAllowedPrincipals[]? | `{"ReturnValue":true}` |
//! | DescribeVpcEndpointServicePermissions | ServiceId, Filters? | `{"AllowedPrincipals":[{PrincipalType, Principal}]}` |
//! | DescribeVpcEndpointConnections | ServiceId?, Filters? | `{"VpcEndpointConnections":[{ServiceId, VpcEndpointId, VpcEndpointOwner, VpcEndpointState, CreationTimestamp, DnsEntries, NetworkLoadBalancerArns}]}` |
//! | AcceptVpcEndpointConnections | ServiceId, VpcEndpointIds[] | `{"Unsuccessful":[…]}` |
//! | RejectVpcEndpointConnections | ServiceId, VpcEndpointIds[] | `{"Unsuccessful":[…]}` |
//! | CreateVpcEndpoint | VpcId, ServiceName, VpcEndpointType?, Name?; PolicyDocument? (default only); Interface: SubnetIds[], IpAddresses[]? or SubnetConfigurations[{SubnetId, Ipv4}]?, SecurityGroupIds[]?, PrivateDnsEnabled?; Gateway: RouteTableIds[]? | `{"VpcEndpoint":{VpcEndpointId, VpcEndpointType, VpcId, ServiceName, State, OwnerId, SubnetIds, RouteTableIds, Groups:[{GroupId, GroupName}], PrivateDnsEnabled, NetworkInterfaceIds, NetworkInterfaces:[{NetworkInterfaceId, SubnetId, AvailabilityZone, PrivateIpAddress}], DnsEntries:[{DnsName}], CreationTimestamp, Tags}}` |
//! | ModifyVpcEndpoint | VpcEndpointId, PolicyDocument? (default only), ResetPolicy?; Gateway: AddRouteTableIds[]?, RemoveRouteTableIds[]?; Interface: AddSubnetIds[]?, RemoveSubnetIds[]?, AddSecurityGroupIds[]?, RemoveSecurityGroupIds[]?, PrivateDnsEnabled? | `{"Return":true}` |
//! | DescribeVpcEndpoints | VpcEndpointIds[]?, VpcId?, Filters? | `{"VpcEndpoints":[VpcEndpoint]}` |
//! | DeleteVpcEndpoints | VpcEndpointIds[] | `{"Unsuccessful":[…]}` |
//! | DescribePrefixLists | PrefixListIds[]?, Filters? | `{"PrefixLists":[{PrefixListId, PrefixListName, Cidrs}]}` |
//! | CreateTags | Resources[], Tags[{Key, Value?}] | `{"Return":true}` |
//! | DeleteTags | Resources[], Tags[{Key, Value?}]? | `{"Return":true}` |
//! | DescribeTags | Filters? | `{"Tags":[{ResourceId, ResourceType, Key, Value}]}` |
//! | AddTags | ResourceArns[], Tags[{Key, Value?}] | `{}` |
//! | RemoveTags | ResourceArns[], TagKeys[] | `{}` |
//! | DescribeElbTags (ELBv2 DescribeTags) | ResourceArns[] | `{"TagDescriptions":[{ResourceArn, Tags}]}` |
//! | DescribeVpcAttribute | VpcId, Attribute (`enableDnsSupport` \| `enableDnsHostnames` \| `enableNetworkAddressUsageMetrics`) | `{"VpcId", "EnableDnsSupport"\|…:{"Value"}}` |
//! | ModifyVpcAttribute | VpcId, one of EnableDnsSupport / EnableDnsHostnames / EnableNetworkAddressUsageMetrics `{"Value":bool}` | `{"Return":true}` |
//! | ModifyVpcEndpointServiceConfiguration | ServiceId, AcceptanceRequired?, PrivateDnsName? \| RemovePrivateDnsName?, AddNetworkLoadBalancerArns[]?, RemoveNetworkLoadBalancerArns[]?, AddSupportedIpAddressTypes[]? (`ipv4`) | `{"Return":true}` |
//! | DescribeNetworkInterfaces | NetworkInterfaceIds[]?, Filters[]?, MaxResults?, NextToken? | `{"NetworkInterfaces":[{NetworkInterfaceId, InterfaceType, Description, RequesterManaged, Status, SubnetId, VpcId, AvailabilityZone, PrivateIpAddress, Groups, OwnerId, Attachment?}]}` |
//! | DescribeLoadBalancerAttributes | LoadBalancerArn | `{"Attributes":[{Key, Value}]}` (deletion_protection.enabled, load_balancing.cross_zone.enabled, access_logs.s3.*, …) |
//! | ModifyLoadBalancerAttributes | LoadBalancerArn, Attributes[{Key, Value}] | `{"Attributes":[…]}` |
//! | DescribeTargetGroupAttributes | TargetGroupArn | `{"Attributes":[{Key, Value}]}` (deregistration_delay.*, preserve_client_ip.enabled, proxy_protocol_v2.enabled, stickiness.*, load_balancing.cross_zone.enabled, …) |
//! | ModifyTargetGroupAttributes | TargetGroupArn, Attributes[{Key, Value}] | `{"Attributes":[…]}` |
//! | ModifyTargetGroup | TargetGroupArn, HealthCheckProtocol?, HealthCheckPort?, HealthCheckPath?, HealthCheckEnabled?, HealthCheckIntervalSeconds?, HealthCheckTimeoutSeconds?, HealthyThresholdCount?, UnhealthyThresholdCount?, Matcher? | `{"TargetGroups":[TargetGroup]}` |
//! | DescribeListenerAttributes | ListenerArn | `{"Attributes":[{Key:"tcp.idle_timeout.seconds", Value}]}` |
//! | ModifyListenerAttributes | ListenerArn, Attributes[{Key, Value}] | `{"Attributes":[…]}` |
//! | ModifyListener | ListenerArn, Port?, Protocol?, DefaultActions[{Type:"forward", TargetGroupArn}]? | `{"Listeners":[Listener]}` |
//! | DescribeSecurityGroupRules | SecurityGroupRuleIds[]?, Filters[]?, MaxResults?, NextToken? | `{"SecurityGroupRules":[{SecurityGroupRuleId, GroupId, GroupOwnerId, IsEgress, IpProtocol, FromPort, ToPort, CidrIpv4}]}` |
//! | AuthorizeSecurityGroupEgress | as AuthorizeSecurityGroupIngress (ranges are destinations) | `{"Return":true, "SecurityGroupRules":[SecurityGroupRule]}` |
//! | RevokeSecurityGroupEgress | as Authorize, or GroupId + SecurityGroupRuleIds[] | `{"Return":true}` |
//! | DescribeInstanceAttribute | InstanceId, Attribute (`disableApiTermination`, `instanceInitiatedShutdownBehavior`, `userData`, `sourceDestCheck`, `groupSet`, …) | `{"InstanceId", <Attribute>:{"Value"}\|[…]}` |
//! | ModifyInstanceAttribute | InstanceId, one of SourceDestCheck / DisableApiStop / DisableApiTermination / EbsOptimized / EnaSupport / InstanceInitiatedShutdownBehavior / UserData / InstanceType `{"Value"}`, Groups[], or Attribute + Value | `{"Return":true}` |
//! | DescribeInstanceTypes | InstanceTypes[]?, Filters[]?, MaxResults?, NextToken? | `{"InstanceTypes":[InstanceTypeInfo]}` |
//! | DescribeInstanceCreditSpecifications | InstanceIds[]?, Filters[]?, MaxResults?, NextToken? | `{"InstanceCreditSpecifications":[{InstanceId, CpuCredits}]}` |
//! | DescribeVolumes | VolumeIds[]?, Filters[]?, MaxResults?, NextToken? | `{"Volumes":[]}` |
//! | DescribeImages | ImageIds[]?, Owners[]?, Filters[]?, MaxResults?, NextToken? | `{"Images":[Image]}` (every well-formed AMI ID exists) |
//! | ModifySubnetAttribute | SubnetId, one of MapPublicIpOnLaunch / EnableResourceNameDnsARecordOnLaunch `{"Value"}`, PrivateDnsHostnameTypeOnLaunch, or an IPv6 / customer-owned one as false | `{"Return":true}` |
//! | DescribeCapacityReservation | LoadBalancerArn | `{"CapacityReservationState":[{AvailabilityZone, EffectiveCapacityUnits:0, State:{Code}}], "DecreaseRequestsRemaining":0}` |
//! | DescribeAvailabilityZones | ZoneNames[]?, ZoneIds[]?, AllAvailabilityZones?, Filters? | `{"AvailabilityZones":[{ZoneName, ZoneId, RegionName, State, …}]}` |
//! | DescribeRegions | RegionNames[]?, AllRegions?, Filters? | `{"Regions":[{RegionName, Endpoint, OptInStatus}]}` |
//! | DescribeAccountAttributes | AttributeNames[]? | `{"AccountAttributes":[{AttributeName, AttributeValues:[{AttributeValue}]}]}` |
//! | DescribeNetworkAcls | NetworkAclIds[]?, Filters? | `{"NetworkAcls":[{NetworkAclId, VpcId, IsDefault, Entries, Associations}]}` (one default allow-all ACL per VPC) |
//! | GetCallerIdentity (STS) | | `{"Account", "Arn", "UserId"}` |
//!
//! Actions not in this table (e.g. `GetStats`, `DescribeFlows`, `Trace`) are offered to the data
//! plane ([`crate::Fabric::query`]); unknown to both → `InvalidAction`.

mod accept_vpc_endpoint_connections;
mod add_tags;
mod associate_route_table;
mod attribute_specs;
mod authorize_security_group_egress;
mod authorize_security_group_ingress;
mod call;
mod common;
mod create_listener;
mod create_load_balancer;
mod create_route;
mod create_route_table;
mod create_security_group;
mod create_subnet;
mod create_tags;
mod create_target_group;
mod create_vpc;
mod create_vpc_endpoint;
mod create_vpc_endpoint_service_configuration;
mod delete_listener;
mod delete_load_balancer;
mod delete_route;
mod delete_route_table;
mod delete_security_group;
mod delete_subnet;
mod delete_tags;
mod delete_target_group;
mod delete_vpc;
mod delete_vpc_endpoint_service_configurations;
mod delete_vpc_endpoints;
mod deregister_targets;
mod describe;
mod describe_account_attributes;
mod describe_availability_zones;
mod describe_capacity_reservation;
mod describe_elb_tags;
mod describe_images;
mod describe_instance_attribute;
mod describe_instance_credit_specifications;
mod describe_instance_types;
mod describe_instances;
mod describe_listener_attributes;
mod describe_listeners;
mod describe_load_balancer_attributes;
mod describe_load_balancers;
mod describe_network_acls;
mod describe_network_interfaces;
mod describe_prefix_lists;
mod describe_regions;
mod describe_route_tables;
mod describe_security_group_rules;
mod describe_security_groups;
mod describe_subnets;
mod describe_tags;
mod describe_target_group_attributes;
mod describe_target_groups;
mod describe_target_health;
mod describe_volumes;
mod describe_vpc_attribute;
mod describe_vpc_endpoint_connections;
mod describe_vpc_endpoint_service_configurations;
mod describe_vpc_endpoint_service_permissions;
mod describe_vpc_endpoint_services;
mod describe_vpc_endpoints;
mod describe_vpcs;
mod disassociate_route_table;
mod elb_attributes;
mod endpoint_service_params;
mod get_caller_identity;
mod health_check;
mod listener_rules;
mod modify_instance_attribute;
mod modify_listener;
mod modify_listener_attributes;
mod modify_load_balancer_attributes;
mod modify_subnet_attribute;
mod modify_target_group;
mod modify_target_group_attributes;
mod modify_vpc_attribute;
mod modify_vpc_endpoint;
mod modify_vpc_endpoint_service_configuration;
mod modify_vpc_endpoint_service_permissions;
mod permissions;
mod register_targets;
mod reject_vpc_endpoint_connections;
mod remove_tags;
mod request;
mod revoke_security_group_egress;
mod revoke_security_group_ingress;
mod run_instances;
mod tagging;
mod targets;
mod terminate_instances;
#[cfg(test)]
mod testkit;
mod validate;
mod view;

use serde_json::Value;

pub use call::{Service, service};
pub use request::{Nested, Params, Request, rfc3339};

use call::Call;

use crate::error::{ApiError, codes};
use crate::model::State;

/// A read-only operation.
pub type ReadOp = fn(&State, &Request) -> Result<Value, ApiError>;
/// A mutating operation.
pub type WriteOp = fn(&mut State, &Request) -> Result<Value, ApiError>;

/// An operation of the API.
#[derive(Clone, Copy)]
pub enum Operation {
    Read(ReadOp),
    Write(WriteOp),
}

/// Every action the API implements, in the order of the table above.
pub const ACTIONS: &[&str] = &[
    "CreateVpc",
    "DeleteVpc",
    "DescribeVpcs",
    "CreateSubnet",
    "DeleteSubnet",
    "DescribeSubnets",
    "CreateRouteTable",
    "DeleteRouteTable",
    "AssociateRouteTable",
    "DisassociateRouteTable",
    "CreateRoute",
    "DeleteRoute",
    "DescribeRouteTables",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "AuthorizeSecurityGroupIngress",
    "RevokeSecurityGroupIngress",
    "DescribeSecurityGroups",
    "RunInstances",
    "TerminateInstances",
    "DescribeInstances",
    "CreateLoadBalancer",
    "DeleteLoadBalancer",
    "DescribeLoadBalancers",
    "CreateTargetGroup",
    "DeleteTargetGroup",
    "DescribeTargetGroups",
    "RegisterTargets",
    "DeregisterTargets",
    "DescribeTargetHealth",
    "CreateListener",
    "DeleteListener",
    "DescribeListeners",
    "CreateVpcEndpointServiceConfiguration",
    "DeleteVpcEndpointServiceConfigurations",
    "DescribeVpcEndpointServiceConfigurations",
    "DescribeVpcEndpointServices",
    "ModifyVpcEndpointServicePermissions",
    "DescribeVpcEndpointServicePermissions",
    "DescribeVpcEndpointConnections",
    "AcceptVpcEndpointConnections",
    "RejectVpcEndpointConnections",
    "CreateVpcEndpoint",
    "ModifyVpcEndpoint",
    "DescribeVpcEndpoints",
    "DeleteVpcEndpoints",
    "DescribePrefixLists",
    "CreateTags",
    "DeleteTags",
    "DescribeTags",
    "AddTags",
    "RemoveTags",
    "DescribeElbTags",
    "DescribeVpcAttribute",
    "ModifyVpcAttribute",
    "ModifyVpcEndpointServiceConfiguration",
    "DescribeNetworkInterfaces",
    "DescribeLoadBalancerAttributes",
    "ModifyLoadBalancerAttributes",
    "DescribeTargetGroupAttributes",
    "ModifyTargetGroupAttributes",
    "ModifyTargetGroup",
    "DescribeListenerAttributes",
    "ModifyListenerAttributes",
    "ModifyListener",
    "DescribeSecurityGroupRules",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupEgress",
    "DescribeInstanceAttribute",
    "ModifyInstanceAttribute",
    "DescribeInstanceTypes",
    "DescribeInstanceCreditSpecifications",
    "DescribeVolumes",
    "DescribeImages",
    "ModifySubnetAttribute",
    "DescribeCapacityReservation",
    "DescribeAvailabilityZones",
    "DescribeRegions",
    "DescribeAccountAttributes",
    "DescribeNetworkAcls",
    "GetCallerIdentity",
];

/// The operation named `action`, if the API implements it.
pub fn operation(action: &str) -> Option<Operation> {
    Some(match action {
        "CreateVpc" => Operation::Write(create_vpc::run),
        "DeleteVpc" => Operation::Write(delete_vpc::run),
        "DescribeVpcs" => Operation::Read(describe_vpcs::run),
        "CreateSubnet" => Operation::Write(create_subnet::run),
        "DeleteSubnet" => Operation::Write(delete_subnet::run),
        "DescribeSubnets" => Operation::Read(describe_subnets::run),
        "CreateRouteTable" => Operation::Write(create_route_table::run),
        "DeleteRouteTable" => Operation::Write(delete_route_table::run),
        "AssociateRouteTable" => Operation::Write(associate_route_table::run),
        "DisassociateRouteTable" => Operation::Write(disassociate_route_table::run),
        "CreateRoute" => Operation::Write(create_route::run),
        "DeleteRoute" => Operation::Write(delete_route::run),
        "DescribeRouteTables" => Operation::Read(describe_route_tables::run),
        "CreateSecurityGroup" => Operation::Write(create_security_group::run),
        "DeleteSecurityGroup" => Operation::Write(delete_security_group::run),
        "AuthorizeSecurityGroupIngress" => Operation::Write(authorize_security_group_ingress::run),
        "RevokeSecurityGroupIngress" => Operation::Write(revoke_security_group_ingress::run),
        "DescribeSecurityGroups" => Operation::Read(describe_security_groups::run),
        "RunInstances" => Operation::Write(run_instances::run),
        "TerminateInstances" => Operation::Write(terminate_instances::run),
        "DescribeInstances" => Operation::Read(describe_instances::run),
        "CreateLoadBalancer" => Operation::Write(create_load_balancer::run),
        "DeleteLoadBalancer" => Operation::Write(delete_load_balancer::run),
        "DescribeLoadBalancers" => Operation::Read(describe_load_balancers::run),
        "CreateTargetGroup" => Operation::Write(create_target_group::run),
        "DeleteTargetGroup" => Operation::Write(delete_target_group::run),
        "DescribeTargetGroups" => Operation::Read(describe_target_groups::run),
        "RegisterTargets" => Operation::Write(register_targets::run),
        "DeregisterTargets" => Operation::Write(deregister_targets::run),
        "DescribeTargetHealth" => Operation::Read(describe_target_health::run),
        "CreateListener" => Operation::Write(create_listener::run),
        "DeleteListener" => Operation::Write(delete_listener::run),
        "DescribeListeners" => Operation::Read(describe_listeners::run),
        "CreateVpcEndpointServiceConfiguration" => {
            Operation::Write(create_vpc_endpoint_service_configuration::run)
        }
        "DeleteVpcEndpointServiceConfigurations" => {
            Operation::Write(delete_vpc_endpoint_service_configurations::run)
        }
        "DescribeVpcEndpointServiceConfigurations" => {
            Operation::Read(describe_vpc_endpoint_service_configurations::run)
        }
        "DescribeVpcEndpointServices" => Operation::Read(describe_vpc_endpoint_services::run),
        "ModifyVpcEndpointServicePermissions" => {
            Operation::Write(modify_vpc_endpoint_service_permissions::run)
        }
        "DescribeVpcEndpointServicePermissions" => {
            Operation::Read(describe_vpc_endpoint_service_permissions::run)
        }
        "DescribeVpcEndpointConnections" => Operation::Read(describe_vpc_endpoint_connections::run),
        "AcceptVpcEndpointConnections" => Operation::Write(accept_vpc_endpoint_connections::run),
        "RejectVpcEndpointConnections" => Operation::Write(reject_vpc_endpoint_connections::run),
        "CreateVpcEndpoint" => Operation::Write(create_vpc_endpoint::run),
        "ModifyVpcEndpoint" => Operation::Write(modify_vpc_endpoint::run),
        "DescribeVpcEndpoints" => Operation::Read(describe_vpc_endpoints::run),
        "DeleteVpcEndpoints" => Operation::Write(delete_vpc_endpoints::run),
        "DescribePrefixLists" => Operation::Read(describe_prefix_lists::run),
        "CreateTags" => Operation::Write(create_tags::run),
        "DeleteTags" => Operation::Write(delete_tags::run),
        "DescribeTags" => Operation::Read(describe_tags::run),
        "AddTags" => Operation::Write(add_tags::run),
        "RemoveTags" => Operation::Write(remove_tags::run),
        "DescribeElbTags" => Operation::Read(describe_elb_tags::run),
        "DescribeVpcAttribute" => Operation::Read(describe_vpc_attribute::run),
        "ModifyVpcAttribute" => Operation::Write(modify_vpc_attribute::run),
        "ModifyVpcEndpointServiceConfiguration" => {
            Operation::Write(modify_vpc_endpoint_service_configuration::run)
        }
        "DescribeNetworkInterfaces" => Operation::Read(describe_network_interfaces::run),
        "DescribeLoadBalancerAttributes" => Operation::Read(describe_load_balancer_attributes::run),
        "ModifyLoadBalancerAttributes" => Operation::Write(modify_load_balancer_attributes::run),
        "DescribeTargetGroupAttributes" => Operation::Read(describe_target_group_attributes::run),
        "ModifyTargetGroupAttributes" => Operation::Write(modify_target_group_attributes::run),
        "ModifyTargetGroup" => Operation::Write(modify_target_group::run),
        "DescribeListenerAttributes" => Operation::Read(describe_listener_attributes::run),
        "ModifyListenerAttributes" => Operation::Write(modify_listener_attributes::run),
        "ModifyListener" => Operation::Write(modify_listener::run),
        "DescribeSecurityGroupRules" => Operation::Read(describe_security_group_rules::run),
        "AuthorizeSecurityGroupEgress" => Operation::Write(authorize_security_group_egress::run),
        "RevokeSecurityGroupEgress" => Operation::Write(revoke_security_group_egress::run),
        "DescribeInstanceAttribute" => Operation::Read(describe_instance_attribute::run),
        "ModifyInstanceAttribute" => Operation::Write(modify_instance_attribute::run),
        "DescribeInstanceTypes" => Operation::Read(describe_instance_types::run),
        "DescribeInstanceCreditSpecifications" => {
            Operation::Read(describe_instance_credit_specifications::run)
        }
        "DescribeVolumes" => Operation::Read(describe_volumes::run),
        "DescribeImages" => Operation::Read(describe_images::run),
        "ModifySubnetAttribute" => Operation::Write(modify_subnet_attribute::run),
        "DescribeCapacityReservation" => Operation::Read(describe_capacity_reservation::run),
        "DescribeAvailabilityZones" => Operation::Read(describe_availability_zones::run),
        "DescribeRegions" => Operation::Read(describe_regions::run),
        "DescribeAccountAttributes" => Operation::Read(describe_account_attributes::run),
        "DescribeNetworkAcls" => Operation::Read(describe_network_acls::run),
        "GetCallerIdentity" => Operation::Read(get_caller_identity::run),
        _ => return None,
    })
}

/// True if `action` is an API operation that changes the state.
pub fn is_mutating(action: &str) -> bool {
    matches!(operation(action), Some(Operation::Write(_)))
}

/// The `InvalidAction` error for `action`.
pub fn invalid_action(action: &str) -> ApiError {
    ApiError::new(
        codes::INVALID_ACTION,
        format!(
            "The action {action} is not valid for this web service; see the privlink-control api docs for the list"
        ),
    )
}

/// Re-renders, from the committed `state`, the parts of a mutation's answer that show
/// fabric-owned fields: the answer is built before the fabric applies the change, and only the
/// fabric knows, e.g., whether it had to create a VPC's namespace (`NetnsManaged`).
pub fn with_fabric_fields(state: &State, mut out: Value) -> Value {
    let vpc = out.pointer("/Vpc/VpcId").and_then(Value::as_str).and_then(|id| state.vpcs.get(id));
    if let Some(v) = vpc {
        out["Vpc"] = view::vpc(v);
    }
    out
}

/// Runs `req` against `state`, with `DryRun` and `ClientToken` handled as `api/call.rs` says.
/// Contract: on `Err`, `state` may be partly modified, so callers pass a scratch copy and keep
/// it only on `Ok` (the [`crate::Controller`] does).
pub fn dispatch(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    let op = operation(&req.action).ok_or_else(|| invalid_action(&req.action))?;
    let call = Call::read(req)?;
    if let Some(answer) = call.replay(state, req)? {
        return Ok(answer);
    }
    let out = match op {
        Operation::Read(op) => op(state, req)?,
        Operation::Write(op) => op(state, req)?,
    };
    req.reject_unused()?;
    call.finish(Some(state), out)
}

/// Runs a read-only `req` against `state`; `InvalidAction` for anything else.
pub fn query(state: &State, req: &Request) -> Result<Value, ApiError> {
    let Some(Operation::Read(op)) = operation(&req.action) else {
        return Err(invalid_action(&req.action));
    };
    let call = Call::read(req)?;
    let out = op(state, req)?;
    req.reject_unused()?;
    call.finish(None, out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::testkit::*;

    #[test]
    fn every_listed_action_dispatches_and_describes_do_not_mutate() {
        assert_eq!(ACTIONS.len(), 81);
        for action in ACTIONS {
            let op = operation(action).unwrap_or_else(|| panic!("{action} has no operation"));
            let read = matches!(op, Operation::Read(_));
            assert_eq!(read, action.starts_with("Describe") || action.starts_with("Get"), "{action}");
        }
    }

    #[test]
    fn unknown_actions_and_parameters_are_errors() {
        let mut s = State::new();
        fails(&mut s, json!({"Action": "CreateVpcs"}), codes::INVALID_ACTION, "CreateVpcs");
        fails(&mut s, json!({"Action": "DescribeVpcs", "VpcID": "x"}), codes::UNKNOWN_PARAMETER, "VpcID");
        let req = Request::parse(&json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16"})).unwrap();
        assert_eq!(query(&s, &req).unwrap_err().code, codes::INVALID_ACTION);
        assert!(is_mutating("CreateVpc") && !is_mutating("DescribeVpcs") && !is_mutating("GetStats"));
    }
}
