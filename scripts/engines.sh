#!/usr/bin/env bash
# The engines behind Wharf's scale-out tests: PostgreSQL and a single-node Ceph cluster with its S3 gateway
# (radosgw), all on 127.0.0.1, throwaway, under $WHARF_ENGINES_DIR. Source it for:
#   WHARF_ENGINE_DEPS             Debian packages the engines need
#   wharf_engines_install_deps    installs them (root)
#   wharf_engines_start           starts both and exports WHARF_TEST_POSTGRES, WHARF_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY
#                                 (the OSD stores on a sparse file, WHARF_OSD_BLOCK_GIB (32) at most, so that the 5 GiB
#                                 tests fit: bluestore starts ~5 s slower than memstore, which holds at most 4 GiB in RAM,
#                                 and measured no slower on the other tests; WHARF_OSD_STORE=memstore picks memstore)
#   wharf_engines_stop            stops both and removes their data
WHARF_ENGINE_DEPS=(ceph-mon ceph-osd radosgw postgresql)
WHARF_ENGINES_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

wharf_engines_install_deps() {
    local missing=() package
    for package in "${WHARF_ENGINE_DEPS[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    echo "engines: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -o DPkg::Lock::Timeout=600 >/dev/null
    apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
}

# A free TCP port on 127.0.0.1 (the kernel's pick).
wharf_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wharf_engines_start() {
    WHARF_ENGINES_DIR=${WHARF_ENGINES_DIR:-$(mktemp -d /tmp/wharf-engines.XXXXXX)}
    export WHARF_ENGINES_DIR
    mkdir -p "$WHARF_ENGINES_DIR"
    chmod 755 "$WHARF_ENGINES_DIR"  # the PostgreSQL server runs as the postgres user
    local started=$SECONDS
    PG_DIR="$WHARF_ENGINES_DIR/pg" PG_PORT=$(wharf_free_port) PG_DB=wharf PG_USER=wharf PG_PASSWORD=wharf \
        bash "$WHARF_ENGINES_HERE/engines/pg-start.sh" > "$WHARF_ENGINES_DIR/pg.conn"
    export WHARF_TEST_POSTGRES
    WHARF_TEST_POSTGRES=$(tail -1 "$WHARF_ENGINES_DIR/pg.conn")
    echo "engines: PostgreSQL ready in $((SECONDS - started)) s"
    started=$SECONDS
    local rgw_port
    rgw_port=$(wharf_free_port)
    # The OSD binds a range of 10 ports: take one above the ephemeral range's usual start, rarely in use.
    CEPH_DIR="$WHARF_ENGINES_DIR/ceph" WITH_MGR=0 RGW_PORT=$rgw_port MON_PORT=$(wharf_free_port) \
        OSD_STORE=${WHARF_OSD_STORE:-bluestore} OSD_BLOCK_GIB=${WHARF_OSD_BLOCK_GIB:-32} \
        OSD_PORT_MIN=$((20000 + RANDOM % 8000)) S3_ACCESS_KEY=wharf-test S3_SECRET_KEY=wharf-test-secret \
        bash "$WHARF_ENGINES_HERE/engines/ceph-rgw-start.sh" > "$WHARF_ENGINES_DIR/ceph.out" 2>&1 \
        || { cat "$WHARF_ENGINES_DIR/ceph.out" >&2; return 1; }
    export WHARF_TEST_S3_ENDPOINT="http://127.0.0.1:$rgw_port" WHARF_TEST_S3_ACCESS_KEY=wharf-test WHARF_TEST_S3_SECRET_KEY=wharf-test-secret
    echo "engines: Ceph RGW ready in $((SECONDS - started)) s at $WHARF_TEST_S3_ENDPOINT"
}

wharf_engines_stop() {
    [ -n "${WHARF_ENGINES_DIR:-}" ] || return 0
    CEPH_DIR="$WHARF_ENGINES_DIR/ceph" bash "$WHARF_ENGINES_HERE/engines/ceph-rgw-stop.sh" || true
    PG_DIR="$WHARF_ENGINES_DIR/pg" bash "$WHARF_ENGINES_HERE/engines/pg-stop.sh" || true
    rm -rf "$WHARF_ENGINES_DIR"
}
