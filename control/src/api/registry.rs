//! The one table of operations: every action privlink answers, with what dispatch, the AWS
//! front, the CLI and the docs need to know of it. Adding an operation is one file under
//! `api/` plus one entry in [`OPERATIONS`]; nothing else lists actions.
//!
//! Invariants (checked by the tests below against the embedded botocore models):
//! - names are unique, and so are `(service, wire)` pairs;
//! - an operation of an AWS service ([`Service::Ec2`], [`Service::Elbv2`], [`Service::Sts`])
//!   is in that service's model under its wire name, and every operation of the models is
//!   here; an operation whose model input has `ClientToken` is marked [`Operation::client_token`];
//! - reads ([`Kind::Read`]) are exactly the `Describe*`/`Get*` actions of the AWS services;
//! - socket-only actions ([`Service::Privlink`]) are answered by the data plane or the
//!   controller and never reach the AWS front.

use std::fmt::Write as _;

use serde_json::Value;

use super::describe::Listing;
use super::outcome::Outcome;
use super::request::Request;
use super::*;
use crate::error::ApiError;
use crate::model::State;

/// A read-only operation.
pub type ReadOp = fn(&State, &Request) -> Result<Value, ApiError>;
/// A mutating operation: it changes the state and says what its answer shows.
pub type WriteOp = fn(&mut State, &Request) -> Result<Outcome, ApiError>;

/// The API an action belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Ec2,
    Elbv2,
    Sts,
    /// privlink's own actions, served on the control socket only.
    Privlink,
}

impl Service {
    /// The SigV4 signing name of an AWS service (`None` for privlink's own actions).
    pub fn signing_name(self) -> Option<&'static str> {
        match self {
            Service::Ec2 => Some("ec2"),
            Service::Elbv2 => Some("elasticloadbalancing"),
            Service::Sts => Some("sts"),
            Service::Privlink => None,
        }
    }

    /// The AWS service whose SigV4 signing name is `name`.
    pub fn signed_as(name: &str) -> Option<Service> {
        [Service::Ec2, Service::Elbv2, Service::Sts].into_iter().find(|s| s.signing_name() == Some(name))
    }

    /// How the docs and the CLI name the service.
    pub fn label(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Elbv2 => "elbv2",
            Service::Sts => "sts",
            Service::Privlink => "privlink",
        }
    }
}

/// Who answers an operation.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Reads one committed snapshot.
    Read(ReadOp),
    /// Changes the state under the controller's writer lock.
    Write(WriteOp),
    /// The data plane's read-only views ([`crate::Inspect`]).
    DataPlane,
    /// The controller itself (the access keys of the AWS front).
    Credentials,
}

/// One operation of the API.
#[derive(Clone, Copy)]
pub struct Operation {
    /// The action name requests carry (unique across services).
    pub name: &'static str,
    /// The name on the AWS wire (differs only where two services share a name: ELBv2's
    /// `DescribeTags` is `DescribeElbTags` here).
    pub wire: &'static str,
    pub service: Service,
    pub kind: Kind,
    /// Whether the call takes `ClientToken` (see `api/call.rs`).
    pub client_token: bool,
    /// The listing rules of a Describe* that filters or pages (`api/describe.rs`).
    pub listing: Option<&'static Listing>,
    /// The parameters, for the docs (`?` optional, `[]` list).
    pub params: &'static str,
    /// The answer's shape, for the docs.
    pub result: &'static str,
}

impl Operation {
    const fn new(service: Service, name: &'static str, kind: Kind) -> Operation {
        Operation {
            name,
            wire: name,
            service,
            kind,
            client_token: false,
            listing: None,
            params: "",
            result: "",
        }
    }
    const fn read(service: Service, name: &'static str, op: ReadOp) -> Operation {
        Operation::new(service, name, Kind::Read(op))
    }
    const fn write(service: Service, name: &'static str, op: WriteOp) -> Operation {
        Operation::new(service, name, Kind::Write(op))
    }
    const fn wire(self, wire: &'static str) -> Operation {
        Operation { wire, ..self }
    }
    const fn client_token(self) -> Operation {
        Operation { client_token: true, ..self }
    }
    const fn listing(self, listing: &'static Listing) -> Operation {
        Operation { listing: Some(listing), ..self }
    }
    const fn doc(self, params: &'static str, result: &'static str) -> Operation {
        Operation { params, result, ..self }
    }

    /// Whether the operation changes the state.
    pub fn is_mutating(&self) -> bool {
        matches!(self.kind, Kind::Write(_))
    }

    /// Whether the operation takes `DryRun` (every EC2 action does).
    pub fn takes_dry_run(&self) -> bool {
        self.service == Service::Ec2
    }
}

use Service::{Ec2, Elbv2, Privlink, Sts};

/// Every operation, grouped by resource as the docs list them.
pub static OPERATIONS: &[Operation] = &[
    Operation::write(Ec2, "CreateVpc", create_vpc::run)
        .doc("CidrBlock, Name?, Netns?, EnableDnsHostnames?", r#"`{"Vpc":{VpcId, OwnerId, CidrBlock, State, Tags, Netns, NetnsManaged, MainRouteTableId, DefaultSecurityGroupId}}`"#),
    Operation::write(Ec2, "DeleteVpc", delete_vpc::run)
        .doc("VpcId", r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeVpcs", describe_vpcs::run).listing(&describe_vpcs::LISTING)
        .doc("VpcIds[]?, Filters?", r#"`{"Vpcs":[Vpc]}`"#),
    Operation::write(Ec2, "CreateSubnet", create_subnet::run)
        .doc("VpcId, CidrBlock, AvailabilityZone?, Name?", r#"`{"Subnet":{SubnetId, VpcId, CidrBlock, AvailabilityZone, AvailableIpAddressCount, Tags}}`"#),
    Operation::write(Ec2, "DeleteSubnet", delete_subnet::run)
        .doc("SubnetId", r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeSubnets", describe_subnets::run).listing(&describe_subnets::LISTING)
        .doc("SubnetIds[]?, VpcId?, Filters?", r#"`{"Subnets":[Subnet]}`"#),
    Operation::write(Ec2, "CreateRouteTable", create_route_table::run).client_token()
        .doc("VpcId, Name?", r#"`{"RouteTable":{RouteTableId, VpcId, Routes:[{DestinationCidrBlock | DestinationPrefixListId, GatewayId?, State, Origin}], Associations:[{RouteTableAssociationId, SubnetId?, Main}], Tags}}`"#),
    Operation::write(Ec2, "DeleteRouteTable", delete_route_table::run)
        .doc("RouteTableId", r#"`{"Return":true}`"#),
    Operation::write(Ec2, "AssociateRouteTable", associate_route_table::run)
        .doc("RouteTableId, SubnetId", r#"`{"AssociationId", "AssociationState":{"State":"associated"}}`"#),
    Operation::write(Ec2, "DisassociateRouteTable", disassociate_route_table::run)
        .doc("AssociationId | SubnetId", r#"`{"Return":true}`"#),
    Operation::write(Ec2, "CreateRoute", create_route::run)
        .doc("RouteTableId, DestinationCidrBlock, Target? (`blackhole`)", r#"`{"Return":true}`"#),
    Operation::write(Ec2, "DeleteRoute", delete_route::run)
        .doc("RouteTableId, DestinationCidrBlock", r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeRouteTables", describe_route_tables::run).listing(&describe_route_tables::LISTING)
        .doc("RouteTableIds[]?, VpcId?, Filters?", r#"`{"RouteTables":[RouteTable]}`"#),
    Operation::write(Ec2, "CreateSecurityGroup", create_security_group::run)
        .doc("VpcId, GroupName, Description?", r#"`{"GroupId", "Tags"}`"#),
    Operation::write(Ec2, "DeleteSecurityGroup", delete_security_group::run)
        .doc("GroupId", r#"`{"Return":true}`"#),
    Operation::write(Ec2, "AuthorizeSecurityGroupIngress", authorize_security_group_ingress::run)
        .doc("GroupId, IpPermissions[{IpProtocol, FromPort?, ToPort?, IpRanges[{CidrIp}]}] | IpProtocol, FromPort?, ToPort?, CidrIp", r#"`{"Return":true, "SecurityGroupRules":[SecurityGroupRule]}`"#),
    Operation::write(Ec2, "RevokeSecurityGroupIngress", revoke_security_group_ingress::run)
        .doc("as Authorize, or GroupId + SecurityGroupRuleIds[]", r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeSecurityGroups", describe_security_groups::run).listing(&describe_security_groups::LISTING)
        .doc("GroupIds[]?, GroupNames[]?, VpcId?, Filters?", r#"`{"SecurityGroups":[{GroupId, GroupName, Description, VpcId, IpPermissions, IpPermissionsEgress}]}`"#),
    Operation::write(Ec2, "RunInstances", run_instances::run).client_token()
        .doc("SubnetId, PrivateIpAddress?, Name?, ImageId?, InstanceType?, MinCount?/MaxCount? (1), SecurityGroupIds[]?, SecurityGroups[]?, UserData?, DisableApiTermination?, DisableApiStop?, InstanceInitiatedShutdownBehavior?, EbsOptimized?, Monitoring?, Placement?, CreditSpecification?", r#"`{"ReservationId", "OwnerId", "Instances":[{InstanceId, ImageId, InstanceType, SubnetId, VpcId, PrivateIpAddress, PrivateDnsName, State, Placement:{AvailabilityZone}, SecurityGroups, NetworkInterfaces, Tags, …}]}`"#),
    Operation::write(Ec2, "TerminateInstances", terminate_instances::run)
        .doc("InstanceIds[]", r#"`{"TerminatingInstances":[{InstanceId, CurrentState, PreviousState}]}`"#),
    Operation::read(Ec2, "DescribeInstances", describe_instances::run).listing(&describe_instances::LISTING)
        .doc("InstanceIds[]?, VpcId?, Filters?", r#"`{"Reservations":[{ReservationId, OwnerId, Instances:[Instance]}]}`"#),
    Operation::write(Elbv2, "CreateLoadBalancer", create_load_balancer::run)
        .doc("Name, Subnets[], Type (`network`), Scheme? (`internal`), CrossZone?", r#"`{"LoadBalancers":[{LoadBalancerArn, LoadBalancerName, DNSName, Scheme, Type, VpcId, State:{Code}, AvailabilityZones:[{ZoneName, SubnetId, LoadBalancerAddresses:[{PrivateIPv4Address}]}], CrossZoneEnabled}]}`"#),
    Operation::write(Elbv2, "DeleteLoadBalancer", delete_load_balancer::run)
        .doc("LoadBalancerArn", "`{}`"),
    Operation::read(Elbv2, "DescribeLoadBalancers", describe_load_balancers::run).listing(&describe_load_balancers::LISTING)
        .doc("LoadBalancerArns[]?, Names[]?", r#"`{"LoadBalancers":[LoadBalancer]}`"#),
    Operation::write(Elbv2, "CreateTargetGroup", create_target_group::run)
        .doc(
            "Name, Protocol, Port, VpcId, TargetType? (ip|instance), HealthCheckProtocol?, HealthCheckPort?, HealthCheckPath?, HealthCheckEnabled?, HealthCheckIntervalSeconds?, HealthCheckTimeoutSeconds?, HealthyThresholdCount?, UnhealthyThresholdCount?, Matcher?",
            r#"`{"TargetGroups":[{TargetGroupArn, TargetGroupName, Protocol, Port, VpcId, TargetType, HealthCheck…, LoadBalancerArns}]}`"#,
        ),
    Operation::write(Elbv2, "DeleteTargetGroup", delete_target_group::run)
        .doc("TargetGroupArn", "`{}`"),
    Operation::read(Elbv2, "DescribeTargetGroups", describe_target_groups::run).listing(&describe_target_groups::LISTING)
        .doc("TargetGroupArns[]?, Names[]?, LoadBalancerArn?", r#"`{"TargetGroups":[TargetGroup]}`"#),
    Operation::write(Elbv2, "RegisterTargets", register_targets::run)
        .doc("TargetGroupArn, Targets[{Id (IP, or instance ID: required in `instance` groups), Port?}]", "`{}`"),
    Operation::write(Elbv2, "DeregisterTargets", deregister_targets::run)
        .doc("TargetGroupArn, Targets[{Id, Port?}]", "`{}`"),
    Operation::read(Elbv2, "DescribeTargetHealth", describe_target_health::run)
        .doc("TargetGroupArn, Targets[{Id, Port?}]?", r#"`{"TargetHealthDescriptions":[{Target:{Id, Port}, HealthCheckPort, TargetHealth:{State}}]}`"#),
    Operation::write(Elbv2, "CreateListener", create_listener::run)
        .doc(r#"LoadBalancerArn, Protocol, Port, DefaultActions[{Type:"forward", TargetGroupArn}]"#, r#"`{"Listeners":[{ListenerArn, LoadBalancerArn, Port, Protocol, DefaultActions}]}`"#),
    Operation::write(Elbv2, "DeleteListener", delete_listener::run)
        .doc("ListenerArn", "`{}`"),
    Operation::read(Elbv2, "DescribeListeners", describe_listeners::run).listing(&describe_listeners::LISTING)
        .doc("ListenerArns[]?, LoadBalancerArn?", r#"`{"Listeners":[Listener]}`"#),
    Operation::write(Ec2, "CreateVpcEndpointServiceConfiguration", create_vpc_endpoint_service_configuration::run).client_token()
        .doc("NetworkLoadBalancerArns[], AcceptanceRequired?, PrivateDnsName?, Name?", r#"`{"ServiceConfiguration":{ServiceId, ServiceName, ServiceType, ServiceState, AvailabilityZones, AcceptanceRequired, NetworkLoadBalancerArns, BaseEndpointDnsNames, PrivateDnsName}}`"#),
    Operation::write(Ec2, "DeleteVpcEndpointServiceConfigurations", delete_vpc_endpoint_service_configurations::run)
        .doc("ServiceIds[]", r#"`{"Unsuccessful":[{ResourceId, Error:{Code, Message}}]}`"#),
    Operation::read(Ec2, "DescribeVpcEndpointServiceConfigurations", describe_vpc_endpoint_service_configurations::run).listing(&describe_vpc_endpoint_service_configurations::LISTING)
        .doc("ServiceIds[]?, Filters?", r#"`{"ServiceConfigurations":[ServiceConfiguration]}`"#),
    Operation::read(Ec2, "DescribeVpcEndpointServices", describe_vpc_endpoint_services::run).listing(&describe_vpc_endpoint_services::LISTING)
        .doc("ServiceNames[]?, Filters?", r#"`{"ServiceNames":[…], "ServiceDetails":[{ServiceName, ServiceId?, ServiceType, AvailabilityZones, Owner, AcceptanceRequired, PrivateDnsName?}]}`"#),
    Operation::write(Ec2, "ModifyVpcEndpointServicePermissions", modify_vpc_endpoint_service_permissions::run)
        .doc("ServiceId, AddAllowedPrincipals[]?, RemoveAllowedPrincipals[]?", r#"`{"ReturnValue":true}`"#),
    Operation::read(Ec2, "DescribeVpcEndpointServicePermissions", describe_vpc_endpoint_service_permissions::run).listing(&describe_vpc_endpoint_service_permissions::LISTING)
        .doc("ServiceId, Filters?", r#"`{"AllowedPrincipals":[{PrincipalType, Principal}]}`"#),
    Operation::read(Ec2, "DescribeVpcEndpointConnections", describe_vpc_endpoint_connections::run).listing(&describe_vpc_endpoint_connections::LISTING)
        .doc("ServiceId?, Filters?", r#"`{"VpcEndpointConnections":[{ServiceId, VpcEndpointId, VpcEndpointOwner, VpcEndpointState, CreationTimestamp, DnsEntries, NetworkLoadBalancerArns}]}`"#),
    Operation::write(Ec2, "AcceptVpcEndpointConnections", accept_vpc_endpoint_connections::run)
        .doc("ServiceId, VpcEndpointIds[]", r#"`{"Unsuccessful":[…]}`"#),
    Operation::write(Ec2, "RejectVpcEndpointConnections", reject_vpc_endpoint_connections::run)
        .doc("ServiceId, VpcEndpointIds[]", r#"`{"Unsuccessful":[…]}`"#),
    Operation::write(Ec2, "CreateVpcEndpoint", create_vpc_endpoint::run).client_token()
        .doc("VpcId, ServiceName, VpcEndpointType?, Name?; PolicyDocument? (default only); Interface: SubnetIds[], IpAddresses[]? or SubnetConfigurations[{SubnetId, Ipv4}]?, SecurityGroupIds[]?, PrivateDnsEnabled?; Gateway: RouteTableIds[]?", r#"`{"VpcEndpoint":{VpcEndpointId, VpcEndpointType, VpcId, ServiceName, State, OwnerId, SubnetIds, RouteTableIds, Groups:[{GroupId, GroupName}], PrivateDnsEnabled, NetworkInterfaceIds, NetworkInterfaces:[{NetworkInterfaceId, SubnetId, AvailabilityZone, PrivateIpAddress}], DnsEntries:[{DnsName}], CreationTimestamp, Tags}}`"#),
    Operation::write(Ec2, "ModifyVpcEndpoint", modify_vpc_endpoint::run)
        .doc("VpcEndpointId, PolicyDocument? (default only), ResetPolicy?; Gateway: AddRouteTableIds[]?, RemoveRouteTableIds[]?; Interface: AddSubnetIds[]?, RemoveSubnetIds[]?, AddSecurityGroupIds[]?, RemoveSecurityGroupIds[]?, PrivateDnsEnabled?", r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeVpcEndpoints", describe_vpc_endpoints::run).listing(&describe_vpc_endpoints::LISTING)
        .doc("VpcEndpointIds[]?, VpcId?, Filters?", r#"`{"VpcEndpoints":[VpcEndpoint]}`"#),
    Operation::write(Ec2, "DeleteVpcEndpoints", delete_vpc_endpoints::run)
        .doc("VpcEndpointIds[]", r#"`{"Unsuccessful":[…]}`"#),
    Operation::read(Ec2, "DescribePrefixLists", describe_prefix_lists::run).listing(&describe_prefix_lists::LISTING)
        .doc("PrefixListIds[]?, Filters?", r#"`{"PrefixLists":[{PrefixListId, PrefixListName, Cidrs}]}`"#),
    Operation::write(Ec2, "CreateTags", create_tags::run)
        .doc("Resources[], Tags[{Key, Value?}]", r#"`{"Return":true}`"#),
    Operation::write(Ec2, "DeleteTags", delete_tags::run)
        .doc("Resources[], Tags[{Key, Value?}]?", r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeTags", describe_tags::run).listing(&describe_tags::LISTING)
        .doc("Filters?", r#"`{"Tags":[{ResourceId, ResourceType, Key, Value}]}`"#),
    Operation::write(Elbv2, "AddTags", add_tags::run)
        .doc("ResourceArns[], Tags[{Key, Value?}]", "`{}`"),
    Operation::write(Elbv2, "RemoveTags", remove_tags::run)
        .doc("ResourceArns[], TagKeys[]", "`{}`"),
    Operation::read(Elbv2, "DescribeElbTags", describe_elb_tags::run).wire("DescribeTags")
        .doc("ResourceArns[]", r#"`{"TagDescriptions":[{ResourceArn, Tags}]}`"#),
    Operation::read(Ec2, "DescribeVpcAttribute", describe_vpc_attribute::run)
        .doc("VpcId, Attribute (`enableDnsSupport` | `enableDnsHostnames` | `enableNetworkAddressUsageMetrics`)", r#"`{"VpcId", "EnableDnsSupport"|…:{"Value"}}`"#),
    Operation::write(Ec2, "ModifyVpcAttribute", modify_vpc_attribute::run)
        .doc(r#"VpcId, one of EnableDnsSupport / EnableDnsHostnames / EnableNetworkAddressUsageMetrics `{"Value":bool}`"#, r#"`{"Return":true}`"#),
    Operation::write(Ec2, "ModifyVpcEndpointServiceConfiguration", modify_vpc_endpoint_service_configuration::run)
        .doc("ServiceId, AcceptanceRequired?, PrivateDnsName? | RemovePrivateDnsName?, AddNetworkLoadBalancerArns[]?, RemoveNetworkLoadBalancerArns[]?, AddSupportedIpAddressTypes[]? (`ipv4`)", r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeNetworkInterfaces", describe_network_interfaces::run).listing(&describe_network_interfaces::LISTING)
        .doc("NetworkInterfaceIds[]?, Filters[]?, MaxResults?, NextToken?", r#"`{"NetworkInterfaces":[{NetworkInterfaceId, InterfaceType, Description, RequesterManaged, Status, SubnetId, VpcId, AvailabilityZone, PrivateIpAddress, Groups, OwnerId, Attachment?}]}`"#),
    Operation::read(Elbv2, "DescribeLoadBalancerAttributes", describe_load_balancer_attributes::run)
        .doc("LoadBalancerArn", r#"`{"Attributes":[{Key, Value}]}` (deletion_protection.enabled, load_balancing.cross_zone.enabled, access_logs.s3.*, …)"#),
    Operation::write(Elbv2, "ModifyLoadBalancerAttributes", modify_load_balancer_attributes::run)
        .doc("LoadBalancerArn, Attributes[{Key, Value}]", r#"`{"Attributes":[…]}`"#),
    Operation::read(Elbv2, "DescribeTargetGroupAttributes", describe_target_group_attributes::run)
        .doc("TargetGroupArn", r#"`{"Attributes":[{Key, Value}]}` (deregistration_delay.*, preserve_client_ip.enabled, proxy_protocol_v2.enabled, stickiness.*, load_balancing.cross_zone.enabled, …)"#),
    Operation::write(Elbv2, "ModifyTargetGroupAttributes", modify_target_group_attributes::run)
        .doc("TargetGroupArn, Attributes[{Key, Value}]", r#"`{"Attributes":[…]}`"#),
    Operation::write(Elbv2, "ModifyTargetGroup", modify_target_group::run)
        .doc("TargetGroupArn, HealthCheckProtocol?, HealthCheckPort?, HealthCheckPath?, HealthCheckEnabled?, HealthCheckIntervalSeconds?, HealthCheckTimeoutSeconds?, HealthyThresholdCount?, UnhealthyThresholdCount?, Matcher?", r#"`{"TargetGroups":[TargetGroup]}`"#),
    Operation::read(Elbv2, "DescribeListenerAttributes", describe_listener_attributes::run)
        .doc("ListenerArn", r#"`{"Attributes":[{Key:"tcp.idle_timeout.seconds", Value}]}`"#),
    Operation::write(Elbv2, "ModifyListenerAttributes", modify_listener_attributes::run)
        .doc("ListenerArn, Attributes[{Key, Value}]", r#"`{"Attributes":[…]}`"#),
    Operation::write(Elbv2, "ModifyListener", modify_listener::run)
        .doc(r#"ListenerArn, Port?, Protocol?, DefaultActions[{Type:"forward", TargetGroupArn}]?"#, r#"`{"Listeners":[Listener]}`"#),
    Operation::read(Ec2, "DescribeSecurityGroupRules", describe_security_group_rules::run).listing(&describe_security_group_rules::LISTING)
        .doc("SecurityGroupRuleIds[]?, Filters[]?, MaxResults?, NextToken?", r#"`{"SecurityGroupRules":[{SecurityGroupRuleId, GroupId, GroupOwnerId, IsEgress, IpProtocol, FromPort, ToPort, CidrIpv4}]}`"#),
    Operation::write(Ec2, "AuthorizeSecurityGroupEgress", authorize_security_group_egress::run)
        .doc("as AuthorizeSecurityGroupIngress (ranges are destinations)", r#"`{"Return":true, "SecurityGroupRules":[SecurityGroupRule]}`"#),
    Operation::write(Ec2, "RevokeSecurityGroupEgress", revoke_security_group_egress::run)
        .doc("as Authorize, or GroupId + SecurityGroupRuleIds[]", r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeInstanceAttribute", describe_instance_attribute::run)
        .doc("InstanceId, Attribute (`disableApiTermination`, `instanceInitiatedShutdownBehavior`, `userData`, `sourceDestCheck`, `groupSet`, …)", r#"`{"InstanceId", <Attribute>:{"Value"}|[…]}`"#),
    Operation::write(Ec2, "ModifyInstanceAttribute", modify_instance_attribute::run)
        .doc(r#"InstanceId, one of SourceDestCheck / DisableApiStop / DisableApiTermination / EbsOptimized / EnaSupport / InstanceInitiatedShutdownBehavior / UserData / InstanceType `{"Value"}`, Groups[], or Attribute + Value"#, r#"`{"Return":true}`"#),
    Operation::read(Ec2, "DescribeInstanceTypes", describe_instance_types::run).listing(&describe_instance_types::LISTING)
        .doc("InstanceTypes[]?, Filters[]?, MaxResults?, NextToken?", r#"`{"InstanceTypes":[InstanceTypeInfo]}`"#),
    Operation::read(Ec2, "DescribeInstanceCreditSpecifications", describe_instance_credit_specifications::run).listing(&describe_instance_credit_specifications::LISTING)
        .doc("InstanceIds[]?, Filters[]?, MaxResults?, NextToken?", r#"`{"InstanceCreditSpecifications":[{InstanceId, CpuCredits}]}`"#),
    Operation::read(Ec2, "DescribeVolumes", describe_volumes::run).listing(&describe_volumes::LISTING)
        .doc("VolumeIds[]?, Filters[]?, MaxResults?, NextToken?", r#"`{"Volumes":[]}`"#),
    Operation::read(Ec2, "DescribeImages", describe_images::run).listing(&describe_images::LISTING)
        .doc("ImageIds[]?, Owners[]?, Filters[]?, MaxResults?, NextToken?", r#"`{"Images":[Image]}` (every well-formed AMI ID exists)"#),
    Operation::write(Ec2, "ModifySubnetAttribute", modify_subnet_attribute::run)
        .doc(r#"SubnetId, one of MapPublicIpOnLaunch / EnableResourceNameDnsARecordOnLaunch `{"Value"}`, PrivateDnsHostnameTypeOnLaunch, or an IPv6 / customer-owned one as false"#, r#"`{"Return":true}`"#),
    Operation::read(Elbv2, "DescribeCapacityReservation", describe_capacity_reservation::run)
        .doc("LoadBalancerArn", r#"`{"CapacityReservationState":[{AvailabilityZone, EffectiveCapacityUnits:0, State:{Code}}], "DecreaseRequestsRemaining":0}`"#),
    Operation::read(Ec2, "DescribeAvailabilityZones", describe_availability_zones::run).listing(&describe_availability_zones::LISTING)
        .doc("ZoneNames[]?, ZoneIds[]?, AllAvailabilityZones?, Filters?", r#"`{"AvailabilityZones":[{ZoneName, ZoneId, RegionName, State, …}]}`"#),
    Operation::read(Ec2, "DescribeRegions", describe_regions::run).listing(&describe_regions::LISTING)
        .doc("RegionNames[]?, AllRegions?, Filters?", r#"`{"Regions":[{RegionName, Endpoint, OptInStatus}]}`"#),
    Operation::read(Ec2, "DescribeAccountAttributes", describe_account_attributes::run)
        .doc("AttributeNames[]?", r#"`{"AccountAttributes":[{AttributeName, AttributeValues:[{AttributeValue}]}]}`"#),
    Operation::read(Ec2, "DescribeNetworkAcls", describe_network_acls::run).listing(&describe_network_acls::LISTING)
        .doc("NetworkAclIds[]?, Filters?", r#"`{"NetworkAcls":[{NetworkAclId, VpcId, IsDefault, Entries, Associations}]}` (one default allow-all ACL per VPC)"#),
    Operation::read(Sts, "GetCallerIdentity", get_caller_identity::run)
        .doc("", r#"`{"Account", "Arn", "UserId"}`"#),
    Operation::new(Privlink, "GetStats", Kind::DataPlane).doc(
        "",
        r#"`{"Stats":{Forwarded, ForwardedBytes, Dropped, Drops:{<reason>:n}, Flows, Devices:[…], …}}`"#,
    ),
    Operation::new(Privlink, "DescribeFlows", Kind::DataPlane)
        .doc("MaxResults? (1000)", r#"`{"Flows":[{Protocol, Kind, State, Source, Destination, Translated…}], "ActiveFlows"}`"#),
    Operation::new(Privlink, "Trace", Kind::DataPlane).doc(
        "VpcId, Source, Destination, Protocol? (tcp|udp|icmp), SourcePort?, DestinationPort?",
        r#"`{"Trace":{Verdict, Steps[], EgressVpcId?, TranslatedSource?, TranslatedDestination?, DropReason?}}`"#,
    ),
    Operation::new(Privlink, "GetCredentials", Kind::Credentials)
        .doc("", r#"`{"AccessKeyId", "SecretAccessKey", "Account", "Region", "Endpoint"?}`"#),
];

/// The operation named `name`, if privlink implements it.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}

/// The operation of `service` called `wire` on the AWS wire.
pub fn on_wire(service: Service, wire: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.service == service && op.wire == wire)
}

/// The operations of one service, by name.
pub fn of(service: Service) -> impl Iterator<Item = &'static Operation> {
    OPERATIONS.iter().filter(move |op| op.service == service)
}

/// The Markdown table of every operation: `docs/aws-api.md` embeds it, and the test
/// `the_docs_list_every_operation` keeps it equal (and rewrites it with `PRIVLINK_BLESS=1`).
#[cfg(test)]
fn markdown_table() -> String {
    let mut out = String::from(
        "| service | action | parameters (`?` optional, `[]` list) | answer | filters |\n|---|---|---|---|---|\n",
    );
    for op in OPERATIONS {
        let action = match op.wire == op.name {
            true => op.name.to_owned(),
            false => format!("{} (here `{}`)", op.wire, op.name),
        };
        let filters = op.listing.map(Listing::filter_names).unwrap_or_default();
        let cell = |s: &str| s.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} | {action} | {} | {} | {} |",
            op.service.label(),
            cell(op.params),
            cell(op.result),
            filters.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        );
    }
    out
}

/// The CLI's list of actions (`privlink api --help`): one line each, by service.
pub fn action_list() -> String {
    let mut out = String::from("Actions (parameters: `?` optional, `[]` list):\n");
    for service in [Ec2, Elbv2, Sts, Privlink] {
        let _ = writeln!(out, "\n{}:", service.label());
        for op in of(service) {
            let _ = writeln!(out, "  {:<42} {}", op.name, op.params);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::aws::model::services;

    #[test]
    fn names_and_wire_names_are_unique() {
        let names: BTreeSet<_> = OPERATIONS.iter().map(|op| op.name).collect();
        assert_eq!(names.len(), OPERATIONS.len());
        let wires: BTreeSet<_> = OPERATIONS.iter().map(|op| (op.service.label(), op.wire)).collect();
        assert_eq!(wires.len(), OPERATIONS.len());
        assert_eq!(find("DescribeElbTags").map(|op| op.wire), Some("DescribeTags"));
        assert_eq!(on_wire(Elbv2, "DescribeTags").map(|op| op.name), Some("DescribeElbTags"));
        assert!(find("Frobnicate").is_none());
    }

    #[test]
    fn the_registry_is_the_botocore_models() {
        for model in services() {
            let service = Service::signed_as(model.signing_name()).expect("a served service");
            let served: BTreeSet<&str> = of(service).map(|op| op.wire).collect();
            let modelled: BTreeSet<&str> = model.operations.keys().map(String::as_str).collect();
            assert_eq!(served, modelled, "{} operations: registry vs model", service.label());
            for op in of(service) {
                let input = model.operations[op.wire].input.as_ref().map(|i| &model.shapes[&i.shape]);
                let token = input.is_some_and(|s| s.members.contains_key("ClientToken"));
                assert_eq!(op.client_token, token, "{}: ClientToken", op.name);
                let read = op.name.starts_with("Describe") || op.name.starts_with("Get");
                assert_eq!(matches!(op.kind, Kind::Read(_)), read, "{}: read-only", op.name);
                assert!(
                    !op.params.is_empty() || input.is_none_or(|s| s.members.is_empty()) || read,
                    "{}: documented",
                    op.name
                );
                assert!(!op.result.is_empty(), "{}: answer documented", op.name);
            }
        }
        assert!(of(Privlink).all(|op| matches!(op.kind, Kind::DataPlane | Kind::Credentials)));
    }

    /// privlink's own additions to AWS's answers (documented in `api/view.rs`).
    const LAB_FIELDS: &[&str] = &[
        "Netns",
        "NetnsManaged",
        "MainRouteTableId",
        "DefaultSecurityGroupId",
        "NetworkInterfaces",
        "CrossZoneEnabled",
    ];

    /// The first key of `v` that the model's `shape` does not have, as a path.
    fn unmodelled(model: &crate::aws::model::Service, shape: &str, v: &Value, path: &str) -> Option<String> {
        use crate::aws::model::Kind as K;
        let s = &model.shapes[shape];
        match (s.kind, v) {
            (K::Structure, Value::Object(map)) => map.iter().find_map(|(k, v)| match s.members.get(k) {
                Some(m) => unmodelled(model, &m.shape, v, &format!("{path}.{k}")),
                None if LAB_FIELDS.contains(&k.as_str()) => None,
                None => Some(format!("{path}.{k}")),
            }),
            (K::List, Value::Array(items)) => {
                let member = &s.member.as_ref().expect("a list has a member").shape;
                items
                    .iter()
                    .enumerate()
                    .find_map(|(n, item)| unmodelled(model, member, item, &format!("{path}[{n}]")))
            }
            _ => None,
        }
    }

    /// Every Describe* answer of a lab with each kind of resource uses only member names of its
    /// botocore output shape (plus the lab fields): the XML encoder drops unknown keys
    /// silently, so a misspelt field would vanish from the AWS front without this.
    #[test]
    fn answers_use_the_models_member_names() {
        use crate::api::testkit::*;
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (vpc, subnets) = consumer(&mut s, "cons");
        interface_endpoint(&mut s, &vpc, &[&subnets[0]], &p.service_name);
        ok(&mut s, serde_json::json!({"Action": "RunInstances", "SubnetId": p.subnets[0]}));
        let mut checked = 0;
        for model in services() {
            let service = Service::signed_as(model.signing_name()).expect("a served service");
            for op in of(service).filter(|op| matches!(op.kind, Kind::Read(_))) {
                let req = serde_json::json!({"Action": op.name, "Account": PROVIDER});
                let Ok(answer) = call(&mut s, req) else { continue }; // needs a parameter
                let out = model.operations[op.wire].output.as_ref().expect("an output shape");
                assert_eq!(unmodelled(model, &out.shape, &answer, op.name), None, "{}", op.name);
                checked += 1;
            }
        }
        assert!(checked > 20, "only {checked} Describe* answered without parameters");
        // Fields AWS always returns, which tools read without checking.
        let get = |s: &mut State, action: &str, account: &str| {
            ok(s, serde_json::json!({"Action": action, "Account": account}))
        };
        let vpcs = get(&mut s, "DescribeVpcs", PROVIDER);
        assert_eq!(vpcs["Vpcs"][0]["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"], "associated");
        assert_eq!(vpcs["Vpcs"][0]["DhcpOptionsId"], "default");
        let subnet = &get(&mut s, "DescribeSubnets", PROVIDER)["Subnets"][0];
        assert!(
            subnet["SubnetArn"].as_str().unwrap().starts_with("arn:aws:ec2:us-east-1:111111111111:subnet/")
        );
        assert_eq!(
            (subnet["Ipv6Native"].clone(), subnet["Ipv6CidrBlockAssociationSet"].clone()),
            (false.into(), serde_json::json!([]))
        );
        let lbs = get(&mut s, "DescribeLoadBalancers", PROVIDER);
        assert_eq!(lbs["LoadBalancers"][0]["CanonicalHostedZoneId"], "Z26RNL4JYFTOTI");
        let eps = get(&mut s, "DescribeVpcEndpoints", CONSUMER);
        assert_eq!(eps["VpcEndpoints"][0]["DnsEntries"][0]["HostedZoneId"], "Z7HUB22UULQXV");
    }

    /// `docs/aws-api.md` embeds [`markdown_table`] between two markers;
    /// `PRIVLINK_BLESS=1 cargo test -p privlink-control registry` rewrites it.
    #[test]
    fn the_docs_list_every_operation() {
        const BEGIN: &str = "<!-- operations: generated from control/src/api/registry.rs -->\n";
        const END: &str = "<!-- end of operations -->";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/aws-api.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let (Some(a), Some(b)) = (doc.find(BEGIN), doc.find(END)) else { panic!("{path} lacks the markers") };
        let table = markdown_table();
        if std::env::var_os("PRIVLINK_BLESS").is_some() {
            let new = format!("{}{BEGIN}{table}{}", &doc[..a], &doc[b..]);
            std::fs::write(path, new).unwrap();
        } else {
            assert_eq!(
                doc[a + BEGIN.len()..b],
                table,
                "{path} is stale: run PRIVLINK_BLESS=1 cargo test -p privlink-control registry"
            );
        }
    }
}
