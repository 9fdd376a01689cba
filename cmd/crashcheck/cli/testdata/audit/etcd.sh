# etcd.sh CMD: one etcd member for crashcheck's audit (audit_rows_test.go),
# its data in ./etcd, its client and peer sockets ./c:1 and ./p:2 (an etcd
# unix URL is host:port, relative to the working directory: crashcheck's
# mount).
#   start    run etcd: the -start server (the first start makes the member)
#   ready    exit 0 once it serves
#   client   put k1, k2, k3, each with its own etcdctl, and print "ack kN"
#            once the put returned (etcd acknowledges a put once its WAL
#            entry is fsynced)
#   recover  start etcd on a crash state (its recovery) and write the keys
#            it has to ./recovered; nothing to do if nothing was acknowledged
#   check    every acknowledged key is in ./recovered
set -u
ctl() { etcdctl --endpoints unix://c:1 --dial-timeout 1s --command-timeout 2s "$@"; }
serve() {
	# short election timeouts: a single member elects itself at once
	exec etcd --name n --data-dir etcd --log-level error \
		--listen-client-urls unix://c:1 --advertise-client-urls unix://c:1 \
		--listen-peer-urls unix://p:2 --initial-advertise-peer-urls unix://p:2 \
		--initial-cluster n=unix://p:2 --heartbeat-interval 10 --election-timeout 100
}
up() { test -S c:1 && ctl endpoint health >/dev/null 2>&1; }
# run etcd in the background until it serves; its pid in $pid
background() {
	serve 2>etcd.log & pid=$!
	until up; do
		kill -0 $pid 2>/dev/null || { echo "etcd did not start:"; tail -3 etcd.log; exit 1; }
		sleep 0.02
	done
}
export ETCDCTL_API=3
case $1 in
start) serve ;;
ready) up ;;
client)
	for k in k1 k2 k3; do
		ctl put $k v$k >/dev/null && echo "ack $k"
	done
	;;
recover)
	test -s "$CRASHCHECK_ACKS" || exit 0
	# a crash leaves the sockets behind, and etcd will not bind over them
	rm -f c:1 p:2
	background
	ctl get --prefix k >recovered || exit 1
	kill $pid
	wait $pid # etcd ends by its own SIGTERM, re-raised: status 143
	exit 0
	;;
check)
	while read -r ack k; do
		grep -qx "v$k" recovered 2>/dev/null || { echo "$k acknowledged but lost"; exit 1; }
	done <"$CRASHCHECK_ACKS"
	;;
*) echo "etcd.sh: unknown command $1" >&2; exit 2 ;;
esac
