//! Reading the endpoint-service parameters that CreateVpcEndpointServiceConfiguration and
//! ModifyVpcEndpointServiceConfiguration share: the private DNS name and the load balancers to
//! publish.
//!
//! Contract: a private DNS name is a domain of at least two labels (1–63 letters, digits or
//! inner hyphens each, 253 characters in all), stored lowercased without a trailing dot. A load
//! balancer is the caller's and published by at most one endpoint service; the ARNs come back
//! deduplicated, in request order.

use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{State, find};

/// The `PrivateDnsName` parameter: a domain name, lowercased, without a trailing dot.
pub fn private_dns_name(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(name) = req.str_opt("PrivateDnsName")? else { return Ok(None) };
    let valid_label = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let labels: Vec<&str> = name.trim_end_matches('.').split('.').collect();
    if name.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| valid_label(l)) {
        return Err(req.bad(
            "PrivateDnsName",
            &name.into(),
            "expected a domain name such as api.example.com",
        ));
    }
    Ok(Some(name.trim_end_matches('.').to_ascii_lowercase()))
}

/// The caller's load balancers named by list parameter `key` (ARNs, deduplicated), none of them
/// published by an endpoint service other than `except`.
pub fn unpublished_load_balancers(
    state: &State,
    req: &Request,
    key: &str,
    except: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let mut arns = Vec::new();
    for item in req.list(key)? {
        let lb = find(&state.load_balancers, &req.account, &item)?;
        if let Some(svc) = state
            .endpoint_services
            .values()
            .find(|s| Some(s.service_id.as_str()) != except && s.network_load_balancer_arns.contains(&lb.arn))
        {
            return Err(ApiError::invalid(format!(
                "Load balancer '{}' is already associated with endpoint service {}",
                lb.name, svc.service_id
            )));
        }
        if !arns.contains(&lb.arn) {
            arns.push(lb.arn.clone());
        }
    }
    Ok(arns)
}
