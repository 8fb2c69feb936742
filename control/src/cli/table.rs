//! Table output: rows picked out of a JSON response by a path, cells by JSON pointers.
//!
//! A [`Table`]'s `path` walks the response: `Vpcs/*` means "each element of `Vpcs`", `Vpc`
//! means "the object `Vpc`" (one row), `VpcEndpoints/*/NetworkInterfaces/*` means each ENI of
//! each endpoint, and the empty path means the response itself. A column pointer is a JSON
//! pointer into the row (`/Placement/AvailabilityZone`); `*` segments collect every element
//! (`/IpRanges/*/CidrIp`), `a|b` takes the first that is present, a leading `^` reads the
//! enclosing object instead of the row (the endpoint of an ENI row), and `/Tags` shows the Name
//! tag. Lists print comma-separated, missing values as `-`.

use serde_json::Value;

/// One table of a response.
pub struct Table {
    pub path: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
}

/// The objects met along `path`, one chain (outermost first, the row last) per row.
fn rows<'a>(v: &'a Value, path: &str) -> Vec<Vec<&'a Value>> {
    let mut chains = vec![vec![v]];
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        chains = chains
            .into_iter()
            .flat_map(|chain| {
                let last = *chain.last().expect("chains are never empty");
                let next: Vec<&Value> = match (seg, last) {
                    ("*", Value::Array(items)) => items.iter().collect(),
                    ("*", _) => Vec::new(),
                    (key, obj) => obj.get(key).into_iter().collect(),
                };
                next.into_iter().map(move |n| {
                    let mut c = chain.clone();
                    if matches!(c.last(), Some(Value::Array(_))) {
                        c.pop();
                    }
                    c.push(n);
                    c
                })
            })
            .collect();
    }
    chains.retain(|c| c.last().is_some_and(|v| v.is_object()));
    chains
}

/// The values at `pointer` (with `*` segments) inside `v`.
fn leaves<'a>(v: &'a Value, pointer: &str) -> Vec<&'a Value> {
    let mut found = vec![v];
    for seg in pointer.split('/').filter(|s| !s.is_empty()) {
        found = found
            .into_iter()
            .flat_map(|x| match (seg, x) {
                ("*", Value::Array(items)) => items.iter().collect::<Vec<_>>(),
                (key, obj) => obj.get(key).into_iter().collect(),
            })
            .collect();
    }
    found
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "-".into(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

fn cell(chain: &[&Value], pointer: &str) -> String {
    let (target, pointer) = match pointer.strip_prefix('^') {
        Some(p) if chain.len() >= 2 => (chain[chain.len() - 2], p),
        _ => (*chain.last().expect("rows are never empty"), pointer),
    };
    for alt in pointer.split('|') {
        let found = if alt == "/Tags" {
            leaves(target, "/Tags/*")
                .into_iter()
                .filter(|t| t["Key"] == "Name")
                .map(|t| &t["Value"])
                .collect()
        } else {
            leaves(target, alt)
        };
        let shown: Vec<String> = found.into_iter().map(text).filter(|s| s != "-").collect();
        if !shown.is_empty() {
            return shown.join(",");
        }
    }
    "-".into()
}

/// Renders `tables` of response `v` as aligned text (tables after the first only if they have rows).
pub fn render(v: &Value, tables: &[Table]) -> String {
    let mut out = String::new();
    for (n, table) in tables.iter().enumerate() {
        let body: Vec<Vec<String>> = rows(v, table.path)
            .iter()
            .map(|chain| table.columns.iter().map(|(_, p)| cell(chain, p)).collect())
            .collect();
        if n > 0 {
            if body.is_empty() {
                continue;
            }
            out.push('\n');
        }
        let header: Vec<String> = table.columns.iter().map(|(h, _)| (*h).to_owned()).collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &body {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        for row in std::iter::once(&header).chain(&body) {
            let line: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_nested_rows_with_parent_columns() {
        let v = json!({"VpcEndpoints": [
            {"VpcEndpointId": "vpce-1", "Tags": [{"Key": "Name", "Value": "a"}], "SubnetIds": ["s1", "s2"],
             "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "PrivateIpAddress": "10.0.1.5"}]}]});
        let out = render(
            &v,
            &[
                Table {
                    path: "VpcEndpoints/*",
                    columns: &[
                        ("ID", "/VpcEndpointId"),
                        ("Name", "/Tags"),
                        ("Subnets", "/SubnetIds"),
                        ("Dns", "/DnsName|/Nope"),
                    ],
                },
                Table {
                    path: "VpcEndpoints/*/NetworkInterfaces/*",
                    columns: &[
                        ("Endpoint", "^/VpcEndpointId"),
                        ("ENI", "/NetworkInterfaceId"),
                        ("IP", "/PrivateIpAddress"),
                    ],
                },
            ],
        );
        assert_eq!(
            out,
            "ID      Name  Subnets  Dns\nvpce-1  a     s1,s2    -\n\nEndpoint  ENI    IP\nvpce-1    eni-1  10.0.1.5\n"
        );
    }

    #[test]
    fn single_objects_and_the_root_are_one_row() {
        assert_eq!(
            render(
                &json!({"Vpc": {"VpcId": "vpc-1"}}),
                &[Table { path: "Vpc", columns: &[("VpcId", "/VpcId")] }]
            ),
            "VpcId\nvpc-1\n"
        );
        assert_eq!(
            render(&json!({"GroupId": "sg-1"}), &[Table { path: "", columns: &[("GroupId", "/GroupId")] }]),
            "GroupId\nsg-1\n"
        );
        let rules = json!({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpRanges": [{"CidrIp": "a"}, {"CidrIp": "b"}]}]}]});
        let out = render(
            &rules,
            &[Table {
                path: "SecurityGroups/*/IpPermissions/*",
                columns: &[("G", "^/GroupId"), ("C", "/IpRanges/*/CidrIp")],
            }],
        );
        assert_eq!(out, "G     C\nsg-1  a,b\n");
    }
}
