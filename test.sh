#!/usr/bin/env bash
# test.sh runs every test Zonewarden has: go vet, the unit and end-to-end
# tests with the race detector, the interoperability tests against NSD, Knot
# and BIND (test/interop, internal/app), and a short run of each fuzz
# target. It installs the Debian packages those need when they are missing
# (as root), and exits non-zero on the first failure. CI runs it through
# .ci/run.
#
#	./test.sh                   # everything
#	FUZZTIME=1m ./test.sh       # longer fuzzing (default 15s per target)
#	FUZZTIME=0 ./test.sh        # no fuzzing
set -euo pipefail
cd "$(dirname "$0")"

FUZZTIME=${FUZZTIME:-15s}

say() { printf '\n=== %s\n' "$*"; }

# --- tools -----------------------------------------------------------------
# The interop tests run nsd, knotd and named as reference servers and compare
# their answers with ours; kdig, dig and dnsperf are used by tests and
# benchmarks; chromium runs the dashboard's browser tests (internal/web).
need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have nsd     || need_pkgs+=(nsd)
have knotd   || need_pkgs+=(knot)
have named   || need_pkgs+=(bind9)
have kdig    || need_pkgs+=(knot-dnsutils)
have dnsperf || need_pkgs+=(dnsperf)
have dig     || need_pkgs+=(bind9-dnsutils)
have chromium || need_pkgs+=(chromium)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "test.sh: missing ${need_pkgs[*]}; install them as root:" >&2
		echo "  apt-get install -y nsd knot bind9 knot-dnsutils dnsperf bind9-dnsutils chromium" >&2
		exit 1
	fi
	say "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Packages try to start their daemons; the tests start their own on
	# free ports, and a machine without an init would fail the install. A
	# policy-rc.d that refuses keeps the services from starting.
	policy_set=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		policy_set=1
	fi
	apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
	if [ "$policy_set" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# The packaged nsd, knot and named services are not wanted: the tests start
# their own instances on random loopback ports. Stop them if an init system
# runs them (only them; nothing else is touched). Anything on port 53 does
# not matter to the tests, which never use it.
if [ "$(id -u)" -eq 0 ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	for svc in nsd knot named; do
		if systemctl is-active --quiet "$svc" 2>/dev/null; then
			say "stopping the packaged $svc service"
			systemctl stop "$svc" || true
		fi
	done
fi

# --- tests -----------------------------------------------------------------
say "go vet ./..."
go vet ./...

# The store tests run on PostgreSQL too whenever it answers on 127.0.0.1:5432
# (trust auth, database test). CI starts it when it is down and fails rather
# than skip those tests.
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up && [ -n "${CI:-}" ]; then
	say "starting PostgreSQL"
	pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
	for _ in $(seq 30); do pg_up && break; sleep 1; done
fi
if pg_up; then
	export ZONEWARDEN_TEST_DATABASE_URL=${ZONEWARDEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
elif [ -n "${CI:-}" ]; then
	echo "test.sh: PostgreSQL is not running on 127.0.0.1:5432 and did not start; the store tests need it" >&2
	exit 1
fi

say "go test -race -count=1 ./..."
go test -race -count=1 ./...

# --- fuzzing ---------------------------------------------------------------
# corpus_size counts the inputs a fuzz target has saved (0 without a dir).
corpus_size() {
	if [ -d "$1" ]; then
		find "$1" -type f | wc -l
	else
		echo 0
	fi
}

if [ "$FUZZTIME" != "0" ]; then
	targets=$(mktemp)
	# go test -list prints each package's matching names, then a line
	# "ok <package> <time>"; pair them up.
	go test -list '^Fuzz' ./... | awk '
		/^Fuzz/ { names[n++] = $1; next }
		/^ok/   { for (i = 0; i < n; i++) print $2, names[i]; n = 0 }
	' >"$targets"
	while read -r pkg target; do
		say "fuzz $pkg $target ($FUZZTIME)"
		dir=$(go list -f '{{.Dir}}' "$pkg")/testdata/fuzz/$target
		before=$(corpus_size "$dir")
		if ! go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$pkg"; then
			# A finding is written to testdata/fuzz and fails the run. A
			# failure that wrote none is the fuzzing engine's own (Go 1.26's
			# coordinator can end a run with "context deadline exceeded" on
			# a loaded machine, golang/go#75804): run the target once more.
			if [ "$(corpus_size "$dir")" != "$before" ]; then
				echo "$target found a failing input: $dir" >&2
				exit 1
			fi
			say "fuzz $pkg $target again: the engine failed without a finding"
			go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$pkg"
		fi
	done <"$targets"
	rm -f "$targets"
fi

say "all tests passed"
