#!/usr/bin/env bash
# privlink demo: AWS PrivateLink and VPC endpoints between network namespaces, narrated.
#
#   sudo scripts/demo.sh            # with the privlink CLI
#   sudo scripts/demo.sh --aws-cli  # the same PrivateLink story with the AWS CLI only (needs `aws`)
#
# Builds in release mode, starts privlinkd on a temporary socket and state directory, then:
# a provider publishes an HTTP service behind an NLB (targets in two AZs) as an endpoint
# service with acceptance required; consumers A and B — both 10.0.0.0/16, like the provider,
# and A's instance even has the same IP as a provider target — create interface endpoints;
# B is blocked while pendingAcceptance; after acceptance both reach the service, and the
# target sees the NLB node's address; the provider cannot connect back; a gateway endpoint
# makes the S3 stand-in reachable from A's private subnet. Everything lives in namespaces
# named pl-demo-*, removed on exit (also on Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [[ $EUID -ne 0 ]]; then
    echo "scripts/demo.sh needs root (it creates network namespaces and devices): sudo $0" >&2
    exit 1
fi

bold=$'\e[1m' dim=$'\e[2m' green=$'\e[32m' red=$'\e[31m' cyan=$'\e[36m' reset=$'\e[0m'
[[ -t 1 ]] || { bold='' dim='' green='' red='' cyan='' reset=''; }

AWS_CLI=0
case ${1:-} in
    "") ;;
    --aws-cli) AWS_CLI=1
        command -v aws >/dev/null || { echo "--aws-cli needs the AWS CLI: python3 -m pip install awscli==1.45.11" >&2; exit 1; } ;;
    *) echo "usage: $0 [--aws-cli]" >&2; exit 2 ;;
esac

PROVIDER=111111111111
ACCOUNT_A=222222222222
ACCOUNT_B=333333333333
TMP=$(mktemp -d /tmp/privlink-demo.XXXXXX)
SOCK=$TMP/privlink.sock
PIDS=()

cleanup() {
    set +e
    # VPCs made through the AWS API are pl-vpc-<hex>: the demo's state file names them.
    local made
    made=$(python3 -c 'import json,sys; print(" ".join(v["Netns"] for v in json.load(open(sys.argv[1]))["Vpcs"].values()))' \
        "$TMP/state/state.json" 2>/dev/null)
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    for ns in $(ip netns list | awk '{print $1}' | grep '^pl-demo-') $made; do
        ip netns del "$ns" 2>/dev/null
        rm -rf "/etc/netns/$ns"
    done
    rm -rf "$TMP"
    echo "${dim}demo cleaned up: privlinkd stopped, pl-demo-* namespaces removed${reset}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n%s== %s ==%s\n' "$bold$cyan" "$*" "$reset"; }
say() { printf '%s\n' "$*"; }
ok() { printf '%s✔ %s%s\n' "$green" "$*" "$reset"; }
blocked() { printf '%s✘ %s%s\n' "$red" "$*" "$reset"; }

# privlink as account $ACT (printed as the user would type it).
ACT=$PROVIDER
pl() {
    printf '%s$ privlink%s %s%s\n' "$dim" "$([[ $ACT != "$PROVIDER" ]] && echo " --account $ACT")" "$*" "$reset"
    "$ROOT/target/release/privlink" --socket "$SOCK" --account "$ACT" "$@"
}
# Same, quietly, JSON out.
plj() { "$ROOT/target/release/privlink" --socket "$SOCK" --account "$ACT" -o json "$@"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# curl from inside a namespace; prints the answer or how it failed.
curl_in() {
    local ns=$1 url=$2
    printf '%s$ ip netns exec %s curl -m 2 %s%s\n' "$dim" "$ns" "$url" "$reset"
    ip netns exec "$ns" curl -sS -m 2 "$url" 2>&1
}

step "Build (release)"
cargo build --release --quiet -p privlink-dataplane -p privlink-control
for ns in $(ip netns list | awk '{print $1}' | grep '^pl-demo-'); do
    say "removing leftover namespace $ns from an earlier demo"
    ip netns del "$ns"
done

step "Start privlinkd (the AWS fabric)"
"$ROOT/target/release/privlinkd" --socket "$SOCK" --state-dir "$TMP/state" --aws-netns pl-demo-aws \
    --api-listen 127.0.0.1:0 >"$TMP/privlinkd.out" 2>"$TMP/privlinkd.log" &
PIDS+=($!)
for _ in $(seq 100); do grep -q "privlinkd ready" "$TMP/privlinkd.out" 2>/dev/null && break; sleep 0.1; done
grep -q "privlinkd ready" "$TMP/privlinkd.out" || { cat "$TMP/privlinkd.log"; exit 1; }
ok "privlinkd is up: socket $SOCK; the AWS-service network is netns pl-demo-aws"
if ((AWS_CLI)); then
    # shellcheck source=scripts/lib/demo_aws_cli.sh
    source "$ROOT/scripts/lib/demo_aws_cli.sh"
    exit 0
fi

step "Provider (account $PROVIDER): a VPC with an HTTP target in each of two AZs"
pl vpc create --name demo-provider --cidr 10.0.0.0/16 --netns pl-demo-provider
pl subnet create --vpc demo-provider --cidr 10.0.1.0/24 --az us-east-1a --name prov-a >/dev/null
pl subnet create --vpc demo-provider --cidr 10.0.2.0/24 --az us-east-1b --name prov-b >/dev/null
pl instance create --subnet prov-a --ip 10.0.1.10 --name target-a >/dev/null
pl instance create --subnet prov-b --ip 10.0.2.10 --name target-b >/dev/null
for t in a:10.0.1.10 b:10.0.2.10; do
    ip netns exec pl-demo-provider python3 "$ROOT/scripts/lib/whoami_http.py" "target-${t%%:*}" "${t#*:}" 8080 &
    PIDS+=($!)
done
say "HTTP servers run on 10.0.1.10:8080 (us-east-1a) and 10.0.2.10:8080 (us-east-1b) inside pl-demo-provider."

step "Provider: NLB → listener TCP/80 → target group, published as an endpoint service"
pl target-group create --name demo-web --vpc demo-provider --protocol TCP --port 8080 \
    --health-check-interval 5 --health-check-timeout 2 --healthy-threshold 2 >/dev/null
pl target-group register --target-group demo-web --targets 10.0.1.10,10.0.2.10
pl nlb create --name demo-nlb --subnets prov-a,prov-b
pl listener create --nlb demo-nlb --protocol TCP --port 80 --target-group demo-web >/dev/null
SERVICE_NAME=$(plj endpoint-service create --nlb demo-nlb --acceptance-required --name demo-svc \
    --private-dns-name api.demo.example |
    field 'd["ServiceConfiguration"]["ServiceName"]')
pl endpoint-service describe demo-svc
pl endpoint-service allow --service demo-svc --principal $ACCOUNT_A >/dev/null
pl endpoint-service allow --service demo-svc --principal $ACCOUNT_B >/dev/null
ok "service $SERVICE_NAME: acceptance required, private DNS name api.demo.example, accounts $ACCOUNT_A and $ACCOUNT_B allowed"

step "Consumers A ($ACCOUNT_A) and B ($ACCOUNT_B): both 10.0.0.0/16, the provider's CIDR too"
ACT=$ACCOUNT_A
pl vpc create --name demo-a --cidr 10.0.0.0/16 --netns pl-demo-a >/dev/null
pl subnet create --vpc demo-a --cidr 10.0.1.0/24 --az us-east-1a --name a-1a >/dev/null
pl instance create --subnet a-1a --ip 10.0.1.10 --name client-a >/dev/null
say "A's client is 10.0.1.10 — the very address of the provider's target-a. It does not matter."
pl endpoint create --vpc demo-a --service-name "$SERVICE_NAME" --subnets a-1a --ip-addresses 10.0.1.50 --name ep-a
ACT=$ACCOUNT_B
pl vpc create --name demo-b --cidr 10.0.0.0/16 --netns pl-demo-b >/dev/null
pl subnet create --vpc demo-b --cidr 10.0.2.0/24 --az us-east-1b --name b-1b >/dev/null
pl instance create --subnet b-1b --ip 10.0.2.10 --name client-b >/dev/null
pl endpoint create --vpc demo-b --service-name "$SERVICE_NAME" --subnets b-1b --ip-addresses 10.0.2.50 --name ep-b \
    --no-private-dns

step "Before acceptance: B's request goes nowhere"
if curl_in pl-demo-b http://10.0.2.50/; then
    blocked "unexpected: B got through while pendingAcceptance"
    exit 1
fi
blocked "timed out: the endpoint is pendingAcceptance, privlinkd drops its packets"
ACT=$PROVIDER
pl endpoint-service connections --service demo-svc

step "Provider accepts both connections"
EP_A=$(ACT=$ACCOUNT_A plj endpoint describe ep-a | field 'd["VpcEndpoints"][0]["VpcEndpointId"]')
EP_B=$(ACT=$ACCOUNT_B plj endpoint describe ep-b | field 'd["VpcEndpoints"][0]["VpcEndpointId"]')
pl endpoint-service accept --service demo-svc --endpoints "$EP_A,$EP_B"
pl endpoint-service connections --service demo-svc

step "NLB health checks: privlinkd probes each target from the NLB node of its zone"
ACT=$PROVIDER
for _ in $(seq 60); do
    [[ $(plj target-group health demo-web | field 'sum(t["TargetHealth"]["State"] == "healthy" for t in d["TargetHealthDescriptions"])') == 2 ]] && break
    sleep 0.25
done
pl target-group health demo-web

step "After acceptance: each consumer reaches the service through its own ENI"
curl_in pl-demo-a http://10.0.1.50/
curl_in pl-demo-b http://10.0.2.50/
ok "A (us-east-1a ENI) lands on target-a, B (us-east-1b ENI) on target-b: cross-zone is off"
B_NAME=$(ACT=$ACCOUNT_B plj endpoint describe ep-b | field 'd["VpcEndpoints"][0]["DnsEntries"][0]["DnsName"]')
say "Names come from the VPC resolver at 10.0.0.2 (privlinkd answers it; the namespaces' resolv.conf points there):"
curl_in pl-demo-a http://api.demo.example/
curl_in pl-demo-b "http://$B_NAME/"
printf '%s$ ip netns exec pl-demo-b getent hosts api.demo.example%s\n' "$dim" "$reset"
ip netns exec pl-demo-b getent hosts api.demo.example || say "(no answer: B created its endpoint with private DNS off)"
ok "A enabled private DNS, so the service's own name resolves to A's ENI inside A only"
ok "the targets saw the NLB nodes (10.0.1.254 / 10.0.2.254), never the clients' addresses"

step "The provider cannot open a connection to a consumer"
if curl_in pl-demo-provider http://10.0.1.254:1024/ || curl_in pl-demo-provider http://10.0.1.50/; then
    blocked "unexpected: the provider reached into a consumer"
    exit 1
fi
blocked "nothing answers: NLB node addresses only carry replies, consumers' addresses don't exist here"

step "Gateway endpoint: S3 from A's private subnet"
ip netns exec pl-demo-aws python3 "$ROOT/scripts/lib/whoami_http.py" s3-stand-in 198.51.100.10 80 &
PIDS+=($!)
sleep 0.3
ACT=$ACCOUNT_A
pl prefix-list list
if curl_in pl-demo-a http://s3.us-east-1.amazonaws.com/; then
    blocked "unexpected: S3 reachable without an endpoint"
    exit 1
fi
blocked "no route: a private subnet has no way to the S3 network"
pl endpoint create --vpc demo-a --service-name com.amazonaws.us-east-1.s3 --type Gateway --route-tables main --name s3-gw
pl route-table show main --vpc demo-a 2>/dev/null || pl describe route-tables
curl_in pl-demo-a http://s3.us-east-1.amazonaws.com/
ok "reachable now, and the service sees A's private address 10.0.1.10: a gateway endpoint translates nothing"

step "Look inside the fabric"
ACT=$PROVIDER
pl flows
pl stats
ACT=$ACCOUNT_B
pl trace --vpc demo-b --src 10.0.2.10 --dst 10.0.2.50 --dport 80
say ""
ok "demo complete"
