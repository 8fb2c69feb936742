//! Response encoding: the API's JSON result → each protocol's XML, by the output shape.
//!
//! Contract (what botocore's `EC2QueryParser`/`QueryParser` read back):
//! - EC2: `<OpResponse xmlns=…><requestId/>…members…</OpResponse>`; Query:
//!   `<OpResponse xmlns=…><OpResult>…members…</OpResult><ResponseMetadata><RequestId/>…`. The
//!   result element is always present, even for operations without output (Go SDKs need it).
//! - A member is written under its `locationName` (else its member name); lists as
//!   `<name><item|member>…</…></name>` (repeated `<name>` when flattened); maps as
//!   `<entry><key/><value/></entry>`. JSON keys that are not members of the shape (privlink's
//!   extras such as `Netns`) and `null`s are left out; booleans are `true`/`false`; a
//!   timestamp given as epoch seconds is written as ISO 8601.
//! - Errors: EC2 `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/>`,
//!   Query `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
//! - All text is XML-escaped; nothing here panics on any JSON value.

use std::fmt::Write;

use quick_xml::escape::escape;
use serde_json::Value;

use super::model::{Kind, Protocol, Service, ShapeRef};
use crate::api::rfc3339;

const PROLOGUE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// The success document of `op` carrying `result`.
pub fn result(svc: &Service, op: &str, result: &Value, request_id: &str) -> String {
    let ns = svc.namespace();
    let output = svc.operations.get(op).and_then(|o| o.output.as_ref());
    let mut body = String::new();
    if let Some(r) = output {
        members(&mut body, svc, r, result);
    }
    match svc.protocol() {
        Protocol::Ec2 => {
            format!(
                r#"{PROLOGUE}<{op}Response xmlns="{ns}"><requestId>{request_id}</requestId>{body}</{op}Response>"#
            )
        }
        Protocol::Query => {
            let wrapper =
                output.and_then(|r| r.result_wrapper.clone()).unwrap_or_else(|| format!("{op}Result"));
            format!(
                r#"{PROLOGUE}<{op}Response xmlns="{ns}"><{wrapper}>{body}</{wrapper}><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{op}Response>"#
            )
        }
    }
}

/// The error document for `code`/`message`; `sender` says whose fault it is (Query's `Type`).
pub fn error(svc: &Service, code: &str, message: &str, sender: bool, request_id: &str) -> String {
    let (code, message) = (escape(code), escape(message));
    match svc.protocol() {
        Protocol::Ec2 => format!(
            "{PROLOGUE}<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        ),
        Protocol::Query => {
            let ns = svc.namespace();
            let kind = if sender { "Sender" } else { "Receiver" };
            format!(
                r#"{PROLOGUE}<ErrorResponse xmlns="{ns}"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"#
            )
        }
    }
}

/// The members of structure `r` present in `v`, each as an element.
fn members(out: &mut String, svc: &Service, r: &ShapeRef, v: &Value) {
    let Value::Object(map) = v else { return };
    let shape = svc.shape(r);
    for (key, val) in map {
        if let Some(m) = shape.members.get(key) {
            element(out, svc, m, m.location_name.as_deref().unwrap_or(key), val);
        }
    }
}

/// `v` as shape `r` under element name `name`.
fn element(out: &mut String, svc: &Service, r: &ShapeRef, name: &str, v: &Value) {
    let shape = svc.shape(r);
    match (shape.kind, v) {
        (_, Value::Null) => {}
        (Kind::Structure, _) => {
            let _ = write!(out, "<{name}>");
            members(out, svc, r, v);
            let _ = write!(out, "</{name}>");
        }
        (Kind::List, Value::Array(items)) => {
            let Some(member) = &shape.member else { return };
            if shape.flattened || r.flattened {
                for item in items {
                    element(out, svc, member, name, item);
                }
            } else {
                let item_name = member.location_name.as_deref().unwrap_or("member");
                let _ = write!(out, "<{name}>");
                for item in items {
                    element(out, svc, member, item_name, item);
                }
                let _ = write!(out, "</{name}>");
            }
        }
        (Kind::Map, Value::Object(entries)) => {
            let (Some(k), Some(val)) = (&shape.key, &shape.value) else { return };
            let (kn, vn) = (
                k.location_name.as_deref().unwrap_or("key"),
                val.location_name.as_deref().unwrap_or("value"),
            );
            let _ = write!(out, "<{name}>");
            for (key, item) in entries {
                let _ = write!(out, "<entry><{kn}>{}</{kn}>", escape(key.as_str()));
                element(out, svc, val, vn, item);
                out.push_str("</entry>");
            }
            let _ = write!(out, "</{name}>");
        }
        (Kind::List | Kind::Map, _) => {}
        (kind, v) => {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) if kind == Kind::Timestamp => {
                    n.as_u64().map_or_else(|| n.to_string(), rfc3339)
                }
                Value::Array(_) | Value::Object(_) => return,
                other => other.to_string(),
            };
            let _ = write!(out, "<{name}>{}</{name}>", escape(text.as_str()));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::aws::model::services;

    #[test]
    fn ec2_items_location_names_and_escaping() {
        let ec2 = &services()[0];
        let xml = result(
            ec2,
            "DescribeVpcs",
            &json!({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "IsDefault": false, "Netns": "x",
                              "Tags": [{"Key": "Name", "Value": "a<b&c"}]}], "Extra": 1}),
            "req-1",
        );
        assert!(xml.contains(r#"<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId><vpcSet><item>"#), "{xml}");
        assert!(
            xml.contains("<vpcId>vpc-1</vpcId>") && xml.contains("<isDefault>false</isDefault>"),
            "{xml}"
        );
        assert!(
            xml.contains("<tagSet><item><key>Name</key><value>a&lt;b&amp;c</value></item></tagSet>"),
            "{xml}"
        );
        assert!(!xml.contains("Netns") && !xml.contains("Extra"), "{xml}");
        let xml = result(ec2, "DeleteVpc", &json!({"Return": true}), "r");
        assert!(xml.ends_with("<requestId>r</requestId></DeleteVpcResponse>"), "{xml}");
    }

    #[test]
    fn query_members_result_wrapper_and_timestamps() {
        let elb = &services()[1];
        let xml = result(
            elb,
            "DescribeLoadBalancers",
            &json!({"LoadBalancers": [{"LoadBalancerName": "n", "CreatedTime": 0,
                                        "AvailabilityZones": [{"ZoneName": "us-east-1a"}]}]}),
            "r",
        );
        assert!(xml.contains("<DescribeLoadBalancersResult><LoadBalancers><member><AvailabilityZones><member><ZoneName>us-east-1a</ZoneName></member></AvailabilityZones><CreatedTime>1970-01-01T00:00:00.000Z</CreatedTime>"), "{xml}");
        assert!(xml.ends_with("<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>"), "{xml}");
        let xml = result(elb, "DeleteLoadBalancer", &json!({}), "r");
        assert!(xml.contains("<DeleteLoadBalancerResult></DeleteLoadBalancerResult>"), "{xml}");
    }

    #[test]
    fn error_envelopes() {
        let [ec2, elb, _] = services();
        let xml = error(ec2, "InvalidVpcID.NotFound", "no 'vpc-1' <here>", true, "r");
        assert!(xml.contains("<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>no &apos;vpc-1&apos; &lt;here&gt;</Message></Error></Errors><RequestID>r</RequestID></Response>"), "{xml}");
        let xml = error(elb, "InternalError", "m", false, "r");
        assert!(xml.contains("<Error><Type>Receiver</Type><Code>InternalError</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>"), "{xml}");
    }
}
