//! `RevokeSecurityGroupEgress` — same parameters as `AuthorizeSecurityGroupEgress`, or
//! `GroupId` + `SecurityGroupRuleIds[]` → `{"Return":true}` (the outbound twin of
//! RevokeSecurityGroupIngress; tested with AuthorizeSecurityGroupEgress).

use super::outcome::Outcome;
use super::permissions::revoke;
use super::request::Request;
use crate::error::ApiError;
use crate::model::{Direction, State};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    revoke(state, req, Direction::Egress).map(Outcome::Answer)
}
