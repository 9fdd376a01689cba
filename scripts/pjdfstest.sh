#!/usr/bin/env bash
# pjdfstest.sh: run the pjdfstest POSIX suite on ext4 (a loop device) and on
# a faultfs.Mem served over FUSE the way `crashcheck run` serves it (umask 0,
# allow_other, default_permissions), and print the assertion counts.
#
# usage: scripts/pjdfstest.sh SRC [ext4|mem|both]
#
# SRC is a directory holding the pjdfstest sources (pjdfstest.c and tests/
# with misc.sh, conf and the */NN.t files). Nothing is fetched: SRC is copied
# to a scratch directory, pjdfstest is built there with gcc (a config.h with
# what configure.ac finds on Linux/glibc is written if SRC has none), and
# prove runs the suite as root from inside each filesystem. The mount helper
# is a tiny Go program built in the scratch directory against this checkout
# (GOPROXY=off: only the module cache is used).
#
# Counts are of assertion lines: "ok N" (pass, including "# SKIP" and
# "# TODO" passes) and "not ok N" (fail, including "# TODO" fails, which
# ext4 has too). Logs stay in the scratch directory, whose path is printed.
#
# Needs: root, /dev/fuse, gcc, prove (perl), openssl, mkfs.ext4, losetup
# support, go.
set -euo pipefail

src=${1:?usage: scripts/pjdfstest.sh SRC [ext4|mem|both]}
which=${2:-both}
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "pjdfstest.sh: must run as root (pjdfstest changes owners)" >&2; exit 1; }
[ -f "$src/pjdfstest.c" ] && [ -f "$src/tests/misc.sh" ] || { echo "pjdfstest.sh: $src has no pjdfstest.c or tests/misc.sh" >&2; exit 1; }
for tool in gcc prove openssl mkfs.ext4 go; do
	command -v "$tool" >/dev/null || { echo "pjdfstest.sh: $tool not found" >&2; exit 1; }
done

work=$(mktemp -d /tmp/pjdfstest-run.XXXXXX)
echo "scratch: $work"
mkdir -p "$work/suite"
cp -r "$src"/. "$work/suite"
suite=$work/suite

# --- build pjdfstest
if [ ! -f "$suite/config.h" ]; then
	cat >"$suite/config.h" <<'EOF'
/* What pjdfstest's configure.ac defines on Linux with glibc. */
#define _GNU_SOURCE 1
#define HAVE_SYS_SYSMACROS_H 1
#define HAVE_FACCESSAT 1
#define HAVE_FCHMODAT 1
#define HAVE_FCHOWNAT 1
#define HAVE_FSTATAT 1
#define HAVE_LINKAT 1
#define HAVE_MKDIRAT 1
#define HAVE_MKFIFOAT 1
#define HAVE_MKNODAT 1
#define HAVE_OPENAT 1
#define HAVE_POSIX_FALLOCATE 1
#define HAVE_READLINKAT 1
#define HAVE_RENAMEAT 1
#define HAVE_SYMLINKAT 1
#define HAVE_UNLINKAT 1
#define HAVE_UTIMENSAT 1
#define HAVE_STRUCT_STAT_ST_ATIM 1
#define HAVE_STRUCT_STAT_ST_CTIM 1
#define HAVE_STRUCT_STAT_ST_MTIM 1
#include <features.h>
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32)
#define HAVE_LCHMOD 1
#endif
#include <sys/sysmacros.h>
EOF
fi
gcc -O2 -include "$suite/config.h" -o "$suite/pjdfstest" "$suite/pjdfstest.c"

# Test files from newer pjdfstest versions use helpers an older misc.sh
# lacks; give them here, with the meaning the tests use them for.
if ! grep -q '^push_requirement()' "$suite/tests/misc.sh"; then
	python3 - "$suite/tests/misc.sh" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("\nexpect()\n{", "\n_orig_expect()\n{", 1)
s = s.replace("\ntest_check()\n{", "\n_orig_test_check()\n{", 1)
s += r'''
# --- added by scripts/pjdfstest.sh: helpers of newer test files
_reqskip=""
_reqstack=""
push_requirement()
{
	_reqstack="${_reqstack} ${1}"
	if [ -z "${_reqskip}" ] && ! supported "${1}"; then
		_reqskip="${1}"
	fi
}
pop_requirement()
{
	_top="${_reqstack##* }"
	_reqstack="${_reqstack% *}"
	if [ "${_top}" = "${_reqskip}" ]; then
		_reqskip=""
	fi
}
query()
{
	${fstest} "$@" 2>/dev/null
}
nap()
{
	sleep 1
}
# skipped passes the next assertion as skipped while a pushed requirement
# is unsupported.
skipped()
{
	[ -n "${_reqskip}" ] || return 1
	echo "ok ${ntest} # SKIP requires ${_reqskip}"
	: $(( ntest += 1 ))
}
expect()
{
	skipped || _orig_expect "$@"
}
test_check()
{
	skipped || _orig_test_check "$@"
}
'''
open(p, "w").write(s)
EOF
fi

# run_suite DIR LOG: prove the whole suite with DIR as working directory.
run_suite() {
	(cd "$1" && prove -rv "$suite/tests" >"$2" 2>&1) || true
}

# counts LOG: passed/total and the failing assertions per test file.
counts() {
	awk '
		/^\/.*\.t \.\./ { f = $1; sub(".*/tests/", "", f) }
		/^ok / { ok++; if (/# SKIP/) skip++ }
		/^not ok / { nok++; fails[f]++ }
		END {
			printf "passed %d / %d (failed %d, skipped-as-ok %d)\n", ok, ok + nok, nok, skip
			for (f in fails) printf "  %-22s %d not ok\n", f, fails[f] | "sort"
		}' "$1"
	echo "  not ok by reason (TODO marks what the suite expects Linux to fail):"
	grep '^not ok' "$1" | sed -E -e 's/^not ok [0-9]+ *//' -e "s/tried '((-[uUg] [^ ]+ |-- )*)([a-z_]+)[^']*'/tried \3/" -e 's/got .*/got .../' |
		sort | uniq -c | sort -rn | sed 's/^/  /'
}

# stop_helper unmounts the Mem. Its Unmount removes the mount at once but
# then waits for the kernel to end the FUSE connection, which it does not
# while a copy of the mount lives on in another mount namespace (one made
# by unshare(2) while the suite ran, e.g. by a crashcheck run on this
# machine): after 10 s the helper is killed, which ends the connection.
stop_helper() {
	[ -n "${helper_pid:-}" ] || return 0
	kill -TERM "$helper_pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$helper_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$helper_pid" 2>/dev/null; then
		echo "pjdfstest.sh: the mount helper did not exit 10 s after unmounting; killing it" >&2
		kill -KILL "$helper_pid" 2>/dev/null || true
	fi
	wait "$helper_pid" 2>/dev/null || true
	helper_pid=
}

cleanup() {
	stop_helper
	if mountpoint -q "$work/ext4" 2>/dev/null; then umount "$work/ext4"; fi
}
trap cleanup EXIT

if [ "$which" = ext4 ] || [ "$which" = both ]; then
	truncate -s 2G "$work/ext4.img"
	mkfs.ext4 -q -F "$work/ext4.img"
	mkdir -p "$work/ext4"
	mount -o loop "$work/ext4.img" "$work/ext4"
	run_suite "$work/ext4" "$work/ext4.log"
	umount "$work/ext4"
	rm -f "$work/ext4.img"
fi

if [ "$which" = mem ] || [ "$which" = both ]; then
	mkdir -p "$work/helper" "$work/mem"
	cat >"$work/helper/main.go" <<'EOF'
// Command memmount serves an empty faultfs.Mem at a directory with the
// options crashcheck run uses until SIGINT or SIGTERM.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
)

func main() {
	mem := faultfs.NewMem(faultfs.WithUmask(0), faultfs.WithOwner(0, 0))
	srv, err := fuse.Mount(os.Args[1], mem, fuse.Options{AllUsers: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "memmount:", err)
		os.Exit(1)
	}
	fmt.Println("mounted")
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGINT, syscall.SIGTERM)
	<-c
	if err := srv.Unmount(); err != nil {
		fmt.Fprintln(os.Stderr, "memmount: unmount:", err)
		os.Exit(1)
	}
}
EOF
	cat >"$work/helper/go.mod" <<EOF
module memmount

go 1.26.0

require github.com/crashcheck/crashcheck v0.0.0

replace github.com/crashcheck/crashcheck => $repo
EOF
	cp "$repo/go.sum" "$work/helper/go.sum"
	(cd "$work/helper" && GOFLAGS=-mod=mod GOPROXY=off go build -o memmount .)
	"$work/helper/memmount" "$work/mem" >"$work/memmount.log" 2>&1 &
	helper_pid=$!
	for _ in $(seq 50); do
		grep -q mounted "$work/memmount.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q mounted "$work/memmount.log" || { cat "$work/memmount.log" >&2; exit 1; }
	run_suite "$work/mem" "$work/mem.log"
	stop_helper
fi

for fs in ext4 mem; do
	[ -f "$work/$fs.log" ] || continue
	echo "== $fs ($work/$fs.log)"
	counts "$work/$fs.log"
done
if [ -f "$work/ext4.log" ] && [ -f "$work/mem.log" ]; then
	e=$(grep -c '^ok ' "$work/ext4.log" || true)
	m=$(grep -c '^ok ' "$work/mem.log" || true)
	awk -v e="$e" -v m="$m" 'BEGIN { printf "mem passes %d of ext4'"'"'s %d: %.2f%%\n", m, e, e ? 100 * m / e : 0 }'
fi
