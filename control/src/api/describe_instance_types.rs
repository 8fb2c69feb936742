//! `DescribeInstanceTypes {InstanceTypes[]?, Filters[]?, MaxResults?, NextToken?}` →
//! `{"InstanceTypes":[InstanceTypeInfo]}`.
//!
//! privlink runs no machines: the types of [`INSTANCE_TYPES`] are names that RunInstances
//! accepts and records, described with AWS's figures so clients that size or classify
//! instances (burstable or not) get real answers. A type not in the table is
//! `InvalidInstanceType`. Filters: `instance-type`, `burstable-performance-supported`,
//! `current-generation`, `processor-info.supported-architecture`.

use serde_json::{Value, json};

use super::describe::{Listing, ec2_paging};
use super::request::{Params, Request};
use crate::error::ApiError;
use crate::model::{INSTANCE_TYPES, InstanceType, State};

fn info(t: &InstanceType) -> Value {
    json!({
        "InstanceType": t.name, "CurrentGeneration": true, "FreeTierEligible": t.name == "t2.micro" || t.name == "t3.micro",
        "SupportedUsageClasses": ["on-demand", "spot"], "SupportedRootDeviceTypes": ["ebs"],
        "SupportedVirtualizationTypes": ["hvm"], "BareMetal": false, "Hypervisor": "nitro",
        "ProcessorInfo": {"SupportedArchitectures": [t.arch]},
        "VCpuInfo": {"DefaultVCpus": t.vcpus, "DefaultCores": t.vcpus.div_ceil(2), "DefaultThreadsPerCore": if t.vcpus > 1 { 2 } else { 1 }},
        "MemoryInfo": {"SizeInMiB": t.memory_mib}, "InstanceStorageSupported": false,
        "EbsInfo": {"EbsOptimizedSupport": if t.burstable { "supported" } else { "default" }, "EncryptionSupport": "supported", "NvmeSupport": "required"},
        "NetworkInfo": {"NetworkPerformance": "Up to 5 Gigabit", "MaximumNetworkInterfaces": 2, "Ipv4AddressesPerInterface": 4,
                        "Ipv6Supported": false, "EnaSupport": "required"},
        "PlacementGroupInfo": {"SupportedStrategies": ["partition", "spread"]},
        "HibernationSupported": false, "BurstablePerformanceSupported": t.burstable,
        "DedicatedHostsSupported": false, "AutoRecoverySupported": true, "SupportedBootModes": ["legacy-bios", "uefi"],
    })
}

pub const LISTING: Listing = Listing {
    member: "InstanceTypes",
    key: &["InstanceType"],
    filters: &[
        ("instance-type", "InstanceType"),
        ("burstable-performance-supported", "BurstablePerformanceSupported"),
        ("current-generation", "CurrentGeneration"),
        ("processor-info.supported-architecture", "ProcessorInfo.SupportedArchitectures"),
    ],
    tags: None,
    paging: Some(ec2_paging(5..=100)),
};

pub fn run(_state: &State, req: &Request) -> Result<Value, ApiError> {
    let wanted = req.list("InstanceTypes")?;
    req.bool_opt("IncludeUnsupportedInRegion")?;
    let items = if wanted.is_empty() {
        INSTANCE_TYPES.iter().map(info).collect()
    } else {
        wanted.iter().map(|n| InstanceType::named(n).map(info)).collect::<Result<Vec<_>, _>>()?
    };
    LISTING.answer(req, items)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::api::testkit::*;
    use crate::error::codes;
    use crate::model::State;

    #[test]
    fn describes_known_types_only() {
        let mut s = State::new();
        let v =
            ok(&mut s, json!({"Action": "DescribeInstanceTypes", "InstanceTypes": ["t3.micro", "m5.large"]}));
        let types = v["InstanceTypes"].as_array().unwrap();
        assert_eq!(types.len(), 2);
        assert_eq!(types[1]["InstanceType"], "t3.micro");
        assert_eq!(types[1]["BurstablePerformanceSupported"], true);
        assert_eq!(types[0]["VCpuInfo"]["DefaultVCpus"], 2);
        let arm = ok(
            &mut s,
            json!({"Action": "DescribeInstanceTypes", "Filters": [{"Name": "processor-info.supported-architecture", "Values": ["arm64"]}]}),
        );
        assert_eq!(arm["InstanceTypes"].as_array().unwrap().len(), 3);
        let bad = json!({"Action": "DescribeInstanceTypes", "InstanceTypes": ["z9.huge"]});
        fails(&mut s, bad, codes::INVALID_INSTANCE_TYPE, "z9.huge");
    }
}
