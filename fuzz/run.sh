#!/usr/bin/env bash
# Builds the DNSWire message fuzzer with libFuzzer + AddressSanitizer and runs
# it for a bounded time on the seed corpus.
#
#   fuzz/run.sh [SECONDS]        (default 60)
#
# Environment: SWIFTC (default: swiftc on PATH), FUZZ_ARGS (extra libFuzzer
# flags, e.g. FUZZ_ARGS="-seed=1").
#
# Exits 0 when the run ends cleanly, non-zero on a crash (failed round-trip
# check, trap, ASan report), leak, timeout, OOM, or a build failure.
# Reproducers go to fuzz-artifacts/; rerun one with
#   .build-fuzz/fuzz-message fuzz-artifacts/crash-...
set -euo pipefail

seconds="${1:-60}"
case "$seconds" in
    '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

swiftc="${SWIFTC:-swiftc}"
build=.build-fuzz
artifacts=fuzz-artifacts
binary="$build/fuzz-message"
log="$build/fuzz-message.log"
mkdir -p "$build" "$build/corpus" "$artifacts"

toolchain_bin="$(dirname "$(command -v "$swiftc")")"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g)
# lld avoids a page of gold warnings about ASan's local symbols.
if [ -x "$toolchain_bin/ld.lld" ] || command -v ld.lld >/dev/null; then
    flags+=(-use-ld=lld)
fi
# Let libFuzzer's own handler see Swift traps: with the Swift runtime
# backtracer on, a trap is reported by the backtracer instead and no crash
# artifact gets written.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
# Symbolized stacks in crash reports.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x "$toolchain_bin/llvm-symbolizer" ]; then
    export ASAN_SYMBOLIZER_PATH="$toolchain_bin/llvm-symbolizer"
fi

build_start=$SECONDS
echo "fuzz: building $binary"
# DNSWire as its own module, so the target sees only its public API.
"$swiftc" "${flags[@]}" -wmo -module-name DNSWire -c Sources/DNSWire/*.swift \
    -emit-module -emit-module-path "$build/DNSWire.swiftmodule" -o "$build/DNSWire.o"
"$swiftc" "${flags[@]}" -module-name FuzzMessage -I "$build" fuzz/FuzzMessage.swift "$build/DNSWire.o" -o "$binary"
build_time=$((SECONDS - build_start))

# New inputs go to the first (scratch) corpus directory; the committed seeds
# in fuzz/corpus are only read.
echo "fuzz: running for ${seconds}s (log: $log)"
set +e
"$binary" "$build/corpus" fuzz/corpus \
    -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65535 \
    -dict=fuzz/dns.dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
    ${FUZZ_ARGS:-} 2>&1 | tee "$log" \
    | awk '/^###### Recommended dictionary/ { skip = 1 } !skip && !/^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)/ { print } /^###### End of recommended dictionary/ { skip = 0 }'
status=${PIPESTATUS[0]}
set -e

runs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log" | tail -1)
cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$log" | tail -1)
corpus=$(find "$build/corpus" -type f | wc -l | tr -d ' ')
stats="runs=${runs:-?} exec/s=${rate:-?} cov=${cov:-?} scratch-corpus=${corpus} build=${build_time}s"

if [ "$status" -eq 0 ]; then
    echo "fuzz: OK — no crash in ${seconds}s; $stats"
else
    found=$(sed -n "s|.*Test unit written to \($artifacts/[^ ]*\).*|\1|p" "$log" | sort -u | paste -sd ' ' -)
    echo "fuzz: FAILED (libFuzzer exit $status); artifacts: ${found:-none}; $stats" >&2
    exit "$status"
fi
