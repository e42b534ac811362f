#!/usr/bin/env bash
# Chromium for the browser tests (Debian's package; never a downloaded build).
# Missing and not root: say so; the browser tests then skip with that reason.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-browser: installing Debian's chromium" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
else
    echo "ensure-browser: chromium is not installed; browser tests will be skipped." >&2
    echo "ensure-browser: on Debian/Ubuntu: sudo apt-get install chromium" >&2
fi
