//! `DescribeTags {Filters?, MaxResults?, NextToken?}` →
//! `{"Tags":[{ResourceId, ResourceType, Key, Value}], "NextToken"?}`: one entry per tag of
//! every EC2 resource the caller owns, ordered by resource ID then key. Filters: see
//! [`LISTING`] (`key`, `value`, `resource-id`, `resource-type`).

use serde_json::{Value, json};

use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::Request;
use crate::error::ApiError;
use crate::model::State;

/// The filters of DescribeTags (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "Tags",
    key: &["ResourceId", "Key"],
    filters: &[
        ("key", "Key"),
        ("value", "Value"),
        ("resource-id", "ResourceId"),
        ("resource-type", "ResourceType"),
    ],
    tags: None,
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let items = state
        .tagged_ec2(&req.account)
        .flat_map(|r| {
            r.tags.iter().map(move |(k, v)| {
                json!({"ResourceId": r.id, "ResourceType": r.kind.resource_type, "Key": k, "Value": v})
            })
        })
        .collect();
    LISTING.answer(req, items)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::model::State;

    #[test]
    fn lists_the_callers_tags_filtered_and_paged() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (cv, _) = consumer(&mut s, "c");
        let all = ok(&mut s, json!({"Action": "DescribeTags"}));
        let tags = all["Tags"].as_array().unwrap();
        // Provider: VPC, 2 subnets and the main route table carry a Name tag.
        assert_eq!(tags.len(), 4, "{all}");
        assert!(tags.iter().all(|t| t["ResourceId"] != cv.as_str()));
        assert!(
            tags.contains(
                &json!({"ResourceId": p.vpc, "ResourceType": "vpc", "Key": "Name", "Value": "prov"})
            )
        );
        let v = ok(
            &mut s,
            json!({"Action": "DescribeTags", "Filters": [{"Name": "resource-type", "Values": ["subnet"]}, {"Name": "value", "Values": ["*-b"]}]}),
        );
        assert_eq!(v["Tags"].as_array().unwrap().len(), 1);
        assert_eq!(v["Tags"][0]["ResourceId"], p.subnets[1].as_str());
        let first = ok(&mut s, json!({"Action": "DescribeTags", "MaxResults": 3}));
        let rest =
            ok(&mut s, json!({"Action": "DescribeTags", "MaxResults": 3, "NextToken": first["NextToken"]}));
        let mut paged = first["Tags"].as_array().unwrap().clone();
        paged.extend(rest["Tags"].as_array().unwrap().clone());
        assert_eq!(&paged, tags);
    }
}
