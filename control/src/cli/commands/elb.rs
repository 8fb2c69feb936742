//! Commands of the load balancing resources: NLBs, target groups, listeners.

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::View::{Done, Tables};
use super::{Call, call, flag};
use crate::cli::views as v;

#[derive(Subcommand)]
pub enum NlbCmd {
    /// Create an internal network load balancer with one node per subnet.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_delimiter = ',', required = true)]
        subnets: Vec<String>,
        #[arg(long)]
        cross_zone: bool,
    },
    Delete {
        nlb: String,
    },
    Describe {
        nlbs: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum TargetGroupCmd {
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        vpc: String,
        /// TCP, UDP or TCP_UDP.
        #[arg(long)]
        protocol: String,
        #[arg(long)]
        port: u16,
        /// TCP or HTTP.
        #[arg(long)]
        health_check_protocol: Option<String>,
        /// traffic-port or a port.
        #[arg(long)]
        health_check_port: Option<String>,
        #[arg(long)]
        health_check_path: Option<String>,
        #[arg(long)]
        health_check_interval: Option<u32>,
        #[arg(long)]
        health_check_timeout: Option<u32>,
        #[arg(long)]
        healthy_threshold: Option<u32>,
        #[arg(long)]
        unhealthy_threshold: Option<u32>,
    },
    Delete {
        target_group: String,
    },
    /// Register targets: IP[:PORT] or INSTANCE[:PORT], comma-separated.
    Register(TargetArgs),
    Deregister(TargetArgs),
    Describe {
        target_groups: Vec<String>,
        #[arg(long)]
        nlb: Option<String>,
    },
    /// Health of each target.
    Health {
        target_group: String,
    },
}

#[derive(Args)]
pub struct TargetArgs {
    #[arg(long)]
    target_group: String,
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
    Create {
        #[arg(long)]
        nlb: String,
        #[arg(long)]
        protocol: String,
        #[arg(long)]
        port: u16,
        #[arg(long)]
        target_group: String,
    },
    Delete {
        listener: String,
    },
    Describe {
        listeners: Vec<String>,
        #[arg(long)]
        nlb: Option<String>,
    },
}

impl NlbCmd {
    pub fn into_call(self) -> Call {
        match self {
            NlbCmd::Create { name, subnets, cross_zone } => call(
                "CreateLoadBalancer",
                json!({"Name": name, "Subnets": subnets, "CrossZone": flag(cross_zone)}),
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
                    "Name": name, "VpcId": vpc, "Protocol": protocol, "Port": port,
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
}
