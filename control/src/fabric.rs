//! The hook between the control plane and the world: the [`Fabric`] trait.
//!
//! The daemon implements it to make namespaces, VPC devices, instance addresses and forwarding
//! tables match the [`State`]. With the `testkit` feature (and in unit tests) two fabrics for
//! tests: `NoopFabric` does nothing (a control plane without a data plane); `RecordingFabric`
//! records every call and can be told to fail.

use std::sync::Arc;
#[cfg(any(test, feature = "testkit"))]
use std::sync::{Mutex, PoisonError};

use serde_json::Value;
#[cfg(any(test, feature = "testkit"))]
use serde_json::json;

#[cfg(any(test, feature = "testkit"))]
use crate::api::Params;
use crate::api::Request;
use crate::error::ApiError;
use crate::model::State;

/// The data plane, as the controller sees it.
pub trait Fabric: Send + 'static {
    /// Make the world match `new` (namespaces, VPC devices, instance addresses, forwarding
    /// tables). `old` is the state before the change (an empty state at start-up, when the
    /// stored state is restored). May fill fabric-owned fields of `new` (e.g.
    /// [`crate::model::Vpc::netns_managed`]). An `Err` aborts the change: the controller keeps
    /// `old`, persists nothing and returns the error to the client.
    fn apply(&mut self, old: &State, new: &mut State) -> Result<(), ApiError>;

    /// The handle that answers the data plane's read-only actions. The controller takes it
    /// once and calls it without its writer mutex, so a slow query (GetStats over hundreds of
    /// devices) never delays a mutation, nor a mutation a query.
    fn inspector(&self) -> Arc<dyn Inspect>;
}

/// The data plane's read-only actions. Implementations read only state that is safely shared
/// between threads (published snapshots, counters), as calls run alongside `apply`.
pub trait Inspect: Send + Sync + 'static {
    /// Answer a read-only action the data plane owns (e.g. `GetStats`, `DescribeFlows`,
    /// `Trace`); `None` = unknown action. Parameters are read through [`Params`](crate::api::Params), so the
    /// caller rejects any the query did not read; `VpcId` is already resolved to an ID of the
    /// caller's VPC.
    fn query(&self, req: &Request) -> Option<Result<Value, ApiError>>;
}

#[cfg(any(test, feature = "testkit"))]
/// A fabric that does nothing and knows no actions.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopFabric;

#[cfg(any(test, feature = "testkit"))]
impl Fabric for NoopFabric {
    fn apply(&mut self, _old: &State, _new: &mut State) -> Result<(), ApiError> {
        Ok(())
    }
    fn inspector(&self) -> Arc<dyn Inspect> {
        Arc::new(NoopFabric)
    }
}

#[cfg(any(test, feature = "testkit"))]
impl Inspect for NoopFabric {
    fn query(&self, _req: &Request) -> Option<Result<Value, ApiError>> {
        None
    }
}

#[cfg(any(test, feature = "testkit"))]
/// A test fabric: records each `apply` as `(old, new)`, marks every new VPC's namespace as
/// managed (as a fabric that created it would), can fail the next `apply`, and answers
/// `GetStats` with `{"Stats":{"Applies":n}}` and `Trace` with `{"Trace":{"VpcId", "Source"}}`.
/// Clones share the record.
#[derive(Clone, Debug, Default)]
pub struct RecordingFabric {
    inner: Arc<Mutex<Recording>>,
}

#[cfg(any(test, feature = "testkit"))]
#[derive(Debug, Default)]
struct Recording {
    applied: Vec<(State, State)>,
    fail_next: Option<ApiError>,
}

#[cfg(any(test, feature = "testkit"))]
impl RecordingFabric {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every successful `apply` so far, as `(old, new)`.
    pub fn applied(&self) -> Vec<(State, State)> {
        self.lock().applied.clone()
    }

    /// Makes the next `apply` fail with `error`.
    pub fn fail_next(&self, error: ApiError) {
        self.lock().fail_next = Some(error);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recording> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(any(test, feature = "testkit"))]
impl Fabric for RecordingFabric {
    fn apply(&mut self, old: &State, new: &mut State) -> Result<(), ApiError> {
        let mut r = self.lock();
        if let Some(e) = r.fail_next.take() {
            return Err(e);
        }
        for (id, vpc) in new.vpcs.iter_mut() {
            if !old.vpcs.contains_key(id) {
                vpc.netns_managed = true;
            }
        }
        r.applied.push((old.clone(), new.clone()));
        Ok(())
    }

    fn inspector(&self) -> Arc<dyn Inspect> {
        Arc::new(self.clone())
    }
}

#[cfg(any(test, feature = "testkit"))]
impl Inspect for RecordingFabric {
    fn query(&self, req: &Request) -> Option<Result<Value, ApiError>> {
        match req.action.as_str() {
            "GetStats" => Some(Ok(json!({"Stats": {"Applies": self.lock().applied.len()}}))),
            "Trace" => {
                Some((|| Ok(json!({"Trace": {"VpcId": req.str("VpcId")?, "Source": req.str("Source")?}})))())
            }
            _ => None,
        }
    }
}
