//! `CreateVpc {CidrBlock, Name?, Netns?, EnableDnsHostnames?, InstanceTenancy? (default),
//! AmazonProvidedIpv6CidrBlock? (false)}` → `{"Vpc":{…}}`.
//!
//! The VPC starts with AWS's attributes (`enableDnsSupport` on, `enableDnsHostnames` off);
//! `EnableDnsHostnames` (a privlink extension that privlink's CLI sets, so its VPCs can resolve
//! private DNS names at once; AWS clients use ModifyVpcAttribute) turns hostnames on at creation.
//! Creates the VPC with its main route table (local route only, Name `main`) and its default
//! security group (`default`, allows everything from the VPC CIDR). Where a request is about one
//! VPC, `main` and `default` name that VPC's table and group. The VPC's namespace is `Netns`, else
//! `pl-<Name>`, else `pl-<vpc id>`; `pl-aws` is reserved for the AWS service network and two
//! VPCs never share a namespace. VPC CIDRs (/16 to /28) may overlap other VPCs freely; host bits
//! are cleared as AWS clears them (`10.250.1.0/16` creates `10.250.0.0/16`).
//! At most [`MAX_VPCS`] VPCs exist at once, across accounts (`VpcLimitExceeded`): the data
//! plane numbers VPCs with 16 bits, and each is a namespace with a device.

use super::outcome::Outcome;
use super::request::{Params, Request};
use super::tagging::tags_on_create;
use super::validate::{name_tag, netns_name, prefix_length};
use crate::error::{ApiError, codes};
use crate::ids::IdKind;
use crate::model::{RouteTable, SecurityGroup, SgProtocol, SgRule, State, Tags, Vpc, VpcAttributes};

/// The Name of every VPC's main route table (a lab convenience: `--route-tables main`).
pub const MAIN: &str = "main";

/// The namespace of the AWS service network, never a VPC's.
pub const AWS_NETNS: &str = "pl-aws";

/// VPCs that may exist at once (privlink's quota; AWS's default is 5 per region and account).
pub const MAX_VPCS: usize = 4_096;

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    if state.vpcs.len() >= MAX_VPCS {
        return Err(ApiError::new(
            codes::VPC_LIMIT_EXCEEDED,
            format!("The maximum number of VPCs has been reached: {MAX_VPCS} exist"),
        ));
    }
    let cidr = req.cidr_normalised("CidrBlock")?;
    prefix_length(cidr, codes::INVALID_VPC_RANGE)?;
    let tags = tags_on_create(req, "vpc")?;
    // The privlink Name parameter (not a Name tag from TagSpecifications) names the namespace.
    let name = name_tag(req)?;
    if let Some(t) = req.str_opt("InstanceTenancy")?.filter(|t| *t != "default") {
        return Err(req.bad("InstanceTenancy", &t.into(), "privlink VPCs have default tenancy"));
    }
    if let Some(true) = req.bool_opt("AmazonProvidedIpv6CidrBlock")? {
        return Err(req.bad("AmazonProvidedIpv6CidrBlock", &true.into(), "privlink VPCs are IPv4-only"));
    }
    let mut attributes = VpcAttributes::aws_defaults();
    attributes.enable_dns_hostnames = req.bool_opt("EnableDnsHostnames")?.unwrap_or(false);
    let id = state.new_id(IdKind::Vpc);
    let netns = match (req.str_opt("Netns")?, &name) {
        (Some(ns), _) => ns.to_owned(),
        (None, Some(n)) => format!("pl-{n}"),
        (None, None) => format!("pl-{id}"),
    };
    netns_name(&netns)?;
    if netns == AWS_NETNS {
        return Err(ApiError::invalid(format!(
            "The network namespace '{AWS_NETNS}' is reserved for the AWS service network; choose another Name or Netns"
        )));
    }
    if let Some(other) = state.vpcs.values().find(|v| v.netns == netns) {
        return Err(ApiError::invalid(format!(
            "The network namespace '{netns}' is already the namespace of {}; choose another Name or Netns",
            other.id
        )));
    }
    let owner = req.account.clone();
    let rtb = RouteTable::new(
        state.new_id(IdKind::RouteTable),
        owner.clone(),
        Tags::named(Some(MAIN.into())),
        id.clone(),
        cidr,
        true,
    );
    let sg = SecurityGroup {
        id: state.new_id(IdKind::SecurityGroup),
        owner: owner.clone(),
        name: "default".into(),
        description: "default VPC security group".into(),
        vpc_id: id.clone(),
        ingress: vec![SgRule { protocol: SgProtocol::All, from_port: -1, to_port: -1, cidr }],
        egress: SgRule::allow_all_egress(),
        tags: Tags::default(),
    };
    let vpc = Vpc {
        id: id.clone(),
        owner,
        tags,
        cidr,
        netns,
        netns_managed: false,
        main_route_table: rtb.id.clone(),
        default_security_group: sg.id.clone(),
        attributes,
    };
    state.route_tables.insert(rtb.id.clone(), rtb);
    state.security_groups.insert(sg.id.clone(), sg);
    state.vpcs.insert(id.clone(), vpc);
    Ok(Outcome::Vpc(id))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::{RouteTarget, State};

    #[test]
    fn creates_vpc_with_main_table_and_default_group() {
        let mut s = State::new();
        let v = ok(&mut s, json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16", "Name": "prov"}));
        let id = v["Vpc"]["VpcId"].as_str().unwrap();
        assert_eq!(v["Vpc"]["Netns"], "pl-prov");
        assert_eq!(v["Vpc"]["Tags"][0]["Value"], "prov");
        let vpc = &s.vpcs[id];
        let rt = &s.route_tables[&vpc.main_route_table];
        assert!(rt.main && rt.routes[0].target == RouteTarget::Local);
        assert_eq!(rt.tags.name(), Some("main"));
        let sg = &s.security_groups[&vpc.default_security_group];
        assert!(sg.allows(6, 22, "10.0.9.9".parse().unwrap()));
        let anon = ok(&mut s, json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16"}));
        let anon_id = anon["Vpc"]["VpcId"].as_str().unwrap();
        assert_eq!(anon["Vpc"]["Netns"], format!("pl-{anon_id}"), "VPCs may overlap");
    }

    #[test]
    fn at_most_max_vpcs_exist() {
        let mut s = State::new();
        let v = ok(&mut s, json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16"}));
        let first = s.vpcs[v["Vpc"]["VpcId"].as_str().unwrap()].clone();
        for n in 1..super::MAX_VPCS {
            s.vpcs.insert(format!("vpc-{n:017x}"), first.clone());
        }
        fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16"}),
            codes::VPC_LIMIT_EXCEEDED,
            "4096",
        );
        s.vpcs.remove("vpc-00000000000000001");
        ok(&mut s, json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16"}));
    }

    #[test]
    fn rejects_bad_cidrs() {
        let mut s = State::new();
        fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/8"}),
            codes::INVALID_VPC_RANGE,
            "10.0.0.0/8",
        );
        fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/33"}),
            codes::INVALID_PARAMETER_VALUE,
            "10.0.0.0/33",
        );
        fails(&mut s, json!({"Action": "CreateVpc"}), codes::MISSING_PARAMETER, "CidrBlock");
        let dedicated =
            json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16", "InstanceTenancy": "dedicated"});
        fails(&mut s, dedicated, codes::INVALID_PARAMETER_VALUE, "dedicated");
        ok(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.0.0.0/16", "InstanceTenancy": "default", "AmazonProvidedIpv6CidrBlock": false}),
        );
    }

    #[test]
    fn host_bits_are_cleared_as_aws_does() {
        let mut s = State::new();
        let v = ok(&mut s, json!({"Action": "CreateVpc", "CidrBlock": "10.250.1.0/16"}));
        assert_eq!(v["Vpc"]["CidrBlock"], "10.250.0.0/16");
        let vpc = &s.vpcs[v["Vpc"]["VpcId"].as_str().unwrap()];
        assert_eq!(vpc.cidr.to_string(), "10.250.0.0/16");
        let local = &s.route_tables[&vpc.main_route_table].routes[0].destination;
        assert_eq!(*local, crate::model::Destination::Cidr(vpc.cidr));
    }

    #[test]
    fn namespaces_are_checked_unique_and_not_reserved() {
        let mut s = State::new();
        vpc(&mut s, PROVIDER, "a", "10.0.0.0/16");
        fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.1.0.0/16", "Name": "a"}),
            codes::INVALID_PARAMETER_VALUE,
            "pl-a",
        );
        fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.1.0.0/16", "Netns": "pl-aws"}),
            codes::INVALID_PARAMETER_VALUE,
            "pl-aws",
        );
        fails(
            &mut s,
            json!({"Action": "CreateVpc", "CidrBlock": "10.1.0.0/16", "Name": "a b"}),
            codes::INVALID_PARAMETER_VALUE,
            "pl-a b",
        );
        ok(&mut s, json!({"Action": "CreateVpc", "CidrBlock": "10.1.0.0/16", "Name": "a", "Netns": "other"}));
    }
}
