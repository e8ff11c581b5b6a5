#!/usr/bin/env bash
# GET manifest throughput (wrk, 32 connections) on filesystem + SQLite, and on PostgreSQL with the metadata caches
# off, on, and on two instances at once (two wrk processes of 16 connections each, summed). Uses an already running
# PostgreSQL (WHARF_TEST_POSTGRES, an Npgsql connection string; e.g. `source /tmp/wharf-engines.env`) in a schema of
# its own that it drops at the end. Blobs stay on the filesystem: a manifest GET reads only metadata.
#   bench/scale-out/manifest-get.sh [SECONDS] [ROUNDS]
set -euo pipefail
SECONDS_PER_RUN="${1:-8}"
ROUNDS="${2:-3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${WHARF_TEST_POSTGRES:?set WHARF_TEST_POSTGRES (an Npgsql connection string)}"
command -v wrk >/dev/null || { echo "needs wrk" >&2; exit 1; }

work="$(mktemp -d /tmp/wharf-manifest-get.XXXXXX)"
schema="bench_manifest_$$"
pids=()
cleanup() {
  stop_all
  if command -v psql >/dev/null; then psql -q "$(pg_url)" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

field() { tr ';' '\n' <<<"$WHARF_TEST_POSTGRES" | awk -F= -v k="$1" 'tolower($1)==tolower(k){print $2}'; }
pg_url() { echo "postgresql://$(field Username):$(field Password)@$(field Host):$(field Port)/$(field Database)"; }

"$root/wharf" version >/dev/null # builds once if needed

start() { # port data-dir env...
  local port="$1" data="$2"; shift 2
  env "$@" WHARF_LISTEN="127.0.0.1:$port" WHARF_DATA="$data" WHARF_GC__ENABLED=false \
    "$root/wharf" serve >"$work/$port.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && return 0
    sleep 0.1
  done
  echo "wharf on $port did not start:" >&2; cat "$work/$port.log" >&2; exit 1
}

stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; pids=(); }

push() { # base-url
  local config layer manifest cd ld md
  config='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
  head -c 4096 /dev/urandom >"$work/layer"
  cd="sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
  ld="sha256:$(sha256sum "$work/layer" | cut -d' ' -f1)"
  printf '%s' "$config" | curl -sf -X POST --data-binary @- -H 'Content-Type: application/octet-stream' "$1/v2/bench/hot/blobs/uploads/?digest=$cd" >/dev/null
  curl -sf -X POST --data-binary @"$work/layer" -H 'Content-Type: application/octet-stream' "$1/v2/bench/hot/blobs/uploads/?digest=$ld" >/dev/null
  manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$cd\",\"size\":${#config}},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$ld\",\"size\":4096}]}"
  printf '%s' "$manifest" | curl -sf -X PUT --data-binary @- -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' "$1/v2/bench/hot/manifests/latest" >/dev/null
}

cat >"$work/manifest.lua" <<'EOF'
wrk.method = "GET"
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.3f %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
EOF

run_wrk() { # connections url -> "rps p99 errors"
  wrk -t1 -c"$1" -d"${SECONDS_PER_RUN}s" --latency -s "$work/manifest.lua" "$2" | sed -n 's/^RESULT //p'
}

median() { sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

measure_one() { # label url
  local rps=() p99=() line
  wrk -t1 -c32 -d2s -s "$work/manifest.lua" "$2" >/dev/null # warm-up (and fills the caches)
  for _ in $(seq 1 "$ROUNDS"); do
    line="$(run_wrk 32 "$2")"
    [ "$(cut -d' ' -f3 <<<"$line")" = 0 ] || { echo "$1: wrk saw errors: $line" >&2; exit 1; }
    rps+=("$(cut -d' ' -f1 <<<"$line")"); p99+=("$(cut -d' ' -f2 <<<"$line")")
  done
  printf '%-40s %10.0f req/s  p99 %6.2f ms  (rounds: %s)\n' "$1" "$(printf '%s\n' "${rps[@]}" | median)" "$(printf '%s\n' "${p99[@]}" | median)" "${rps[*]}"
}

measure_two() { # label url-a url-b
  local sums=() a b
  local w
  wrk -t1 -c16 -d2s -s "$work/manifest.lua" "$2" >/dev/null & w=$!
  wrk -t1 -c16 -d2s -s "$work/manifest.lua" "$3" >/dev/null; wait "$w"
  for _ in $(seq 1 "$ROUNDS"); do
    run_wrk 16 "$2" >"$work/a" & w=$!
    run_wrk 16 "$3" >"$work/b"; wait "$w"
    a="$(cut -d' ' -f1 "$work/a")"; b="$(cut -d' ' -f1 "$work/b")"
    sums+=("$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.1f", a+b}')")
  done
  printf '%-40s %10.0f req/s  (rounds: %s)\n' "$1" "$(printf '%s\n' "${sums[@]}" | median)" "${sums[*]}"
}

echo "GET manifest, ${SECONDS_PER_RUN}s x $ROUNDS rounds, medians; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$work/sqlite"
start 5391 "$work/sqlite"
push http://127.0.0.1:5391
measure_one "filesystem + SQLite (caches on)" http://127.0.0.1:5391/v2/bench/hot/manifests/latest
stop_all

pg=(WHARF_METADATA__DRIVER=PostgreSql "WHARF_METADATA__POSTGRESQL__CONNECTIONSTRING=$WHARF_TEST_POSTGRES" WHARF_METADATA__POSTGRESQL__SCHEMA="$schema")
mkdir -p "$work/pg"
start 5392 "$work/pg" "${pg[@]}" WHARF_CACHE__ENABLED=false
push http://127.0.0.1:5392
measure_one "PostgreSQL, caches off" http://127.0.0.1:5392/v2/bench/hot/manifests/latest
stop_all

start 5393 "$work/pg" "${pg[@]}"
measure_one "PostgreSQL, caches on" http://127.0.0.1:5393/v2/bench/hot/manifests/latest
start 5394 "$work/pg" "${pg[@]}"
measure_two "PostgreSQL, caches on, two instances" http://127.0.0.1:5393/v2/bench/hot/manifests/latest http://127.0.0.1:5394/v2/bench/hot/manifests/latest
stop_all

start 5392 "$work/pg" "${pg[@]}" WHARF_CACHE__ENABLED=false
start 5394 "$work/pg" "${pg[@]}" WHARF_CACHE__ENABLED=false
measure_two "PostgreSQL, caches off, two instances" http://127.0.0.1:5392/v2/bench/hot/manifests/latest http://127.0.0.1:5394/v2/bench/hot/manifests/latest
stop_all
