//! Errors of the control plane.
//!
//! - [`ApiError`] is what an API call answers when it fails: an AWS error code ([`codes`]) and a
//!   message that names the offending value and says what would be accepted. On the wire it is
//!   `{"Error":{"Code":"…","Message":"…"}}`.
//! - [`Error`] is the crate's setup / I/O error (opening the state store, binding the socket,
//!   restoring the stored state at start). Every variant names the path involved.

use std::borrow::Cow;
use std::io;
use std::path::PathBuf;

use serde_json::{Value, json};

/// AWS error codes used by the API (EC2 and ELBv2 names).
pub mod codes {
    pub const INVALID_ACTION: &str = "InvalidAction";
    pub const MALFORMED_QUERY_STRING: &str = "MalformedQueryString";
    pub const REQUEST_TOO_LARGE: &str = "RequestEntityTooLarge";
    pub const UNKNOWN_PARAMETER: &str = "UnknownParameter";
    pub const MISSING_PARAMETER: &str = "MissingParameter";
    pub const INVALID_PARAMETER_VALUE: &str = "InvalidParameterValue";
    pub const INVALID_PARAMETER: &str = "InvalidParameter";
    pub const INVALID_PARAMETER_COMBINATION: &str = "InvalidParameterCombination";
    pub const INTERNAL_ERROR: &str = "InternalError";
    /// EC2 `DryRun=true` on a request that would have succeeded.
    pub const DRY_RUN_OPERATION: &str = "DryRunOperation";
    pub const IDEMPOTENT_PARAMETER_MISMATCH: &str = "IdempotentParameterMismatch";
    pub const INVALID_NEXT_TOKEN: &str = "InvalidNextToken";
    pub const INVALID_ID: &str = "InvalidID";
    pub const TAG_LIMIT_EXCEEDED: &str = "TagLimitExceeded";
    pub const TOO_MANY_TAGS: &str = "TooManyTags";
    pub const DUPLICATE_TAG_KEYS: &str = "DuplicateTagKeys";
    pub const INVALID_NETWORK_ACL_ID_NOT_FOUND: &str = "InvalidNetworkAclID.NotFound";
    /// Not sent by the daemon: the client could not reach it or lost the connection.
    pub const SERVICE_UNAVAILABLE: &str = "ServiceUnavailable";

    pub const DEPENDENCY_VIOLATION: &str = "DependencyViolation";
    pub const CANNOT_DELETE: &str = "CannotDelete";
    pub const INCORRECT_STATE: &str = "IncorrectState";

    pub const INVALID_VPC_RANGE: &str = "InvalidVpc.Range";
    pub const INVALID_VPC_ID_NOT_FOUND: &str = "InvalidVpcID.NotFound";
    pub const INVALID_SUBNET_ID_NOT_FOUND: &str = "InvalidSubnetID.NotFound";
    pub const INVALID_SUBNET_CONFLICT: &str = "InvalidSubnet.Conflict";
    pub const INVALID_SUBNET_RANGE: &str = "InvalidSubnet.Range";
    pub const INVALID_ROUTE_TABLE_ID_NOT_FOUND: &str = "InvalidRouteTableID.NotFound";
    pub const INVALID_ASSOCIATION_ID_NOT_FOUND: &str = "InvalidAssociationID.NotFound";
    pub const INVALID_ROUTE_NOT_FOUND: &str = "InvalidRoute.NotFound";
    pub const ROUTE_ALREADY_EXISTS: &str = "RouteAlreadyExists";
    pub const INVALID_GROUP_NOT_FOUND: &str = "InvalidGroup.NotFound";
    pub const INVALID_GROUP_ID_MALFORMED: &str = "InvalidGroupId.Malformed";
    pub const INVALID_GROUP_DUPLICATE: &str = "InvalidGroup.Duplicate";
    pub const INVALID_PERMISSION_DUPLICATE: &str = "InvalidPermission.Duplicate";
    pub const INVALID_PERMISSION_NOT_FOUND: &str = "InvalidPermission.NotFound";
    pub const INVALID_INSTANCE_ID_NOT_FOUND: &str = "InvalidInstanceID.NotFound";
    pub const INVALID_INSTANCE_TYPE: &str = "InvalidInstanceType";
    pub const INCORRECT_INSTANCE_STATE: &str = "IncorrectInstanceState";
    pub const UNSUPPORTED_OPERATION: &str = "UnsupportedOperation";
    pub const INVALID_AMI_ID_MALFORMED: &str = "InvalidAMIID.Malformed";
    pub const INVALID_VOLUME_NOT_FOUND: &str = "InvalidVolume.NotFound";
    pub const INVALID_NETWORK_INTERFACE_ID_NOT_FOUND: &str = "InvalidNetworkInterfaceID.NotFound";
    pub const INVALID_SECURITY_GROUP_RULE_ID_NOT_FOUND: &str = "InvalidSecurityGroupRuleId.NotFound";
    pub const INVALID_IP_ADDRESS_IN_USE: &str = "InvalidIPAddress.InUse";
    pub const INSUFFICIENT_FREE_ADDRESSES: &str = "InsufficientFreeAddressesInSubnet";
    pub const INVALID_PREFIX_LIST_ID_NOT_FOUND: &str = "InvalidPrefixListID.NotFound";

    /// ELBv2's code for a request that fails its input validation.
    pub const VALIDATION_ERROR: &str = "ValidationError";
    pub const LOAD_BALANCER_NOT_FOUND: &str = "LoadBalancerNotFound";
    pub const TARGET_GROUP_NOT_FOUND: &str = "TargetGroupNotFound";
    pub const LISTENER_NOT_FOUND: &str = "ListenerNotFound";
    pub const DUPLICATE_LOAD_BALANCER_NAME: &str = "DuplicateLoadBalancerName";
    pub const DUPLICATE_TARGET_GROUP_NAME: &str = "DuplicateTargetGroupName";
    pub const DUPLICATE_LISTENER: &str = "DuplicateListener";
    pub const INVALID_CONFIGURATION_REQUEST: &str = "InvalidConfigurationRequest";
    pub const INCOMPATIBLE_PROTOCOLS: &str = "IncompatibleProtocols";
    pub const TARGET_GROUP_ASSOCIATION_LIMIT: &str = "TargetGroupAssociationLimit";
    pub const INVALID_TARGET: &str = "InvalidTarget";
    pub const TOO_MANY_TARGETS: &str = "TooManyTargets";
    pub const VPC_LIMIT_EXCEEDED: &str = "VpcLimitExceeded";
    pub const RESOURCE_IN_USE: &str = "ResourceInUse";
    pub const OPERATION_NOT_PERMITTED: &str = "OperationNotPermitted";

    pub const INVALID_SERVICE_NAME: &str = "InvalidServiceName";
    pub const INVALID_ENDPOINT_SERVICE_ID_NOT_FOUND: &str = "InvalidVpcEndpointServiceId.NotFound";
    /// What DeleteVpcEndpointServiceConfigurations reports for an unknown service ID.
    pub const INVALID_ENDPOINT_SERVICE_NOT_FOUND: &str = "InvalidVpcEndpointService.NotFound";
    pub const INVALID_VPC_ENDPOINT_ID_NOT_FOUND: &str = "InvalidVpcEndpointId.NotFound";
    pub const DUPLICATE_SUBNETS_IN_SAME_ZONE: &str = "DuplicateSubnetsInSameZone";
    pub const EXISTING_VPC_ENDPOINT_CONNECTIONS: &str = "ExistingVpcEndpointConnections";
}

/// A failed API call: AWS error code + a message naming the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: Cow<'static, str>,
    pub message: String,
}

impl ApiError {
    pub fn new(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        ApiError { code: code.into(), message: message.into() }
    }

    /// `InvalidParameterValue` with the given message.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(codes::INVALID_PARAMETER_VALUE, message)
    }

    /// `MissingParameter` for a required request parameter.
    pub fn missing(param: &str) -> Self {
        ApiError::new(codes::MISSING_PARAMETER, format!("The request must contain the parameter {param}"))
    }

    /// `DependencyViolation`: `what` cannot be deleted while `dependents` exist.
    pub fn dependency(what: &str, dependents: &[String]) -> Self {
        ApiError::new(
            codes::DEPENDENCY_VIOLATION,
            format!(
                "{what} has dependencies and cannot be deleted: {}; delete those first",
                dependents.join(", ")
            ),
        )
    }

    /// `InternalError`: something outside the request went wrong (storage, data plane).
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(codes::INTERNAL_ERROR, message)
    }

    /// The wire form `{"Error":{"Code":…,"Message":…}}`.
    pub fn to_json(&self) -> Value {
        json!({"Error": {"Code": self.code, "Message": self.message}})
    }

    /// Reads the wire form back; `None` if `v` is not an error response.
    pub fn from_json(v: &Value) -> Option<ApiError> {
        let e = v.get("Error")?;
        let code = e.get("Code")?.as_str()?.to_owned();
        let message = e.get("Message").and_then(Value::as_str).unwrap_or("");
        Some(ApiError::new(code, message))
    }
}

/// Setup and I/O errors (not API answers).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot {op} {}: {source}", path.display())]
    Io { op: &'static str, path: PathBuf, source: io::Error },
    #[error(
        "state file {} is corrupt ({source}); move it away to start with an empty state, or restore a backup",
        path.display()
    )]
    CorruptState { path: PathBuf, source: serde_json::Error },
    #[error(
        "credentials file {} is corrupt ({source}); move it away to have new keys made (clients need them again)",
        path.display()
    )]
    CorruptCredentials { path: PathBuf, source: serde_json::Error },
    #[error("state file {} has Version {found}; this privlink reads Version {expected}", path.display())]
    StateVersion { path: PathBuf, found: u64, expected: u32 },
    #[error("another privlinkd is already serving {}; stop it or choose another --socket", path.display())]
    SocketInUse { path: PathBuf },
    #[error("the data plane could not restore the stored state: {0}")]
    Restore(ApiError),
}

impl Error {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { op, path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_roundtrips() {
        let e = ApiError::new(codes::INVALID_VPC_ID_NOT_FOUND, "The vpc ID 'vpc-1' does not exist");
        let v = e.to_json();
        assert_eq!(v["Error"]["Code"], "InvalidVpcID.NotFound");
        assert_eq!(ApiError::from_json(&v), Some(e));
        assert_eq!(ApiError::from_json(&json!({"Vpc": {}})), None);
    }

    #[test]
    fn dependency_names_every_dependent() {
        let e = ApiError::dependency("vpc-1", &["subnet-a".into(), "sg-b".into()]);
        assert_eq!(e.code, codes::DEPENDENCY_VIOLATION);
        assert!(e.message.contains("subnet-a, sg-b"), "{}", e.message);
    }
}
