//! The three services' wire models: botocore's service models trimmed by
//! `scripts/aws-models.py` to the operations the front serves (`models/*.json`, compiled in).
//!
//! Invariants: every shape a served operation reaches is in [`Service::shapes`] (the script
//! keeps the closure; the unit test `every_referenced_shape_is_present` checks it), and the models are parsed once, on first use. The
//! decoder and encoder take every wire name from here, never from a hand-written table.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

/// The serialisation family of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// EC2 Query: lists are always `Name.N`, wire names from `queryName`/`locationName`,
    /// responses `<OpResponse>` with `<item>` lists, errors `<Response><Errors>`.
    Ec2,
    /// AWS Query (ELBv2, STS): lists `Name.member.N`, responses wrapped in `<OpResult>`,
    /// errors `<ErrorResponse>`.
    Query,
}

/// One service's model.
#[derive(Debug, Deserialize)]
pub struct Service {
    pub metadata: Metadata,
    pub operations: HashMap<String, Operation>,
    pub shapes: HashMap<String, Shape>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: String,
    pub protocol: String,
    /// The SigV4 service name (`signingName`, else `endpointPrefix`).
    pub signing_name: Option<String>,
    pub endpoint_prefix: String,
    pub xml_namespace: String,
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    pub input: Option<ShapeRef>,
    pub output: Option<ShapeRef>,
}

/// A reference to a shape, with the serialisation traits of that use of it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShapeRef {
    pub shape: String,
    pub location_name: Option<String>,
    pub query_name: Option<String>,
    #[serde(default)]
    pub flattened: bool,
    pub result_wrapper: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Structure members, by member name (sorted, so encoding is deterministic).
    #[serde(default)]
    pub members: BTreeMap<String, ShapeRef>,
    /// List element.
    pub member: Option<ShapeRef>,
    /// Map key and value.
    pub key: Option<ShapeRef>,
    pub value: Option<ShapeRef>,
    #[serde(default)]
    pub flattened: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Boolean,
    Timestamp,
    Blob,
    Double,
    Float,
}

impl Service {
    pub fn protocol(&self) -> Protocol {
        if self.metadata.protocol == "ec2" { Protocol::Ec2 } else { Protocol::Query }
    }

    /// The SigV4 service name of the credential scope.
    pub fn signing_name(&self) -> &str {
        self.metadata.signing_name.as_deref().unwrap_or(&self.metadata.endpoint_prefix)
    }

    /// The shape `r` refers to. Present by the module invariant.
    pub fn shape(&self, r: &ShapeRef) -> &Shape {
        &self.shapes[&r.shape]
    }

    /// The XML namespace of responses, with AWS's trailing slash.
    pub fn namespace(&self) -> String {
        let ns = &self.metadata.xml_namespace;
        if ns.ends_with('/') { ns.clone() } else { format!("{ns}/") }
    }
}

/// EC2, ELBv2 and STS, in that order (the order an `Action` alone is looked up in).
pub fn services() -> &'static [Service; 3] {
    static MODELS: OnceLock<[Service; 3]> = OnceLock::new();
    MODELS.get_or_init(|| {
        let parse = |name: &str, text: &str| -> Service {
            serde_json::from_str(text).unwrap_or_else(|e| panic!("built-in model {name} is corrupt: {e}"))
        };
        [
            parse("ec2", include_str!("models/ec2.json")),
            parse("elbv2", include_str!("models/elbv2.json")),
            parse("sts", include_str!("models/sts.json")),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_referenced_shape_is_present() {
        for s in services() {
            let refs = s.operations.values().flat_map(|o| o.input.iter().chain(&o.output));
            let nested = s
                .shapes
                .values()
                .flat_map(|sh| sh.members.values().chain(&sh.member).chain(&sh.key).chain(&sh.value));
            for r in refs.chain(nested) {
                assert!(
                    s.shapes.contains_key(&r.shape),
                    "{}: {} missing",
                    s.metadata.endpoint_prefix,
                    r.shape
                );
            }
        }
        let [ec2, elb, sts] = services();
        assert_eq!(
            (ec2.protocol(), elb.protocol(), sts.protocol()),
            (Protocol::Ec2, Protocol::Query, Protocol::Query)
        );
        assert_eq!(
            (ec2.signing_name(), elb.signing_name(), sts.signing_name()),
            ("ec2", "elasticloadbalancing", "sts")
        );
    }
}
