//! `DescribeNetworkAcls {NetworkAclIds[]?, Filters?, MaxResults?, NextToken?}` →
//! `{"NetworkAcls":[…], "NextToken"?}`.
//!
//! privlink filters nothing by network ACL: every VPC has exactly one, its default ACL
//! (`acl-<the VPC's hex>`), allowing all traffic both ways (rule 100 allow, rule 32767 deny,
//! as AWS's default ACL) and associated with every subnet of the VPC
//! (`aclassoc-<the subnet's hex>`). It exists so that AWS tools that read ACLs find what AWS
//! would show; it cannot be changed. An unknown ID is `InvalidNetworkAclID.NotFound`.

use serde_json::{Value, json};

use super::describe::{EC2_PAGING, Listing};
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::ids::IdKind;
use crate::model::{State, Vpc, visible};

/// The filters of DescribeNetworkAcls (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "NetworkAcls",
    key: &["NetworkAclId"],
    filters: &[
        ("network-acl-id", "NetworkAclId"),
        ("vpc-id", "VpcId"),
        ("owner-id", "OwnerId"),
        ("default", "IsDefault"),
        ("association.association-id", "Associations.NetworkAclAssociationId"),
        ("association.network-acl-id", "Associations.NetworkAclId"),
        ("association.subnet-id", "Associations.SubnetId"),
        ("entry.cidr", "Entries.CidrBlock"),
        ("entry.egress", "Entries.Egress"),
        ("entry.protocol", "Entries.Protocol"),
        ("entry.rule-action", "Entries.RuleAction"),
        ("entry.rule-number", "Entries.RuleNumber"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING),
};

/// `<prefix><hex>` for resource `id` of `kind` (the derived IDs of the default ACL).
fn derived(prefix: &str, kind: IdKind, id: &str) -> String {
    format!("{prefix}{}", id.trim_start_matches(kind.prefix()))
}

/// The default ACL of `vpc`.
fn default_acl(state: &State, vpc: &Vpc) -> Value {
    let acl_id = derived("acl-", IdKind::Vpc, &vpc.id);
    let associations: Vec<Value> = state
        .subnets
        .values()
        .filter(|s| s.vpc_id == vpc.id)
        .map(|s| {
            json!({"NetworkAclAssociationId": derived("aclassoc-", IdKind::Subnet, &s.id),
                   "NetworkAclId": acl_id, "SubnetId": s.id})
        })
        .collect();
    let entries: Vec<Value> = [false, true]
        .into_iter()
        .flat_map(|egress| {
            [(100, "allow"), (32767, "deny")].map(|(rule, action)| {
                json!({"RuleNumber": rule, "Protocol": "-1", "RuleAction": action, "Egress": egress,
                       "CidrBlock": "0.0.0.0/0"})
            })
        })
        .collect();
    json!({"NetworkAclId": acl_id, "VpcId": vpc.id, "OwnerId": vpc.owner, "IsDefault": true,
           "Entries": entries, "Associations": associations, "Tags": []})
}

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let acls: Vec<Value> = visible(&state.vpcs, &req.account).map(|v| default_acl(state, v)).collect();
    let wanted = req.list("NetworkAclIds")?;
    if let Some(missing) = wanted.iter().find(|id| !acls.iter().any(|a| a["NetworkAclId"] == id.as_str())) {
        return Err(ApiError::new(
            codes::INVALID_NETWORK_ACL_ID_NOT_FOUND,
            format!("The networkAcl ID '{missing}' does not exist"),
        ));
    }
    let named = |a: &Value| wanted.is_empty() || wanted.iter().any(|id| a["NetworkAclId"] == id.as_str());
    LISTING.answer(req, acls.into_iter().filter(named).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn one_default_allow_all_acl_per_vpc() {
        let mut s = State::new();
        let p = provider(&mut s, false);
        let (cv, _) = consumer(&mut s, "c");
        let v = ok(&mut s, json!({"Action": "DescribeNetworkAcls"}));
        let acls = v["NetworkAcls"].as_array().unwrap();
        assert_eq!(acls.len(), 1, "only the caller's VPCs");
        let acl = &acls[0];
        assert_eq!(acl["VpcId"], p.vpc.as_str());
        assert_eq!(acl["IsDefault"], true);
        assert_eq!(acl["Associations"].as_array().unwrap().len(), 2);
        assert_eq!(
            acl["Entries"][0],
            json!({"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"})
        );
        let id = acl["NetworkAclId"].as_str().unwrap();
        assert!(id.starts_with("acl-") && id.len() == 21, "{id}");
        let v = ok(
            &mut s,
            json!({"Action": "DescribeNetworkAcls", "Filters": [{"Name": "association.subnet-id", "Values": [p.subnets[1]]}]}),
        );
        assert_eq!(v["NetworkAcls"][0]["NetworkAclId"], id);
        let v = ok(
            &mut s,
            json!({"Action": "DescribeNetworkAcls", "Account": CONSUMER, "Filters": [{"Name": "default", "Values": ["true"]}]}),
        );
        assert_eq!(v["NetworkAcls"][0]["VpcId"], cv.as_str());
        fails(
            &mut s,
            json!({"Action": "DescribeNetworkAcls", "NetworkAclIds": ["acl-0"]}),
            codes::INVALID_NETWORK_ACL_ID_NOT_FOUND,
            "acl-0",
        );
    }
}
