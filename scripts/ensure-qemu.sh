#!/usr/bin/env bash
# What the engine VM needs on this machine: QEMU (qemu-system-x86, qemu-utils
# for the saved state) and the unpacking tools (cpio, dpkg-deb, apt-get).
# As root on Debian/Ubuntu they are installed; otherwise one message says how.
set -euo pipefail
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v cpio >/dev/null || need+=(cpio)
command -v dpkg-deb >/dev/null || need+=(dpkg)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-qemu: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }
    exit 0
fi
echo "ensure-qemu: missing ${need[*]}. Install them: sudo apt-get install ${need[*]}" >&2
exit 1
