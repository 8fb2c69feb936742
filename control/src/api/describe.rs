//! Filters and paging, shared by every Describe* operation.
//!
//! An operation builds the AWS-shaped views of the resources the caller may see (already
//! narrowed by its ID list parameters) and hands them here with its [`Listing`]:
//!
//! - **Filters** (EC2): `Filters:[{Name, Values[]}]`. An item passes when, for every filter,
//!   one of its values for that name matches one of the filter's values (filters AND, values
//!   OR). A name is matched against the item's *view*, at the path the listing gives for it,
//!   so a filter always agrees with what the answer shows. `tag:<key>`, `tag-key` and
//!   `tag-value` read the tag list at the listing's `tags` path. Values may use AWS's
//!   wildcards: `*` (any run of characters), `?` (any one), `\` escapes the next character. An
//!   unknown name is `InvalidParameterValue` naming it and listing the accepted ones;
//!   operations without filters in AWS's model do not take `Filters` at all.
//! - **Order**: items are sorted by the listing's key (an ID or ARN, or several values that
//!   together identify an item), so paging is stable.
//! - **Paging**: EC2 `MaxResults`/`NextToken` → `NextToken`; ELBv2 `PageSize`/`Marker` →
//!   `NextMarker`. A token names the key of the first item of the next page (hex-encoded), so
//!   an item that exists throughout a paged listing is listed exactly once, whatever is
//!   created or deleted between pages. A token that is not one of ours is `InvalidNextToken`
//!   (EC2) / `InvalidParameterValue` (ELBv2). A page holds at most 1,000 items; the answer
//!   carries a token only when more items follow.
//!
//! Path syntax: `A.B` walks object members; a member applied to a list applies to each
//! element (so `Associations.SubnetId` is every association's subnet). Leaves may be strings,
//! numbers or booleans (`true`/`false`).

use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use super::request::{Params, Request};
use crate::error::{ApiError, codes};

/// How one Describe* operation lists its items.
pub struct Listing {
    /// The answer's member holding the items, e.g. `Vpcs`.
    pub member: &'static str,
    /// The paths of each item's sort key (an ID or ARN; several paths for a composite key).
    pub key: &'static [&'static str],
    /// The filter names the operation accepts, each with the path of the values it matches.
    pub filters: &'static [(&'static str, &'static str)],
    /// The path of the items' tag list, if they carry one (enables `tag:<key>`, `tag-key`,
    /// `tag-value`).
    pub tags: Option<&'static str>,
    /// How the operation pages (`None`: it answers everything at once, as its AWS model says).
    pub paging: Option<Paging>,
}

/// The paging parameters of a protocol.
pub struct Paging {
    /// The page size parameter (`MaxResults` / `PageSize`) and its allowed values.
    pub size: &'static str,
    pub sizes: RangeInclusive<i64>,
    /// The token parameter (`NextToken` / `Marker`) and the answer's member for the next one.
    pub token: &'static str,
    pub next: &'static str,
    /// The error code of a token that is not ours.
    pub bad_token: &'static str,
}

/// The largest page privlink answers (AWS's cap for EC2).
const MAX_PAGE: usize = 1000;

/// EC2 paging, `MaxResults` within `sizes`.
pub const fn ec2_paging(sizes: RangeInclusive<i64>) -> Paging {
    Paging {
        size: "MaxResults",
        sizes,
        token: "NextToken",
        next: "NextToken",
        bad_token: codes::INVALID_NEXT_TOKEN,
    }
}

/// EC2 paging where the model bounds `MaxResults` at 5..=1000 (most Describe* calls).
pub const EC2_PAGING: Paging = ec2_paging(5..=1000);
/// EC2 paging where the model does not bound `MaxResults` (larger values get 1,000 items).
pub const EC2_PAGING_UNBOUNDED: Paging = ec2_paging(1..=i32::MAX as i64);
/// ELBv2 paging: `PageSize` 1..=400, `Marker` → `NextMarker`.
pub const ELB_PAGING: Paging = Paging {
    size: "PageSize",
    sizes: 1..=400,
    token: "Marker",
    next: "NextMarker",
    bad_token: codes::INVALID_PARAMETER_VALUE,
};

/// The filter names every EC2 listing of tagged items accepts besides its own.
const TAG_FILTERS: &str = "tag:<key>, tag-key, tag-value";

impl Listing {
    /// The filter names the listing accepts, tag filters last (the docs' table lists them).
    #[cfg(test)]
    pub fn filter_names(&self) -> Vec<&'static str> {
        let tags = self.tags.map(|_| TAG_FILTERS.split(", ")).into_iter().flatten();
        self.filters.iter().map(|(name, _)| *name).chain(tags).collect()
    }

    /// Filters, orders and pages `items` per `req`, and answers `{member: [...], next?: token}`.
    pub fn answer(&self, req: &Request, items: Vec<Value>) -> Result<Value, ApiError> {
        let (page, next) = self.page(req, items)?;
        let mut out = Map::new();
        out.insert(self.member.into(), Value::Array(page));
        if let (Some(token), Some(paging)) = (next, &self.paging) {
            out.insert(paging.next.into(), token.into());
        }
        Ok(Value::Object(out))
    }

    /// Filters, orders and pages `items` per `req`: the page and the token of the next one.
    fn page(&self, req: &Request, items: Vec<Value>) -> Result<(Vec<Value>, Option<String>), ApiError> {
        let filters = self.filters(req)?;
        let mut items: Vec<(String, Value)> = items
            .into_iter()
            .filter(|item| filters.iter().all(|f| f.admits(item)))
            .map(|item| (self.sort_key(&item), item))
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let Some(paging) = &self.paging else {
            return Ok((items.into_iter().map(|(_, item)| item).collect(), None));
        };
        let size = req.int_opt(paging.size, paging.sizes.clone())?.map_or(usize::MAX, |n| n as usize);
        let start = match req.str_opt(paging.token)? {
            None => 0,
            Some(token) => {
                let from = decode_token(token).ok_or_else(|| {
                    ApiError::new(
                        paging.bad_token,
                        format!(
                            "The {} '{token}' is invalid: pass the {} of the previous answer",
                            paging.token, paging.next
                        ),
                    )
                })?;
                items.partition_point(|(key, _)| *key < from)
            }
        };
        let mut rest = items.into_iter().skip(start);
        let page: Vec<Value> = rest.by_ref().take(size.min(MAX_PAGE)).map(|(_, item)| item).collect();
        Ok((page, rest.next().map(|(key, _)| encode_token(&key))))
    }

    fn sort_key(&self, item: &Value) -> String {
        let parts: Vec<String> =
            self.key.iter().map(|path| values(item, path).into_iter().next().unwrap_or_default()).collect();
        parts.join("\u{1f}")
    }

    fn filters(&self, req: &Request) -> Result<Vec<Filter>, ApiError> {
        if self.filters.is_empty() && self.tags.is_none() {
            return Ok(Vec::new()); // not a parameter of this operation
        }
        req.objects("Filters")?
            .iter()
            .map(|f| {
                let name = f.str("Name")?;
                let field = self.field(name).ok_or_else(|| {
                    let known: Vec<&str> = self.filters.iter().map(|(n, _)| *n).collect();
                    let tags = if self.tags.is_some() { format!(", {TAG_FILTERS}") } else { String::new() };
                    ApiError::invalid(format!(
                        "The filter '{name}' is invalid for {}: the filters are {}{tags}",
                        req.action,
                        known.join(", ")
                    ))
                })?;
                Ok(Filter {
                    field,
                    tags: self.tags.unwrap_or_default(),
                    patterns: f.list_required("Values")?,
                })
            })
            .collect()
    }

    fn field(&self, name: &str) -> Option<Field> {
        if let Some((_, path)) = self.filters.iter().find(|(n, _)| *n == name) {
            return Some(Field::Path(path));
        }
        self.tags?;
        match name {
            "tag-key" => Some(Field::TagKey),
            "tag-value" => Some(Field::TagValue),
            _ => name.strip_prefix("tag:").filter(|k| !k.is_empty()).map(|k| Field::Tag(k.to_owned())),
        }
    }
}

/// What a filter reads from an item.
enum Field {
    Path(&'static str),
    Tag(String),
    TagKey,
    TagValue,
}

struct Filter {
    field: Field,
    /// The path of the item's tag list.
    tags: &'static str,
    patterns: Vec<String>,
}

impl Filter {
    fn admits(&self, item: &Value) -> bool {
        let tags = || nodes(item, self.tags).into_iter().flat_map(|n| n.as_array().into_iter().flatten());
        let tag_part = |t: &Value, part: &str| t.get(part).and_then(Value::as_str).map(str::to_owned);
        let values: Vec<String> = match &self.field {
            Field::Path(path) => values(item, path),
            Field::Tag(key) => {
                tags().filter(|t| t["Key"] == key.as_str()).filter_map(|t| tag_part(t, "Value")).collect()
            }
            Field::TagKey => tags().filter_map(|t| tag_part(t, "Key")).collect(),
            Field::TagValue => tags().filter_map(|t| tag_part(t, "Value")).collect(),
        };
        values.iter().any(|v| self.patterns.iter().any(|p| wildcard_match(p, v)))
    }
}

/// The values at `path` in `item` (see the module docs).
fn nodes<'a>(item: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut nodes = vec![item];
    for member in path.split('.') {
        nodes = nodes
            .into_iter()
            .flat_map(|n| match n {
                Value::Array(items) => items.iter().filter_map(|i| i.get(member)).collect(),
                other => other.get(member).into_iter().collect::<Vec<_>>(),
            })
            .collect();
    }
    nodes
}

/// The leaf values at `path` in `item` (see the module docs).
pub fn values(item: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut leaf = |v: &Value| match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        _ => {}
    };
    for n in nodes(item, path) {
        match n {
            Value::Array(items) => items.iter().for_each(&mut leaf),
            other => leaf(other),
        }
    }
    out
}

/// AWS filter wildcards: `*` any run, `?` any one character, `\` escapes the next one.
pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Any,
        One,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        toks.push(match c {
            '*' => Tok::Any,
            '?' => Tok::One,
            '\\' => Tok::Char(chars.next().unwrap_or('\\')),
            c => Tok::Char(c),
        });
    }
    let value: Vec<char> = value.chars().collect();
    // Greedy matching with backtracking to the last `*` (linear in practice).
    let (mut t, mut v) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match toks.get(t) {
            Some(Tok::Any) => {
                star = Some((t, v));
                t += 1;
            }
            Some(Tok::One) => (t, v) = (t + 1, v + 1),
            Some(Tok::Char(c)) if *c == value[v] => (t, v) = (t + 1, v + 1),
            _ => match star {
                Some((st, sv)) => {
                    star = Some((st, sv + 1));
                    (t, v) = (st + 1, sv + 1);
                }
                None => return false,
            },
        }
    }
    toks[t..].iter().all(|tok| *tok == Tok::Any)
}

fn encode_token(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(token: &str) -> Option<String> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|i| token.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const LISTING: Listing = Listing {
        member: "Things",
        key: &["Id"],
        filters: &[("thing-id", "Id"), ("zone", "Place.Zone"), ("subnet", "Links.SubnetId"), ("up", "Up")],
        tags: Some("Tags"),
        paging: Some(EC2_PAGING),
    };

    fn items() -> Vec<Value> {
        (1..=7)
            .rev()
            .map(|n| {
                json!({"Id": format!("t-{n}"), "Place": {"Zone": if n % 2 == 0 { "a" } else { "b" }},
                       "Links": [{"SubnetId": format!("s-{n}")}, {"SubnetId": "s-all"}], "Up": n < 3,
                       "Tags": [{"Key": "n", "Value": n.to_string()}]})
            })
            .collect()
    }

    fn answer(params: Value) -> Result<Value, ApiError> {
        let mut req = json!({"Action": "DescribeThings"});
        req.as_object_mut().unwrap().extend(params.as_object().unwrap().clone());
        LISTING.answer(&Request::parse(&req).unwrap(), items())
    }

    fn ids(v: &Value) -> Vec<&str> {
        v["Things"].as_array().unwrap().iter().map(|t| t["Id"].as_str().unwrap()).collect()
    }

    #[test]
    fn filters_and_within_or_across_values() {
        let v = answer(
            json!({"Filters": [{"Name": "zone", "Values": ["a"]}, {"Name": "tag:n", "Values": ["2", "4", "5"]}]}),
        );
        assert_eq!(ids(&v.unwrap()), ["t-2", "t-4"]);
        let v = answer(json!({"Filters": [{"Name": "subnet", "Values": ["s-3"]}]})).unwrap();
        assert_eq!(ids(&v), ["t-3"]);
        let v = answer(
            json!({"Filters": [{"Name": "up", "Values": ["true"]}, {"Name": "tag-key", "Values": ["n"]}]}),
        );
        assert_eq!(ids(&v.unwrap()), ["t-1", "t-2"]);
        let v = answer(
            json!({"Filters": [{"Name": "thing-id", "Values": ["t-?"]}, {"Name": "tag-value", "Values": ["[67]", "7*"]}]}),
        );
        assert_eq!(ids(&v.unwrap()), ["t-7"]);
    }

    #[test]
    fn unknown_filters_are_named() {
        let e = answer(json!({"Filters": [{"Name": "vpc-idd", "Values": ["x"]}]})).unwrap_err();
        assert_eq!(e.code, codes::INVALID_PARAMETER_VALUE);
        assert!(
            e.message.contains("'vpc-idd'")
                && e.message.contains("thing-id")
                && e.message.contains("tag-key"),
            "{}",
            e.message
        );
        let e = answer(json!({"Filters": [{"Name": "zone"}]})).unwrap_err();
        assert_eq!(e.code, codes::MISSING_PARAMETER);
        assert!(e.message.contains("Filters.1.Values"), "{}", e.message);
    }

    #[test]
    fn pages_are_stable_and_complete() {
        let first = answer(json!({"MaxResults": 5})).unwrap();
        assert_eq!(ids(&first), ["t-1", "t-2", "t-3", "t-4", "t-5"]);
        let token = first["NextToken"].as_str().unwrap();
        let second = answer(json!({"MaxResults": 5, "NextToken": token})).unwrap();
        assert_eq!(ids(&second), ["t-6", "t-7"]);
        assert!(second.get("NextToken").is_none());
        assert!(answer(json!({})).unwrap().get("NextToken").is_none());
        let e = answer(json!({"NextToken": "zz"})).unwrap_err();
        assert_eq!(e.code, codes::INVALID_NEXT_TOKEN);
        assert!(e.message.contains("'zz'"), "{}", e.message);
        assert_eq!(answer(json!({"MaxResults": 4})).unwrap_err().code, codes::INVALID_PARAMETER_VALUE);
    }

    #[test]
    fn wildcards_follow_aws() {
        assert!(wildcard_match("*", "") && wildcard_match("a*c", "abbbc") && wildcard_match("a?c", "abc"));
        assert!(
            !wildcard_match("a?c", "ac") && !wildcard_match("abc", "abcd") && !wildcard_match("*x", "abc")
        );
        assert!(wildcard_match("a\\*", "a*") && !wildcard_match("a\\*", "ab"));
        assert!(wildcard_match("*b*b", "abab") && wildcard_match("vpc-*", "vpc-0123"));
    }
}
