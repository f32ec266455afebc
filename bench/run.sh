#!/usr/bin/env bash
# bench/run.sh — serve the benchmark corpora with zonewarden, NSD, Knot and
# CoreDNS in turn and measure each with dnsperf. See docs/BENCHMARKS.md.
#
#   bench/run.sh                       # everything, 15 s per transport
#   bench/run.sh --quick               # 3 s per transport, to check it works
#   bench/run.sh --servers nsd,knot --corpora large --duration 20
#
# The server runs pinned to CPU 0 (taskset -c 0), dnsperf to CPU 1. Results
# go to bench/out/results-<date>.md (table) and .tsv (raw figures); the
# dnsperf outputs and server logs stay in bench/out/run-<date>/.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/run.sh [options]
  --servers LIST     comma-separated: zonewarden,nsd,knot,coredns (default: all)
  --corpora LIST     comma-separated: small,large (default: small,large)
  --duration SEC     dnsperf run time per transport (default: 15)
  --quick            --duration 3 --quiet-max 10 (a few minutes for everything)
  --port PORT        port the servers listen on at 127.0.0.1 (default: 35353)
  --clients N        dnsperf -c (default: 4)
  --outstanding N    dnsperf -q (default: 128)
  --threads N        dnsperf -T (default: 2)
  --edns             dnsperf -e: send EDNS0 in every query
  --tcp-queries-per-conn N
                     TCP: reconnect after N queries (dnsperf -O
                     num-queries-per-conn=N; default: persistent connections)
  --latency-qps N    rate of the fixed-load latency run (default: 10000)
  --quiet-max SEC    before each run, wait up to SEC seconds for other
                     processes to use less than --quiet-pct of a CPU
                     (default: 120; 0 measures at once)
  --quiet-pct N      (default: 15)
  --server-cpu N     CPU the server is pinned to (default: 0)
  --client-cpu N     CPU dnsperf is pinned to (default: 1)
  --coredns PATH     CoreDNS binary (default: /root/coredns-bin/coredns,
                     installed through the Go module proxy when missing)
EOF
}

SERVERS=zonewarden,nsd,knot,coredns
CORPORA=small,large
DURATION=15
PORT=35353
CLIENTS=4
OUTSTANDING=128
THREADS=2
EDNS=
TCP_PER_CONN=
SERVER_CPU=0
CLIENT_CPU=1
COREDNS=${COREDNS:-/root/coredns-bin/coredns}
COREDNS_VERSION=v1.11.3
LAT_QPS=10000
QUIET_PCT=15
QUIET_MAX=120

while [ $# -gt 0 ]; do
	case $1 in
	--servers) SERVERS=$2; shift 2 ;;
	--corpora) CORPORA=$2; shift 2 ;;
	--duration) DURATION=$2; shift 2 ;;
	--quick) DURATION=3; QUIET_MAX=10; shift ;;
	--port) PORT=$2; shift 2 ;;
	--clients) CLIENTS=$2; shift 2 ;;
	--outstanding) OUTSTANDING=$2; shift 2 ;;
	--threads) THREADS=$2; shift 2 ;;
	--edns) EDNS=-e; shift ;;
	--tcp-queries-per-conn) TCP_PER_CONN=$2; shift 2 ;;
	--latency-qps) LAT_QPS=$2; shift 2 ;;
	--quiet-max) QUIET_MAX=$2; shift 2 ;;
	--quiet-pct) QUIET_PCT=$2; shift 2 ;;
	--server-cpu) SERVER_CPU=$2; shift 2 ;;
	--client-cpu) CLIENT_CPU=$2; shift 2 ;;
	--coredns) COREDNS=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
done

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
RUN=$OUT/run-$STAMP
mkdir -p "$RUN"
TSV=$OUT/results-$STAMP.tsv
MD=$OUT/results-$STAMP.md
TICK_US=$((1000000 / $(getconf CLK_TCK)))

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for tool in taskset dnsperf dig gawk go /usr/bin/time ss; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
if ss -Hlnu "sport = :$PORT" | grep -q . || ss -Hlnt "sport = :$PORT" | grep -q .; then
	echo "run.sh: port $PORT is in use; pick another with --port" >&2
	exit 1
fi

# --- tools and servers -------------------------------------------------------

log "building bench/corpus and bench/probe"
go build -o "$OUT/corpus" ./bench/corpus
go build -o "$OUT/probe" ./bench/probe

declare -A UNAVAILABLE=() VERSION=()
has() { [[ ",$SERVERS," == *",$1,"* ]]; }

if has zonewarden; then
	log "building zonewarden"
	if go build -o "$OUT/zonewarden" ./cmd/zonewarden 2>"$RUN/zonewarden-build.log"; then
		VERSION[zonewarden]="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo +dirty)"
	else
		UNAVAILABLE[zonewarden]="does not build (see $RUN/zonewarden-build.log)"
	fi
fi
if has nsd; then
	if command -v nsd >/dev/null; then VERSION[nsd]=$(nsd -v 2>&1 | awk 'NR==1{print $3}'); else UNAVAILABLE[nsd]="nsd not installed"; fi
fi
if has knot; then
	if command -v knotd >/dev/null; then VERSION[knot]=$(knotd -V | awk '{print $NF}'); else UNAVAILABLE[knot]="knotd not installed"; fi
fi
if has coredns; then
	if [ ! -x "$COREDNS" ]; then
		log "installing CoreDNS $COREDNS_VERSION through the Go module proxy (outside this module)"
		(cd /tmp && GOFLAGS=-mod=mod GOBIN=$(dirname "$COREDNS") timeout 900 \
			go install "github.com/coredns/coredns@$COREDNS_VERSION") >"$RUN/coredns-install.log" 2>&1 || true
	fi
	if [ -x "$COREDNS" ]; then
		VERSION[coredns]=$("$COREDNS" -version | awk -F- 'NR==1{print $2}')
	else
		UNAVAILABLE[coredns]="could not be installed (see $RUN/coredns-install.log)"
	fi
fi

# --- corpora -----------------------------------------------------------------

for corpus in ${CORPORA//,/ }; do
	dir=$OUT/corpus-$corpus
	log "generating corpus $corpus in $dir"
	"$OUT/corpus" -out "$dir" -kind "$corpus"
done

# --- process accounting --------------------------------------------------------

# tree PID: PID and all its descendants (NSD forks xfrd, main and servers).
tree() {
	local all
	all=$(ps -e -o pid=,ppid=)
	awk -v root="$1" '{ kids[$2] = kids[$2] " " $1 }
		END { q[1] = root; n = 1; for (i = 1; i <= n; i++) { print q[i]; m = split(kids[q[i]], k, " "); for (j = 1; j <= m; j++) q[++n] = k[j] } }' <<<"$all"
}

# cpu_us PID: user+system CPU time of the process tree, all threads, plus
# children it has reaped, in microseconds.
cpu_us() {
	local t=0 p
	for p in $(tree "$1"); do
		# Fields after "(comm) ": 12 utime, 13 stime, 14 cutime, 15 cstime.
		t=$((t + $(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo $((t * TICK_US))
}

# mem_kib PID: resident memory of the process tree in KiB, as the sum of
# each process's proportional set size (forked children share pages).
mem_kib() {
	local t=0 p
	for p in $(tree "$1"); do
		t=$((t + $(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

SPID=
stop_server() {
	if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then
		kill "$SPID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
	fi
	SPID=
}
trap stop_server EXIT INT TERM

# --- server configurations -------------------------------------------------------

# server_cmd SERVER ZONEDIR WORKDIR: print the command line that serves ZONEDIR,
# after writing any configuration it needs into WORKDIR.
server_cmd() {
	local server=$1 zones=$2 work=$3 z
	case $server in
	zonewarden)
		echo "$OUT/zonewarden dns --listen 127.0.0.1:$PORT --zones $zones"
		;;
	nsd)
		{
			cat <<EOF
server:
  server-count: 1
  ip-address: 127.0.0.1@$PORT
  database: ""
  zonesdir: "$zones"
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  xfrdir: "$work"
  pidfile: "$work/nsd.pid"
  logfile: "$work/nsd.log"
  username: ""
  chroot: ""
  verbosity: 1
  # Response rate limiting is on by default in Debian's NSD; it would drop
  # or truncate the NXDOMAIN and wildcard answers that share a bucket.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
EOF
			while read -r z; do printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$z" "${z%.}"; done <"$zones/zones.txt"
		} >"$work/nsd.conf"
		echo "nsd -d -c $work/nsd.conf"
		;;
	knot)
		{
			cat <<EOF
server:
  rundir: "$work"
  listen: 127.0.0.1@$PORT
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
database:
  storage: "$work"
log:
  - target: "$work/knot.log"
    any: info
template:
  - id: default
    storage: "$zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
EOF
			while read -r z; do printf '  - domain: "%s"\n' "$z"; done <"$zones/zones.txt"
		} >"$work/knot.conf"
		echo "knotd -c $work/knot.conf"
		;;
	coredns)
		# One server block per zone with the file plugin, CoreDNS's fastest
		# setup here: the auto plugin over DIR cost ~200 µs/query with the
		# 1,000-zone corpus, against ~28 µs this way.
		while read -r z; do
			printf '%s:%s {\n  bind 127.0.0.1\n  file %s/%s.zone\n}\n' "$z" "$PORT" "$zones" "${z%.}"
		done <"$zones/zones.txt" >"$work/Corefile"
		echo "$COREDNS -quiet -conf $work/Corefile"
		;;
	esac
}

# --- measurement ------------------------------------------------------------

# busy_ticks: non-idle clock ticks of all CPUs since boot.
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# quiet_wait: wait (up to QUIET_MAX seconds) until the machine is idle, so
# that nothing else competes with the server or dnsperf.
quiet_wait() {
	local waited=0 a b busy
	while :; do
		a=$(busy_ticks); sleep 1; b=$(busy_ticks)
		busy=$(((b - a) * 100 / $(getconf CLK_TCK)))
		if [ "$busy" -le "$QUIET_PCT" ] || [ "$waited" -ge "$QUIET_MAX" ]; then break; fi
		[ "$waited" -eq 0 ] && log "machine busy (${busy}% of a CPU used by others); waiting up to ${QUIET_MAX}s"
		waited=$((waited + 1))
	done
	if [ "$busy" -gt "$QUIET_PCT" ]; then log "machine still busy (${busy}% of a CPU); measuring anyway"; fi
}

# start_server SERVER ZONEDIR WORKDIR: start the server pinned to SERVER_CPU,
# set SPID, and wait until it answers every probe name; set LOAD (wall-clock
# seconds from exec) and LOAD_CPU (CPU seconds the server used until then).
start_server() {
	local cmd start ready
	cmd=$(server_cmd "$1" "$2" "$3")
	echo "taskset -c $SERVER_CPU $cmd" >"$3/command"
	start=$(date +%s%N)
	# shellcheck disable=SC2086 # cmd is a word list we built.
	(cd "$3" && exec taskset -c "$SERVER_CPU" $cmd) >"$3/server.log" 2>&1 &
	SPID=$!
	if ! ready=$("$OUT/probe" -server "127.0.0.1:$PORT" -names "$2/probe.txt" -timeout 120s 2>"$3/probe.log"); then
		stop_server
		return 1
	fi
	LOAD=$(awk -v a="$start" -v b="$ready" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	LOAD_CPU=$(awk -v c="$(cpu_us "$SPID")" 'BEGIN { printf "%.2f", c / 1e6 }')
}

# dnsperf_field FILE KEY: the first number after KEY in dnsperf's output.
dnsperf_field() { awk -v k="$2" 'index($0, k) { sub(/.*: */, ""); print $1 + 0; exit }' "$1"; }
rcode_pct() { grep -o "$2 [0-9]* ([0-9.]*%)" "$1" | sed 's/.*(\(.*\)%)/\1/' || echo 0; }

# answers FILE: ask the running server the sample queries (every 1,000th line
# of queries.txt) with dig and write one normalized line per query to FILE:
# the query, rcode, AA, the answer RRs sorted, and, when there is no answer,
# the authority RRs sorted. The report compares these between servers.
answers() {
	awk 'NR % 1000 == 1' "$zones/queries.txt" >"$1.queries"
	dig @127.0.0.1 -p "$PORT" +norec +noedns +nocookie +tries=1 +time=2 +noall +comments +answer +authority \
		-f "$1.queries" 2>&1 | awk -v qfile="$1.queries" '
		function flush() {
			if (!open) return
			getline q <qfile
			n = na ? asort(ans) : 0; a = ""; for (i = 1; i <= n; i++) a = a (i > 1 ? " ; " : "") ans[i]
			m = nu ? asort(auth) : 0; u = ""; if (n == 0) for (i = 1; i <= m; i++) u = u (i > 1 ? " ; " : "") auth[i]
			print q " | " status " | " aa " | " a " | " u
			delete ans; delete auth; na = nu = open = 0
		}
		/^;; Got answer:/ { flush(); open = 1; sect = ""; next }
		/timed out|no servers could be reached/ { flush(); getline q <qfile; print q " | TIMEOUT"; next }
		/->>HEADER<<-/ { status = $6; sub(/,$/, "", status) }
		/^;; flags:/ { aa = ($0 ~ /flags:[a-z ]* aa[ ;]/) ? "aa" : "-" }
		/^;; ANSWER SECTION:/ { sect = "ans"; next }
		/^;; AUTHORITY SECTION:/ { sect = "auth"; next }
		/^;/ || NF == 0 { next }
		{ $1 = $1; if (sect == "ans") ans[++na] = $0; else if (sect == "auth") auth[++nu] = $0 }
		END { flush() }' >"$1"
}

# perf_run RESULT ARGS...: run dnsperf pinned to CLIENT_CPU against the server
# and write its output to RESULT; set CPU (server µs), OTHER (% of a CPU used
# by anything but the server and dnsperf during the run).
perf_run() {
	local res=$1 before after busy0 busy1 dp
	shift
	busy0=$(busy_ticks)
	before=$(cpu_us "$SPID")
	/usr/bin/time -f '%U %S %e' -o "$res.time" taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$PORT" \
		-d "$zones/queries.txt" "$@" >"$res" 2>&1 || true
	after=$(cpu_us "$SPID")
	busy1=$(busy_ticks)
	CPU=$((after - before))
	dp=$(awk '{ printf "%d", ($1 + $2) * 1e6 }' "$res.time" 2>/dev/null || echo 0)
	OTHER=$(awk -v b=$(((busy1 - busy0) * TICK_US)) -v s="$CPU" -v d="$dp" -v t="$(awk '{ print $3 }' "$res.time" 2>/dev/null)" \
		'BEGIN { o = (b - s - d) / (t > 0 ? t : 1) / 1e4; printf "%.0f", o < 0 ? 0 : o }')
}

printf 'corpus\tserver\tversion\trecords\tload_s\tmem_kib\tbytes_per_record\tudp_qps\tudp_lat_ms\tudp_lat_sd_ms\tudp_lost_pct\tudp_cpu_us\ttcp_qps\ttcp_lat_ms\ttcp_lat_sd_ms\ttcp_lost_pct\ttcp_cpu_us\tnxdomain_pct\tbase_kib\tlat_qps\tlat_ms\tlat_sd_ms\tlat_max_ms\tlat_cpu_us\tload_cpu_s\tother_pct\tnote\n' >"$TSV"

# Baseline memory: each server with one 20-record zone, so that bytes per
# record count what the records cost, not the server's fixed start-up size.
"$OUT/corpus" -out "$OUT/corpus-base" -kind base -queries 1000
declare -A BASE=()
for server in ${SERVERS//,/ }; do
	[ -n "${UNAVAILABLE[$server]:-}" ] && continue
	mkdir -p "$RUN/base-$server"
	zones=$OUT/corpus-base
	if start_server "$server" "$OUT/corpus-base" "$RUN/base-$server"; then
		sleep 1
		BASE[$server]=$(mem_kib "$SPID")
		log "base/$server: $((BASE[$server] / 1024)) MiB with one 20-record zone"
		stop_server
	else
		UNAVAILABLE[$server]="did not serve the base corpus (see $RUN/base-$server)"
		log "base/$server: ${UNAVAILABLE[$server]}"
	fi
done

LAT_DURATION=$((DURATION / 3 > 3 ? DURATION / 3 : 3))
for corpus in ${CORPORA//,/ }; do
	zones=$OUT/corpus-$corpus
	records=$(awk -F= '/^records=/{print $2}' "$zones/expect.txt")
	want_nx=$(awk -F= '/^expect_nxdomain_pct=/{print $2}' "$zones/expect.txt")
	for server in ${SERVERS//,/ }; do
		if [ -n "${UNAVAILABLE[$server]:-}" ]; then
			log "$corpus/$server: unavailable: ${UNAVAILABLE[$server]}"
			printf '%s\t%s\t-\t%s%s\t%s\n' "$corpus" "$server" "$records" "$(printf '\t%.0s' $(seq 22))" "${UNAVAILABLE[$server]}" >>"$TSV"
			continue
		fi
		work=$RUN/$corpus-$server
		mkdir -p "$work"
		quiet_wait
		log "$corpus/$server: starting $(server_cmd "$server" "$zones" "$work")"
		if ! start_server "$server" "$zones" "$work"; then
			log "$corpus/$server: did not answer the probe names: $(tail -1 "$work/probe.log"); server log: $work/server.log"
			printf '%s\t%s\t%s\t%s%s\t%s\n' "$corpus" "$server" "${VERSION[$server]}" "$records" "$(printf '\t%.0s' $(seq 22))" "did not serve the corpus" >>"$TSV"
			continue
		fi
		sleep 1 # let start-up work (NSD's forks, Go's GC) settle before measuring memory
		mem=$(mem_kib "$SPID")
		bpr=$(((mem - BASE[$server]) * 1024 / records))
		load_s=$LOAD
		log "$corpus/$server: loaded in ${load_s}s (${LOAD_CPU}s CPU), $((mem / 1024)) MiB, $bpr B/record over the base"

		answers "$work/answers.txt"

		declare -A R=()
		note=
		other=0
		for mode in udp tcp lat; do
			res=$work/dnsperf-$mode.txt
			quiet_wait
			case $mode in
			# shellcheck disable=SC2086 # EDNS is empty or one flag.
			udp) perf_run "$res" -m udp -l "$DURATION" -c "$CLIENTS" -q "$OUTSTANDING" -T "$THREADS" $EDNS ;;
			# shellcheck disable=SC2086
			tcp) perf_run "$res" -m tcp -l "$DURATION" -c "$CLIENTS" -q "$OUTSTANDING" -T "$THREADS" $EDNS \
				${TCP_PER_CONN:+-O num-queries-per-conn=$TCP_PER_CONN} ;;
			# shellcheck disable=SC2086
			lat) perf_run "$res" -m udp -l "$LAT_DURATION" -c "$CLIENTS" -q "$OUTSTANDING" -T "$THREADS" -Q "$LAT_QPS" $EDNS ;;
			esac
			other=$((OTHER > other ? OTHER : other))
			done_q=$(dnsperf_field "$res" "Queries completed:")
			if [ -z "$done_q" ] || [ "$done_q" -eq 0 ]; then
				log "$corpus/$server/$mode: no queries completed; see $res"
				note="$note $mode failed;"
				continue
			fi
			R[${mode}_qps]=$(dnsperf_field "$res" "Queries per second:")
			R[${mode}_lat]=$(awk -v s="$(dnsperf_field "$res" "Average Latency (s):")" 'BEGIN { printf "%.3f", s * 1000 }')
			R[${mode}_max]=$(awk '/Average Latency/ { sub(/.*max /, ""); sub(/\).*/, ""); printf "%.3f", $1 * 1000 }' "$res")
			R[${mode}_sd]=$(awk -v s="$(dnsperf_field "$res" "Latency StdDev (s):")" 'BEGIN { printf "%.3f", s * 1000 }')
			R[${mode}_lost]=$(awk '/Queries lost:/ { gsub(/[()%]/, "", $4); print $4; exit }' "$res")
			R[${mode}_cpu]=$(awk -v c="$CPU" -v n="$done_q" 'BEGIN { printf "%.2f", c / n }')
			nx=$(rcode_pct "$res" NXDOMAIN)
			nx=${nx:-0}
			if [ "$mode" = udp ]; then R[nx]=$nx; fi
			if awk -v a="$nx" -v b="$want_nx" 'BEGIN { exit !(a - b > 1 || b - a > 1) }'; then
				note="$note $mode NXDOMAIN ${nx}% (want ${want_nx}%);"
			fi
			if grep -qE 'SERVFAIL|REFUSED|FORMERR|NOTIMP' "$res"; then
				note="$note $mode: $(grep 'Response codes' "$res" | sed 's/.*codes: *//');"
			fi
			log "$corpus/$server/$mode: ${R[${mode}_qps]} q/s, ${R[${mode}_lat]} ms avg, ${R[${mode}_cpu]} µs CPU/query, lost ${R[${mode}_lost]}%, others used ${OTHER}% of a CPU"
		done
		if [ "$other" -gt 10 ]; then note="$note other processes used up to ${other}% of a CPU;"; fi
		if ! kill -0 "$SPID" 2>/dev/null; then note="$note server exited during the run;"; fi
		stop_server
		printf '%s\t' "$corpus" "$server" "${VERSION[$server]}" "$records" "$load_s" "$mem" "$bpr" \
			"${R[udp_qps]:-}" "${R[udp_lat]:-}" "${R[udp_sd]:-}" "${R[udp_lost]:-}" "${R[udp_cpu]:-}" \
			"${R[tcp_qps]:-}" "${R[tcp_lat]:-}" "${R[tcp_sd]:-}" "${R[tcp_lost]:-}" "${R[tcp_cpu]:-}" \
			"${R[nx]:-}" "${BASE[$server]}" "${R[lat_qps]:-}" "${R[lat_lat]:-}" "${R[lat_sd]:-}" "${R[lat_max]:-}" "${R[lat_cpu]:-}" "$LOAD_CPU" "$other" >>"$TSV"
		printf '%s\n' "${note# }" >>"$TSV"
		unset R
	done
done

# --- report -------------------------------------------------------------------

{
	echo "## Results $STAMP"
	echo
	echo "Machine: $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(nproc) CPUs, Linux $(uname -r)."
	echo "Server pinned to CPU $SERVER_CPU, dnsperf $(dnsperf -h 2>&1 | awk '/^Version/{print $2}') to CPU $CLIENT_CPU:" \
		"\`dnsperf -l $DURATION -c $CLIENTS -q $OUTSTANDING -T $THREADS${EDNS:+ $EDNS}\` over UDP, then with \`-m tcp${TCP_PER_CONN:+ -O num-queries-per-conn=$TCP_PER_CONN}\`;" \
		"latency at a fixed load: \`-l $LAT_DURATION -Q $LAT_QPS\` over UDP."
	echo "Versions: $(for s in ${SERVERS//,/ }; do printf '%s %s; ' "$s" "${VERSION[$s]:-n/a}"; done | sed 's/; $//')."
	echo
	awk -F'\t' -v latqps="$LAT_QPS" '
	NR == 1 { next }
	{
		key = $1 SUBSEP $2; row[++n] = key; c[key] = $1; s[key] = $2
		for (i = 1; i <= NF; i++) f[key, i] = $i
	}
	function num(x, d) { return x == "" ? "–" : sprintf("%." d "f", x) }
	function kq(x) { return x == "" ? "–" : sprintf("%.1fk", x / 1000) }
	function ratio(a, b, d) { return (a == "" || b == "" || b == 0) ? "–" : sprintf("%." d "f×", a / b) }
	END {
		print "| corpus | server | qps UDP | qps TCP | µs CPU/query UDP | µs CPU/query TCP | latency at " latqps " qps UDP, avg / max (ms) | µs CPU/query at " latqps " qps | latency saturated UDP / TCP (ms) | memory (MiB) | B/record | load (s), wall / CPU | notes |"
		print "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
		for (i = 1; i <= n; i++) {
			k = row[i]
			if (f[k, 5] == "") {
				printf "| %s | %s | pending | | | | | | | | | | %s |\n", c[k], s[k], f[k, 27]
				continue
			}
			printf "| %s | %s %s | %s | %s | %s | %s | %s / %s | %s | %s / %s | %s | %s | %s | %s |\n", c[k], s[k], f[k, 3],
				kq(f[k, 8]), kq(f[k, 13]), num(f[k, 12], 2), num(f[k, 17], 2),
				num(f[k, 21], 3), num(f[k, 23], 1), num(f[k, 24], 1), num(f[k, 9], 2), num(f[k, 14], 2),
				num(f[k, 6] / 1024, 1), f[k, 7], num(f[k, 5], 2) " / " num(f[k, 25], 2), f[k, 27]
		}
		print ""
		print "zonewarden ÷ peer, same run (qps: higher is better; CPU/query, memory and load time: lower is better):"
		print ""
		print "| corpus | peer | qps UDP | qps TCP | CPU/query UDP | CPU/query TCP | B/record | load time |"
		print "|---|---|--:|--:|--:|--:|--:|--:|"
		for (i = 1; i <= n; i++) {
			k = row[i]
			if (s[k] == "zonewarden") continue
			z = c[k] SUBSEP "zonewarden"
			if (!((z, 5) in f) || f[z, 5] == "") continue
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", c[k], s[k],
				ratio(f[z, 8], f[k, 8], 2), ratio(f[z, 13], f[k, 13], 2),
				ratio(f[z, 12], f[k, 12], 2), ratio(f[z, 17], f[k, 17], 2), ratio(f[z, 7], f[k, 7], 2), ratio(f[z, 5], f[k, 5], 2)
		}
	}' "$TSV"
	echo
	echo "Answers to a sample of 1,000 queries (every 1,000th), compared by rcode, AA, answer RRs and, for empty answers, authority RRs:"
	echo
	for corpus in ${CORPORA//,/ }; do
		ref=
		for r in nsd knot; do
			if [ -s "$RUN/$corpus-$r/answers.txt" ]; then ref=$r; break; fi
		done
		[ -n "$ref" ] || continue
		for server in ${SERVERS//,/ }; do
			a=$RUN/$corpus-$server/answers.txt
			[ "$server" != "$ref" ] && [ -s "$a" ] || continue
			d=$(diff "$RUN/$corpus-$ref/answers.txt" "$a" | grep -c '^>' || true)
			diff "$RUN/$corpus-$ref/answers.txt" "$a" >"$RUN/$corpus-$server/answers-vs-$ref.diff" || true
			if [ "$d" -eq 0 ]; then
				echo "- $corpus, $server: all $(wc -l <"$a") answers as $ref's"
			else
				echo "- $corpus, $server: $d of $(wc -l <"$a") answers differ from $ref's (bench/out/run-$STAMP/$corpus-$server/answers-vs-$ref.diff)"
			fi
		done
	done
} >"$MD"

cat "$MD"
log "results: $MD (raw: $TSV, logs: $RUN)"
