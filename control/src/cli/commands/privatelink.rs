//! Commands of PrivateLink proper: endpoint services, endpoints, prefix lists.

use clap::{Args, Subcommand};
use serde_json::json;

use super::View::{Done, Tables, Unsuccessful};
use super::{Call, call};
use crate::cli::views as v;

#[derive(Args)]
pub struct PrincipalArgs {
    #[arg(long)]
    service: String,
    /// An account ID (taken as arn:aws:iam::ID:root), an IAM ARN, or '*'.
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
    #[arg(long)]
    service: String,
    #[arg(long, value_delimiter = ',', required = true)]
    endpoints: Vec<String>,
}

#[derive(Subcommand)]
pub enum EndpointServiceCmd {
    /// Publish NLBs as an endpoint service.
    Create {
        #[arg(long, value_delimiter = ',', required = true)]
        nlb: Vec<String>,
        #[arg(long)]
        acceptance_required: bool,
        #[arg(long)]
        private_dns_name: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    Delete {
        services: Vec<String>,
    },
    /// Your services (provider view).
    Describe {
        services: Vec<String>,
    },
    /// Services you may create endpoints to (consumer view).
    Available {
        #[arg(long = "service-name")]
        service_names: Vec<String>,
    },
    /// Allow principals to connect.
    Allow(PrincipalArgs),
    /// Stop allowing principals (existing endpoints stay).
    Revoke(PrincipalArgs),
    /// Allowed principals.
    Permissions {
        service: String,
    },
    /// Endpoints connected to your services.
    Connections {
        #[arg(long)]
        service: Option<String>,
    },
    Accept(DecisionArgs),
    Reject(DecisionArgs),
}

#[derive(Subcommand)]
pub enum EndpointCmd {
    Create {
        #[arg(long)]
        vpc: String,
        #[arg(long)]
        service_name: String,
        /// Interface or Gateway (default: Gateway for S3/DynamoDB, else Interface).
        #[arg(long = "type")]
        endpoint_type: Option<String>,
        #[arg(long, value_delimiter = ',')]
        subnets: Vec<String>,
        /// One ENI address per subnet, in --subnets order.
        #[arg(long, value_delimiter = ',')]
        ip_addresses: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        route_tables: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        security_groups: Vec<String>,
        /// Enable private DNS (default: on when the service has a private DNS name).
        #[arg(long, conflicts_with = "no_private_dns")]
        private_dns: bool,
        #[arg(long)]
        no_private_dns: bool,
        #[arg(long)]
        name: Option<String>,
    },
    Describe {
        endpoints: Vec<String>,
        #[arg(long)]
        vpc: Option<String>,
    },
    Delete {
        endpoints: Vec<String>,
    },
    /// Change a gateway endpoint's route tables or an interface endpoint's security groups.
    Modify {
        endpoint: String,
        #[arg(long, value_delimiter = ',')]
        add_route_tables: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        remove_route_tables: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        add_security_groups: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        remove_security_groups: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum PrefixListCmd {
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
