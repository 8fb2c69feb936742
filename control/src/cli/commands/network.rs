//! Commands of the network resources: VPCs, subnets, instances, route tables, routes,
//! security groups.

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::View::{Done, Tables};
use super::{Call, call};
use crate::cli::views as v;

#[derive(Subcommand)]
pub enum VpcCmd {
    /// Create a VPC with its main route table and default security group (CreateVpc), with
    /// DNS support and DNS hostnames on, so endpoints in it can use private DNS names.
    Create {
        /// Name tag of the VPC, e.g. prov.
        #[arg(long)]
        name: Option<String>,
        /// IPv4 CIDR of the VPC, /16 to /28, e.g. 10.0.0.0/16 (may overlap other VPCs).
        #[arg(long)]
        cidr: String,
        /// Network namespace that stands for the VPC; created if missing; default pl-<name> (else
        /// pl-<vpc-id>).
        // The doc comment is the --help text, not markdown: `<name>` is not an HTML tag.
        #[allow(rustdoc::invalid_html_tags)]
        #[arg(long)]
        netns: Option<String>,
    },
    /// Delete a VPC that has no dependent resources left (DeleteVpc).
    Delete {
        /// VPC: ID or unique Name tag, e.g. vpc-0a1b2c3d4e5f60718 or prov.
        vpc: String,
    },
    /// Describe VPCs (DescribeVpcs).
    Describe {
        /// VPCs to show: IDs or unique Name tags; default all.
        vpcs: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum SubnetCmd {
    /// Create a subnet in a VPC (CreateSubnet).
    Create {
        /// VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: String,
        /// IPv4 CIDR inside the VPC's, /16 to /28, not overlapping its other subnets, e.g. 10.0.1.0/24.
        #[arg(long)]
        cidr: String,
        /// Availability zone, us-east-1a to us-east-1f; default us-east-1a.
        #[arg(long)]
        az: Option<String>,
        /// Name tag, e.g. prov-a.
        #[arg(long)]
        name: Option<String>,
    },
    /// Delete a subnet no instance, endpoint ENI or NLB node uses (DeleteSubnet).
    Delete {
        /// Subnet: ID or unique Name tag.
        subnet: String,
    },
    /// Describe subnets (DescribeSubnets).
    Describe {
        /// Subnets to show: IDs or unique Name tags; default all.
        subnets: Vec<String>,
        /// Only subnets of this VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum InstanceCmd {
    /// Place one address in a subnet, lowest free unless --ip (RunInstances).
    Create {
        /// Subnet: ID or unique Name tag.
        #[arg(long)]
        subnet: String,
        /// Private IPv4 address, free and inside the subnet, e.g. 10.0.1.10; default lowest free.
        #[arg(long)]
        ip: Option<String>,
        /// Name tag, e.g. web-a.
        #[arg(long)]
        name: Option<String>,
    },
    /// Terminate instances; their addresses leave the namespace (TerminateInstances).
    Delete {
        /// Instances (space-separated): IDs or unique Name tags, e.g. web-a i-0a1b2c3d4e5f60718.
        instances: Vec<String>,
    },
    /// Describe instances (DescribeInstances).
    Describe {
        /// Instances to show: IDs or unique Name tags; default all.
        instances: Vec<String>,
        /// Only instances in this VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum RouteTableCmd {
    /// Create a route table with the local route only (CreateRouteTable).
    Create {
        /// VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: String,
        /// Name tag, e.g. private.
        #[arg(long)]
        name: Option<String>,
    },
    /// Associate a subnet with a table, moving it from its current one (AssociateRouteTable).
    Associate {
        /// Route table: ID or unique Name tag.
        #[arg(long)]
        route_table: String,
        /// Subnet of the same VPC: ID or unique Name tag.
        #[arg(long)]
        subnet: String,
    },
    /// Return a subnet to its VPC's main table (DisassociateRouteTable).
    Disassociate {
        /// Subnet: ID or unique Name tag.
        #[arg(long)]
        subnet: String,
    },
    /// Show the routes of tables, one row per route (DescribeRouteTables).
    Show {
        /// Route tables: IDs or unique Name tags; default all.
        route_tables: Vec<String>,
        /// Only tables of this VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: Option<String>,
    },
    /// Describe route tables and their associations (DescribeRouteTables).
    Describe {
        /// Route tables: IDs or unique Name tags; default all.
        route_tables: Vec<String>,
        /// Only tables of this VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: Option<String>,
    },
    /// Delete a non-main table without associations or endpoint routes (DeleteRouteTable).
    Delete {
        /// Route table: ID or unique Name tag.
        route_table: String,
    },
}

#[derive(Subcommand)]
pub enum RouteCmd {
    /// Add a blackhole route: matching packets are dropped (CreateRoute).
    Create {
        /// Route table: ID or unique Name tag.
        #[arg(long)]
        route_table: String,
        /// Destination IPv4 CIDR, e.g. 10.0.2.0/24.
        #[arg(long)]
        destination: String,
    },
    /// Remove a blackhole route (DeleteRoute).
    Delete {
        /// Route table: ID or unique Name tag.
        #[arg(long)]
        route_table: String,
        /// Destination IPv4 CIDR of the route, e.g. 10.0.2.0/24.
        #[arg(long)]
        destination: String,
    },
}

#[derive(Args)]
pub struct RuleArgs {
    /// Security group: ID or unique Name tag (the group name).
    #[arg(long)]
    group: String,
    /// IP protocol: tcp, udp, icmp or all.
    #[arg(long)]
    protocol: String,
    /// tcp/udp (required): destination port P or range P-Q, e.g. 443 or 8000-8080; icmp: the
    /// ICMP type, e.g. 8 (omit for any); not with --protocol all.
    #[arg(long)]
    port: Option<String>,
    /// Source IPv4 CIDR allowed in, e.g. 10.0.0.0/16.
    #[arg(long)]
    cidr: String,
}

impl RuleArgs {
    fn params(self) -> Result<Value, String> {
        let protocol =
            if self.protocol.eq_ignore_ascii_case("all") { "-1".to_owned() } else { self.protocol };
        let (from, to) = match self.port.as_deref().map(|p| p.split_once('-').unwrap_or((p, p))) {
            None => (None, None),
            Some((a, b)) => {
                let num = |s: &str| {
                    s.parse::<i64>().map_err(|_| format!("--port: '{s}' is not a port number (use P or P-Q)"))
                };
                (Some(num(a)?), Some(num(b)?))
            }
        };
        Ok(
            json!({"GroupId": self.group, "IpProtocol": protocol, "FromPort": from, "ToPort": to, "CidrIp": self.cidr}),
        )
    }
}

#[derive(Subcommand)]
pub enum SecurityGroupCmd {
    /// Create a security group with no ingress rules (CreateSecurityGroup).
    Create {
        /// VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: String,
        /// Group name, unique in the VPC, e.g. endpoint-sg.
        #[arg(long)]
        name: String,
        /// Free-text description; default the name.
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a group that is not a VPC's default group and guards no endpoint (DeleteSecurityGroup).
    Delete {
        /// Security group: ID or unique Name tag.
        group: String,
    },
    /// Allow inbound traffic from a CIDR (AuthorizeSecurityGroupIngress).
    AuthorizeIngress(RuleArgs),
    /// Remove an ingress rule; give it exactly as authorized (RevokeSecurityGroupIngress).
    RevokeIngress(RuleArgs),
    /// Describe security groups with their rules (DescribeSecurityGroups).
    Describe {
        /// Security groups: IDs or unique Name tags; default all.
        groups: Vec<String>,
        /// Only groups of this VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: Option<String>,
    },
}

impl VpcCmd {
    pub fn into_call(self) -> Call {
        match self {
            VpcCmd::Create { name, cidr, netns } => call(
                "CreateVpc",
                json!({"Name": name, "CidrBlock": cidr, "Netns": netns, "EnableDnsHostnames": true}),
                Tables(v::VPC_ONE),
            ),
            VpcCmd::Delete { vpc } => call("DeleteVpc", json!({"VpcId": vpc}), Done),
            VpcCmd::Describe { vpcs } => call("DescribeVpcs", json!({"VpcIds": vpcs}), Tables(v::VPCS)),
        }
    }
}

impl SubnetCmd {
    pub fn into_call(self) -> Call {
        match self {
            SubnetCmd::Create { vpc, cidr, az, name } => call(
                "CreateSubnet",
                json!({"VpcId": vpc, "CidrBlock": cidr, "AvailabilityZone": az, "Name": name}),
                Tables(v::SUBNET_ONE),
            ),
            SubnetCmd::Delete { subnet } => call("DeleteSubnet", json!({"SubnetId": subnet}), Done),
            SubnetCmd::Describe { subnets, vpc } => {
                call("DescribeSubnets", json!({"SubnetIds": subnets, "VpcId": vpc}), Tables(v::SUBNETS))
            }
        }
    }
}

impl InstanceCmd {
    pub fn into_call(self) -> Call {
        match self {
            InstanceCmd::Create { subnet, ip, name } => call(
                "RunInstances",
                json!({"SubnetId": subnet, "PrivateIpAddress": ip, "Name": name}),
                Tables(v::INSTANCE_ONE),
            ),
            InstanceCmd::Delete { instances } => {
                call("TerminateInstances", json!({"InstanceIds": instances}), Tables(v::TERMINATED))
            }
            InstanceCmd::Describe { instances, vpc } => call(
                "DescribeInstances",
                json!({"InstanceIds": instances, "VpcId": vpc}),
                Tables(v::INSTANCES),
            ),
        }
    }
}

impl RouteTableCmd {
    pub fn into_call(self) -> Call {
        match self {
            RouteTableCmd::Create { vpc, name } => {
                call("CreateRouteTable", json!({"VpcId": vpc, "Name": name}), Tables(v::ROUTE_TABLE_ONE))
            }
            RouteTableCmd::Associate { route_table, subnet } => call(
                "AssociateRouteTable",
                json!({"RouteTableId": route_table, "SubnetId": subnet}),
                Tables(v::ASSOCIATION),
            ),
            RouteTableCmd::Disassociate { subnet } => {
                call("DisassociateRouteTable", json!({"SubnetId": subnet}), Done)
            }
            RouteTableCmd::Show { route_tables, vpc } => call(
                "DescribeRouteTables",
                json!({"RouteTableIds": route_tables, "VpcId": vpc}),
                Tables(v::ROUTES),
            ),
            RouteTableCmd::Describe { route_tables, vpc } => call(
                "DescribeRouteTables",
                json!({"RouteTableIds": route_tables, "VpcId": vpc}),
                Tables(v::ROUTE_TABLES),
            ),
            RouteTableCmd::Delete { route_table } => {
                call("DeleteRouteTable", json!({"RouteTableId": route_table}), Done)
            }
        }
    }
}

impl RouteCmd {
    pub fn into_call(self) -> Call {
        match self {
            RouteCmd::Create { route_table, destination } => call(
                "CreateRoute",
                json!({"RouteTableId": route_table, "DestinationCidrBlock": destination}),
                Done,
            ),
            RouteCmd::Delete { route_table, destination } => call(
                "DeleteRoute",
                json!({"RouteTableId": route_table, "DestinationCidrBlock": destination}),
                Done,
            ),
        }
    }
}

impl SecurityGroupCmd {
    pub fn into_call(self) -> Result<Call, String> {
        Ok(match self {
            SecurityGroupCmd::Create { vpc, name, description } => call(
                "CreateSecurityGroup",
                json!({"VpcId": vpc, "GroupName": name, "Description": description}),
                Tables(v::GROUP_ID),
            ),
            SecurityGroupCmd::Delete { group } => {
                call("DeleteSecurityGroup", json!({"GroupId": group}), Done)
            }
            SecurityGroupCmd::AuthorizeIngress(r) => {
                call("AuthorizeSecurityGroupIngress", r.params()?, Tables(v::RULES))
            }
            SecurityGroupCmd::RevokeIngress(r) => call("RevokeSecurityGroupIngress", r.params()?, Done),
            SecurityGroupCmd::Describe { groups, vpc } => call(
                "DescribeSecurityGroups",
                json!({"GroupIds": groups, "VpcId": vpc}),
                Tables(v::SECURITY_GROUPS),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, port: Option<&str>) -> RuleArgs {
        RuleArgs {
            group: "g".into(),
            protocol: protocol.into(),
            port: port.map(Into::into),
            cidr: "10.0.0.0/8".into(),
        }
    }

    #[test]
    fn rules_parse_port_ranges_and_all() {
        let p = call("X", rule("all", None).params().unwrap(), Done).params;
        assert_eq!(p, json!({"GroupId": "g", "IpProtocol": "-1", "CidrIp": "10.0.0.0/8"}));
        assert_eq!(rule("tcp", Some("80-90")).params().unwrap()["ToPort"], 90);
        assert_eq!(rule("tcp", Some("80")).params().unwrap()["ToPort"], 80);
        assert!(rule("tcp", Some("http")).params().unwrap_err().contains("'http'"));
    }
}
