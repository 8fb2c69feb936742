//! ELBv2 `AddTags {ResourceArns[], Tags[{Key, Value?}]}` → `{}`.
//!
//! Adds or overwrites tags on load balancers, target groups and listeners the caller owns, by
//! ARN. An ARN of no such resource is its kind's `…NotFound` (`InvalidParameterValue` if it
//! is no ELBv2 ARN at all); a key given twice is `DuplicateTagKeys`; more than 50 tags on a
//! resource is `TooManyTags`. Nothing changes unless every ARN can be tagged.

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::{elb_tags_mut, tag_list};
use crate::error::{ApiError, codes};
use crate::model::State;

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let arns = req.list_required("ResourceArns")?;
    let tags = tag_list(req, "Tags", codes::DUPLICATE_TAG_KEYS)?;
    if tags.is_empty() {
        return Err(ApiError::missing("Tags"));
    }
    for arn in &arns {
        let on = elb_tags_mut(state, &req.account, arn)?;
        for t in &tags {
            on.set(&t.key, t.value.as_deref().unwrap_or(""));
        }
        on.check_count(arn, codes::TOO_MANY_TAGS)?;
    }
    Ok(Outcome::Answer(json!({})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn tags_every_elb_kind_by_arn() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let arns = [&p.lb, &p.tg, &p.listener];
        ok(
            &mut s,
            json!({"Action": "AddTags", "ResourceArns": arns, "Tags": [{"Key": "env", "Value": "dev"}]}),
        );
        let d = ok(&mut s, json!({"Action": "DescribeElbTags", "ResourceArns": arns}));
        for (n, arn) in arns.iter().enumerate() {
            assert_eq!(
                d["TagDescriptions"][n],
                json!({"ResourceArn": arn, "Tags": [{"Key": "env", "Value": "dev"}]})
            );
        }
        let lb_gone = p.lb.replace("/web/", "/gone/");
        fails(
            &mut s,
            json!({"Action": "AddTags", "ResourceArns": [lb_gone], "Tags": [{"Key": "k"}]}),
            codes::LOAD_BALANCER_NOT_FOUND,
            "gone",
        );
        fails(
            &mut s,
            json!({"Action": "AddTags", "ResourceArns": [p.vpc], "Tags": [{"Key": "k"}]}),
            codes::INVALID_PARAMETER_VALUE,
            &p.vpc,
        );
        fails(
            &mut s,
            json!({"Action": "AddTags", "ResourceArns": [p.tg], "Tags": [{"Key": "k"}, {"Key": "k", "Value": "2"}]}),
            codes::DUPLICATE_TAG_KEYS,
            "'k'",
        );
        fails(
            &mut s,
            json!({"Action": "AddTags", "Account": CONSUMER, "ResourceArns": [p.tg], "Tags": [{"Key": "k"}]}),
            codes::TARGET_GROUP_NOT_FOUND,
            &p.tg,
        );
    }
}
