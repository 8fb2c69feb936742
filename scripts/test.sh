#!/usr/bin/env bash
# Runs every check and test of privlink: formatting, clippy, rustdoc, unit tests, golden packet
# fixtures, and the end-to-end tests that build real namespaces and devices (root) — once on
# privlinkd's default device backend (packet: veth pairs and AF_PACKET sockets), then again on
# the TUN backend (PRIVLINK_IO=tun; the Terraform test only once).
#
#   sudo scripts/test.sh            # everything
#   sudo scripts/test.sh e2e_       # only tests whose name matches a filter (nextest syntax)
#
# Without root the end-to-end tests print SKIPPED loudly; with CI=true they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $EUID -ne 0 ]]; then
    echo "!!! scripts/test.sh is not running as root: the end-to-end tests will be SKIPPED" >&2
    echo "!!! (they create network namespaces and TUN devices). Run: sudo scripts/test.sh" >&2
fi

if ! command -v aws >/dev/null 2>&1 || ! python3 -c 'import boto3' >/dev/null 2>&1; then
    echo "!!! the AWS CLI or boto3 is missing: the AWS-API end-to-end tests will be SKIPPED (CI=true: fail)." >&2
    echo "!!! Install them with: python3 -m pip install awscli==1.45.11 boto3==1.43.11" >&2
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== import cycles between files (../shared/tools/circles.py)"
circles=../shared/tools/circles.py
if [[ -f $circles ]]; then
    for src in control/src dataplane/src; do
        found=$(python3 "$circles" "$src")
        if [[ -n $found ]]; then
            echo "$found" >&2
            echo "!!! import cycles in $src (each file pair above imports the other)" >&2
            exit 1
        fi
    done
elif [[ ${CI:-} == true ]]; then
    echo "!!! $circles is missing: the import-cycle check cannot run (CI=true: failing)" >&2
    exit 1
else
    echo "!!! $circles is missing: the import-cycle check is SKIPPED" >&2
fi
echo "== cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
echo "== tests (device backend: packet)"
status=0
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast "$@" || status=$?
    echo "== end-to-end tests on the TUN backend (PRIVLINK_IO=tun)"
    PRIVLINK_IO=tun cargo nextest run -p privlink-dataplane --no-fail-fast \
        -E 'binary(/^e2e_/) - binary(e2e_terraform)' "$@" || status=$?
else
    cargo test --workspace --no-fail-fast -- "$@" || status=$?
    echo "== end-to-end tests on the TUN backend (PRIVLINK_IO=tun)"
    for t in dataplane/tests/e2e_*.rs; do
        t=$(basename "$t" .rs)
        [[ $t == e2e_terraform ]] && continue
        PRIVLINK_IO=tun cargo test -p privlink-dataplane --no-fail-fast --test "$t" -- "$@" || status=$?
    done
fi
exit "$status"
