//! ELBv2 `RemoveTags {ResourceArns[], TagKeys[]}` → `{}`: removes those keys (whatever their
//! values; absent keys are no error) from each resource, found as in AddTags.

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::elb_tags_mut;
use crate::error::ApiError;
use crate::model::State;

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let arns = req.list_required("ResourceArns")?;
    let keys = req.list_required("TagKeys")?;
    for arn in &arns {
        let on = elb_tags_mut(state, &req.account, arn)?;
        keys.iter().for_each(|k| on.remove(k, None));
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
    fn removes_keys() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let tags = json!([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]);
        ok(&mut s, json!({"Action": "AddTags", "ResourceArns": [p.lb], "Tags": tags}));
        ok(&mut s, json!({"Action": "RemoveTags", "ResourceArns": [p.lb], "TagKeys": ["a", "zz"]}));
        let d = ok(&mut s, json!({"Action": "DescribeElbTags", "ResourceArns": [p.lb]}));
        assert_eq!(d["TagDescriptions"][0]["Tags"], json!([{"Key": "b", "Value": "2"}]));
        fails(
            &mut s,
            json!({"Action": "RemoveTags", "ResourceArns": [p.lb]}),
            codes::MISSING_PARAMETER,
            "TagKeys",
        );
    }
}
