//! Managed prefix lists: the public CIDRs of the gateway-endpoint services.
//!
//! privlink stands the region's AWS service network up as the namespace `pl-aws` and gives the
//! managed services documentation ranges, so no real address is ever used:
//! `com.amazonaws.<region>.s3` → 198.51.100.0/24, `com.amazonaws.<region>.dynamodb` → 203.0.113.0/24.
//! A prefix list's name is also the ServiceName of its gateway endpoint service.

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::ids::{self, IdKind};

/// A managed prefix list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixList {
    /// `pl-` + 17 hex digits, derived from the name.
    pub id: String,
    /// `com.amazonaws.<region>.<service>`.
    pub name: String,
    pub cidrs: Vec<Ipv4Net>,
}

/// The gateway services and their documentation ranges.
const MANAGED: [(&str, &str); 2] = [("s3", "198.51.100.0/24"), ("dynamodb", "203.0.113.0/24")];

impl PrefixList {
    /// The managed prefix lists of `region`.
    pub fn managed(region: &str) -> Vec<PrefixList> {
        MANAGED
            .iter()
            .map(|(service, cidr)| {
                let name = format!("com.amazonaws.{region}.{service}");
                PrefixList {
                    id: ids::derived(IdKind::PrefixList, &name),
                    name,
                    cidrs: vec![cidr.parse().expect("static CIDR")],
                }
            })
            .collect()
    }
}
