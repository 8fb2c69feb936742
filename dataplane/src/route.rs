//! Per-route-table longest-prefix match over local, blackhole and prefix-list routes.
//!
//! A [`RouteTable`] is immutable once built (it lives inside a `Fib` snapshot). Prefix-list
//! routes (gateway endpoints) are expanded at build time into one entry per CIDR of the
//! managed prefix list. Precedence: the most specific prefix wins; for the *same* prefix the
//! local route wins over anything else, as in AWS, and otherwise the first route inserted wins.

use ipnet::Ipv4Net;
use prefix_trie::PrefixMap;
use std::net::Ipv4Addr;

/// What a route sends traffic to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteTarget {
    /// The VPC's own CIDR: delivered inside the VPC (an instance or a fabric address).
    Local,
    /// Dropped on purpose.
    Blackhole,
    /// A gateway endpoint: forwarded unchanged into the AWS-service network.
    GatewayEndpoint {
        /// The `vpce-…` id, for traces.
        endpoint_id: String,
    },
}

/// One route table of a VPC.
#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    map: PrefixMap<Ipv4Net, RouteTarget>,
}

impl RouteTable {
    /// An empty table.
    pub fn new() -> Self {
        RouteTable::default()
    }

    /// Adds a route; see the module doc for tie-breaking on an identical prefix.
    pub fn insert(&mut self, prefix: Ipv4Net, target: RouteTarget) {
        let prefix = prefix.trunc();
        match self.map.get(&prefix) {
            Some(RouteTarget::Local) => {}
            Some(_) if target != RouteTarget::Local => {}
            _ => {
                self.map.insert(prefix, target);
            }
        }
    }

    /// Longest-prefix match for `dst`.
    #[inline]
    pub fn lookup(&self, dst: Ipv4Addr) -> Option<(Ipv4Net, &RouteTarget)> {
        self.map.get_lpm(&Ipv4Net::from(dst))
    }

    /// Number of prefixes in the table.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if the table has no route at all.
    pub fn is_empty(&self) -> bool {
        self.map.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn gw(id: &str) -> RouteTarget {
        RouteTarget::GatewayEndpoint { endpoint_id: id.into() }
    }

    #[test]
    fn most_specific_route_wins() {
        let mut t = RouteTable::new();
        t.insert(net("10.0.0.0/16"), RouteTarget::Local);
        t.insert(net("198.51.100.0/24"), gw("vpce-1"));
        t.insert(net("198.51.100.128/25"), RouteTarget::Blackhole);
        let at = |s: &str| t.lookup(s.parse().unwrap()).map(|(p, r)| (p, r.clone()));
        assert_eq!(at("10.0.9.9"), Some((net("10.0.0.0/16"), RouteTarget::Local)));
        assert_eq!(at("198.51.100.10"), Some((net("198.51.100.0/24"), gw("vpce-1"))));
        assert_eq!(at("198.51.100.200"), Some((net("198.51.100.128/25"), RouteTarget::Blackhole)));
        assert_eq!(at("192.0.2.1"), None);
    }

    #[test]
    fn local_wins_a_tie_and_first_route_is_kept() {
        let mut t = RouteTable::new();
        t.insert(net("198.51.100.0/24"), gw("vpce-1"));
        t.insert(net("198.51.100.0/24"), gw("vpce-2"));
        assert_eq!(t.lookup("198.51.100.1".parse().unwrap()).unwrap().1, &gw("vpce-1"));
        t.insert(net("198.51.100.0/24"), RouteTarget::Local);
        t.insert(net("198.51.100.0/24"), RouteTarget::Blackhole);
        assert_eq!(t.lookup("198.51.100.1".parse().unwrap()).unwrap().1, &RouteTarget::Local);
        assert_eq!(t.len(), 1);
    }
}
