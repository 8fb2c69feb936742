//! `DescribeSecurityGroups {GroupIds?, GroupNames?, VpcId?, Filters?, MaxResults?, NextToken?}` →
//! `{"SecurityGroups":[…], "NextToken"?}` with `IpPermissions` (filters: [`LISTING`]).
//! `GroupNames` keeps the groups of those names (of any of the caller's VPCs); a name no group
//! has is `InvalidGroup.NotFound`.

use serde_json::Value;

use super::common::select_in_vpc;
use super::describe::{EC2_PAGING, Listing};
use super::request::Params;
use super::request::Request;
use super::view;
use crate::error::ApiError;
use crate::model::{Resource, SecurityGroup, State, visible};

/// The filters of DescribeSecurityGroups (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "SecurityGroups",
    key: &["GroupId"],
    filters: &[
        ("group-id", "GroupId"),
        ("group-name", "GroupName"),
        ("vpc-id", "VpcId"),
        ("owner-id", "OwnerId"),
        ("description", "Description"),
        ("ip-permission.protocol", "IpPermissions.IpProtocol"),
        ("ip-permission.cidr", "IpPermissions.IpRanges.CidrIp"),
        ("ip-permission.from-port", "IpPermissions.FromPort"),
        ("ip-permission.to-port", "IpPermissions.ToPort"),
        ("egress.ip-permission.protocol", "IpPermissionsEgress.IpProtocol"),
        ("egress.ip-permission.cidr", "IpPermissionsEgress.IpRanges.CidrIp"),
    ],
    tags: Some("Tags"),
    paging: Some(EC2_PAGING),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let names = req.list("GroupNames")?;
    if let Some(missing) =
        names.iter().find(|n| !visible(&state.security_groups, &req.account).any(|g| &g.name == *n))
    {
        return Err(SecurityGroup::KIND.not_found(missing));
    }
    let groups = select_in_vpc(state, req, &state.security_groups, "GroupIds", |g| &g.vpc_id)?;
    let named = |g: &&SecurityGroup| names.is_empty() || names.contains(&g.name);
    LISTING.answer(req, groups.into_iter().filter(named).map(view::security_group).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn describes_the_default_group_rule() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let v = ok(&mut s, json!({"Action": "DescribeSecurityGroups", "VpcId": "prov"}));
        let g = &v["SecurityGroups"][0];
        assert_eq!(g["GroupName"], "default");
        assert_eq!(
            g["IpPermissions"][0],
            json!({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
                "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}),
            "AWS always lists the empty IPv6, prefix-list and group-pair parts"
        );
        fails(
            &mut s,
            json!({"Action": "DescribeSecurityGroups", "GroupIds": ["nope"]}),
            codes::INVALID_GROUP_NOT_FOUND,
            "nope",
        );
        fails(
            &mut s,
            json!({"Action": "DescribeSecurityGroups", "GroupNames": ["web"]}),
            codes::INVALID_GROUP_NOT_FOUND,
            "web",
        );
        vpc(&mut s, PROVIDER, "other", "10.1.0.0/16");
        let v = ok(&mut s, json!({"Action": "DescribeSecurityGroups", "GroupNames": ["default"]}));
        assert_eq!(v["SecurityGroups"].as_array().unwrap().len(), 2, "one default group per VPC");
        let v = ok(
            &mut s,
            json!({"Action": "DescribeSecurityGroups", "Filters": [{"Name": "ip-permission.cidr", "Values": ["10.1.*"]}]}),
        );
        assert_eq!(v["SecurityGroups"].as_array().unwrap().len(), 1);
    }
}
