//! The controller: the one place where the state changes.
//!
//! Contract:
//! - The committed state is an immutable snapshot behind an [`ArcSwap`]: readers load it without
//!   a lock, so Describe* calls (and the health thread) never wait for a mutation, and a mutation
//!   never waits for them.
//! - Mutations are serialised by the writer mutex, which owns the store and the fabric. A
//!   mutating request runs on a copy of the snapshot: `api::dispatch(&mut new)` (every check,
//!   the change) → `fabric.apply(&old, &mut new)` → the answer rendered from `new`
//!   ([`api::Pending::answer`], so it shows what the fabric decided) → `store.save(&new)`
//!   (fsynced) → `new` is published → the reply. Only the holder of the writer mutex publishes, so the snapshot it copied is the
//!   latest. Nothing is published or acknowledged before it is durable; any error leaves the
//!   state, the store and (best effort) the fabric as they were. A request that changes nothing
//!   (e.g. accepting an already accepted endpoint) skips fabric and store.
//! - Describe* requests read one snapshot; they touch neither the fabric nor the store.
//! - Data-plane actions go to the fabric's [`Inspect`] handle (with `VpcId` resolved for the
//!   caller), without the writer mutex, and are checked for unknown parameters like any other;
//!   an action not in the registry ([`api::OPERATIONS`]) → `InvalidAction`.
//! - `GetCredentials` (socket only: the AWS front never forwards it) answers the calling
//!   account's access key for the AWS API, creating it if needed ([`crate::credentials`]).
//! - [`Controller::open`] restores: it loads the stored state (or starts fresh) and applies it
//!   to the fabric from an empty state, so the daemon rebuilds everything it had.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use arc_swap::ArcSwap;
use serde_json::Value;

use crate::api::{self, Kind, Operation, Params, Request};
use crate::credentials::Credentials;
use crate::error::{ApiError, Error};
use crate::fabric::{Fabric, Inspect};
use crate::model::{State, find};
use crate::store::Store;

/// Owns the state, its store and the fabric.
pub struct Controller {
    /// The committed (durable, applied) state; replaced only under `writer`.
    state: ArcSwap<State>,
    writer: Mutex<Writer>,
    /// The fabric's read-only queries, answered outside `writer`.
    inspector: Arc<dyn Inspect>,
    credentials: Credentials,
    /// Where the AWS API is served, once privlinkd listens (`http://127.0.0.1:4566`).
    api_endpoint: OnceLock<String>,
}

struct Writer {
    store: Store,
    fabric: Box<dyn Fabric>,
}

impl Controller {
    /// Opens the state directory, restores its state into `fabric`, and persists what the
    /// fabric filled in.
    pub fn open(state_dir: impl AsRef<Path>, fabric: impl Fabric) -> Result<Controller, Error> {
        let store = Store::open(&state_dir)?;
        let credentials = Credentials::open(state_dir.as_ref())?;
        let mut state = store.load()?.unwrap_or_default();
        let mut fabric: Box<dyn Fabric> = Box::new(fabric);
        fabric.apply(&State::empty_like(&state), &mut state).map_err(Error::Restore)?;
        store.save(&state)?;
        tracing::info!(path = %store.path().display(), vpcs = state.vpcs.len(), endpoints = state.vpc_endpoints.len(), "state restored");
        Ok(Controller {
            inspector: fabric.inspector(),
            state: ArcSwap::from_pointee(state),
            writer: Mutex::new(Writer { store, fabric }),
            credentials,
            api_endpoint: OnceLock::new(),
        })
    }

    /// Handles one request object and returns the response object (result or `{"Error":…}`).
    pub fn handle(&self, req: &Value) -> Value {
        self.call(req).unwrap_or_else(|e| e.to_json())
    }

    /// Handles one request object.
    pub fn call(&self, raw: &Value) -> Result<Value, ApiError> {
        let req = Request::parse(raw)?;
        let span = tracing::info_span!("api", action = %req.action, account = %req.account);
        let _entered = span.enter();
        let op = api::operation(&req.action);
        let result = match op.map(|op| op.kind) {
            Some(Kind::Read(_)) => api::query(&self.state.load(), &req),
            Some(Kind::Write(_)) => {
                let mut writer = self.lock();
                self.commit(&mut writer, |new| api::dispatch(new, &req), api::Pending::answer)
            }
            Some(Kind::DataPlane) => self.fabric_query(req),
            Some(Kind::Credentials) => self.get_credentials(&req),
            None => Err(api::invalid_action(&req.action)),
        };
        match &result {
            Ok(_) if op.is_some_and(Operation::is_mutating) => tracing::info!("applied"),
            Ok(_) => tracing::debug!("answered"),
            Err(e) => tracing::info!(code = %e.code, message = %e.message, "refused"),
        }
        result
    }

    /// The AWS API's access keys.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Records where the AWS API is served (shown by `GetCredentials`).
    pub fn set_api_endpoint(&self, url: String) {
        let _ = self.api_endpoint.set(url);
    }

    fn get_credentials(&self, req: &Request) -> Result<Value, ApiError> {
        req.reject_unused()?;
        let key = self
            .credentials
            .for_account(&req.account)
            .map_err(|e| ApiError::internal(format!("cannot save a new access key: {e}")))?;
        let mut out = serde_json::json!({
            "AccessKeyId": key.access_key_id,
            "SecretAccessKey": key.secret_access_key,
            "Account": key.account,
            "Region": self.state.load().region,
        });
        if let Some(url) = self.api_endpoint.get() {
            out["Endpoint"] = url.clone().into();
        }
        Ok(out)
    }

    /// The current state: a shared, immutable snapshot (no copy, no lock).
    pub fn snapshot(&self) -> Arc<State> {
        self.state.load_full()
    }

    /// A copy of the current state.
    pub fn state(&self) -> State {
        State::clone(&self.state.load())
    }

    /// Changes fabric-owned fields (e.g. target health) with the same guarantees as an API
    /// mutation: the fabric sees the change, then it is persisted. Must not be called from
    /// inside [`Fabric::apply`] (the writer mutex is held there).
    pub fn mutate_internal<R>(&self, f: impl FnOnce(&mut State) -> R) -> Result<R, ApiError> {
        let mut writer = self.lock();
        self.commit(&mut writer, |s| Ok(f(s)), |r, _| Ok(r))
    }

    fn lock(&self) -> MutexGuard<'_, Writer> {
        // A panic while locked cannot leave a half-changed state: changes are made on a copy.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `change` on a copy of the state, has the fabric apply the copy, lets `finish` answer
    /// from the applied copy (it may record there, e.g. a client token), saves the copy, then
    /// publishes it. The caller holds the writer mutex (`writer`), so the loaded snapshot is the
    /// latest. A change that leaves the state as it was skips fabric and store.
    fn commit<P, R>(
        &self,
        writer: &mut Writer,
        change: impl FnOnce(&mut State) -> Result<P, ApiError>,
        finish: impl FnOnce(P, &mut State) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let old = self.state.load_full();
        let mut new = State::clone(&old);
        let pending = change(&mut new)?;
        let applied = new != *old;
        if applied {
            writer.fabric.apply(&old, &mut new)?;
        }
        let out = match finish(pending, &mut new) {
            Ok(out) => out,
            Err(e) => return Err(self.undo(writer, applied.then_some(&new), &old, e)),
        };
        if new == *old {
            return Ok(out);
        }
        if let Err(e) = writer.store.save(&new) {
            let e = ApiError::internal(format!("The change was not made because it could not be saved: {e}"));
            return Err(self.undo(writer, Some(&new), &old, e));
        }
        self.state.store(Arc::new(new));
        Ok(out)
    }

    /// Rolls the fabric back from `applied` (if it applied anything) to `old`; answers `e`.
    fn undo(&self, writer: &mut Writer, applied: Option<&State>, old: &State, e: ApiError) -> ApiError {
        if let Some(applied) = applied {
            let mut back = State::clone(old);
            if let Err(undo) = writer.fabric.apply(applied, &mut back) {
                tracing::error!(error = %undo, "could not roll the data plane back after a failed change");
            }
        }
        e
    }

    fn fabric_query(&self, mut req: Request) -> Result<Value, ApiError> {
        if let Some(key) = req.str_opt("VpcId")? {
            let id = find(&self.state.load().vpcs, &req.account, key)?.id.clone();
            req.resolve("VpcId", id);
        }
        let out = self.inspector.query(&req).unwrap_or_else(|| Err(api::invalid_action(&req.action)))?;
        req.reject_unused()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::codes;
    use crate::fabric::RecordingFabric;

    fn create_vpc(name: &str) -> Value {
        json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16", "Name": name})
    }

    #[test]
    fn mutations_reach_the_fabric_and_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let fabric = RecordingFabric::new();
        let ctl = Controller::open(dir.path(), fabric.clone()).unwrap();
        let v = ctl.call(&create_vpc("prov")).unwrap();
        let id = v["Vpc"]["VpcId"].as_str().unwrap();
        let applied = fabric.applied();
        assert_eq!(applied.len(), 2, "restore + CreateVpc");
        assert!(applied[1].0.vpcs.is_empty() && applied[1].1.vpcs.contains_key(id));
        assert!(ctl.state().vpcs[id].netns_managed, "fabric-owned fields are kept");
        assert_eq!(v["Vpc"]["NetnsManaged"], true, "the answer shows what the fabric decided");
        let on_disk: State =
            serde_json::from_slice(&std::fs::read(dir.path().join("state.json")).unwrap()).unwrap();
        assert_eq!(on_disk, ctl.state());
        ctl.call(&json!({"Action": "DescribeVpcs"})).unwrap();
        assert_eq!(fabric.applied().len(), 2, "describes skip the fabric");
    }

    #[test]
    fn a_failing_fabric_aborts_the_change() {
        let dir = tempfile::tempdir().unwrap();
        let fabric = RecordingFabric::new();
        let ctl = Controller::open(dir.path(), fabric.clone()).unwrap();
        let before = std::fs::read(dir.path().join("state.json")).unwrap();
        fabric.fail_next(ApiError::internal("cannot create netns pl-prov"));
        let e = ctl.call(&create_vpc("prov")).unwrap_err();
        assert!(e.message.contains("pl-prov"));
        assert!(ctl.state().vpcs.is_empty());
        assert_eq!(std::fs::read(dir.path().join("state.json")).unwrap(), before, "nothing persisted");
        ctl.call(&create_vpc("prov")).unwrap();
    }

    #[test]
    fn reopening_restores_the_state_into_the_fabric() {
        let dir = tempfile::tempdir().unwrap();
        let before = {
            let ctl = Controller::open(dir.path(), RecordingFabric::new()).unwrap();
            ctl.call(&create_vpc("prov")).unwrap();
            ctl.state()
        };
        let fabric = RecordingFabric::new();
        let ctl = Controller::open(dir.path(), fabric.clone()).unwrap();
        assert_eq!(ctl.state(), before);
        let applied = fabric.applied();
        assert_eq!(applied.len(), 1);
        assert_eq!(applied[0].0, State::new(), "restore starts from an empty state");
        assert_eq!(applied[0].1, before);
    }

    #[test]
    fn fabric_queries_get_resolved_vpc_ids() {
        let dir = tempfile::tempdir().unwrap();
        let ctl = Controller::open(dir.path(), RecordingFabric::new()).unwrap();
        let id = ctl.call(&create_vpc("prov")).unwrap()["Vpc"]["VpcId"].clone();
        let t = ctl.call(&json!({"Action": "Trace", "VpcId": "prov", "Source": "10.0.1.4"})).unwrap();
        assert_eq!(t["Trace"]["VpcId"], id);
        assert_eq!(t["Trace"]["Source"], "10.0.1.4");
        let e = ctl
            .call(&json!({"Action": "Trace", "VpcId": "prov", "Source": "10.0.1.4", "Src": "x"}))
            .unwrap_err();
        assert_eq!(e.code, codes::UNKNOWN_PARAMETER, "{e:?}");
        let e = ctl.call(&json!({"Action": "Trace", "VpcId": "nope", "Source": "10.0.1.4"})).unwrap_err();
        assert_eq!(e.code, codes::INVALID_VPC_ID_NOT_FOUND);
        assert_eq!(ctl.call(&json!({"Action": "GetStats"})).unwrap()["Stats"]["Applies"], 2);
        assert_eq!(ctl.call(&json!({"Action": "Frobnicate"})).unwrap_err().code, codes::INVALID_ACTION);
        assert_eq!(ctl.handle(&json!({"Action": 5}))["Error"]["Code"], codes::INVALID_PARAMETER_VALUE);
    }

    #[test]
    fn reads_and_fabric_queries_do_not_wait_for_a_mutation_in_progress() {
        let dir = tempfile::tempdir().unwrap();
        let ctl = Arc::new(Controller::open(dir.path(), RecordingFabric::new()).unwrap());
        ctl.call(&create_vpc("prov")).unwrap();
        let writer = ctl.lock(); // as a slow CreateVpc would hold it
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = ctl.clone();
        std::thread::spawn(move || {
            let _ = tx.send(reader.call(&json!({"Action": "DescribeVpcs"})));
        });
        let v =
            rx.recv_timeout(std::time::Duration::from_secs(10)).expect("DescribeVpcs waited for the writer");
        assert_eq!(v.unwrap()["Vpcs"].as_array().unwrap().len(), 1);
        assert_eq!(ctl.snapshot().vpcs.len(), 1);
        drop(writer);
    }

    #[test]
    fn internal_mutations_are_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let ctl = Controller::open(dir.path(), RecordingFabric::new()).unwrap();
        let id = ctl.call(&create_vpc("prov")).unwrap()["Vpc"]["VpcId"].as_str().unwrap().to_owned();
        ctl.mutate_internal(|s| s.vpcs.get_mut(&id).unwrap().netns_managed = false).unwrap();
        drop(ctl);
        let ctl = Controller::open(dir.path(), crate::fabric::NoopFabric).unwrap();
        assert!(!ctl.state().vpcs[&id].netns_managed);
    }
}
