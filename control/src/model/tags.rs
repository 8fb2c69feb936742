//! Tags: the key/value labels every taggable resource carries.
//!
//! Contract:
//! - A resource's [`Tags`] map each key to one value (AWS: keys are unique per resource), kept
//!   in key order, so every listing of tags is deterministic.
//! - The `Name` tag is the name lookups use ([`super::Resource::name`]) for the EC2 resources
//!   that have no name of their own (VPCs, subnets, route tables, instances, endpoints,
//!   endpoint services).
//! - Limits (AWS's): keys 1..=128 characters, values 0..=256, at most [`MAX_TAGS`] per resource,
//!   keys starting with `aws:` reserved. The API checks them ([`Tags::check_key`],
//!   [`Tags::check_value`], [`Tags::check_count`]) before storing.
//! - [`super::State::tag_target`] (in [`super::lookup`]) finds any taggable resource by ID or
//!   ARN, so CreateTags / AddTags and their inverses are written once for every kind.
//! - This module knows no resource kind: it is the value type only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ApiError;

/// The most tags one resource may carry.
pub const MAX_TAGS: usize = 50;
/// A resource's tags, keyed by tag key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tags(BTreeMap<String, String>);

impl Tags {
    /// The key of the Name tag.
    pub const NAME: &str = "Name";

    /// Tags holding only `Name` = `name` (none for `None`).
    pub fn named(name: Option<String>) -> Tags {
        Tags(name.into_iter().map(|n| (Tags::NAME.to_owned(), n)).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of the `Name` tag.
    pub fn name(&self) -> Option<&str> {
        self.get(Tags::NAME)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// `(key, value)` pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Sets `key` to `value` (replacing an existing value).
    pub fn set(&mut self, key: &str, value: &str) {
        self.0.insert(key.to_owned(), value.to_owned());
    }

    /// Removes `key` if `value` is `None` or equals its value (EC2 DeleteTags semantics).
    pub fn remove(&mut self, key: &str, value: Option<&str>) {
        if value.is_none_or(|v| self.get(key) == Some(v)) {
            self.0.remove(key);
        }
    }

    /// Removes every tag.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The AWS `TagList` shape: `[{"Key":…,"Value":…}]`.
    pub fn to_json(&self) -> Value {
        Value::Array(self.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect())
    }

    /// Checks a tag key against AWS's rules.
    pub fn check_key(key: &str) -> Result<(), ApiError> {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(ApiError::invalid(format!(
                "Tag key '{key}' is invalid: a key has 1 to 128 characters"
            )));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(ApiError::invalid(format!(
                "Tag key '{key}' is invalid: keys starting with 'aws:' are reserved for AWS use"
            )));
        }
        Ok(())
    }

    /// Checks a tag value against AWS's rules.
    pub fn check_value(key: &str, value: &str) -> Result<(), ApiError> {
        if value.chars().count() > 256 {
            return Err(ApiError::invalid(format!(
                "The value of tag '{key}' is too long: a value has at most 256 characters"
            )));
        }
        Ok(())
    }

    /// `code` (EC2 `TagLimitExceeded`, ELBv2 `TooManyTags`) if these tags of `what` (a
    /// resource ID, or "The new resource") are more than [`MAX_TAGS`].
    pub fn check_count(&self, what: &str, code: &'static str) -> Result<(), ApiError> {
        if self.0.len() > MAX_TAGS {
            return Err(ApiError::new(
                code,
                format!("{what} would carry {} tags; at most {MAX_TAGS} are allowed", self.0.len()),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_keep_key_order_and_delete_by_value() {
        let mut t = Tags::named(Some("web".into()));
        t.set("env", "prod");
        t.set("Name", "api");
        assert_eq!(t.name(), Some("api"));
        assert_eq!(t.to_json(), json!([{"Key": "Name", "Value": "api"}, {"Key": "env", "Value": "prod"}]));
        t.remove("env", Some("dev"));
        assert_eq!(t.get("env"), Some("prod"), "a different value keeps the tag");
        t.remove("env", None);
        assert_eq!(t.get("env"), None);
        assert_eq!(serde_json::to_value(&t).unwrap(), json!({"Name": "api"}));
    }

    #[test]
    fn limits_name_the_bad_key() {
        assert!(Tags::check_key("aws:cloudformation").unwrap_err().message.contains("aws:cloudformation"));
        assert!(Tags::check_key("").is_err() && Tags::check_key(&"k".repeat(129)).is_err());
        assert!(Tags::check_value("k", &"v".repeat(257)).unwrap_err().message.contains("'k'"));
        Tags::check_value("k", "").unwrap();
        let mut t = Tags::default();
        (0..=MAX_TAGS).for_each(|n| t.set(&n.to_string(), ""));
        assert_eq!(t.check_count("vpc-1", "TagLimitExceeded").unwrap_err().code, "TagLimitExceeded");
    }
}
