#!/bin/sh
# install-audit-tools.sh installs the Debian packages whose programs
# cmd/crashcheck's TestAudit crash-tests (audit_rows_test.go); a row whose
# program is missing skips. coreutils, sed, tar, perl and dpkg are
# essential on Debian and listed so that a minimal image gets them too.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	coreutils \
	dpkg \
	git \
	perl \
	python3 \
	rsync \
	sed \
	sqlite3 \
	tar \
	vim-nox
