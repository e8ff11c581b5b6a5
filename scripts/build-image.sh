#!/usr/bin/env bash
# Builds Wharf's container image offline and leaves it as a docker-archive, artifacts/wharf-image.tar, which
# `docker load -i` and `podman load -i` accept:
#   scripts/build-image.sh                          # wharf:latest
#   scripts/build-image.sh wharf:0.4.0              # another name:tag
#   scripts/build-image.sh --push registry.example:5000/team/wharf:0.4.0 [wharf:0.4.0]   # also pushes it there
# The image holds the self-contained linux-x64 executable (scripts/publish.sh, into artifacts/image-binary/; reused when
# it is there for this commit; or taken from WHARF_IMAGE_BINARY_DIR) and, copied from this Debian's own files, only what it needs: the
# C/C++ runtime libraries it links (ldd), OpenSSL (TLS and crypto, loaded at run time), CA certificates and time zones;
# no shell, no package manager. It runs as uid/gid 65532, keeps its data in the volume /var/lib/wharf, listens on
# 0.0.0.0:5000 and probes itself (`wharf healthcheck`) for HEALTHCHECK. buildah assembles it from scratch in a vfs
# store of its own (under artifacts/, removed afterwards). Push options: WHARF_IMAGE_PUSH_TLS_VERIFY=false for a
# plain-HTTP registry. WHARF_IMAGE_SOURCE sets the org.opencontainers.image.source label (default: git's origin URL).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/release-version.sh
source "$root/scripts/release-version.sh"
wharf_release_version "$root"

tag="wharf:latest"
push=""
while [ "$#" -gt 0 ]; do
    case "$1" in
        --push) push="${2:?--push needs REGISTRY/REPOSITORY:TAG}"; shift 2 ;;
        -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
        -*) echo "build-image.sh: unknown option $1" >&2; exit 2 ;;
        *) tag="$1"; shift ;;
    esac
done
[[ "$tag" == *:* ]] || tag="$tag:latest"
command -v buildah >/dev/null || { echo "build-image.sh: buildah is required (apt-get install buildah)" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "build-image.sh: builds the linux-x64 image on x86_64 only" >&2; exit 1; }

# 1. The executable.
# Not ReadyToRun by default: 20 MB less compressed and 20 MiB less memory, for about 0.7 s more at start
# (docs/design/release.md); WHARF_IMAGE_READYTORUN=true for the faster start.
readytorun="${WHARF_IMAGE_READYTORUN:-false}"
publish_dir="$root/artifacts/image-binary/readytorun-$readytorun"
binary_dir="${WHARF_IMAGE_BINARY_DIR:-$publish_dir/wharf-$WHARF_DISPLAY_VERSION-linux-x64}"
if [ -z "${WHARF_IMAGE_BINARY_DIR:-}" ] && { [ ! -x "$binary_dir/wharf" ] || [ "$WHARF_COMMIT" = unknown ] || ! git -C "$root" diff --quiet HEAD -- src Directory.Build.props Directory.Packages.props; }; then
    WHARF_PUBLISH_DIR="$publish_dir" WHARF_PUBLISH_READYTORUN="$readytorun" "$root/scripts/publish.sh" linux-x64 >/dev/null
fi
[ -x "$binary_dir/wharf" ] || { echo "build-image.sh: no executable at $binary_dir/wharf" >&2; exit 1; }

# 2. The root filesystem: the executable, the libraries it needs, certificates, time zones, a user.
work="$root/artifacts/image-build"
rm -rf "$work"
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{usr/local/bin,etc/ssl/certs,etc/wharf,var/lib/wharf,tmp,usr/share}
cp "$binary_dir"/wharf "$binary_dir"/*.so "$rootfs/usr/local/bin/"
copy_library() {
    local path="$1"
    mkdir -p "$rootfs$(dirname "$path")"
    cp -L "$path" "$rootfs$path"
}
# What the executable and SQLite link, plus OpenSSL 3, which .NET opens at run time (dlopen; ldd does not show it).
mapfile -t libraries < <(ldd "$rootfs/usr/local/bin/wharf" "$rootfs"/usr/local/bin/*.so | awk '/=> \// { print $3 } /^\s*\/lib/ { print $1 }' | sort -u)
for library in "${libraries[@]}" /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3; do
    copy_library "$library"
done
copy_library /lib64/ld-linux-x86-64.so.2
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$rootfs/usr/share/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nwharf:x:65532:65532:wharf:/var/lib/wharf:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nwharf:x:65532:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"
chown 65532:65532 "$rootfs/var/lib/wharf"
chmod 700 "$rootfs/var/lib/wharf" # it holds the signing keys and password hashes

# 3. The image, from scratch.
source_url="${WHARF_IMAGE_SOURCE:-$(git -C "$root" remote get-url origin 2>/dev/null || echo unknown)}"
store=(--root "$work/storage" --runroot "$work/run" --storage-driver vfs)
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
cleanup() { buildah "${store[@]}" rm --all >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
container="$(buildah "${store[@]}" from scratch)"
# Copied through a mount (as root) so that owners and modes stay as set above (/var/lib/wharf is 65532's, /tmp 1777).
mountpoint="$(buildah "${store[@]}" mount "$container")"
cp -a "$rootfs/." "$mountpoint/"
buildah "${store[@]}" umount "$container" >/dev/null
buildah "${store[@]}" config \
    --arch amd64 --os linux \
    --user 65532:65532 \
    --workingdir /var/lib/wharf \
    --env WHARF_LISTEN=0.0.0.0:5000 \
    --env WHARF_DATA=/var/lib/wharf \
    --env DOTNET_GCgen0size=0x400000 \
    --env TZ=UTC \
    --entrypoint '["/usr/local/bin/wharf"]' \
    --cmd serve \
    --volume /var/lib/wharf \
    --port 5000/tcp \
    --stop-signal SIGTERM \
    --healthcheck 'CMD /usr/local/bin/wharf healthcheck' \
    --healthcheck-interval 30s --healthcheck-timeout 5s --healthcheck-start-period 10s --healthcheck-retries 3 \
    --label org.opencontainers.image.title=Wharf \
    --label org.opencontainers.image.description="Wharf, a container image registry (OCI Distribution v1.1, Docker Registry v2)" \
    --label org.opencontainers.image.version="$WHARF_DISPLAY_VERSION" \
    --label org.opencontainers.image.revision="$WHARF_COMMIT" \
    --label org.opencontainers.image.created="$WHARF_BUILD_DATE" \
    --label org.opencontainers.image.source="$source_url" \
    "$container"
# The docker format keeps HEALTHCHECK (the OCI image config has no field for it).
buildah "${store[@]}" commit --quiet --format docker --rm "$container" "$tag" >/dev/null
archive="$root/artifacts/wharf-image.tar"
rm -f "$archive"
buildah "${store[@]}" push --quiet "$tag" "docker-archive:$archive:$tag" >/dev/null
if [ -n "$push" ]; then
    buildah "${store[@]}" push --quiet --tls-verify="${WHARF_IMAGE_PUSH_TLS_VERIFY:-true}" "$tag" "docker://$push" >/dev/null
    echo "build-image.sh: pushed $push" >&2
fi

layer_bytes=$(du -sb "$rootfs" | cut -f1)
compressed_bytes=$(tar -C "$rootfs" -cf - . | gzip -6 | wc -c)
megabytes() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
echo "build-image.sh: $tag ($WHARF_DISPLAY_VERSION) -> $archive; $(megabytes "$layer_bytes") uncompressed, $(megabytes "$compressed_bytes") gzip-compressed" >&2
echo "$archive"
