//! Finding resources by ID or Name tag, scoped to the calling account.
//!
//! Contract: an account sees only the resources it owns; a resource of another account is
//! reported exactly like a missing one (`<Kind>.NotFound`). A key matches a resource whose ID
//! (ARN for ELBv2) equals it, else the unique visible resource of that kind whose Name equals
//! it; several such resources → `InvalidParameterValue` listing them.
//!
//! Tagging looks resources up too: [`State::tag_target`] finds any taggable resource by ID or
//! ARN (of any owner: the caller checks), [`State::tagged_ec2`] lists an account's tagged EC2
//! resources. Both go through [`Resource`], so a new kind is added to them in one place.

use std::collections::BTreeMap;

use super::State;
use super::tags::Tags;
use crate::error::{ApiError, codes};

/// How a resource kind is named in errors.
#[derive(Clone, Copy, Debug)]
pub struct Kind {
    /// Noun used in the not-found message, e.g. `"vpc ID"` → "The vpc ID 'x' does not exist".
    pub noun: &'static str,
    /// Plural used when a name is ambiguous, e.g. `"VPCs"`.
    pub plural: &'static str,
    /// The AWS not-found error code.
    pub not_found: &'static str,
    /// The EC2 `ResourceType` (`vpc`, `subnet`, …; ELBv2 kinds: `loadbalancer`, `targetgroup`,
    /// `listener`, as in their ARNs).
    pub resource_type: &'static str,
}

impl Kind {
    /// The not-found error for `key`.
    pub fn not_found(&self, key: &str) -> ApiError {
        ApiError::new(self.not_found, format!("The {} '{key}' does not exist", self.noun))
    }
}

/// An owned, named, tagged resource that can be looked up by ID or Name tag.
pub trait Resource {
    const KIND: Kind;
    fn id(&self) -> &str;
    fn owner(&self) -> &str;
    fn name(&self) -> Option<&str>;
    fn tags(&self) -> &Tags;
    /// The resource's kind, owner and (mutable) tags at once.
    fn tag_target(&mut self) -> TagTarget<'_>;
}

/// Implements [`Resource`] for a model type with fields `owner` and `tags`:
/// `resource!(Type, id_field, "noun", "plural", NOT_FOUND_CODE, "resource-type", |s| name_expression)`.
macro_rules! resource {
    ($ty:ty, $id:ident, $noun:literal, $plural:literal, $code:expr, $rtype:literal, |$s:ident| $name:expr) => {
        impl $crate::model::Resource for $ty {
            const KIND: $crate::model::Kind =
                $crate::model::Kind { noun: $noun, plural: $plural, not_found: $code, resource_type: $rtype };
            fn id(&self) -> &str {
                &self.$id
            }
            fn owner(&self) -> &str {
                &self.owner
            }
            fn name(&self) -> Option<&str> {
                let $s = self;
                $name
            }
            fn tags(&self) -> &$crate::model::Tags {
                &self.tags
            }
            fn tag_target(&mut self) -> $crate::model::TagTarget<'_> {
                $crate::model::TagTarget { kind: Self::KIND, owner: &self.owner, tags: &mut self.tags }
            }
        }
    };
}
pub(crate) use resource;

/// The resources of `map` that `account` can see, in ID order.
pub fn visible<'a, T: Resource>(
    map: &'a BTreeMap<String, T>,
    account: &'a str,
) -> impl Iterator<Item = &'a T> + 'a {
    map.values().filter(move |r| r.owner() == account)
}

/// The resource `key` (ID or unique Name tag) visible to `account`.
pub fn find<'a, T: Resource>(
    map: &'a BTreeMap<String, T>,
    account: &str,
    key: &str,
) -> Result<&'a T, ApiError> {
    if let Some(r) = map.get(key).filter(|r| r.owner() == account) {
        return Ok(r);
    }
    let named: Vec<&T> = map.values().filter(|r| r.owner() == account && r.name() == Some(key)).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(T::KIND.not_found(key)),
        many => {
            let ids: Vec<&str> = many.iter().map(|r| r.id()).collect();
            Err(ApiError::invalid(format!(
                "The name '{key}' matches {} {}: {}; use an ID",
                many.len(),
                T::KIND.plural,
                ids.join(", ")
            )))
        }
    }
}

/// Like [`find`], for changing the resource found (no second lookup for the caller to get wrong).
pub fn find_mut<'a, T: Resource>(
    map: &'a mut BTreeMap<String, T>,
    account: &str,
    key: &str,
) -> Result<&'a mut T, ApiError> {
    let id = find(map, account, key)?.id().to_owned();
    // Maps are keyed by ID, so this finds what `find` found.
    map.get_mut(&id).ok_or_else(|| T::KIND.not_found(key))
}

/// Like [`find`], but a Name matching several resources is settled by `in_scope` (e.g. "in this
/// VPC") when exactly one of them is in scope: `default` names the default security group of
/// the VPC at hand, not of every VPC.
pub fn find_scoped<'a, T: Resource>(
    map: &'a BTreeMap<String, T>,
    account: &str,
    key: &str,
    in_scope: impl Fn(&T) -> bool,
) -> Result<&'a T, ApiError> {
    let ambiguous = match find(map, account, key) {
        Err(e) if e.code == codes::INVALID_PARAMETER_VALUE => e,
        found => return found,
    };
    let scoped: Vec<&T> =
        map.values().filter(|r| r.owner() == account && r.name() == Some(key) && in_scope(r)).collect();
    match scoped.as_slice() {
        [one] => Ok(one),
        _ => Err(ambiguous),
    }
}

/// All visible resources if `keys` is empty, else the ones `keys` name (deduplicated, in ID order).
pub fn select<'a, T: Resource>(
    map: &'a BTreeMap<String, T>,
    account: &'a str,
    keys: &[String],
) -> Result<Vec<&'a T>, ApiError> {
    if keys.is_empty() {
        return Ok(visible(map, account).collect());
    }
    let mut found = keys.iter().map(|k| find(map, account, k)).collect::<Result<Vec<_>, _>>()?;
    found.sort_by(|a, b| a.id().cmp(b.id()));
    found.dedup_by(|a, b| a.id() == b.id());
    Ok(found)
}

/// A taggable resource found by ID or ARN (see [`State::tag_target`]).
pub struct TagTarget<'a> {
    pub kind: Kind,
    pub owner: &'a str,
    pub tags: &'a mut Tags,
}

/// One tagged resource as [`State::tagged_ec2`] lists it.
pub struct Tagged<'a> {
    pub kind: Kind,
    pub id: &'a str,
    pub tags: &'a Tags,
}

fn target<'a, T: Resource>(map: &'a mut BTreeMap<String, T>, id: &str) -> Option<TagTarget<'a>> {
    map.get_mut(id).map(Resource::tag_target)
}

fn listed<'a, T: Resource>(
    map: &'a BTreeMap<String, T>,
    account: &'a str,
) -> impl Iterator<Item = Tagged<'a>> + 'a {
    visible(map, account).map(|r| Tagged { kind: T::KIND, id: r.id(), tags: r.tags() })
}

impl State {
    /// The taggable resource whose ID (ARN for ELBv2 resources) is `id`, of any owner.
    pub fn tag_target(&mut self, id: &str) -> Option<TagTarget<'_>> {
        let State {
            vpcs,
            subnets,
            route_tables,
            security_groups,
            instances,
            load_balancers,
            target_groups,
            listeners,
            endpoint_services,
            vpc_endpoints,
            ..
        } = self;
        target(vpcs, id)
            .or_else(|| target(subnets, id))
            .or_else(|| target(route_tables, id))
            .or_else(|| target(security_groups, id))
            .or_else(|| target(instances, id))
            .or_else(|| target(load_balancers, id))
            .or_else(|| target(target_groups, id))
            .or_else(|| target(listeners, id))
            .or_else(|| target(endpoint_services, id))
            .or_else(|| target(vpc_endpoints, id))
    }

    /// Every EC2 resource `account` owns that carries at least one tag, kind by kind in ID order.
    pub fn tagged_ec2<'a>(&'a self, account: &'a str) -> impl Iterator<Item = Tagged<'a>> + 'a {
        listed(&self.vpcs, account)
            .chain(listed(&self.subnets, account))
            .chain(listed(&self.route_tables, account))
            .chain(listed(&self.security_groups, account))
            .chain(listed(&self.instances, account))
            .chain(listed(&self.endpoint_services, account))
            .chain(listed(&self.vpc_endpoints, account))
            .filter(|t| !t.tags.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::codes;
    use crate::model::Instance;

    fn inst(id: &str, owner: &str, name: Option<&str>) -> (String, Instance) {
        let i = Instance {
            id: id.into(),
            owner: owner.into(),
            tags: Tags::named(name.map(Into::into)),
            vpc_id: "vpc-1".into(),
            subnet_id: "subnet-1".into(),
            ip: "10.0.0.4".parse().unwrap(),
            image_id: crate::model::DEFAULT_IMAGE_ID.into(),
            instance_type: crate::model::DEFAULT_INSTANCE_TYPE.into(),
            security_group_ids: Vec::new(),
            attributes: Default::default(),
        };
        (id.into(), i)
    }

    #[test]
    fn finds_by_id_or_unique_name_within_the_account() {
        let map: BTreeMap<_, _> = [
            inst("i-1", "111111111111", Some("web")),
            inst("i-2", "111111111111", Some("db")),
            inst("i-3", "222222222222", Some("db")),
        ]
        .into();
        assert_eq!(find(&map, "111111111111", "i-1").unwrap().id, "i-1");
        assert_eq!(find(&map, "111111111111", "db").unwrap().id, "i-2");
        let e = find(&map, "111111111111", "i-3").unwrap_err();
        assert_eq!(e.code, codes::INVALID_INSTANCE_ID_NOT_FOUND);
        assert!(e.message.contains("'i-3'"), "{}", e.message);
    }

    #[test]
    fn find_mut_changes_what_find_finds() {
        let mut map: BTreeMap<_, _> =
            [inst("i-1", "111111111111", Some("web")), inst("i-3", "222222222222", Some("db"))].into();
        find_mut(&mut map, "111111111111", "web").unwrap().subnet_id = "subnet-2".into();
        assert_eq!(map["i-1"].subnet_id, "subnet-2");
        let e = find_mut(&mut map, "111111111111", "db").unwrap_err();
        assert_eq!(e.code, codes::INVALID_INSTANCE_ID_NOT_FOUND);
    }

    #[test]
    fn ambiguous_names_list_the_candidates() {
        let map: BTreeMap<_, _> =
            [inst("i-1", "111111111111", Some("web")), inst("i-2", "111111111111", Some("web"))].into();
        let e = find(&map, "111111111111", "web").unwrap_err();
        assert_eq!(e.code, codes::INVALID_PARAMETER_VALUE);
        assert!(e.message.contains("i-1, i-2"), "{}", e.message);
    }

    #[test]
    fn scope_settles_ambiguous_names() {
        let map: BTreeMap<_, _> =
            [inst("i-1", "111111111111", Some("web")), inst("i-2", "111111111111", Some("web"))].into();
        assert_eq!(find_scoped(&map, "111111111111", "web", |i| i.id == "i-2").unwrap().id, "i-2");
        assert!(find_scoped(&map, "111111111111", "web", |_| true).is_err());
        assert!(find_scoped(&map, "111111111111", "db", |_| true).is_err());
    }

    #[test]
    fn select_dedups_and_defaults_to_all_visible() {
        let map: BTreeMap<_, _> =
            [inst("i-1", "111111111111", Some("web")), inst("i-2", "222222222222", None)].into();
        assert_eq!(select(&map, "111111111111", &[]).unwrap().len(), 1);
        let both = select(&map, "111111111111", &["web".into(), "i-1".into()]).unwrap();
        assert_eq!(both.len(), 1);
    }
}
