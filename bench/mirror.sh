#!/usr/bin/env bash
# bench/mirror.sh - what Wharf's pull-through cache adds to a cold pull: an image with one SIZE_MIB layer lives in
# Distribution 2.8.2 (the upstream); each round starts a fresh Wharf and pulls the image the way a client does
# (manifest, config, layer; one curl, one connection) cold through Wharf's cache, then the same straight from the
# upstream, then once more through Wharf (now cached). Two upstream legs, each with its own copy of the image:
#   shaped: the upstream modelled as remote, behind bench/shaped-relay.py (RTT_MS round trip, RATE_MBIT each way; a
#           relay because this VM's kernel has no netem qdisc); Wharf's `far` prefix mirrors the relay and "direct"
#           pulls go through the same relay. This is what users see: a mirror exists because the upstream is far away.
#   raw:    plain loopback, Wharf's `up` prefix (the upstream leg costs nothing: the cache's own work is all there is).
# Prints medians of the time to the layer's first byte and of the whole pull, and the cold/direct ratios. Each fresh
# Wharf first pulls a small other image through each prefix, so "cold" is an empty cache, not a process that has not
# served yet; writes bench/results/mirror.json and .txt. See bench/README.md ("Pull-through cache").
#
# Env: ROUNDS=5  SIZE_MIB=256  RTT_MS=20  RATE_MBIT=1000  UPSTREAM_PORT=15200  WHARF_PORT=15201  RELAY_PORT=15202
#      OUT=<json path>
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=${ROUNDS:-5}
SIZE_MIB=${SIZE_MIB:-256}
UPSTREAM_PORT=${UPSTREAM_PORT:-15200}
WHARF_PORT=${WHARF_PORT:-15201}
RELAY_PORT=${RELAY_PORT:-15202}
RTT_MS=${RTT_MS:-20}
RATE_MBIT=${RATE_MBIT:-1000}
OUT=${OUT:-$HERE/results/mirror.json}
UP=http://127.0.0.1:$UPSTREAM_PORT
FAR=http://127.0.0.1:$RELAY_PORT
WHARF=http://127.0.0.1:$WHARF_PORT
for cmd in docker-registry curl jq sha256sum python3; do command -v "$cmd" >/dev/null || { echo "mirror.sh: needs $cmd" >&2; exit 1; }; done

log() { printf '# %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
WORK=$(mktemp -d)
UPSTREAM_PID="" SERVER_PID="" RELAY_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
  [[ -n "$RELAY_PID" ]] && { kill "$RELAY_PID" 2>/dev/null || true; wait "$RELAY_PID" 2>/dev/null || true; }
  [[ -n "$UPSTREAM_PID" ]] && { kill "$UPSTREAM_PID" 2>/dev/null || true; wait "$UPSTREAM_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_for() { # url log
  for ((i = 0; i < 1200; i++)); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "mirror.sh: $1 never answered; the end of $2:" >&2; tail -5 "$2" >&2; exit 1
}

log "building Wharf (Release, ReadyToRun, as ./wharf builds it)"
dotnet publish "$ROOT/src/Wharf/Wharf.csproj" -c Release -o "$WORK/wharf-bin" --nologo -v quiet -p:UseAppHost=false -r linux-x64 --self-contained false -p:PublishReadyToRun=true >&2

log "starting Distribution 2.8.2 as the upstream, seeding a ${SIZE_MIB} MiB layer"
cat >"$WORK/upstream.yml" <<YAML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $WORK/upstream }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$UPSTREAM_PORT }
YAML
docker-registry serve "$WORK/upstream.yml" >"$WORK/upstream.log" 2>&1 &
UPSTREAM_PID=$!
wait_for "$UP/v2/" "$WORK/upstream.log"
push_blob() { # file repo -> digest
  local digest location
  digest=sha256:$(sha256sum "$1" | cut -d' ' -f1)
  location=$(curl -sf -X POST -D - -o /dev/null "$UP/v2/$2/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  [[ $location == http* ]] || location=$UP$location
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$location&digest=$digest" -o /dev/null
  echo "$digest"
}
seed() { # repo layer-file -> sets CONFIG and LAYER
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$WORK/config"
  LAYER=$(push_blob "$2" "$1")
  CONFIG=$(push_blob "$WORK/config" "$1")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$CONFIG" "$(stat -c %s "$WORK/config")" "$LAYER" "$(stat -c %s "$2")" >"$WORK/manifest"
  curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$WORK/manifest" "$UP/v2/$1/manifests/v1" -o /dev/null
}
# A small image, pulled through each fresh Wharf first: "cold" means the cache is empty, not that the process just started.
head -c $((1024 * 1024)) /dev/urandom >"$WORK/warmup-layer"
seed bench/warmup "$WORK/warmup-layer"
WARM_CONFIG=$CONFIG WARM_LAYER=$LAYER
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/layer"
seed bench/image "$WORK/layer"
RAW_CONFIG=$CONFIG RAW_LAYER=$LAYER
# The shaped leg has its own layer, so neither leg's pulls can be served from the other's cache.
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/layer"
seed bench/far-image "$WORK/layer"
FAR_CONFIG=$CONFIG FAR_LAYER=$LAYER
rm -f "$WORK/layer"

log "starting the shaped relay: ${RTT_MS} ms round trip, ${RATE_MBIT} Mbit/s each way, in front of the upstream"
python3 "$HERE/shaped-relay.py" "$RELAY_PORT" "$UPSTREAM_PORT" "$RTT_MS" "$RATE_MBIT" >"$WORK/relay.log" 2>&1 &
RELAY_PID=$!
wait_for "$FAR/v2/" "$WORK/relay.log"

ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json'
# pull BASE REPO CONFIG LAYER: manifest by tag, config, layer, as a client does, in one curl (one connection);
# prints {"ttfb_s":…,"total_s":…} (ttfb: the layer's first byte, from the layer's request)
pull() {
  local base=$1 repo=$2 config=$3 layer=$4 t0 t1 ttfb
  t0=$EPOCHREALTIME
  ttfb=$(curl -sf -H "$ACCEPT" -o /dev/null -o /dev/null -o /dev/null -w '%{time_starttransfer}\n' \
    "$base/v2/$repo/manifests/v1" "$base/v2/$repo/blobs/$config" "$base/v2/$repo/blobs/$layer" | tail -1)
  t1=$EPOCHREALTIME
  jq -nc --argjson ttfb "$ttfb" --argjson a "$t0" --argjson b "$t1" '{ttfb_s: $ttfb, total_s: ($b - $a)}'
}

# stored ROUND LAYER: waits until this round's Wharf has the layer in storage. The client gets the last byte once the
# digest verified and the store's commit (hash, write, fsync) follows; the next measurement should not share the CPU with it.
stored() {
  local hex=${2#sha256:}
  for ((i = 0; i < 600; i++)); do
    [[ -n $(find "$WORK/data-$1" -name "$hex" -path '*/blobs/*' -print -quit 2>/dev/null) ]] && return 0
    sleep 0.1
  done
  echo "mirror.sh: the cache never stored $2" >&2; exit 1
}

RESULTS=$WORK/results.jsonl
for ((round = 1; round <= ROUNDS; round++)); do
  env WHARF_MIRROR__UPSTREAMS__0__PREFIX=up "WHARF_MIRROR__UPSTREAMS__0__URL=$UP" \
    WHARF_MIRROR__UPSTREAMS__1__PREFIX=far "WHARF_MIRROR__UPSTREAMS__1__URL=$FAR" \
    dotnet "$WORK/wharf-bin/Wharf.dll" serve --listen "127.0.0.1:$WHARF_PORT" --data "$WORK/data-$round" >"$WORK/wharf-$round.log" 2>&1 &
  SERVER_PID=$!
  wait_for "$WHARF/v2/" "$WORK/wharf-$round.log"
  pull "$WHARF" far/bench/warmup "$WARM_CONFIG" "$WARM_LAYER" >/dev/null
  pull "$WHARF" up/bench/warmup "$WARM_CONFIG" "$WARM_LAYER" >/dev/null
  shaped_cold=$(pull "$WHARF" far/bench/far-image "$FAR_CONFIG" "$FAR_LAYER")
  stored "$round" "$FAR_LAYER"
  shaped_direct=$(pull "$FAR" bench/far-image "$FAR_CONFIG" "$FAR_LAYER")
  shaped_warm=$(pull "$WHARF" far/bench/far-image "$FAR_CONFIG" "$FAR_LAYER")
  cold=$(pull "$WHARF" up/bench/image "$RAW_CONFIG" "$RAW_LAYER")
  stored "$round" "$RAW_LAYER"
  direct=$(pull "$UP" bench/image "$RAW_CONFIG" "$RAW_LAYER")
  warm=$(pull "$WHARF" up/bench/image "$RAW_CONFIG" "$RAW_LAYER")
  jq -nc --argjson r "$round" --argjson sc "$shaped_cold" --argjson sd "$shaped_direct" --argjson sw "$shaped_warm" \
    --argjson c "$cold" --argjson d "$direct" --argjson w "$warm" \
    '{round: $r, shaped: {cold: $sc, direct: $sd, warm: $sw}, raw: {cold: $c, direct: $d, warm: $w}}' | tee -a "$RESULTS" >&2
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  rm -rf "$WORK/data-$round"
done

jq -s --argjson size "$SIZE_MIB" --argjson rtt "$RTT_MS" --argjson rate "$RATE_MBIT" '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def m(leg; k; f): [.[] | .[leg][k][f]] | median;
  def leg(l): {ttfb_s: {cold: m(l; "cold"; "ttfb_s"), direct: m(l; "direct"; "ttfb_s"), warm: m(l; "warm"; "ttfb_s")},
               total_s: {cold: m(l; "cold"; "total_s"), direct: m(l; "direct"; "total_s"), warm: m(l; "warm"; "total_s")}}
              | .cold_over_direct_total = ((.total_s.cold / .total_s.direct * 1000 | round) / 1000);
  {layer_mib: $size, rounds: length,
   model: {rtt_ms: $rtt, rate_mbit: $rate, how: "bench/shaped-relay.py: the upstream connection opens one RTT late, each direction delays by RTT/2 and sends at most rate_mbit"},
   shaped: leg("shaped"), raw: leg("raw"), records: .}' "$RESULTS" >"$OUT"
jq -r 'def ms: . * 1000 | round | tostring + " ms";
  "cold pull through the cache vs straight from the upstream (Distribution 2.8.2), one \(.layer_mib) MiB layer, median of \(.rounds) rounds",
  "",
  "shaped upstream (modelled as remote: \(.model.rtt_ms) ms round trip, \(.model.rate_mbit) Mbit/s each way, via bench/shaped-relay.py)",
  "  layer first byte   cold \(.shaped.ttfb_s.cold | ms)   direct \(.shaped.ttfb_s.direct | ms)   cached \(.shaped.ttfb_s.warm | ms)",
  "  whole pull         cold \(.shaped.total_s.cold | ms)   direct \(.shaped.total_s.direct | ms)   cached \(.shaped.total_s.warm | ms)",
  "  cold / direct (whole pull): \(.shaped.cold_over_direct_total)   (the cache should add under 10 %: at most 1.10)",
  "",
  "raw loopback upstream (the upstream leg is free: only the cache'"'"'s own work shows)",
  "  layer first byte   cold \(.raw.ttfb_s.cold | ms)   direct \(.raw.ttfb_s.direct | ms)   cached \(.raw.ttfb_s.warm | ms)",
  "  whole pull         cold \(.raw.total_s.cold | ms)   direct \(.raw.total_s.direct | ms)   cached \(.raw.total_s.warm | ms)",
  "  cold / direct (whole pull): \(.raw.cold_over_direct_total)",
  "",
  "load average at the end: \($load)"' --arg load "$(cut -d" " -f1-3 /proc/loadavg)" "$OUT" | tee "${OUT%.json}.txt"
