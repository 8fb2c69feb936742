//! Commands of the network resources: VPCs, subnets, instances, route tables, routes,
//! security groups.

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::View::{Done, Tables};
use super::{Call, call};
use crate::cli::views as v;

#[derive(Subcommand)]
pub enum VpcCmd {
    /// Create a VPC (namespace pl-NAME unless --netns).
    Create {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        cidr: String,
        #[arg(long)]
        netns: Option<String>,
    },
    Delete {
        vpc: String,
    },
    Describe {
        vpcs: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum SubnetCmd {
    Create {
        #[arg(long)]
        vpc: String,
        #[arg(long)]
        cidr: String,
        #[arg(long)]
        az: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    Delete {
        subnet: String,
    },
    Describe {
        subnets: Vec<String>,
        #[arg(long)]
        vpc: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum InstanceCmd {
    /// Place one address in a subnet (lowest free unless --ip).
    Create {
        #[arg(long)]
        subnet: String,
        #[arg(long)]
        ip: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    Delete {
        instances: Vec<String>,
    },
    Describe {
        instances: Vec<String>,
        #[arg(long)]
        vpc: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum RouteTableCmd {
    Create {
        #[arg(long)]
        vpc: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Associate a subnet with a table (moving it from its current one).
    Associate {
        #[arg(long)]
        route_table: String,
        #[arg(long)]
        subnet: String,
    },
    /// Return a subnet to its VPC's main table.
    Disassociate {
        #[arg(long)]
        subnet: String,
    },
    /// Show the routes of tables.
    Show {
        route_tables: Vec<String>,
        #[arg(long)]
        vpc: Option<String>,
    },
    Describe {
        route_tables: Vec<String>,
        #[arg(long)]
        vpc: Option<String>,
    },
    Delete {
        route_table: String,
    },
}

#[derive(Subcommand)]
pub enum RouteCmd {
    /// Add a blackhole route.
    Create {
        #[arg(long)]
        route_table: String,
        #[arg(long)]
        destination: String,
    },
    Delete {
        #[arg(long)]
        route_table: String,
        #[arg(long)]
        destination: String,
    },
}

#[derive(Args)]
pub struct RuleArgs {
    #[arg(long)]
    group: String,
    /// tcp, udp, icmp or all.
    #[arg(long)]
    protocol: String,
    /// P or P-Q (ICMP: type); not for --protocol all.
    #[arg(long)]
    port: Option<String>,
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
    Create {
        #[arg(long)]
        vpc: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    Delete {
        group: String,
    },
    AuthorizeIngress(RuleArgs),
    RevokeIngress(RuleArgs),
    Describe {
        groups: Vec<String>,
        #[arg(long)]
        vpc: Option<String>,
    },
}

impl VpcCmd {
    pub fn into_call(self) -> Call {
        match self {
            VpcCmd::Create { name, cidr, netns } => call(
                "CreateVpc",
                json!({"Name": name, "CidrBlock": cidr, "Netns": netns}),
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
