//! What the table output of each command shows (see [`super::table`] for the path syntax).

use super::table::Table;

const VPC: &[(&str, &str)] = &[
    ("VpcId", "/VpcId"),
    ("Name", "/Tags"),
    ("CidrBlock", "/CidrBlock"),
    ("Netns", "/Netns"),
    ("Owner", "/OwnerId"),
];
pub const VPC_ONE: &[Table] = &[Table { path: "Vpc", columns: VPC }];
pub const VPCS: &[Table] = &[Table { path: "Vpcs/*", columns: VPC }];

const SUBNET: &[(&str, &str)] = &[
    ("SubnetId", "/SubnetId"),
    ("Name", "/Tags"),
    ("VpcId", "/VpcId"),
    ("CidrBlock", "/CidrBlock"),
    ("AvailabilityZone", "/AvailabilityZone"),
    ("FreeIps", "/AvailableIpAddressCount"),
];
pub const SUBNET_ONE: &[Table] = &[Table { path: "Subnet", columns: SUBNET }];
pub const SUBNETS: &[Table] = &[Table { path: "Subnets/*", columns: SUBNET }];

const INSTANCE: &[(&str, &str)] = &[
    ("InstanceId", "/InstanceId"),
    ("Name", "/Tags"),
    ("PrivateIpAddress", "/PrivateIpAddress"),
    ("SubnetId", "/SubnetId"),
    ("VpcId", "/VpcId"),
    ("AvailabilityZone", "/Placement/AvailabilityZone"),
];
pub const INSTANCE_ONE: &[Table] = &[Table { path: "Instances/*", columns: INSTANCE }];
pub const INSTANCES: &[Table] = &[Table { path: "Reservations/*/Instances/*", columns: INSTANCE }];
pub const TERMINATED: &[Table] = &[Table {
    path: "TerminatingInstances/*",
    columns: &[("InstanceId", "/InstanceId"), ("State", "/CurrentState/Name")],
}];

const ROUTE_TABLE: &[(&str, &str)] = &[
    ("RouteTableId", "/RouteTableId"),
    ("Name", "/Tags"),
    ("VpcId", "/VpcId"),
    ("Main", "/Associations/*/Main"),
    ("Subnets", "/Associations/*/SubnetId"),
];
const ROUTE: &[(&str, &str)] = &[
    ("RouteTableId", "^/RouteTableId"),
    ("Destination", "/DestinationCidrBlock|/DestinationPrefixListId"),
    ("Target", "/GatewayId"),
    ("State", "/State"),
];
pub const ROUTE_TABLE_ONE: &[Table] = &[Table { path: "RouteTable", columns: ROUTE_TABLE }];
pub const ROUTE_TABLES: &[Table] = &[Table { path: "RouteTables/*", columns: ROUTE_TABLE }];
pub const ROUTES: &[Table] = &[Table { path: "RouteTables/*/Routes/*", columns: ROUTE }];
pub const ASSOCIATION: &[Table] = &[Table { path: "", columns: &[("AssociationId", "/AssociationId")] }];

pub const GROUP_ID: &[Table] = &[Table { path: "", columns: &[("GroupId", "/GroupId")] }];
const RULE: &[(&str, &str)] = &[
    ("RuleId", "/SecurityGroupRuleId"),
    ("GroupId", "/GroupId"),
    ("Protocol", "/IpProtocol"),
    ("FromPort", "/FromPort"),
    ("ToPort", "/ToPort"),
    ("Source", "/CidrIpv4"),
];
pub const RULES: &[Table] = &[Table { path: "SecurityGroupRules/*", columns: RULE }];
pub const SECURITY_GROUPS: &[Table] = &[
    Table {
        path: "SecurityGroups/*",
        columns: &[
            ("GroupId", "/GroupId"),
            ("GroupName", "/GroupName"),
            ("VpcId", "/VpcId"),
            ("Description", "/Description"),
        ],
    },
    Table { path: "SecurityGroups/*/IpPermissions/*", columns: RULE },
];

pub const LOAD_BALANCERS: &[Table] = &[
    Table {
        path: "LoadBalancers/*",
        columns: &[
            ("Name", "/LoadBalancerName"),
            ("VpcId", "/VpcId"),
            ("CrossZone", "/CrossZoneEnabled"),
            ("DNSName", "/DNSName"),
            ("LoadBalancerArn", "/LoadBalancerArn"),
        ],
    },
    Table {
        path: "LoadBalancers/*/AvailabilityZones/*",
        columns: &[
            ("Name", "^/LoadBalancerName"),
            ("AvailabilityZone", "/ZoneName"),
            ("SubnetId", "/SubnetId"),
            ("NodeIp", "/LoadBalancerAddresses/*/PrivateIPv4Address"),
        ],
    },
];

pub const TARGET_GROUPS: &[Table] = &[Table {
    path: "TargetGroups/*",
    columns: &[
        ("Name", "/TargetGroupName"),
        ("Protocol", "/Protocol"),
        ("Port", "/Port"),
        ("TargetType", "/TargetType"),
        ("VpcId", "/VpcId"),
        ("HealthCheck", "/HealthCheckProtocol"),
        ("TargetGroupArn", "/TargetGroupArn"),
    ],
}];
pub const TARGET_HEALTH: &[Table] = &[Table {
    path: "TargetHealthDescriptions/*",
    columns: &[
        ("Target", "/Target/Id"),
        ("Port", "/Target/Port"),
        ("HealthCheckPort", "/HealthCheckPort"),
        ("State", "/TargetHealth/State"),
    ],
}];

pub const LISTENERS: &[Table] = &[Table {
    path: "Listeners/*",
    columns: &[
        ("Protocol", "/Protocol"),
        ("Port", "/Port"),
        ("TargetGroupArn", "/DefaultActions/*/TargetGroupArn"),
        ("ListenerArn", "/ListenerArn"),
    ],
}];

const SERVICE: &[(&str, &str)] = &[
    ("ServiceId", "/ServiceId"),
    ("ServiceName", "/ServiceName"),
    ("AcceptanceRequired", "/AcceptanceRequired"),
    ("AvailabilityZones", "/AvailabilityZones"),
    ("PrivateDnsName", "/PrivateDnsName"),
];
pub const SERVICE_ONE: &[Table] = &[Table { path: "ServiceConfiguration", columns: SERVICE }];
pub const SERVICES: &[Table] = &[Table { path: "ServiceConfigurations/*", columns: SERVICE }];
pub const AVAILABLE_SERVICES: &[Table] = &[Table {
    path: "ServiceDetails/*",
    columns: &[
        ("ServiceName", "/ServiceName"),
        ("Type", "/ServiceType/*/ServiceType"),
        ("Owner", "/Owner"),
        ("AcceptanceRequired", "/AcceptanceRequired"),
        ("AvailabilityZones", "/AvailabilityZones"),
    ],
}];
pub const PERMISSIONS: &[Table] = &[Table {
    path: "AllowedPrincipals/*",
    columns: &[("PrincipalType", "/PrincipalType"), ("Principal", "/Principal")],
}];
pub const CONNECTIONS: &[Table] = &[Table {
    path: "VpcEndpointConnections/*",
    columns: &[
        ("VpcEndpointId", "/VpcEndpointId"),
        ("Owner", "/VpcEndpointOwner"),
        ("State", "/VpcEndpointState"),
        ("ServiceId", "/ServiceId"),
        ("CreationTimestamp", "/CreationTimestamp"),
    ],
}];

const ENDPOINT: &[(&str, &str)] = &[
    ("VpcEndpointId", "/VpcEndpointId"),
    ("Name", "/Tags"),
    ("Type", "/VpcEndpointType"),
    ("VpcId", "/VpcId"),
    ("State", "/State"),
    ("ServiceName", "/ServiceName"),
    ("RouteTables", "/RouteTableIds"),
];
const ENI: &[(&str, &str)] = &[
    ("VpcEndpointId", "^/VpcEndpointId"),
    ("NetworkInterfaceId", "/NetworkInterfaceId"),
    ("SubnetId", "/SubnetId"),
    ("AvailabilityZone", "/AvailabilityZone"),
    ("PrivateIpAddress", "/PrivateIpAddress"),
];
const DNS: &[(&str, &str)] = &[("VpcEndpointId", "^/VpcEndpointId"), ("DnsName", "/DnsName")];
pub const ENDPOINT_ONE: &[Table] = &[
    Table { path: "VpcEndpoint", columns: ENDPOINT },
    Table { path: "VpcEndpoint/NetworkInterfaces/*", columns: ENI },
    Table { path: "VpcEndpoint/DnsEntries/*", columns: DNS },
];
pub const ENDPOINTS: &[Table] = &[
    Table { path: "VpcEndpoints/*", columns: ENDPOINT },
    Table { path: "VpcEndpoints/*/NetworkInterfaces/*", columns: ENI },
    Table { path: "VpcEndpoints/*/DnsEntries/*", columns: DNS },
];

pub const PREFIX_LISTS: &[Table] = &[Table {
    path: "PrefixLists/*",
    columns: &[("PrefixListId", "/PrefixListId"), ("PrefixListName", "/PrefixListName"), ("Cidrs", "/Cidrs")],
}];

pub const FLOWS: &[Table] = &[Table {
    path: "Flows/*",
    columns: &[
        ("Proto", "/Protocol"),
        ("Kind", "/Kind"),
        ("State", "/State"),
        ("IngressVpc", "/IngressVpcId"),
        ("Source", "/Source"),
        ("Destination", "/Destination"),
        ("EgressVpc", "/EgressVpcId"),
        ("TranslatedSource", "/TranslatedSource"),
        ("TranslatedDestination", "/TranslatedDestination"),
        ("Packets", "/Packets"),
        ("Bytes", "/Bytes"),
        ("ReplyPackets", "/ReplyPackets"),
        ("ReplyBytes", "/ReplyBytes"),
        ("IdleMs", "/IdleMs"),
    ],
}];
pub const STATS: &[Table] = &[
    Table {
        path: "Stats",
        columns: &[
            ("Forwarded", "/Forwarded"),
            ("Bytes", "/ForwardedBytes"),
            ("Dropped", "/Dropped"),
            ("ActiveFlows", "/ActiveFlows"),
            ("FlowsCreated", "/FlowsCreated"),
            ("RxErrors", "/RxErrors"),
            ("TxErrors", "/TxErrors"),
            ("Workers", "/Workers"),
            ("Io", "/Io"),
            ("Offloads", "/Offloads"),
        ],
    },
    Table {
        path: "Stats/Devices/*",
        columns: &[
            ("VpcId", "/VpcId"),
            ("Netns", "/Netns"),
            ("ToFabricPackets", "/ToFabricPackets"),
            ("FromFabricPackets", "/FromFabricPackets"),
            ("QueueDrops", "/QueueDrops"),
        ],
    },
];
pub const TRACE: &[Table] = &[Table {
    path: "Trace",
    columns: &[
        ("Verdict", "/Verdict"),
        ("DropReason", "/DropReason"),
        ("EgressVpc", "/EgressVpcId"),
        ("TranslatedSource", "/TranslatedSource"),
        ("TranslatedDestination", "/TranslatedDestination"),
    ],
}];
