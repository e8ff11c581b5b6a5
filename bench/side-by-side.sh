#!/usr/bin/env bash
# bench/side-by-side.sh - what a feature costs a small-image push, measured with two Wharf servers up at once: A and B
# are each one of the modes below, both are warmed, then ROUNDS rounds push IMAGES small images (8 workers) to A and
# to B, alternating which goes first. Drift on a shared or noisy machine (other jobs, page-cache and inode state)
# moves both servers alike, so the per-round ratio A/B is steadier than separate runs' medians; a run-to-run offset
# of a few per cent remains, so repeat a run (and swap A and B) before trusting a small difference. On a filesystem
# without a journal, leave five minutes between runs (or after any large deletion, this script's own clean-up
# included): a server whose data lands next to thousands of just-deleted inodes pushes at half speed.
#
# Modes: off (no metrics, no webhooks), metrics (metrics on), rows (webhook events written, not delivered: an endpoint
# and Webhooks:Deliver=false), hooks (events written and delivered to the README's receiver), both (metrics + hooks).
# Then, with GETS=1 (the default) and wrk installed, GET_ROUNDS rounds of WRK_SECONDS of manifest GETs (32
# connections) on A and on B the same way, for what a feature costs a manifest GET.
# Env: ROUNDS=10  IMAGES=500  WARM_IMAGES=3000  GETS=1  GET_ROUNDS=10  WRK_SECONDS=3
#      A_ENV / B_ENV   extra VAR=value words for one server
#      A_BIN / B_BIN   a published Wharf directory to run for one server instead of this tree's build (two builds compared)
#      LEAVE_DATA=dir  move the servers' data there at the end instead of deleting it (delete it while nothing is measured)
#      PORT_A=15100  PORT_B=15102  RECEIVER_PORT=15101
# Usage: bench/side-by-side.sh both off
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
A=${1:?usage: side-by-side.sh MODE_A MODE_B}
B=${2:?usage: side-by-side.sh MODE_A MODE_B}
ROUNDS=${ROUNDS:-10}
IMAGES=${IMAGES:-500}
WARM_IMAGES=${WARM_IMAGES:-3000}
PORT_A=${PORT_A:-15100}
PORT_B=${PORT_B:-15102}
RECEIVER_PORT=${RECEIVER_PORT:-15101}
GETS=${GETS:-1}
GET_ROUNDS=${GET_ROUNDS:-10}
WRK_SECONDS=${WRK_SECONDS:-3}
command -v wrk >/dev/null || GETS=0
for cmd in jq python3; do command -v "$cmd" >/dev/null || { echo "side-by-side.sh: needs $cmd" >&2; exit 1; }; done

log() { printf '# %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${LEAVE_DATA:-}" ]]; then mkdir -p "$LEAVE_DATA" && mv "$WORK" "$LEAVE_DATA/"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

log "building Wharf (Release, ReadyToRun) and the load client"
dotnet publish "$ROOT/src/Wharf/Wharf.csproj" -c Release -o "$WORK/wharf-bin" --nologo -v quiet -p:UseAppHost=false -r linux-x64 --self-contained false -p:PublishReadyToRun=true >&2
dotnet publish "$HERE/Wharf.Bench.Load/Wharf.Bench.Load.csproj" -c Release -o "$WORK/load-bin" --nologo -v quiet -p:UseAppHost=false >&2
load() { dotnet "$WORK/load-bin/Wharf.Bench.Load.dll" "$@"; }

WHARF_WEBHOOK_SECRET=bench python3 "$ROOT/docs/examples/webhook-receiver.py" "$RECEIVER_PORT" >"$WORK/receiver.log" 2>&1 &
RECEIVER_PID=$!
PIDS+=("$RECEIVER_PID")

start() { # mode port extra-env bin-dir -> pid of the server
  local mode=$1 port=$2 extra=$3 bin=${4:-$WORK/wharf-bin} data=$WORK/data-$2
  local -a env=()
  case $mode in
    off) env+=(WHARF_Metrics__Enabled=false) ;;
    metrics | both) ;;
    rows) env+=(WHARF_Metrics__Enabled=false WHARF_WEBHOOKS__DELIVER=false) ;;
    hooks) env+=(WHARF_Metrics__Enabled=false) ;;
    *) echo "side-by-side.sh: unknown mode $mode (off, metrics, rows, hooks, both)" >&2; exit 2 ;;
  esac
  if [[ $mode == rows || $mode == hooks || $mode == both ]]; then
    env+=(WHARF_WEBHOOKS__ENDPOINTS__0__NAME=bench "WHARF_WEBHOOKS__ENDPOINTS__0__URL=http://127.0.0.1:$RECEIVER_PORT/" WHARF_WEBHOOKS__ENDPOINTS__0__SECRET=bench)
  fi
  # shellcheck disable=SC2086 # extra is a list of VAR=value words
  env "${env[@]}" DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x400000}" $extra \
    dotnet "$bin/Wharf.dll" serve --listen "127.0.0.1:$port" --data "$data" >"$data.log" 2>&1 &
  echo $!
}
PID_A=$(start "$A" "$PORT_A" "${A_ENV:-}" "${A_BIN:-}")
PID_B=$(start "$B" "$PORT_B" "${B_ENV:-}" "${B_BIN:-}")
PIDS+=("$PID_A" "$PID_B")
for port in "$PORT_A" "$PORT_B"; do
  for ((i = 0; i < 600; i++)); do grep -q "Wharf is listening on" "$WORK/data-$port.log" 2>/dev/null && break; sleep 0.1; done
done

log "warming both: $WARM_IMAGES images, a pause, $((WARM_IMAGES / 6)) more"
for port in "$PORT_A" "$PORT_B"; do load small-images "url=http://127.0.0.1:$port" repo=bench/warm "count=$WARM_IMAGES" workers=8 seed=warm >/dev/null; done
sleep 2
for port in "$PORT_A" "$PORT_B"; do load small-images "url=http://127.0.0.1:$port" repo=bench/warm2 "count=$((WARM_IMAGES / 6))" workers=8 seed=warm2 >/dev/null; done
sleep 2

summarise() { # rounds-file what cpu-unit: the median of the per-round ratios and their spread
  python3 - "$1" "$A" "$B" "$2" "$3" <<'PY'
import re, statistics, sys
rows = [re.search(r"ratio ([\d.]+)  cpu ([\d.]+)", line) for line in open(sys.argv[1])]
ratios = [float(m.group(1)) for m in rows if m]
cpus = [float(m.group(2)) for m in rows if m]
spread = f", sd {statistics.stdev(ratios):.3f}" if len(ratios) > 1 else ""
print(f"{sys.argv[2]}/{sys.argv[3]} over {len(ratios)} rounds: {sys.argv[4]} median {statistics.median(ratios):.3f} "
      f"(mean {statistics.mean(ratios):.3f}{spread}); server CPU {sys.argv[5]} median {statistics.median(cpus):.3f}")
PY
}
# Each measurement starts with no dirty pages: the kernel's deferred writeback of the last one (a push writes
# thousands of small files) would otherwise take a core from the next, whichever server that is.
settle() { sync; sleep 0.5; }
TCK=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
push() { # pid port round -> "images/s cpu-ms-per-image receiver-cpu-ms-per-image"
  local t0 t1 r0 r1 rate
  settle
  t0=$(ticks "$1") r0=$(ticks "$RECEIVER_PID")
  rate=$(load small-images "url=http://127.0.0.1:$2" repo=bench/small "count=$IMAGES" workers=8 "seed=r$3" | jq -r .images_per_s)
  t1=$(ticks "$1") r1=$(ticks "$RECEIVER_PID")
  awk -v r="$rate" -v a="$t0" -v b="$t1" -v ra="$r0" -v rb="$r1" -v tck="$TCK" -v n="$IMAGES" \
    'BEGIN { printf "%s %.3f %.3f", r, (b - a) / tck * 1000 / n, (rb - ra) / tck * 1000 / n }'
}
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then a=$(push "$PID_A" "$PORT_A" "$round"); b=$(push "$PID_B" "$PORT_B" "$round")
  else b=$(push "$PID_B" "$PORT_B" "$round"); a=$(push "$PID_A" "$PORT_A" "$round"); fi
  echo "$round $a $b" | awk -v A="$A" -v B="$B" '{printf "round %d  %s %.1f images/s %.2f ms (receiver %.2f)  |  %s %.1f images/s %.2f ms (receiver %.2f)  |  ratio %.3f  cpu %.3f\n", $1, A, $2, $3, $4, B, $5, $6, $7, $2 / $5, $3 / $6}'
done | tee "$WORK/rounds.txt"
((ROUNDS == 0)) || summarise "$WORK/rounds.txt" "images/s" "per image"
((GETS && GET_ROUNDS)) || exit 0

cat >"$WORK/manifest.lua" <<'LUA'
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
done = function(summary, latency, requests)
  io.write(string.format("RPS %.1f\n", summary.requests / (summary.duration / 1e6)))
end
LUA
for port in "$PORT_A" "$PORT_B"; do
  load seed-hot "url=http://127.0.0.1:$port" repo=bench/hot >/dev/null
  wrk -t2 -c32 -d2s -s "$WORK/manifest.lua" "http://127.0.0.1:$port/v2/bench/hot/manifests/latest" >/dev/null
done
get() { # pid port -> "req/s cpu-us-per-request"
  local t0 t1 rate
  settle
  t0=$(ticks "$1")
  rate=$(wrk -t2 -c32 -d"$WRK_SECONDS"s -s "$WORK/manifest.lua" "http://127.0.0.1:$2/v2/bench/hot/manifests/latest" | sed -n 's/^RPS //p')
  t1=$(ticks "$1")
  awk -v r="$rate" -v a="$t0" -v b="$t1" -v tck="$TCK" -v s="$WRK_SECONDS" 'BEGIN { printf "%s %.2f", r, (b - a) / tck * 1e6 / (r * s) }'
}
for ((round = 1; round <= GET_ROUNDS; round++)); do
  if ((round % 2)); then a=$(get "$PID_A" "$PORT_A"); b=$(get "$PID_B" "$PORT_B")
  else b=$(get "$PID_B" "$PORT_B"); a=$(get "$PID_A" "$PORT_A"); fi
  echo "$round $a $b" | awk -v A="$A" -v B="$B" '{printf "get %d  %s %.0f req/s %.2f us  |  %s %.0f req/s %.2f us  |  ratio %.3f  cpu %.3f\n", $1, A, $2, $3, B, $4, $5, $2 / $4, $3 / $5}'
done | tee "$WORK/gets.txt"
summarise "$WORK/gets.txt" "GET manifest req/s" "per request"
