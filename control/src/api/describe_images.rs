//! `DescribeImages {ImageIds[]?, Owners[]?, ExecutableUsers[]?, IncludeDeprecated?,
//! IncludeDisabled?, Filters[]?, MaxResults?, NextToken?}` → `{"Images":[Image]}`.
//!
//! privlink runs no images, so every well-formed AMI ID (`ami-` + 8 or 17 hex digits) exists:
//! each named one is answered as an available x86_64 HVM EBS Linux image (a stand-in).
//! Without `ImageIds`: the images of the caller's instances and [`DEFAULT_IMAGE_ID`].
//! `Owners` and `ExecutableUsers` are accepted and do not narrow the answer. A malformed ID is
//! `InvalidAMIID.Malformed`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::{Params, Request};
use super::validate::ami_id;
use crate::error::ApiError;
use crate::model::{DEFAULT_IMAGE_ID, State, visible};

pub const LISTING: Listing = Listing {
    member: "Images",
    key: &["ImageId"],
    filters: &[
        ("image-id", "ImageId"),
        ("name", "Name"),
        ("state", "State"),
        ("architecture", "Architecture"),
        ("owner-id", "OwnerId"),
        ("owner-alias", "ImageOwnerAlias"),
        ("root-device-type", "RootDeviceType"),
        ("virtualization-type", "VirtualizationType"),
        ("is-public", "Public"),
        ("image-type", "ImageType"),
        ("platform-details", "PlatformDetails"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING_UNBOUNDED),
};

fn image(id: &str) -> Value {
    json!({
        "ImageId": id, "Name": format!("privlink-stand-in-{id}"), "Description": "privlink stand-in image (privlink runs no images)",
        "State": "available", "Architecture": "x86_64", "ImageType": "machine", "Public": true,
        "OwnerId": "137112412989", "ImageOwnerAlias": "amazon", "CreationDate": "2024-01-01T00:00:00.000Z",
        "RootDeviceType": "ebs", "RootDeviceName": "/dev/xvda", "VirtualizationType": "hvm", "Hypervisor": "xen",
        "EnaSupport": true, "SriovNetSupport": "simple", "PlatformDetails": "Linux/UNIX", "UsageOperation": "RunInstances",
        "BootMode": "uefi-preferred",
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"DeleteOnTermination": true, "VolumeSize": 8,
                                 "VolumeType": "gp3", "Encrypted": false, "SnapshotId": "snap-00000000000000000"}}],
        "Tags": [],
    })
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    req.list("Owners")?;
    req.list("ExecutableUsers")?;
    req.bool_opt("IncludeDeprecated")?;
    req.bool_opt("IncludeDisabled")?;
    let named = req.list("ImageIds")?;
    let ids: BTreeSet<String> = if named.is_empty() {
        visible(&state.instances, &req.account)
            .map(|i| i.image_id.clone())
            .chain([DEFAULT_IMAGE_ID.to_owned()])
            .collect()
    } else {
        named.iter().map(|id| ami_id(req, "ImageIds", id)).collect::<Result<_, _>>()?
    };
    LISTING.answer(req, ids.iter().map(|id| image(id)).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn every_well_formed_ami_exists() {
        let mut s = State::new();
        let v = ok(
            &mut s,
            json!({"Action": "DescribeImages", "ImageIds": ["ami-0abcdef1234567890", "ami-12345678"], "Owners": ["amazon"]}),
        );
        let images = v["Images"].as_array().unwrap();
        assert_eq!(images.len(), 2);
        assert_eq!(images[0]["State"], "available");
        assert_eq!(images[0]["RootDeviceName"], "/dev/xvda");
        let bad = json!({"Action": "DescribeImages", "ImageIds": ["ami-xyz"]});
        fails(&mut s, bad, codes::INVALID_AMI_ID_MALFORMED, "ami-xyz");
        let by_name = json!({"Action": "DescribeImages", "Filters": [{"Name": "name", "Values": ["privlink-stand-in-*"]}]});
        assert_eq!(ok(&mut s, by_name)["Images"].as_array().unwrap().len(), 1);
    }
}
