//! What the pipeline decided about one packet, and the per-reason drop counters.
//!
//! [`DropReason`] is a small `Copy` enum: the hot path never logs; workers count drops per
//! reason in a [`Counters`] block they own and the daemon merges blocks on read. Adding a
//! reason means adding one line (doc, variant, name) to the `drop_reasons!` list below: the
//! enum, [`DropReason::ALL`], [`DropReason::name`] and the size of [`Counters::drops`] are all
//! generated from it. The tests check that every reason has a distinct, stable snake_case name
//! (the names are part of the `privlink stats` JSON).

use crate::packet::Parsed;

/// The pipeline's verdict on one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Write `len` bytes of the (rewritten) frame to the device of VPC `egress`.
    Forward {
        /// Fib index of the VPC whose device gets the frame.
        egress: u16,
        /// Frame length (virtio header included when the device uses one).
        len: usize,
    },
    /// A packet for the fabric itself: hand the `len` bytes to `service`.
    Local {
        /// Frame length.
        len: usize,
        /// Which of the fabric's own endpoints it is for.
        service: LocalService,
        /// What parsing found (the service reads the frame through it).
        packet: Parsed,
    },
    /// Drop, and count why.
    Drop(DropReason),
}

/// The fabric's own endpoints inside the VPCs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalService {
    /// A target's reply to an NLB health-check probe.
    HealthCheck,
    /// A query to the VPC resolver (VPC base + 2, UDP 53).
    Resolver,
}

impl LocalService {
    /// Stable snake_case name (traces).
    pub fn name(self) -> &'static str {
        match self {
            LocalService::HealthCheck => "health_check",
            LocalService::Resolver => "resolver",
        }
    }
}

macro_rules! drop_reasons {
    ($($(#[doc = $doc:literal])* $name:ident => $text:literal,)*) => {
        /// Why a packet was dropped. Every reason has its own counter.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum DropReason {
            $($(#[doc = $doc])* $name,)*
        }

        impl DropReason {
            /// Every reason, in counter order.
            pub const ALL: &'static [DropReason] = &[$(DropReason::$name,)*];

            /// Stable snake_case name used in stats output.
            pub fn name(self) -> &'static str {
                match self { $(DropReason::$name => $text,)* }
            }
        }
    };
}

drop_reasons! {
    /// Truncated or malformed IPv4/L4 header, bad IPv4 header checksum, bad virtio header.
    Malformed => "malformed",
    /// IPv6 is not forwarded yet.
    Ipv6 => "ipv6",
    /// Neither IPv4 nor IPv6 (including non-IP Ethernet frames of a veth device).
    NotIp => "not_ip",
    /// A frame longer than the receive buffer: the device could only hand over its head.
    Oversized => "oversized",
    /// IPv4 fragment (the fabric does not reassemble).
    Fragment => "fragment",
    /// An IP protocol other than TCP, UDP and ICMP.
    UnsupportedProtocol => "unsupported_protocol",
    /// ICMP that is not forwarded (echo to an ENI, echo to anything but a gateway service).
    Icmp => "icmp",
    /// The frame came from a device the Fib does not know.
    UnknownIngress => "unknown_ingress",
    /// Source address outside the ingress VPC's CIDR (anti-spoofing).
    SpoofedSource => "spoofed_source",
    /// No route for the destination.
    NoRoute => "no_route",
    /// A blackhole route matched.
    Blackhole => "blackhole",
    /// The local route matched but no fabric address (ENI) owns the destination.
    NoHost => "no_host",
    /// The interface endpoint's connection is `pendingAcceptance`.
    EndpointPendingAcceptance => "endpoint_pending_acceptance",
    /// The interface endpoint's connection was rejected.
    EndpointRejected => "endpoint_rejected",
    /// The interface endpoint is in another non-available state (deleting, failed, …).
    EndpointNotAvailable => "endpoint_not_available",
    /// No NLB listener on the destination protocol/port.
    NoListener => "no_listener",
    /// The ENI's security groups do not allow the flow.
    SecurityGroupDenied => "security_group_denied",
    /// The NLB has no node in the ENI's zone or no target to send to.
    NoTarget => "no_target",
    /// The SNAT port pool for the target is exhausted.
    NatExhausted => "nat_exhausted",
    /// The flow table is at its configured maximum.
    FlowTableFull => "flow_table_full",
    /// A TCP segment without SYN that matches no flow.
    TcpNoFlow => "tcp_no_flow",
    /// The provider side tried to open a connection (to an NLB node address).
    ProviderInitiated => "provider_initiated",
    /// A packet from the AWS-service network that matches no flow.
    UnsolicitedFromService => "unsolicited_from_service",
    /// A gateway-endpoint flow whose reply tuple is already used by another VPC's flow.
    GatewayTupleCollision => "gateway_tuple_collision",
}

/// Per-reason drop counters plus forwarding counters, owned by one worker.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    /// Packets forwarded.
    pub forwarded: u64,
    /// Bytes forwarded (frame lengths).
    pub forwarded_bytes: u64,
    /// Replies to health-check probes.
    pub health_replies: u64,
    /// Queries to the VPC resolvers.
    pub dns_queries: u64,
    /// Frames that could not be read from a device (other than "queue empty").
    pub rx_errors: u64,
    /// Forwarded frames the egress device refused (or whose device was gone).
    pub tx_errors: u64,
    /// Drops, indexed by `DropReason as usize`.
    pub drops: [u64; DropReason::ALL.len()],
}

impl Counters {
    /// Counts one verdict.
    #[inline]
    pub fn count(&mut self, v: Verdict) {
        match v {
            Verdict::Forward { len, .. } => {
                self.forwarded += 1;
                self.forwarded_bytes += len as u64;
            }
            Verdict::Local { service: LocalService::HealthCheck, .. } => self.health_replies += 1,
            Verdict::Local { service: LocalService::Resolver, .. } => self.dns_queries += 1,
            Verdict::Drop(r) => self.drops[r as usize] += 1,
        }
    }

    /// Adds `other` into `self` (merging per-worker blocks on read).
    pub fn merge(&mut self, other: &Counters) {
        self.forwarded += other.forwarded;
        self.forwarded_bytes += other.forwarded_bytes;
        self.health_replies += other.health_replies;
        self.dns_queries += other.dns_queries;
        self.rx_errors += other.rx_errors;
        self.tx_errors += other.tx_errors;
        for (a, b) in self.drops.iter_mut().zip(other.drops.iter()) {
            *a += b;
        }
    }

    /// Drops counted for `reason`.
    pub fn dropped(&self, reason: DropReason) -> u64 {
        self.drops[reason as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn reasons_have_distinct_names_and_dense_indices() {
        let names: HashSet<_> = DropReason::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(names.len(), DropReason::ALL.len());
        for (i, r) in DropReason::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
        }
    }

    #[test]
    fn counters_count_and_merge() {
        let mut a = Counters::default();
        a.count(Verdict::Forward { egress: 1, len: 100 });
        a.count(Verdict::Drop(DropReason::NoRoute));
        let mut b = Counters::default();
        b.merge(&a);
        b.merge(&a);
        assert_eq!((b.forwarded, b.forwarded_bytes), (2, 200));
        assert_eq!(b.dropped(DropReason::NoRoute), 2);
        assert_eq!(b.dropped(DropReason::Blackhole), 0);
    }
}
