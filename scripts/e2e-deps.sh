#!/usr/bin/env bash
# Debian packages that Wharf's end-to-end tests (tests/Wharf.EndToEndTests) drive as real registry clients.
# Run it (as root) to install them, or source it to get WHARF_E2E_DEPS and wharf_e2e_install_deps.
#   skopeo          skopeo copy/inspect/list-tags/delete, and building docker-archive tars
#   podman          podman pull/push (vfs storage)
#   buildah         buildah from/copy/commit/push and manifest push --all
#   containerd      containerd + ctr images pull/push/import/export
#   docker.io       dockerd 20.10 + docker CLI (load/tag/push/pull/rmi, manifest create/push)
#   docker-registry CNCF Distribution 2.8.2, the reference registry (WHARF_TEST_REGISTRY=distribution)
#   util-linux      setsid, to start daemons in their own process group
#   tar, zstd       GNU tar (with --zstd) makes the layers the file-browser tests compare against `tar -tv`
#   chromium        the browser the web UI's browser tests (tests/Wharf.BrowserTests) drive through Playwright
#   fonts-dejavu-core  a font for chromium's screenshots
#   python3         runs the README's webhook receiver example (docs/examples/webhook-receiver.py)
#   systemd         systemd-analyze verify/security check deploy/systemd/wharf.service (no running systemd needed)
WHARF_E2E_DEPS=(skopeo podman buildah containerd docker.io docker-registry util-linux tar zstd chromium fonts-dejavu-core python3 systemd)

wharf_e2e_install_deps() {
    local missing=()
    local package
    for package in "${WHARF_E2E_DEPS[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "e2e-deps: all installed (${WHARF_E2E_DEPS[*]})"
        return 0
    fi
    echo "e2e-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -o DPkg::Lock::Timeout=600 >/dev/null
    apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    wharf_e2e_install_deps
fi
