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
}

resource!(Instance, id, "instance ID", "instances", codes::INVALID_INSTANCE_ID_NOT_FOUND, "instance", |s| s
    .tags
    .name());
