#!/usr/bin/env bash
# What a class hub needs (root; Debian/Ubuntu): rootless Docker's parts, Node for the
# proxy, then a venv that every student can run (Debian's python3, not a private one)
# with JupyterHub, JupyterLab and this course, and configurable-http-proxy beside it.
# Safe to run again: it redoes what is missing, and reinstalls the course (a few seconds).
# With ENGINE vm (or all: make test-hub), also QEMU and the hub's engine VM in
# HUB_HOME/vm-engine: built once (labcheck engine build), then every VM student's start
# copies its saved state. Usage: scripts/ensure-hub.sh HUB_HOME [auto|rootless|vm|all]
set -euo pipefail
home=${1:?usage: ensure-hub.sh HUB_HOME [ENGINE]}
engine=${2:-auto}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "ensure-hub: the hub runs as root (it becomes each student): run make hub as root" >&2
    exit 3
fi
need=()
for pair in rootlesskit:rootlesskit newuidmap:uidmap dockerd:docker.io node:nodejs npm:npm \
            busybox:busybox-static; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
[ -x /usr/sbin/docker-proxy ] || need+=(docker.io)
if [ ${#need[@]} -gt 0 ]; then
    echo "ensure-hub: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
mkdir -p "$home"
chmod 755 "$home"
if [ ! -x "$home/venv/bin/jupyterhub" ]; then
    echo "ensure-hub: JupyterHub and JupyterLab into $home/venv (a minute or two, once)" >&2
    /usr/bin/python3 -m venv "$home/venv"
    "$home/venv/bin/pip" install -q --upgrade pip
    "$home/venv/bin/pip" install -q 'jupyterhub>=6,<7' 'jupyterlab>=4.2,<5'
fi
# The course itself, not editable: students must not need to read this checkout.
# Reinstalled only when the package's files changed (a content hash in the venv).
stamp=$(cd "$here" && find labcheck pyproject.toml -type f ! -name '*.pyc' -print0 | sort -z \
        | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
if [ "$(cat "$home/venv/.labcheck-stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "ensure-hub: installing the course into $home/venv" >&2
    "$home/venv/bin/pip" install -q --no-warn-script-location "$here"
    echo "$stamp" > "$home/venv/.labcheck-stamp"
fi
if [ ! -x "$home/proxy/node_modules/.bin/configurable-http-proxy" ]; then
    echo "ensure-hub: configurable-http-proxy into $home/proxy (npm, once)" >&2
    npm install -s --no-fund --no-audit --prefix "$home/proxy" configurable-http-proxy >/dev/null
fi
chmod -R a+rX "$home/venv" "$home/proxy"
# auto: the VM where an ordinary user cannot make a user namespace (labcheck.hub.isolation).
if [ "$engine" = auto ] && ! setpriv --reuid=65534 --regid=65534 --clear-groups \
        unshare --user --map-root-user --net true 2>/dev/null; then
    engine=vm
fi
if [ "$engine" = vm ] || [ "$engine" = all ]; then
    bash "$here/scripts/ensure-qemu.sh"
    vm="$home/vm-engine"
    if [ ! -s "$vm/image/state.qcow2" ] || [ ! -s "$vm/image/manifest.json" ]; then
        echo "ensure-hub: building the students' engine VM into $vm (a few minutes, once)" >&2
        LABCHECK_ENGINE_DIR="$vm" "$home/venv/bin/labcheck" engine build >&2
    fi
    chmod 755 "$vm" "$vm/image"
    chmod -R a+rX "$vm/image"
fi
