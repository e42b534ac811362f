#!/usr/bin/env bash
# make test-vm: the engine VM end to end, as an unprivileged user made for
# the test, who cannot use this machine's Docker socket (no daemon for them):
# build the image, start the engine, the no-egress tests, root on the Docker host
# (the VM) through labcheck.docker_host, lessons 01, 02 (all of it) and 07
# under nbval, lesson 09 under nbval and run twice on three nodes inside the
# VM (a swarm, its overlays, VXLAN on the lab LAN), one exercise graded pass and fail,
# ready() starting the VM by itself, stop. Prints the time of each step.
# Run as root (it makes the user). LABCHECK_VM_TEST_PARTS picks the tests (see
# scripts/test-vm-user.sh): make test-vm-base and make test-vm-nodes, CI's halves.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
user=${LABCHECK_VM_TEST_USER:-labcheck-vmtest}
bash "$root/scripts/ensure-qemu.sh"
if [ "$(id -u)" != 0 ]; then
    echo "test-vm: run as root (it creates the test user $user); as yourself run" \
         "scripts/test-vm-user.sh from the project folder" >&2
    exit 1
fi
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
home=$(getent passwd "$user" | cut -d: -f6)
# A fresh copy of the project (tracked and new files), owned by the user.
rm -rf "$home/labcheck"
mkdir -p "$home/labcheck"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) \
    | tar -xf - -C "$home/labcheck"
chown -R "$user:" "$home/labcheck"
parts=${LABCHECK_VM_TEST_PARTS:-base lesson09 lesson09-twice}
exec su - "$user" -c "cd labcheck && LABCHECK_VM_TEST_PARTS='$parts' bash scripts/test-vm-user.sh"
