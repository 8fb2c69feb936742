//! `privlink-control`: the control plane of privlink.
//!
//! privlink emulates AWS PrivateLink and VPC endpoints on one Linux machine. This crate owns
//! everything that is not a packet:
//!
//! - [`model`]: the resource model ([`State`]: VPCs, subnets, route tables, security groups,
//!   instances, NLBs, target groups, listeners, endpoint services, VPC endpoints, prefix lists).
//!   It is what the data plane compiles into its forwarding tables.
//! - [`api`]: one file per AWS-named operation (`CreateVpcEndpoint`, …): parse, validate, apply
//!   to a [`State`]. [`api`]'s module docs describe every request and response shape.
//! - [`store`]: durable state (one versioned JSON file, atomically replaced and fsynced).
//! - [`credentials`]: the access keys of the AWS front.
//! - [`controller`]: serialises mutations, hands each new state to the [`Fabric`] (the data
//!   plane), persists it, and only then answers.
//! - [`proto`], [`server`], [`client`]: the newline-delimited JSON protocol over a Unix socket.
//! - [`aws`]: the AWS front: EC2/ELBv2/STS Query APIs over HTTP with SigV4, translated to
//!   the same [`api`] operations.
//! - [`cli`] (binary `privlink`): the CLI, a thin front over [`client`].
//!
//! Nothing here touches network namespaces or packets; the daemon (`privlinkd`, in the
//! data-plane crate) implements [`Fabric`] to make the world match the [`State`].

pub mod api;
pub mod aws;
pub mod cli;
pub mod client;
pub mod controller;
pub mod credentials;
pub mod error;
pub mod fabric;
pub mod ids;
pub mod model;
pub mod proto;
pub mod server;
pub mod store;

pub use api::Request;
pub use client::Client;
pub use controller::Controller;
pub use error::{ApiError, Error};
pub use fabric::{Fabric, Inspect};
#[cfg(any(test, feature = "testkit"))]
pub use fabric::{NoopFabric, RecordingFabric};
pub use model::State;
