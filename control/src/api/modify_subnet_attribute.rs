//! `ModifySubnetAttribute {SubnetId, <one attribute>}` → `{"Return":true}`.
//!
//! Recorded and shown by DescribeSubnets: `MapPublicIpOnLaunch`,
//! `EnableResourceNameDnsARecordOnLaunch` (`{"Value":bool}`), `PrivateDnsHostnameTypeOnLaunch`
//! (`ip-name` | `resource-name`). privlink has no IPv6, customer-owned pools or network cards:
//! `AssignIpv6AddressOnCreation`, `EnableDns64`, `EnableResourceNameDnsAAAARecordOnLaunch`,
//! `MapCustomerOwnedIpOnLaunch`, `DisableLniAtDeviceIndex` are accepted as false only,
//! `CustomerOwnedIpv4Pool` and `EnableLniAtDeviceIndex` not at all. One attribute per call
//! (`InvalidParameterCombination`), as on AWS.

use super::common::done;
use super::outcome::Outcome;
use super::request::{Params, Request};
use crate::error::{ApiError, codes};
use crate::model::{State, find_mut};

const FALSE_ONLY: [&str; 5] = [
    "AssignIpv6AddressOnCreation",
    "EnableDns64",
    "EnableResourceNameDnsAAAARecordOnLaunch",
    "MapCustomerOwnedIpOnLaunch",
    "DisableLniAtDeviceIndex",
];

pub fn run(state: &mut State, req: &Request) -> Result<Outcome, ApiError> {
    let subnet = find_mut(&mut state.subnets, &req.account, req.str("SubnetId")?)?;
    let mut given = 0;
    for key in FALSE_ONLY {
        if let Some(on) = req.attribute_bool_opt(key)? {
            given += 1;
            if on {
                return Err(req.bad(
                    key,
                    &on.into(),
                    "privlink subnets have no IPv6, customer-owned addresses or network cards",
                ));
            }
        }
    }
    for key in ["CustomerOwnedIpv4Pool", "EnableLniAtDeviceIndex"] {
        if let Some(v) = req.raw(key) {
            return Err(req.bad(key, v, "privlink subnets have no customer-owned pools or network cards"));
        }
    }
    let map_public = req.attribute_bool_opt("MapPublicIpOnLaunch")?;
    let a_record = req.attribute_bool_opt("EnableResourceNameDnsARecordOnLaunch")?;
    let hostname = req.str_opt("PrivateDnsHostnameTypeOnLaunch")?;
    given +=
        usize::from(map_public.is_some()) + usize::from(a_record.is_some()) + usize::from(hostname.is_some());
    if given != 1 {
        return Err(ApiError::new(
            codes::INVALID_PARAMETER_COMBINATION,
            format!("Give exactly one subnet attribute to modify per call; got {given}"),
        ));
    }
    if let Some(h) = hostname.filter(|h| !["ip-name", "resource-name"].contains(h)) {
        return Err(req.bad(
            "PrivateDnsHostnameTypeOnLaunch",
            &h.into(),
            "expected ip-name or resource-name",
        ));
    }
    let a = &mut subnet.attributes;
    if let Some(on) = map_public {
        a.map_public_ip_on_launch = on;
    }
    if let Some(on) = a_record {
        a.enable_resource_name_dns_a_record_on_launch = on;
    }
    if let Some(h) = hostname {
        a.private_dns_hostname_type_on_launch = h.to_owned();
    }
    Ok(Outcome::Answer(done()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn records_launch_settings_one_at_a_time() {
        let mut s = State::new();
        let v = vpc(&mut s, PROVIDER, "prov", "10.0.0.0/16");
        let a = subnet(&mut s, PROVIDER, &v, "a", "10.0.1.0/24", "us-east-1a");
        let modify = |extra: serde_json::Value| {
            let mut r = json!({"Action": "ModifySubnetAttribute", "SubnetId": a});
            r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            r
        };
        ok(&mut s, modify(json!({"MapPublicIpOnLaunch": {"Value": true}})));
        ok(&mut s, modify(json!({"PrivateDnsHostnameTypeOnLaunch": "resource-name"})));
        ok(&mut s, modify(json!({"AssignIpv6AddressOnCreation": {"Value": false}})));
        let d = ok(&mut s, json!({"Action": "DescribeSubnets", "SubnetIds": [a]}));
        let sub = &d["Subnets"][0];
        assert_eq!(sub["MapPublicIpOnLaunch"], true);
        assert_eq!(sub["PrivateDnsNameOptionsOnLaunch"]["HostnameType"], "resource-name");
        fails(
            &mut s,
            modify(json!({"EnableDns64": {"Value": true}})),
            codes::INVALID_PARAMETER_VALUE,
            "EnableDns64",
        );
        fails(
            &mut s,
            modify(json!({"MapPublicIpOnLaunch": {"Value": true}, "EnableDns64": {"Value": false}})),
            codes::INVALID_PARAMETER_COMBINATION,
            "got 2",
        );
        fails(
            &mut s,
            modify(json!({"PrivateDnsHostnameTypeOnLaunch": "fqdn"})),
            codes::INVALID_PARAMETER_VALUE,
            "fqdn",
        );
    }
}
