#!/usr/bin/env bash
# Runs every Wharf test: unit, contract, integration (real Kestrel) and end-to-end (real clients).
# As root it installs what the tests need with apt-get; otherwise it names what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# shellcheck source=scripts/e2e-deps.sh
source scripts/e2e-deps.sh
if [ "$(id -u)" -eq 0 ]; then
    wharf_e2e_install_deps
else
    missing=()
    for package in "${WHARF_E2E_DEPS[@]}"; do
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
status=0
dotnet test Wharf.sln -c Release --no-build --nologo \
    --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

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
