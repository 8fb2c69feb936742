//! `RevokeSecurityGroupEgress` — same parameters as `AuthorizeSecurityGroupEgress`, or
//! `GroupId` + `SecurityGroupRuleIds[]` → `{"Return":true}` (the outbound twin of
//! RevokeSecurityGroupIngress; tested with AuthorizeSecurityGroupEgress).

use serde_json::Value;

use super::permissions::revoke;
use super::request::Request;
use crate::error::ApiError;
use crate::model::{Direction, State};

pub fn run(state: &mut State, req: &Request) -> Result<Value, ApiError> {
    revoke(state, req, Direction::Egress)
}
