#!/usr/bin/env bash
# Fetch a Docker engine other than the distribution's, from the Debian archive, into
# the project's cache -- without touching the machine's apt configuration.
#
#   scripts/fetch-engine.sh CHANNEL [--refresh]   CHANNEL: sid (the current engine) | trixie
#
# It downloads docker.io, containerd, docker-compose and tini(-static) (whatever version CHANNEL has)
# with `apt-get download` from a private sources list, state and cache, unpacks them
# with `dpkg-deb -x` and lays out, under .cache/engines/CHANNEL/:
#   bin/          dockerd, containerd, containerd-shim-runc-v2, docker-proxy, docker-init
#                 (give it to `scripts/netns-engine.sh start NAME .cache/engines/CHANNEL/bin`)
#   cli-plugins/  docker-compose
#   VERSION       the engine's version, one line (e.g. 28.5.2); packages.txt: what was fetched
# The fetched runc needs a newer glibc than Debian 12's, so it is left out of bin/ and the
# system's runc serves.
#
# A second call does nothing and prints the cached version. --refresh fetches again and,
# when CHANNEL cannot be had right now (unstable is sometimes briefly uninstallable),
# keeps the last fetched version. Without any cached version a failure is one line on
# stderr and exit 1. The Debian archive is the one the machine's own apt sources name
# (LABCHECK_DEBIAN_ARCHIVE=URL overrides it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
channel=${1:-}; refresh=${2:-}
say() { printf 'fetch-engine: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }
case "$channel" in
    sid|trixie) ;;
    *) sed -n '4,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
case "$refresh" in ""|--refresh) ;; *) fail "unknown option '$refresh' (only --refresh)";; esac

cache=${LABCHECK_ENGINES_DIR:-$root/.cache/engines}
dest=$cache/$channel
packages=(docker.io containerd docker-compose)

cached() { [ -x "$dest/bin/dockerd" ] && [ -s "$dest/VERSION" ]; }
report() { echo "$channel: Docker $(cat "$dest/VERSION") in ${dest#"$root"/}"; }

mkdir -p "$cache"
exec 9>"$cache/.$channel.lock"
flock 9                                # one fetch per channel at a time
if cached && [ -z "$refresh" ]; then report; exit 0; fi

# The Debian archive the machine already uses: the first URI of an apt source whose
# path ends in /debian (deb822 .sources or one-line .list), and the keyring that source
# names (Signed-By), if any: "URI [KEYRING]".
archive_source() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        case "$f" in
            *.sources) awk 'BEGIN{RS=""; FS="\n"}
                           { uri=""; key=""; off=0
                             for (i=1;i<=NF;i++) {
                               if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uri=u[1] }
                               if ($i ~ /^Signed-By:[ \t]*\//) { sub(/^Signed-By:[ \t]*/, "", $i); key=$i }
                               if ($i ~ /^Enabled:[ \t]*no/) off=1 }
                             if (uri != "" && !off) print uri, key }' "$f" ;;
            *) sed -n 's/^deb[[:space:]]\+\(\[\([^]]*\)\][[:space:]]\+\)\{0,1\}\([^[:space:]]\+\).*/\3 \2/p' "$f" \
                   | sed 's/ .*signed-by=\([^ ]*\).*/ \1/; s/ [^/].*$//' ;;
        esac
    done | grep -E '^(https?|file):[^ ]*/debian/?( |$)' | head -n 1
}

# Never put an unfinished fetch where a finished one was: fetch to a scratch folder first.
fetch() {
    local uri key work apt_dir conf
    read -r uri key <<<"$(archive_source)" || true
    [ -n "${LABCHECK_DEBIAN_ARCHIVE:-}" ] && uri=$LABCHECK_DEBIAN_ARCHIVE
    [ -n "$uri" ] || { echo "no Debian archive (a URI ending in /debian) in /etc/apt/sources.list*"; return 1; }
    apt_dir=$cache/apt/$channel
    work=$cache/.$channel.new
    rm -rf "$work"; mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$work/debs"
    echo "deb ${key:+[signed-by=$key] }${uri%/} $channel main" \
        >"$apt_dir/sources.list"
    # private sources, lists, cache and status: the machine's own apt set-up is only read
    # (apt.conf.d, for a proxy), never written
    : >"$apt_dir/status"
    conf=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o Dir::State::Lists="$apt_dir/lists" -o Dir::State::Status="$apt_dir/status"
          -o Dir::Cache="$apt_dir/cache" -o Dir::Etc::Preferences=/dev/null
          -o Dir::Etc::PreferencesParts=/dev/null -o APT::Sandbox::User=root
          -o Debug::NoLocking=true -o Acquire::Languages=none)
    apt-get -q "${conf[@]}" update >"$apt_dir/update.log" 2>&1 \
        || { echo "apt-get update of '$channel' from $uri failed: $(grep -E '^(E|W):' "$apt_dir/update.log" | head -n 1)"; return 1; }
    # docker-init is tini-static: its own package in sid, part of tini in trixie
    local init_pkg=tini-static
    apt-cache "${conf[@]}" show tini-static >/dev/null 2>&1 || init_pkg=tini
    (cd "$work/debs" && apt-get -q "${conf[@]}" download "${packages[@]}" "$init_pkg") >"$apt_dir/download.log" 2>&1 \
        || { echo "'$channel' has no downloadable ${packages[*]} right now: $(grep -E '^E:' "$apt_dir/download.log" | head -n 1)"; return 1; }
    local deb
    for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
    for deb in "$work"/debs/*.deb; do dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"; done >"$work/packages.txt"

    # bin/: the programs dockerd runs, found wherever the packages put them
    mkdir -p "$work/bin" "$work/cli-plugins"
    local prog path
    for prog in dockerd containerd containerd-shim-runc-v2 docker-proxy docker-init; do
        path=$(cd "$work/root" && find . -name "$prog" \( -type f -o -type l \) -path '*bin/*' | sort | head -n 1)
        [ -n "$path" ] || { [ "$prog" = docker-init ] && continue; echo "$prog is not in the fetched packages"; return 1; }
        ln -s "../root/${path#./}" "$work/bin/$prog"
    done
    # docker-init: Debian's docker.io points it at tini-static (package tini); the
    # system's (same program, any version) serves when the fetched one is missing
    if [ ! -e "$work/bin/docker-init" ]; then
        rm -f "$work/bin/docker-init"
        local init; init=$(command -v docker-init || command -v tini-static || command -v tini || true)
        [ -n "$init" ] || { echo "no docker-init: the fetched packages lack it and neither docker-init nor tini is installed (apt-get install tini)"; return 1; }
        ln -s "$init" "$work/bin/docker-init"
    fi
    path=$(cd "$work/root" && find . -name docker-compose -path '*cli-plugins/*' | head -n 1)
    [ -n "$path" ] || { echo "the docker-compose package has no cli-plugins/docker-compose"; return 1; }
    ln -s "../root/${path#./}" "$work/cli-plugins/docker-compose"

    local version
    version=$("$work/bin/dockerd" --version 2>/dev/null | sed -n 's/^Docker version \([0-9][0-9.]*\).*/\1/p')
    [ -n "$version" ] || { echo "the fetched dockerd does not run here: $("$work/bin/dockerd" --version 2>&1 | head -n 1)"; return 1; }
    echo "$version" >"$work/VERSION"
    rm -rf "$work/debs"
    rm -rf "$dest.old"; [ -e "$dest" ] && mv "$dest" "$dest.old"
    mv "$work" "$dest"; rm -rf "$dest.old"
}

if err=$(fetch 2>&1); then
    report
elif cached; then
    say "cannot refresh '$channel' (${err##*$'\n'}); keeping the last fetched version"
    report
else
    rm -rf "$cache/.$channel.new"
    fail "cannot fetch Docker from Debian '$channel': ${err##*$'\n'}"
fi
