//! `DescribeInstanceCreditSpecifications {InstanceIds[]?, Filters[]?, MaxResults?, NextToken?}`
//! → `{"InstanceCreditSpecifications":[{InstanceId, CpuCredits}]}`.
//!
//! The caller's instances of burstable types (all of them, or those named): the credit option
//! given at launch, else the type's default (`standard` for t2, `unlimited` for later
//! families). A named instance of a non-burstable type is `UnsupportedOperation`. Filter:
//! `instance-id`.

use serde_json::{Value, json};

use super::describe::{EC2_PAGING, Listing};
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{Instance, InstanceType, State, select};

pub const LISTING: Listing = Listing {
    member: "InstanceCreditSpecifications",
    key: &["InstanceId"],
    filters: &[("instance-id", "InstanceId")],
    tags: None,
    paging: Some(EC2_PAGING),
};

fn burstable(i: &Instance) -> bool {
    InstanceType::named(&i.instance_type).is_ok_and(|t| t.burstable)
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let named = req.list("InstanceIds")?;
    let chosen = select(&state.instances, &req.account, &named)?;
    if let Some(i) = chosen.iter().find(|i| !named.is_empty() && !burstable(i)) {
        return Err(ApiError::new(
            codes::UNSUPPORTED_OPERATION,
            format!(
                "The instance '{}' is of type {}, which is not burstable: it has no credit specification",
                i.id, i.instance_type
            ),
        ));
    }
    let items = chosen
        .into_iter()
        .filter(|i| burstable(i))
        .map(|i| {
            let default = if i.instance_type.starts_with("t2.") { "standard" } else { "unlimited" };
            json!({"InstanceId": i.id, "CpuCredits": i.attributes.cpu_credits.as_deref().unwrap_or(default)})
        })
        .collect();
    LISTING.answer(req, items)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn burstable_instances_have_credits() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let a = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let run = |s: &mut State, t: &str| {
            let r = ok(s, json!({"Action": "RunInstances", "SubnetId": a, "InstanceType": t}));
            r["Instances"][0]["InstanceId"].as_str().unwrap().to_owned()
        };
        let t2 = run(&mut s, "t2.micro");
        let t3 = run(&mut s, "t3.micro");
        let m5 = run(&mut s, "m5.large");
        let v =
            ok(&mut s, json!({"Action": "DescribeInstanceCreditSpecifications", "InstanceIds": [t2, t3]}));
        let specs = v["InstanceCreditSpecifications"].as_array().unwrap();
        let credits = |id: &str| specs.iter().find(|x| x["InstanceId"] == id).unwrap()["CpuCredits"].clone();
        assert_eq!((credits(&t2), credits(&t3)), (json!("standard"), json!("unlimited")));
        let all = ok(&mut s, json!({"Action": "DescribeInstanceCreditSpecifications"}));
        assert_eq!(all["InstanceCreditSpecifications"].as_array().unwrap().len(), 2);
        let bad = json!({"Action": "DescribeInstanceCreditSpecifications", "InstanceIds": [m5]});
        fails(&mut s, bad, codes::UNSUPPORTED_OPERATION, &m5);
    }
}
