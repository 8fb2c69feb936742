//! AWS-shaped identifiers.
//!
//! EC2 IDs are a kind prefix plus 17 lowercase hex digits (`vpc-0a1b2c3d4e5f60718`); ELBv2
//! resources are named by ARNs (`arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<16 hex>`).
//! Random IDs come from `fastrand` and are checked against the IDs already taken, so a new ID
//! is unique within the [`crate::State`] it is generated for. Managed prefix lists get IDs
//! derived from their name, so every privlink installation agrees on them.

/// The kinds of EC2 identifiers privlink hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Vpc,
    Subnet,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Instance,
    Eni,
    VpcEndpoint,
    EndpointService,
    PrefixList,
}

impl IdKind {
    /// The prefix including its dash, e.g. `"vpce-svc-"`.
    pub const fn prefix(self) -> &'static str {
        match self {
            IdKind::Vpc => "vpc-",
            IdKind::Subnet => "subnet-",
            IdKind::RouteTable => "rtb-",
            IdKind::RouteTableAssociation => "rtbassoc-",
            IdKind::SecurityGroup => "sg-",
            IdKind::SecurityGroupRule => "sgr-",
            IdKind::Instance => "i-",
            IdKind::Eni => "eni-",
            IdKind::VpcEndpoint => "vpce-",
            IdKind::EndpointService => "vpce-svc-",
            IdKind::PrefixList => "pl-",
        }
    }
}

/// Number of hex digits after the prefix of an EC2 ID.
pub const ID_HEX_DIGITS: usize = 17;

/// `n` random lowercase hex digits.
pub fn random_hex(n: usize) -> String {
    (0..n).map(|_| char::from_digit(fastrand::u32(0..16), 16).expect("digit < 16")).collect()
}

/// A new random ID of `kind` for which `taken` is false.
pub fn generate(kind: IdKind, taken: impl Fn(&str) -> bool) -> String {
    loop {
        let id = format!("{}{}", kind.prefix(), random_hex(ID_HEX_DIGITS));
        if !taken(&id) {
            return id;
        }
    }
}

/// True if `s` is shaped like an ID of `kind` (prefix + 17 lowercase hex digits).
#[cfg(test)]
pub fn is_shaped(kind: IdKind, s: &str) -> bool {
    s.strip_prefix(kind.prefix()).is_some_and(|hex| {
        hex.len() == ID_HEX_DIGITS && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A deterministic ID of `kind` derived from `seed` (FNV-1a, two rounds for 17 digits).
pub fn derived(kind: IdKind, seed: &str) -> String {
    let fnv =
        |basis: u64| seed.bytes().fold(basis, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    let hex = format!("{:016x}{:016x}", fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    format!("{}{}", kind.prefix(), &hex[..ID_HEX_DIGITS])
}

/// An ELBv2 ARN `arn:aws:elasticloadbalancing:<region>:<account>:<resource>`.
fn elb_arn(region: &str, account: &str, resource: &str) -> String {
    format!("arn:aws:elasticloadbalancing:{region}:{account}:{resource}")
}

/// A new network load balancer ARN (`…:loadbalancer/net/<name>/<16 hex>`).
pub fn load_balancer_arn(region: &str, account: &str, name: &str) -> String {
    elb_arn(region, account, &format!("loadbalancer/net/{name}/{}", random_hex(16)))
}

/// A new target group ARN (`…:targetgroup/<name>/<16 hex>`).
pub fn target_group_arn(region: &str, account: &str, name: &str) -> String {
    elb_arn(region, account, &format!("targetgroup/{name}/{}", random_hex(16)))
}

/// A new listener ARN of the load balancer `lb_arn` (`…:listener/net/<lb name>/<lb hex>/<16 hex>`).
pub fn listener_arn(lb_arn: &str) -> String {
    format!("{}/{}", lb_arn.replacen(":loadbalancer/", ":listener/", 1), random_hex(16))
}

/// The last path segment of an ELBv2 ARN (the 16 hex digits of a load balancer).
pub fn arn_suffix(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_the_aws_shape_and_avoid_taken_ones() {
        for kind in [IdKind::Vpc, IdKind::EndpointService, IdKind::Instance] {
            let id = generate(kind, |_| false);
            assert!(is_shaped(kind, &id), "{id}");
        }
        let first = std::cell::Cell::new(true);
        let id = generate(IdKind::Eni, |_| first.replace(false));
        assert!(is_shaped(IdKind::Eni, &id));
    }

    #[test]
    fn shape_check_rejects_wrong_prefix_length_and_case() {
        assert!(!is_shaped(IdKind::Vpc, "subnet-0123456789abcdef0"));
        assert!(!is_shaped(IdKind::Vpc, "vpc-0123"));
        assert!(!is_shaped(IdKind::Vpc, "vpc-0123456789ABCDEF0"));
        assert!(is_shaped(IdKind::Vpc, "vpc-0123456789abcdef0"));
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let s3 = derived(IdKind::PrefixList, "com.amazonaws.us-east-1.s3");
        assert_eq!(s3, derived(IdKind::PrefixList, "com.amazonaws.us-east-1.s3"));
        assert_ne!(s3, derived(IdKind::PrefixList, "com.amazonaws.us-east-1.dynamodb"));
        assert!(is_shaped(IdKind::PrefixList, &s3), "{s3}");
    }

    #[test]
    fn arns_follow_elbv2() {
        let lb = load_balancer_arn("us-east-1", "111111111111", "web");
        assert!(lb.starts_with("arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/web/"));
        assert_eq!(arn_suffix(&lb).len(), 16);
        let l = listener_arn(&lb);
        assert!(l.starts_with("arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/net/web/"));
        assert_eq!(l.matches('/').count(), 4, "{l}");
        let tg = target_group_arn("us-east-1", "111111111111", "tg");
        assert!(tg.contains(":targetgroup/tg/"));
    }
}
