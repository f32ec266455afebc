#!/usr/bin/env bash
# bench/edge/run.sh — zone distribution (issue 5): one primary (zonewarden
# serve, SQLite) and three edges (zonewarden edge) on loopback with N zones:
# fresh edge load time, API write → every edge answering (p50/p99), bytes
# per change (IXFR against AXFR), memory per edge, restart from disk.
#
#   bench/edge/run.sh                          # 10,000 zones, 1,000 writes
#   bench/edge/run.sh --zones 500 --writes 50  # a quick check of the harness
#
# Builds zonewarden from the working tree. Results on stdout and in
# bench/out/edge-results-<time>.txt; logs in bench/out/edge-run-<time>/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ZONES=10000
WRITES=1000
while [ $# -gt 0 ]; do
	case "$1" in
	--zones) ZONES=$2; shift 2 ;;
	--writes) WRITES=$2; shift 2 ;;
	*) echo "usage: bench/edge/run.sh [--zones N] [--writes N]" >&2; exit 2 ;;
	esac
done
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/out/edge-run-$stamp
mkdir -p "$out"
go build -o "$out/zonewarden" ./cmd/zonewarden
go build -o "$out/bench-edge" ./bench/edge
{
	echo "# zone distribution benchmark, $stamp"
	echo "commit $(git rev-parse --short HEAD), $(go version), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "zones $ZONES, writes $WRITES"
	"$out/bench-edge" -bin "$out/zonewarden" -dir "$out" -zones "$ZONES" -writes "$WRITES"
} | tee "bench/out/edge-results-$stamp.txt"
