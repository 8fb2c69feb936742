//! Tag parameters shared by the operations that create or tag resources.
//!
//! Rules:
//! - A tag is `{"Key":…,"Value":…}`; `Value` may be empty or absent (→ `""`). Keys and values
//!   follow [`Tags::check_key`] / [`Tags::check_value`]; a key given twice in one request is
//!   `InvalidParameterValue` (ELBv2: `DuplicateTagKeys`).
//! - EC2 Create*: `TagSpecifications:[{ResourceType, Tags}]`; every ResourceType must be the
//!   kind the operation creates (`InvalidParameterValue` naming it otherwise). privlink's `Name`
//!   parameter sets the `Name` tag; a Name tag with another value in the same request is
//!   `InvalidParameterValue`.
//! - ELBv2 Create*: `Tags:[{Key, Value}]`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::request::{Nested, Params, Request};
use super::validate::name_tag;
use crate::error::{ApiError, codes};
use crate::ids::IdKind;
use crate::model::{
    EndpointService, Instance, Kind, Listener, LoadBalancer, Resource, RouteTable, SecurityGroup, State,
    Subnet, Tags, TargetGroup, Vpc, VpcEndpoint,
};

/// One tag of a request; `value` is `None` where the request gave none.
pub struct TagParam {
    pub key: String,
    pub value: Option<String>,
}

/// The value of `Value` in one tag object: any string, empty included.
fn tag_value(tag: &Nested<'_>) -> Result<Option<String>, ApiError> {
    match tag.raw("Value") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(tag.bad("Value", v, "expected a string")),
    }
}

/// The tag list `key` of `p` (`[{Key, Value?}]`), checked; `duplicate` is the error code of a
/// key given twice.
pub fn tag_list(p: &impl Params, key: &str, duplicate: &'static str) -> Result<Vec<TagParam>, ApiError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for tag in p.objects(key)? {
        let k = tag.str("Key")?.to_owned();
        Tags::check_key(&k)?;
        let value = tag_value(&tag)?;
        Tags::check_value(&k, value.as_deref().unwrap_or(""))?;
        if !seen.insert(k.clone()) {
            return Err(ApiError::new(duplicate, format!("Tag key '{k}' is given more than once in {key}")));
        }
        out.push(TagParam { key: k, value });
    }
    Ok(out)
}

/// Tags built from `list` (absent values → `""`), within [`crate::model::MAX_TAGS`].
fn tags_of(list: Vec<TagParam>, count_code: &'static str) -> Result<Tags, ApiError> {
    let mut tags = Tags::default();
    for t in list {
        tags.set(&t.key, t.value.as_deref().unwrap_or(""));
    }
    tags.check_count("The new resource", count_code)?;
    Ok(tags)
}

/// The tags of a new EC2 resource of `resource_type`: its `TagSpecifications` and the `Name`
/// parameter (see the module docs).
pub fn tags_on_create(req: &Request, resource_type: &str) -> Result<Tags, ApiError> {
    let mut tags = tag_specifications(req, resource_type)?;
    if let Some(name) = name_tag(req)? {
        if let Some(tagged) = tags.name().filter(|t| *t != name) {
            return Err(ApiError::invalid(format!(
                "Name '{name}' contradicts the Name tag '{tagged}' in TagSpecifications; give one of them"
            )));
        }
        tags.set(Tags::NAME, &name);
    }
    Ok(tags)
}

/// The tags of a new EC2 resource of `resource_type` given by its `TagSpecifications`.
pub fn tag_specifications(req: &Request, resource_type: &str) -> Result<Tags, ApiError> {
    let mut list = Vec::new();
    for spec in req.objects("TagSpecifications")? {
        let given = spec.str("ResourceType")?;
        if given != resource_type {
            return Err(spec.bad(
                "ResourceType",
                &Value::from(given),
                &format!("{} creates resources of type '{resource_type}' only", req.action),
            ));
        }
        list.extend(tag_list(&spec, "Tags", codes::INVALID_PARAMETER_VALUE)?);
    }
    tags_of(list, codes::TAG_LIMIT_EXCEEDED)
}

/// The tags of a new ELBv2 resource: its `Tags` parameter.
pub fn elb_tags_on_create(req: &Request) -> Result<Tags, ApiError> {
    tags_of(tag_list(req, "Tags", codes::DUPLICATE_TAG_KEYS)?, codes::TOO_MANY_TAGS)
}

/// The not-found error of an EC2 resource ID, by its prefix; `InvalidID` for an ID of no
/// taggable kind.
fn ec2_not_found(id: &str) -> ApiError {
    // `vpce-svc-` before `vpce-`: the longer prefix wins.
    let kinds = [
        (IdKind::Vpc, Vpc::KIND),
        (IdKind::Subnet, Subnet::KIND),
        (IdKind::RouteTable, RouteTable::KIND),
        (IdKind::SecurityGroup, SecurityGroup::KIND),
        (IdKind::Instance, Instance::KIND),
        (IdKind::EndpointService, EndpointService::KIND),
        (IdKind::VpcEndpoint, VpcEndpoint::KIND),
    ];
    match kinds.iter().find(|(k, _)| id.starts_with(k.prefix())) {
        Some((_, kind)) => kind.not_found(id),
        None => ApiError::new(
            codes::INVALID_ID,
            format!(
                "The ID '{id}' is not valid: taggable resources are {}",
                kinds.map(|(_, k)| k.resource_type).join(", ")
            ),
        ),
    }
}

/// The kind an ELBv2 ARN names, by its resource part (`…:loadbalancer/…`).
fn elb_kind(arn: &str) -> Result<Kind, ApiError> {
    [LoadBalancer::KIND, TargetGroup::KIND, Listener::KIND]
        .into_iter()
        .find(|k| arn.starts_with("arn:") && arn.contains(&format!(":{}/", k.resource_type)))
        .ok_or_else(|| {
            ApiError::invalid(format!("'{arn}' is not the ARN of a load balancer, target group or listener"))
        })
}

/// The tags of the resource `id` if `account` owns it, else `not_found`.
fn owned_tags_mut<'a>(
    state: &'a mut State,
    account: &str,
    id: &str,
    not_found: ApiError,
) -> Result<&'a mut Tags, ApiError> {
    match state.tag_target(id) {
        Some(t) if t.owner == account => Ok(t.tags),
        _ => Err(not_found),
    }
}

/// The tags of EC2 resource `id` (an ID, never an ARN) that `account` owns.
pub fn ec2_tags_mut<'a>(state: &'a mut State, account: &str, id: &str) -> Result<&'a mut Tags, ApiError> {
    if id.starts_with("arn:") {
        return Err(ec2_not_found(id));
    }
    owned_tags_mut(state, account, id, ec2_not_found(id))
}

/// The tags of ELBv2 resource `arn` that `account` owns.
pub fn elb_tags_mut<'a>(state: &'a mut State, account: &str, arn: &str) -> Result<&'a mut Tags, ApiError> {
    let not_found = elb_kind(arn)?.not_found(arn);
    owned_tags_mut(state, account, arn, not_found)
}

/// The tags of ELBv2 resource `arn` that `account` owns.
pub fn elb_tags<'a>(state: &'a State, account: &str, arn: &str) -> Result<&'a Tags, ApiError> {
    fn owned<'a, T: Resource>(map: &'a BTreeMap<String, T>, account: &str, arn: &str) -> Option<&'a Tags> {
        map.get(arn).filter(|r| r.owner() == account).map(Resource::tags)
    }
    let kind = elb_kind(arn)?;
    owned(&state.load_balancers, account, arn)
        .or_else(|| owned(&state.target_groups, account, arn))
        .or_else(|| owned(&state.listeners, account, arn))
        .ok_or_else(|| kind.not_found(arn))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn req(v: serde_json::Value) -> Request {
        Request::parse(&v).unwrap()
    }

    #[test]
    fn tag_specifications_must_name_the_created_type() {
        let r = req(json!({"Action": "CreateVpc", "Name": "a", "TagSpecifications": [
            {"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": "dev"}, {"Key": "empty"}]}]}));
        let t = tags_on_create(&r, "vpc").unwrap();
        assert_eq!(
            t.to_json(),
            json!([{"Key": "Name", "Value": "a"}, {"Key": "empty", "Value": ""}, {"Key": "env", "Value": "dev"}])
        );
        let r = req(
            json!({"Action": "CreateVpc", "TagSpecifications": [{"ResourceType": "subnet", "Tags": []}]}),
        );
        let e = tags_on_create(&r, "vpc").unwrap_err();
        assert_eq!(e.code, codes::INVALID_PARAMETER_VALUE);
        assert!(
            e.message.contains("subnet") && e.message.contains("TagSpecifications.1.ResourceType"),
            "{}",
            e.message
        );
    }

    #[test]
    fn contradictions_and_duplicates_are_refused() {
        let r = req(json!({"Action": "CreateVpc", "Name": "a", "TagSpecifications": [
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "b"}]}]}));
        assert!(tags_on_create(&r, "vpc").unwrap_err().message.contains("'b'"));
        let r =
            req(json!({"Action": "CreateLoadBalancer", "Tags": [{"Key": "k", "Value": "1"}, {"Key": "k"}]}));
        assert_eq!(elb_tags_on_create(&r).unwrap_err().code, codes::DUPLICATE_TAG_KEYS);
        let r = req(json!({"Action": "CreateLoadBalancer", "Tags": [{"Key": "aws:x", "Value": "1"}]}));
        assert!(elb_tags_on_create(&r).unwrap_err().message.contains("aws:x"));
    }

    #[test]
    fn every_ec2_create_takes_tag_specifications_of_its_type() {
        use crate::api::testkit::*;
        use crate::model::State;
        let mut st = State::new();
        let p = provider(&mut st, false);
        let (cv, cs) = consumer(&mut st, "c");
        let lb2 = ok(
            &mut st,
            json!({"Action": "CreateLoadBalancer", "Type": "network", "Name": "web2", "Subnets": [p.subnets[0]]}),
        );
        let lb2 = lb2["LoadBalancers"][0]["LoadBalancerArn"].clone();
        let spec = |t: &str| json!([{"ResourceType": t, "Tags": [{"Key": "env", "Value": "dev"}]}]);
        let creates = [
            (
                "vpc",
                json!({"Action": "CreateVpc", "CidrBlock": "10.5.0.0/16"}),
                "/Vpc/Tags",
                "DescribeVpcs",
                "/Vpcs",
            ),
            (
                "subnet",
                json!({"Action": "CreateSubnet", "VpcId": p.vpc, "CidrBlock": "10.0.9.0/24"}),
                "/Subnet/Tags",
                "DescribeSubnets",
                "/Subnets",
            ),
            (
                "route-table",
                json!({"Action": "CreateRouteTable", "VpcId": p.vpc}),
                "/RouteTable/Tags",
                "DescribeRouteTables",
                "/RouteTables",
            ),
            (
                "security-group",
                json!({"Action": "CreateSecurityGroup", "VpcId": p.vpc, "GroupName": "g"}),
                "/Tags",
                "DescribeSecurityGroups",
                "/SecurityGroups",
            ),
            (
                "instance",
                json!({"Action": "RunInstances", "SubnetId": p.subnets[0]}),
                "/Instances/0/Tags",
                "DescribeInstances",
                "/Reservations/0/Instances",
            ),
            (
                "vpc-endpoint-service",
                json!({"Action": "CreateVpcEndpointServiceConfiguration", "NetworkLoadBalancerArns": [lb2]}),
                "/ServiceConfiguration/Tags",
                "DescribeVpcEndpointServiceConfigurations",
                "/ServiceConfigurations",
            ),
            (
                "vpc-endpoint",
                json!({"Action": "CreateVpcEndpoint", "Account": CONSUMER, "VpcId": cv, "ServiceName": p.service_name, "SubnetIds": [cs[0]]}),
                "/VpcEndpoint/Tags",
                "DescribeVpcEndpoints",
                "/VpcEndpoints",
            ),
        ];
        for (rtype, create, tags_at, describe, items_at) in creates {
            let account = create.get("Account").cloned().unwrap_or(json!(PROVIDER));
            let mut wrong = create.clone();
            wrong["TagSpecifications"] = spec("volume");
            fails(&mut st, wrong, codes::INVALID_PARAMETER_VALUE, "volume");
            let mut right = create.clone();
            right["TagSpecifications"] = spec(rtype);
            let out = ok(&mut st, right);
            assert_eq!(
                out.pointer(tags_at),
                Some(&json!([{"Key": "env", "Value": "dev"}])),
                "{rtype}: {out}"
            );
            let d = ok(
                &mut st,
                json!({"Action": describe, "Account": account, "Filters": [{"Name": "tag:env", "Values": ["dev"]}]}),
            );
            assert_eq!(d.pointer(items_at).and_then(|v| v.as_array()).map(Vec::len), Some(1), "{rtype}: {d}");
        }
    }
}
