//! `DisassociateRouteTable {AssociationId | SubnetId}` → `{"Return":true}`.
//!
//! Removes an explicit association (named by its `rtbassoc-…` ID, or — a lab convenience — by
//! the subnet); the subnet falls back to its VPC's main table.

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{Association, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let (key, by_subnet) = match req.str_opt("AssociationId")? {
        Some(id) => (id.to_owned(), false),
        None => (find(&state.subnets, &req.account, req.str("SubnetId")?)?.id.clone(), true),
    };
    let matches = |a: &Association| if by_subnet { a.subnet_id == key } else { a.id == key };
    let rt = state
        .route_tables
        .values_mut()
        .find(|rt| rt.owner == req.account && rt.associations.iter().any(&matches))
        .ok_or_else(|| {
            ApiError::new(
                codes::INVALID_ASSOCIATION_ID_NOT_FOUND,
                format!(
                    "The association '{key}' does not exist (no explicit route table association matches it)"
                ),
            )
        })?;
    rt.associations.retain(|a| !matches(a));
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn disassociates_by_association_id_or_subnet() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        ok(&mut s, json!({"Action": "CreateRouteTable", "VpcId": v, "Name": "one"}));
        let a = ok(&mut s, json!({"Action": "AssociateRouteTable", "RouteTableId": "one", "SubnetId": sn}));
        ok(&mut s, json!({"Action": "DisassociateRouteTable", "AssociationId": a["AssociationId"]}));
        assert!(s.route_table_for_subnet(&sn).unwrap().main);
        fails(
            &mut s,
            json!({"Action": "DisassociateRouteTable", "AssociationId": a["AssociationId"]}),
            codes::INVALID_ASSOCIATION_ID_NOT_FOUND,
            "rtbassoc-",
        );
        fails(
            &mut s,
            json!({"Action": "DisassociateRouteTable", "SubnetId": "a"}),
            codes::INVALID_ASSOCIATION_ID_NOT_FOUND,
            &sn,
        );
        fails(&mut s, json!({"Action": "DisassociateRouteTable"}), codes::MISSING_PARAMETER, "SubnetId");
    }
}
