#!/usr/bin/env bash
# bench/mirror.sh - what Wharf's pull-through cache adds to a cold pull: an image with one SIZE_MIB layer lives in
# Distribution 2.8.2 (the upstream); each round starts a fresh Wharf whose `up` prefix mirrors it and pulls the image
# cold through Wharf (manifest, config, layer, as a client does), then the same straight from the upstream, and
# once more through Wharf (now cached). Prints medians of the time to the layer's first byte and of the whole pull,
# and the cold/direct ratios. Each fresh Wharf first pulls a small other image through the cache, so "cold" is an empty
# cache, not a process that has not served yet; writes bench/results/mirror.json and .txt. See bench/README.md ("Pull-through cache").
#
# Env: ROUNDS=5  SIZE_MIB=256  UPSTREAM_PORT=15200  WHARF_PORT=15201  OUT=<json path>
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=${ROUNDS:-5}
SIZE_MIB=${SIZE_MIB:-256}
UPSTREAM_PORT=${UPSTREAM_PORT:-15200}
WHARF_PORT=${WHARF_PORT:-15201}
OUT=${OUT:-$HERE/results/mirror.json}
UP=http://127.0.0.1:$UPSTREAM_PORT
WHARF=http://127.0.0.1:$WHARF_PORT
for cmd in docker-registry curl jq sha256sum; do command -v "$cmd" >/dev/null || { echo "mirror.sh: needs $cmd" >&2; exit 1; }; done

log() { printf '# %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
WORK=$(mktemp -d)
UPSTREAM_PID="" SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
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

ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json'
# pull BASE REPO [CONFIG LAYER]: manifest by tag, config, layer, as a client does; prints {"ttfb_s":…,"total_s":…}
# (ttfb: the layer's first byte)
pull() {
  local base=$1 repo=$2 config=${3:-$CONFIG} layer=${4:-$LAYER} t0 t1 ttfb
  t0=$EPOCHREALTIME
  curl -sf -H "$ACCEPT" -o /dev/null "$base/v2/$repo/manifests/v1"
  curl -sf -o /dev/null "$base/v2/$repo/blobs/$config"
  ttfb=$(curl -sf -o /dev/null -w '%{time_starttransfer}' "$base/v2/$repo/blobs/$layer")
  t1=$EPOCHREALTIME
  jq -nc --argjson ttfb "$ttfb" --argjson a "$t0" --argjson b "$t1" '{ttfb_s: $ttfb, total_s: ($b - $a)}'
}

RESULTS=$WORK/results.jsonl
for ((round = 1; round <= ROUNDS; round++)); do
  env WHARF_MIRROR__UPSTREAMS__0__PREFIX=up "WHARF_MIRROR__UPSTREAMS__0__URL=$UP" \
    dotnet "$WORK/wharf-bin/Wharf.dll" serve --listen "127.0.0.1:$WHARF_PORT" --data "$WORK/data-$round" >"$WORK/wharf-$round.log" 2>&1 &
  SERVER_PID=$!
  wait_for "$WHARF/v2/" "$WORK/wharf-$round.log"
  pull "$WHARF" up/bench/warmup "$WARM_CONFIG" "$WARM_LAYER" >/dev/null
  cold=$(pull "$WHARF" up/bench/image)
  direct=$(pull "$UP" bench/image)
  warm=$(pull "$WHARF" up/bench/image)
  jq -nc --argjson r "$round" --argjson c "$cold" --argjson d "$direct" --argjson w "$warm" '{round: $r, cold: $c, direct: $d, warm: $w}' | tee -a "$RESULTS" >&2
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  rm -rf "$WORK/data-$round"
done

jq -s --argjson size "$SIZE_MIB" '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def m(k; f): [.[] | .[k][f]] | median;
  {layer_mib: $size, rounds: length,
   ttfb_s: {cold: m("cold"; "ttfb_s"), direct: m("direct"; "ttfb_s"), warm: m("warm"; "ttfb_s")},
   total_s: {cold: m("cold"; "total_s"), direct: m("direct"; "total_s"), warm: m("warm"; "total_s")},
   records: .}
  | .cold_over_direct_total = ((.total_s.cold / .total_s.direct * 1000 | round) / 1000)' "$RESULTS" >"$OUT"
jq -r '"cold pull through the cache vs straight from the upstream (Distribution 2.8.2), one \(.layer_mib) MiB layer, median of \(.rounds) rounds",
  "layer first byte   cold \(.ttfb_s.cold * 1000 | round) ms   direct \(.ttfb_s.direct * 1000 | round) ms   cached \(.ttfb_s.warm * 1000 | round) ms",
  "whole pull         cold \(.total_s.cold * 1000 | round) ms   direct \(.total_s.direct * 1000 | round) ms   cached \(.total_s.warm * 1000 | round) ms",
  "cold / direct (whole pull): \(.cold_over_direct_total)   (the cache should add under 10 %: at most 1.10)",
  "load average at the end: \($load)"' --arg load "$(cut -d" " -f1-3 /proc/loadavg)" "$OUT" | tee "${OUT%.json}.txt"
