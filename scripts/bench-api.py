#!/usr/bin/env python3
"""API latency of privlinkd: the AWS Query front over HTTP vs the control socket.

    sudo scripts/bench-api.sh            # starts its own privlinkd; see that script

Measures, against a running privlinkd (socket path and API URL as arguments):
  1. p50/p99 of DescribeVpcEndpoints with N interface endpoints, over the Unix socket (NDJSON)
     and over HTTP (SigV4-signed with botocore, one keep-alive connection; no AWS CLI start-up);
  2. requests/s of a CreateVpc / DescribeVpcs / DeleteVpc loop over HTTP;
  3. control-socket latency (a read and a write) while 1,000 concurrent HTTP connections send
     signed requests back to back (scripts/lib/api_flood.py);
  4. a mutation's latency with and without a GetStats loop over BENCH_VPCS (500) more VPCs.
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials

SOCK, URL, N = sys.argv[1], sys.argv[2], int(sys.argv[3])


class Sock:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(SOCK)
        self.f = self.s.makefile("rwb")

    def call(self, account="111111111111", **req):
        req["Account"] = account
        self.f.write(json.dumps(req).encode() + b"\n")
        self.f.flush()
        out = json.loads(self.f.readline())
        if "Error" in out:
            raise RuntimeError(f"{req['Action']}: {out['Error']}")
        return out


class Http:
    def __init__(self, key):
        self.creds = botocore.credentials.Credentials(key["AccessKeyId"], key["SecretAccessKey"])
        u = urllib.parse.urlsplit(URL)
        self.conn = http.client.HTTPConnection(u.hostname, u.port)

    def call(self, service, params):
        body = urllib.parse.urlencode(params)
        req = botocore.awsrequest.AWSRequest(method="POST", url=URL + "/", data=body,
                                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        botocore.auth.SigV4Auth(self.creds, service, "us-east-1").add_auth(req)
        self.conn.request("POST", "/", body=body, headers=dict(req.headers))
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(data.decode())
        return data


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1e3)
    return out


s = Sock()
prov = s.call(Action="CreateVpc", CidrBlock="10.0.0.0/16", Name="bapi-p", EnableDnsHostnames=True)["Vpc"]["VpcId"]
sub = s.call(Action="CreateSubnet", VpcId=prov, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
lb = s.call(Action="CreateLoadBalancer", Name="bapi-nlb", Type="network", Scheme="internal", Subnets=[sub])
arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
svc = s.call(Action="CreateVpcEndpointServiceConfiguration", NetworkLoadBalancerArns=[arn], AcceptanceRequired=False)
name = svc["ServiceConfiguration"]["ServiceName"]
s.call(Action="ModifyVpcEndpointServicePermissions", ServiceId=svc["ServiceConfiguration"]["ServiceId"], AddAllowedPrincipals=["*"])
cons = s.call(Action="CreateVpc", CidrBlock="10.0.0.0/16", Name="bapi-c", account="222222222222")["Vpc"]["VpcId"]
csub = s.call(Action="CreateSubnet", VpcId=cons, CidrBlock="10.0.0.0/22", AvailabilityZone="us-east-1a",
              account="222222222222")["Subnet"]["SubnetId"]
t = time.perf_counter()
for _ in range(N):
    s.call(Action="CreateVpcEndpoint", VpcId=cons, ServiceName=name, VpcEndpointType="Interface", SubnetIds=[csub],
           account="222222222222")
print(f"created {N} interface endpoints over the socket in {time.perf_counter() - t:.1f} s")

key = s.call(Action="GetCredentials", account="222222222222")
h = Http(key)
ROUNDS = 100
sock_ms = timed(lambda: s.call(Action="DescribeVpcEndpoints", account="222222222222"), ROUNDS)
http_ms = timed(lambda: h.call("ec2", {"Action": "DescribeVpcEndpoints", "Version": "2016-11-15"}), ROUNDS)
print(f"DescribeVpcEndpoints, {N} endpoints, {ROUNDS} calls each:")
print(f"  control socket  p50 {statistics.median(sock_ms):7.2f} ms  p99 {pct(sock_ms, 0.99):7.2f} ms")
print(f"  HTTP (SigV4)    p50 {statistics.median(http_ms):7.2f} ms  p99 {pct(http_ms, 0.99):7.2f} ms"
      f"  ({statistics.median(http_ms) / statistics.median(sock_ms):.2f}x)")

LOOPS = 50
t = time.perf_counter()
for i in range(LOOPS):
    xml = h.call("ec2", {"Action": "CreateVpc", "Version": "2016-11-15", "CidrBlock": "10.1.0.0/16"}).decode()
    vpc = xml.split("<vpcId>")[1].split("</vpcId>")[0]
    h.call("ec2", {"Action": "DescribeVpcs", "Version": "2016-11-15", "VpcId.1": vpc})
    h.call("ec2", {"Action": "DeleteVpc", "Version": "2016-11-15", "VpcId": vpc})
dt = time.perf_counter() - t
print(f"CreateVpc/DescribeVpcs/DeleteVpc over HTTP: {3 * LOOPS / dt:.0f} requests/s ({LOOPS} loops, each VPC a real namespace)")

# The control socket while 1,000 HTTP connections send signed DescribeVpcs back to back.
FLOOD = 1000
calm = timed(lambda: s.call(Action="DescribeVpcs", account="222222222222"), ROUNDS)
env = dict(os.environ, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
flood = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "lib", "api_flood.py"), URL, str(FLOOD)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
try:
    assert flood.stdout.readline().strip() == f"flooding {FLOOD}", "the flood did not open every connection"
    loaded = timed(lambda: s.call(Action="DescribeVpcs", account="222222222222"), ROUNDS)
    writes = timed(lambda: s.call(Action="CreateTags", Resources=[cons], Tags=[{"Key": "k", "Value": "v"}],
                                  account="222222222222"), 20)
    flood.stdin.close()
    stats = json.loads(flood.stdout.readline())
finally:
    flood.kill()
    flood.wait()
print(f"During a flood of {FLOOD} concurrent HTTP connections ({stats['requests']} requests in {stats['seconds']} s, "
      f"{stats['requests'] / stats['seconds']:.0f}/s, statuses {stats['statuses']}, errors {len(stats['errors'])}):")
print(f"  control socket DescribeVpcs  p50 {statistics.median(loaded):7.2f} ms  p99 {pct(loaded, 0.99):7.2f} ms"
      f"  (without the flood: p50 {statistics.median(calm):.2f} ms, p99 {pct(calm, 0.99):.2f} ms)")
print(f"  control socket CreateTags    p50 {statistics.median(writes):7.2f} ms  p99 {pct(writes, 0.99):7.2f} ms")

# Mutations while GetStats runs over many VPCs (each a namespace with a device to read).
VPCS = int(os.environ.get("BENCH_VPCS", "500"))
t = time.perf_counter()
for i in range(VPCS):
    s.call(Action="CreateVpc", CidrBlock="10.2.0.0/16", Name=f"bapi-v{i}")
print(f"created {VPCS} more VPCs (namespaces with devices) in {time.perf_counter() - t:.1f} s")
stats_ms = timed(lambda: s.call(Action="GetStats"), 20)
quiet = timed(lambda: s.call(Action="CreateTags", Resources=[cons], Tags=[{"Key": "k", "Value": "v"}],
                             account="222222222222"), 50)
stop = threading.Event()


def stats_loop():
    other = Sock()
    while not stop.is_set():
        other.call(Action="GetStats")


poller = threading.Thread(target=stats_loop)
poller.start()
busy = timed(lambda: s.call(Action="CreateTags", Resources=[cons], Tags=[{"Key": "k", "Value": "v"}],
                            account="222222222222"), 50)
stop.set()
poller.join()
print(f"GetStats over {VPCS + 3} VPCs: p50 {statistics.median(stats_ms):.2f} ms, p99 {pct(stats_ms, 0.99):.2f} ms")
print(f"  CreateTags alone              p50 {statistics.median(quiet):7.2f} ms  p99 {pct(quiet, 0.99):7.2f} ms")
print(f"  CreateTags while GetStats loops p50 {statistics.median(busy):7.2f} ms  p99 {pct(busy, 0.99):7.2f} ms")
