#!/usr/bin/env bash
# Runs every Wharf test: unit, contract, integration (real Kestrel) and end-to-end (real clients).
# As root it installs what the tests need with apt-get; otherwise it names what is missing.
# It starts PostgreSQL and Ceph RGW (S3) on 127.0.0.1 for the scale-out tests and stops them at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

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
# The >= 5 GiB blob test (Category=HugeBlob) runs alone below.
dotnet test Wharf.sln -c Release --no-build --nologo --filter "Category!=HugeBlob" \
    --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# The core integration tests again, every server on S3 (Ceph RGW) + PostgreSQL instead of files + SQLite.
WHARF_TEST_BACKEND=s3-postgres dotnet test tests/Wharf.IntegrationTests -c Release --no-build --nologo \
    --filter "Category!=ScaleOut&Category!=HugeBlob" \
    --logger "trx;LogFileName=integration-s3-postgres.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# Real clients pulling through presigned redirects to the bucket.
WHARF_TEST_BACKEND=s3-postgres WHARF_TEST_BLOB_DELIVERY=Redirect dotnet test tests/Wharf.EndToEndTests -c Release --no-build --nologo \
    --filter "FullyQualifiedName~.SkopeoTests|FullyQualifiedName~.PodmanTests|FullyQualifiedName~.DockerTests" \
    --logger "trx;LogFileName=e2e-s3-redirect.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# Blobs of 5 GiB and more through Wharf on S3 + PostgreSQL, alone (it needs ~11 GiB in the OSD's sparse file).
free_gib=$(( $(df --output=avail -k "$WHARF_ENGINES_DIR" | tail -1) / 1024 / 1024 ))
if [ "$free_gib" -lt 16 ]; then
    echo "test.sh: the 5 GiB blob test needs 16 GiB free next to $WHARF_ENGINES_DIR, there are $free_gib" >&2
    status=1
else
    started=$SECONDS
    dotnet test tests/Wharf.IntegrationTests -c Release --no-build --nologo --filter "Category=HugeBlob" \
        --logger "trx;LogFileName=huge-blob.trx" --logger "console;verbosity=detailed" --results-directory "$results" || status=$?
    echo "test.sh: 5 GiB blob test took $((SECONDS - started)) s"
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
