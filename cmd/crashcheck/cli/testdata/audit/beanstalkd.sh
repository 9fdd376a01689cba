# beanstalkd.sh CMD: beanstalkd for crashcheck's audit (audit_rows_test.go),
# its write-ahead log in ./wal (64 KiB files), its socket ./bs.sock, in the
# working directory (crashcheck's mount). The client is Python: beanstalkd
# speaks a text protocol, and Debian ships no command-line client.
#   start MS  run beanstalkd, fsyncing at most once every MS milliseconds
#             (0: before each reply; "default": 50): the -start server
#   ready     exit 0 once it serves
#   client    put three jobs, each on its own connection, and print
#             "ack ID" once beanstalkd answered INSERTED ID
#   recover   start beanstalkd on a crash state (it replays the log) and
#             write the IDs of the acknowledged jobs it has to ./recovered;
#             nothing to do if nothing was acknowledged
#   check     every acknowledged job is in ./recovered
set -u
bs() {
	python3 -c '
import socket, sys
def talk(line, body=None):
	s = socket.socket(socket.AF_UNIX)
	s.connect("bs.sock")
	f = s.makefile("rwb")
	f.write(line.encode() + b"\r\n" + (body + b"\r\n" if body is not None else b""))
	f.flush()
	return f.readline().decode().split()
what = sys.argv[1]
if what == "ping":
	sys.exit(talk("stats")[0] != "OK")
elif what == "put":
	for i in range(3):
		r = talk("put 0 0 600 4", b"job%d" % i)
		if r[0] == "INSERTED":
			print("ack", r[1], flush=True)
elif what == "peek":
	for id in sys.argv[2:]:
		if talk("peek " + id)[0] == "FOUND":
			print(id)
' "$@"
}
serve() {
	mkdir -p wal
	if test "$1" = default; then
		exec beanstalkd -l unix:bs.sock -b wal -s 65536
	fi
	exec beanstalkd -l unix:bs.sock -b wal -s 65536 -f "$1"
}
up() { test -S bs.sock && bs ping 2>/dev/null; }
case $1 in
start) serve "$2" ;;
ready) up ;;
client) bs put ;;
recover)
	test -s "$CRASHCHECK_ACKS" || exit 0
	# a crash leaves the socket behind, and beanstalkd will not bind over it
	rm -f bs.sock
	(serve 0) >beanstalkd.log 2>&1 & pid=$!
	until up; do
		kill -0 $pid 2>/dev/null || { echo "beanstalkd did not start:"; tail -3 beanstalkd.log; exit 1; }
		sleep 0.02
	done
	bs peek $(cut -d' ' -f2 "$CRASHCHECK_ACKS") >recovered || exit 1
	kill $pid
	wait $pid
	exit 0
	;;
check)
	while read -r ack id; do
		grep -qx "$id" recovered 2>/dev/null || { echo "job $id acknowledged but lost"; exit 1; }
	done <"$CRASHCHECK_ACKS"
	;;
*) echo "beanstalkd.sh: unknown command $1" >&2; exit 2 ;;
esac
