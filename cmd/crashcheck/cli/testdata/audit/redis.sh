# redis.sh CMD: redis-server for crashcheck's audit (audit_rows_test.go),
# its append-only file in ./appendonlydir, its socket ./redis.sock, in the
# working directory (crashcheck's mount).
#   start FSYNC  run redis-server with appendfsync FSYNC: the -start server
#   ready        exit 0 once it serves
#   client       SET k1, k2, k3, each with its own redis-cli, and print
#                "ack kN" once redis answered OK
#   recover      start redis on a crash state (it replays the file) and
#                write the keys it has to ./recovered; nothing to do if
#                nothing was acknowledged
#   check        every acknowledged key is in ./recovered
set -u
cli() { redis-cli -s redis.sock "$@"; }
serve() {
	exec redis-server --port 0 --unixsocket redis.sock --dir ./ --save '' \
		--appendonly yes --appendfsync "$1" --daemonize no --logfile '' --loglevel warning
}
# redis-cli exits 0 on an error reply too (LOADING while it reads the
# file): only PONG says it is up
up() { test "$(cli ping 2>/dev/null)" = PONG; }
case $1 in
start) serve "$2" ;;
ready) up ;;
client)
	for k in k1 k2 k3; do
		test "$(cli set $k v$k)" = OK && echo "ack $k"
	done
	;;
recover)
	test -s "$CRASHCHECK_ACKS" || exit 0
	# a crash leaves the socket behind; redis replaces it
	(serve always) >redis.log 2>&1 & pid=$!
	until up; do
		kill -0 $pid 2>/dev/null || { echo "redis-server did not start:"; tail -3 redis.log; exit 1; }
		sleep 0.02
	done
	cli mget k1 k2 k3 >recovered || exit 1
	cli shutdown nosave >/dev/null
	wait $pid
	exit 0
	;;
check)
	while read -r ack k; do
		grep -qx "v$k" recovered 2>/dev/null || { echo "$k acknowledged but lost"; exit 1; }
	done <"$CRASHCHECK_ACKS"
	;;
*) echo "redis.sh: unknown command $1" >&2; exit 2 ;;
esac
