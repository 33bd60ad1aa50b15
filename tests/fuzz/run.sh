#!/usr/bin/env bash
# Bounded fuzzing in CI: each cargo fuzz target for FUZZ_SECONDS (default
# 30, which keeps .ci/run near 30 minutes on a bare machine) from the
# checked-in seeds; a crash or a failed assertion fails the step and prints
# the input. Needs cargo-fuzz (tests/install-deps.sh installs it).
#
# usage: tests/fuzz/run.sh [TARGET...]      (default: every target)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
seconds=${FUZZ_SECONDS:-30}
targets=("${@:-names config csr}")
# shellcheck disable=SC2206
targets=(${targets[*]})
command -v cargo-fuzz >/dev/null || { echo "fuzz/run.sh: cargo-fuzz is missing (tests/install-deps.sh installs it)"; exit 2; }
# Our code is safe Rust over C libraries libFuzzer does not instrument:
# no sanitizer, so the stable toolchain builds it.
fuzz=(cargo fuzz run --fuzz-dir tests/fuzz --sanitizer none --target-dir target/fuzz)
cargo fuzz build --fuzz-dir tests/fuzz --sanitizer none --target-dir target/fuzz || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
declare -A runs=() result=()
for t in "${targets[@]}"; do
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    log=$work/$t/log
    # New inputs go to the temporary corpus; the seeds stay as checked in.
    if "${fuzz[@]}" "$t" "$work/$t/corpus" "tests/fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -artifact_prefix="$work/$t/artifacts/" >"$log" 2>&1; then
        result[$t]=ok
    else
        result[$t]=FAILED; failed=1
        tail -30 "$log"
        for a in "$work/$t/artifacts"/*; do
            [ -f "$a" ] && { echo "input ($a):"; od -c "$a" | head -20; }
        done
    fi
    runs[$t]=$(grep -o 'Done [0-9]* runs' "$log" | awk '{print $2}')
done
printf '\n%-10s %8s %12s %8s\n' target seconds runs result
for t in "${targets[@]}"; do
    printf '%-10s %8s %12s %8s\n' "$t" "$seconds" "${runs[$t]:-0}" "${result[$t]}"
done
exit $failed
