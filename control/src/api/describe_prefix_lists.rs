//! `DescribePrefixLists {PrefixListIds?, Filters?, MaxResults?, NextToken?}` →
//! `{"PrefixLists":[{PrefixListId, PrefixListName, Cidrs}], "NextToken"?}` (filters:
//! [`LISTING`]): the managed prefix lists (visible to every account).

use serde_json::Value;

use super::describe::{EC2_PAGING_UNBOUNDED, Listing};
use super::request::{Params, Request};
use super::view;
use crate::error::{ApiError, codes};
use crate::model::State;

/// The filters of DescribePrefixLists (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "PrefixLists",
    key: &["PrefixListId"],
    filters: &[("prefix-list-id", "PrefixListId"), ("prefix-list-name", "PrefixListName")],
    tags: None,
    paging: Some(EC2_PAGING_UNBOUNDED),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let wanted = req.list("PrefixListIds")?;
    if let Some(missing) = wanted.iter().find(|id| !state.prefix_lists.contains_key(*id)) {
        return Err(ApiError::new(
            codes::INVALID_PREFIX_LIST_ID_NOT_FOUND,
            format!("The prefix list ID '{missing}' does not exist"),
        ));
    }
    let lists: Vec<Value> = state
        .prefix_lists
        .values()
        .filter(|pl| wanted.is_empty() || wanted.contains(&pl.id))
        .map(view::prefix_list)
        .collect();
    LISTING.answer(req, lists)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn lists_the_managed_prefix_lists() {
        let mut s = State::new();
        let v = ok(&mut s, json!({"Action": "DescribePrefixLists", "Account": CONSUMER}));
        let lists = v["PrefixLists"].as_array().unwrap();
        let s3 = lists.iter().find(|l| l["PrefixListName"] == "com.amazonaws.us-east-1.s3").unwrap();
        assert_eq!(s3["Cidrs"], json!(["198.51.100.0/24"]));
        let id = s3["PrefixListId"].clone();
        let one = ok(&mut s, json!({"Action": "DescribePrefixLists", "PrefixListIds": [id]}));
        assert_eq!(one["PrefixLists"].as_array().unwrap().len(), 1);
        fails(
            &mut s,
            json!({"Action": "DescribePrefixLists", "PrefixListIds": ["pl-0"]}),
            codes::INVALID_PREFIX_LIST_ID_NOT_FOUND,
            "pl-0",
        );
    }
}
