//! `DescribeInstanceAttribute {InstanceId, Attribute}` → `{"InstanceId":…, <member>:…}`.
//!
//! `Attribute` is one of AWS's instance attribute names (see [`attribute`]); the answer carries
//! that one member: `{"Value":…}` for most, `Groups` / `BlockDeviceMappings` / `ProductCodes`
//! lists, `EnclaveOptions`. Attributes privlink has no notion of answer AWS's value for a
//! plain Linux instance (no kernel or ramdisk, ENA on, no block devices of its own).

use serde_json::{Value, json};

use super::request::{Params, Request};
use super::view::group_identifiers;
use crate::error::ApiError;
use crate::model::{Instance, State, find};

/// The answer member and value of attribute `name` of `i`.
fn attribute(state: &State, i: &Instance, name: &str) -> Option<(&'static str, Value)> {
    let a = &i.attributes;
    Some(match name {
        "instanceType" => ("InstanceType", json!({"Value": i.instance_type})),
        "kernel" => ("KernelId", json!({})),
        "ramdisk" => ("RamdiskId", json!({})),
        "userData" => ("UserData", a.user_data.as_ref().map_or_else(|| json!({}), |d| json!({"Value": d}))),
        "disableApiTermination" => ("DisableApiTermination", json!({"Value": a.disable_api_termination})),
        "disableApiStop" => ("DisableApiStop", json!({"Value": a.disable_api_stop})),
        "instanceInitiatedShutdownBehavior" => {
            ("InstanceInitiatedShutdownBehavior", json!({"Value": a.instance_initiated_shutdown_behavior}))
        }
        "rootDeviceName" => ("RootDeviceName", json!({"Value": "/dev/xvda"})),
        "blockDeviceMapping" => ("BlockDeviceMappings", json!([])),
        "productCodes" => ("ProductCodes", json!([])),
        "sourceDestCheck" => ("SourceDestCheck", json!({"Value": a.source_dest_check})),
        "groupSet" => ("Groups", group_identifiers(state, &state.instance_groups(i)).into()),
        "ebsOptimized" => ("EbsOptimized", json!({"Value": a.ebs_optimized})),
        "sriovNetSupport" => ("SriovNetSupport", json!({"Value": "simple"})),
        "enaSupport" => ("EnaSupport", json!({"Value": true})),
        "enclaveOptions" => ("EnclaveOptions", json!({"Enabled": false})),
        _ => return None,
    })
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let i = find(&state.instances, &req.account, req.str("InstanceId")?)?;
    let name = req.str("Attribute")?;
    let (member, value) = attribute(state, i, name).ok_or_else(|| {
        req.bad(
            "Attribute",
            &name.into(),
            "expected instanceType, kernel, ramdisk, userData, disableApiTermination, disableApiStop, instanceInitiatedShutdownBehavior, rootDeviceName, blockDeviceMapping, productCodes, sourceDestCheck, groupSet, ebsOptimized, sriovNetSupport, enaSupport or enclaveOptions",
        )
    })?;
    Ok(json!({"InstanceId": i.id, member: value}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn answers_the_attributes_terraform_reads() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let a = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let r = ok(&mut s, json!({"Action": "RunInstances", "SubnetId": a, "DisableApiTermination": true}));
        let id = r["Instances"][0]["InstanceId"].as_str().unwrap().to_owned();
        let get = |s: &mut State, attr: &str| {
            ok(s, json!({"Action": "DescribeInstanceAttribute", "InstanceId": id, "Attribute": attr}))
        };
        assert_eq!(get(&mut s, "disableApiTermination")["DisableApiTermination"]["Value"], true);
        assert_eq!(
            get(&mut s, "instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"]["Value"],
            "stop"
        );
        assert_eq!(get(&mut s, "userData")["UserData"], json!({}));
        assert_eq!(get(&mut s, "groupSet")["Groups"][0]["GroupName"], "default");
        assert_eq!(get(&mut s, "disableApiStop")["InstanceId"], id.as_str());
        let bad = json!({"Action": "DescribeInstanceAttribute", "InstanceId": id, "Attribute": "colour"});
        fails(&mut s, bad, codes::INVALID_PARAMETER_VALUE, "colour");
    }
}
