#!/usr/bin/env bash
# What CI runs (through .ci/run), on a clean clone, as root:
#   1. installs the Debian packages the tests drive when missing (scripts/install-test-tools.sh);
#   2. checks formatting and runs go vet ./...;
#   3. cross-builds and vets, for darwin and windows, every package meant to build
#      there (listed below; a package in neither list fails the step);
#   4. runs the README's test command with the race detector (go test -race ./...),
#      the audit of real programs without it
# FUSE tests need root and /dev/fuse; where either is missing they skip and say why.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-tools.sh

unformatted=$(gofmt -l $(git ls-files '*.go'))
if [[ -n $unformatted ]]; then
	echo "ci: gofmt would change:"; echo "$unformatted"; exit 1
fi

go vet ./...

# What builds where. Each package is in a list, so a new one must be placed.
# cmd/crashcheck builds everywhere as a main that says it needs Linux.
# scenarios/suite's zoo reads syscall.Stat_t, which Windows lacks.
# scenarios/crashscript builds everywhere: off Linux [crashcheck] is false.
cross_all=(./writer ./cmd/atomicwrite ./faultfs ./scenarios ./scenarios/crashscript ./cmd/crashcheck ./cmd/crashcheck/cli ./cmd/crashvet ./cmd/crashvet/analyzer)
cross_unix=(./scenarios/suite)
linux_only=(./faultfs/fuse ./faultfs/blockdev ./faultfs/internal/conformance ./faultfs/internal/peakrss)
module=$(go list -m)
for pkg in $(go list ./... | sed "s|^$module|.|"); do
	case " ${cross_all[*]} ${cross_unix[*]} ${linux_only[*]} " in
	*" $pkg "*) ;;
	*) echo "ci: $pkg is in no list of scripts/ci.sh's cross-build step: say where it builds"; exit 1 ;;
	esac
done
for os in darwin windows; do
	pkgs=("${cross_all[@]}")
	[[ $os == windows ]] || pkgs+=("${cross_unix[@]}")
	echo "ci: GOOS=$os go build and go vet ${pkgs[*]}"
	GOOS=$os go build -o /dev/null "${pkgs[@]}"
	GOOS=$os go vet "${pkgs[@]}"
done

# The tests, with the race detector. The audit (TestAudit) and the
# PostgreSQL script drive real programs through crashcheck run; under the
# race detector they take ten times as long and check nothing more of our
# code than the rest of the suite does (the script skips itself there), so
# they run on their own, without it.
go test -race -skip '^TestAudit$' ./...
go test -run '^TestAudit$' ./cmd/crashcheck/cli
go test -run '^TestScripts$/^crashcheck_run_postgres$' ./cmd/crashcheck/cli
