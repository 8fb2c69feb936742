//! The instance type catalogue: the names RunInstances accepts and DescribeInstanceTypes
//! describes.
//!
//! privlink runs no machines, so a type is only a name with AWS's figures (vCPUs, memory,
//! burstable or not, architecture), for clients that size or classify instances. Contract: the
//! names in [`INSTANCE_TYPES`] are unique, and [`super::DEFAULT_INSTANCE_TYPE`] is one of them;
//! any other name is `InvalidInstanceType`.

use crate::error::{ApiError, codes};

/// One instance type: name, vCPUs, memory in MiB, burstable, architecture.
#[derive(Debug)]
pub struct InstanceType {
    pub name: &'static str,
    pub vcpus: u32,
    pub memory_mib: u32,
    pub burstable: bool,
    pub arch: &'static str,
}

const fn t(
    name: &'static str,
    vcpus: u32,
    memory_mib: u32,
    burstable: bool,
    arch: &'static str,
) -> InstanceType {
    InstanceType { name, vcpus, memory_mib, burstable, arch }
}

/// The instance types privlink knows.
pub const INSTANCE_TYPES: &[InstanceType] = &[
    t("t2.nano", 1, 512, true, "x86_64"),
    t("t2.micro", 1, 1024, true, "x86_64"),
    t("t2.small", 1, 2048, true, "x86_64"),
    t("t2.medium", 2, 4096, true, "x86_64"),
    t("t3.nano", 2, 512, true, "x86_64"),
    t("t3.micro", 2, 1024, true, "x86_64"),
    t("t3.small", 2, 2048, true, "x86_64"),
    t("t3.medium", 2, 4096, true, "x86_64"),
    t("t3a.micro", 2, 1024, true, "x86_64"),
    t("t4g.micro", 2, 1024, true, "arm64"),
    t("t4g.small", 2, 2048, true, "arm64"),
    t("m5.large", 2, 8192, false, "x86_64"),
    t("m6i.large", 2, 8192, false, "x86_64"),
    t("c5.large", 2, 4096, false, "x86_64"),
    t("c6g.large", 2, 4096, false, "arm64"),
];

impl InstanceType {
    /// The type named `name`, or `InvalidInstanceType` naming it and the known ones.
    pub fn named(name: &str) -> Result<&'static InstanceType, ApiError> {
        INSTANCE_TYPES.iter().find(|t| t.name == name).ok_or_else(|| {
            ApiError::new(
                codes::INVALID_INSTANCE_TYPE,
                format!(
                    "The instance type '{name}' does not exist in privlink; known types: {}",
                    INSTANCE_TYPES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_only_and_the_default_is_one() {
        assert!(InstanceType::named(super::super::DEFAULT_INSTANCE_TYPE).is_ok());
        assert!(InstanceType::named("t2.micro").unwrap().burstable);
        assert!(!InstanceType::named("m5.large").unwrap().burstable);
        let e = InstanceType::named("x1.huge").unwrap_err();
        assert_eq!(e.code, codes::INVALID_INSTANCE_TYPE);
        assert!(e.message.contains("'x1.huge'") && e.message.contains("t3.micro"), "{}", e.message);
        let mut names: Vec<_> = INSTANCE_TYPES.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), INSTANCE_TYPES.len());
    }
}
