#!/usr/bin/env bash
# make daemon: make sure a Docker daemon answers; leave any daemon that already does alone.
#
# This script installs packages only: as root on Debian/Ubuntu where no daemon answers,
# apt-get brings what is missing (docker.io, busybox-static, graphviz, iproute2, tcpdump;
# tcpdump also where labcheck runs the daemon, for lesson 07's capture). Starting the
# daemon is labcheck's (`labcheck engine start system`, labcheck/live/engines/system.py):
# dockerd with scripts/daemon.json, the lab DNS and the fence that keeps the lab on this
# machine, or one message saying what to do (exit 1). Then Compose v2 for lesson 08
# (scripts/ensure-compose.sh), a warning if it cannot be had.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=${PYTHON:-$here/../.venv/bin/python}
# (another user than the venv's owner: the machine's python3 runs labcheck from this checkout)
"$py" -c "" 2>/dev/null || { py=python3; export PYTHONPATH="$here/..${PYTHONPATH:+:$PYTHONPATH}"; }
say() { printf 'ensure-docker: %s\n' "$*" >&2; }
answers() { command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; }

if [ "$(id -u)" = 0 ] && [ -z "${DOCKER_HOST:-}${DOCKER_CONTEXT:-}" ]; then
    need=()
    if ! answers; then
        command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
        command -v docker >/dev/null 2>&1 || need+=(docker.io)
        file -L /bin/busybox 2>/dev/null | grep -q static || need+=(busybox-static file)
        command -v dot >/dev/null 2>&1 || need+=(graphviz)
        command -v ip >/dev/null 2>&1 || need+=(iproute2)
    fi
    if ! answers || [ -f /var/run/labcheck-dockerd ]; then
        command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
    fi
    if [ ${#need[@]} -gt 0 ]; then
        command -v apt-get >/dev/null 2>&1 || {
            say "no Docker daemon answers and this is not a Debian/Ubuntu machine: install" \
                "Docker, busybox (static) and Graphviz with your package manager."; exit 1; }
        say "installing ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
    fi
fi
"$py" -m labcheck engine start system || exit 1
bash "$here/ensure-compose.sh" || true
