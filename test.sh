#!/usr/bin/env bash
# Runs every Wharf test: unit, contract, integration (real Kestrel) and end-to-end (real clients).
# As root it installs what the tests need with apt-get; otherwise it names what is missing.
# It starts PostgreSQL and Ceph RGW (S3) on 127.0.0.1 for the scale-out tests and stops them at the end.
# --heavy runs the long variants of the load, crash and fuzz harnesses (about an hour on 2 cores); a variable already
# set in the environment wins over both sizes.
# Wharf's container image is built (scripts/build-image.sh: a self-contained publish, about a minute on a quiet machine)
# and run in dockerd (tests/Wharf.EndToEndTests/Release) as part of every run; WHARF_TEST_IMAGE=0 skips it.
# --release is kept as a synonym of the default.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

for argument in "$@"; do
    case "$argument" in
        --heavy)
            export WHARF_SOAK_SECONDS="${WHARF_SOAK_SECONDS:-600}"
            export WHARF_TEST_FAULT_PUSHES="${WHARF_TEST_FAULT_PUSHES:-60}"
            export WHARF_CRASH_KILLS_FS="${WHARF_CRASH_KILLS_FS:-1000}"
            export WHARF_CRASH_KILLS_S3="${WHARF_CRASH_KILLS_S3:-200}"
            export WHARF_FUZZ_ITERATIONS="${WHARF_FUZZ_ITERATIONS:-30000}"
            export WHARF_TEST_IDLE_CONNECTIONS="${WHARF_TEST_IDLE_CONNECTIONS:-5000}"
            export WHARF_TEST_BOMB_MIB="${WHARF_TEST_BOMB_MIB:-1024}"
            export WHARF_TEST_BOMB_TAR_ENTRIES="${WHARF_TEST_BOMB_TAR_ENTRIES:-1000000}"
            export WHARF_TEST_WEBHOOK_KILL_PUSHES="${WHARF_TEST_WEBHOOK_KILL_PUSHES:-500}"
            ;;
        --release) export WHARF_TEST_IMAGE=1 ;;
        *) echo "usage: ./test.sh [--heavy] [--release]" >&2; exit 2 ;;
    esac
done

export WHARF_TEST_IMAGE="${WHARF_TEST_IMAGE:-1}"

# shellcheck source=scripts/e2e-deps.sh
source scripts/e2e-deps.sh
# shellcheck source=scripts/engines.sh
source scripts/engines.sh
if [ "$(id -u)" -eq 0 ]; then
    wharf_e2e_install_deps
    wharf_engines_install_deps
else
    missing=()
    for package in "${WHARF_E2E_DEPS[@]}" "${WHARF_ENGINE_DEPS[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "test.sh: missing Debian packages: ${missing[*]}" >&2
        echo "test.sh: install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
fi

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

results="$(pwd)/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet restore Wharf.sln --nologo
dotnet build Wharf.sln -c Release --no-restore --nologo

trap wharf_engines_stop EXIT
wharf_engines_start

status=0
# The >= 5 GiB blob test runs last, on a cluster of its own (below).
dotnet test Wharf.sln -c Release --no-build --nologo --filter "Category!=HugeBlob" \
    --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# The core integration tests again, every server on S3 (Ceph RGW) + PostgreSQL instead of files + SQLite.
WHARF_TEST_BACKEND=s3-postgres dotnet test tests/Wharf.IntegrationTests -c Release --no-build --nologo \
    --filter "Category!=ScaleOut&Category!=HugeBlob" \
    --logger "trx;LogFileName=integration-s3-postgres.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# Real clients pulling through presigned redirects to the bucket; containerd also pushes small blobs whole (POST, then
# PUT with the body), which on S3 are written straight to their digest's key.
WHARF_TEST_BACKEND=s3-postgres WHARF_TEST_BLOB_DELIVERY=Redirect dotnet test tests/Wharf.EndToEndTests -c Release --no-build --nologo \
    --filter "FullyQualifiedName~.SkopeoTests|FullyQualifiedName~.PodmanTests|FullyQualifiedName~.DockerTests|FullyQualifiedName~.ContainerdTests" \
    --logger "trx;LogFileName=e2e-s3-redirect.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# Blobs beyond S3's 5 GiB single-request limits: 5.1 GiB pushed twice and pulled back (about 3 minutes). A memstore OSD
# holds at most 4 GiB, so the engines restart with the OSD on bluestore (a sparse file of 24 GiB that grows to at most
# about 16 GiB: the chunked push's segments and the copy its commit assembles exist together until RGW reclaims the segments).
wharf_engines_stop
unset WHARF_ENGINES_DIR
free_kib=$(df -Pk /tmp | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt $((18 * 1024 * 1024)) ]; then
    echo "test.sh: the 5 GiB blob test needs 18 GiB free under /tmp, only $((free_kib / 1024 / 1024)) GiB are" >&2
    status=1
else
    WHARF_CEPH_OSD_STORE=bluestore WHARF_CEPH_OSD_BLOCK_GIB=24 wharf_engines_start
    dotnet test tests/Wharf.IntegrationTests -c Release --no-build --nologo --filter "Category=HugeBlob" \
        --logger "trx;LogFileName=huge-blob.trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?
fi

# One closing line over every test assembly.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then
    echo "test.sh: no test ran" >&2
    exit 1
fi
exit "$status"
