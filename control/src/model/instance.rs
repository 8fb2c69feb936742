//! Instances: one private address in a subnet.
//!
//! privlink has no virtual machines. An [`Instance`] is an address that the fabric puts on the
//! `lo` of its VPC's namespace, so processes in that namespace can use it as a source (client)
//! or listen on it (target).

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::State;
use super::lookup::resource;
use super::tags::Tags;
use crate::error::codes;

/// An instance: a name for one private IPv4 address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    pub id: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    pub vpc_id: String,
    pub subnet_id: String,
    pub ip: Ipv4Addr,
    /// `ImageId` (any AMI ID is accepted: privlink runs no image).
    #[serde(default = "default_image_id")]
    pub image_id: String,
    /// `InstanceType`.
    #[serde(default = "default_instance_type")]
    pub instance_type: String,
    /// The groups of the instance's network interface (empty in state files from before they
    /// existed: then the VPC's default group).
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub attributes: InstanceAttributes,
}

/// The AMI recorded for instances launched without one.
pub const DEFAULT_IMAGE_ID: &str = "ami-00000000000000000";
/// The instance type recorded for instances launched without one.
pub const DEFAULT_INSTANCE_TYPE: &str = "t3.micro";

/// The values of `InstanceInitiatedShutdownBehavior` ([`InstanceAttributes`]).
pub const SHUTDOWN_BEHAVIORS: [&str; 2] = ["stop", "terminate"];

/// Is `id` shaped like an AMI ID (`ami-` and 8 or 17 hex digits)? privlink runs no images, so
/// every well-formed ID names one.
pub fn is_ami_id(id: &str) -> bool {
    id.strip_prefix("ami-")
        .is_some_and(|hex| matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn default_image_id() -> String {
    DEFAULT_IMAGE_ID.to_owned()
}

fn default_instance_type() -> String {
    DEFAULT_INSTANCE_TYPE.to_owned()
}

/// The attributes of DescribeInstanceAttribute / ModifyInstanceAttribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InstanceAttributes {
    pub disable_api_termination: bool,
    pub disable_api_stop: bool,
    /// One of [`SHUTDOWN_BEHAVIORS`].
    pub instance_initiated_shutdown_behavior: String,
    /// Base64 user data, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    pub source_dest_check: bool,
    pub ebs_optimized: bool,
    /// Burstable types: `standard` or `unlimited` (`None`: the type's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_credits: Option<String>,
}

impl Default for InstanceAttributes {
    fn default() -> InstanceAttributes {
        InstanceAttributes {
            disable_api_termination: false,
            disable_api_stop: false,
            instance_initiated_shutdown_behavior: "stop".into(),
            user_data: None,
            source_dest_check: true,
            ebs_optimized: false,
            cpu_credits: None,
        }
    }
}

impl State {
    /// The security groups of instance `i`: its own, else its VPC's default group.
    pub fn instance_groups(&self, i: &Instance) -> Vec<String> {
        if !i.security_group_ids.is_empty() {
            return i.security_group_ids.clone();
        }
        self.vpcs.get(&i.vpc_id).map(|v| vec![v.default_security_group.clone()]).unwrap_or_default()
    }
}

resource!(Instance, id, "instance ID", "instances", codes::INVALID_INSTANCE_ID_NOT_FOUND, "instance", |s| s
    .tags
    .name());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ami_ids_have_8_or_17_hex_digits() {
        assert!(is_ami_id("ami-0123abcd") && is_ami_id(DEFAULT_IMAGE_ID));
        for bad in ["ami-0123abc", "ami-0123abcg", "ami-", "img-0123abcd", "ami-0123456789abcdef"] {
            assert!(!is_ami_id(bad), "{bad}");
        }
    }
}
