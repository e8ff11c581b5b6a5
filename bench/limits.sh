#!/usr/bin/env bash
# limits.sh - physical limits of this machine that bound a container registry, measured in the same
# benchmark run as the registries (bench/run.sh calls it):
#   (a) single-core SHA-256 throughput (openssl speed; .NET SHA256/IncrementalHash via the load tool)
#   (b) sequential disk write (fsync'ed / O_DIRECT) and read (cold / O_DIRECT / warm)
#   (c) loopback HTTP ceiling with nginx (download: sendfile and user-space copy;
#       upload: discard sink and WebDAV PUT to disk; small-request rate with wrk
#       GET and ab HEAD = the load tools' own ceiling on this box)
#   (d) cost of a trivial syscall
# Each measurement is repeated RUNS times (default 3); the median is printed as `name: value unit`.
#
# Env: RUNS=3  SIZE_MIB=1024  LIMITS_PORT=18080  LIMITS_DIR=/tmp/limits.$$
#      BENCH_LOAD_DLL=path/to/Wharf.Bench.Load.dll (for the .NET SHA-256 figures; skipped when unset)
#      SKIP_SHA=1 / SKIP_DISK=1 / SKIP_HTTP=1 / SKIP_SYSCALL=1 to skip a section.
# Needs: openssl, curl, nginx (nginx-light), wrk, ab (apache2-utils). Only binds 127.0.0.1.
# Cleans up its files and the nginx it started (by PID).
set -euo pipefail
export LC_ALL=C

RUNS=${RUNS:-3}
SIZE_MIB=${SIZE_MIB:-1024}
PORT=${LIMITS_PORT:-18080}
WORK=${LIMITS_DIR:-/tmp/limits.$$}
SRC=/dev/shm/limits-src.$$          # random source data kept in RAM (tmpfs)
BYTES=$((SIZE_MIB * 1024 * 1024))
RESULTS=$(mktemp /tmp/limits-results.XXXXXX)
NGINX_PID=""
T_START=$(date +%s.%N)

cleanup() {
  if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK" "$SRC"
  rm -f "$RESULTS"
}
trap cleanup EXIT

emit() { # name value unit
  printf '%s: %s %s\n' "$1" "$2" "$3"
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"
}
median() { sort -g | awk '{v[NR]=$1} END{ if(NR==0){print "NaN"} else if(NR%2){print v[(NR+1)/2]} else {printf "%.1f\n",(v[NR/2]+v[NR/2+1])/2} }'; }
# dd's last stderr line: "N bytes (...) copied, S s, R MB/s" -> MB/s (1e6 bytes)
dd_mbps() { awk '/copied/ { for(i=1;i<=NF;i++) if($i=="copied,") s=$(i+1); printf "%.0f\n", $1/s/1e6 }'; }

mkdir -p "$WORK"
echo "# limits.sh: RUNS=$RUNS SIZE=${SIZE_MIB}MiB nproc=$(nproc) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) sha_ni=$(grep -q -w sha_ni /proc/cpuinfo && echo yes || echo no)" >&2

# ---------------------------------------------------------------- (a) SHA-256
if [[ -z "${SKIP_SHA:-}" ]]; then
  echo "# (a) SHA-256" >&2
  # openssl speed divides by CPU user time by default (immune to other load);
  # -elapsed divides by wall-clock time.
  for mode in cpu wall; do
    flag=""; [[ $mode == wall ]] && flag="-elapsed"
    vals=()
    for ((i = 0; i < RUNS; i++)); do
      k=$(openssl speed $flag -evp sha256 -bytes 16384 -seconds 3 2>/dev/null | awk '$1=="sha256"{sub("k","",$2); print $2}')
      vals+=("$(awk -v k="$k" 'BEGIN{printf "%.0f", k/1000}')")
    done
    name=openssl_sha256_16k; [[ $mode == wall ]] && name=openssl_sha256_16k_wall
    emit "$name" "$(printf '%s\n' "${vals[@]}" | median)" MB/s
  done
  # .NET: SHA256.HashData / IncrementalHash over a buffer (median of RUNS inside), as Wharf hashes uploads
  if [[ -n "${BENCH_LOAD_DLL:-}" ]]; then
    while IFS= read -r line; do
      if [[ $line =~ ^([a-zA-Z0-9_]+):\ ([0-9.]+)\ (.*)$ ]]; then
        emit "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
      fi
    done < <(dotnet "$BENCH_LOAD_DLL" sha256 "size_mib=$SIZE_MIB" "runs=$RUNS" 2>&1)
  fi
fi

# ----------------------------------------------------------------- source data
openssl rand -out "$SRC" "$BYTES"

# ---------------------------------------------------------------- (b) disk
if [[ -z "${SKIP_DISK:-}" ]]; then
  echo "# (b) disk: $(df -h "$WORK" | awk 'NR==2{print $1" "$6}') ($(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || echo ?))" >&2
  F="$WORK/disk.bin"
  w_sync=(); w_direct=(); r_cold=(); r_direct=(); r_warm=(); evict_method=""
  evict() { # drop the file's pages from the page cache (targeted; no global drop unless needed)
    sync "$1"
    if dd if=/dev/null of="$1" oflag=nocache conv=notrunc,fdatasync count=0 status=none 2>/dev/null; then
      evict_method="dd-nocache(posix_fadvise DONTNEED)"
    elif echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
      evict_method="drop_caches"
    else
      evict_method="none(warm)"
    fi
  }
  for ((i = 0; i < RUNS; i++)); do
    rm -f "$F"
    # buffered write + fdatasync before dd exits (what `write+fsync` costs)
    w_sync+=("$(dd if="$SRC" of="$F" bs=4M conv=fdatasync 2>&1 | dd_mbps)")
    rm -f "$F"
    # O_DIRECT write (bypasses page cache) + final fdatasync
    w_direct+=("$(dd if="$SRC" of="$F" bs=4M oflag=direct conv=fdatasync 2>&1 | dd_mbps)")
    evict "$F"
    r_cold+=("$(dd if="$F" of=/dev/null bs=4M 2>&1 | dd_mbps)")
    r_direct+=("$(dd if="$F" of=/dev/null bs=4M iflag=direct 2>&1 | dd_mbps)")
    dd if="$F" of=/dev/null bs=4M status=none  # populate cache
    r_warm+=("$(dd if="$F" of=/dev/null bs=4M 2>&1 | dd_mbps)")
  done
  rm -f "$F"
  emit disk_write_fdatasync "$(printf '%s\n' "${w_sync[@]}" | median)" MB/s
  emit disk_write_odirect "$(printf '%s\n' "${w_direct[@]}" | median)" MB/s
  emit disk_read_cold "$(printf '%s\n' "${r_cold[@]}" | median)" MB/s
  emit disk_read_odirect "$(printf '%s\n' "${r_direct[@]}" | median)" MB/s
  emit disk_read_warm "$(printf '%s\n' "${r_warm[@]}" | median)" MB/s
  echo "# cold-read eviction method: $evict_method" >&2
fi

# ---------------------------------------------------------------- (c) loopback HTTP
if [[ -z "${SKIP_HTTP:-}" ]]; then
  command -v nginx >/dev/null || { echo "nginx missing: apt-get install -y nginx-light" >&2; exit 1; }
  if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then echo "port $PORT busy; set LIMITS_PORT" >&2; exit 1; fi
  mkdir -p "$WORK/www" "$WORK/dav" "$WORK/tmp"
  chmod 777 "$WORK/dav" "$WORK/tmp"; chmod 755 "$WORK" "$WORK/www"
  cp "$SRC" "$WORK/www/blob"; chmod 644 "$WORK/www/blob"
  cat >"$WORK/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
daemon off;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp;
  proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp; uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server {
    listen 127.0.0.1:$PORT;
    location /sendfile/ { alias $WORK/www/; sendfile on; tcp_nopush on; }
    location /copy/     { alias $WORK/www/; sendfile off; output_buffers 2 256k; }
    location = /sink    { client_max_body_size 0; return 204; }
    location /dav/      { alias $WORK/dav/; dav_methods PUT DELETE; client_max_body_size 0; client_body_buffer_size 1m; }
  }
}
EOF
  nginx -c "$WORK/nginx.conf" -e "$WORK/error.log" &
  NGINX_PID=$!
  for ((i = 0; i < 50; i++)); do curl -s -o /dev/null "http://127.0.0.1:$PORT/sink" && break; sleep 0.1; done
  base="http://127.0.0.1:$PORT"
  curl -s -o /dev/null "$base/sendfile/blob"   # warm page cache for the served file
  dl_sf=(); dl_cp=(); ul_sink=(); ul_dav=()
  check() { # "code size speed" expected_code -> speed MB/s
    read -r code size speed <<<"$1"
    if [[ $code != "$2" || $size != "$BYTES" ]]; then echo "unexpected: code=$code size=$size" >&2; echo NaN; return; fi
    awk -v s="$speed" 'BEGIN{printf "%.0f", s/1e6}'
  }
  for ((i = 0; i < RUNS; i++)); do
    dl_sf+=("$(check "$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' "$base/sendfile/blob")" 200)")
    dl_cp+=("$(check "$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' "$base/copy/blob")" 200)")
    ul_sink+=("$(check "$(curl -s -o /dev/null -H 'Expect:' -T "$SRC" -w '%{http_code} %{size_upload} %{speed_upload}' "$base/sink")" 204)")
    ul_dav+=("$(check "$(curl -s -o /dev/null -H 'Expect:' -T "$SRC" -w '%{http_code} %{size_upload} %{speed_upload}' "$base/dav/up$i")" 201)")
    rm -f "$WORK/dav/up$i"
  done
  # small-request ceiling (1 KiB static file), same wrk settings as run.sh
  head -c 1024 "$SRC" >"$WORK/www/small"; chmod 644 "$WORK/www/small"
  cat >"$WORK/rps.lua" <<'EOF'
done = function(s, lat, req) io.write(string.format("RPS %.1f\n", s.requests/(s.duration/1e6))) end
EOF
  rps_wrk=(); rps_ab=()
  for ((i = 0; i < RUNS; i++)); do
    rps_wrk+=("$(wrk -t2 -c32 -d5s -s "$WORK/rps.lua" "$base/sendfile/small" | awk '/^RPS/{print $2}')")
    if command -v ab >/dev/null; then
      rps_ab+=("$(ab -q -i -k -c 32 -t 5 -n 2000000 "$base/sendfile/small" 2>/dev/null | awk '/^Requests per second:/{print $4}')")
    fi
  done
  emit http_get_sendfile "$(printf '%s\n' "${dl_sf[@]}" | median)" MB/s
  emit http_get_usercopy "$(printf '%s\n' "${dl_cp[@]}" | median)" MB/s
  emit http_put_discard "$(printf '%s\n' "${ul_sink[@]}" | median)" MB/s
  emit http_put_to_disk "$(printf '%s\n' "${ul_dav[@]}" | median)" MB/s
  emit http_small_get_rps_wrk "$(printf '%s\n' "${rps_wrk[@]}" | median)" req/s
  ((${#rps_ab[@]})) && emit http_small_head_rps_ab "$(printf '%s\n' "${rps_ab[@]}" | median)" req/s
fi

# ---------------------------------------------------------------- (d) syscall cost
if [[ -z "${SKIP_SYSCALL:-}" ]]; then
  # dd with 1-byte blocks = one read + one write syscall per byte
  sc=()
  for ((i = 0; i < RUNS; i++)); do
    sc+=("$(dd if=/dev/zero of=/dev/null bs=1 count=1000000 2>&1 | awk '/copied/{for(i=1;i<=NF;i++) if($i=="copied,") s=$(i+1); printf "%.0f", s/2e6*1e9}')")
  done
  emit syscall_cost "$(printf '%s\n' "${sc[@]}" | median)" ns
fi

emit limits_wall_time "$(awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN{printf "%.0f", b-a}')" s

