//! `CreateSecurityGroup {GroupName, VpcId, Description?}` → `{"GroupId":…}`.
//!
//! A new group has no ingress rules (nothing may connect to what it guards until rules are
//! authorized) and AWS's allow-all egress rule. Group names are unique within a VPC (`InvalidGroup.Duplicate`); the name is
//! also what lookups by Name match. Description defaults to the name.

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::tag_specifications;
use crate::error::{ApiError, codes};
use crate::ids::IdKind;
use crate::model::{SecurityGroup, SgRule, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let vpc = find(&state.vpcs, &req.account, req.str("VpcId")?)?;
    let name = req.str("GroupName")?;
    if name.len() > 255 {
        return Err(req.bad("GroupName", &name.into(), "at most 255 characters"));
    }
    if let Some(other) = state.security_groups.values().find(|g| g.vpc_id == vpc.id && g.name == name) {
        return Err(ApiError::new(
            codes::INVALID_GROUP_DUPLICATE,
            format!("The security group '{name}' already exists for VPC '{}' ({})", vpc.id, other.id),
        ));
    }
    let sg = SecurityGroup {
        id: state.new_id(IdKind::SecurityGroup),
        owner: vpc.owner.clone(),
        name: name.to_owned(),
        description: req.str_opt("Description")?.unwrap_or(name).to_owned(),
        vpc_id: vpc.id.clone(),
        ingress: Vec::new(),
        egress: SgRule::allow_all_egress(),
        tags: tag_specifications(req, "security-group")?,
    };
    let out = json!({"GroupId": sg.id, "Tags": sg.tags.to_json()});
    state.security_groups.insert(sg.id.clone(), sg);
    Ok(Outcome::Answer(out))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn creates_empty_groups_with_unique_names_per_vpc() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        vpc(&mut s, PROVIDER, "other", "10.0.0.0/16");
        let create =
            |vpc: &str| json!({"Action": "CreateSecurityGroup", "VpcId": vpc, "GroupName": "endpoints"});
        let g = ok(&mut s, create("prov"));
        let id = g["GroupId"].as_str().unwrap();
        assert!(id.starts_with("sg-") && s.security_groups[id].ingress.is_empty());
        assert_eq!(s.security_groups[id].description, "endpoints");
        fails(&mut s, create("prov"), codes::INVALID_GROUP_DUPLICATE, "endpoints");
        fails(
            &mut s,
            json!({"Action": "CreateSecurityGroup", "VpcId": "prov", "GroupName": "default"}),
            codes::INVALID_GROUP_DUPLICATE,
            "default",
        );
        ok(&mut s, create("other"));
        fails(
            &mut s,
            json!({"Action": "CreateSecurityGroup", "VpcId": "prov"}),
            codes::MISSING_PARAMETER,
            "GroupName",
        );
    }
}
