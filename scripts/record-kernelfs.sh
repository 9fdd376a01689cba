#!/bin/sh
# Records the model-soundness workloads afresh on this machine's kernel
# ext4 (default and noauto_da_alloc), xfs and btrfs, rewrites
# faultfs/blockdev/testdata/recordings, replays them and prints the
# outcome table (workload, filesystem, kernel outcomes, model outcomes)
# and states/s. Needs root, /dev/fuse, loop devices and the mkfs tools
# (e2fsprogs, xfsprogs, btrfs-progs). Takes about ten minutes: each
# recording waits past the filesystem's periodic commit (issue 12).
#
# Usage: scripts/record-kernelfs.sh [go test flags, e.g. -run 'TestModelSoundness/xfs/']
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "record-kernelfs: needs root (FUSE, loop devices, mount)" >&2
	exit 2
fi
for tool in mkfs.ext4 mkfs.xfs mkfs.btrfs e2fsck xfs_repair btrfs; do
	command -v "$tool" >/dev/null || { echo "record-kernelfs: $tool missing (apt-get install e2fsprogs xfsprogs btrfs-progs)" >&2; exit 2; }
done
run='TestModelSoundness'
go test ./faultfs/blockdev -run "$run" -record -v -count=1 -timeout 60m "$@"
