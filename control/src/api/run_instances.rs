//! `RunInstances {SubnetId, PrivateIpAddress?, Name?}` → a reservation
//! `{"ReservationId":…,"OwnerId":…,"Instances":[{…}]}`.
//!
//! One instance (one address) per call. The address is the chosen one (checked: in the subnet,
//! not reserved, free in the VPC) or the lowest free one. The fabric puts it on the `lo` of the
//! VPC's namespace.

use serde_json::Value;

use super::request::{Params, Request};
use super::validate::name_tag;
use super::view;
use crate::error::ApiError;
use crate::ids::IdKind;
use crate::model::{AddressBook, DEFAULT_IMAGE_ID, DEFAULT_INSTANCE_TYPE, Instance, Pick, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    let subnet = find(&state.subnets, &req.account, req.str("SubnetId")?)?;
    let id = state.new_id(IdKind::Instance);
    let ip = AddressBook::for_vpc(state, &subnet.vpc_id).assign(
        subnet,
        req.ip_opt("PrivateIpAddress")?,
        Pick::Lowest,
        &id,
    )?;
    let instance = Instance {
        id,
        owner: subnet.owner.clone(),
        name: name_tag(req)?,
        vpc_id: subnet.vpc_id.clone(),
        subnet_id: subnet.id.clone(),
        ip,
        image_id: DEFAULT_IMAGE_ID.into(),
        instance_type: DEFAULT_INSTANCE_TYPE.into(),
        security_group_ids: Vec::new(),
        attributes: Default::default(),
    };
    state.instances.insert(instance.id.clone(), instance.clone());
    Ok(view::reservation(state, &instance))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn places_one_address_lowest_free_or_chosen() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let r = ok(&mut s, json!({"Action": "RunInstances", "SubnetId": "a", "Name": "client"}));
        let i = &r["Instances"][0];
        assert_eq!(i["PrivateIpAddress"], "10.0.1.4");
        assert_eq!(i["Placement"]["AvailabilityZone"], "us-east-1a");
        assert_eq!(i["State"]["Name"], "running");
        let r =
            ok(&mut s, json!({"Action": "RunInstances", "SubnetId": "a", "PrivateIpAddress": "10.0.1.10"}));
        assert_eq!(r["Instances"][0]["PrivateIpAddress"], "10.0.1.10");
        let taken = json!({"Action": "RunInstances", "SubnetId": "a", "PrivateIpAddress": "10.0.1.10"});
        fails(&mut s, taken, codes::INVALID_IP_ADDRESS_IN_USE, "10.0.1.10");
        fails(
            &mut s,
            json!({"Action": "RunInstances", "SubnetId": "a", "PrivateIpAddress": "10.0.1.1"}),
            codes::INVALID_PARAMETER_VALUE,
            "10.0.1.1",
        );
        fails(
            &mut s,
            json!({"Action": "RunInstances", "SubnetId": "a", "PrivateIpAddress": "ten"}),
            codes::INVALID_PARAMETER_VALUE,
            "ten",
        );
        fails(
            &mut s,
            json!({"Action": "RunInstances", "SubnetId": "b"}),
            codes::INVALID_SUBNET_ID_NOT_FOUND,
            "'b'",
        );
    }

    #[test]
    fn same_address_is_fine_in_another_vpc() {
        let mut s = State::new();
        for name in ["a", "b"] {
            let v = vpc(&mut s, PROVIDER, name, "10.0.0.0/16");
            subnet(&mut s, PROVIDER, &v, &format!("{name}-1"), "10.0.1.0/24", "us-east-1a");
            ok(
                &mut s,
                json!({"Action": "RunInstances", "SubnetId": format!("{name}-1"), "PrivateIpAddress": "10.0.1.10"}),
            );
        }
        assert_eq!(s.instances.len(), 2);
    }
}
