//! ELBv2 `DescribeTags` (api action `DescribeElbTags`, as EC2 has a DescribeTags too)
//! `{ResourceArns[]}` → `{"TagDescriptions":[{ResourceArn, Tags}]}`: one entry per ARN, in
//! the order given (duplicates once), an empty `Tags` for an untagged resource. At most 20
//! ARNs; one that is not found fails the call as in AddTags.

use serde_json::{Value, json};

use super::request::{Params, Request};
use super::tagging::elb_tags;
use crate::error::ApiError;
use crate::model::State;

/// The most ARNs one call may name (AWS's limit).
const MAX_ARNS: usize = 20;

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let mut arns = req.list_required("ResourceArns")?;
    if arns.len() > MAX_ARNS {
        return Err(ApiError::invalid(format!(
            "ResourceArns names {} resources; at most {MAX_ARNS} per call",
            arns.len()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    arns.retain(|a| seen.insert(a.clone()));
    let descriptions = arns
        .iter()
        .map(|arn| Ok(json!({"ResourceArn": arn, "Tags": elb_tags(state, &req.account, arn)?.to_json()})))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(json!({"TagDescriptions": descriptions}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn one_entry_per_arn_and_tags_from_create() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let tg = ok(
            &mut s,
            json!({"Action": "CreateTargetGroup", "Name": "t2", "Protocol": "UDP", "Port": 53, "VpcId": p.vpc,
                   "Tags": [{"Key": "svc", "Value": "dns"}]}),
        );
        let tg = tg["TargetGroups"][0]["TargetGroupArn"].as_str().unwrap().to_owned();
        let d = ok(&mut s, json!({"Action": "DescribeElbTags", "ResourceArns": [tg, p.lb, tg]}));
        assert_eq!(
            d,
            json!({"TagDescriptions": [
                {"ResourceArn": tg, "Tags": [{"Key": "svc", "Value": "dns"}]},
                {"ResourceArn": p.lb, "Tags": []}]})
        );
        let gone = p.listener.replace("listener/", "listener/x");
        fails(
            &mut s,
            json!({"Action": "DescribeElbTags", "ResourceArns": [gone]}),
            codes::LISTENER_NOT_FOUND,
            "listener/x",
        );
        let many: Vec<_> = (0..21).map(|_| p.lb.clone()).collect();
        fails(
            &mut s,
            json!({"Action": "DescribeElbTags", "ResourceArns": many}),
            codes::INVALID_PARAMETER_VALUE,
            "21",
        );
    }
}
