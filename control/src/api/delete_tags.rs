//! `DeleteTags {Resources[], Tags[{Key, Value?}]?}` → `{"Return":true}`.
//!
//! Removes tags from EC2 resources the caller owns (same resources and errors as CreateTags).
//! A tag given with a `Value` is removed only if the resource's value equals it (the empty
//! string included); without `Value`, whatever its value. No `Tags` at all removes every tag.
//! Removing a tag the resource does not have is not an error.

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::{ec2_tags_mut, tag_list};
use crate::error::{ApiError, codes};
use crate::model::State;

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let resources = req.list_required("Resources")?;
    let all = req.raw("Tags").is_none();
    let tags = tag_list(req, "Tags", codes::INVALID_PARAMETER_VALUE)?;
    for id in &resources {
        let on = ec2_tags_mut(state, &req.account, id)?;
        if all {
            on.clear();
        }
        for t in &tags {
            on.remove(&t.key, t.value.as_deref());
        }
    }
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn removes_by_key_by_value_or_all() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        let tags = json!([{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "x"}]);
        ok(&mut s, json!({"Action": "CreateTags", "Resources": [v], "Tags": tags}));
        ok(
            &mut s,
            json!({"Action": "DeleteTags", "Resources": [v], "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team"}, {"Key": "nope"}]}),
        );
        let keys = |s: &mut State| ok(s, json!({"Action": "DescribeVpcs"}))["Vpcs"][0]["Tags"].clone();
        assert_eq!(keys(&mut s), json!([{"Key": "Name", "Value": "a"}, {"Key": "env", "Value": "dev"}]));
        ok(&mut s, json!({"Action": "DeleteTags", "Resources": [v]}));
        assert_eq!(keys(&mut s), json!([]));
        fails(
            &mut s,
            json!({"Action": "DeleteTags", "Resources": ["vpc-0"]}),
            codes::INVALID_VPC_ID_NOT_FOUND,
            "vpc-0",
        );
    }
}
