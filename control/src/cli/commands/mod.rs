//! The CLI's commands (clap derive) and the API request each one sends, one file per
//! resource family.
//!
//! Own-kind IDs are positional (`privlink vpc delete prov`); references to other resources are
//! flags (`--vpc`, `--subnet`, …). Every ID argument also takes a unique Name tag (the daemon
//! resolves it). Lists are comma-separated.

mod elb;
mod network;
mod privatelink;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};

use super::table::Table;
use super::views as v;
use elb::{ListenerCmd, NlbCmd, TargetGroupCmd};
use network::{InstanceCmd, RouteCmd, RouteTableCmd, SecurityGroupCmd, SubnetCmd, VpcCmd};
use privatelink::{EndpointCmd, EndpointServiceCmd, PrefixListCmd};

/// What a command sends and how its answer is shown as a table.
pub struct Call {
    pub action: &'static str,
    pub params: Value,
    pub view: View,
}

/// How a successful answer is shown in table mode.
pub enum View {
    Tables(&'static [Table]),
    /// The answer carries nothing to show: print `ok`.
    Done,
    /// A batch answer: print `ok`, or report each `Unsuccessful` item as an error.
    Unsuccessful,
    /// `GetStats`: the counters table, then every non-zero drop reason.
    Stats,
    /// `Trace`: the numbered decision steps, then the verdict table.
    Trace,
    /// `GetCredentials`: one `export AWS_…=…` line for the shell to `eval`.
    Exports,
    /// `privlink api`: the answer as JSON, whatever the output format.
    Json,
}

/// Builds a [`Call`], dropping absent (`null`) and empty-list parameters.
fn call(action: &'static str, params: Value, view: View) -> Call {
    let Value::Object(map) = params else { unreachable!("params are objects") };
    let kept: Map<String, Value> =
        map.into_iter().filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty())).collect();
    Call { action, params: Value::Object(kept), view }
}

/// `true` → `Some(true)`, `false` → absent (so the API default applies).
fn flag(on: bool) -> Option<bool> {
    on.then_some(true)
}

#[derive(Subcommand)]
pub enum Command {
    /// VPCs: each one a Linux network namespace.
    #[command(subcommand)]
    Vpc(VpcCmd),
    /// Subnets of a VPC, each in one availability zone.
    #[command(subcommand)]
    Subnet(SubnetCmd),
    /// Instances: a private IP address on the `lo` of the VPC's namespace.
    #[command(subcommand)]
    Instance(InstanceCmd),
    /// Route tables and their subnet associations.
    #[command(subcommand)]
    RouteTable(RouteTableCmd),
    /// Blackhole routes in a route table (matching packets are dropped).
    #[command(subcommand)]
    Route(RouteCmd),
    /// Security groups and their ingress rules (they guard interface endpoint ENIs).
    #[command(subcommand)]
    SecurityGroup(SecurityGroupCmd),
    /// Network load balancers (internal NLBs, one node per subnet).
    #[command(subcommand)]
    Nlb(NlbCmd),
    /// NLB target groups (target type ip or instance) and their targets.
    #[command(subcommand)]
    TargetGroup(TargetGroupCmd),
    /// NLB listeners: a protocol and port forwarding to a target group.
    #[command(subcommand)]
    Listener(ListenerCmd),
    /// Endpoint services (the provider side of PrivateLink).
    #[command(subcommand)]
    EndpointService(EndpointServiceCmd),
    /// VPC endpoints, the consumer side: interface (ENIs) and gateway (prefix-list routes).
    #[command(subcommand)]
    Endpoint(EndpointCmd),
    /// Managed prefix lists of the gateway services (S3, DynamoDB).
    #[command(subcommand)]
    PrefixList(PrefixListCmd),
    /// Describe every resource of one kind that the account can see.
    Describe {
        /// Resource kind to list.
        kind: Kind,
    },
    /// Data-plane counters: forwarded, dropped (by reason), flows (GetStats; data plane).
    Stats,
    /// Active flows with their NAT translation (DescribeFlows; data plane).
    Flows,
    /// Where would this packet go? Runs the pipeline on a synthetic packet (Trace; data plane).
    Trace(TraceArgs),
    /// Send any action by its API name, e.g. `privlink api DescribeVpcs` or
    /// `privlink api CreateVpc CidrBlock=10.1.0.0/16 'TagSpecifications=[…]'`.
    #[command(after_long_help = crate::api::action_list())]
    Api(ApiArgs),
    /// Access key of the account (--account) for the AWS API, created if needed; prints
    /// `export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… AWS_DEFAULT_REGION=… AWS_ENDPOINT_URL=…`
    /// for `eval "$(privlink credentials --account 222222222222)"`.
    Credentials,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    /// DescribeVpcs.
    Vpcs,
    /// DescribeSubnets.
    Subnets,
    /// DescribeInstances.
    Instances,
    /// DescribeRouteTables.
    RouteTables,
    /// DescribeSecurityGroups.
    SecurityGroups,
    /// DescribeLoadBalancers.
    Nlbs,
    /// DescribeTargetGroups.
    TargetGroups,
    /// DescribeListeners.
    Listeners,
    /// DescribeVpcEndpointServiceConfigurations (your services).
    EndpointServices,
    /// DescribeVpcEndpoints (your endpoints).
    Endpoints,
    /// DescribeVpcEndpointConnections (endpoints connected to your services).
    Connections,
    /// DescribePrefixLists.
    PrefixLists,
}

#[derive(Args)]
pub struct TraceArgs {
    /// VPC the packet enters from: ID or unique Name tag.
    #[arg(long)]
    vpc: String,
    /// Source IPv4 address (an address in that VPC), e.g. 10.0.1.10.
    #[arg(long)]
    src: String,
    /// Destination IPv4 address, e.g. an endpoint ENI 10.0.1.50 or S3's 198.51.100.10.
    #[arg(long)]
    dst: String,
    /// IP protocol: tcp, udp or icmp.
    #[arg(long, default_value = "tcp")]
    proto: String,
    /// Source port, 0-65535 (the data plane uses 1 when omitted).
    #[arg(long)]
    sport: Option<u16>,
    /// Destination port, 0-65535, e.g. 443 (0 when omitted).
    #[arg(long)]
    dport: Option<u16>,
}

#[derive(Args)]
pub struct ApiArgs {
    /// The action, as the API names it (`privlink api --help` lists them).
    action: String,
    /// Parameters as KEY=VALUE; VALUE is taken as JSON when it is JSON (numbers, true,
    /// ["a","b"], {"Key":"v"}), else as a string.
    params: Vec<String>,
}

impl ApiArgs {
    fn into_call(self) -> Result<Call, String> {
        let op = crate::api::operation(&self.action)
            .ok_or_else(|| format!("unknown action '{}' (privlink api --help lists them)", self.action))?;
        let mut params = Map::new();
        for p in self.params {
            let (key, value) =
                p.split_once('=').ok_or_else(|| format!("parameter '{p}' is not KEY=VALUE"))?;
            let value = serde_json::from_str(value).unwrap_or_else(|_| Value::from(value));
            if params.insert(key.to_owned(), value).is_some() {
                return Err(format!("parameter {key} is given twice"));
            }
        }
        Ok(Call { action: op.name, params: Value::Object(params), view: View::Json })
    }
}

impl Command {
    /// The request this command sends; `Err` is a usage error found after parsing.
    pub fn into_call(self) -> Result<Call, String> {
        Ok(match self {
            Command::Vpc(c) => c.into_call(),
            Command::Subnet(c) => c.into_call(),
            Command::Instance(c) => c.into_call(),
            Command::RouteTable(c) => c.into_call(),
            Command::Route(c) => c.into_call(),
            Command::SecurityGroup(c) => c.into_call()?,
            Command::Nlb(c) => c.into_call(),
            Command::TargetGroup(c) => c.into_call(),
            Command::Listener(c) => c.into_call(),
            Command::EndpointService(c) => c.into_call(),
            Command::Endpoint(c) => c.into_call(),
            Command::PrefixList(PrefixListCmd::List) => {
                call("DescribePrefixLists", json!({}), View::Tables(v::PREFIX_LISTS))
            }
            Command::Describe { kind } => kind.describe(),
            Command::Stats => call("GetStats", json!({}), View::Stats),
            Command::Credentials => call("GetCredentials", json!({}), View::Exports),
            Command::Api(a) => a.into_call()?,
            Command::Flows => call("DescribeFlows", json!({}), View::Tables(v::FLOWS)),
            Command::Trace(t) => call(
                "Trace",
                json!({"VpcId": t.vpc, "Source": t.src, "Destination": t.dst, "Protocol": t.proto,
                       "SourcePort": t.sport, "DestinationPort": t.dport}),
                View::Trace,
            ),
        })
    }
}

impl Kind {
    fn describe(self) -> Call {
        let (action, view) = match self {
            Kind::Vpcs => ("DescribeVpcs", v::VPCS),
            Kind::Subnets => ("DescribeSubnets", v::SUBNETS),
            Kind::Instances => ("DescribeInstances", v::INSTANCES),
            Kind::RouteTables => ("DescribeRouteTables", v::ROUTE_TABLES),
            Kind::SecurityGroups => ("DescribeSecurityGroups", v::SECURITY_GROUPS),
            Kind::Nlbs => ("DescribeLoadBalancers", v::LOAD_BALANCERS),
            Kind::TargetGroups => ("DescribeTargetGroups", v::TARGET_GROUPS),
            Kind::Listeners => ("DescribeListeners", v::LISTENERS),
            Kind::EndpointServices => ("DescribeVpcEndpointServiceConfigurations", v::SERVICES),
            Kind::Endpoints => ("DescribeVpcEndpoints", v::ENDPOINTS),
            Kind::Connections => ("DescribeVpcEndpointConnections", v::CONNECTIONS),
            Kind::PrefixLists => ("DescribePrefixLists", v::PREFIX_LISTS),
        };
        call(action, json!({}), View::Tables(view))
    }
}
