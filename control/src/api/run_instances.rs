//! `RunInstances {SubnetId, PrivateIpAddress?, Name?, ImageId?, InstanceType?, MinCount?,
//! MaxCount?, SecurityGroupIds[]?, SecurityGroups[]?, NetworkInterfaces[]?, UserData?,
//! DisableApiTermination?, DisableApiStop?, InstanceInitiatedShutdownBehavior?, EbsOptimized?,
//! Monitoring?, Placement?, CreditSpecification?, HibernationOptions?}` → a reservation
//! `{"ReservationId":…,"OwnerId":…,"Instances":[{…}]}`.
//!
//! One instance (one address) per call: `MinCount`/`MaxCount` other than 1 are
//! `InvalidParameterValue`. The address is the chosen one (checked: in the subnet, not reserved,
//! free in the VPC) or the lowest free one. The fabric puts it on the `lo` of the VPC's
//! namespace. Recorded and shown back, with no effect on the data plane: `ImageId` (any
//! well-formed AMI ID; default [`DEFAULT_IMAGE_ID`]), `InstanceType` (one of
//! [`crate::model::INSTANCE_TYPES`]; default [`DEFAULT_INSTANCE_TYPE`]), the
//! groups (IDs or names, of the subnet's VPC; default its default group) and the attributes of
//! ModifyInstanceAttribute. Subnet, address and groups come either as top-level members or in
//! the one entry of `NetworkInterfaces` (what Terraform sends), not both. `Monitoring` must be
//! off (no CloudWatch), `HibernationOptions` unconfigured, `Placement` may only name the
//! subnet's zone and default tenancy, `CreditSpecification` applies to burstable types.

use std::net::Ipv4Addr;

use serde_json::Value;

use super::common::security_groups_named;
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::tags_on_create;
use super::validate::{ami_id, shutdown_behavior};
use crate::error::{ApiError, codes};
use crate::ids::IdKind;
use crate::model::{
    AddressBook, DEFAULT_IMAGE_ID, DEFAULT_INSTANCE_TYPE, Instance, InstanceAttributes, InstanceType, Pick,
    State, Subnet, find,
};

/// `standard` or `unlimited`, for burstable types only.
pub fn cpu_credits(p: &impl Params, key: &str, value: &str, type_name: &str) -> Result<String, ApiError> {
    if !InstanceType::named(type_name)?.burstable {
        return Err(p.bad(key, &value.into(), &format!("{type_name} is not a burstable instance type")));
    }
    match value {
        "standard" | "unlimited" => Ok(value.to_owned()),
        _ => Err(p.bad(key, &value.into(), "expected standard or unlimited")),
    }
}

fn attributes(req: &Request, type_name: &str) -> Result<InstanceAttributes, ApiError> {
    let mut a = InstanceAttributes {
        disable_api_termination: req.bool_opt("DisableApiTermination")?.unwrap_or(false),
        disable_api_stop: req.bool_opt("DisableApiStop")?.unwrap_or(false),
        ebs_optimized: req.bool_opt("EbsOptimized")?.unwrap_or(false),
        ..InstanceAttributes::default()
    };
    if let Some(b) = req.str_opt("InstanceInitiatedShutdownBehavior")? {
        a.instance_initiated_shutdown_behavior =
            shutdown_behavior(req, "InstanceInitiatedShutdownBehavior", b)?;
    }
    a.user_data = req.str_opt("UserData")?.map(str::to_owned);
    if let Some(Value::Object(spec)) = req.raw("CreditSpecification") {
        let credits = spec.get("CpuCredits").and_then(Value::as_str).unwrap_or_default();
        a.cpu_credits = Some(cpu_credits(req, "CreditSpecification", credits, type_name)?);
    }
    Ok(a)
}

/// `Monitoring` off and a `Placement` that only restates the subnet's zone.
fn placement_and_monitoring(req: &Request, subnet: &Subnet) -> Result<(), ApiError> {
    if let Some(m) =
        req.raw("Monitoring").filter(|m| m.get("Enabled").is_some_and(|e| e == true || e == "true"))
    {
        return Err(req.bad(
            "Monitoring",
            m,
            "detailed monitoring needs CloudWatch, which privlink does not emulate",
        ));
    }
    if let Some(p) = req.raw("Placement") {
        let field = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default();
        let zone_ok = field("AvailabilityZone").is_empty() || field("AvailabilityZone") == subnet.az;
        let rest_ok = ["", "default"].contains(&field("Tenancy"))
            && p.as_object().is_some_and(|o| {
                o.iter().all(|(k, v)| {
                    matches!(k.as_str(), "AvailabilityZone" | "Tenancy") || v == "" || v.is_null()
                })
            });
        if !zone_ok || !rest_ok {
            return Err(req.bad(
                "Placement",
                p,
                &format!(
                    "privlink places instances in their subnet's zone ({}) with default tenancy only",
                    subnet.az
                ),
            ));
        }
    }
    Ok(())
}

/// Where the instance's one interface goes: subnet (ID or Name), address, groups.
struct PrimaryInterface {
    subnet: String,
    ip: Option<Ipv4Addr>,
    groups: Vec<String>,
}

/// The primary interface, from `SubnetId` / `PrivateIpAddress` / `SecurityGroupIds` /
/// `SecurityGroups`, or from the one entry of `NetworkInterfaces` (device index 0, with its own
/// `SubnetId`, `PrivateIpAddress`, `Groups`; no public address; deleted with the instance).
fn primary_interface(req: &Request) -> Result<PrimaryInterface, ApiError> {
    let mut groups = req.list("SecurityGroupIds")?;
    groups.extend(req.list("SecurityGroups")?);
    let nics = req.objects("NetworkInterfaces")?;
    let [nic] = nics.as_slice() else {
        if nics.len() > 1 {
            return Err(req.bad(
                "NetworkInterfaces",
                &nics.len().into(),
                "privlink instances have one network interface",
            ));
        }
        return Ok(PrimaryInterface {
            subnet: req.str("SubnetId")?.to_owned(),
            ip: req.ip_opt("PrivateIpAddress")?,
            groups,
        });
    };
    if let Some(key) = ["SubnetId", "PrivateIpAddress"]
        .into_iter()
        .find(|k| req.raw(k).is_some())
        .or((!groups.is_empty()).then_some("SecurityGroupIds"))
    {
        return Err(ApiError::new(
            codes::INVALID_PARAMETER_COMBINATION,
            format!("{key} cannot be given with NetworkInterfaces; give it in the network interface"),
        ));
    }
    if let Some(i) = nic.int_opt("DeviceIndex", 0..=i64::MAX)?.filter(|i| *i != 0) {
        return Err(nic.bad(
            "DeviceIndex",
            &i.into(),
            "the one interface of a privlink instance has device index 0",
        ));
    }
    if let Some(true) = nic.bool_opt("AssociatePublicIpAddress")? {
        return Err(nic.bad("AssociatePublicIpAddress", &true.into(), "privlink has no public addresses"));
    }
    if let Some(false) = nic.bool_opt("DeleteOnTermination")? {
        return Err(nic.bad(
            "DeleteOnTermination",
            &false.into(),
            "an instance's interface goes with it in privlink",
        ));
    }
    Ok(PrimaryInterface {
        subnet: nic.str("SubnetId")?.to_owned(),
        ip: nic.ip_opt("PrivateIpAddress")?,
        groups: nic.list("Groups")?,
    })
}

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    for key in ["MinCount", "MaxCount"] {
        if let Some(n) = req.int_opt(key, i64::MIN..=i64::MAX)?.filter(|n| *n != 1) {
            return Err(req.bad(key, &n.into(), "privlink launches one instance per call; use 1"));
        }
    }
    let nic = primary_interface(req)?;
    let subnet = find(&state.subnets, &req.account, &nic.subnet)?;
    let image_id = req.str_opt("ImageId")?.map(|id| ami_id(req, "ImageId", id)).transpose()?;
    let type_name = req.str_opt("InstanceType")?.unwrap_or(DEFAULT_INSTANCE_TYPE);
    InstanceType::named(type_name)?;
    placement_and_monitoring(req, subnet)?;
    if let Some(h) = req
        .raw("HibernationOptions")
        .filter(|h| h.get("Configured").is_some_and(|c| c == true || c == "true"))
    {
        return Err(req.bad("HibernationOptions", h, "privlink instances do not hibernate"));
    }
    let mut groups = security_groups_named(state, &req.account, nic.groups, &subnet.vpc_id)?;
    if groups.is_empty() {
        groups.push(state.vpcs[&subnet.vpc_id].default_security_group.clone());
    }
    let id = state.new_id(IdKind::Instance);
    let ip = AddressBook::for_vpc(state, &subnet.vpc_id).assign(subnet, nic.ip, Pick::Lowest, &id)?;
    let instance = Instance {
        id,
        owner: subnet.owner.clone(),
        tags: tags_on_create(req, "instance")?,
        vpc_id: subnet.vpc_id.clone(),
        subnet_id: subnet.id.clone(),
        ip,
        image_id: image_id.unwrap_or_else(|| DEFAULT_IMAGE_ID.to_owned()),
        instance_type: type_name.to_owned(),
        security_group_ids: groups,
        attributes: attributes(req, type_name)?,
    };
    let id = instance.id.clone();
    state.instances.insert(instance.id.clone(), instance);
    Ok(Outcome::Reservation(id))
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
    fn takes_what_aws_clients_send() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let a = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        ok(&mut s, json!({"Action": "CreateSecurityGroup", "VpcId": v, "GroupName": "app"}));
        let run = |extra: serde_json::Value| {
            let mut r = json!({"Action": "RunInstances", "SubnetId": a, "ImageId": "ami-0abcdef1234567890",
                               "InstanceType": "t3.small", "MinCount": 1, "MaxCount": 1});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        let r = ok(
            &mut s,
            run(json!({"SecurityGroupIds": ["app"], "DisableApiTermination": false, "DisableApiStop": false,
                       "EbsOptimized": false, "Monitoring": {"Enabled": false},
                       "Placement": {"AvailabilityZone": "us-east-1a", "Tenancy": "default"},
                       "CreditSpecification": {"CpuCredits": "standard"}, "UserData": "ZWNobyBoaQ=="})),
        );
        let i = &r["Instances"][0];
        assert_eq!(
            (i["ImageId"].as_str(), i["InstanceType"].as_str()),
            (Some("ami-0abcdef1234567890"), Some("t3.small"))
        );
        assert_eq!(i["SecurityGroups"][0]["GroupName"], "app");
        let id = i["InstanceId"].as_str().unwrap();
        assert_eq!(s.instances[id].attributes.cpu_credits.as_deref(), Some("standard"));
        assert_eq!(i["NetworkInterfaces"][0]["PrivateIpAddress"], i["PrivateIpAddress"]);
        fails(&mut s, run(json!({"MaxCount": 2})), codes::INVALID_PARAMETER_VALUE, "MaxCount");
        let mut terraform = run(
            json!({"NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": a, "PrivateIpAddress": "10.0.1.20",
                                                             "Groups": ["app"]}],
                                       "HibernationOptions": {"Configured": false}, "CreditSpecification": {"CpuCredits": "unlimited"}}),
        );
        terraform.as_object_mut().unwrap().remove("SubnetId");
        let r = ok(&mut s, terraform.clone());
        assert_eq!(r["Instances"][0]["PrivateIpAddress"], "10.0.1.20");
        assert_eq!(r["Instances"][0]["SecurityGroups"][0]["GroupName"], "app");
        terraform["SubnetId"] = a.clone().into();
        fails(&mut s, terraform, codes::INVALID_PARAMETER_COMBINATION, "SubnetId");
        fails(
            &mut s,
            run(json!({"HibernationOptions": {"Configured": true}})),
            codes::INVALID_PARAMETER_VALUE,
            "hibernate",
        );
        fails(&mut s, run(json!({"InstanceType": "x1.huge"})), codes::INVALID_INSTANCE_TYPE, "x1.huge");
        fails(&mut s, run(json!({"ImageId": "img-1"})), codes::INVALID_AMI_ID_MALFORMED, "img-1");
        fails(
            &mut s,
            run(json!({"Monitoring": {"Enabled": true}})),
            codes::INVALID_PARAMETER_VALUE,
            "Monitoring",
        );
        fails(
            &mut s,
            run(json!({"Placement": {"AvailabilityZone": "us-east-1b"}})),
            codes::INVALID_PARAMETER_VALUE,
            "us-east-1a",
        );
        fails(
            &mut s,
            run(json!({"InstanceType": "m5.large", "CreditSpecification": {"CpuCredits": "unlimited"}})),
            codes::INVALID_PARAMETER_VALUE,
            "not a burstable",
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
