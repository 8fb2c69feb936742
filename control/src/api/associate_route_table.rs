//! `AssociateRouteTable {RouteTableId, SubnetId}` → `{"AssociationId":…,"AssociationState":{…}}`.
//!
//! Associates the subnet with the table (same VPC), moving any explicit association it had with
//! another table. Associating it again with the same table returns the existing association.

use serde_json::json;

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::validate::same_vpc;
use crate::error::ApiError;
use crate::ids::IdKind;
use crate::model::{Association, State, find};

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let rt = find(&state.route_tables, &req.account, req.str("RouteTableId")?)?;
    let subnet = find(&state.subnets, &req.account, req.str("SubnetId")?)?;
    same_vpc(&format!("Subnet {}", subnet.id), &subnet.vpc_id, &rt.vpc_id)?;
    let (rt_id, subnet_id) = (rt.id.clone(), subnet.id.clone());
    let existing = rt.associations.iter().find(|a| a.subnet_id == subnet_id).map(|a| a.id.clone());
    let association_id = match existing {
        Some(id) => id,
        None => {
            let id = state.new_id(IdKind::RouteTableAssociation);
            // A subnet has one explicit association: it leaves any other table for this one.
            for table in state.route_tables.values_mut() {
                table.associations.retain(|a| a.subnet_id != subnet_id);
                if table.id == rt_id {
                    table.associations.push(Association { id: id.clone(), subnet_id: subnet_id.clone() });
                }
            }
            id
        }
    };
    Ok(Outcome::Answer(json!({"AssociationId": association_id, "AssociationState": {"State": "associated"}})))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn associating_moves_the_subnet_between_tables() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let main = s.vpcs[&v].main_route_table.clone();
        assert_eq!(s.route_table_for_subnet(&sn).unwrap().id, main);
        for name in ["one", "two"] {
            ok(&mut s, json!({"Action": "CreateRouteTable", "VpcId": v, "Name": name}));
        }
        let first =
            ok(&mut s, json!({"Action": "AssociateRouteTable", "RouteTableId": "one", "SubnetId": "a"}));
        let again =
            ok(&mut s, json!({"Action": "AssociateRouteTable", "RouteTableId": "one", "SubnetId": "a"}));
        assert_eq!(first["AssociationId"], again["AssociationId"]);
        ok(&mut s, json!({"Action": "AssociateRouteTable", "RouteTableId": "two", "SubnetId": "a"}));
        assert_eq!(s.route_table_for_subnet(&sn).unwrap().tags.name(), Some("two"));
        let total: usize = s.route_tables.values().map(|r| r.associations.len()).sum();
        assert_eq!(total, 1);
    }

    #[test]
    fn subnet_must_be_in_the_tables_vpc() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let w = vpc(&mut s, PROVIDER, "other", "10.1.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &w, "w", "10.1.1.0/24", "us-east-1a");
        ok(&mut s, json!({"Action": "CreateRouteTable", "VpcId": v, "Name": "one"}));
        fails(
            &mut s,
            json!({"Action": "AssociateRouteTable", "RouteTableId": "one", "SubnetId": sn}),
            codes::INVALID_PARAMETER_VALUE,
            &sn,
        );
        fails(
            &mut s,
            json!({"Action": "AssociateRouteTable", "RouteTableId": "one", "SubnetId": "zz"}),
            codes::INVALID_SUBNET_ID_NOT_FOUND,
            "zz",
        );
    }
}
