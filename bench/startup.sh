#!/usr/bin/env bash
# Start-to-first-response time and idle memory of one form of Wharf: runs COMMAND… serve on a free port with a fresh
# data directory, polls /healthz every 5 ms until it answers 200, then reads the process's resident memory (VmRSS)
# after IDLE seconds (default 5). Repeats RUNS times (default 5) and prints each run and the median.
#   bench/startup.sh dotnet .build/wharf/Wharf.dll                       # framework-dependent (./wharf)
#   bench/startup.sh artifacts/wharf-0.0.0-dev+abc-linux-x64/wharf       # self-contained single file
set -euo pipefail
[ "$#" -gt 0 ] || { sed -n '2,7p' "${BASH_SOURCE[0]}"; exit 2; }
runs="${RUNS:-5}"
idle="${IDLE:-5}"
times=(); rss=()
for run in $(seq "$runs"); do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    data="$(mktemp -d)"
    start=$(date +%s%N)
    "$@" serve --listen "127.0.0.1:$port" --data "$data" >/dev/null 2>&1 &
    pid=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; do
        kill -0 "$pid" 2>/dev/null || { echo "startup.sh: the server exited" >&2; exit 1; }
        sleep 0.005
    done
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    sleep "$idle"
    kib=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
    kill -TERM "$pid"; wait "$pid" || true
    rm -rf "$data"
    times+=("$ms"); rss+=("$((kib / 1024))")
    echo "run $run: first /healthz 200 after $ms ms, idle RSS $((kib / 1024)) MiB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "median: $(median "${times[@]}") ms to the first response, $(median "${rss[@]}") MiB idle RSS (load average $(cut -d' ' -f1 /proc/loadavg))"
