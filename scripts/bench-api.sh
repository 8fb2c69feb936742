#!/usr/bin/env bash
# AWS API latency: starts a release privlinkd on a temporary socket and state (namespaces
# pl-bapi-*), runs scripts/bench-api.py (HTTP vs control socket), then removes everything.
#
#   sudo scripts/bench-api.sh [ENDPOINTS]     # default 500
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-500}
[[ $EUID -eq 0 ]] || { echo "bench-api.sh needs root (namespaces)" >&2; exit 1; }
python3 -c 'import botocore' 2>/dev/null || { echo "needs botocore: python3 -m pip install boto3==1.43.11" >&2; exit 1; }
cargo build --release --quiet -p privlink-dataplane
TMP=$(mktemp -d)
PID=
cleanup() {
    [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
    for ns in $(ip netns list | awk '{print $1}' | grep -E '^pl-(bapi-|vpc-)' || true); do
        grep -q "\"$ns\"" "$TMP/state/state.json" 2>/dev/null || [[ $ns == pl-bapi-* ]] || continue
        ip netns del "$ns"
        rm -rf "/etc/netns/$ns"
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
"$ROOT/target/release/privlinkd" --socket "$TMP/sock" --state-dir "$TMP/state" --aws-netns pl-bapi-aws \
    --api-listen 127.0.0.1:0 >"$TMP/out" 2>"$TMP/log" &
PID=$!
for _ in $(seq 100); do grep -q "privlinkd ready" "$TMP/out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^privlinkd AWS API on //p' "$TMP/out")
[[ -n $URL ]] || { cat "$TMP/log"; exit 1; }
python3 "$ROOT/scripts/bench-api.py" "$TMP/sock" "$URL" "$N"
