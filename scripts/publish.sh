#!/usr/bin/env bash
# Publishes Wharf as a self-contained single-file executable for each runtime identifier given (default: linux-x64 and
# linux-arm64), with its version, commit and build date embedded (`wharf version`):
#   artifacts/wharf-<version>-<rid>/wharf             the executable (ReadyToRun: the app and its libraries precompiled)
#   artifacts/wharf-<version>-<rid>/libe_sqlite3.so   SQLite, beside it (no extraction to a writable directory at start)
#   artifacts/wharf-<version>-<rid>.tar.gz            both, for download
# Environment: WHARF_PUBLISH_READYTORUN=false skips ReadyToRun (smaller, slower start); WHARF_PUBLISH_COMPRESS=true
# compresses the bundle (smaller file, slower start, more memory); WHARF_VERSION / WHARF_COMMIT / WHARF_BUILD_DATE
# override what git says; WHARF_PUBLISH_DIR puts the results elsewhere than artifacts/. Native AOT compiles Wharf but does not run it yet: see docs/design/release.md.
#   scripts/publish.sh                 both architectures
#   scripts/publish.sh linux-x64       one
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/release-version.sh
source "$root/scripts/release-version.sh"
wharf_release_version "$root"

rids=("$@")
[ "${#rids[@]}" -gt 0 ] || rids=(linux-x64 linux-arm64)
outdir="${WHARF_PUBLISH_DIR:-$root/artifacts}"
mkdir -p "$outdir"
for rid in "${rids[@]}"; do
    case "$rid" in
        linux-x64 | linux-arm64) ;;
        *) echo "publish.sh: unsupported runtime identifier '$rid' (linux-x64, linux-arm64)" >&2; exit 2 ;;
    esac
    name="wharf-$WHARF_DISPLAY_VERSION-$rid"
    out="$outdir/$name"
    rm -rf "$out" "$out.tar.gz"
    echo "publish.sh: $name (commit $WHARF_COMMIT, built $WHARF_BUILD_DATE)" >&2
    dotnet publish "$root/src/Wharf/Wharf.csproj" -c Release -r "$rid" --self-contained true --nologo -v quiet \
        -o "$out" \
        -p:PublishSingleFile=true \
        -p:PublishReadyToRun="${WHARF_PUBLISH_READYTORUN:-true}" \
        -p:EnableCompressionInSingleFile="${WHARF_PUBLISH_COMPRESS:-false}" \
        -p:CopyOutputSymbolsToPublishDirectory=false \
        -p:Version="$WHARF_VERSION" \
        -p:SourceRevisionId="$WHARF_COMMIT" \
        -p:WharfBuildDate="$WHARF_BUILD_DATE" >&2
    mv "$out/Wharf" "$out/wharf"
    rm -f "$out"/*.pdb # the referenced projects' symbols, which CopyOutputSymbolsToPublishDirectory leaves
    tar -C "$outdir" -czf "$out.tar.gz" "$name"
    echo "$out"
done
