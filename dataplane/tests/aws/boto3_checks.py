#!/usr/bin/env python3
"""Protocol edges of privlink's AWS API, checked with boto3/botocore (run by e2e_aws_cli.rs).

The environment points boto3 at the test daemon (AWS_ENDPOINT_URL, a key of account
111111111111). Every check raises on failure; the last line is "all boto3 checks passed".
"""
import os
import sys
import urllib.error
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.exceptions import ClientError

TAG = sys.argv[1]
URL = os.environ["AWS_ENDPOINT_URL"]
ec2 = boto3.client("ec2")
elb = boto3.client("elbv2")
sts = boto3.client("sts")


def code_of(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError(f"{fn.__name__} {kw} succeeded")


def raw(body, sign=True, service="ec2"):
    req = botocore.awsrequest.AWSRequest(method="POST", url=URL + "/", data=body,
                                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    if sign:
        creds = botocore.credentials.Credentials(KEY, SECRET)
        botocore.auth.SigV4Auth(creds, service, "us-east-1").add_auth(req)
    p = req.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(p.url, data=p.body if isinstance(p.body, bytes) else p.body.encode(), headers=dict(p.headers), method="POST"), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


assert sts.get_caller_identity()["Account"] == "111111111111"

# DryRun changes nothing; TagSpecifications and tag filters.
code, _, status = code_of(ec2.create_vpc, CidrBlock="10.9.0.0/16", DryRun=True)
assert (code, status) == ("DryRunOperation", 412), (code, status)
assert ec2.describe_vpcs()["Vpcs"] == []
vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[
    {"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": TAG}]}])["Vpc"]["VpcId"]
found = ec2.describe_vpcs(Filters=[{"Name": "tag:env", "Values": [TAG]}])["Vpcs"]
assert [v["VpcId"] for v in found] == [vpc], found
assert ec2.describe_vpcs(Filters=[{"Name": "tag:env", "Values": ["other"]}])["Vpcs"] == []
code, msg, _ = code_of(ec2.describe_vpcs, Filters=[{"Name": "colour", "Values": ["x"]}])
assert code == "InvalidParameterValue" and "colour" in msg, (code, msg)
ec2.create_tags(Resources=[vpc], Tags=[{"Key": "team", "Value": "net"}])
tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc]}])["Tags"]
assert {(t["Key"], t["Value"]) for t in tags} == {("env", TAG), ("team", "net")}, tags

# Paging: six subnets in pages of five.
for i in range(6):
    ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone="us-east-1a")
pages = list(ec2.get_paginator("describe_subnets").paginate(
    Filters=[{"Name": "vpc-id", "Values": [vpc]}], PaginationConfig={"PageSize": 5}))
assert [len(p["Subnets"]) for p in pages] == [5, 1], [len(p["Subnets"]) for p in pages]
code, _, _ = code_of(ec2.describe_subnets, MaxResults=5, NextToken="garbage")
assert code == "InvalidNextToken", code

# ClientToken: the same call twice makes one route table; other parameters are a mismatch.
a = ec2.create_route_table(VpcId=vpc, ClientToken=f"{TAG}-rt")["RouteTable"]["RouteTableId"]
b = ec2.create_route_table(VpcId=vpc, ClientToken=f"{TAG}-rt")["RouteTable"]["RouteTableId"]
assert a == b, (a, b)
vpc2 = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
code, _, _ = code_of(ec2.create_route_table, VpcId=vpc2, ClientToken=f"{TAG}-rt")
assert code == "IdempotentParameterMismatch", code

# ELBv2 envelope and DescribeTags routing.
code, _, status = code_of(elb.describe_load_balancers, Names=["nope"])
assert (code, status) == ("LoadBalancerNotFound", 400), (code, status)
assert elb.describe_target_groups()["TargetGroups"] == []

# A presigned URL (SigV4 query form) works once, for GET.
url = ec2.generate_presigned_url("describe_vpcs", Params={"VpcIds": [vpc]}, ExpiresIn=60, HttpMethod="GET")
with urllib.request.urlopen(url, timeout=10) as r:
    assert r.status == 200 and vpc in r.read().decode()
try:
    urllib.request.urlopen(url.replace("VpcId.1=", "VpcId.1=x"), timeout=10)
    raise AssertionError("a tampered presigned URL was accepted")
except urllib.error.HTTPError as e:
    assert e.code == 403 and "AuthFailure" in e.read().decode()

# Wrong secrets and unknown keys, in each protocol's words.
KEY, SECRET = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
for client, want in ((boto3.client("ec2", aws_access_key_id=KEY, aws_secret_access_key="x" * 40), "AuthFailure"),
                     (boto3.client("elbv2", aws_access_key_id=KEY, aws_secret_access_key="x" * 40), "SignatureDoesNotMatch"),
                     (boto3.client("sts", aws_access_key_id="AKIAUNKNOWNUNKNOWN00", aws_secret_access_key=SECRET),
                      "InvalidClientTokenId")):
    op = {"ec2": "describe_vpcs", "elasticloadbalancing": "describe_load_balancers", "sts": "get_caller_identity"}[
        client.meta.service_model.signing_name]
    code, _, status = code_of(getattr(client, op))
    assert (code, status) == (want, 403), (code, status)

# Raw requests: unknown action, socket-only action, unsigned, oversized.
status, body = raw("Action=FlyToTheMoon&Version=2016-11-15")
assert status == 400 and "<Code>InvalidAction</Code>" in body and "FlyToTheMoon" in body, (status, body)
status, body = raw("Action=GetStats&Version=2016-11-15")
assert status == 400 and "<Code>InvalidAction</Code>" in body, (status, body)
status, body = raw("Action=GetCallerIdentity&Version=2011-06-15", sign=False)
assert status == 403 and "MissingAuthenticationToken" in body, (status, body)
status, body = raw("Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=" + "x" * (2 << 20))
assert status == 413 and "RequestEntityTooLarge" in body, (status, body)

print("all boto3 checks passed")
