#!/usr/bin/env bash
# Installs what the fault suite (test/faults) and the PgBouncer store tests run beside the Redis and
# PostgreSQL servers the machine already has: libfaketime (a replica with a skewed clock) and
# PgBouncer (transaction pooling in front of PostgreSQL), and Prometheus with promtool (the metrics
# and alert-rule tests in test/telemetry), from Debian's packages.
set -euo pipefail

missing=()
command -v faketime >/dev/null || missing+=(faketime)
command -v pgbouncer >/dev/null || [[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)
[[ -x /usr/bin/prometheus && -x /usr/bin/promtool ]] || missing+=(prometheus)
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "apt-get install ${missing[*]}"
apt-get update -qq || { echo "apt-get update failed: is Debian's package repository reachable?" >&2; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
command -v faketime >/dev/null && test -f /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 || { echo "faketime (libfaketime) is still missing after apt-get install" >&2; exit 1; }
[[ -x /usr/sbin/pgbouncer ]] || { echo "pgbouncer is still missing after apt-get install" >&2; exit 1; }
[[ -x /usr/bin/prometheus && -x /usr/bin/promtool ]] || { echo "prometheus/promtool are still missing after apt-get install" >&2; exit 1; }
