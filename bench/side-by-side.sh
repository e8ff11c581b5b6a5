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
# Env: ROUNDS=10  IMAGES=500  WARM_IMAGES=3000  A_ENV / B_ENV (extra VAR=value words for one server)  PORT_A=15100
#      PORT_B=15102  RECEIVER_PORT=15101
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
for cmd in jq python3; do command -v "$cmd" >/dev/null || { echo "side-by-side.sh: needs $cmd" >&2; exit 1; }; done

log() { printf '# %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

log "building Wharf (Release, ReadyToRun) and the load client"
dotnet publish "$ROOT/src/Wharf/Wharf.csproj" -c Release -o "$WORK/wharf-bin" --nologo -v quiet -p:UseAppHost=false -r linux-x64 --self-contained false -p:PublishReadyToRun=true >&2
dotnet publish "$HERE/Wharf.Bench.Load/Wharf.Bench.Load.csproj" -c Release -o "$WORK/load-bin" --nologo -v quiet -p:UseAppHost=false >&2
load() { dotnet "$WORK/load-bin/Wharf.Bench.Load.dll" "$@"; }

WHARF_WEBHOOK_SECRET=bench python3 "$ROOT/docs/examples/webhook-receiver.py" "$RECEIVER_PORT" >"$WORK/receiver.log" 2>&1 &
PIDS+=($!)

start() { # mode port extra-env -> pid of the server
  local mode=$1 port=$2 extra=$3 data=$WORK/data-$2
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
    dotnet "$WORK/wharf-bin/Wharf.dll" serve --listen "127.0.0.1:$port" --data "$data" >"$data.log" 2>&1 &
  echo $!
}
PID_A=$(start "$A" "$PORT_A" "${A_ENV:-}")
PID_B=$(start "$B" "$PORT_B" "${B_ENV:-}")
PIDS+=("$PID_A" "$PID_B")
for port in "$PORT_A" "$PORT_B"; do
  for ((i = 0; i < 600; i++)); do grep -q "Wharf is listening on" "$WORK/data-$port.log" 2>/dev/null && break; sleep 0.1; done
done

log "warming both: $WARM_IMAGES images, a pause, $((WARM_IMAGES / 6)) more"
for port in "$PORT_A" "$PORT_B"; do load small-images "url=http://127.0.0.1:$port" repo=bench/warm "count=$WARM_IMAGES" workers=8 seed=warm >/dev/null; done
sleep 2
for port in "$PORT_A" "$PORT_B"; do load small-images "url=http://127.0.0.1:$port" repo=bench/warm2 "count=$((WARM_IMAGES / 6))" workers=8 seed=warm2 >/dev/null; done
sleep 2

TCK=$(getconf CLK_TCK)
push() { # pid port round -> "images/s cpu-ms-per-image"
  local t0 t1 rate
  t0=$(awk '{print $14 + $15}' "/proc/$1/stat")
  rate=$(load small-images "url=http://127.0.0.1:$2" repo=bench/small "count=$IMAGES" workers=8 "seed=r$3" | jq -r .images_per_s)
  t1=$(awk '{print $14 + $15}' "/proc/$1/stat")
  awk -v r="$rate" -v a="$t0" -v b="$t1" -v tck="$TCK" -v n="$IMAGES" 'BEGIN { printf "%s %.3f", r, (b - a) / tck * 1000 / n }'
}
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then a=$(push "$PID_A" "$PORT_A" "$round"); b=$(push "$PID_B" "$PORT_B" "$round")
  else b=$(push "$PID_B" "$PORT_B" "$round"); a=$(push "$PID_A" "$PORT_A" "$round"); fi
  echo "$round $a $b" | awk -v A="$A" -v B="$B" '{printf "round %d  %s %.1f images/s %.2f ms  |  %s %.1f images/s %.2f ms  |  ratio %.3f  cpu %.3f\n", $1, A, $2, $3, B, $4, $5, $2 / $4, $3 / $5}'
done | tee "$WORK/rounds.txt"
python3 - "$WORK/rounds.txt" "$A" "$B" <<'PY'
import re, statistics, sys
rows = [re.search(r"ratio ([\d.]+)  cpu ([\d.]+)", line) for line in open(sys.argv[1])]
ratios = [float(m.group(1)) for m in rows if m]
cpus = [float(m.group(2)) for m in rows if m]
spread = f", sd {statistics.stdev(ratios):.3f}" if len(ratios) > 1 else ""
print(f"{sys.argv[2]}/{sys.argv[3]} over {len(ratios)} rounds: images/s median {statistics.median(ratios):.3f} "
      f"(mean {statistics.mean(ratios):.3f}{spread}); server CPU per image median {statistics.median(cpus):.3f}")
PY
