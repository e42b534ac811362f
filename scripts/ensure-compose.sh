#!/usr/bin/env bash
# Make sure `docker compose` (Compose v2, the CLI plugin) works; leave a student's own alone.
#
# - `docker compose version` already answers (Docker Desktop, the student's own plugin,
#   a distribution package): nothing is changed.
# - Otherwise Debian unstable's plugin (`python3 -m labcheck.live.engines.apt sid` fetches
#   it once into the engine cache) is copied where the docker CLI looks for plugins: as root
#   /usr/local/lib/docker/cli-plugins (every user; no package manager owns that folder),
#   else ~/.docker/cli-plugins (that user only).
# - No docker CLI at all, or the plugin cannot be had: one line saying what to do, exit 1.
#   Lesson 08 alone needs Compose; callers treat a failure here as a warning.
# LABCHECK_CLI_PLUGINS_DIR overrides where the plugin goes; LABCHECK_ENGINES_DIR is the engine cache.
# The fetch runs with the project's venv if there is one, else the system's python3 (labcheck's
# apt module needs nothing outside the standard library): this may run as root before any venv.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
say() { printf 'ensure-compose: %s\n' "$*" >&2; }

command -v docker >/dev/null 2>&1 || { say "no docker CLI: install Docker first (make daemon)"; exit 1; }
if docker compose version >/dev/null 2>&1; then exit 0; fi

if [ -n "${LABCHECK_CLI_PLUGINS_DIR:-}" ]; then   # tests: somewhere of their own
    dest=$LABCHECK_CLI_PLUGINS_DIR
elif [ "$(id -u)" = 0 ]; then
    dest=/usr/local/lib/docker/cli-plugins
else
    dest=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
fi
py=$root/.venv/bin/python
[ -x "$py" ] || py=$(command -v python3 || true)
ok=""
if [ -z "$py" ]; then
    out="no python3 to fetch it with"
elif out=$(PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" "$py" -m labcheck.live.engines.apt sid 2>&1); then
    ok=yes
fi
line=${out##*$'\n'}          # its last line: "sid: Docker X.Y.Z in FOLDER", or why it failed
if [ -z "$ok" ]; then
    say "Compose v2 is missing and could not be fetched (${line:-no reason given})."
    say "Install it yourself (Debian/Ubuntu: apt-get install docker-compose-plugin or docker-compose) for lesson 08."
    exit 1
fi
plugin=${line##* in }/cli-plugins/docker-compose
[ -x "$plugin" ] || { say "the fetched engine has no cli-plugins/docker-compose"; exit 1; }
mkdir -p "$dest"
cp -L "$plugin" "$dest/docker-compose.new" && chmod 755 "$dest/docker-compose.new"
mv -f "$dest/docker-compose.new" "$dest/docker-compose"
if docker compose version >/dev/null 2>&1; then
    say "installed $(docker compose version --short 2>/dev/null || echo Compose) in $dest"
else
    say "copied the plugin to $dest but \`docker compose version\` still fails"; exit 1
fi
