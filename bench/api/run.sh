#!/usr/bin/env bash
# bench/api/run.sh — the control plane's API against PowerDNS's: record
# creates per second, listing a 100,000-record zone and API-write→DNS-answer
# latency, on SQLite and on PostgreSQL. For each backend it starts
# `zonewarden serve` and pdns_server side by side (both pinned to CPU 0) and
# runs bench/api (pinned to CPU 1), which interleaves the two. See
# docs/BENCHMARKS.md, "Control plane API".
#
#   bench/api/run.sh                        # both backends (~10 min)
#   bench/api/run.sh --quick                # small figures, to check the harness (~2 min)
#   bench/api/run.sh --backends sqlite --creates 5000 --rounds 3
#
# Needs pdns_server with its gsqlite3 and gpgsql backends (Debian:
# pdns-server pdns-backend-sqlite3 pdns-backend-pgsql), sqlite3, psql,
# createdb, dropdb, taskset, curl and Go; PostgreSQL reachable as --pg-url
# with the right to create databases. Results go to
# bench/out/api-results-<time>.md; logs and configurations to
# bench/out/api-run-<time>/.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/api/run.sh [options]
  --backends LIST      sqlite,postgres (default: both)
  --creates N          records created one request each, per run (default: 2000)
  --clients LIST       concurrent clients of the create runs (default: 1,8)
  --rounds N           rounds of the create and list runs, median reported (default: 2)
  --list-records N     records in the listed zone (default: 100000; zonewarden
                       serve gets --record-limit to hold them and the records
                       the latency runs add; 0 skips)
  --batch N            records per request loading that zone (default: 2000)
  --latency-writes N   write→answer samples on a small zone (default: 200)
  --latency-writes-big N
                       the same on the listed zone (default: 50; 0 skips)
  --quick              --creates 300 --rounds 1 --list-records 5000
                       --latency-writes 30 --latency-writes-big 10
  --pg-url URL         PostgreSQL server, without a database name
                       (default: postgres://postgres@127.0.0.1:5432)
  --server-cpu N       CPU both servers are pinned to (default: 0)
  --client-cpu N       CPU the load generator is pinned to (default: 1)
  --timeout SEC        stop a backend's run after SEC seconds (default: 1800)
  --worktree           build zonewarden from the working tree, uncommitted
                       changes included (default: from HEAD, via git archive,
                       so that others' work in progress does not count)
EOF
}

BACKENDS=sqlite,postgres
CREATES=2000
CLIENTS=1,8
ROUNDS=2
LIST_RECORDS=100000
BATCH=2000
LAT_WRITES=200
LAT_BIG=50
PG_URL=postgres://postgres@127.0.0.1:5432
SERVER_CPU=0
CLIENT_CPU=1
TIMEOUT=1800
WORKTREE=

while [ $# -gt 0 ]; do
	case $1 in
	--backends) BACKENDS=$2; shift 2 ;;
	--creates) CREATES=$2; shift 2 ;;
	--clients) CLIENTS=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--list-records) LIST_RECORDS=$2; shift 2 ;;
	--batch) BATCH=$2; shift 2 ;;
	--latency-writes) LAT_WRITES=$2; shift 2 ;;
	--latency-writes-big) LAT_BIG=$2; shift 2 ;;
	--quick) CREATES=300; ROUNDS=1; LIST_RECORDS=5000; LAT_WRITES=30; LAT_BIG=10; shift ;;
	--pg-url) PG_URL=$2; shift 2 ;;
	--server-cpu) SERVER_CPU=$2; shift 2 ;;
	--client-cpu) CLIENT_CPU=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--worktree) WORKTREE=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "bench/api/run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
done

cd "$(dirname "$0")/../.."
for tool in pdns_server sqlite3 psql createdb dropdb taskset curl go ss; do
	command -v "$tool" >/dev/null || { echo "bench/api/run.sh: $tool is missing" >&2; exit 1; }
done
schema() { # the first of the paths that exists
	for f in "$@"; do [ -f "$f" ] && { echo "$f"; return; }; done
	echo "bench/api/run.sh: no PowerDNS schema among: $*" >&2; exit 1
}
SQLITE_SCHEMA=$(schema /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql)
PG_SCHEMA=$(schema /usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql /usr/share/doc/pdns-backend-pgsql/schema.pgsql.sql)

STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
OUT=bench/out
RUN=$OUT/api-run-$STAMP
RESULTS=$OUT/api-results-$STAMP.md
mkdir -p "$RUN"
RUN=$(cd "$RUN" && pwd)

echo "building zonewarden and the load generator" >&2
if [ -n "$WORKTREE" ]; then
	go build -o "$RUN/zonewarden" ./cmd/zonewarden
	go build -o "$RUN/apibench" ./bench/api
	ZW_VERSION=$(git describe --always --dirty)
else
	mkdir -p "$RUN/src"
	git archive HEAD | tar -x -C "$RUN/src"
	(cd "$RUN/src" && go build -o "$RUN/zonewarden" ./cmd/zonewarden && go build -o "$RUN/apibench" ./bench/api)
	rm -rf "$RUN/src"
	ZW_VERSION=$(git describe --always HEAD)
fi
PDNS_VERSION=$( (pdns_server --version 2>&1 || true) | sed -n "s/.*PowerDNS Authoritative Server \([^ ]*\).*/\1/p" | head -1)

PIDS=()
DBS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	for d in "${DBS[@]}"; do pg dropdb --if-exists "$d" || true; done
}
trap cleanup EXIT

# freeport prints a TCP and UDP port free on 127.0.0.1.
freeport() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! ss -Htuln "sport = :$p" | grep -q .; then echo "$p"; return; fi
	done
}

# waitfor URL [curl args]: until the URL answers 2xx, or 30 s.
waitfor() {
	local url=$1; shift
	for _ in $(seq 300); do
		curl -fsS -o /dev/null "$@" "$url" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench/api/run.sh: $url did not answer in 30 s" >&2
	return 1
}

pgdb() { # createdb NAME, dropped at exit
	pg dropdb --if-exists "$1"
	pg createdb "$1"
	DBS+=("$1")
}
pg_host() { local h=${PG_URL#*://}; h=${h#*@}; echo "${h%%:*}"; }
pg_port() { local h=${PG_URL##*:}; echo "${h%%/*}"; }
pg_user() { local u=${PG_URL#*://}; u=${u%%@*}; echo "${u%%:*}"; }
pg() { local cmd=$1; shift; "$cmd" -h "$(pg_host)" -p "$(pg_port)" -U "$(pg_user)" "$@"; }

{
	echo "## Control plane API: run of $STAMP"
	echo
	echo "Zonewarden $ZW_VERSION (\`zonewarden serve\`), PowerDNS Authoritative $PDNS_VERSION (Debian), both on CPU $SERVER_CPU; load generator (bench/api) on CPU $CLIENT_CPU."
	echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) CPUs, Linux $(uname -r); PostgreSQL $(pg psql -d postgres -Atc 'show server_version' 2>/dev/null | cut -d' ' -f1) (not pinned)."
	echo "Workload: $CREATES creates per run at $CLIENTS clients, $ROUNDS rounds; list zone $LIST_RECORDS records loaded $BATCH per request; $LAT_WRITES + $LAT_BIG write→answer samples."
} >"$RESULTS"

run_backend() {
	local backend=$1 dir="$RUN/$1" zwport zwdns pdport pddns key zwstore pdlaunch
	mkdir -p "$dir"
	zwport=$(freeport); zwdns=$(freeport); pdport=$(freeport); pddns=$(freeport)
	key=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')

	case $backend in
	sqlite)
		mkdir -p "$dir/zw-data"
		zwstore=(--data "$dir/zw-data")
		sqlite3 "$dir/pdns.sqlite3" <"$SQLITE_SCHEMA"
		# Zonewarden's SQLite runs WAL with synchronous=NORMAL; PowerDNS gets the same.
		pdlaunch="launch=gsqlite3
gsqlite3-database=$dir/pdns.sqlite3
gsqlite3-pragma-journal-mode=WAL
gsqlite3-pragma-synchronous=1"
		;;
	postgres)
		pgdb zwbench_zw
		pgdb zwbench_pdns
		pg psql -q -d zwbench_pdns -f "$PG_SCHEMA" >/dev/null
		zwstore=(--database "$PG_URL/zwbench_zw?sslmode=disable")
		pdlaunch="launch=gpgsql
gpgsql-host=$(pg_host)
gpgsql-port=$(pg_port)
gpgsql-user=$(pg_user)
gpgsql-dbname=zwbench_pdns"
		;;
	*) echo "bench/api/run.sh: unknown backend $backend" >&2; return 1 ;;
	esac

	# Zonewarden: a user and a token, then serve with rate limiting off.
	echo 'bench password' | "$RUN/zonewarden" admin create-user --email bench@zonewarden.test --password-stdin "${zwstore[@]}" >"$dir/zw-user.json"
	local tok acct
	"$RUN/zonewarden" admin create-token --email bench@zonewarden.test "${zwstore[@]}" >"$dir/zw-token.json"
	tok=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$dir/zw-token.json")
	acct=$(sed -n 's/.*"account_id":\([0-9]*\).*/\1/p' "$dir/zw-token.json")
	local zwcmd=(taskset -c "$SERVER_CPU" "$RUN/zonewarden" serve "${zwstore[@]}" --http "127.0.0.1:$zwport"
		--dns "127.0.0.1:$zwdns" --rate-limit -1 --log-level warn --alias-upstream ""
		--record-limit $((LIST_RECORDS > 9000 ? LIST_RECORDS + 1000 : 10000)))
	echo "${zwcmd[*]}" >"$dir/zw-command"
	"${zwcmd[@]}" >"$dir/zw.log" 2>&1 &
	local zwpid=$!
	PIDS+=("$zwpid")

	# PowerDNS: the API on, every cache off so that a write is answered at
	# once, as Zonewarden does.
	cat >"$dir/pdns.conf" <<EOF
$pdlaunch
local-address=127.0.0.1
local-port=$pddns
api=yes
api-key=$key
webserver=yes
webserver-address=127.0.0.1
webserver-port=$pdport
webserver-allow-from=127.0.0.0/8
webserver-max-bodysize=256
webserver-loglevel=none
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
guardian=no
daemon=no
disable-syslog=yes
socket-dir=$dir
loglevel=4
EOF
	local pdcmd=(taskset -c "$SERVER_CPU" pdns_server --config-dir="$dir")
	echo "${pdcmd[*]}" >"$dir/pdns-command"
	"${pdcmd[@]}" >"$dir/pdns.log" 2>&1 &
	local pdpid=$!
	PIDS+=("$pdpid")

	waitfor "http://127.0.0.1:$zwport/v2/whoami" -H "Authorization: Bearer $tok"
	waitfor "http://127.0.0.1:$pdport/api/v1/servers/localhost" -H "X-API-Key: $key"

	local name=SQLite
	[ "$backend" = postgres ] && name=PostgreSQL
	echo "load average before $backend: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	local la0
	la0=$(cut -d' ' -f1-3 /proc/loadavg)
	timeout "$TIMEOUT" taskset -c "$CLIENT_CPU" "$RUN/apibench" -backend "$name" \
		-zw "http://127.0.0.1:$zwport" -zw-token "$tok" -zw-account "$acct" -zw-dns "127.0.0.1:$zwdns" -zw-pid "$zwpid" \
		-pdns "http://127.0.0.1:$pdport" -pdns-key "$key" -pdns-dns "127.0.0.1:$pddns" -pdns-pid "$pdpid" \
		-creates "$CREATES" -clients "$CLIENTS" -rounds "$ROUNDS" -list-records "$LIST_RECORDS" -batch "$BATCH" \
		-latency-writes "$LAT_WRITES" -latency-writes-big "$LAT_BIG" -out "$dir/table.md" 2>&1 | tee "$dir/apibench.log" >&2
	cat "$dir/table.md" >>"$RESULTS"
	echo "Load average (1, 5, 15 min) at start: $la0; at end: $(cut -d' ' -f1-3 /proc/loadavg)." >>"$RESULTS"

	kill "$zwpid" "$pdpid" 2>/dev/null || true
	wait "$zwpid" "$pdpid" 2>/dev/null || true
}

for b in ${BACKENDS//,/ }; do
	run_backend "$b"
done
echo >&2
cat "$RESULTS"
echo >&2
echo "results: $RESULTS; logs: $RUN" >&2
