//! The access keys of the AWS API: `<state dir>/credentials.json`, root-only.
//!
//! Contract:
//! - The file is created (mode 0600, with a key for the default account) when the daemon first
//!   starts, and its mode is forced back to 0600 at every start. It maps access key IDs to an
//!   account and a secret: `{"Version":1,"Keys":[{"AccessKeyId","SecretAccessKey","Account"}]}`.
//! - [`Credentials::for_account`] returns the account's key, creating one if it has none; a new
//!   key is on disk (written to a temporary file, fsynced, renamed, directory fsynced) before
//!   it is returned, so a key handed out is never lost.
//! - Secrets come from the kernel's CSPRNG (`getrandom`): 40 characters of 6 random bits each.
//!   Access key IDs look like AWS's (`AKIA` + 16 of `A-Z2-7`).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::DEFAULT_ACCOUNT;

/// One access key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Key {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct File1 {
    version: u32,
    keys: Vec<Key>,
}

/// The credentials file and its keys.
pub struct Credentials {
    path: PathBuf,
    keys: Mutex<Vec<Key>>,
}

const FILE: &str = "credentials.json";

impl Credentials {
    /// Opens `dir/credentials.json`, creating it with a key for the default account.
    pub fn open(dir: &Path) -> Result<Credentials, Error> {
        let path = dir.join(FILE);
        let creds = match fs::read(&path) {
            Ok(bytes) => {
                let f: File1 = serde_json::from_slice(&bytes)
                    .map_err(|source| Error::CorruptCredentials { path: path.clone(), source })?;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
                    .map_err(Error::io("chmod 0600", &path))?;
                Credentials { path, keys: Mutex::new(f.keys) }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let c = Credentials { path, keys: Mutex::new(Vec::new()) };
                c.for_account(DEFAULT_ACCOUNT)?;
                c
            }
            Err(e) => return Err(Error::io("read", &path)(e)),
        };
        Ok(creds)
    }

    /// The secret and account of `access_key_id`.
    pub fn lookup(&self, access_key_id: &str) -> Option<Key> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|k| k.access_key_id == access_key_id)
            .cloned()
    }

    /// The key of `account`, created (and saved) if it has none.
    pub fn for_account(&self, account: &str) -> Result<Key, Error> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(k) = keys.iter().find(|k| k.account == account) {
            return Ok(k.clone());
        }
        let key = Key {
            access_key_id: format!("AKIA{}", random_chars(16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")?),
            secret_access_key: random_chars(
                40,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            )?,
            account: account.to_owned(),
        };
        let mut next = keys.clone();
        next.push(key.clone());
        self.save(&next)?;
        *keys = next;
        Ok(key)
    }

    fn save(&self, keys: &[Key]) -> Result<(), Error> {
        let tmp = self.path.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(&File1 { version: 1, keys: keys.to_vec() })
            .map_err(|source| Error::CorruptCredentials { path: self.path.clone(), source })?;
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(Error::io("create", &tmp))?;
        f.write_all(&text).and_then(|()| f.sync_all()).map_err(Error::io("write", &tmp))?;
        fs::rename(&tmp, &self.path).map_err(Error::io("replace", &self.path))?;
        if let Some(dir) = self.path.parent() {
            File::open(dir).and_then(|d| d.sync_all()).map_err(Error::io("sync", dir))?;
        }
        Ok(())
    }
}

/// `n` characters drawn uniformly from `alphabet` (whose length divides 256).
fn random_chars(n: usize, alphabet: &[u8]) -> Result<String, Error> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::io("draw random bytes for", FILE)(std::io::Error::other(e.to_string())))?;
    Ok(bytes.iter().map(|b| alphabet[usize::from(*b) % alphabet.len()] as char).collect())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    #[test]
    fn created_root_only_and_stable_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let c = Credentials::open(dir.path()).unwrap();
        let meta = fs::metadata(dir.path().join(FILE)).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600);
        let default = c.for_account(DEFAULT_ACCOUNT).unwrap();
        assert!(default.access_key_id.starts_with("AKIA") && default.access_key_id.len() == 20);
        assert_eq!(default.secret_access_key.len(), 40);
        let other = c.for_account("222222222222").unwrap();
        assert_ne!(other.secret_access_key, default.secret_access_key);
        assert_eq!(c.lookup(&other.access_key_id), Some(other.clone()));
        assert_eq!(c.lookup("AKIANOPE"), None);
        fs::set_permissions(dir.path().join(FILE), fs::Permissions::from_mode(0o644)).unwrap();
        let again = Credentials::open(dir.path()).unwrap();
        assert_eq!(again.for_account("222222222222").unwrap(), other);
        assert_eq!(fs::metadata(dir.path().join(FILE)).unwrap().mode() & 0o777, 0o600);
        fs::write(dir.path().join(FILE), "{").unwrap();
        assert!(Credentials::open(dir.path()).is_err());
    }
}
