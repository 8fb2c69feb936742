# The demo's story told with the AWS CLI alone (sourced by scripts/demo.sh --aws-cli, which
# has built and started privlinkd and defines step/say/ok/blocked/curl_in/PIDS/TMP/ROOT).
API=$(sed -n 's/^privlinkd AWS API on //p' "$TMP/privlinkd.out")
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
# Become `account`: the credentials privlinkd issues for it (exports AWS_ENDPOINT_URL too).
as() {
    printf '%s$ eval "$(privlink credentials --account %s)"%s\n' "$dim" "$1" "$reset"
    eval "$("$ROOT/target/release/privlink" --socket "$SOCK" --account "$1" credentials)"
}
# aws, printed as typed; awsv: quietly, one value (--query … --output text).
run_aws() { printf '%s$ aws %s%s\n' "$dim" "$*" "$reset"; aws "$@"; }
awsv() { aws --output text "$@"; }
netns_of() {
    "$ROOT/target/release/privlink" --socket "$SOCK" --account "$2" -o json describe vpcs |
        python3 -c "import json,sys; print(next(v['Netns'] for v in json.load(sys.stdin)['Vpcs'] if v['VpcId']=='$1'))"
}
say "AWS API: $API (SigV4 checked against $TMP/state/credentials.json)"

step "Provider ($PROVIDER): VPC, two subnets, two instances, an NLB and an endpoint service — all with aws"
as $PROVIDER
run_aws sts get-caller-identity --output text
VPC_P=$(awsv ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId)
NS_P=$(netns_of "$VPC_P" $PROVIDER)
SUB_PA=$(awsv ec2 create-subnet --vpc-id "$VPC_P" --cidr-block 10.0.1.0/24 --availability-zone us-east-1a --query Subnet.SubnetId)
SUB_PB=$(awsv ec2 create-subnet --vpc-id "$VPC_P" --cidr-block 10.0.2.0/24 --availability-zone us-east-1b --query Subnet.SubnetId)
for t in "$SUB_PA:10.0.1.10:target-a" "$SUB_PB:10.0.2.10:target-b"; do
    IFS=: read -r sub ip name <<<"$t"
    run_aws ec2 run-instances --image-id ami-12345678 --count 1 --subnet-id "$sub" --private-ip-address "$ip" \
        --query 'Instances[0].[InstanceId,PrivateIpAddress]' --output text
    ip netns exec "$NS_P" python3 "$ROOT/scripts/lib/whoami_http.py" "$name" "$ip" 8080 &
    PIDS+=($!)
done
say "VPC $VPC_P is network namespace $NS_P; HTTP servers listen on both instances' port 8080."
TG=$(awsv elbv2 create-target-group --name demo-web --protocol TCP --port 8080 --vpc-id "$VPC_P" --target-type ip \
    --query 'TargetGroups[0].TargetGroupArn')
run_aws elbv2 register-targets --target-group-arn "$TG" --targets Id=10.0.1.10 Id=10.0.2.10
LB=$(awsv elbv2 create-load-balancer --name demo-nlb --type network --scheme internal --subnets "$SUB_PA" "$SUB_PB" \
    --query 'LoadBalancers[0].LoadBalancerArn')
run_aws elbv2 create-listener --load-balancer-arn "$LB" --protocol TCP --port 80 \
    --default-actions "Type=forward,TargetGroupArn=$TG" --query 'Listeners[0].[Protocol,Port]' --output text
read -r SVC_ID SVC_NAME < <(awsv ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns "$LB" \
    --acceptance-required --query 'ServiceConfiguration.[ServiceId,ServiceName]')
run_aws ec2 modify-vpc-endpoint-service-permissions --service-id "$SVC_ID" \
    --add-allowed-principals "arn:aws:iam::$ACCOUNT_A:root" "arn:aws:iam::$ACCOUNT_B:root"
ok "service $SVC_NAME: acceptance required, accounts $ACCOUNT_A and $ACCOUNT_B allowed"

step "Consumers A ($ACCOUNT_A) and B ($ACCOUNT_B), both 10.0.0.0/16, ask for interface endpoints"
declare -A EP NS
for c in "A:$ACCOUNT_A:10.0.1:us-east-1a" "B:$ACCOUNT_B:10.0.2:us-east-1b"; do
    IFS=: read -r who acct net az <<<"$c"
    as "$acct"
    vpc=$(awsv ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId)
    NS[$who]=$(netns_of "$vpc" "$acct")
    sub=$(awsv ec2 create-subnet --vpc-id "$vpc" --cidr-block "$net.0/24" --availability-zone "$az" --query Subnet.SubnetId)
    awsv ec2 run-instances --image-id ami-12345678 --count 1 --subnet-id "$sub" --private-ip-address "$net.10" \
        --query 'Instances[0].InstanceId' >/dev/null
    args=(ec2 create-vpc-endpoint --vpc-id "$vpc" --service-name "$SVC_NAME" --vpc-endpoint-type Interface
        --subnet-ids "$sub" --subnet-configurations "SubnetId=$sub,Ipv4=$net.50"
        --query 'VpcEndpoint.VpcEndpointId' --output text)
    printf '%s$ aws %s%s\n' "$dim" "${args[*]}" "$reset"
    EP[$who]=$(aws "${args[@]}")
    echo "${EP[$who]}"
    run_aws ec2 describe-vpc-endpoints --vpc-endpoint-ids "${EP[$who]}" \
        --query 'VpcEndpoints[0].[VpcEndpointId,State]' --output text
done
if curl_in "${NS[A]}" http://10.0.1.50/; then blocked "unexpected: A got through while pendingAcceptance"; exit 1; fi
blocked "A's request times out: its endpoint is pendingAcceptance"

step "Provider accepts A and rejects B"
as $PROVIDER
run_aws ec2 describe-vpc-endpoint-connections --output table \
    --query 'VpcEndpointConnections[].[VpcEndpointId,VpcEndpointOwner,VpcEndpointState]'
run_aws ec2 accept-vpc-endpoint-connections --service-id "$SVC_ID" --vpc-endpoint-ids "${EP[A]}" --output text
run_aws ec2 reject-vpc-endpoint-connections --service-id "$SVC_ID" --vpc-endpoint-ids "${EP[B]}" --output text
run_aws ec2 describe-vpc-endpoint-connections --output table \
    --query 'VpcEndpointConnections[].[VpcEndpointId,VpcEndpointOwner,VpcEndpointState]'

step "Real traffic follows what the AWS CLI said"
curl_in "${NS[A]}" http://10.0.1.50/
ok "A reaches the service through its ENI 10.0.1.50; the target saw the NLB node, not A's client"
if curl_in "${NS[B]}" http://10.0.2.50/; then blocked "unexpected: B got through after rejection"; exit 1; fi
blocked "B's endpoint is rejected: privlinkd forwards nothing"
as $ACCOUNT_B
run_aws ec2 describe-vpc-endpoints --query 'VpcEndpoints[].[VpcEndpointId,State]' --output text
say ""
ok "demo complete (AWS CLI)"
