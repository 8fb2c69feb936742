//! Commands of PrivateLink proper: endpoint services, endpoints, prefix lists.

use clap::{Args, Subcommand};
use serde_json::json;

use super::View::{Done, Tables, Unsuccessful};
use super::{Call, call};
use crate::cli::views as v;

#[derive(Args)]
pub struct PrincipalArgs {
    /// Endpoint service: ID (vpce-svc-…) or unique Name tag.
    #[arg(long)]
    service: String,
    /// Comma-separated principals: an account ID (taken as arn:aws:iam::ID:root), an IAM ARN, or '*'.
    #[arg(long = "principal", value_delimiter = ',', required = true)]
    principals: Vec<String>,
}

impl PrincipalArgs {
    fn principals(&self) -> Vec<String> {
        self.principals
            .iter()
            .map(|p| {
                if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                    format!("arn:aws:iam::{p}:root")
                } else {
                    p.clone()
                }
            })
            .collect()
    }
}

#[derive(Args)]
pub struct DecisionArgs {
    /// Endpoint service: ID (vpce-svc-…) or unique Name tag.
    #[arg(long)]
    service: String,
    /// Comma-separated VPC endpoint IDs (vpce-…), as listed by `endpoint-service connections`.
    #[arg(long, value_delimiter = ',', required = true)]
    endpoints: Vec<String>,
}

#[derive(Subcommand)]
pub enum EndpointServiceCmd {
    /// Publish NLBs as an endpoint service (CreateVpcEndpointServiceConfiguration).
    Create {
        /// Comma-separated network load balancers to publish: ARNs or names, e.g. web.
        #[arg(long, value_delimiter = ',', required = true)]
        nlb: Vec<String>,
        /// Hold new endpoints in pendingAcceptance until you accept them.
        #[arg(long)]
        acceptance_required: bool,
        /// Private DNS name for consumers' endpoints (listed in their DnsEntries), e.g. api.example.com.
        #[arg(long)]
        private_dns_name: Option<String>,
        /// Name tag of the service, e.g. websvc.
        #[arg(long)]
        name: Option<String>,
    },
    /// Delete services that have no connected endpoints left (DeleteVpcEndpointServiceConfigurations).
    Delete {
        /// Endpoint services: IDs (vpce-svc-…) or unique Name tags.
        services: Vec<String>,
    },
    /// Your services, provider view (DescribeVpcEndpointServiceConfigurations).
    Describe {
        /// Endpoint services: IDs or unique Name tags; default all.
        services: Vec<String>,
    },
    /// Services you may create endpoints to, consumer view (DescribeVpcEndpointServices).
    Available {
        /// Service name to look up (repeatable), e.g. com.amazonaws.us-east-1.s3; default all.
        #[arg(long = "service-name")]
        service_names: Vec<String>,
    },
    /// Allow principals to connect (ModifyVpcEndpointServicePermissions).
    Allow(PrincipalArgs),
    /// Stop allowing principals; existing endpoints stay (ModifyVpcEndpointServicePermissions).
    Revoke(PrincipalArgs),
    /// Allowed principals (DescribeVpcEndpointServicePermissions).
    Permissions {
        /// Endpoint service: ID (vpce-svc-…) or unique Name tag.
        service: String,
    },
    /// Endpoints (of any account) connected to your services (DescribeVpcEndpointConnections).
    Connections {
        /// Only endpoints of this service: ID or unique Name tag; default all your services.
        #[arg(long)]
        service: Option<String>,
    },
    /// Accept pending endpoints: pendingAcceptance → available (AcceptVpcEndpointConnections).
    Accept(DecisionArgs),
    /// Reject pending or available endpoints; their traffic stops (RejectVpcEndpointConnections).
    Reject(DecisionArgs),
}

#[derive(Subcommand)]
pub enum EndpointCmd {
    /// Create an interface or gateway endpoint in a VPC (CreateVpcEndpoint).
    Create {
        /// Consumer VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: String,
        /// ServiceName, e.g. com.amazonaws.vpce.us-east-1.vpce-svc-… or com.amazonaws.us-east-1.s3.
        #[arg(long)]
        service_name: String,
        /// Interface or Gateway (default: Gateway for S3/DynamoDB, else Interface).
        #[arg(long = "type")]
        endpoint_type: Option<String>,
        /// Interface: comma-separated subnets of the VPC, one per AZ: IDs or unique Name tags.
        #[arg(long, value_delimiter = ',')]
        subnets: Vec<String>,
        /// Interface: one ENI address per subnet, in --subnets order, e.g. 10.0.1.50,10.0.2.50 (default
        /// highest free).
        #[arg(long, value_delimiter = ',')]
        ip_addresses: Vec<String>,
        /// Gateway: comma-separated route tables of the VPC to get the prefix-list route: IDs or Name tags,
        /// e.g. main.
        #[arg(long, value_delimiter = ',')]
        route_tables: Vec<String>,
        /// Interface: comma-separated security groups of the VPC for the ENIs (default: the VPC's default
        /// group).
        #[arg(long, value_delimiter = ',')]
        security_groups: Vec<String>,
        /// Enable private DNS (default: on when the service has a private DNS name).
        #[arg(long, conflicts_with = "no_private_dns")]
        private_dns: bool,
        /// Disable private DNS.
        #[arg(long)]
        no_private_dns: bool,
        /// Name tag of the endpoint, e.g. to-web.
        #[arg(long)]
        name: Option<String>,
    },
    /// Your endpoints, with state, ENIs (ID, subnet, AZ, IP) and DNS names (DescribeVpcEndpoints).
    Describe {
        /// VPC endpoints: IDs (vpce-…) or unique Name tags; default all.
        endpoints: Vec<String>,
        /// Only endpoints in this VPC: ID or unique Name tag.
        #[arg(long)]
        vpc: Option<String>,
    },
    /// Delete endpoints with their ENIs or prefix-list routes (DeleteVpcEndpoints).
    Delete {
        /// VPC endpoints: IDs (vpce-…) or unique Name tags.
        endpoints: Vec<String>,
    },
    /// Change a gateway endpoint's route tables or an interface endpoint's security groups
    /// (ModifyVpcEndpoint).
    Modify {
        /// VPC endpoint: ID (vpce-…) or unique Name tag.
        endpoint: String,
        /// Gateway: comma-separated route tables to add the prefix-list route to: IDs or Name tags.
        #[arg(long, value_delimiter = ',')]
        add_route_tables: Vec<String>,
        /// Gateway: comma-separated route tables to remove the route from: IDs or Name tags.
        #[arg(long, value_delimiter = ',')]
        remove_route_tables: Vec<String>,
        /// Interface: comma-separated security groups to add: IDs or Name tags.
        #[arg(long, value_delimiter = ',')]
        add_security_groups: Vec<String>,
        /// Interface: comma-separated security groups to remove (one must remain): IDs or Name tags.
        #[arg(long, value_delimiter = ',')]
        remove_security_groups: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum PrefixListCmd {
    /// List the managed prefix lists and their CIDRs (DescribePrefixLists).
    List,
}

impl EndpointServiceCmd {
    pub fn into_call(self) -> Call {
        match self {
            EndpointServiceCmd::Create { nlb, acceptance_required, private_dns_name, name } => call(
                "CreateVpcEndpointServiceConfiguration",
                json!({"NetworkLoadBalancerArns": nlb, "AcceptanceRequired": acceptance_required,
                       "PrivateDnsName": private_dns_name, "Name": name}),
                Tables(v::SERVICE_ONE),
            ),
            EndpointServiceCmd::Delete { services } => {
                call("DeleteVpcEndpointServiceConfigurations", json!({"ServiceIds": services}), Unsuccessful)
            }
            EndpointServiceCmd::Describe { services } => call(
                "DescribeVpcEndpointServiceConfigurations",
                json!({"ServiceIds": services}),
                Tables(v::SERVICES),
            ),
            EndpointServiceCmd::Available { service_names } => call(
                "DescribeVpcEndpointServices",
                json!({"ServiceNames": service_names}),
                Tables(v::AVAILABLE_SERVICES),
            ),
            EndpointServiceCmd::Allow(p) => call(
                "ModifyVpcEndpointServicePermissions",
                json!({"ServiceId": p.service, "AddAllowedPrincipals": p.principals()}),
                Done,
            ),
            EndpointServiceCmd::Revoke(p) => call(
                "ModifyVpcEndpointServicePermissions",
                json!({"ServiceId": p.service, "RemoveAllowedPrincipals": p.principals()}),
                Done,
            ),
            EndpointServiceCmd::Permissions { service } => call(
                "DescribeVpcEndpointServicePermissions",
                json!({"ServiceId": service}),
                Tables(v::PERMISSIONS),
            ),
            EndpointServiceCmd::Connections { service } => {
                call("DescribeVpcEndpointConnections", json!({"ServiceId": service}), Tables(v::CONNECTIONS))
            }
            EndpointServiceCmd::Accept(d) => call(
                "AcceptVpcEndpointConnections",
                json!({"ServiceId": d.service, "VpcEndpointIds": d.endpoints}),
                Unsuccessful,
            ),
            EndpointServiceCmd::Reject(d) => call(
                "RejectVpcEndpointConnections",
                json!({"ServiceId": d.service, "VpcEndpointIds": d.endpoints}),
                Unsuccessful,
            ),
        }
    }
}

impl EndpointCmd {
    pub fn into_call(self) -> Call {
        match self {
            EndpointCmd::Create {
                vpc,
                service_name,
                endpoint_type,
                subnets,
                ip_addresses,
                route_tables,
                security_groups,
                private_dns,
                no_private_dns,
                name,
            } => call(
                "CreateVpcEndpoint",
                json!({
                    "VpcId": vpc, "ServiceName": service_name, "VpcEndpointType": endpoint_type,
                    "SubnetIds": subnets, "IpAddresses": ip_addresses, "RouteTableIds": route_tables,
                    "SecurityGroupIds": security_groups, "Name": name,
                    "PrivateDnsEnabled": if private_dns { Some(true) } else if no_private_dns { Some(false) } else { None },
                }),
                Tables(v::ENDPOINT_ONE),
            ),
            EndpointCmd::Describe { endpoints, vpc } => call(
                "DescribeVpcEndpoints",
                json!({"VpcEndpointIds": endpoints, "VpcId": vpc}),
                Tables(v::ENDPOINTS),
            ),
            EndpointCmd::Delete { endpoints } => {
                call("DeleteVpcEndpoints", json!({"VpcEndpointIds": endpoints}), Unsuccessful)
            }
            EndpointCmd::Modify {
                endpoint,
                add_route_tables,
                remove_route_tables,
                add_security_groups,
                remove_security_groups,
            } => call(
                "ModifyVpcEndpoint",
                json!({
                    "VpcEndpointId": endpoint, "AddRouteTableIds": add_route_tables,
                    "RemoveRouteTableIds": remove_route_tables, "AddSecurityGroupIds": add_security_groups,
                    "RemoveSecurityGroupIds": remove_security_groups,
                }),
                Done,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_become_root_principals() {
        let p = PrincipalArgs { service: "s".into(), principals: vec!["222222222222".into(), "*".into()] };
        assert_eq!(p.principals(), vec!["arn:aws:iam::222222222222:root".to_owned(), "*".to_owned()]);
    }
}
