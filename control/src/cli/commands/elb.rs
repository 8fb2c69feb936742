//! Commands of the load balancing resources: NLBs, target groups, listeners.

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::View::{Done, Tables};
use super::{Call, call, flag};
use crate::cli::views as v;

#[derive(Subcommand)]
pub enum NlbCmd {
    /// Create an internal network load balancer with one node per subnet (CreateLoadBalancer).
    Create {
        /// Load balancer name, unique in the account: 1-32 letters, digits, hyphens, e.g. web.
        #[arg(long)]
        name: String,
        /// Comma-separated subnets of one VPC, at most one per AZ: IDs or unique Name tags, e.g.
        /// prov-a,prov-b.
        #[arg(long, value_delimiter = ',', required = true)]
        subnets: Vec<String>,
        /// Enable cross-zone load balancing (default off: each node sends only to targets in its AZ).
        #[arg(long)]
        cross_zone: bool,
    },
    /// Delete a load balancer and its listeners; not while an endpoint service publishes it
    /// (DeleteLoadBalancer).
    Delete {
        /// Load balancer: ARN or name.
        nlb: String,
    },
    /// Describe load balancers with their nodes' addresses (DescribeLoadBalancers).
    Describe {
        /// Load balancers: ARNs or names; default all.
        nlbs: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum TargetGroupCmd {
    /// Create a target group of IP or instance targets (CreateTargetGroup).
    Create {
        /// Target group name, unique in the account: 1-32 letters, digits, hyphens, e.g. web.
        #[arg(long)]
        name: String,
        /// VPC of the targets: ID or unique Name tag.
        #[arg(long)]
        vpc: String,
        /// Target protocol: TCP, UDP or TCP_UDP.
        #[arg(long)]
        protocol: String,
        /// Port the targets receive traffic on, 1-65535 (default for registered targets), e.g. 8080.
        #[arg(long)]
        port: u16,
        /// How targets are registered: ip (default) or instance (by instance ID or Name).
        #[arg(long)]
        target_type: Option<String>,
        /// Health check protocol: TCP (default) or HTTP.
        #[arg(long)]
        health_check_protocol: Option<String>,
        /// Health check port: traffic-port (default, the target's port) or a port number.
        #[arg(long)]
        health_check_port: Option<String>,
        /// HTTP health check path (HTTP only), default /, e.g. /healthz.
        #[arg(long)]
        health_check_path: Option<String>,
        /// Seconds between health checks, 5-300 (default 30).
        #[arg(long)]
        health_check_interval: Option<u32>,
        /// Health check timeout in seconds, 2-120, at most the interval (default 10 TCP, 6 HTTP).
        #[arg(long)]
        health_check_timeout: Option<u32>,
        /// Consecutive successes before a target is healthy, 2-10 (default 3).
        #[arg(long)]
        healthy_threshold: Option<u32>,
        /// Consecutive failures before a target is unhealthy, 2-10 (default 3).
        #[arg(long)]
        unhealthy_threshold: Option<u32>,
    },
    /// Delete a target group no listener forwards to (DeleteTargetGroup).
    Delete {
        /// Target group: ARN or name.
        target_group: String,
    },
    /// Register targets: IP[:PORT] or INSTANCE[:PORT], comma-separated (RegisterTargets).
    // The doc comment is the --help text, not markdown: `[:PORT]` is not a link.
    #[allow(rustdoc::broken_intra_doc_links)]
    Register(TargetArgs),
    /// Deregister targets, given as they were registered (DeregisterTargets).
    Deregister(TargetArgs),
    /// Describe target groups (DescribeTargetGroups).
    Describe {
        /// Target groups: ARNs or names; default all.
        target_groups: Vec<String>,
        /// Only groups this load balancer's listeners forward to: ARN or name.
        #[arg(long)]
        nlb: Option<String>,
    },
    /// Health of each target, as the data plane's health checker last saw it (DescribeTargetHealth).
    Health {
        /// Target group: ARN or name.
        target_group: String,
    },
}

#[derive(Args)]
pub struct TargetArgs {
    /// Target group: ARN or name.
    #[arg(long)]
    target_group: String,
    /// Comma-separated IP[:PORT] or instance names/ids (port: default the group's), e.g.
    /// 10.0.1.10,10.0.2.10:8081.
    // The doc comment is the --help text, not markdown: `[:PORT]` is not a link.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long, value_delimiter = ',', required = true)]
    targets: Vec<String>,
}

impl TargetArgs {
    fn params(self) -> Value {
        let targets: Vec<Value> = self
            .targets
            .iter()
            .map(|t| match t.rsplit_once(':').and_then(|(id, p)| Some((id, p.parse::<u16>().ok()?))) {
                Some((id, port)) => json!({"Id": id, "Port": port}),
                None => json!({"Id": t}),
            })
            .collect();
        json!({"TargetGroupArn": self.target_group, "Targets": targets})
    }
}

#[derive(Subcommand)]
pub enum ListenerCmd {
    /// Create a listener forwarding a port to a target group (CreateListener).
    Create {
        /// Load balancer: ARN or name.
        #[arg(long)]
        nlb: String,
        /// Listener protocol: TCP, UDP or TCP_UDP; must match the target group's.
        #[arg(long)]
        protocol: String,
        /// Port the NLB listens on, 1-65535, e.g. 80.
        #[arg(long)]
        port: u16,
        /// Target group to forward to (same VPC, not used by another NLB): ARN or name.
        #[arg(long)]
        target_group: String,
    },
    /// Delete a listener (DeleteListener).
    Delete {
        /// Listener ARN (listeners have no name).
        listener: String,
    },
    /// Describe listeners (DescribeListeners).
    Describe {
        /// Listener ARNs; default all.
        listeners: Vec<String>,
        /// Only listeners of this load balancer: ARN or name.
        #[arg(long)]
        nlb: Option<String>,
    },
}

impl NlbCmd {
    pub fn into_call(self) -> Call {
        match self {
            NlbCmd::Create { name, subnets, cross_zone } => call(
                "CreateLoadBalancer",
                json!({"Name": name, "Type": "network", "Subnets": subnets, "CrossZone": flag(cross_zone)}),
                Tables(v::LOAD_BALANCERS),
            ),
            NlbCmd::Delete { nlb } => call("DeleteLoadBalancer", json!({"LoadBalancerArn": nlb}), Done),
            NlbCmd::Describe { nlbs } => {
                call("DescribeLoadBalancers", json!({"LoadBalancerArns": nlbs}), Tables(v::LOAD_BALANCERS))
            }
        }
    }
}

impl TargetGroupCmd {
    pub fn into_call(self) -> Call {
        match self {
            TargetGroupCmd::Create {
                name,
                vpc,
                protocol,
                port,
                target_type,
                health_check_protocol,
                health_check_port,
                health_check_path,
                health_check_interval,
                health_check_timeout,
                healthy_threshold,
                unhealthy_threshold,
            } => call(
                "CreateTargetGroup",
                json!({
                    "Name": name, "VpcId": vpc, "Protocol": protocol, "Port": port, "TargetType": target_type,
                    "HealthCheckProtocol": health_check_protocol, "HealthCheckPort": health_check_port,
                    "HealthCheckPath": health_check_path, "HealthCheckIntervalSeconds": health_check_interval,
                    "HealthCheckTimeoutSeconds": health_check_timeout, "HealthyThresholdCount": healthy_threshold,
                    "UnhealthyThresholdCount": unhealthy_threshold,
                }),
                Tables(v::TARGET_GROUPS),
            ),
            TargetGroupCmd::Delete { target_group } => {
                call("DeleteTargetGroup", json!({"TargetGroupArn": target_group}), Done)
            }
            TargetGroupCmd::Register(t) => call("RegisterTargets", t.params(), Done),
            TargetGroupCmd::Deregister(t) => call("DeregisterTargets", t.params(), Done),
            TargetGroupCmd::Describe { target_groups, nlb } => call(
                "DescribeTargetGroups",
                json!({"TargetGroupArns": target_groups, "LoadBalancerArn": nlb}),
                Tables(v::TARGET_GROUPS),
            ),
            TargetGroupCmd::Health { target_group } => call(
                "DescribeTargetHealth",
                json!({"TargetGroupArn": target_group}),
                Tables(v::TARGET_HEALTH),
            ),
        }
    }
}

impl ListenerCmd {
    pub fn into_call(self) -> Call {
        match self {
            ListenerCmd::Create { nlb, protocol, port, target_group } => call(
                "CreateListener",
                json!({"LoadBalancerArn": nlb, "Protocol": protocol, "Port": port,
                       "DefaultActions": [{"Type": "forward", "TargetGroupArn": target_group}]}),
                Tables(v::LISTENERS),
            ),
            ListenerCmd::Delete { listener } => {
                call("DeleteListener", json!({"ListenerArn": listener}), Done)
            }
            ListenerCmd::Describe { listeners, nlb } => call(
                "DescribeListeners",
                json!({"ListenerArns": listeners, "LoadBalancerArn": nlb}),
                Tables(v::LISTENERS),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_take_an_optional_port() {
        let t =
            TargetArgs { target_group: "tg".into(), targets: vec!["10.0.1.10".into(), "web-a:8080".into()] };
        assert_eq!(t.params()["Targets"], json!([{"Id": "10.0.1.10"}, {"Id": "web-a", "Port": 8080}]));
    }

    #[test]
    fn nlb_create_asks_for_a_network_load_balancer() {
        let c = NlbCmd::Create { name: "web".into(), subnets: vec!["prov-a".into()], cross_zone: false }
            .into_call();
        assert_eq!(c.action, "CreateLoadBalancer");
        assert_eq!(c.params["Type"], "network", "without Type AWS means an application load balancer");
    }
}
