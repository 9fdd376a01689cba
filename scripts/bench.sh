#!/usr/bin/env bash
# Benchmarks writer.WriteFile against a hand-written durable replace (at
# Durable) and against google/renameio/v2 and natefinch/atomic (at
# FileSynced), at 1 KiB, 1 MiB and 64 MiB, and compares them with benchstat.
# Timings need a quiet machine and disk: CI does not run this.
#
#   scripts/bench.sh                      # 6 rounds, 20 replaces per run
#   COUNT=10 BENCHTIME=50x scripts/bench.sh
#   BENCH='Durable/size=1KiB' scripts/bench.sh
#   TMPDIR=/mnt/disk scripts/bench.sh     # measure another filesystem
#
# The rounds are separate `go test` runs, so that a slow spell of the disk
# spreads over every implementation instead of landing on one.
set -euo pipefail
cd "$(dirname "$0")/.."

count=${COUNT:-6}
benchtime=${BENCHTIME:-20x}
bench=${BENCH:-.}
raw=$(mktemp "${TMPDIR:-/tmp}/writer-bench.XXXXXX")
trap 'rm -f "$raw" "$raw.test"' EXIT

go test -c -o "$raw.test" ./writer
echo "# writer.test -test.run '^\$' -test.bench '$bench' -test.benchtime $benchtime, $count rounds (TMPDIR=${TMPDIR:-/tmp})"
for ((i = 1; i <= count; i++)); do
	(cd writer && "$raw.test" -test.run '^$' -test.bench "$bench" -test.benchtime "$benchtime") | tee -a "$raw"
done

benchstat=(go run golang.org/x/perf/cmd/benchstat@latest)
status=0
"${benchstat[@]}" -h >/dev/null 2>&1 || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
	echo "# benchstat is not reachable (go run golang.org/x/perf/cmd/benchstat@latest failed): raw figures above" >&2
	exit 0
fi
echo
echo "# Durable: writer against the hand-written temp+write+fsync+rename+fsync(dir)"
"${benchstat[@]}" -filter '.name:Durable' -col /impl "$raw"
echo
echo "# FileSynced: writer and natefinch/atomic against renameio/v2's WriteFile"
"${benchstat[@]}" -filter '.name:FileSynced' -col /impl "$raw"
echo
echo "# NoSync: writer alone"
"${benchstat[@]}" -filter '.name:NoSync' "$raw"
