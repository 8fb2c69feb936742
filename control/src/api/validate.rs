//! Validation rules shared by several operations. Each returns an [`ApiError`] naming the bad
//! value and what would be accepted.

use ipnet::Ipv4Net;

use super::request::Params;
use crate::error::{ApiError, codes};
use crate::model::{ElbProtocol, SHUTDOWN_BEHAVIORS, SgProtocol, State, is_ami_id};

/// VPC and subnet prefix lengths allowed by AWS.
pub const PREFIX_LENGTHS: std::ops::RangeInclusive<u8> = 16..=28;

/// Checks a VPC or subnet CIDR's prefix length; `code` is the kind's `.Range` error.
pub fn prefix_length(cidr: Ipv4Net, code: &'static str) -> Result<(), ApiError> {
    if PREFIX_LENGTHS.contains(&cidr.prefix_len()) {
        return Ok(());
    }
    Err(ApiError::new(
        code,
        format!(
            "The CIDR '{cidr}' is invalid: the prefix length must be from /{} to /{}",
            PREFIX_LENGTHS.start(),
            PREFIX_LENGTHS.end()
        ),
    ))
}

/// The availability zones of `region`: `<region>a` … `<region>f`.
pub fn availability_zones(region: &str) -> Vec<String> {
    ('a'..='f').map(|l| format!("{region}{l}")).collect()
}

/// The zone ID of availability zone `az` of `region`: `<region code>-az<n>` (`us-east-1a` →
/// `use1-az1`). AWS shuffles names and IDs per account; privlink maps them in order.
pub fn zone_id(region: &str, az: &str) -> String {
    let n = az.strip_prefix(region).and_then(|l| l.chars().next()).map_or(0, |l| l as u32 - 'a' as u32 + 1);
    format!("{}-az{n}", region_code(region))
}

/// AWS's short region code: `us-east-1` → `use1`, `ap-northeast-1` → `apne1`.
fn region_code(region: &str) -> String {
    let mut parts = region.split('-');
    let (geo, dir, num) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let dir_code: String = match dir.strip_prefix("north").or_else(|| dir.strip_prefix("south")) {
        Some(rest) => dir.chars().take(1).chain(rest.chars().take(1)).collect(),
        None => dir.chars().take(1).collect(),
    };
    format!("{geo}{dir_code}{num}")
}

/// Checks an availability zone name against the state's region.
pub fn availability_zone(state: &State, az: &str) -> Result<(), ApiError> {
    let zones = availability_zones(&state.region);
    if zones.iter().any(|z| z == az) {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "Value ({az}) for parameter AvailabilityZone is invalid: subnets can only be created in {}",
        zones.join(", ")
    )))
}

/// The optional `Name` parameter (our stand-in for the Name tag): 1..=255 characters.
pub fn name_tag(p: &impl Params) -> Result<Option<String>, ApiError> {
    let Some(name) = p.str_opt("Name")? else { return Ok(None) };
    if name.chars().count() > 255 {
        return Err(ApiError::invalid(format!("Name '{name}' is too long: at most 255 characters")));
    }
    Ok(Some(name.to_owned()))
}

/// An ELBv2 resource name: 1..=32 letters, digits and hyphens, no hyphen at either end;
/// otherwise `ValidationError` in AWS's words, `kind` being how AWS names the resource
/// (`Target group`, `Load balancer`).
pub fn elb_name(p: &impl Params, kind: &str) -> Result<String, ApiError> {
    let name = p.str("Name")?;
    let why = if name.chars().count() > 32 {
        "cannot be longer than '32' characters"
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        "can only contain characters that are alphanumeric characters or hyphens(-)"
    } else if name.starts_with('-') || name.ends_with('-') {
        "cannot begin or end with '-'"
    } else {
        return Ok(name.to_owned());
    };
    Err(ApiError::new(codes::VALIDATION_ERROR, format!("{kind} name '{name}' {why}")))
}

/// A network namespace name: 1..=32 of `[A-Za-z0-9_.-]`, not `.` or `..`.
pub fn netns_name(name: &str) -> Result<(), ApiError> {
    let ok = (1..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        && name != "."
        && name != "..";
    if ok {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "The network namespace name '{name}' is invalid: use 1 to 32 letters, digits, '_', '.' or '-' (choose one with Netns)"
    )))
}

/// `TCP`, `UDP` or `TCP_UDP` (case-insensitive).
pub fn elb_protocol(p: &impl Params, key: &str) -> Result<ElbProtocol, ApiError> {
    let s = p.str(key)?;
    match s.to_ascii_uppercase().as_str() {
        "TCP" => Ok(ElbProtocol::Tcp),
        "UDP" => Ok(ElbProtocol::Udp),
        "TCP_UDP" => Ok(ElbProtocol::TcpUdp),
        _ => Err(p.bad(key, &s.into(), "a network load balancer supports TCP, UDP or TCP_UDP")),
    }
}

/// `tcp`/`6`, `udp`/`17`, `icmp`/`1`, `-1`/`all`.
pub fn sg_protocol(p: &impl Params, key: &str) -> Result<SgProtocol, ApiError> {
    let s = p.str(key)?;
    match s.to_ascii_lowercase().as_str() {
        "tcp" | "6" => Ok(SgProtocol::Tcp),
        "udp" | "17" => Ok(SgProtocol::Udp),
        "icmp" | "1" => Ok(SgProtocol::Icmp),
        "-1" | "all" => Ok(SgProtocol::All),
        _ => Err(p.bad(key, &s.into(), "expected tcp, udp, icmp or -1 (all)")),
    }
}

/// An allowed principal: `*` or an IAM ARN `arn:aws:iam::<12 digits>:root|user/…|role/…`.
pub fn principal(p: &str) -> Result<(), ApiError> {
    let ok = p == "*"
        || p.strip_prefix("arn:aws:iam::").is_some_and(|rest| {
            let (account, resource) = rest.split_once(':').unwrap_or(("", ""));
            account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && (resource == "root" || resource.starts_with("user/") || resource.starts_with("role/"))
        });
    if ok {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "The principal '{p}' is invalid: expected '*' or an IAM ARN such as arn:aws:iam::222222222222:root"
    )))
}

/// The same-VPC rule: `what` (an ID) must belong to `vpc_id`.
pub fn same_vpc(what: &str, its_vpc: &str, vpc_id: &str) -> Result<(), ApiError> {
    if its_vpc == vpc_id {
        return Ok(());
    }
    Err(ApiError::invalid(format!("{what} belongs to {its_vpc}, not to {vpc_id}")))
}

/// Checks that `id` (parameter `key`) is shaped like an AMI ID ([`is_ami_id`]).
pub fn ami_id(p: &impl Params, key: &str, id: &str) -> Result<String, ApiError> {
    if is_ami_id(id) {
        return Ok(id.to_owned());
    }
    Err(ApiError::new(
        codes::INVALID_AMI_ID_MALFORMED,
        format!("Invalid id: \"{id}\" ({}: expected ami- and 8 or 17 hex digits)", p.label(key)),
    ))
}

/// `value` of parameter `key` if it is one of [`SHUTDOWN_BEHAVIORS`] (`stop` or `terminate`).
pub fn shutdown_behavior(p: &impl Params, key: &str, value: &str) -> Result<String, ApiError> {
    if SHUTDOWN_BEHAVIORS.contains(&value) {
        return Ok(value.to_owned());
    }
    Err(p.bad(key, &value.into(), "expected stop or terminate"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals() {
        assert!(principal("*").is_ok());
        assert!(principal("arn:aws:iam::222222222222:root").is_ok());
        assert!(principal("arn:aws:iam::222222222222:role/app").is_ok());
        let e = principal("222222222222").unwrap_err();
        assert!(e.message.contains("'222222222222'"));
        assert!(principal("arn:aws:iam::2222:root").is_err());
    }

    #[test]
    fn netns_names() {
        assert!(netns_name("pl-consumer-a").is_ok());
        assert!(netns_name("..").is_err());
        let e = netns_name("has space").unwrap_err();
        assert!(e.message.contains("'has space'"));
        assert!(netns_name(&"x".repeat(33)).is_err());
    }

    #[test]
    fn zones_follow_the_region() {
        let s = State::new();
        assert!(availability_zone(&s, "us-east-1a").is_ok());
        let e = availability_zone(&s, "eu-west-1a").unwrap_err();
        assert!(e.message.contains("eu-west-1a") && e.message.contains("us-east-1f"));
    }

    #[test]
    fn zone_ids_follow_aws_region_codes() {
        assert_eq!(zone_id("us-east-1", "us-east-1a"), "use1-az1");
        assert_eq!(zone_id("us-east-1", "us-east-1f"), "use1-az6");
        assert_eq!(zone_id("ap-northeast-1", "ap-northeast-1c"), "apne1-az3");
        assert_eq!(zone_id("eu-central-1", "eu-central-1b"), "euc1-az2");
    }
}
