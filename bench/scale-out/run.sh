#!/usr/bin/env bash
# Filesystem + SQLite next to S3 (Ceph RGW, memstore OSD) + PostgreSQL, on this machine, one client at a time:
# push and pull of one large layer (default 1 GiB) and sequential small-image pushes (config + 4 KiB layer + manifest).
# Starts throwaway engines (as root) and two Wharf processes, one after the other. Not a timed test.
#   bench/scale-out/run.sh [LAYER_MIB] [SMALL_IMAGES]
# CHUNKED_MIB (default 128) sizes the blob pushed in 16 MiB chunks; ONLY="s3+postgres-redirect" (names, space-separated)
# runs only those configurations. WHARF_CEPH_OSD_STORE=bluestore holds more than the memstore OSD's 4 GiB.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
layer=${1:-1024}; small=${2:-200}; chunked=${CHUNKED_MIB:-128}
# Throwaway engines of its own, always: never the ones a test shell exported (stopping those at exit would stop them).
unset WHARF_ENGINES_DIR
source scripts/engines.sh
trap 'kill $(jobs -p) 2>/dev/null || true; wharf_engines_stop' EXIT
wharf_engines_start
dotnet build src/Wharf -c Release --nologo -v q >/dev/null
wharf="dotnet src/Wharf/bin/Release/net10.0/Wharf.dll"
work=$(mktemp -d)

run() { # name, then extra environment for wharf
    local name=$1; shift
    if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return; fi
    local port; port=$(wharf_free_port)
    env "$@" WHARF_LISTEN=127.0.0.1:$port WHARF_DATA="$work/$name" $wharf serve > "$work/$name.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
    printf '%-22s %s\n' "$name" "$(python3 bench/scale-out/bench.py "http://127.0.0.1:$port/" --layer-mib "$layer" --small "$small" --chunked-mib "$chunked")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

s3=(WHARF_STORAGE__DRIVER=S3 WHARF_STORAGE__S3__ENDPOINT="$WHARF_TEST_S3_ENDPOINT" WHARF_STORAGE__S3__BUCKET=bench
    WHARF_STORAGE__S3__ACCESSKEY="$WHARF_TEST_S3_ACCESS_KEY" WHARF_STORAGE__S3__SECRETKEY="$WHARF_TEST_S3_SECRET_KEY"
    WHARF_STORAGE__S3__CREATEBUCKET=true WHARF_METADATA__DRIVER=PostgreSql WHARF_METADATA__POSTGRESQL__CONNECTIONSTRING="$WHARF_TEST_POSTGRES")
run filesystem+sqlite
run s3+postgres-redirect "${s3[@]}" WHARF_METADATA__POSTGRESQL__SCHEMA=redirect WHARF_STORAGE__S3__PREFIX=redirect
run s3+postgres-proxy "${s3[@]}" WHARF_METADATA__POSTGRESQL__SCHEMA=proxy WHARF_STORAGE__S3__PREFIX=proxy WHARF_BLOBS__DELIVERY=Proxy
rm -rf "$work"
