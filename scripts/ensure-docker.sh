#!/usr/bin/env bash
# Make sure a Docker daemon answers, and leave any daemon that already does alone.
#
# - A daemon already answers (Docker Desktop, a user's engine, DOCKER_HOST,
#   a docker context): nothing is changed.
# - Root on Debian/Ubuntu with no daemon: install docker.io, busybox-static,
#   graphviz, iproute2 and tcpdump (lesson 07), start dockerd with scripts/daemon.json (its own
#   address pools; containers' upstream DNS is scripts/lab-dns.py on the
#   docker0 gateway, which answers NXDOMAIN to every name, so no lookup ever
#   leaves the machine), and wait until it answers.
# - Otherwise: one message with the command to run, exit 1.
# - Then Compose v2 (lesson 08): scripts/ensure-compose.sh, a warning if it cannot be had.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config="$here/daemon.json"
log=/var/log/labcheck-dockerd.log
dns_log=/var/log/labcheck-lab-dns.log
# The lab's address ranges: daemon.json's pools (10.213/10.214) and the
# subnets lessons choose (10.220...), all inside 10.208.0.0/12.
lab_ranges=10.208.0.0/12
gateway=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bip"].split("/")[0])' "$config")

say() { printf 'ensure-docker: %s\n' "$*" >&2; }

answers() { command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; }

ours() { [ -f /var/run/labcheck-dockerd ] && [ -z "${DOCKER_HOST:-}" ]; }

start_lab_dns() {
    # The NXDOMAIN responder for containers' upstream DNS, bound to the docker0 gateway.
    if python3 - "$gateway" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05probe\x00\x00\x01\x00\x01"
s.sendto(q, (sys.argv[1], 53))
sys.exit(0 if s.recv(512)[:2] == b"\x12\x34" else 1)
PY
    for _ in $(seq 1 50); do ip -o -4 addr show 2>/dev/null | grep -q " $gateway/" && break; sleep 0.1; done
    nohup python3 "$here/lab-dns.py" "$gateway" >>"$dns_log" 2>&1 &
    say "lab DNS (NXDOMAIN for every outside name) on $gateway:53"
}

fence_off_machine() {
    # Nothing from the lab may leave this machine. For every uplink (an interface
    # with a default route): containers' forwarded traffic to it is rejected
    # (DOCKER-USER is the chain Docker keeps for such rules), and so is the
    # host's own traffic to the lab's address ranges (an address of a pool that
    # no bridge holds would otherwise follow the default route out).
    command -v iptables >/dev/null 2>&1 || return 0
    local uplink rule
    for uplink in $(ip route show default 2>/dev/null | awk '{for (i=1;i<NF;i++) if ($i=="dev") print $(i+1)}' | sort -u); do
        for rule in "DOCKER-USER -o $uplink -j REJECT --reject-with icmp-net-unreachable" \
                    "OUTPUT -o $uplink -d $lab_ranges -j REJECT --reject-with icmp-net-unreachable"; do
            iptables -C $rule 2>/dev/null || iptables -I $rule
        done
    done
}

host_tools() {
    # Lesson 07's packet capture runs the Docker host's own tcpdump (through
    # labcheck.docker_host): on a Debian/Ubuntu machine whose daemon we run, install it.
    command -v tcpdump >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 0
    say "adding tcpdump with apt-get (lesson 07's packet capture)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tcpdump >/dev/null 2>&1 ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tcpdump >/dev/null; } ||
        say "could not install tcpdump: lesson 07 skips its packet capture"
}

# Compose v2 for lesson 08 (scripts/ensure-compose.sh): a warning, never a failure here.
ensure_compose() { bash "$here/ensure-compose.sh" || true; }

if answers; then
    if ours; then start_lab_dns; fence_off_machine; host_tools; fi
    ensure_compose
    exit 0
fi

if [ -n "${DOCKER_HOST:-}" ] || [ -n "${DOCKER_CONTEXT:-}" ]; then
    say "DOCKER_HOST/DOCKER_CONTEXT is set (${DOCKER_HOST:-${DOCKER_CONTEXT:-}}) but no daemon answers there."
    say "Start that daemon, or unset DOCKER_HOST and DOCKER_CONTEXT to use a local one."
    exit 1
fi

if [ "$(id -u)" != 0 ]; then
    say "no Docker daemon answers. Install and start Docker (https://docs.docker.com/engine/install/),"
    say "or on Debian/Ubuntu run as root: sudo make daemon"
    exit 1
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker >/dev/null 2>&1 || need+=(docker.io)
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static || need+=(busybox-static)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
if [ ${#need[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        say "no Docker daemon answers and this is not a Debian/Ubuntu machine: install Docker, busybox (static) and Graphviz with your package manager."
        exit 1
    fi
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) file >/dev/null
fi

say "starting dockerd with $config (log: $log)"
touch /var/run/labcheck-dockerd
nohup dockerd --config-file "$config" >>"$log" 2>&1 &
for _ in $(seq 1 60); do
    if answers; then
        start_lab_dns
        fence_off_machine
        say "Docker daemon is up"
        ensure_compose
        exit 0
    fi
    sleep 0.5
done
say "dockerd did not answer within 30 s; its log ends with:"
tail -n 15 "$log" >&2 || true
exit 1
