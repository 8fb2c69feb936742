#!/usr/bin/env python3
"""Writes control/src/aws/models/{ec2,elbv2,sts}.json: botocore's service models trimmed to the
operations privlink's AWS front serves and the shapes they reach, without documentation.

The front decodes requests and encodes responses from these files, so wire names
(locationName, queryName, flattened lists, result wrappers) come from the same source the AWS
SDKs use. The operations are the registry's (control/src/api/registry.rs), so adding one there and
re-running this script is all the front needs (botocore must be importable):

    python3 scripts/aws-models.py
"""
import json
import os
import re
import sys

from botocore.loaders import Loader

REGISTRY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "control", "src", "api", "registry.rs")


def served(service):
    """The wire names of `service`'s operations in privlink's registry of operations
    (`Operation::read(Ec2, "DescribeVpcs", …)`, with `.wire("…")` where the wire name differs)."""
    text = open(REGISTRY).read()
    entry = re.compile(r'(?m)Operation::(?:read|write|new)\((\w+), "(\w+)"[^\n]*?(?:\.wire\("(\w+)"\)|$)')
    return " ".join(wire or name for svc, name, wire in entry.findall(text) if svc == service)


# What a shape keeps; everything else (documentation, enums, min/max, examples) is dropped.
SHAPE_KEYS = ("type", "members", "member", "key", "value", "flattened", "locationName")
MEMBER_KEYS = ("shape", "locationName", "queryName", "flattened")


def trim(model, ops):
    out_ops, shapes, todo = {}, {}, []
    for name in ops.split():
        op = model["operations"][name]
        kept = {}
        for io in ("input", "output"):
            if io in op:
                kept[io] = {k: v for k, v in op[io].items() if k in ("shape", "resultWrapper")}
                todo.append(op[io]["shape"])
        out_ops[name] = kept
    while todo:
        name = todo.pop()
        if name in shapes:
            continue
        shape = model["shapes"][name]
        kept = {k: shape[k] for k in SHAPE_KEYS if k in shape and k != "members"}
        if "members" in shape:
            kept["members"] = {
                m: {k: v for k, v in ref.items() if k in MEMBER_KEYS} for m, ref in shape["members"].items()
            }
            todo += [ref["shape"] for ref in shape["members"].values()]
        for k in ("member", "key", "value"):
            if k in shape:
                kept[k] = {kk: vv for kk, vv in shape[k].items() if kk in MEMBER_KEYS}
                todo.append(shape[k]["shape"])
        shapes[name] = kept
    meta = model["metadata"]
    return {
        "metadata": {k: meta[k] for k in ("apiVersion", "protocol", "signingName", "endpointPrefix", "xmlNamespace") if k in meta},
        "operations": out_ops,
        "shapes": dict(sorted(shapes.items())),
    }


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "control", "src", "aws", "models")
    loader = Loader()
    for service, file, ops in (("ec2", "ec2", served("Ec2")), ("elbv2", "elbv2", served("Elbv2")), ("sts", "sts", served("Sts"))):
        model = loader.load_service_model(service, "service-2")
        path = os.path.join(root, file + ".json")
        with open(path, "w") as f:
            json.dump(trim(model, ops), f, indent=None, separators=(",", ":"), sort_keys=False)
            f.write("\n")
        print(f"{path}: {len(ops.split())} operations, {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
