//! `CreateSubnet {VpcId, CidrBlock, AvailabilityZone?, Name?}` → `{"Subnet":{…}}`.
//!
//! The CIDR (/16 to /28) must lie inside the VPC's (`InvalidSubnet.Range`) and must not overlap
//! another subnet of the VPC (`InvalidSubnet.Conflict`). The zone defaults to `<region>a`. Host
//! bits are cleared as AWS clears them (`10.0.3.7/24` creates `10.0.3.0/24`).

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::tags_on_create;
use super::validate::{availability_zone, prefix_length};
use crate::error::{ApiError, codes};
use crate::ids::IdKind;
use crate::model::{State, Subnet, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let vpc = find(&state.vpcs, &req.account, req.str("VpcId")?)?;
    let cidr = req.cidr_normalised("CidrBlock")?;
    prefix_length(cidr, codes::INVALID_SUBNET_RANGE)?;
    if !vpc.cidr.contains(&cidr) {
        return Err(ApiError::new(
            codes::INVALID_SUBNET_RANGE,
            format!("The CIDR '{cidr}' is invalid: it is not inside the CIDR {} of {}", vpc.cidr, vpc.id),
        ));
    }
    if let Some(other) = state
        .subnets
        .values()
        .find(|s| s.vpc_id == vpc.id && (s.cidr.contains(&cidr) || cidr.contains(&s.cidr)))
    {
        return Err(ApiError::new(
            codes::INVALID_SUBNET_CONFLICT,
            format!("The CIDR '{cidr}' conflicts with another subnet: {} ({})", other.id, other.cidr),
        ));
    }
    let az = match req.str_opt("AvailabilityZone")? {
        Some(az) => az.to_owned(),
        None => format!("{}a", state.region),
    };
    availability_zone(state, &az)?;
    let subnet = Subnet {
        id: state.new_id(IdKind::Subnet),
        owner: vpc.owner.clone(),
        tags: tags_on_create(req, "subnet")?,
        vpc_id: vpc.id.clone(),
        cidr,
        az,
        attributes: Default::default(),
    };
    let id = subnet.id.clone();
    state.subnets.insert(subnet.id.clone(), subnet);
    Ok(Outcome::Subnet(id))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    fn create(cidr: &str, az: &str) -> serde_json::Value {
        json!({"Action": "CreateSubnet", "VpcId": "prov", "CidrBlock": cidr, "AvailabilityZone": az})
    }

    #[test]
    fn creates_subnets_inside_the_vpc() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let v = ok(&mut s, create("10.0.1.0/24", "us-east-1b"));
        assert_eq!(v["Subnet"]["AvailabilityZone"], "us-east-1b");
        assert_eq!(v["Subnet"]["AvailableIpAddressCount"], 251);
        ok(&mut s, create("10.0.2.0/28", "us-east-1a"));
    }

    #[test]
    fn host_bits_are_cleared_as_aws_does() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let v = ok(&mut s, create("10.0.3.7/24", "us-east-1a"));
        assert_eq!(v["Subnet"]["CidrBlock"], "10.0.3.0/24");
        fails(&mut s, create("10.0.3.9/24", "us-east-1b"), codes::INVALID_SUBNET_CONFLICT, "10.0.3.0/24");
    }

    #[test]
    fn rejects_out_of_range_overlapping_and_bad_zones() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        ok(&mut s, create("10.0.1.0/24", "us-east-1a"));
        fails(&mut s, create("10.1.0.0/24", "us-east-1a"), codes::INVALID_SUBNET_RANGE, "10.1.0.0/24");
        fails(&mut s, create("10.0.0.0/29", "us-east-1a"), codes::INVALID_SUBNET_RANGE, "10.0.0.0/29");
        fails(&mut s, create("10.0.1.128/25", "us-east-1a"), codes::INVALID_SUBNET_CONFLICT, "10.0.1.0/24");
        fails(&mut s, create("10.0.0.0/20", "us-east-1a"), codes::INVALID_SUBNET_CONFLICT, "10.0.0.0/20");
        fails(&mut s, create("10.0.3.0/24", "us-west-2a"), codes::INVALID_PARAMETER_VALUE, "us-west-2a");
        let mut no_vpc = create("10.0.3.0/24", "us-east-1a");
        no_vpc["VpcId"] = "nope".into();
        fails(&mut s, no_vpc, codes::INVALID_VPC_ID_NOT_FOUND, "nope");
    }
}
