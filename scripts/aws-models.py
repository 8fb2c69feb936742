#!/usr/bin/env python3
"""Writes control/src/aws/models/{ec2,elbv2,sts}.json: botocore's service models trimmed to the
operations privlink's AWS front serves and the shapes they reach, without documentation.

The front decodes requests and encodes responses from these files, so wire names
(locationName, queryName, flattened lists, result wrappers) come from the same source the AWS
SDKs use. Re-run after changing an operation list below (botocore must be importable):

    python3 scripts/aws-models.py
"""
import json
import os
import sys

from botocore.loaders import Loader

EC2 = """
CreateVpc DeleteVpc DescribeVpcs DescribeVpcAttribute ModifyVpcAttribute
CreateSubnet DeleteSubnet DescribeSubnets ModifySubnetAttribute
CreateRouteTable DeleteRouteTable AssociateRouteTable DisassociateRouteTable CreateRoute DeleteRoute
DescribeRouteTables
CreateSecurityGroup DeleteSecurityGroup AuthorizeSecurityGroupIngress RevokeSecurityGroupIngress
AuthorizeSecurityGroupEgress RevokeSecurityGroupEgress DescribeSecurityGroups DescribeSecurityGroupRules
RunInstances TerminateInstances DescribeInstances DescribeInstanceAttribute ModifyInstanceAttribute
DescribeInstanceTypes DescribeInstanceCreditSpecifications DescribeVolumes DescribeImages
CreateVpcEndpointServiceConfiguration DeleteVpcEndpointServiceConfigurations
DescribeVpcEndpointServiceConfigurations ModifyVpcEndpointServiceConfiguration
DescribeVpcEndpointServices ModifyVpcEndpointServicePermissions DescribeVpcEndpointServicePermissions
DescribeVpcEndpointConnections AcceptVpcEndpointConnections RejectVpcEndpointConnections
CreateVpcEndpoint ModifyVpcEndpoint DescribeVpcEndpoints DeleteVpcEndpoints DescribePrefixLists
CreateTags DeleteTags DescribeTags DescribeAvailabilityZones DescribeRegions DescribeAccountAttributes
DescribeNetworkInterfaces DescribeNetworkAcls
"""
ELBV2 = """
CreateLoadBalancer DeleteLoadBalancer DescribeLoadBalancers
DescribeLoadBalancerAttributes ModifyLoadBalancerAttributes
CreateTargetGroup DeleteTargetGroup DescribeTargetGroups ModifyTargetGroup
DescribeTargetGroupAttributes ModifyTargetGroupAttributes
RegisterTargets DeregisterTargets DescribeTargetHealth
CreateListener DeleteListener DescribeListeners ModifyListener
DescribeListenerAttributes ModifyListenerAttributes DescribeCapacityReservation
AddTags RemoveTags DescribeTags
"""
STS = "GetCallerIdentity"

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
    for service, file, ops in (("ec2", "ec2", EC2), ("elbv2", "elbv2", ELBV2), ("sts", "sts", STS)):
        model = loader.load_service_model(service, "service-2")
        path = os.path.join(root, file + ".json")
        with open(path, "w") as f:
            json.dump(trim(model, ops), f, indent=None, separators=(",", ":"), sort_keys=False)
            f.write("\n")
        print(f"{path}: {len(ops.split())} operations, {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
