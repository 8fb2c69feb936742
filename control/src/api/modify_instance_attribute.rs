//! `ModifyInstanceAttribute {InstanceId, <one attribute>}` → `{"Return":true}`.
//!
//! One attribute per call, given either as its own member (`SourceDestCheck`, `DisableApiStop`,
//! `DisableApiTermination`, `EbsOptimized`, `EnaSupport` as `{"Value":bool}`;
//! `InstanceInitiatedShutdownBehavior`, `UserData`, `InstanceType` as `{"Value":…}`; `Groups` as
//! a list of group IDs or names of the instance's VPC) or as `Attribute` + `Value`
//! (`disableApiTermination` + `"true"`, …); none or several is `InvalidParameterCombination`.
//! `disableApiTermination` makes TerminateInstances refuse the instance. Changing the type
//! needs a stopped instance, and privlink's are always running (`IncorrectInstanceState`); ENA
//! stays on; kernels, ramdisks, SR-IOV and block devices do not exist here
//! (`UnsupportedOperation`).

use serde_json::Value;

use super::common::{done, security_groups_in_vpc};
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::validate::shutdown_behavior;
use crate::error::{ApiError, codes};
use crate::model::{State, find};

const BOOLS: [(&str, &str); 5] = [
    ("SourceDestCheck", "sourceDestCheck"),
    ("DisableApiStop", "disableApiStop"),
    ("DisableApiTermination", "disableApiTermination"),
    ("EbsOptimized", "ebsOptimized"),
    ("EnaSupport", "enaSupport"),
];
const STRINGS: [(&str, &str); 6] = [
    ("InstanceInitiatedShutdownBehavior", "instanceInitiatedShutdownBehavior"),
    ("UserData", "userData"),
    ("InstanceType", "instanceType"),
    ("Kernel", "kernel"),
    ("Ramdisk", "ramdisk"),
    ("SriovNetSupport", "sriovNetSupport"),
];

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let i = find(&state.instances, &req.account, req.str("InstanceId")?)?.clone();
    let mut changes: Vec<(String, String)> = Vec::new();
    for (member, attr) in BOOLS {
        if let Some(b) = req.attribute_bool_opt(member)? {
            changes.push((attr.to_owned(), b.to_string()));
        }
    }
    for (member, attr) in STRINGS {
        if let Some(v) = req.attribute_str_opt(member)? {
            changes.push((attr.to_owned(), v));
        }
    }
    let groups = security_groups_in_vpc(state, req, "Groups", &i.vpc_id)?;
    if !groups.is_empty() {
        changes.push(("groupSet".to_owned(), String::new()));
    }
    if req.raw("BlockDeviceMappings").is_some() {
        changes.push(("blockDeviceMapping".to_owned(), String::new()));
    }
    if let Some(attr) = req.str_opt("Attribute")? {
        let value = match req.raw("Value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(other) => return Err(req.bad("Value", other, "expected a string")),
            None => return Err(ApiError::missing("Value")),
        };
        changes.push((attr.to_owned(), value));
    }
    let [(attr, value)] = changes.as_slice() else {
        return Err(ApiError::new(
            codes::INVALID_PARAMETER_COMBINATION,
            format!("Give exactly one attribute to modify per call; got {}", changes.len()),
        ));
    };
    let flag = || match value.as_str() {
        "true" | "false" => Ok(value == "true"),
        _ => Err(req.bad(attr, &value.as_str().into(), "expected true or false")),
    };
    let unsupported = |why: &str| {
        ApiError::new(codes::UNSUPPORTED_OPERATION, format!("The attribute {attr} cannot be modified: {why}"))
    };
    let mut changed = i;
    let a = &mut changed.attributes;
    match attr.as_str() {
        "sourceDestCheck" => a.source_dest_check = flag()?,
        "disableApiStop" => a.disable_api_stop = flag()?,
        "disableApiTermination" => a.disable_api_termination = flag()?,
        "ebsOptimized" => a.ebs_optimized = flag()?,
        "enaSupport" if flag()? => {}
        "enaSupport" => return Err(unsupported("ENA support stays on")),
        "instanceInitiatedShutdownBehavior" => {
            a.instance_initiated_shutdown_behavior = shutdown_behavior(req, attr, value)?;
        }
        "userData" => a.user_data = Some(value.clone()).filter(|v| !v.is_empty()),
        "instanceType" if *value == changed.instance_type => {}
        "instanceType" => {
            return Err(ApiError::new(
                codes::INCORRECT_INSTANCE_STATE,
                format!(
                    "The instance '{}' is not in the 'stopped' state (privlink's instances are always running), so its type cannot change to {value}",
                    changed.id
                ),
            ));
        }
        "groupSet" if !groups.is_empty() => changed.security_group_ids = groups,
        "groupSet" => return Err(req.bad("Attribute", &"groupSet".into(), "give the groups as Groups")),
        "kernel" | "ramdisk" | "sriovNetSupport" | "blockDeviceMapping" => {
            return Err(unsupported("privlink instances have no kernels, ramdisks, SR-IOV or block devices"));
        }
        other => return Err(req.bad("Attribute", &other.into(), "not an instance attribute")),
    }
    state.instances.insert(changed.id.clone(), changed);
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn one_attribute_per_call_in_either_form() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let a = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        ok(&mut s, json!({"Action": "CreateSecurityGroup", "VpcId": v, "GroupName": "app"}));
        let r = ok(&mut s, json!({"Action": "RunInstances", "SubnetId": a}));
        let id = r["Instances"][0]["InstanceId"].as_str().unwrap().to_owned();
        let modify = |extra: serde_json::Value| {
            let mut r = json!({"Action": "ModifyInstanceAttribute", "InstanceId": id});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        ok(&mut s, modify(json!({"DisableApiTermination": {"Value": true}})));
        assert!(s.instances[&id].attributes.disable_api_termination);
        let terminate = json!({"Action": "TerminateInstances", "InstanceIds": [id]});
        fails(&mut s, terminate.clone(), codes::OPERATION_NOT_PERMITTED, "disableApiTermination");
        ok(&mut s, modify(json!({"Attribute": "disableApiTermination", "Value": "false"})));
        ok(&mut s, modify(json!({"SourceDestCheck": {"Value": false}})));
        ok(&mut s, modify(json!({"InstanceInitiatedShutdownBehavior": {"Value": "terminate"}})));
        ok(&mut s, modify(json!({"UserData": {"Value": "ZWNobw=="}})));
        ok(&mut s, modify(json!({"Groups": ["app"]})));
        let i = &s.instances[&id];
        assert!(!i.attributes.source_dest_check);
        assert_eq!(i.attributes.instance_initiated_shutdown_behavior, "terminate");
        assert_eq!(i.attributes.user_data.as_deref(), Some("ZWNobw=="));
        assert_eq!(s.security_groups[&i.security_group_ids[0]].name, "app");
        fails(
            &mut s,
            modify(json!({"InstanceType": {"Value": "m5.large"}})),
            codes::INCORRECT_INSTANCE_STATE,
            "stopped",
        );
        fails(&mut s, modify(json!({"Kernel": {"Value": "aki-1"}})), codes::UNSUPPORTED_OPERATION, "kernel");
        fails(&mut s, modify(json!({})), codes::INVALID_PARAMETER_COMBINATION, "got 0");
        fails(
            &mut s,
            modify(json!({"Attribute": "instanceInitiatedShutdownBehavior", "Value": "hibernate"})),
            codes::INVALID_PARAMETER_VALUE,
            "hibernate",
        );
        ok(&mut s, terminate);
    }
}
