#!/usr/bin/env bash
# Source this: sets WHARF_VERSION (from the nearest v* git tag, e.g. v0.4.0 -> 0.4.0, v0.4.0-3-g1a2b3c4 three commits
# later; 0.0.0-dev without a tag), WHARF_DISPLAY_VERSION (0.0.0-dev+<commit> for dev builds, as `wharf version` prints
# it), WHARF_COMMIT (full sha, "unknown" outside git) and WHARF_BUILD_DATE (UTC, ISO 8601; SOURCE_DATE_EPOCH wins, for
# reproducible builds). Values already in the environment win.
wharf_release_version() {
    local root="$1"
    local described commit
    commit="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
    described="$(git -C "$root" describe --tags --match 'v[0-9]*' 2>/dev/null || true)"
    WHARF_VERSION="${WHARF_VERSION:-${described:+${described#v}}}"
    WHARF_VERSION="${WHARF_VERSION:-0.0.0-dev}"
    WHARF_COMMIT="${WHARF_COMMIT:-$commit}"
    if [[ "$WHARF_VERSION" == *-dev && "$WHARF_COMMIT" != unknown ]]; then
        WHARF_DISPLAY_VERSION="$WHARF_VERSION+${WHARF_COMMIT:0:12}"
    else
        WHARF_DISPLAY_VERSION="$WHARF_VERSION"
    fi
    if [ -z "${WHARF_BUILD_DATE:-}" ]; then
        if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
            WHARF_BUILD_DATE="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
        else
            WHARF_BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        fi
    fi
    export WHARF_VERSION WHARF_DISPLAY_VERSION WHARF_COMMIT WHARF_BUILD_DATE
}
