//! Reading the `Targets:[{Id, Port?}]` of RegisterTargets, DeregisterTargets and
//! DescribeTargetHealth.
//!
//! Contract: `Targets` is required and not empty. In a target group of type `ip`, `Id` is an
//! IPv4 address, or (lab convenience) an instance ID / Name standing for the instance's address;
//! in one of type `instance`, `Id` must name an instance, and the target keeps its ID. Either
//! way the instance is the caller's and in the group's VPC, and the address is inside that
//! VPC's CIDR (`InvalidTarget` otherwise). `Port` defaults to the group's port. Targets come
//! back `initial`, in request order, duplicates kept (the operations decide what a repeat means).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{Instance, Target, TargetGroup, TargetHealth, TargetType, Vpc, find};

/// The targets the request's `Targets` name for `tg`, `initial`; `vpcs` and `instances` are
/// the state's.
pub fn targets(
    req: &Request,
    tg: &TargetGroup,
    vpcs: &BTreeMap<String, Vpc>,
    instances: &BTreeMap<String, Instance>,
) -> Result<Vec<Target>, ApiError> {
    let items = req.objects("Targets")?;
    if items.is_empty() {
        return Err(ApiError::missing("Targets"));
    }
    let vpc = &vpcs[&tg.vpc_id];
    items
        .iter()
        .map(|t| {
            let id = t.str("Id")?;
            let (ip, instance_id) = match (tg.target_type, id.parse::<Ipv4Addr>()) {
                (TargetType::Ip, Ok(ip)) => (ip, None),
                (TargetType::Instance, Ok(_)) => {
                    return Err(ApiError::new(
                        codes::INVALID_TARGET,
                        format!(
                            "The target '{id}' is an IP address, but target group '{}' has target type instance: register instance IDs",
                            tg.name
                        ),
                    ));
                }
                (target_type, Err(_)) => {
                    let i = find(instances, &req.account, id)?;
                    if i.vpc_id != tg.vpc_id {
                        return Err(ApiError::new(
                            codes::INVALID_TARGET,
                            format!(
                                "The instance '{id}' is in {}, not in the target group's VPC {}",
                                i.vpc_id, tg.vpc_id
                            ),
                        ));
                    }
                    (i.ip, (target_type == TargetType::Instance).then(|| i.id.clone()))
                }
            };
            if !vpc.cidr.contains(&ip) {
                return Err(ApiError::new(
                    codes::INVALID_TARGET,
                    format!(
                        "The IP address '{ip}' is not within the CIDR {} of the target group's VPC {}",
                        vpc.cidr, vpc.id
                    ),
                ));
            }
            let port = t.port_opt("Port")?.unwrap_or(tg.port);
            Ok(Target { ip, port, instance_id, health: TargetHealth::Initial })
        })
        .collect()
}
