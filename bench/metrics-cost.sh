#!/usr/bin/env bash
# bench/metrics-cost.sh - what /metrics (and, with WEBHOOKS=1, webhooks) cost: push and GET-manifest throughput of
# Wharf with metrics on (the default, with a scrape every SCRAPE_SECONDS) and off (WHARF_Metrics__Enabled=false),
# alternating which goes first, ROUNDS times. With WEBHOOKS=1 "on" also has a signed webhook endpoint that every push
# event is delivered to (the README's receiver, docs/examples/webhook-receiver.py, on this machine), and "off" has none.
# Prints the medians, the ratio on/off and the geometric mean of the rounds' own ratios, writes bench/results/metrics-cost.json and .txt (observability-cost.* with
# WEBHOOKS=1). See bench/README.md ("What metrics cost").
#
# Before measuring, each server is warmed like a registry that has been up a while: WARM_IMAGES small images pushed
# (the JIT's tiering of the push path takes a few thousand) and 2 s of manifest GETs, a pause of PAUSE_SECONDS, then
# WARM_IMAGES/6 more and 2 s of GETs again, and another pause. With one pass only, the "on" server was still
# compiling during the measured push (the JIT was 9.7 % of its CPU samples there, 0.5 % for "off": the paths metrics
# and webhooks add, such as the scrape's exporter and more connections opened and closed, cross the tiering threshold
# later); with the second pass both servers compile fewer than 80 methods during the measured phases.
#
# Env: ROUNDS=5  WRK_SECONDS=8  SMALL_IMAGES=1000  WARM_IMAGES=3000  PAUSE_SECONDS=2  SCRAPE_SECONDS=5  WHARF_PORT=15000  WEBHOOKS=0  RECEIVER_PORT=15001  OUT=<json path>
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=${ROUNDS:-5}
WRK_SECONDS=${WRK_SECONDS:-8}
SMALL_IMAGES=${SMALL_IMAGES:-1000}
WARM_IMAGES=${WARM_IMAGES:-3000}
PAUSE_SECONDS=${PAUSE_SECONDS:-2}
SCRAPE_SECONDS=${SCRAPE_SECONDS:-5}
WHARF_PORT=${WHARF_PORT:-15000}
WEBHOOKS=${WEBHOOKS:-0}
RECEIVER_PORT=${RECEIVER_PORT:-15001}
if [[ $WEBHOOKS == 1 ]]; then OUT=${OUT:-$HERE/results/observability-cost.json}; else OUT=${OUT:-$HERE/results/metrics-cost.json}; fi
URL=http://127.0.0.1:$WHARF_PORT
for cmd in wrk jq curl; do command -v "$cmd" >/dev/null || { echo "metrics-cost.sh: needs $cmd (bench/run.sh installs it)" >&2; exit 1; }; done

log() { printf '# %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
WORK=$(mktemp -d)
SERVER_PID="" SCRAPER_PID="" RECEIVER_PID=""
cleanup() {
  [[ -n "$SCRAPER_PID" ]] && kill "$SCRAPER_PID" 2>/dev/null || true
  [[ -n "$RECEIVER_PID" ]] && kill "$RECEIVER_PID" 2>/dev/null || true
  [[ -n "$SERVER_PID" ]] && { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

log "building Wharf (Release) and the load client"
# As ./wharf builds it: ReadyToRun, so the first push after the start is not measured through the JIT.
dotnet publish "$ROOT/src/Wharf/Wharf.csproj" -c Release -o "$WORK/wharf-bin" --nologo -v quiet -p:UseAppHost=false -r linux-x64 --self-contained false -p:PublishReadyToRun=true >&2
dotnet publish "$HERE/Wharf.Bench.Load/Wharf.Bench.Load.csproj" -c Release -o "$WORK/load-bin" --nologo -v quiet -p:UseAppHost=false >&2
load() { dotnet "$WORK/load-bin/Wharf.Bench.Load.dll" "$@"; }
cat >"$WORK/manifest.lua" <<'LUA'
wrk.method = "GET"
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
done = function(summary, latency, requests)
  io.write(string.format('JSON {"rps":%.1f,"p99_ms":%.3f,"errors":%d}\n', summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

if [[ $WEBHOOKS == 1 ]]; then
  WHARF_WEBHOOK_SECRET=bench python3 "$ROOT/docs/examples/webhook-receiver.py" "$RECEIVER_PORT" >"$WORK/receiver.log" 2>&1 &
  RECEIVER_PID=$!
fi

RESULTS=$WORK/results.jsonl
ON_ROUNDS=0
TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
one() { # mode round
  local mode=$1 round=$2 data=$WORK/data-$1-$2 enabled=true
  local -a hooks=()
  [[ $mode == off ]] && enabled=false
  [[ $mode == on && $WEBHOOKS == 1 ]] && hooks=(WHARF_WEBHOOKS__ENDPOINTS__0__NAME=bench "WHARF_WEBHOOKS__ENDPOINTS__0__URL=http://127.0.0.1:$RECEIVER_PORT/" WHARF_WEBHOOKS__ENDPOINTS__0__SECRET=bench)
  env "${hooks[@]}" WHARF_Metrics__Enabled=$enabled DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x400000}" \
    dotnet "$WORK/wharf-bin/Wharf.dll" serve --listen "127.0.0.1:$WHARF_PORT" --data "$data" >"$data.log" 2>&1 &
  SERVER_PID=$!
  for ((i = 0; i < 600; i++)); do grep -q "Wharf is listening on" "$data.log" 2>/dev/null && break; sleep 0.1; done
  if [[ $mode == on ]]; then
    (while sleep "$SCRAPE_SECONDS"; do curl -s -o /dev/null "$URL/metrics"; done) &
    SCRAPER_PID=$!
  fi
  load seed-hot "url=$URL" repo=bench/hot >/dev/null
  load small-images "url=$URL" repo=bench/warm "count=$WARM_IMAGES" workers=8 "seed=warm$mode$round" >/dev/null
  wrk -t2 -c32 -d2s -s "$WORK/manifest.lua" "$URL/v2/bench/hot/manifests/latest" >/dev/null
  sleep "$PAUSE_SECONDS"
  load small-images "url=$URL" repo=bench/warm2 "count=$((WARM_IMAGES / 6))" workers=8 "seed=warm2$mode$round" >/dev/null
  wrk -t2 -c32 -d2s -s "$WORK/manifest.lua" "$URL/v2/bench/hot/manifests/latest" >/dev/null
  sleep "$PAUSE_SECONDS"
  local get push c0 c1 c2
  c0=$(cpu_ticks)
  get=$(wrk -t2 -c32 -d"$WRK_SECONDS"s --latency -s "$WORK/manifest.lua" "$URL/v2/bench/hot/manifests/latest" | sed -n 's/^JSON //p')
  c1=$(cpu_ticks)
  push=$(load small-images "url=$URL" repo=bench/small "count=$SMALL_IMAGES" workers=8 "seed=$mode$round")
  c2=$(cpu_ticks)
  local drained=null
  if [[ $mode == on && $WEBHOOKS == 1 ]]; then
    # Every event of this round reaches the receiver before the server stops: how long after the last push.
    ON_ROUNDS=$((ON_ROUNDS + 1))
    local want=$((ON_ROUNDS * (SMALL_IMAGES + WARM_IMAGES + WARM_IMAGES / 6 + 1))) t0=$EPOCHREALTIME
    for ((i = 0; i < 600; i++)); do (($(grep -c '^push ' "$WORK/receiver.log" || true) >= want)) && break; sleep 0.1; done
    drained=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  fi
  jq -nc --arg m "$mode" --argjson r "$round" --argjson g "$get" --argjson p "$push" --argjson tck "$TCK" --argjson secs "$WRK_SECONDS" \
    --argjson images "$SMALL_IMAGES" --argjson c0 "$c0" --argjson c1 "$c1" --argjson c2 "$c2" --argjson drained "$drained" \
    '{mode: $m, round: $r, get_manifest_rps: $g.rps, get_manifest_p99_ms: $g.p99_ms, get_errors: $g.errors,
      get_manifest_cpu_us_per_request: (($c1 - $c0) / $tck * 1e6 / ($g.rps * $secs) | round),
      push_images_per_s: $p.images_per_s, push_cpu_ms_per_image: (($c2 - $c1) / $tck * 1e3 / $images * 100 | round / 100), delivered_within_s: $drained}' | tee -a "$RESULTS" >&2
  [[ -n "$SCRAPER_PID" ]] && { kill "$SCRAPER_PID" 2>/dev/null || true; wait "$SCRAPER_PID" 2>/dev/null || true; SCRAPER_PID=""; }
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then one on "$round"; one off "$round"; else one off "$round"; one on "$round"; fi
done

jq -s --argjson rounds "$ROUNDS" --argjson wrk "$WRK_SECONDS" --argjson images "$SMALL_IMAGES" --argjson warm "$WARM_IMAGES" --argjson scrape "$SCRAPE_SECONDS" --argjson webhooks "$WEBHOOKS" '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def m(mode; key): [.[] | select(.mode == mode) | .[key]] | median;
  # Each round runs on and off one after the other: the geometric mean of the rounds own on/off ratios pairs the two
  # that shared a host state, where the ratio of the medians compares on and off of different moments.
  def paired(key): [group_by(.round)[] | (map(select(.mode == "on"))[0][key] / map(select(.mode == "off"))[0][key])]
    | (map(log) | add / length | exp * 1000 | round) / 1000;
  {rounds: $rounds, wrk_seconds: $wrk, small_images: $images, warm_images: $warm, scrape_every_s: $scrape, webhooks: ($webhooks == 1), machine_cores: 2,
   get_manifest_rps: {on: m("on"; "get_manifest_rps"), off: m("off"; "get_manifest_rps")},
   push_images_per_s: {on: m("on"; "push_images_per_s"), off: m("off"; "push_images_per_s")},
   get_manifest_cpu_us_per_request: {on: m("on"; "get_manifest_cpu_us_per_request"), off: m("off"; "get_manifest_cpu_us_per_request")},
   push_cpu_ms_per_image: {on: m("on"; "push_cpu_ms_per_image"), off: m("off"; "push_cpu_ms_per_image")},
   records: .}
  | .get_manifest_on_over_off = ((.get_manifest_rps.on / .get_manifest_rps.off * 1000 | round) / 1000)
  | .push_on_over_off = ((.push_images_per_s.on / .push_images_per_s.off * 1000 | round) / 1000)
  | .get_manifest_paired = (.records | paired("get_manifest_rps"))
  | .push_paired = (.records | paired("push_images_per_s"))
  | .get_manifest_cpu_on_over_off = ((.get_manifest_cpu_us_per_request.on / .get_manifest_cpu_us_per_request.off * 1000 | round) / 1000)
  | .push_cpu_on_over_off = ((.push_cpu_ms_per_image.on / .push_cpu_ms_per_image.off * 1000 | round) / 1000)' "$RESULTS" >"$OUT"
jq -r '"\(if .webhooks then "metrics + webhooks" else "metrics" end) on vs off, median of \(.rounds) rounds, each server warmed by \(.warm_images) + \(.warm_images / 6 | floor) pushed images in two passes (on: a scrape every \(.scrape_every_s) s\(if .webhooks then ", every push event delivered to a signed endpoint" else "" end))",
  "get_manifest  on \(.get_manifest_rps.on) req/s   off \(.get_manifest_rps.off) req/s   on/off \(.get_manifest_on_over_off)",
  "push (8 workers, small images)  on \(.push_images_per_s.on) images/s   off \(.push_images_per_s.off) images/s   on/off \(.push_on_over_off)",
  "paired by round (geometric mean of each rounds on/off): get_manifest \(.get_manifest_paired)   push \(.push_paired)",
  "server CPU per GET manifest  on \(.get_manifest_cpu_us_per_request.on) us   off \(.get_manifest_cpu_us_per_request.off) us   on/off \(.get_manifest_cpu_on_over_off)",
  "server CPU per pushed image  on \(.push_cpu_ms_per_image.on) ms   off \(.push_cpu_ms_per_image.off) ms   on/off \(.push_cpu_on_over_off)",
  "load average at the end: \($load)"' --arg load "$(cut -d" " -f1-3 /proc/loadavg)" "$OUT" | tee "${OUT%.json}.txt"
if [[ $WEBHOOKS == 1 ]]; then
  # Every "on" round's pushes (an image is one manifest push, one event) reached the receiver, signature checked.
  echo "webhook events the receiver accepted: $(grep -c '^push ' "$WORK/receiver.log" || true) (expected $(((SMALL_IMAGES + WARM_IMAGES + WARM_IMAGES / 6 + 1) * ROUNDS)) or more: the pushes of every on round, its warm-up and its seed)" | tee -a "${OUT%.json}.txt"
fi
