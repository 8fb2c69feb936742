//! `CreateTags {Resources[], Tags[{Key, Value?}]}` → `{"Return":true}`.
//!
//! Adds or overwrites tags on EC2 resources the caller owns: VPCs, subnets, route tables,
//! security groups, instances, VPC endpoints and endpoint services, by ID (not by Name). A
//! missing `Value` is the empty string. Any resource not found fails the whole call (its
//! kind's `….NotFound`, or `InvalidID` for an ID of no taggable kind); more than 50 tags on a
//! resource is `TagLimitExceeded`.

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::{ec2_tags_mut, tag_list};
use crate::error::{ApiError, codes};
use crate::model::State;

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let resources = req.list_required("Resources")?;
    let tags = tag_list(req, "Tags", codes::INVALID_PARAMETER_VALUE)?;
    if tags.is_empty() {
        return Err(ApiError::missing("Tags"));
    }
    for id in &resources {
        let on = ec2_tags_mut(state, &req.account, id)?;
        for t in &tags {
            on.set(&t.key, t.value.as_deref().unwrap_or(""));
        }
        on.check_count(id, codes::TAG_LIMIT_EXCEEDED)?;
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
    fn tags_show_in_describe_and_overwrite() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "a-1", "10.0.1.0/24", "us-east-1a");
        ok(
            &mut s,
            json!({"Action": "CreateTags", "Resources": [v, sn], "Tags": [{"Key": "env", "Value": "dev"}, {"Key": "team"}]}),
        );
        ok(
            &mut s,
            json!({"Action": "CreateTags", "Resources": [v], "Tags": [{"Key": "env", "Value": "prod"}]}),
        );
        let d = ok(&mut s, json!({"Action": "DescribeVpcs", "VpcIds": [v]}));
        assert_eq!(
            d["Vpcs"][0]["Tags"],
            json!([{"Key": "Name", "Value": "a"}, {"Key": "env", "Value": "prod"}, {"Key": "team", "Value": ""}])
        );
        let d = ok(
            &mut s,
            json!({"Action": "DescribeSubnets", "Filters": [{"Name": "tag:env", "Values": ["dev"]}]}),
        );
        assert_eq!(d["Subnets"][0]["SubnetId"], sn.as_str());
    }

    #[test]
    fn unknown_foreign_and_reserved_are_refused_atomically() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        let theirs = vpc(&mut s, CONSUMER, "b", "10.0.0.0/16");
        let tag = json!([{"Key": "k", "Value": "v"}]);
        fails(
            &mut s,
            json!({"Action": "CreateTags", "Resources": [v, theirs], "Tags": tag}),
            codes::INVALID_VPC_ID_NOT_FOUND,
            &theirs,
        );
        fails(
            &mut s,
            json!({"Action": "CreateTags", "Resources": ["ami-1"], "Tags": tag}),
            codes::INVALID_ID,
            "ami-1",
        );
        fails(
            &mut s,
            json!({"Action": "CreateTags", "Resources": ["a"], "Tags": tag}),
            codes::INVALID_ID,
            "'a'",
        );
        fails(
            &mut s,
            json!({"Action": "CreateTags", "Resources": [v], "Tags": [{"Key": "aws:x"}]}),
            codes::INVALID_PARAMETER_VALUE,
            "aws:x",
        );
        fails(&mut s, json!({"Action": "CreateTags", "Resources": [v]}), codes::MISSING_PARAMETER, "Tags");
        let many: Vec<_> = (0..50).map(|n| json!({"Key": format!("k{n}")})).collect();
        fails(
            &mut s,
            json!({"Action": "CreateTags", "Resources": [v], "Tags": many}),
            codes::TAG_LIMIT_EXCEEDED,
            &v,
        );
    }
}
