//go:build linux

package cli

import "strings"

// auditRows are the audit's programs: each replaces or edits d/f (or its
// own file) the way people use it, under `crashcheck run --model all`,
// with the verdict per model this machine's Debian packages give.
// A changed verdict fails TestAudit: update the row (and regenerate
// TABLE.md with -audit-table) only once the new verdict is understood.
//
// Every row starts in a fresh directory holding d/f (two lines, "old
// line 1..."), and new (three lines, "new line 1..."), outside d: see
// auditCommonSetup. setup adds what the row needs.
var auditRows = []auditRow{
	{
		name: "cp", pkg: "coreutils", does: "`cp` onto an existing file",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"cp", "../new", "f"},
		want:    auditWant{process: "AtomicReplace(f)", posix: "AtomicReplace(f) Durable(f)", ext4: "AtomicReplace(f) Durable(f)"},
		note:    "opens the target with O_TRUNC and copies into it: a crash between the truncate and the copy leaves it empty",
	},
	{
		name: "install", pkg: "coreutils", does: "`install -m 644` onto an existing file",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"install", "-m", "644", "../new", "f"},
		want:    auditWant{process: "AtomicReplace(f)", posix: "AtomicReplace(f) Durable(f)", ext4: "AtomicReplace(f) Durable(f)"},
		note:    "unlinks the target, then creates and fills it: a crash in between leaves no f at all",
	},
	{
		name: "mv", pkg: "coreutils", does: "`mv f.new f` within one directory",
		setup:   "cp new d/f.new",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"mv", "f.new", "f"},
		want:    auditWant{process: "pass", posix: "Durable(f)", ext4: "Durable(f)"},
		note:    "one rename: atomic, but nothing fsyncs the directory, so the rename can be lost",
	},
	{
		name: "dd-conv-fsync", pkg: "coreutils", does: "`dd conv=fsync` over an existing file",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"dd", "if=../new", "of=f", "conv=fsync", "status=none"},
		want:    auditWant{process: "AtomicReplace(f)", posix: "AtomicReplace(f)", ext4: "AtomicReplace(f)"},
		note:    "truncates and rewrites in place, then fsyncs: durable once it returns, never atomic",
	},
	{
		name: "sed-i", pkg: "sed", does: "`sed -i s/old/new/`",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"sed", "-i", "s/old/new/", "f"},
		want:    auditWant{process: "pass", posix: "AtomicReplace(f) Durable(f)", ext4: "Durable(f)"},
		note:    "temp file + rename, no fsync at all",
	},
	{
		name: "perl-pi", pkg: "perl", does: "`perl -pi -e s/old/new/`",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"perl", "-pi", "-e", "s/old/new/", "f"},
		want:    auditWant{process: "pass", posix: "AtomicReplace(f) Durable(f)", ext4: "Durable(f)"},
		note:    "temp file + rename, no fsync at all",
	},
	{
		name: "rsync", pkg: "rsync", does: "`rsync` a file onto an existing one",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"rsync", "../new", "f"},
		want:    auditWant{process: "pass", posix: "AtomicReplace(f) Durable(f)", ext4: "Durable(f)"},
		note:    "temp file + rename, no fsync",
	},
	{
		name: "rsync-fsync", pkg: "rsync", does: "`rsync --fsync` a file onto an existing one",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"rsync", "--fsync", "../new", "f"},
		want:    auditWant{process: "pass", posix: "Durable(f)", ext4: "Durable(f)"},
		note:    "fsyncs the temp file before the rename (atomic), never the directory (not durable)",
	},
	{
		name: "tar-x", pkg: "tar", does: "`tar xf` over an existing file",
		setup:   "mkdir src && cp new src/f && tar cf a.tar -C src f",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"tar", "xf", "../a.tar"},
		want:    auditWant{process: "AtomicReplace(f)", posix: "AtomicReplace(f) Durable(f)", ext4: "AtomicReplace(f) Durable(f)"},
		note:    "unlinks the old file and extracts into a new one in place: a crash in between leaves f missing or short",
	},
	{
		name: "vim", pkg: "vim-nox", exe: "vim", does: "`vim -es` scripted substitute and `:wq`",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"vim", "-es", "-N", "-u", "NONE", "-i", "NONE", "-c", "%s/old/new/", "-c", "wq", "f"},
		want:    auditWant{process: "AtomicReplace(f)", posix: "AtomicReplace(f)", ext4: "AtomicReplace(f)"},
		note:    "with its defaults (writebackup, backupcopy=auto) it truncates f and rewrites it in place, then fsyncs; the fsynced swap file .f.swp is what `vim -r` recovers from",
	},
	{
		name: "dpkg-new", pkg: "dpkg", exe: "sync", does: "dpkg's unpack pattern, in shell: hard-link backup f.dpkg-tmp, write f.dpkg-new, fsync it, rename over f, remove the backup",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"sh", "-c", "ln f f.dpkg-tmp && cat ../new > f.dpkg-new && sync f.dpkg-new && mv f.dpkg-new f && rm f.dpkg-tmp"},
		want:    auditWant{process: "pass", posix: "Durable(f)", ext4: "Durable(f)"},
		note:    "dpkg fsyncs each .dpkg-new before its rename (tar_deferred_extract) and fsyncs no directory: atomic, not durable until something else syncs (`sync FILE` is an fsync(2) of FILE)",
	},
	{
		name: "python-replace", pkg: "python3", does: "Python `tempfile.mkstemp` + `os.replace`, no fsync",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"python3", "-c", "import os, tempfile\nfd, tmp = tempfile.mkstemp(dir='.')\nos.write(fd, open('../new', 'rb').read())\nos.close(fd)\nos.replace(tmp, 'f')"},
		want:    auditWant{process: "pass", posix: "AtomicReplace(f) Durable(f)", ext4: "Durable(f)"},
		note:    "the rename can persist before the data",
	},
	{
		name: "python-replace-fsync", pkg: "python3", does: "Python `tempfile.mkstemp` + `os.fsync` + `os.replace` + fsync of the directory",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"python3", "-c", "import os, tempfile\nfd, tmp = tempfile.mkstemp(dir='.')\nos.write(fd, open('../new', 'rb').read())\nos.fsync(fd)\nos.close(fd)\nos.replace(tmp, 'f')\nd = os.open('.', os.O_RDONLY)\nos.fsync(d)\nos.close(d)"},
		want:    auditWant{process: "pass", posix: "pass", ext4: "pass"},
	},
	{
		name: "atomicwrite", exe: "atomicwrite", does: "our `atomicwrite f < new`",
		flags:   []string{"--durable", "--file", "f"},
		command: []string{"sh", "-c", "atomicwrite f < ../new"},
		want:    auditWant{process: "pass", posix: "pass", ext4: "pass"},
	},
	sqliteRow("delete", "full", auditWant{process: "pass", posix: "durable", ext4: "durable"},
		"commits by deleting the journal and never fsyncs the directory after it: a lost unlink brings back a hot journal, which rolls the commit back"),
	sqliteRow("delete", "extra", auditWant{process: "pass", posix: "pass", ext4: "pass"},
		"EXTRA fsyncs the directory after deleting the journal: durable, as its documentation says"),
	sqliteRow("wal", "full", auditWant{process: "pass", posix: "pass", ext4: "pass"},
		"the WAL is fsynced at each commit"),
	sqliteRow("wal", "extra", auditWant{process: "pass", posix: "pass", ext4: "pass"}, ""),
	{
		name: "git-config", pkg: "git", does: "`git config user.name new`",
		setup:   gitSetup,
		flags:   []string{"--durable", "--file", ".git/config"},
		command: []string{"git", "config", "user.name", "new"},
		want:    auditWant{process: "pass", posix: "AtomicReplace(.git/config) Durable(.git/config)", ext4: "Durable(.git/config)"},
		note:    "config.lock + rename, no fsync (core.fsync has no config component)",
	},
	{
		name: "git-commit", pkg: "git", does: "`git commit -qam new` (default core.fsync)",
		setup: gitSetup + " && cp new d/f",
		// 32 states per crash point enumerate the early points (where
		// fsck fails) whole, so the verdict does not hang on the sample.
		maxStates: 32,
		checks: []auditCheck{
			{"fsck", "git fsck --no-progress"},
			{"durable", "test $CRASHCHECK_AFTER_EXIT = 0 || test \"$(git log -1 --format=%s)\" = new"},
		},
		command: []string{"git", "commit", "-qam", "new"},
		want:    auditWant{process: "pass", posix: "durable fsck", ext4: "durable fsck"},
		note:    "loose objects are written to a temp file and link(2)ed into place without fsync; refs and the index are renamed without a directory fsync",
	},
	redisRow("always", auditWant{process: "pass", posix: "acked", ext4: "pass"},
		"the first start makes appendonlydir and renames the base file into it, but never fsyncs the directory holding appendonlydir: the whole directory, and with it every acknowledged SET, can be lost (posix); once there, each SET is fsynced before the reply"),
	redisRow("everysec", auditWant{process: "pass", posix: "acked", ext4: "acked"},
		"the default: the file is fsynced once a second, after the reply, so the last second of acknowledged SETs can be lost"),
	{
		name: "etcd", pkg: "etcd-server", exe: "etcd etcdctl",
		does:     "etcd server, one member started on an empty data directory: `etcdctl put` of three keys, each acknowledged once it returns; recovery restarts etcd on the crash state",
		setup:    `cp "$AUDIT/etcd.sh" .`,
		flags:    []string{"--max-states", "2", "--start", "sh ../etcd.sh start", "--ready", "sh ../etcd.sh ready", "--ack", "^ack "},
		recovers: []string{"sh ../etcd.sh recover"},
		checks:   []auditCheck{{"acked", "sh ../etcd.sh check"}},
		command:  []string{"sh", "../etcd.sh", "client"},
		want:     auditWant{process: "pass", posix: "acked", ext4: "pass"},
		note:     "each put returns once its WAL record is fdatasynced, and the WAL directory's rename into place is fsynced, but the data directory and its member directory are made (MkdirAll) without fsyncing their parents: a crash after the first acknowledged put can lose the whole member (posix)",
	},
	beanstalkdRow("0", auditWant{process: "pass", posix: "acked", ext4: "pass"},
		"fsyncs the log before each reply, but never the directory of a new log file: the file, and every job in it, can be lost (posix)"),
	beanstalkdRow("default", auditWant{process: "pass", posix: "acked", ext4: "acked"},
		"the default, -f 50: the log is fsynced at most every 50 ms, after the reply"),
}

// redisRow is redis-server with its append-only file and appendfsync
// fsync, started on an empty directory: SET of three keys, each
// acknowledged once redis answered; recovery restarts it on the state.
func redisRow(fsync string, want auditWant, note string) auditRow {
	return auditRow{
		name: "redis-appendfsync-" + fsync, pkg: "redis-server", exe: "redis-server redis-cli",
		does:     "redis-server, `appendonly yes`, `appendfsync " + fsync + "`: `redis-cli SET` of three keys, each acknowledged once it answered OK; recovery restarts redis on the crash state",
		setup:    `cp "$AUDIT/redis.sh" .`,
		flags:    []string{"--max-states", "2", "--start", "sh ../redis.sh start " + fsync, "--ready", "sh ../redis.sh ready", "--ack", "^ack "},
		recovers: []string{"sh ../redis.sh recover"},
		checks:   []auditCheck{{"acked", "sh ../redis.sh check"}},
		command:  []string{"sh", "../redis.sh", "client"},
		want:     want,
		note:     note,
	}
}

// beanstalkdRow is the beanstalkd work queue with its write-ahead log
// and -f fsync ("default": none given), started on an empty directory:
// three jobs put, each acknowledged once beanstalkd answered INSERTED;
// recovery restarts it on the state.
func beanstalkdRow(fsync string, want auditWant, note string) auditRow {
	does := "beanstalkd work queue, `-b wal -f " + fsync + "`"
	if fsync == "default" {
		does = "beanstalkd work queue, `-b wal`"
	}
	return auditRow{
		name: "beanstalkd-f-" + fsync, pkg: "beanstalkd", exe: "beanstalkd python3",
		does:     does + ": three `put`s, each acknowledged once it answered INSERTED; recovery restarts beanstalkd on the crash state",
		setup:    `cp "$AUDIT/beanstalkd.sh" .`,
		flags:    []string{"--max-states", "2", "--start", "sh ../beanstalkd.sh start " + fsync, "--ready", "sh ../beanstalkd.sh ready", "--ack", "^ack "},
		recovers: []string{"sh ../beanstalkd.sh recover"},
		checks:   []auditCheck{{"acked", "sh ../beanstalkd.sh check"}},
		command:  []string{"sh", "../beanstalkd.sh", "client"},
		want:     want,
		note:     note,
	}
}

// sqliteReadOnly names app.db for the read-only checks.
const sqliteReadOnly = `'file:app.db?immutable=1'`

const gitSetup = "git init -q d && git -C d config user.name old && git -C d config user.email audit@example.com && git -C d add f && git -C d commit -qm old"

// sqliteRow is one SQLite row: an UPDATE of one row of app.db in the
// given journal mode and synchronous setting. SQLite rolls a hot journal
// back (and checkpoints a WAL) when it opens a database, and the checks
// run read-only, so a recover command opens it first, and checkpoints
// the WAL into the database. A reader of a WAL database must create or
// write app.db-shm, which a read-only state refuses (SQLITE_CANTOPEN), so
// the checks open it immutable: they read app.db alone, which after the
// checkpoint holds everything (were a WAL left, its commits would be
// missed and the durable check would fail, never pass wrongly).
func sqliteRow(journal, synchronous string, want auditWant, note string) auditRow {
	return auditRow{
		name:  "sqlite-" + journal + "-" + synchronous,
		pkg:   "sqlite3",
		does:  "`sqlite3` UPDATE, `journal_mode=" + strings.ToUpper(journal) + "`, `synchronous=" + strings.ToUpper(synchronous) + "`",
		setup: "rm d/f && sqlite3 d/app.db 'pragma journal_mode=" + journal + "; create table t(v); insert into t values(\"old\")' >/dev/null",
		// Each state costs a recover and three sqlite3 processes: sample.
		maxStates: 8,
		recovers:  []string{`sqlite3 app.db "pragma integrity_check; pragma wal_checkpoint(truncate)"`},
		checks: []auditCheck{
			{"integrity", `test "$(sqlite3 ` + sqliteReadOnly + ` "pragma integrity_check")" = ok`},
			{"atomic", `sqlite3 ` + sqliteReadOnly + ` "select v from t" | grep -qx -e old -e new`},
			{"durable", `test $CRASHCHECK_AFTER_EXIT = 0 || test "$(sqlite3 ` + sqliteReadOnly + ` "select v from t")" = new`},
		},
		command: []string{"sqlite3", "app.db", "pragma synchronous=" + synchronous + "; update t set v='new'"},
		want:    want,
		note:    note,
	}
}
