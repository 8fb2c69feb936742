//! Helpers shared by the integration tests: pure-pipeline fixtures, a privlinkd
//! harness, and namespace/device lab tools.
#![allow(dead_code)]

pub mod aws;
pub mod daemon;
pub mod fixtures;
pub mod netlab;
