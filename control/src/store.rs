//! Durable state: one versioned JSON file in the state directory.
//!
//! Contract:
//! - The file is `<state dir>/state.json`, the [`State`] as JSON (`{"Version":2,"Region":…}`),
//!   mode 0600 in a 0700 directory.
//! - [`Store::save`] is atomic and durable: it writes `state.json.tmp`, fsyncs it, renames it
//!   over `state.json` and fsyncs the directory. A crash leaves the old or the new file, never a
//!   mix. When `save` returns `Ok`, the state survives power loss.
//! - [`Store::load`] returns `None` if there is no file yet; a file that is not valid JSON of a
//!   known Version is an error naming the path (never silently replaced). Older versions are
//!   migrated in memory (`migrate`); the next save writes the current version.
//! - One store per directory: [`Store::open`] takes an exclusive lock (`flock` on
//!   `<state dir>/lock`) held until the store is dropped, so two daemons never share a state.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};
use serde_json::Value;

use crate::error::Error;
use crate::model::{STATE_VERSION, State};

/// The state file's name inside the state directory.
pub const STATE_FILE: &str = "state.json";

/// The state directory, locked for this process.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    path: PathBuf,
    _lock: Flock<File>,
}

impl Store {
    /// Opens (creating it if needed) and locks the state directory `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store, Error> {
        let dir = dir.as_ref().to_path_buf();
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(Error::io("create state directory", &dir))?;
        let lock_path = dir.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(Error::io("open", &lock_path))?;
        let lock = Flock::lock(lock, FlockArg::LockExclusiveNonblock).map_err(|(_, errno)| {
            Error::io("lock (is another privlinkd using this state directory?)", &lock_path)(errno.into())
        })?;
        Ok(Store { path: dir.join(STATE_FILE), dir, _lock: lock })
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored state, or `None` if nothing was stored yet.
    pub fn load(&self) -> Result<Option<State>, Error> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", &self.path)(e)),
        };
        let corrupt = |source| Error::CorruptState { path: self.path.clone(), source };
        let mut value: Value = serde_json::from_slice(&bytes).map_err(corrupt)?;
        match value.get("Version").and_then(Value::as_u64) {
            Some(v) if v == u64::from(STATE_VERSION) => {}
            Some(1) => migrate(&mut value),
            Some(found) => {
                return Err(Error::StateVersion { path: self.path.clone(), found, expected: STATE_VERSION });
            }
            None => {
                let source = <serde_json::Error as serde::de::Error>::custom("no numeric \"Version\" field");
                return Err(corrupt(source));
            }
        }
        serde_json::from_value(value).map(Some).map_err(corrupt)
    }

    /// Atomically replaces the stored state with `state` and makes it durable.
    pub fn save(&self, state: &State) -> Result<(), Error> {
        let tmp = self.dir.join(format!("{STATE_FILE}.tmp"));
        let mut bytes = serde_json::to_vec_pretty(state).expect("State serialises");
        bytes.push(b'\n');
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(Error::io("create", &tmp))?;
        file.write_all(&bytes).map_err(Error::io("write", &tmp))?;
        file.sync_all().map_err(Error::io("fsync", &tmp))?;
        fs::rename(&tmp, &self.path).map_err(Error::io("rename into place", &self.path))?;
        File::open(&self.dir).and_then(|d| d.sync_all()).map_err(Error::io("fsync directory", &self.dir))
    }
}

/// The resource maps that had a `Name` field in Version 1.
const NAMED_V1: &[&str] =
    &["Vpcs", "Subnets", "RouteTables", "Instances", "EndpointServices", "VpcEndpoints"];

/// Migrates a Version 1 state to the current version: a resource's `Name` becomes its `Name` tag.
fn migrate(state: &mut Value) {
    for map in NAMED_V1 {
        let Some(Value::Object(resources)) = state.get_mut(*map) else { continue };
        for resource in resources.values_mut() {
            let Some(fields) = resource.as_object_mut() else { continue };
            if let Some(name) = fields.remove("Name") {
                fields.insert("Tags".into(), serde_json::json!({ "Name": name }));
            }
        }
    }
    state["Version"] = STATE_VERSION.into();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Resource, Tags, Vpc};

    fn sample() -> State {
        let mut s = State::new();
        s.vpcs.insert(
            "vpc-1".into(),
            Vpc {
                id: "vpc-1".into(),
                owner: "111111111111".into(),
                tags: Tags::named(Some("prov".into())),
                cidr: "10.0.0.0/16".parse().unwrap(),
                netns: "pl-prov".into(),
                netns_managed: true,
                main_route_table: "rtb-1".into(),
                default_security_group: "sg-1".into(),
                attributes: Default::default(),
            },
        );
        s
    }

    #[test]
    fn roundtrips_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("state")).unwrap();
        assert_eq!(store.load().unwrap(), None);
        store.save(&State::new()).unwrap();
        store.save(&sample()).unwrap();
        assert_eq!(store.load().unwrap(), Some(sample()));
        assert!(!dir.path().join("state/state.json.tmp").exists(), "the temp file was renamed away");
        let text = fs::read_to_string(store.path()).unwrap();
        assert!(text.starts_with("{\n  \"Version\": 2"), "{text}");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs::metadata(store.path()).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn corrupt_or_foreign_files_are_errors_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        fs::write(store.path(), "{\"Version\":1,\"Region\":").unwrap();
        let e = store.load().unwrap_err().to_string();
        assert!(e.contains("state.json") && e.contains("corrupt"), "{e}");
        fs::write(store.path(), "{\"Version\":7}").unwrap();
        let e = store.load().unwrap_err().to_string();
        assert!(e.contains("Version 7"), "{e}");
        fs::write(store.path(), "[]").unwrap();
        assert!(store.load().unwrap_err().to_string().contains("Version"));
    }

    #[test]
    fn version_1_names_become_name_tags() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut v1 = serde_json::to_value(sample()).unwrap();
        v1["Version"] = 1.into();
        let vpc = v1["Vpcs"]["vpc-1"].as_object_mut().unwrap();
        vpc.remove("Tags");
        vpc.insert("Name".into(), "prov".into());
        fs::write(store.path(), v1.to_string()).unwrap();
        let state = store.load().unwrap().unwrap();
        assert_eq!(state.version, STATE_VERSION);
        assert_eq!(state.vpcs["vpc-1"].name(), Some("prov"));
        assert_eq!(state, sample());
    }

    #[test]
    fn a_state_directory_has_one_owner() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path()).unwrap();
        let e = Store::open(dir.path()).unwrap_err().to_string();
        assert!(e.contains("lock") && e.contains(&dir.path().display().to_string()), "{e}");
        drop(first);
        Store::open(dir.path()).unwrap();
    }
}
