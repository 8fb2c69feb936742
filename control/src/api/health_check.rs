//! Reading a target group's health check from the `HealthCheck…` and `Matcher` parameters of
//! CreateTargetGroup and ModifyTargetGroup.
//!
//! Contract: every given parameter is checked against AWS's NLB ranges (see
//! CreateTargetGroup's docs); a parameter not given keeps the current setting (ModifyTargetGroup)
//! or takes AWS's default from [`HealthCheck`] (CreateTargetGroup), except that a switch to HTTP
//! gets the default path. The answer always satisfies timeout ≤ interval, and has a path exactly
//! when the protocol is HTTP.

use serde_json::Value;

use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{HealthCheck, HealthCheckPort, HealthCheckProtocol};

/// The health check a request describes: given parameters over `current` (ModifyTargetGroup),
/// else over AWS's defaults (CreateTargetGroup). `HealthCheckEnabled` must be true (NLB target
/// groups of type ip always check); `Matcher` applies to HTTP checks and must be AWS's default
/// `200-399` (privlink's HTTP checks are TCP connects).
pub fn health_check(req: &Request, current: Option<&HealthCheck>) -> Result<HealthCheck, ApiError> {
    if let Some(false) = req.bool_opt("HealthCheckEnabled")? {
        return Err(req.bad(
            "HealthCheckEnabled",
            &false.into(),
            "health checks cannot be disabled for target groups of type ip",
        ));
    }
    let protocol = match req.str_opt("HealthCheckProtocol")?.map(str::to_ascii_uppercase).as_deref() {
        None => current.map_or(HealthCheckProtocol::Tcp, |c| c.protocol),
        Some("TCP") => HealthCheckProtocol::Tcp,
        Some("HTTP") => HealthCheckProtocol::Http,
        Some(other) => return Err(req.bad("HealthCheckProtocol", &other.into(), "expected TCP or HTTP")),
    };
    let port = match req.raw("HealthCheckPort") {
        None => current.map_or(HealthCheckPort::TrafficPort, |c| c.port),
        Some(v) if v == "traffic-port" => HealthCheckPort::TrafficPort,
        Some(_) => HealthCheckPort::Port(req.port("HealthCheckPort")?),
    };
    // An empty path or matcher code means "not given" (Terraform sends both empty for HTTP
    // checks that leave them to the default).
    let given_path = match req.raw("HealthCheckPath") {
        Some(Value::String(p)) if p.is_empty() => None,
        _ => req.str_opt("HealthCheckPath")?,
    };
    let path = match (protocol, given_path) {
        (HealthCheckProtocol::Http, None) => {
            Some(current.and_then(|c| c.path.clone()).unwrap_or_else(|| HealthCheck::DEFAULT_PATH.to_owned()))
        }
        (HealthCheckProtocol::Http, Some(p)) if p.starts_with('/') => Some(p.to_owned()),
        (HealthCheckProtocol::Http, Some(p)) => {
            return Err(req.bad("HealthCheckPath", &p.into(), "a path must start with /"));
        }
        (HealthCheckProtocol::Tcp, Some(p)) => {
            return Err(req.bad("HealthCheckPath", &p.into(), "a path applies to HTTP health checks only"));
        }
        (HealthCheckProtocol::Tcp, None) => None,
    };
    if let Some(m) = req.raw("Matcher") {
        let code = m.get("HttpCode").and_then(Value::as_str).filter(|c| !c.is_empty());
        if protocol != HealthCheckProtocol::Http || code.is_some_and(|c| c != HealthCheck::DEFAULT_MATCHER) {
            return Err(req.bad(
                "Matcher",
                m,
                "only HTTP health checks take a Matcher, and only {\"HttpCode\":\"200-399\"} (privlink's HTTP checks are TCP connects)",
            ));
        }
    }
    let interval = req
        .int_opt("HealthCheckIntervalSeconds", 5..=300)?
        .unwrap_or(i64::from(current.map_or(HealthCheck::DEFAULT_INTERVAL_SECONDS, |c| c.interval_seconds)));
    let default_timeout =
        i64::from(current.map_or(HealthCheck::default_timeout_seconds(protocol), |c| c.timeout_seconds));
    let timeout = req.int_opt("HealthCheckTimeoutSeconds", 2..=120)?.unwrap_or(default_timeout);
    if timeout > interval {
        return Err(ApiError::invalid(format!(
            "HealthCheckTimeoutSeconds {timeout} must not exceed HealthCheckIntervalSeconds {interval}"
        )));
    }
    let threshold = |key: &str, current: Option<u32>| -> Result<u32, ApiError> {
        Ok(req.int_opt(key, 2..=10)?.map_or(current.unwrap_or(HealthCheck::DEFAULT_THRESHOLD), |n| n as u32))
    };
    Ok(HealthCheck {
        protocol,
        port,
        path,
        interval_seconds: interval as u32,
        timeout_seconds: timeout as u32,
        healthy_threshold: threshold("HealthyThresholdCount", current.map(|c| c.healthy_threshold))?,
        unhealthy_threshold: threshold("UnhealthyThresholdCount", current.map(|c| c.unhealthy_threshold))?,
    })
}
