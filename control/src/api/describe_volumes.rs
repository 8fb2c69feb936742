//! `DescribeVolumes {VolumeIds[]?, Filters[]?, MaxResults?, NextToken?}` → `{"Volumes":[]}`.
//!
//! privlink's instances have no block devices, so there are no volumes: the list is empty and a
//! named volume is `InvalidVolume.NotFound`. Filters (`volume-id`, `attachment.instance-id`,
//! `attachment.device`, …) are checked and match nothing.

use serde_json::Value;

use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::State;

pub const LISTING: Listing = Listing {
    member: "Volumes",
    key: &["VolumeId"],
    filters: &[
        ("volume-id", "VolumeId"),
        ("attachment.instance-id", "Attachments.InstanceId"),
        ("attachment.device", "Attachments.Device"),
        ("attachment.delete-on-termination", "Attachments.DeleteOnTermination"),
        ("availability-zone", "AvailabilityZone"),
        ("status", "State"),
        ("volume-type", "VolumeType"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(_state: &State, req: &Request) -> Result<Value, ApiError> {
    req.bool_opt("IncludeManagedResources")?;
    if let Some(id) = req.list("VolumeIds")?.first() {
        return Err(ApiError::new(
            codes::INVALID_VOLUME_NOT_FOUND,
            format!("The volume '{id}' does not exist (privlink instances have no volumes)"),
        ));
    }
    LISTING.answer(req, Vec::new())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn there_are_no_volumes() {
        let mut s = State::new();
        let by_instance = json!({"Action": "DescribeVolumes", "Filters": [{"Name": "attachment.instance-id", "Values": ["i-1"]}]});
        assert_eq!(ok(&mut s, by_instance)["Volumes"], json!([]));
        let named = json!({"Action": "DescribeVolumes", "VolumeIds": ["vol-1"]});
        fails(&mut s, named, codes::INVALID_VOLUME_NOT_FOUND, "vol-1");
    }
}
