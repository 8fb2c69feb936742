"""Every operation privlink serves, called once or more through boto3, in one lifecycle.

    python3 every_operation.py TAG MODELS_DIR     # AWS_* variables point at a test daemon

botocore parses every answer against AWS's own models, and the script asserts on what each
call changed. A `before-call` hook records the operations called; at the end the set must equal
every operation in privlink's service models (control/src/aws/models/*.json), so an operation
added without a real-client test fails here. Talks only to AWS_ENDPOINT_URL (127.0.0.1).
"""
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

TAG, MODELS = sys.argv[1], sys.argv[2]
called = set()


def record(model, **_):
    called.add((model.service_model.endpoint_prefix, model.name))


clients = {name: boto3.client(name) for name in ("ec2", "elbv2", "sts")}
for c in clients.values():
    c.meta.events.register("before-call", record)
ec2, elb, sts = clients["ec2"], clients["elbv2"], clients["sts"]
ME = sts.get_caller_identity()["Account"]


def error_code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError(f"{fn.__name__} {kw} succeeded")


# --- account-wide reads
assert [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2] == ["us-east-1a", "us-east-1b"]
assert [r["RegionName"] for r in ec2.describe_regions()["Regions"]] == ["us-east-1"]
attrs = {a["AttributeName"] for a in ec2.describe_account_attributes()["AccountAttributes"]}
assert "supported-platforms" in attrs, attrs
assert ec2.describe_instance_types(InstanceTypes=["t3.micro"])["InstanceTypes"][0]["InstanceType"] == "t3.micro"
assert ec2.describe_images(ImageIds=["ami-0abcdef1234567890"])["Images"][0]["ImageId"] == "ami-0abcdef1234567890"
s3 = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}])
assert len(s3["PrefixLists"]) == 1, s3

# --- VPC, subnets, attributes
vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
assert ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True
sa = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
sb = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
ec2.modify_subnet_attribute(SubnetId=sa, MapPublicIpOnLaunch={"Value": False})
assert {s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]} == {sa, sb}
acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
assert acls and acls[0]["VpcId"] == vpc, acls

# --- tags
ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": TAG}, {"Key": "drop", "Value": "me"}])
ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "drop"}])
tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc]}])["Tags"]
assert [(t["Key"], t["Value"]) for t in tags] == [("Name", TAG)], tags

# --- route tables
rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
assoc = ec2.associate_route_table(RouteTableId=rt, SubnetId=sb)["AssociationId"]
ec2.create_route(RouteTableId=rt, DestinationCidrBlock="10.99.0.0/16")  # privlink's one user route: a blackhole
rts = ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"]
assert rts[0]["Associations"][0]["SubnetId"] == sb, rts
assert {r["DestinationCidrBlock"]: r["State"] for r in rts[0]["Routes"] if "DestinationCidrBlock" in r}[
    "10.99.0.0/16"] == "blackhole", rts
ec2.delete_route(RouteTableId=rt, DestinationCidrBlock="10.99.0.0/16")

# --- security groups
sg = ec2.create_security_group(GroupName=f"{TAG}-sg", Description="every operation", VpcId=vpc)["GroupId"]
perm = [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]
ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=perm)
ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=perm)
ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=perm)
rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [sg]}])["SecurityGroupRules"]
assert sorted((r["IsEgress"], r["FromPort"]) for r in rules) == [(False, 80), (True, -1)], rules
ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=perm)
assert ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"] == []

# --- instances
run = ec2.run_instances(ImageId="ami-0abcdef1234567890", InstanceType="t3.micro", MinCount=1, MaxCount=1,
                        SubnetId=sa, PrivateIpAddress="10.7.1.10", SecurityGroupIds=[sg])
inst = run["Instances"][0]["InstanceId"]
ec2.modify_instance_attribute(InstanceId=inst, DisableApiTermination={"Value": True})
assert ec2.describe_instance_attribute(InstanceId=inst, Attribute="disableApiTermination")[
    "DisableApiTermination"]["Value"] is True
assert error_code(ec2.terminate_instances, InstanceIds=[inst]) == "OperationNotPermitted"
ec2.modify_instance_attribute(InstanceId=inst, DisableApiTermination={"Value": False})
assert ec2.describe_instances(InstanceIds=[inst])["Reservations"][0]["Instances"][0]["PrivateIpAddress"] == "10.7.1.10"
credits = ec2.describe_instance_credit_specifications(InstanceIds=[inst])["InstanceCreditSpecifications"]
assert credits[0]["InstanceId"] == inst, credits
assert ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [inst]}])["Volumes"] == []
enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
assert "10.7.1.10" in {e["PrivateIpAddress"] for e in enis}, enis

# --- target group, load balancer, listener
tg = elb.create_target_group(Name=f"{TAG}-tg", Protocol="TCP", Port=8080, VpcId=vpc,
                             TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
elb.modify_target_group(TargetGroupArn=tg, HealthCheckIntervalSeconds=10)
elb.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])
tga = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=tg)["Attributes"]}
assert tga["deregistration_delay.timeout_seconds"] == "30", tga
elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": inst}])
health = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
assert [h["Target"]["Id"] for h in health] == [inst], health
lb = elb.create_load_balancer(Name=f"{TAG}-nlb", Type="network", Scheme="internal", Subnets=[sa, sb])
lb = lb["LoadBalancers"][0]["LoadBalancerArn"]
elb.modify_load_balancer_attributes(LoadBalancerArn=lb, Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}])
lba = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb)["Attributes"]}
assert lba["load_balancing.cross_zone.enabled"] == "true", lba
cap = elb.describe_capacity_reservation(LoadBalancerArn=lb)
assert sorted(z["AvailabilityZone"] for z in cap["CapacityReservationState"]) == ["us-east-1a", "us-east-1b"], cap
listener = elb.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=80,
                               DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]
elb.modify_listener(ListenerArn=listener, Port=81)
elb.modify_listener_attributes(ListenerArn=listener, Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "120"}])
la = {a["Key"]: a["Value"] for a in elb.describe_listener_attributes(ListenerArn=listener)["Attributes"]}
assert la["tcp.idle_timeout.seconds"] == "120", la
assert elb.describe_listeners(LoadBalancerArn=lb)["Listeners"][0]["Port"] == 81
elb.add_tags(ResourceArns=[lb], Tags=[{"Key": "team", "Value": "net"}, {"Key": "drop", "Value": "me"}])
elb.remove_tags(ResourceArns=[lb], TagKeys=["drop"])
described = elb.describe_tags(ResourceArns=[lb])["TagDescriptions"]
assert described == [{"ResourceArn": lb, "Tags": [{"Key": "team", "Value": "net"}]}], described
assert elb.describe_load_balancers(LoadBalancerArns=[lb])["LoadBalancers"][0]["Type"] == "network"
assert elb.describe_target_groups(TargetGroupArns=[tg])["TargetGroups"][0]["LoadBalancerArns"] == [lb]

# --- endpoint service, permissions, endpoints, connections
svc = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[lb], AcceptanceRequired=True)
svc_id, svc_name = svc["ServiceConfiguration"]["ServiceId"], svc["ServiceConfiguration"]["ServiceName"]
ec2.modify_vpc_endpoint_service_configuration(ServiceId=svc_id, AcceptanceRequired=True, PrivateDnsName=f"{TAG}.example.test")
conf = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[svc_id])["ServiceConfigurations"][0]
assert conf["PrivateDnsName"] == f"{TAG}.example.test", conf
ec2.modify_vpc_endpoint_service_permissions(ServiceId=svc_id, AddAllowedPrincipals=[f"arn:aws:iam::{ME}:root"])
perms = ec2.describe_vpc_endpoint_service_permissions(ServiceId=svc_id)["AllowedPrincipals"]
assert [p["Principal"] for p in perms] == [f"arn:aws:iam::{ME}:root"], perms
assert svc_name in {s["ServiceName"] for s in ec2.describe_vpc_endpoint_services(ServiceNames=[svc_name])["ServiceDetails"]}
eps = []
for cidr in ("10.6.0.0/16", "10.5.0.0/16"):
    cvpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    csub = ec2.create_subnet(VpcId=cvpc, CidrBlock=cidr.replace("0.0/16", "1.0/24"),
                             AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    ep = ec2.create_vpc_endpoint(VpcId=cvpc, ServiceName=svc_name, VpcEndpointType="Interface", SubnetIds=[csub],
                                 PrivateDnsEnabled=False)["VpcEndpoint"]
    assert ep["State"] == "pendingAcceptance", ep
    eps.append((cvpc, csub, ep["VpcEndpointId"]))
conns = ec2.describe_vpc_endpoint_connections(Filters=[{"Name": "service-id", "Values": [svc_id]}])["VpcEndpointConnections"]
assert len(conns) == 2, conns
assert ec2.accept_vpc_endpoint_connections(ServiceId=svc_id, VpcEndpointIds=[eps[0][2]])["Unsuccessful"] == []
assert ec2.reject_vpc_endpoint_connections(ServiceId=svc_id, VpcEndpointIds=[eps[1][2]])["Unsuccessful"] == []
states = {e["VpcEndpointId"]: e["State"] for e in ec2.describe_vpc_endpoints(VpcEndpointIds=[e[2] for e in eps])["VpcEndpoints"]}
assert states == {eps[0][2]: "available", eps[1][2]: "rejected"}, states
ec2.modify_vpc_endpoint(VpcEndpointId=eps[0][2], AddSecurityGroupIds=[
    ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [eps[0][0]]}])["SecurityGroups"][0]["GroupId"]])
gw = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway",
                             RouteTableIds=[rt])["VpcEndpoint"]["VpcEndpointId"]
routes = ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"]
pl = s3["PrefixLists"][0]["PrefixListId"]
assert any(r.get("DestinationPrefixListId") == pl and r.get("GatewayId") == gw for r in routes), routes

# --- delete everything again, in dependency order
assert ec2.delete_vpc_endpoints(VpcEndpointIds=[gw] + [e[2] for e in eps])["Unsuccessful"] == []
ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[svc_id])
elb.delete_listener(ListenerArn=listener)
elb.delete_load_balancer(LoadBalancerArn=lb)
elb.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": inst}])
elb.delete_target_group(TargetGroupArn=tg)
assert ec2.terminate_instances(InstanceIds=[inst])["TerminatingInstances"][0]["CurrentState"]["Name"] == "terminated"
ec2.disassociate_route_table(AssociationId=assoc)
ec2.delete_route_table(RouteTableId=rt)
ec2.delete_security_group(GroupId=sg)
for cvpc, csub, _ in eps:
    ec2.delete_subnet(SubnetId=csub)
    ec2.delete_vpc(VpcId=cvpc)
ec2.delete_subnet(SubnetId=sa)
ec2.delete_subnet(SubnetId=sb)
ec2.delete_vpc(VpcId=vpc)
assert ec2.describe_vpcs()["Vpcs"] == []

served = set()
for name, prefix in (("ec2", "ec2"), ("elbv2", "elasticloadbalancing"), ("sts", "sts")):
    with open(os.path.join(MODELS, f"{name}.json")) as f:
        served |= {(prefix, op) for op in json.load(f)["operations"]}
missing = sorted(served - called)
assert not missing, f"operations served but not called by a real client: {missing}"
print(f"every operation called: {len(served)}")
