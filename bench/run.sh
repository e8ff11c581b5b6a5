#!/usr/bin/env bash
# bench/run.sh - Wharf side by side with CNCF Distribution (docker-registry 2.8.x) on this machine.
# Builds Wharf (Release) and the load client, measures the machine's ceilings (bench/limits.sh), then
# runs the same workloads against a fresh Wharf and a fresh Distribution in each of RUNS repetitions
# (alternating which goes first) and prints medians with ratios (> 1: Wharf is better).
# Writes bench/results/latest.json and bench/results/latest.txt. See bench/README.md.
#
# Env: RUNS=3  QUICK=1 (small sizes, for a smoke run)  BLOB_MIB  WRK_SECONDS  SMALL_IMAGES  TAGS
#      REPOS  BIG_REPOS  WHARF_PORT=15000  DIST_PORT=15001  BENCH_DIR=<work dir, default mktemp>
#      SKIP_LIMITS=1  KEEP=1 (keep the work dir)  OUT=<json path>
#      PRETOUCH=1 (touch the page cache's memory right before each large push; 0 to leave it, see pretouch below)
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
T0=$(date +%s.%N)

RUNS=${RUNS:-3}
if [[ -n "${QUICK:-}" ]]; then
  : "${BLOB_MIB:=64}" "${WRK_SECONDS:=3}" "${SMALL_IMAGES:=50}" "${TAGS:=200}" "${REPOS:=200}" "${BIG_REPOS:=10000}"
else
  : "${BLOB_MIB:=1024}" "${WRK_SECONDS:=10}" "${SMALL_IMAGES:=200}" "${TAGS:=2000}" "${REPOS:=1000}" "${BIG_REPOS:=100000}"
fi
WHARF_PORT=${WHARF_PORT:-15000}
DIST_PORT=${DIST_PORT:-15001}
OUT=${OUT:-$HERE/results/latest.json}
TCK=$(getconf CLK_TCK)

log() { printf '# %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------ dependencies
declare -A PKG=([wrk]=wrk [ab]=apache2-utils [nginx]=nginx-light [jq]=jq [curl]=curl [openssl]=openssl [docker-registry]=docker-registry)
missing=()
for cmd in "${!PKG[@]}"; do command -v "$cmd" >/dev/null || missing+=("${PKG[$cmd]}"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    log "installing ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >&2
  else
    die "missing Debian packages: ${missing[*]} (sudo apt-get install -y --no-install-recommends ${missing[*]})"
  fi
fi
command -v dotnet >/dev/null || die "the .NET 10 SDK (dotnet) is required"
for port in "$WHARF_PORT" "$DIST_PORT"; do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then die "port $port is busy; set WHARF_PORT / DIST_PORT"; fi
done

# ------------------------------------------------------------------ work dir, cleanup
WORK=${BENCH_DIR:-$(mktemp -d /tmp/wharf-bench.XXXXXX)}
mkdir -p "$WORK"
# nginx (bench/limits.sh's loopback ceilings) serves files below it as its worker user: the directory must be traversable.
chmod 755 "$WORK"
SRC=/dev/shm/wharf-bench-blob.$$   # the blob to push, in RAM so reading it costs the client little
RESULTS=$WORK/results.jsonl
: >"$RESULTS"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -f "$SRC" "$SRC.sha256"
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

# ------------------------------------------------------------------ build
log "building Wharf (Release) and the load client"
# As ./wharf builds it: ReadyToRun, so the first push after the start is not measured through the JIT.
dotnet publish "$ROOT/src/Wharf/Wharf.csproj" -c Release -o "$WORK/wharf-bin" --nologo -v quiet -p:UseAppHost=false -r linux-x64 --self-contained false -p:PublishReadyToRun=true >&2
dotnet publish "$HERE/Wharf.Bench.Load/Wharf.Bench.Load.csproj" -c Release -o "$WORK/load-bin" --nologo -v quiet -p:UseAppHost=false >&2
LOAD_DLL=$WORK/load-bin/Wharf.Bench.Load.dll
load() { dotnet "$LOAD_DLL" "$@"; }

# ------------------------------------------------------------------ servers
start_wharf() { # data-dir log
  # The same runtime settings as the ./wharf launcher users start it with.
  DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x400000}" dotnet "$WORK/wharf-bin/Wharf.dll" serve --listen "127.0.0.1:$WHARF_PORT" --data "$1" >"$2" 2>&1 &
  SERVER_PID=$!
  URL=http://127.0.0.1:$WHARF_PORT
  for ((i = 0; i < 600; i++)); do
    grep -q "Wharf is listening on" "$2" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$2" >&2; die "Wharf exited at startup"; }
    sleep 0.1
  done
  die "Wharf did not start in 60 s"
}

start_dist() { # data-dir log
  mkdir -p "$1"
  cat >"$1.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $1
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$DIST_PORT
EOF
  docker-registry serve "$1.yml" >"$2" 2>&1 &
  SERVER_PID=$!
  URL=http://127.0.0.1:$DIST_PORT
  for ((i = 0; i < 600; i++)); do
    curl -s -o /dev/null "$URL/v2/" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$2" >&2; die "docker-registry exited at startup"; }
    sleep 0.1
  done
  die "docker-registry did not start in 60 s"
}

start_server() { # registry data-dir log
  if [[ $1 == wharf ]]; then start_wharf "$2" "$3"; else start_dist "$2" "$3"; fi
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
peak_rss_kib() { awk '/^VmHWM:/{print $2}' "/proc/$SERVER_PID/status"; }

# Runs a load-client command, adds run/registry/workload and the server's CPU seconds, appends to RESULTS.
# Some VMs (this benchmark machine among them: virtio free page reporting) hand freed memory back to the host after a
# few seconds, and the next write into the page cache pays a host fault on every page it takes: 1 GiB written with dd
# cost 4.4 s of system time on such memory and 0.3 s on memory touched just before. A 1 GiB push meets such memory or
# not depending on what ran before it, and that decided the large pushes' CPU (0.6 to 8 cpu-s per GiB for one build).
# So right before each large push, for both registries alike, a throwaway file of the blob's size is written and
# deleted: its pages are free and touched when the push starts.
pretouch() {
  [[ ${PRETOUCH:-1} == 1 ]] || return 0
  dd if=/dev/zero of="$WORK/pretouch" bs=1M count=$((BLOB_MIB + BLOB_MIB / 4)) status=none
  rm -f "$WORK/pretouch"
}

measure() { # registry workload command...
  local reg=$1 wl=$2 c0 c1 out
  shift 2
  c0=$(cpu_ticks)
  out=$("$@") || die "$reg $wl failed"
  c1=$(cpu_ticks)
  jq -c --argjson run "$RUN" --arg r "$reg" --arg w "$wl" --argjson cpu "$(awk -v a="$c0" -v b="$c1" -v t="$TCK" 'BEGIN{printf "%.3f", (b-a)/t}')" \
    '. + {run: $run, registry: $r, workload: $w, cpu_s: $cpu}' <<<"$out" | tee -a "$RESULTS" >&2
}

# ------------------------------------------------------------------ wrk scripts
cat >"$WORK/manifest.lua" <<'EOF'
wrk.method = "GET"
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json"
EOF
for f in manifest; do
  cat >>"$WORK/$f.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON {"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"errors_status":%d,"errors_socket":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
EOF
done

wrk_json() { # script seconds url
  local out
  out=$(wrk -t2 -c32 -d"$2"s --latency -s "$1" "$3") || die "wrk failed on $3"
  sed -n 's/^JSON //p' <<<"$out"
}

# HEAD goes through ab: wrk 4.1 does not know a HEAD response has no body and waits for Content-Length bytes.
ab_head_json() { # seconds url
  local out
  out=$(ab -q -i -k -c 32 -t "$1" -n 1000000 -e "$WORK/ab.csv" "$2" 2>&1) || die "ab failed on $2: $out"
  jq -cn --argjson req "$(awk '/^Complete requests:/{print $3}' <<<"$out")" \
    --argjson rps "$(awk '/^Requests per second:/{print $4}' <<<"$out")" \
    --argjson failed "$(awk '/^Failed requests:/{print $3}' <<<"$out")" \
    --argjson non2xx "$(awk '/^Non-2xx responses:/{n=$3} END{print n+0}' <<<"$out")" \
    --argjson p50 "$(awk -F, '$1=="50"{print $2}' "$WORK/ab.csv")" \
    --argjson p90 "$(awk -F, '$1=="90"{print $2}' "$WORK/ab.csv")" \
    --argjson p99 "$(awk -F, '$1=="99"{print $2}' "$WORK/ab.csv")" \
    --argjson max "$(awk -F, '$1=="100"{print $2}' "$WORK/ab.csv")" \
    '{requests: $req, rps: $rps, p50_ms: $p50, p90_ms: $p90, p99_ms: $p99, max_ms: $max, errors_status: $non2xx, errors_socket: $failed, tool: "ab -k -c32"}'
}

check_wrk() { # registry workload (last record must have no errors)
  local errs
  errs=$(tail -n1 "$RESULTS" | jq '.errors_status + .errors_socket')
  ((errs == 0)) || die "$1 $2: wrk saw $errs failed requests"
}

# ------------------------------------------------------------------ machine ceilings
LIMITS=$WORK/limits.txt
if [[ -z "${SKIP_LIMITS:-}" ]]; then
  log "bench/limits.sh (RUNS=$RUNS SIZE_MIB=$BLOB_MIB)"
  RUNS=$RUNS SIZE_MIB=$BLOB_MIB BENCH_LOAD_DLL=$LOAD_DLL LIMITS_DIR=$WORK/limits "$HERE/limits.sh" 2>&1 | tee "$LIMITS" >&2
else
  : >"$LIMITS"
fi

# ------------------------------------------------------------------ test data
log "making a ${BLOB_MIB} MiB random blob"
openssl rand -out "$SRC" $((BLOB_MIB * 1024 * 1024))
BLOB_BYTES=$((BLOB_MIB * 1024 * 1024))
DIGEST=$(load digest "file=$SRC")

# 100,000 repositories for the first-catalog-page workload, seeded offline once per invocation.
log "seeding $BIG_REPOS repositories for each registry (offline)"
RUN=0
start_wharf "$WORK/wharf-big" "$WORK/wharf-big-migrate.log"   # Wharf creates its schema at startup
stop_server
load seed-wharf-db "db=$WORK/wharf-big/wharf.db" "count=$BIG_REPOS" prefix=seed | jq -c '. + {registry: "wharf", workload: "seed_catalog_big", run: 0}' | tee -a "$RESULTS" >&2
load seed-dist-dirs "root=$WORK/distribution-big" "count=$BIG_REPOS" prefix=seed | jq -c '. + {registry: "distribution", workload: "seed_catalog_big", run: 0}' | tee -a "$RESULTS" >&2
sync

# ------------------------------------------------------------------ the workloads, on one registry
bench_registry() { # registry
  local reg=$1 data=$WORK/$1-run$RUN hot
  log "run $RUN/$RUNS: $reg"
  rm -rf "$data"
  start_server "$reg" "$data" "$WORK/$reg-run$RUN.log"

  sync
  pretouch
  measure "$reg" push_mono load push-mono "url=$URL" repo=bench/big "file=$SRC"
  sync
  pretouch
  measure "$reg" push_chunked load push-chunked "url=$URL" repo=bench/chunked "file=$SRC" chunk_mib=16
  sync
  measure "$reg" pull load pull "url=$URL" repo=bench/big "digest=$DIGEST" "size=$BLOB_BYTES"
  measure "$reg" range load range "url=$URL" repo=bench/big "digest=$DIGEST" "size=$BLOB_BYTES"

  hot=$(load seed-hot "url=$URL" repo=bench/hot)
  local layer
  layer=$(jq -r .layer <<<"$hot")
  ab -q -i -k -c 32 -t 2 -n 1000000 "$URL/v2/bench/hot/blobs/$layer" >/dev/null                 # warm-up
  measure "$reg" head_blob ab_head_json "$WRK_SECONDS" "$URL/v2/bench/hot/blobs/$layer"
  check_wrk "$reg" head_blob
  wrk -t2 -c32 -d2s -s "$WORK/manifest.lua" "$URL/v2/bench/hot/manifests/latest" >/dev/null  # warm-up
  measure "$reg" get_manifest wrk_json "$WORK/manifest.lua" "$WRK_SECONDS" "$URL/v2/bench/hot/manifests/latest"
  check_wrk "$reg" get_manifest

  # The first small images a fresh server takes are measured on their own; then, like HEAD and GET above, both
  # registries are warmed (5 x SMALL_IMAGES images, 8 workers, not measured) before the figures with targets: Wharf's
  # runtime is still compiling the push path's hot code for the first few thousand requests.
  sync
  measure "$reg" small_seq_first load small-images "url=$URL" repo=bench/small-first "count=$SMALL_IMAGES" workers=1 "seed=first$RUN"
  load small-images "url=$URL" repo=bench/small-warm "count=$((SMALL_IMAGES * 5))" workers=8 "seed=warm$RUN" >/dev/null
  sync
  measure "$reg" small_seq load small-images "url=$URL" repo=bench/small-seq "count=$SMALL_IMAGES" workers=1 "seed=seq$RUN"
  sync
  measure "$reg" small_par8 load small-images "url=$URL" repo=bench/small-par "count=$SMALL_IMAGES" workers=8 "seed=par$RUN"

  measure "$reg" seed_tags load seed-tags "url=$URL" repo=bench/tags "count=$TAGS"
  measure "$reg" tags_list load tags-list "url=$URL" repo=bench/tags repeat=20 "expect=$TAGS"

  measure "$reg" seed_repos load seed-repos "url=$URL" prefix=cat "count=$REPOS" from=bench/hot
  # every repository made so far: bench/{big,chunked,hot,small-first,small-warm,small-seq,small-par,tags} and the seeded ones
  measure "$reg" catalog_walk load catalog-walk "url=$URL" n=100 repeat=10 "expect=$((REPOS + 8))"

  jq -cn --argjson run "$RUN" --arg r "$reg" --argjson kib "$(peak_rss_kib)" \
    '{run: $run, registry: $r, workload: "server", peak_rss_mib: ($kib / 1024)}' | tee -a "$RESULTS" >&2
  stop_server
  [[ -n "${KEEP:-}" ]] || rm -rf "$data"

  start_server "$reg" "$WORK/$reg-big" "$WORK/$reg-big-run$RUN.log"
  measure "$reg" catalog_first_100k load catalog-first "url=$URL" n=100 repeat=20
  stop_server
}

for ((RUN = 1; RUN <= RUNS; RUN++)); do
  if ((RUN % 2)); then order=(wharf distribution); else order=(distribution wharf); fi
  for reg in "${order[@]}"; do bench_registry "$reg"; done
done

# ------------------------------------------------------------------ report
T1=$(date +%s.%N)
jq -n --argjson runs "$RUNS" --arg quick "${QUICK:-}" --argjson blob_mib "$BLOB_MIB" --argjson wrk_s "$WRK_SECONDS" \
  --argjson small "$SMALL_IMAGES" --argjson tags "$TAGS" --argjson repos "$REPOS" --argjson big "$BIG_REPOS" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" --argjson nproc "$(nproc)" \
  --arg wharf_rev "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg dist "$(docker-registry --version 2>/dev/null | head -n1)" \
  --argjson wall "$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.0f", b-a}')" \
  '{runs: $runs, quick: ($quick != ""), blob_mib: $blob_mib, wrk_seconds: $wrk_s, wrk: "wrk -t2 -c32 --latency",
    small_images: $small, tags: $tags, repositories: $repos, big_catalog_repositories: $big,
    cpu: $cpu, nproc: $nproc, wharf_commit: $wharf_rev, distribution: $dist, wall_seconds: $wall}' >"$WORK/meta.json"
mkdir -p "$(dirname "$OUT")"
{
  echo "Wharf vs Distribution — RUNS=$RUNS${QUICK:+ QUICK} blob=${BLOB_MIB}MiB wrk=${WRK_SECONDS}s small=$SMALL_IMAGES tags=$TAGS repos=$REPOS big=$BIG_REPOS (medians)"
  load report "results=$RESULTS" "limits=$LIMITS" "out=$OUT" "meta=$WORK/meta.json"
  echo
  echo "machine limits (bench/limits.sh, same run):"
  grep -v '^#' "$LIMITS" | sed 's/^/  /' || true
  echo "run.sh wall time: $(jq .wall_seconds "$WORK/meta.json") s"
} | tee "${OUT%.json}.txt"
