#!/usr/bin/env bash
# A private Docker engine in its own network namespace, beside (never instead of)
# the machine's own daemon.
#
#   scripts/netns-engine.sh start NAME [DOCKERD_DIR]   start it (DOCKERD_DIR: a folder with
#                                                      dockerd, containerd, ... ; default: PATH)
#   scripts/netns-engine.sh run NAME -- CMD ...        run CMD inside its namespace, DOCKER_HOST set
#   scripts/netns-engine.sh env NAME                   the shell line that points a client at it
#   scripts/netns-engine.sh stop NAME [--purge]        stop it and remove its namespace
#                                                      (--purge: and its data-root and state)
#   scripts/netns-engine.sh status NAME                version, or "not running" (exit 1)
#
# Why a namespace: two dockerds on one network stack fight over docker0 and the
# iptables chains. In its own namespace an engine has its own loopback, bridges and
# iptables, and no uplink at all, so nothing it runs can leave the machine. Its
# socket is a file, reachable from the host; published ports and the lab DNS live
# in the namespace, so tests that reach 127.0.0.1 run inside it (`run`).
#
# Needs root. State: /run/labcheck-engines/NAME (sockets, exec-root),
# /var/lib/labcheck-engines/NAME (data-root); the namespace is `labcheck-NAME`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config="$here/daemon.json"
cmd=${1:-}; name=${2:-}
say() { printf 'netns-engine: %s\n' "$*" >&2; }
usage() { sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ -n "$cmd" ] && [ -n "$name" ] || usage
case "$name" in *[!a-zA-Z0-9_.-]*) say "NAME may hold letters, digits, '.', '_' and '-' only"; exit 2;; esac

ns=labcheck-$name
run_dir=/run/labcheck-engines/$name
data_dir=/var/lib/labcheck-engines/$name
sock=$run_dir/docker.sock
host="unix://$sock"
gateway=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bip"].split("/")[0])' "$config")

# nsenter, not `ip netns exec`: the latter remounts /sys in a new mount namespace,
# which hides the cgroup mounts dockerd needs ("Devices cgroup isn't mounted").
in_ns() { nsenter --net="/run/netns/$ns" "$@"; }
# The engine's version from its API (not the docker CLI: an older CLI cannot talk to Engine 29+).
answers() {
    [ -S "$sock" ] && timeout 20 python3 - "$sock" 2>/dev/null <<'PY'
import http.client, json, socket, sys
class Unix(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(sys.argv[1])
conn = Unix("localhost")
conn.request("GET", "/version")
print(json.loads(conn.getresponse().read())["Version"])
PY
}

start() {
    local bin_dir=${1:-}
    [ "$(id -u)" = 0 ] || { say "needs root (it makes a network namespace and runs dockerd)"; exit 1; }
    if answers >/dev/null; then say "engine '$name' already answers on $host"; return 0; fi
    mkdir -p "$run_dir" "$data_dir"
    ip netns list 2>/dev/null | grep -qw "^$ns" || ip netns add "$ns"
    in_ns ip link set lo up
    local path=$PATH
    if [ -n "$bin_dir" ]; then
        [ -x "$bin_dir/dockerd" ] || { say "no dockerd in $bin_dir (python -m labcheck.live.engines.apt sid fetches one)"; exit 1; }
        bin_dir=$(cd "$bin_dir" && pwd)   # dockerd wants absolute paths for its helpers
        path="$bin_dir:$PATH"
    fi
    local log=$run_dir/dockerd.log
    # dockerd starts its own containerd under its exec-root (no system containerd socket
    # is passed), so this engine shares nothing with the machine's daemon.
    in_ns env PATH="$path" nohup dockerd --config-file "$config" \
        --host "$host" --data-root "$data_dir" --exec-root "$run_dir/exec" \
        --pidfile "$run_dir/dockerd.pid" >>"$log" 2>&1 &
    local pid=$! version=""
    for _ in $(seq 1 120); do
        version=$(answers) && break
        kill -0 "$pid" 2>/dev/null || break      # it exited: say so now, not in 60 s
        sleep 0.5
    done
    if [ -z "$version" ]; then
        say "dockerd did not answer (exited, or not within 60 s); its log ends with:"; tail -n 15 "$log" >&2; exit 1
    fi
    # The NXDOMAIN responder for containers' upstream DNS, inside the namespace.
    for _ in $(seq 1 50); do in_ns ip -o -4 addr show | grep -q " $gateway/" && break; sleep 0.1; done
    in_ns nohup python3 "$here/lab-dns.py" "$gateway" >>"$run_dir/lab-dns.log" 2>&1 &
    echo $! >"$run_dir/lab-dns.pid"
    say "engine '$name' (Docker $version) answers on $host, in network namespace $ns"
}

stop() {
    if [ -f "$run_dir/dockerd.pid" ]; then
        local pid; pid=$(cat "$run_dir/dockerd.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    [ -f "$run_dir/lab-dns.pid" ] && kill "$(cat "$run_dir/lab-dns.pid")" 2>/dev/null || true
    # anything still running in the namespace (a managed containerd, shims) ends with it
    if ip netns list 2>/dev/null | grep -qw "^$ns"; then
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        sleep 0.5
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns delete "$ns"
    fi
    rm -f "$run_dir"/*.pid "$sock"
    if [ "${1:-}" = --purge ]; then
        # what a dockerd killed in the middle left mounted (its netns files, overlays)
        awk -v a="$data_dir/" -v b="$run_dir/" 'index($2, a) == 1 || index($2, b) == 1 {print $2}' \
            /proc/mounts | sort -r | xargs -r -n 1 umount 2>/dev/null || true
        if grep -q -e " $data_dir/" -e " $run_dir/" /proc/mounts; then
            say "not purging '$name': something is still mounted under its folders"
        else
            rm -rf "$data_dir" "$run_dir"
        fi
    fi
    say "engine '$name' stopped"
}

case "$cmd" in
    start) start "${3:-}" ;;
    stop) stop "${3:-}" ;;
    env) echo "export DOCKER_HOST=$host" ;;
    status) v=$(answers) && echo "$name: Docker $v on $host (namespace $ns)" || { echo "$name: not running"; exit 1; } ;;
    run)
        shift 2; [ "${1:-}" = "--" ] && shift
        [ $# -gt 0 ] || usage
        # `ip netns exec` here (unlike for dockerd): its fresh /sys shows the namespace's
        # interfaces. It hides the cgroup mounts under /sys/fs/cgroup, so they are mounted
        # again in its private mount namespace (a dockerd that CMD starts needs them).
        cgroups=$(awk '$2 ~ "^/sys/fs/cgroup" && ($3 == "cgroup" || $3 == "cgroup2" || $3 == "tmpfs") {print $3, $2, $4}' /proc/self/mounts)
        exec ip netns exec "$ns" env DOCKER_HOST="$host" LABCHECK_CGROUPS="$cgroups" bash -c '
            while read -r type dir opts; do
                [ -n "$type" ] && mkdir -p "$dir" 2>/dev/null && mount -t "$type" -o "$opts" "$type" "$dir" 2>/dev/null
            done <<<"$LABCHECK_CGROUPS"
            unset LABCHECK_CGROUPS; exec "$@"' netns-engine "$@" ;;
    *) usage ;;
esac
