//! The attribute tables ([`Spec`]s) of the ELBv2 resource kinds, and where the typed ones are
//! stored: what Describe*Attributes lists and Modify*Attributes accepts for load balancers,
//! target groups and listeners.
//!
//! Contract: each table lists every key AWS has for that kind of network load balancer
//! resource, with AWS's default; a key privlink acts on is read from its typed model field
//! ([`load_balancer_value`], [`target_group_value`]), every other one is recorded only (see
//! [`super::elb_attributes`]). Anything privlink would have to act on but does not is accepted
//! only at its default.

use super::elb_attributes::{Kind, Spec, recorded};
use crate::model::{ElbProtocol, LoadBalancer, TargetGroup};

/// The attributes of a network load balancer. Wired: `load_balancing.cross_zone.enabled` (node
/// and target selection), `deletion_protection.enabled` (DeleteLoadBalancer). The others are
/// recorded only: the lab has no access logs, one address type, and no DNS service in front of
/// the load balancer (its nodes are reached through endpoints).
pub const LOAD_BALANCER: &[Spec] = &[
    Spec {
        key: "access_logs.s3.enabled",
        default: "false",
        kind: Kind::DefaultOnly("privlink writes no access logs"),
    },
    Spec {
        key: "access_logs.s3.bucket",
        default: "",
        kind: Kind::DefaultOnly("privlink writes no access logs"),
    },
    Spec {
        key: "access_logs.s3.prefix",
        default: "",
        kind: Kind::DefaultOnly("privlink writes no access logs"),
    },
    Spec { key: "deletion_protection.enabled", default: "false", kind: Kind::Bool },
    Spec { key: "load_balancing.cross_zone.enabled", default: "false", kind: Kind::Bool },
    Spec { key: "ipv6.deny_all_igw_traffic", default: "true", kind: Kind::Bool },
    Spec {
        key: "dns_record.client_routing_policy",
        default: "any_availability_zone",
        kind: Kind::OneOf(&[
            "any_availability_zone",
            "availability_zone_affinity",
            "partial_availability_zone_affinity",
        ]),
    },
    Spec { key: "zonal_shift.config.enabled", default: "false", kind: Kind::Bool },
    Spec {
        key: "secondary_ips.auto_assigned.per_subnet",
        default: "0",
        kind: Kind::DefaultOnly("NLB nodes have one address each in privlink"),
    },
];

/// The current value of attribute `spec` of `lb`.
pub fn load_balancer_value(lb: &LoadBalancer, spec: &Spec) -> String {
    match spec.key {
        "deletion_protection.enabled" => lb.deletion_protection.to_string(),
        "load_balancing.cross_zone.enabled" => lb.cross_zone.to_string(),
        _ => recorded(&lb.attributes, spec),
    }
}

const NO_STICKINESS: &str =
    "privlink balances every flow by its own 5-tuple; source-IP stickiness is not emulated";
const NO_HEALTH_THRESHOLDS: &str =
    "privlink routes to the healthy targets and fails open when none is, without thresholds";

/// The attributes of a target group. Wired: `load_balancing.cross_zone.enabled` (overrides the
/// load balancer's setting for this group's flows). Recorded only: deregistration delay and
/// connection termination (deregistered targets leave at once), `preserve_client_ip.enabled`
/// (traffic through PrivateLink always arrives from NLB node addresses, on AWS as in privlink).
/// Anything privlink would have to act on but does not is accepted only at its default.
pub const TARGET_GROUP: &[Spec] = &[
    Spec { key: "deregistration_delay.timeout_seconds", default: "300", kind: Kind::Int(0, 3600) },
    Spec { key: "deregistration_delay.connection_termination.enabled", default: "false", kind: Kind::Bool },
    Spec { key: "preserve_client_ip.enabled", default: "false", kind: Kind::Bool },
    Spec {
        key: "proxy_protocol_v2.enabled",
        default: "false",
        kind: Kind::DefaultOnly("privlink sends no proxy protocol header"),
    },
    Spec { key: "stickiness.enabled", default: "false", kind: Kind::DefaultOnly(NO_STICKINESS) },
    Spec { key: "stickiness.type", default: "source_ip", kind: Kind::OneOf(&["source_ip"]) },
    Spec {
        key: "load_balancing.cross_zone.enabled",
        default: "use_load_balancer_configuration",
        kind: Kind::OneOf(&["true", "false", "use_load_balancer_configuration"]),
    },
    Spec {
        key: "target_health_state.unhealthy.connection_termination.enabled",
        default: "true",
        kind: Kind::Bool,
    },
    Spec {
        key: "target_health_state.unhealthy.draining_interval_seconds",
        default: "0",
        kind: Kind::Int(0, 360_000),
    },
    Spec {
        key: "target_group_health.dns_failover.minimum_healthy_targets.count",
        default: "1",
        kind: Kind::DefaultOnly(NO_HEALTH_THRESHOLDS),
    },
    Spec {
        key: "target_group_health.dns_failover.minimum_healthy_targets.percentage",
        default: "off",
        kind: Kind::DefaultOnly(NO_HEALTH_THRESHOLDS),
    },
    Spec {
        key: "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
        default: "1",
        kind: Kind::DefaultOnly(NO_HEALTH_THRESHOLDS),
    },
    Spec {
        key: "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
        default: "off",
        kind: Kind::DefaultOnly(NO_HEALTH_THRESHOLDS),
    },
];

/// The current value of attribute `spec` of `tg`.
pub fn target_group_value(tg: &TargetGroup, spec: &Spec) -> String {
    match spec.key {
        "load_balancing.cross_zone.enabled" => {
            tg.cross_zone.map_or_else(|| spec.default.to_owned(), |on| on.to_string())
        }
        "preserve_client_ip.enabled" => tg
            .attributes
            .get(spec.key)
            .cloned()
            .unwrap_or_else(|| (tg.protocol != ElbProtocol::Tcp).to_string()),
        _ => recorded(&tg.attributes, spec),
    }
}

/// The attributes of a listener: `tcp.idle_timeout.seconds` (60–6000, default 350) is recorded
/// only (privlink's flow table has its own idle timeouts).
pub const LISTENER: &[Spec] =
    &[Spec { key: "tcp.idle_timeout.seconds", default: "350", kind: Kind::Int(60, 6000) }];
