//! privlink's data plane: everything that touches packets.
//!
//! The tree draws the line the architecture draws: every top-level module but [`runtime`] is
//! the pure core (no syscalls, no clock reads: time passed in; unit-tested with byte
//! fixtures) — [`wire`], [`packet`], [`frame`], [`coalesce`], [`fib`], [`compile`], [`flow`], [`nat`], [`lb`],
//! [`route`], [`pipeline`], [`icmp_error`], [`resolver`], [`health`], [`verdict`]. What makes
//! syscalls (devices, namespaces, threads, sockets) is under [`runtime`].
//! The pipeline's entry point is [`pipeline::process`].

pub mod coalesce;
pub mod compile;
pub mod fib;
pub mod flow;
pub mod frame;
pub mod health;
pub mod icmp_error;
pub mod lb;
pub mod nat;
pub mod packet;
pub mod pipeline;
pub mod resolver;
pub mod route;
pub mod runtime;
pub mod verdict;
pub mod wire;
