#!/usr/bin/env bash
# scripts/bench.sh — privlink against the Linux kernel's own NAT, side by side, in one run, on
# each of privlinkd's device backends.
#
# Labs with the same addressing shape are built in network namespaces named bk-<pid>-*:
#
#   kernel baseline   bk-<pid>-kc ──veth── bk-<pid>-kr ──veth── bk-<pid>-kt
#                     client 10.0.1.10     router: nftables     target 10.0.1.10:5201/5202/5203
#                                          dnat 10.0.1.50 → 10.0.1.10, snat → 10.0.2.100
#   privlink, once    bk-<pid>-<io>-c ──plink0── privlinkd --io <io> ──plink0── bk-<pid>-<io>-p
#   per backend       client 10.0.1.10     interface endpoint   target 10.0.1.10 behind an NLB
#   (tun, packet)                          ENI 10.0.1.50
#
# Both client and target CIDRs are 10.0.0.0/16 on every path (overlapping, as in PrivateLink).
# The kernel router tells the two 10.0.1.10s apart by policy routing on the ingress interface
# (link-local /30 transit subnets, `ip rule iif`), so no address is changed for the kernel's sake.
# The same target programs run on every path: iperf3 -s on :5201 (TCP and UDP), an echo server
# (scripts/bench/netload.py) on :5202, a UDP sink on :5203. The veths get the MTU privlinkd gives
# its devices and keep their default offloads (TSO/GSO/checksum), as privlinkd's devices do.
#
# Figures (client → ENI 10.0.1.50), each measured on every path, the path order rotating from
# round to round, R rounds; median, min–max, ratio privlink/kernel:
#   tcp1_gbps   iperf3 -t D, 1 stream: Gb/s received (end.sum_received)
#   tcp4_gbps   iperf3 -t D -P 4
#   udp64_pps   iperf3 -u -b 0 -l 64: datagrams delivered per second at full offered load,
#               receiver's view (packets − lost_packets over its seconds); the offered rate
#               (udp64_sent_pps) is shown too, so losses on the path are visible
#   udp64lf_pps the highest loss-free rate: iperf3 -u -l 64 -b <rate> for 2 s, bisected
#               (BENCH_LF_STEPS steps, 0 … BENCH_UDP_MAX_PPS; 4 MB socket buffers, so the
#               receiving program's own buffer is not the limit) for loss ≤ 0.1 %; the figure is the
#               delivered rate of the best passing step
#   udp1k_pps   1,000 concurrent UDP flows of 64 B (netload.py udpflood → udpsink on :5203):
#               delivered per second; no two consecutive datagrams share a flow, so coalescing
#               cannot help (udp1k_sent_pps: offered)
#   vpc100_pps  privlink only: 100 consumer VPCs (bk-<pid>-<io>-v1…100, each with its own
#               interface endpoint to the same service) send 64 B UDP at once, one flow each
#               (one netload.py udpflood with sockets in every namespace): delivered per second,
#               so the per-device cost shows beside udp1k (one device, 1,000 flows). The kernel lab
#               has a single client, so this figure has no kernel column. BENCH_VPCS sets the count.
#   conn_per_s  netload.py connrate: K processes each loop connect / send 1 B / read 1 B / close
#               (normal FIN, client closes first) for D seconds; completed connections per second.
#               Its ceiling (same programs over loopback inside one namespace) is measured first.
#   rr_p50_us / rr_p99_us   netload.py latency: one TCP_NODELAY connection, N 1-byte round trips
#               timed one by one with perf_counter_ns.
#   privlinkd CPU: utime+stime of privlinkd (/proc/<pid>/stat) during each privlink measurement,
#               in % of one core, and per unit of the figure (per Gb/s, per Mpps); the host's
#               overall busy % is recorded for every path.
# Output: progress lines, a table (one row per figure and backend), and
# bench-results/latest.json (all samples and summaries).
# The machine is measured as users have it: idle CPUs may halt (in a VM each halted-vCPU wake-up
# adds tens of µs to a round trip, on every path alike). --pm-qos holds /dev/cpu_dma_latency = 0
# (released on exit) for a run without that noise.
# Privlink samples also carry the device drops: frames the kernel could not queue to privlinkd
# (offered faster than it reads: `privlink stats` QueueDrops), which its own counters cannot see.
# The host's busy % with no bench traffic is sampled before and after (warning above 10%):
# other load on the machine makes every figure noisy, the latency figure most of all.
# Defaults: 3 rounds, D = 5 s, N = 20,000; --quick: 1 round, D = 2 s, N = 5,000.
# On a small machine everything (client, target, privlinkd, kernel softirqs) shares the same cores,
# so conn/s and UDP pps compare the whole system's CPU cost per connection / packet; compare
# conn/s with the reported generator ceiling before reading it as a forwarding limit.
#
# Usage (root):  sudo scripts/bench.sh [--quick] [--rounds N] [--duration S] [--out FILE]
#                    [--kernel-only] [--io tun,packet] [--workers N] [--offload on|off]
#                    [--no-build] [--figures tcp1,tcp4,udp64,udp64lf,udp1k,conn,rr] [--pm-qos]
#                    [--profile DIR]
# --profile DIR: `perf record -a -g` (cpu-clock where the VM has no PMU) runs through every
#   measurement, one file each (DIR/r<round>-<path>-<figure>.perf), and each sample line shows how
#   the host's CPU time split between commands (privlinkd's worker plink-w*, iperf3, python3,
#   idle = swapper). DIR/…perf.txt keeps that split and the top kernel and user symbols of each
#   command: where the time went when a figure is missed. Profiling slows the figures, the
#   kernel path's most (TCP 1 stream: 14 instead of 18 Gb/s on 2 cores): compare the splits,
#   not the figures of a profiled run.
# Env equivalents: BENCH_ROUNDS, BENCH_DURATION, BENCH_OUT, BENCH_QUICK=1, BENCH_KERNEL_ONLY=1,
#   BENCH_IO (tun,packet), BENCH_MTU (default 8500, privlinkd's default), BENCH_CONN_WORKERS
#   (max(8, 2×cores)), BENCH_RR_COUNT (20000), BENCH_PM_QOS=1 (same as --pm-qos),
#   BENCH_UDP_MAX_PPS (1500000), BENCH_LF_STEPS (7),
#   PRIVLINKD_WORKERS, PRIVLINKD_OFFLOAD, PRIVLINKD_ARGS (extra daemon flags, word-split),
#   BENCH_PRIVLINKD / BENCH_PRIVLINK (other binaries than target/release/*, e.g. with --no-build).
#
# Safety: nothing is added to the host namespace (veths are created directly inside the bench
# namespaces; privlinkd creates its devices inside its VPC namespaces and its own I/O namespace,
# bk-<pid>-<io>-aws-io); traffic is bounded in time and count and flows only between bench
# namespaces; on every exit path the script kills the processes it started (by PID / their own
# session) and deletes the namespaces named bk-<pid>-*.

set -Eeuo pipefail
shopt -s inherit_errexit

# ------------------------------------------------------------------------------- configuration
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPERS=$ROOT/scripts/bench
RUN=bk-$$
NS_KC=$RUN-kc NS_KR=$RUN-kr NS_KT=$RUN-kt           # kernel lab: client, router, target
NAME=bk$$                                           # privlink Name-tag prefix (one lab per daemon)

CLIENT_IP=10.0.1.10 TARGET_IP=10.0.1.10 ENI_IP=10.0.1.50 KERNEL_NLB_IP=10.0.2.100
IPERF_PORT=5201 ECHO_PORT=5202 FLOOD_PORT=5203

ROUNDS=${BENCH_ROUNDS:-}                            # empty: 3, or 1 with --quick
DURATION=${BENCH_DURATION:-}                        # empty: 5 s, or 2 s with --quick
OUT=${BENCH_OUT:-$ROOT/bench-results/latest.json}
QUICK=${BENCH_QUICK:-0}
KERNEL_ONLY=${BENCH_KERNEL_ONLY:-0}
BUILD=1
PM_QOS=${BENCH_PM_QOS:-0}
IFS=, read -r -a IOS <<<"${BENCH_IO:-tun,packet}"   # privlinkd --io backends, one lab each
UDP_MAX_PPS=${BENCH_UDP_MAX_PPS:-1500000}
LF_STEPS=${BENCH_LF_STEPS:-7}
PM_QOS_HELD=false
MTU=${BENCH_MTU:-8500}
CONN_WORKERS=${BENCH_CONN_WORKERS:-$(($(nproc) > 4 ? 2 * $(nproc) : 8))}
RR_COUNT=${BENCH_RR_COUNT:-}                        # empty: 20,000, or 5,000 with --quick
WORKERS=${PRIVLINKD_WORKERS:-}
OFFLOAD=${PRIVLINKD_OFFLOAD:-}
EXTRA_DAEMON_ARGS=${PRIVLINKD_ARGS:-}
PROFILE_DIR=""          # --profile: where the perf recording of each measurement goes

PRIVLINKD=${BENCH_PRIVLINKD:-$ROOT/target/release/privlinkd}
PRIVLINK=${BENCH_PRIVLINK:-$ROOT/target/release/privlink}

TMP=""                 # per-run scratch directory (socket, state, logs, samples)
STARTED_PIDS=()        # every background process this script started, in start order
PERF_PID=""            # the running `perf record` of --profile
declare -A PLD_PID      # privlinkd of each backend
declare -A DAEMON_ARGS  # the flags each privlinkd was started with (for the report)
CUR_IO=""               # the backend whose privlinkd `pl` talks to
SAMPLES=""             # JSONL of every measurement
FAILURES=()            # measurements that failed ("round N path figure")
BACKGROUND=()          # host busy % with no bench traffic, before and after the measurements
FIGURES=(tcp1 tcp4 udp64 udp64lf udp1k vpc100 conn rr)   # measure_<name>, in the order of a round
VPCS=${BENCH_VPCS:-100}             # consumer VPCs of the vpc100 figure
declare -A SERVICE_NAME             # the endpoint service of each backend's lab
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------------------------- messages
log() { printf '%s\n' "$*" >&2; }
step() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'bench.sh: error: %s\n' "$*" >&2
    exit 1
}
on_error() {
    local rc=$1 line=$2 cmd=$3
    printf 'bench.sh: error: line %s: command failed (exit %s): %s\n' "$line" "$rc" "$cmd" >&2
}
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

parse_args() {
    while (($#)); do
        case $1 in
        --quick) QUICK=1 ;;
        --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
        --duration) DURATION=${2:?--duration needs seconds}; shift ;;
        --out) OUT=${2:?--out needs a file}; shift ;;
        --kernel-only) KERNEL_ONLY=1 ;;
        --workers) WORKERS=${2:?--workers needs a number}; shift ;;
        --offload) OFFLOAD=${2:?--offload needs on or off}; shift ;;
        --no-build) BUILD=0 ;;
        --no-pm-qos) PM_QOS=0 ;;
        --pm-qos) PM_QOS=1 ;;
        --io) IFS=, read -r -a IOS <<<"${2:?--io needs a list (tun,packet)}"; shift ;;
        --figures) IFS=, read -r -a FIGURES <<<"${2:?--figures needs a list}"; shift ;;
        --profile) PROFILE_DIR=${2:?--profile needs a directory}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
        esac
        shift
    done
    # --quick only changes what was not given explicitly
    if ((QUICK)); then
        : "${ROUNDS:=1}" "${DURATION:=2}" "${RR_COUNT:=5000}"
    else
        : "${ROUNDS:=3}" "${DURATION:=5}" "${RR_COUNT:=20000}"
    fi
    [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer, got '$ROUNDS'"
    [[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "--duration must be a positive integer (seconds), got '$DURATION'"
    [[ $RR_COUNT =~ ^[1-9][0-9]*$ ]] || die "BENCH_RR_COUNT must be a positive integer, got '$RR_COUNT'"
    [[ $CONN_WORKERS =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONN_WORKERS must be a positive integer, got '$CONN_WORKERS'"
    [[ -z $WORKERS || $WORKERS =~ ^[0-9]+$ ]] || die "--workers must be a number, got '$WORKERS'"
    [[ -z $OFFLOAD || $OFFLOAD == on || $OFFLOAD == off ]] || die "--offload must be on or off, got '$OFFLOAD'"
    local f
    for f in "${FIGURES[@]}"; do
        [[ $f =~ ^(tcp1|tcp4|udp64|udp64lf|udp1k|vpc100|conn|rr)$ ]] ||
            die "unknown figure '$f' in --figures (tcp1,tcp4,udp64,udp64lf,udp1k,vpc100,conn,rr)"
    done
    for f in "${IOS[@]}"; do
        [[ $f =~ ^(tun|packet)$ ]] || die "unknown backend '$f' in --io (tun,packet)"
    done
    [[ $UDP_MAX_PPS =~ ^[1-9][0-9]*$ ]] || die "BENCH_UDP_MAX_PPS must be a positive integer"
    [[ $LF_STEPS =~ ^[1-9][0-9]*$ ]] || die "BENCH_LF_STEPS must be a positive integer"
    [[ $VPCS =~ ^[1-9][0-9]*$ ]] || die "BENCH_VPCS must be a positive integer"
}

# ----------------------------------------------------------------------------- prerequisites
require_root() {
    ((EUID == 0)) || die "must run as root (network namespaces, nftables): sudo $0"
}

install_deps() {
    local missing=()
    command -v iperf3 >/dev/null || missing+=(iperf3)
    command -v nft >/dev/null || missing+=(nftables)
    command -v python3 >/dev/null || missing+=(python3)
    [[ -z $PROFILE_DIR ]] || command -v perf >/dev/null || missing+=(linux-perf)
    ((${#missing[@]})) || return 0
    step "installing ${missing[*]}"
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed"
}

# The user who owns the checkout: cargo runs as them, so target/ keeps its owner under sudo.
checkout_owner() { stat -c %U "$ROOT"; }

find_cargo() {
    local home
    home=$(getent passwd "$1" | cut -d: -f6)
    if [[ -x $home/.cargo/bin/cargo ]]; then
        echo "$home/.cargo/bin/cargo"
    elif command -v cargo; then
        :
    else
        die "cargo not found (neither in ~$1/.cargo/bin nor on PATH)"
    fi
}

build_privlink() {
    local owner cargo cmd
    owner=$(checkout_owner)
    cargo=$(find_cargo "$owner")
    cmd=("$cargo" build --release -p privlink-dataplane -p privlink-control)
    if [[ $owner != root ]]; then
        cmd=(sudo -u "$owner" -H env "PATH=$(dirname "$cargo"):$PATH" "${cmd[@]}")
    fi
    step "building privlink (release) as $owner"
    (cd "$ROOT" && "${cmd[@]}") ||
        die "'cargo build --release -p privlink-dataplane -p privlink-control' failed (use --kernel-only to run the baseline alone)"
    [[ -x $PRIVLINKD && -x $PRIVLINK ]] ||
        die "the build did not produce $PRIVLINKD and $PRIVLINK (use --kernel-only to run the baseline alone)"
}

# ---------------------------------------------------------------------------- process control
# Starts "$@" in the background in its own session and remembers its PID; output → $TMP/<name>.log.
# setsid does not fork here (a background job is not a group leader), so $! is the program itself.
start_bg() {
    local name=$1
    shift
    setsid "$@" >"$TMP/$name.log" 2>&1 &
    STARTED_PIDS+=("$!")
}

stop_started() {
    local pid i
    for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${STARTED_PIDS[i]}
        kill -0 "$pid" 2>/dev/null || continue
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
        for _ in {1..50}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    STARTED_PIDS=()
}

our_namespaces() {
    ip netns list | awk '{print $1}' | grep -E "^${RUN}-" || true
}

cleanup() {
    local rc=$?
    set +e
    trap - ERR
    stop_started
    local ns
    for ns in $(our_namespaces); do
        ip netns pids "$ns" 2>/dev/null | grep -q . && log "warning: processes still in $ns: $(ip netns pids "$ns" | tr '\n' ' ')"
        ip netns del "$ns" || log "warning: could not delete namespace $ns"
    done
    [[ -n $TMP && -d $TMP ]] && rm -rf "$TMP"
    if [[ -n $(our_namespaces) ]]; then
        log "warning: namespaces left behind: $(our_namespaces | tr '\n' ' ')"
    fi
    exit "$rc"
}

# --------------------------------------------------------------------------------- kernel lab
ns_add() {
    ip netns add "$1" || die "ip netns add $1 failed"
    ip -n "$1" link set lo up
}

client_sysctls() {
    ip netns exec "$1" sysctl -qw net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65535" ||
        die "setting tcp_tw_reuse / ip_local_port_range in $1 failed"
}

# An "instance": its address on lo, a veth to the router at 169.254.<n>.0/30, default route out
# through it with the instance address as source (like plink0 in a privlink VPC namespace).
kernel_host_side() {
    local ns=$1 n=$2 ip=$3
    ip -n "$ns" addr add "$ip/32" dev lo
    ip -n "$ns" addr add "169.254.$n.2/30" dev eth0
    ip -n "$ns" link set eth0 mtu "$MTU" up
    ip -n "$ns" route add default via "169.254.$n.1" dev eth0 src "$ip"
}

kernel_nat_rules() {
    ip netns exec "$NS_KR" nft -f - <<EOF || die "loading the nftables NAT rules in $NS_KR failed"
table ip bench {
    chain pre {
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr $ENI_IP dnat to $TARGET_IP
    }
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        oif "rt" snat to $KERNEL_NLB_IP
    }
}
EOF
}

setup_kernel_lab() {
    step "kernel lab: $NS_KC → $NS_KR (nftables DNAT $ENI_IP → $TARGET_IP, SNAT → $KERNEL_NLB_IP) → $NS_KT, MTU $MTU"
    local ns
    for ns in "$NS_KC" "$NS_KR" "$NS_KT"; do ns_add "$ns"; done
    ip netns exec "$NS_KR" sysctl -qw net.ipv4.ip_forward=1 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    ip -n "$NS_KR" link add rc type veth peer name eth0 netns "$NS_KC"
    ip -n "$NS_KR" link add rt type veth peer name eth0 netns "$NS_KT"
    ip -n "$NS_KR" addr add 169.254.1.1/30 dev rc
    ip -n "$NS_KR" addr add 169.254.2.1/30 dev rt
    ip -n "$NS_KR" link set rc mtu "$MTU" up
    ip -n "$NS_KR" link set rt mtu "$MTU" up
    kernel_host_side "$NS_KC" 1 "$CLIENT_IP"
    kernel_host_side "$NS_KT" 2 "$TARGET_IP"
    # Client and target are both 10.0.1.10: the ingress interface picks the side.
    ip -n "$NS_KR" route add "$TARGET_IP/32" via 169.254.2.2 dev rt table 101
    ip -n "$NS_KR" route add "$CLIENT_IP/32" via 169.254.1.2 dev rc table 102
    ip -n "$NS_KR" rule add iif rc lookup 101 pref 1000
    ip -n "$NS_KR" rule add iif rt lookup 102 pref 1001
    kernel_nat_rules
    client_sysctls "$NS_KC"
}

# ------------------------------------------------------------------------------- privlink lab
# Namespaces of backend IO's lab: client (consumer VPC), target (provider VPC), AWS network.
ns_c() { echo "$RUN-$1-c"; }
ns_p() { echo "$RUN-$1-p"; }
ns_aws() { echo "$RUN-$1-aws"; }

# The client / target namespace of a path (kernel, or a backend's lab).
client_ns() { if [[ $1 == kernel ]]; then echo "$NS_KC"; else ns_c "$1"; fi; }
target_ns() { if [[ $1 == kernel ]]; then echo "$NS_KT"; else ns_p "$1"; fi; }

pl() {
    local out
    if ! out=$("$PRIVLINK" --socket "$TMP/$CUR_IO/sock" -o json "$@" 2>&1); then
        log "$out"
        die "privlink $* failed"
    fi
    printf '%s\n' "$out"
}

# json_get KEY.PATH.0.FIELD < json
json_get() {
    python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$1"
}

daemon_supports() { "$PRIVLINKD" --help 2>&1 | grep -q -- "$1"; }

start_privlinkd() {
    local io=$1
    CUR_IO=$io
    mkdir -p "$TMP/$io"
    local args=(--socket "$TMP/$io/sock" --state-dir "$TMP/$io/state" --aws-netns "$(ns_aws "$io")")
    daemon_supports --io || die "privlinkd has no --io flag (a build from before the packet backend)"
    args+=(--io "$io")
    if [[ -n $WORKERS ]]; then
        daemon_supports --workers || die "privlinkd has no --workers flag"
        args+=(--workers "$WORKERS")
    fi
    if [[ -n $OFFLOAD ]]; then
        daemon_supports --offload || die "privlinkd has no --offload flag"
        args+=(--offload "$OFFLOAD")
    fi
    daemon_supports --mtu && args+=(--mtu "$MTU")
    daemon_supports --api-listen && args+=(--api-listen off)
    # shellcheck disable=SC2206 # PRIVLINKD_ARGS is a word list on purpose
    args+=($EXTRA_DAEMON_ARGS)
    mkdir -p "$TMP/$io/state"
    step "starting privlinkd ${args[*]}"
    start_bg "privlinkd-$io" "$PRIVLINKD" "${args[@]}"
    PLD_PID[$io]=${STARTED_PIDS[-1]}
    DAEMON_ARGS[$io]=${args[*]}
    for _ in {1..100}; do
        [[ -S $TMP/$io/sock ]] && return 0
        if ! kill -0 "${PLD_PID[$io]}" 2>/dev/null; then
            tail -n 20 "$TMP/privlinkd-$io.log" >&2
            die "privlinkd exited during start-up: $PRIVLINKD ${args[*]}"
        fi
        sleep 0.1
    done
    tail -n 20 "$TMP/privlinkd-$io.log" >&2
    die "privlinkd did not open its control socket $TMP/$io/sock within 10 s"
}

# The privlink side of the lab, written against the CLI in shared/ARCHITECTURE.md. Resources
# are referred to by Name tag; only the service name has to be read back. Adjust here when the
# CLI changes.
setup_privlink() {
    local io=$1
    CUR_IO=$io
    local ns_c ns_p
    ns_c=$(ns_c "$io") ns_p=$(ns_p "$io")
    step "privlink lab ($io): $ns_c → interface endpoint $ENI_IP → NLB → $ns_p target $TARGET_IP"
    local p=${NAME}p c=${NAME}c svc_json service_name
    # provider: targets in 10.0.1.0/24, the NLB node in 10.0.2.0/24 (same AZ, one NLB subnet);
    # listeners TCP+UDP :5201 (iperf3) and TCP :5202 (echo), each with its own target group
    pl vpc create --name "$p" --cidr 10.0.0.0/16 --netns "$ns_p" >/dev/null
    pl subnet create --vpc "$p" --cidr 10.0.1.0/24 --az us-east-1a --name "$p-targets" >/dev/null
    pl subnet create --vpc "$p" --cidr 10.0.2.0/24 --az us-east-1a --name "$p-nlb" >/dev/null
    pl instance create --subnet "$p-targets" --ip "$TARGET_IP" --name "$p-target" >/dev/null
    pl nlb create --name "$NAME-nlb" --subnets "$p-nlb" >/dev/null
    local listener proto port tg
    for listener in "TCP $IPERF_PORT" "UDP $IPERF_PORT" "TCP $ECHO_PORT" "UDP $FLOOD_PORT"; do
        read -r proto port <<<"$listener"
        tg=$NAME-${proto,,}$port
        pl target-group create --name "$tg" --vpc "$p" --protocol "$proto" --port "$port" >/dev/null
        pl target-group register --target-group "$tg" --targets "$TARGET_IP" >/dev/null
        pl listener create --nlb "$NAME-nlb" --protocol "$proto" --port "$port" --target-group "$tg" >/dev/null
    done
    svc_json=$(pl endpoint-service create --nlb "$NAME-nlb")
    service_name=$(json_get ServiceConfiguration.ServiceName <<<"$svc_json") ||
        die "no ServiceConfiguration.ServiceName in: $svc_json"
    # consumer
    pl vpc create --name "$c" --cidr 10.0.0.0/16 --netns "$ns_c" >/dev/null
    pl subnet create --vpc "$c" --cidr 10.0.1.0/24 --az us-east-1a --name "$c-a" >/dev/null
    pl instance create --subnet "$c-a" --ip "$CLIENT_IP" --name "$c-client" >/dev/null
    pl endpoint create --vpc "$c" --service-name "$service_name" --subnets "$c-a" \
        --ip-addresses "$ENI_IP" >/dev/null
    client_sysctls "$ns_c"
    check_device_mtu "$ns_c"
    SERVICE_NAME[$io]=$service_name
    if [[ " ${FIGURES[*]} " == *" vpc100 "* ]]; then setup_many_consumers "$io"; fi
}

many_ns() { echo "$RUN-$1-v$2"; }

# VPCS more consumer VPCs in backend IO's lab, each with an instance and an endpoint.
setup_many_consumers() {
    local io=$1 i v
    CUR_IO=$io
    step "privlink lab ($io): $VPCS more consumer VPCs with an endpoint each, for vpc100"
    for ((i = 1; i <= VPCS; i++)); do
        v=${NAME}v$i
        pl vpc create --name "$v" --cidr 10.0.0.0/16 --netns "$(many_ns "$io" "$i")" >/dev/null
        pl subnet create --vpc "$v" --cidr 10.0.1.0/24 --az us-east-1a --name "$v-a" >/dev/null
        pl instance create --subnet "$v-a" --ip "$CLIENT_IP" --name "$v-client" >/dev/null
        pl endpoint create --vpc "$v" --service-name "${SERVICE_NAME[$io]}" --subnets "$v-a" \
            --ip-addresses "$ENI_IP" >/dev/null
    done
}

check_device_mtu() {
    local mtu
    mtu=$(ip -n "$1" -o link show plink0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p') ||
        die "no plink0 in $1"
    [[ $mtu == "$MTU" ]] || log "warning: plink0 MTU is $mtu, kernel lab veths use $MTU (set BENCH_MTU=$mtu)"
}

# ---------------------------------------------------------------------------- target programs
start_servers() {
    local tag=$1 ns=$2 nproc
    nproc=$(nproc)
    start_bg "iperf3-$tag" ip netns exec "$ns" iperf3 -s -B "$TARGET_IP" -p "$IPERF_PORT"
    start_bg "echo-$tag" ip netns exec "$ns" python3 "$HELPERS/netload.py" serve \
        --bind "$TARGET_IP" --port "$ECHO_PORT" --procs $((CONN_WORKERS + 2 * nproc))
}

# Waits until the client namespace reaches both servers through the ENI address.
wait_path_ready() {
    local path=$1 ns=$2
    for _ in {1..100}; do
        if ip netns exec "$ns" python3 "$HELPERS/netload.py" latency --dst "$ENI_IP" --port "$ECHO_PORT" \
            --count 10 --warmup 0 >/dev/null 2>&1 &&
            timeout 5 ip netns exec "$ns" iperf3 -c "$ENI_IP" -p "$IPERF_PORT" -n 1K >/dev/null 2>&1; then
            log "    $path path ready"
            return 0
        fi
        sleep 0.2
    done
    die "$path path: $ns cannot reach $ENI_IP:$ECHO_PORT and :$IPERF_PORT after 20 s"
}

# Host busy % over one quiet second with nothing of ours running: other load on the machine
# (builds, tests) makes every figure noisy, and the latency figure most of all.
background_busy() {
    local h0 t0 h1 t1
    read -r h0 t0 < <(host_jiffies)
    sleep 1
    read -r h1 t1 < <(host_jiffies)
    awk -v b=$((h1 - h0)) -v t=$((t1 - t0)) 'BEGIN{printf "%.0f", t ? 100*b/t : 0}'
}

check_background() {
    local when=$1 busy
    busy=$(background_busy)
    BACKGROUND+=("\"$when\": $busy")
    if ((busy > 10)); then
        log "warning: the host is ${busy}% busy $when the measurements without any bench traffic:"
        log "         other load makes the figures noisy (latency most); prefer a quiet machine"
    else
        log "    background load $when: ${busy}%"
    fi
}

# Keeps idle CPUs out of deep idle for the measurements (see scripts/bench/cpu_latency.py);
# the kernel drops the request when the helper exits.
hold_cpu_latency() {
    ((PM_QOS)) || return 0
    start_bg cpu-latency python3 "$HELPERS/cpu_latency.py"
    sleep 0.2
    if kill -0 "${STARTED_PIDS[-1]}" 2>/dev/null; then
        PM_QOS_HELD=true
        log "    holding /dev/cpu_dma_latency = 0 for the run (--pm-qos)"
    else
        log "warning: $(cat "$TMP/cpu-latency.log") — measuring without a CPU latency request"
    fi
}

# ------------------------------------------------------------------------------- measurements
# Each measure_* runs in the given client namespace and prints "<figure> <value>" lines. On
# failure it says why on stderr and returns non-zero; run_figure records the failure and the
# run goes on (a broken path must not cost the other path's figures).
fail() {
    log "    $*"
    return 1
}

iperf_client() {
    local ns=$1 out=$2
    shift 2
    if ! timeout $((DURATION + 20)) ip netns exec "$ns" iperf3 -c "$ENI_IP" -p "$IPERF_PORT" \
        -t "$DURATION" -J "$@" >"$out"; then
        fail "iperf3 -c $ENI_IP -p $IPERF_PORT -t $DURATION -J $* (in $ns) failed: $(python3 "$HELPERS/report.py" json-field "$out" error 2>/dev/null)"
    fi
}

# report FIGURE SUBCOMMAND ARGS…: prints "FIGURE <number extracted by report.py>".
report() {
    local figure=$1 value
    shift
    value=$(python3 "$HELPERS/report.py" "$@") || fail "report.py $* failed" || return 1
    echo "$figure $value"
}

measure_tcp1() {
    iperf_client "$1" "$TMP/iperf.json" -P 1 || return 1
    report tcp1_gbps iperf-tcp "$TMP/iperf.json"
}

measure_tcp4() {
    iperf_client "$1" "$TMP/iperf.json" -P 4 || return 1
    report tcp4_gbps iperf-tcp "$TMP/iperf.json"
}

measure_udp64() {
    iperf_client "$1" "$TMP/iperf.json" -u -b 0 -l 64 || return 1
    report udp64_pps iperf-udp "$TMP/iperf.json" || return 1
    report udp64_sent_pps iperf-udp-sent "$TMP/iperf.json"
}

# The highest rate of 64-byte datagrams the path delivers with loss ≤ 0.1 %: LF_STEPS steps of
# bisection over 0 … UDP_MAX_PPS, 2 s each; the delivered rate of the best passing step.
measure_udp64lf() {
    local ns=$1 lo=0 hi=$UDP_MAX_PPS mid best=0 step line delivered loss
    for ((step = 0; step < LF_STEPS; step++)); do
        mid=$(((lo + hi) / 2))
        ((mid > 0)) || break
        timeout 30 ip netns exec "$ns" iperf3 -c "$ENI_IP" -p "$IPERF_PORT" -t 2 -J -u -l 64 -w 4M \
            -b $((mid * 64 * 8)) >"$TMP/iperf.json" ||
            fail "iperf3 -u -l 64 -b $((mid * 512)) (in $ns) failed" || return 1
        line=$(python3 "$HELPERS/report.py" iperf-udp-loss "$TMP/iperf.json") || fail "report.py iperf-udp-loss failed" || return 1
        read -r delivered loss <<<"$line"
        if awk -v l="$loss" 'BEGIN{exit !(l <= 0.001)}'; then
            lo=$mid
            best=$(awk -v d="$delivered" -v b="$best" 'BEGIN{print (d > b) ? d : b}')
        else
            hi=$mid
        fi
    done
    echo "udp64lf_pps $best"
}

# udp_flood FIGURE PATH FLOWS NS[,NS…]: one netload.py udpflood sends 64-byte UDP for DURATION
# s from FLOWS sockets in each namespace of the list into a sink on the path's target :5203;
# prints "FIGURE_pps <delivered/s>" and "FIGURE_sent_pps <offered/s>".
udp_flood() {
    local figure=$1 path=$2 flows=$3 list=$4 sink out=$TMP/flood.json
    start_bg udpsink ip netns exec "$(target_ns "$path")" python3 "$HELPERS/netload.py" udpsink \
        --bind "$TARGET_IP" --port "$FLOOD_PORT" --duration $((DURATION + 2))
    sink=${STARTED_PIDS[-1]}
    sleep 0.5
    timeout $((DURATION + 30)) python3 "$HELPERS/netload.py" udpflood --dst "$ENI_IP" --port "$FLOOD_PORT" \
        --flows "$flows" --size 64 --duration "$DURATION" --netns "$list" >"$out" ||
        fail "netload.py udpflood --dst $ENI_IP --port $FLOOD_PORT --netns $list failed: $(cat "$out")" || return 1
    wait "$sink" || fail "netload.py udpsink (in $(target_ns "$path")) failed: $(cat "$TMP/udpsink.log")" || return 1
    report "${figure}_pps" flood-delivered "$TMP/udpsink.log" "$out" || return 1
    report "${figure}_sent_pps" json-field "$out" sent_per_s
}

# 1,000 concurrent 64-byte UDP flows from the client namespace.
measure_udp1k() {
    udp_flood udp1k "$2" 1000 "$1"
}

# 64-byte UDP from VPCS consumer VPCs at once, one flow each (privlink paths only).
measure_vpc100() {
    local path=$2 list i
    [[ $path == kernel ]] && return 0
    list=$(for ((i = 1; i <= VPCS; i++)); do printf '%s,' "$(many_ns "$path" "$i")"; done)
    udp_flood vpc100 "$path" 1 "${list%,}"
}

# connrate NS OUT DST: netload.py connrate for DURATION seconds, its JSON result in OUT.
connrate() {
    local ns=$1 out=$2 dst=$3
    timeout $((DURATION + 20)) ip netns exec "$ns" python3 "$HELPERS/netload.py" connrate \
        --dst "$dst" --port "$ECHO_PORT" --duration "$DURATION" --workers "$CONN_WORKERS" >"$out" ||
        fail "netload.py connrate --dst $dst --port $ECHO_PORT (in $ns) failed: $(cat "$out")"
}

measure_conn() {
    connrate "$1" "$TMP/conn.json" "$ENI_IP" || return 1
    report conn_per_s json-field "$TMP/conn.json" conns_per_s
}

measure_rr() {
    local out=$TMP/rr.json
    timeout 120 ip netns exec "$1" python3 "$HELPERS/netload.py" latency --dst "$ENI_IP" \
        --port "$ECHO_PORT" --count "$RR_COUNT" >"$out" ||
        fail "netload.py latency --dst $ENI_IP --port $ECHO_PORT (in $1) failed: $(cat "$out")" || return 1
    report rr_p50_us json-field "$out" p50_us || return 1
    report rr_p99_us json-field "$out" p99_us
}

# "busy total" jiffies of the whole host (user..steal), from the first line of /proc/stat.
host_jiffies() {
    awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat
}

# utime+stime of backend IO's privlinkd (all threads) in clock ticks; 0 when it is not running.
privlinkd_ticks() {
    local pid=${PLD_PID[$1]:-}
    if [[ -n $pid && -r /proc/$pid/stat ]]; then
        sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}'
    else
        echo 0
    fi
}

require_privlinkd_alive() {
    kill -0 "${PLD_PID[$1]}" 2>/dev/null && return 0
    tail -n 20 "$TMP/privlinkd-$1.log" >&2
    die "privlinkd --io $1 (pid ${PLD_PID[$1]}) exited during the run; its log ends above"
}

# Frames the kernel dropped on their way to backend IO's privlinkd (offered faster than it
# read them): the QueueDrops of `privlink stats`, which privlinkd's own counters cannot see.
device_drops() {
    CUR_IO=$1
    pl stats | python3 -c 'import json,sys; print(sum(d.get("QueueDrops", 0) for d in json.load(sys.stdin)["Stats"]["Devices"]))'
}

# record ROUND PATH FIGURE VALUE CPU HOST DROPS [ERROR]: appends one sample line to $SAMPLES.
record() {
    local error=null
    [[ -n ${8:-} ]] && error=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$8")
    printf '{"figure":"%s","path":"%s","round":%d,"value":%s,"privlinkd_cpu_pct":%s,"host_busy_pct":%s,"tun_tx_dropped":%s,"error":%s}\n' \
        "$3" "$2" "$1" "$4" "$5" "$6" "$7" "$error" >>"$SAMPLES"
}

# profile_start NAME: with --profile, starts `perf record -a -g` into $PROFILE_DIR/NAME.perf.
profile_start() {
    [[ -n $PROFILE_DIR ]] || return 0
    start_bg perf perf record -a -g -F 499 -o "$PROFILE_DIR/$1.perf"
    PERF_PID=${STARTED_PIDS[-1]}
}

# profile_stop NAME: ends that recording (in this shell: it waits for perf to finish the file)
# and writes NAME.perf.txt: the CPU split by command, then each command's symbols above 0.5 %.
profile_stop() {
    local data=$PROFILE_DIR/$1.perf
    kill -INT "$PERF_PID" 2>/dev/null
    wait "$PERF_PID" 2>/dev/null || true
    {
        perf report -i "$data" --no-children --sort comm --stdio -g none 2>/dev/null
        perf report -i "$data" --no-children --sort comm,dso,sym --percent-limit 0.5 --stdio -g none 2>/dev/null
    } >"$data.txt"
}

# run_figure ROUND PATH MEASURE_FN: runs one measurement, records its sample(s) with CPU figures.
run_figure() {
    local round=$1 path=$2 fn=$3 ns
    ns=$(client_ns "$path")
    local t0 t1 p0 p1 h0 h1 tot0 tot1 d0=0 d1=0 cpu=null drops=null host figure value extra=""
    local profile=r$round-$path-${fn#measure_} ok=true
    [[ $path != kernel ]] && d0=$(device_drops "$path")
    profile_start "$profile"
    read -r h0 tot0 < <(host_jiffies)
    p0=$(privlinkd_ticks "$path")
    t0=$EPOCHREALTIME
    "$fn" "$ns" "$path" >"$TMP/values" 2>"$TMP/errors" || ok=false
    t1=$EPOCHREALTIME
    p1=$(privlinkd_ticks "$path")
    read -r h1 tot1 < <(host_jiffies)
    if [[ -n $PROFILE_DIR ]]; then
        profile_stop "$profile"
        log "    $path ${fn#measure_} CPU by command: $(python3 "$HELPERS/report.py" perf-split <"$PROFILE_DIR/$profile.perf.txt")"
    fi
    if ! $ok; then
        cat "$TMP/errors" >&2
        [[ $path != kernel ]] && require_privlinkd_alive "$path"
        FAILURES+=("round $round $path ${fn#measure_}")
        record "$round" "$path" "${fn#measure_}" null null null null "$(tr '\n' ' ' <"$TMP/errors")"
        log "    $path ${fn#measure_}: FAILED (recorded, continuing)"
        return 0
    fi
    [[ $path != kernel ]] && d1=$(device_drops "$path")
    host=$(awk -v b=$((h1 - h0)) -v t=$((tot1 - tot0)) 'BEGIN{printf "%.1f", t ? 100*b/t : 0}')
    if [[ $path != kernel ]]; then
        cpu=$(awk -v d=$((p1 - p0)) -v hz="$CLK_TCK" -v s="$t0" -v e="$t1" 'BEGIN{printf "%.1f", 100*d/hz/(e-s)}')
        drops=$((d1 - d0))
        extra="  privlinkd $cpu% of a core, device drops $drops"
    fi
    while read -r figure value; do
        record "$round" "$path" "$figure" "$value" "$cpu" "$host" "$drops"
        log "$(printf '    %-8s %-14s %12s   host busy %5s%%%s' "$path" "$figure" "$value" "$host" "$extra")"
    done <"$TMP/values"
}

run_rounds() {
    local round name paths path all=(kernel) i n
    ((KERNEL_ONLY)) || all+=("${IOS[@]}")
    n=${#all[@]}
    for ((round = 1; round <= ROUNDS; round++)); do
        paths=()
        for ((i = 0; i < n; i++)); do paths+=("${all[(i + round - 1) % n]}"); done
        for name in "${FIGURES[@]}"; do
            step "round $round/$ROUNDS: $name (${paths[*]})"
            for path in "${paths[@]}"; do run_figure "$round" "$path" "measure_$name"; done
        done
    done
}

# Connection-rate ceiling of the load generator itself: the same client and server over loopback
# inside the kernel lab's target namespace (no forwarding at all).
measure_ceiling() {
    step "load generator ceiling: connrate over loopback in $NS_KT ($CONN_WORKERS workers, ${DURATION}s)"
    client_sysctls "$NS_KT"
    connrate "$NS_KT" "$TMP/ceiling.json" "$TARGET_IP" || die "the load generator does not work over loopback"
    log "    ceiling: $(python3 "$HELPERS/report.py" json-field "$TMP/ceiling.json" conns_per_s) conn/s"
}

# ------------------------------------------------------------------------------------- report
json_bool() { if (($1)); then echo true; else echo false; fi; }

config_json() {
    printf '{"rounds": %d, "duration_s": %d, "quick": %s, "kernel_only": %s, "mtu": %d, ' \
        "$ROUNDS" "$DURATION" "$(json_bool "$QUICK")" "$(json_bool "$KERNEL_ONLY")" "$MTU"
    printf '"cpu_dma_latency_0": %s, "conn_workers": %d, "rr_count": %d, "figures": "%s"}' \
        "$PM_QOS_HELD" "$CONN_WORKERS" "$RR_COUNT" "${FIGURES[*]}"
}

write_report() {
    local io metas=() args=()
    if ((!KERNEL_ONLY)); then
        for io in "${IOS[@]}"; do
            "$PRIVLINK" --socket "$TMP/$io/sock" -o json stats >"$TMP/stats-$io.json" 2>/dev/null ||
                rm -f "$TMP/stats-$io.json"
            metas+=(--meta-json "privlink_stats_$io=$TMP/stats-$io.json")
            args+=("$io: ${DAEMON_ARGS[$io]}")
        done
    fi
    mkdir -p "$(dirname "$OUT")"
    local git
    git=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    echo
    python3 "$HELPERS/report.py" summarize --samples "$SAMPLES" --out "$OUT" \
        --meta "date=$(date -Iseconds)" --meta "git_commit=$git" \
        --meta "config=$(config_json)" \
        --meta "privlinkd_args=$(IFS=';'; echo "${args[*]:-}")" \
        --meta "background_busy_pct={$(IFS=,; echo "${BACKGROUND[*]}")}" \
        --meta "kernel_lab=client $CLIENT_IP -> router nftables dnat $ENI_IP -> $TARGET_IP, snat -> $KERNEL_NLB_IP; veth MTU $MTU; policy routing by ingress interface" \
        --meta-json "conn_generator_ceiling=$TMP/ceiling.json" \
        "${metas[@]}"
    echo "load generator ceiling (loopback, $CONN_WORKERS workers): $(python3 "$HELPERS/report.py" json-field "$TMP/ceiling.json" conns_per_s | cut -d. -f1) conn/s"
    for io in "${IOS[@]}"; do
        [[ -s $TMP/stats-$io.json ]] || continue
        echo "privlinkd --io $io (privlink stats):"
        python3 "$HELPERS/report.py" stats-brief "$TMP/stats-$io.json" || log "warning: could not read privlink stats"
    done
    echo "raw samples and summaries: $OUT"
}

# --------------------------------------------------------------------------------------- main
main() {
    parse_args "$@"
    require_root
    install_deps
    if [[ -n $PROFILE_DIR ]]; then
        mkdir -p "$PROFILE_DIR" || die "cannot create the --profile directory $PROFILE_DIR"
        PROFILE_DIR=$(cd "$PROFILE_DIR" && pwd)
    fi
    TMP=$(mktemp -d /tmp/privlink-bench.XXXXXX)
    SAMPLES=$TMP/samples.jsonl
    : >"$SAMPLES"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if ((!KERNEL_ONLY)) && ((BUILD)); then build_privlink; fi
    local io
    if ((!KERNEL_ONLY)); then
        [[ -x $PRIVLINKD && -x $PRIVLINK ]] || die "$PRIVLINKD / $PRIVLINK missing (build, or use --kernel-only)"
        for io in "${IOS[@]}"; do
            start_privlinkd "$io"
            setup_privlink "$io"
            start_servers "$io" "$(ns_p "$io")"
        done
    fi
    setup_kernel_lab
    start_servers kernel "$NS_KT"
    wait_path_ready kernel "$NS_KC"
    if ((!KERNEL_ONLY)); then
        for io in "${IOS[@]}"; do wait_path_ready "$io" "$(ns_c "$io")"; done
    fi
    hold_cpu_latency
    check_background before
    measure_ceiling
    run_rounds
    check_background after
    write_report
    if ((${#FAILURES[@]})); then
        die "${#FAILURES[@]} measurement(s) failed: $(printf '%s; ' "${FAILURES[@]}")"
    fi
}

main "$@"
