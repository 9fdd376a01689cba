#!/usr/bin/env bash
# A long crashcheck torture campaign: one shard of it, on this machine,
# writing the JSON report. The nightly workflow (.github/workflows/torture.yml)
# runs one of these per shard; a person runs it the same way.
#
#   scripts/torture.sh                          # writer, 10m, random seed, whole campaign
#   SEED=20261129 SHARD=3/8 DURATION=1h scripts/torture.sh
#   SCENARIO=zoo/ MODEL=posix RUNS=500 OUT=zoo.json scripts/torture.sh
#   scripts/torture.sh -keep-going               # extra arguments go to torture
#
# Environment (every variable is optional):
#   SCENARIO  a scenario, a prefix ending in /, or all   (default writer)
#   MODEL     process|posix|ext4-ordered|all             (default all)
#   DURATION  how long the shard runs, e.g. 10m, 2h      (default 10m)
#   RUNS      run this many case indices instead of for DURATION
#   SEED      the campaign's seed; every shard of one campaign must share it
#             (default: a random one, printed)
#   SHARD     I/N: run the case indices ≡ I mod N        (default 0/1)
#   OUT       the JSON report                           (default torture-SEED-shard-I-of-N.json)
#
# Exit status is torture's: 0 no violation, 1 violations (each printed on
# stdout with its minimal counterexample and `crashcheck replay` line), 2 a
# usage error. The report is written in every case but the last.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${SCENARIO:-writer}
model=${MODEL:-all}
shard=${SHARD:-0/1}
seed=${SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}
out=${OUT:-torture-$seed-shard-${shard%/*}-of-${shard#*/}.json}

length=(-duration "${DURATION:-10m}")
if [[ -n "${RUNS:-}" ]]; then
	length=(-runs "$RUNS")
fi

bin=$(mktemp "${TMPDIR:-/tmp}/crashcheck.XXXXXX")
trap 'rm -f "$bin"' EXIT
go build -o "$bin" ./cmd/crashcheck

echo "# crashcheck torture -scenario $scenario -model $model ${length[*]} -seed $seed -shard $shard -json $out $*" >&2
status=0
"$bin" torture -scenario "$scenario" -model "$model" "${length[@]}" -seed "$seed" -shard "$shard" -json "$out" "$@" || status=$?
if ((status != 2)); then
	echo "# report: $out" >&2
fi
exit "$status"
