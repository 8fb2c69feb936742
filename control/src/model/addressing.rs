//! Private address allocation inside subnets (one place for instances, ENIs and NLB nodes).
//!
//! A subnet's usable range excludes the network address, the next three (router, DNS,
//! reserved) and the broadcast address, as on AWS. An address is in use if an instance, an ENI
//! or an NLB node of the same VPC holds it; VPCs are separate address spaces.
//! Auto-assignment is deterministic: instances take the lowest free address ([`Pick::Lowest`]),
//! ENIs and NLB nodes the highest ([`Pick::Highest`]), so the two rarely meet and the numbers a
//! user sees are predictable.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;

use ipnet::Ipv4Net;

use super::{State, Subnet};
use crate::error::{ApiError, codes};

/// Which end of the free range auto-assignment takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Lowest,
    Highest,
}

/// The usable host addresses of `cidr` (network + 4 ..= broadcast - 1) as integers.
pub fn usable(cidr: Ipv4Net) -> RangeInclusive<u32> {
    u32::from(cidr.network()) + 4..=u32::from(cidr.broadcast()).saturating_sub(1)
}

/// The addresses in use in one VPC, each with the ID of the resource holding it.
#[derive(Clone, Debug, Default)]
pub struct AddressBook {
    used: BTreeMap<Ipv4Addr, String>,
}

impl AddressBook {
    /// Everything `state` has allocated in `vpc_id`.
    pub fn for_vpc(state: &State, vpc_id: &str) -> AddressBook {
        let in_vpc = |subnet_id: &str| state.subnets.get(subnet_id).is_some_and(|s| s.vpc_id == vpc_id);
        let mut used = BTreeMap::new();
        for i in state.instances.values().filter(|i| i.vpc_id == vpc_id) {
            used.insert(i.ip, i.id.clone());
        }
        for ep in state.vpc_endpoints.values() {
            for eni in ep.network_interfaces.iter().filter(|n| in_vpc(&n.subnet_id)) {
                used.insert(eni.ip, eni.id.clone());
            }
        }
        for lb in state.load_balancers.values().filter(|lb| lb.vpc_id == vpc_id) {
            for node in &lb.nodes {
                used.insert(node.ip, lb.arn.clone());
            }
        }
        AddressBook { used }
    }

    /// The resource holding `ip`, if any.
    pub fn holder(&self, ip: Ipv4Addr) -> Option<&str> {
        self.used.get(&ip).map(String::as_str)
    }

    /// How many usable addresses of `cidr` are free.
    pub fn free_count(&self, cidr: Ipv4Net) -> usize {
        usable(cidr).filter(|n| !self.used.contains_key(&Ipv4Addr::from(*n))).count()
    }

    /// Assigns `requested` (checked: inside `subnet`, not reserved, free) or, if `None`, the
    /// free address at the `pick` end of the subnet's usable range; records it for `holder`.
    pub fn assign(
        &mut self,
        subnet: &Subnet,
        requested: Option<Ipv4Addr>,
        pick: Pick,
        holder: &str,
    ) -> Result<Ipv4Addr, ApiError> {
        let range = usable(subnet.cidr);
        let ip = match requested {
            Some(ip) => self.check(subnet, ip, &range)?,
            None => {
                let free = |n: &u32| !self.used.contains_key(&Ipv4Addr::from(*n));
                let found = match pick {
                    Pick::Lowest => range.clone().find(free),
                    Pick::Highest => range.clone().rev().find(free),
                };
                Ipv4Addr::from(found.ok_or_else(|| {
                    ApiError::new(
                        codes::INSUFFICIENT_FREE_ADDRESSES,
                        format!("Subnet {} ({}) has no free address left", subnet.id, subnet.cidr),
                    )
                })?)
            }
        };
        self.used.insert(ip, holder.to_owned());
        Ok(ip)
    }

    fn check(
        &self,
        subnet: &Subnet,
        ip: Ipv4Addr,
        range: &RangeInclusive<u32>,
    ) -> Result<Ipv4Addr, ApiError> {
        let usable_text = format!("{}-{}", Ipv4Addr::from(*range.start()), Ipv4Addr::from(*range.end()));
        if !subnet.cidr.contains(&ip) {
            return Err(ApiError::invalid(format!(
                "Address {ip} is not in subnet {} ({}); usable addresses are {usable_text}",
                subnet.id, subnet.cidr
            )));
        }
        if !range.contains(&u32::from(ip)) {
            return Err(ApiError::invalid(format!(
                "Address {ip} is reserved in subnet {} ({}): the first four addresses and the broadcast address are; usable addresses are {usable_text}",
                subnet.id, subnet.cidr
            )));
        }
        if let Some(holder) = self.holder(ip) {
            return Err(ApiError::new(
                codes::INVALID_IP_ADDRESS_IN_USE,
                format!("Address {ip} is in use by {holder} in the VPC of subnet {}", subnet.id),
            ));
        }
        Ok(ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(cidr: &str) -> Subnet {
        Subnet {
            id: "subnet-1".into(),
            owner: "111111111111".into(),
            tags: Default::default(),
            vpc_id: "vpc-1".into(),
            cidr: cidr.parse().unwrap(),
            az: "us-east-1a".into(),
            attributes: Default::default(),
        }
    }

    #[test]
    fn auto_assignment_skips_reserved_and_used_addresses_from_either_end() {
        let s = subnet("10.0.1.0/24");
        let mut book = AddressBook::default();
        assert_eq!(book.assign(&s, None, Pick::Lowest, "i-1").unwrap().to_string(), "10.0.1.4");
        assert_eq!(book.assign(&s, None, Pick::Lowest, "i-2").unwrap().to_string(), "10.0.1.5");
        assert_eq!(book.assign(&s, None, Pick::Highest, "eni-1").unwrap().to_string(), "10.0.1.254");
        assert_eq!(book.holder("10.0.1.5".parse().unwrap()), Some("i-2"));
    }

    #[test]
    fn chosen_addresses_are_checked() {
        let s = subnet("10.0.1.0/24");
        let mut book = AddressBook::default();
        book.assign(&s, Some("10.0.1.10".parse().unwrap()), Pick::Lowest, "i-1").unwrap();
        let e = book.assign(&s, Some("10.0.1.10".parse().unwrap()), Pick::Lowest, "eni-1").unwrap_err();
        assert_eq!(e.code, codes::INVALID_IP_ADDRESS_IN_USE);
        assert!(e.message.contains("10.0.1.10") && e.message.contains("i-1"), "{}", e.message);
        for bad in ["10.0.1.0", "10.0.1.3", "10.0.1.255", "10.0.2.9"] {
            let e = book.assign(&s, Some(bad.parse().unwrap()), Pick::Lowest, "x").unwrap_err();
            assert_eq!(e.code, codes::INVALID_PARAMETER_VALUE, "{bad}");
            assert!(e.message.contains(bad) && e.message.contains("10.0.1.4-10.0.1.254"), "{}", e.message);
        }
    }

    #[test]
    fn a_full_subnet_says_so() {
        let s = subnet("10.0.1.0/28");
        let mut book = AddressBook::default();
        for n in 0..11 {
            book.assign(&s, None, Pick::Highest, &format!("eni-{n}")).unwrap();
        }
        let e = book.assign(&s, None, Pick::Lowest, "i-1").unwrap_err();
        assert_eq!(e.code, codes::INSUFFICIENT_FREE_ADDRESSES);
        assert!(e.message.contains("10.0.1.0/28"));
    }
}
