#!/usr/bin/env bash
# check-budgets.sh - runs Wharf's micro-benchmarks (bench/Wharf.Benchmarks) with a short job and fails when
# a benchmark allocates more than 10 % over its budget in bench/budgets.json (bytes per operation).
# A budget is a number, or {"bytes": N, "slack_bytes": S, "why": "..."} for benchmarks whose operations last
# milliseconds: the allocation counter is process-wide, so background threads add a few hundred noisy bytes
# per operation there; such a benchmark fails above N * 1.10 + S.
#   bench/check-budgets.sh            check
#   bench/check-budgets.sh --update   write the measured allocations as the new budgets (review the diff)
# Env: FILTER='*' (BenchmarkDotNet filter), JOB=short, TOLERANCE=0.10,
#      INPROCESS=1 (run in this process: faster, same allocations; INPROCESS= builds BenchmarkDotNet's own exe)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUDGETS=$HERE/budgets.json
FILTER=${FILTER:-*}
JOB=${JOB:-short}
TOLERANCE=${TOLERANCE:-0.10}
INPROCESS=${INPROCESS-1}
command -v jq >/dev/null || {
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends jq >&2
  else echo "check-budgets.sh: jq is missing (apt-get install jq)" >&2; exit 1; fi
}
ART=$(mktemp -d /tmp/wharf-budgets.XXXXXX)
trap 'rm -rf "$ART"' EXIT

dotnet run -c Release --project "$HERE/Wharf.Benchmarks/Wharf.Benchmarks.csproj" -- \
  --filter "$FILTER" --job "$JOB" ${INPROCESS:+--inProcess} --memory --exporters json --artifacts "$ART" >"$ART/log.txt" 2>&1 || {
  tail -n 40 "$ART/log.txt" >&2; echo "check-budgets.sh: benchmarks failed" >&2; exit 1; }

# BenchmarkDotNet's summary tables (time and allocations)
grep -E '^\|' "$ART/log.txt" || true
echo

# One line per benchmark: key <TAB> allocated bytes per operation
jq -r '.Benchmarks[] | [(.Type + "." + .Method + (if (.Parameters // "") != "" then "(" + .Parameters + ")" else "" end)),
       (.Memory.BytesAllocatedPerOperation // 0)] | @tsv' "$ART"/results/*.json | sort >"$ART/measured.tsv"
[[ -s $ART/measured.tsv ]] || { echo "check-budgets.sh: no results found" >&2; exit 1; }

if [[ ${1:-} == --update ]]; then
  old=$(cat "$BUDGETS" 2>/dev/null || echo '{}')
  jq -Rn --argjson old "$old" '[inputs | split("\t") | {key: .[0], value: (.[1] | tonumber)}]
    | map(.key as $k | if ($old[$k] | type) == "object" then .value = ($old[$k] + {bytes: .value}) else . end) | from_entries' \
    "$ART/measured.tsv" >"$BUDGETS"
  echo "wrote $BUDGETS"; cat "$BUDGETS"; exit 0
fi

fail=0
printf '%-100s %12s %12s  %s\n' benchmark allocated budget status
while IFS=$'\t' read -r key bytes; do
  budget=$(jq -r --arg k "$key" '.[$k] | if type == "object" then .bytes elif . == null then empty else . end' "$BUDGETS")
  slack=$(jq -r --arg k "$key" '.[$k] | if type == "object" then (.slack_bytes // 0) else 0 end' "$BUDGETS")
  if [[ -z $budget ]]; then
    status="NO BUDGET"; fail=1
  elif awk -v b="$bytes" -v l="$budget" -v t="$TOLERANCE" -v s="$slack" 'BEGIN{exit !(b > l * (1 + t) + s)}'; then
    status="OVER BUDGET"; fail=1
  else
    status=ok
  fi
  printf '%-100s %12s %12s  %s\n' "$key" "$bytes" "${budget:--}" "$status"
done <"$ART/measured.tsv"
if ((fail)); then echo "check-budgets.sh: allocation budgets exceeded (or missing); see above" >&2; exit 1; fi
echo "all allocations within budget (+$(awk -v t="$TOLERANCE" 'BEGIN{print t*100}') %)"
