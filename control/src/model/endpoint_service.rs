//! Endpoint services: the provider side of PrivateLink.
//!
//! An endpoint service publishes one or more NLBs under a ServiceName
//! (`com.amazonaws.vpce.<region>.vpce-svc-…`). Consumers find it by that name and may create
//! interface endpoints to it if [`EndpointService::allows`] their account; the owner may always
//! connect to its own service.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::lookup::resource;
use super::tags::Tags;
use super::{LoadBalancer, State};
use crate::error::codes;

/// An endpoint service configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointService {
    /// `vpce-svc-…`.
    pub service_id: String,
    /// `com.amazonaws.vpce.<region>.<service_id>`.
    pub service_name: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    pub network_load_balancer_arns: Vec<String>,
    /// New connections start in `pendingAcceptance` until the owner accepts them.
    pub acceptance_required: bool,
    /// Principal ARNs (`arn:aws:iam::<account>:root`, …) or `*`.
    #[serde(default)]
    pub allowed_principals: Vec<String>,
    /// The provider's private DNS name (resolves to the ENIs inside consumer VPCs that enable it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_dns_name: Option<String>,
}

impl EndpointService {
    /// May `account` create endpoints to this service? True for the owner, for `*`, and for
    /// `arn:aws:iam::<account>:root`. (Callers are accounts: user and role principals can be
    /// stored but never match a caller.)
    pub fn allows(&self, account: &str) -> bool {
        account == self.owner
            || self.allowed_principals.iter().any(|p| {
                p == "*"
                    || p.strip_prefix("arn:aws:iam::").and_then(|r| r.strip_suffix(":root")) == Some(account)
            })
    }
}

impl State {
    /// The availability zones of `svc`'s NLBs, sorted: where its endpoints may have ENIs.
    pub fn service_zones(&self, svc: &EndpointService) -> Vec<String> {
        let zones: BTreeSet<&str> = svc
            .network_load_balancer_arns
            .iter()
            .filter_map(|arn| self.load_balancers.get(arn))
            .flat_map(LoadBalancer::azs)
            .collect();
        zones.into_iter().map(String::from).collect()
    }
}

resource!(
    EndpointService,
    service_id,
    "endpoint service",
    "endpoint services",
    codes::INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND,
    "vpc-endpoint-service",
    |s| s.tags.name()
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_star_and_root_principals_are_allowed() {
        let mut s = EndpointService {
            service_id: "vpce-svc-1".into(),
            service_name: "com.amazonaws.vpce.us-east-1.vpce-svc-1".into(),
            owner: "111111111111".into(),
            tags: Tags::default(),
            network_load_balancer_arns: vec![],
            acceptance_required: false,
            allowed_principals: vec!["arn:aws:iam::222222222222:root".into()],
            private_dns_name: None,
        };
        assert!(s.allows("111111111111") && s.allows("222222222222"));
        assert!(!s.allows("333333333333"));
        s.allowed_principals = vec!["*".into()];
        assert!(s.allows("333333333333"));
    }
}
