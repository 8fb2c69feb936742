//! `DescribeRouteTables {RouteTableIds?, VpcId?, Filters?, MaxResults?, NextToken?}` →
//! `{"RouteTables":[…], "NextToken"?}` (filters: [`LISTING`]), each with its
//! `Routes` (local, blackhole, and gateway endpoint `DestinationPrefixListId` routes) and
//! `Associations` (explicit ones, plus the implicit `Main` one of a main table).

use serde_json::Value;

use super::common::select_in_vpc;
use super::describe::{Listing, ec2_paging};
use super::request::Request;
use super::view;
use crate::error::ApiError;
use crate::model::State;

/// The filters of DescribeRouteTables (AWS's names) and the view paths they match.
pub const LISTING: Listing = Listing {
    member: "RouteTables",
    key: &["RouteTableId"],
    filters: &[
        ("route-table-id", "RouteTableId"),
        ("vpc-id", "VpcId"),
        ("owner-id", "OwnerId"),
        ("association.subnet-id", "Associations.SubnetId"),
        ("association.route-table-association-id", "Associations.RouteTableAssociationId"),
        ("association.route-table-id", "Associations.RouteTableId"),
        ("association.main", "Associations.Main"),
        ("route.destination-cidr-block", "Routes.DestinationCidrBlock"),
        ("route.destination-prefix-list-id", "Routes.DestinationPrefixListId"),
        ("route.gateway-id", "Routes.GatewayId"),
        ("route.origin", "Routes.Origin"),
        ("route.state", "Routes.State"),
    ],
    tags: Some("Tags"),
    paging: Some(ec2_paging(5..=100)),
};

pub fn run(state: &State, req: &Request) -> Result<Value, ApiError> {
    let tables = select_in_vpc(state, req, &state.route_tables, "RouteTableIds", |rt| &rt.vpc_id)?;
    LISTING.answer(req, tables.into_iter().map(view::route_table).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn shows_gateway_routes_and_main_association() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let main = s.vpcs[&v].main_route_table.clone();
        let ep = ok(
            &mut s,
            json!({"Action": "CreateVpcEndpoint", "VpcId": v, "ServiceName": "com.amazonaws.us-east-1.s3", "RouteTableIds": [main]}),
        );
        let t = ok(&mut s, json!({"Action": "DescribeRouteTables", "VpcId": "prov"}));
        let rt = &t["RouteTables"][0];
        assert_eq!(rt["Associations"][0]["Main"], true);
        let pl = &rt["Routes"][1];
        assert!(pl["DestinationPrefixListId"].as_str().unwrap().starts_with("pl-"));
        assert_eq!(pl["GatewayId"], ep["VpcEndpoint"]["VpcEndpointId"]);
        fails(
            &mut s,
            json!({"Action": "DescribeRouteTables", "RouteTableIds": ["x"]}),
            codes::INVALID_ROUTE_TABLE_ID_NOT_FOUND,
            "'x'",
        );
    }

    #[test]
    fn filters_on_associations() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let sn = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let rt = ok(&mut s, json!({"Action": "CreateRouteTable", "VpcId": v, "Name": "two"}));
        let rt = rt["RouteTable"]["RouteTableId"].as_str().unwrap().to_owned();
        ok(&mut s, json!({"Action": "AssociateRouteTable", "RouteTableId": rt, "SubnetId": sn}));
        let by = |s: &mut State, name: &str, value: &str| {
            let r = ok(
                s,
                json!({"Action": "DescribeRouteTables", "Filters": [{"Name": name, "Values": [value]}]}),
            );
            r["RouteTables"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["RouteTableId"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(by(&mut s, "association.subnet-id", &sn), [rt.as_str()]);
        assert_eq!(by(&mut s, "association.main", "true").len(), 1);
        assert_ne!(by(&mut s, "association.main", "true"), [rt.as_str()]);
        assert_eq!(by(&mut s, "route.gateway-id", "local").len(), 2);
    }
}
