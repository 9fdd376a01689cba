#!/usr/bin/env bash
# install-test-tools.sh installs, from Debian's packages, the programs the
# tests drive, when they are missing: the ACL tools of the writer's tests,
# mkfs for the kernel-filesystem soundness test, and the real programs that
# crashcheck run's tests and audit (cmd/crashcheck/cli/audit_rows_test.go)
# crash-test. A test whose program is still missing skips and names the
# package. Run by scripts/ci.sh; needs root and apt-get.
set -euo pipefail

# Each entry is TOOL:PACKAGE: the package is installed when the tool is missing.
tools=(
	python3:python3 sqlite3:sqlite3 setfacl:acl
	mkfs.xfs:xfsprogs mkfs.btrfs:btrfs-progs
	redis-server:redis-server git:git rsync:rsync vim:vim-nox
	pg_ctlcluster:postgresql psql:postgresql-client setpriv:util-linux
	etcd:etcd-server etcdctl:etcd-client beanstalkd:beanstalkd
)
need=()
for entry in "${tools[@]}"; do
	command -v "${entry%%:*}" >/dev/null 2>&1 || need+=("${entry#*:}")
done
((${#need[@]})) || exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
	echo "install-test-tools: ${need[*]} missing and cannot be installed here: the tests that drive them will skip"
	exit 0
fi
echo "install-test-tools: installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
