//! privlink's data plane: everything that touches packets.
//!
//! Pure modules (no syscalls, time passed in, unit-tested with byte fixtures): [`wire`],
//! [`fib`], [`flow`], [`nat`], [`lb`], [`route`], [`packet`], [`pipeline`], [`verdict`],
//! [`health`] (the health-check state machine; [`health_prober`] runs it).
//! The pipeline's entry point is [`pipeline::process`].

pub mod compile;
pub mod fabric;
pub mod fib;
pub mod flow;
pub mod health;
pub mod health_prober;
pub mod icmp_error;
pub mod inspect;
pub mod io;
pub mod lb;
pub mod metrics;
pub mod nat;
pub mod packet;
pub mod pipeline;
pub mod resolver;
pub mod route;
pub mod verdict;
pub mod wire;
pub mod worker;
