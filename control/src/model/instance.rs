//! Instances: one private address in a subnet.
//!
//! privlink has no virtual machines. An [`Instance`] is an address that the fabric puts on the
//! `lo` of its VPC's namespace, so processes in that namespace can use it as a source (client)
//! or listen on it (target).

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

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
    /// `stop` or `terminate`.
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

resource!(Instance, id, "instance ID", "instances", codes::INVALID_INSTANCE_ID_NOT_FOUND, "instance", |s| s
    .tags
    .name());
