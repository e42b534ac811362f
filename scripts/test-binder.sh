#!/usr/bin/env bash
# make test-binder: the Binder image built the way Binder builds it and run the way Binder
# runs it, on this machine, with nothing but the package downloads leaving it.
#
#   1. fetch on the host what the build downloads (scripts/binder-cache.py, cached in
#      $LABCHECK_BINDER_CACHE, default ~/.cache/labcheck/binder): a Debian 12 base made
#      with mmdebstrap from the machine's apt sources, the image's and the engine VM's
#      packages as a flat apt repository, the wheels, the buildx plugin; and repo2docker
#      from PyPI in a venv there;
#   2. a build context: the repository's files (git ls-files) with binder/offline/ filled;
#   3. a Docker engine of its own in a network namespace (no way off the machine), the
#      base imported into it as debian:bookworm-slim;
#   4. repo2docker builds binder/Dockerfile (uid 1000, as Binder's build does);
#   5. the image runs as Binder runs it: `jupyter notebook ...` as uid 1000, no
#      capabilities, no-new-privileges, the default seccomp profile, --memory 2g (no swap),
#      --cpus 1, no /dev/kvm, no Docker socket; then the Jupyter server answers, lesson 01
#      runs cell by cell to its end in a kernel of that server (its first cell starts the
#      engine VM: scripts/binder-session.py), and exercise 01-publish is graded pass and
#      fail inside the container (the test make test-vm uses);
#   6. figures: image size, build time, container start to server / engine / lesson 01's
#      last cell, memory peak against the 2 GiB limit. Then the container, the image and
#      the build context are removed and the engine stopped: nothing runs.
# What stays: the cache above, and the engine's data (/var/lib/labcheck-engines/ENGINE:
# the base image and BuildKit's layer cache, so that a run where binder/ did not change
# rebuilds only the layers that hold the course). LABCHECK_BINDER_FRESH=1 removes that
# data first (a build with no layer cache); `labcheck engine stop ENGINE --purge` removes it.
# Run as root (the netns engine). LABCHECK_BINDER_ENGINE names the engine (binder-test).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
py=${PYTHON:-$root/.venv/bin/python}
cache=${LABCHECK_BINDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/labcheck/binder}
engine=${LABCHECK_BINDER_ENGINE:-binder-test}
image=labcheck-binder:test
box=labcheck-binder-session
port=18888
record=$(mktemp)
work=""
t_all=$(date +%s)
step() { t_step=$(date +%s); echo "== $*"; }
done_step() {
    local took=$(( $(date +%s) - t_step ))
    echo "   ($took s)"
    echo "$1: $took s" >> "$record"
}
figure() { echo "$1" >> "$record.figures"; echo "   $1"; }
: > "$record.figures"

if [ "$(id -u)" != 0 ]; then
    echo "test-binder: run as root (it starts a Docker engine in a network namespace)" >&2
    exit 1
fi

step "host tools and the cache ($cache)"
need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v dpkg-scanpackages >/dev/null || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
mkdir -p "$cache"
r2d=$cache/repo2docker-venv
if [ ! -x "$r2d/bin/repo2docker" ]; then
    /usr/bin/python3 -m venv "$r2d"
    "$r2d/bin/pip" install -q jupyter-repo2docker > "$cache/repo2docker-install.log" 2>&1 \
        || { cat "$cache/repo2docker-install.log"; exit 1; }
fi
echo "   repo2docker $("$r2d/bin/repo2docker" --version)"
"$py" scripts/binder-cache.py "$cache"
docker_config=$cache/docker-config
mkdir -p "$docker_config/cli-plugins"
[ -f "$docker_config/config.json" ] || echo '{}' > "$docker_config/config.json"
ln -sf "$cache/buildx/docker-buildx" "$docker_config/cli-plugins/docker-buildx"
done_step cache

cleanup() {
    set +e
    if [ -n "$engine_started" ]; then
        labcheck_engine run "$engine" -- docker rm -f "$box" >/dev/null 2>&1
        labcheck_engine run "$engine" -- docker image rm "$image" >/dev/null 2>&1
        labcheck_engine stop "$engine" >/dev/null 2>&1  # its data stays: the layer cache
    fi
    [ -n "$work" ] && rm -rf "$work"
    rm -f "$record" "$record.figures"
}
labcheck_engine() { "$py" -m labcheck engine "$@"; }
engine_started=""
trap cleanup EXIT

step "the build context: the repository's files, binder/offline/ filled"
work=$(mktemp -d /tmp/labcheck-binder.XXXXXX)
context=$work/repository
mkdir -p "$context"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$context"
cp -al "$cache/apt-repo" "$context/binder/offline/apt"
cp -al "$cache/wheels" "$context/binder/offline/wheels"
echo "   $(du -sh --exclude binder/offline "$context" | cut -f1) of course files, offline: $(du -sh "$context/binder/offline" | cut -f1)"
done_step context

step "a Docker engine of its own ($engine, a network namespace), the base image imported"
[ -n "${LABCHECK_BINDER_FRESH:-}" ] && labcheck_engine stop "$engine" --purge >/dev/null
engine_started=yes
labcheck_engine start "$engine" | grep -v "^point docker"
in_engine() { labcheck_engine run "$engine" -- env DOCKER_CONFIG="$docker_config" "$@"; }
in_engine docker import --change 'LABEL io.labcheck.binder-base=mmdebstrap' \
    "$cache/base/debian-bookworm.tar" debian:bookworm-slim >/dev/null
done_step engine

step "repo2docker builds binder/Dockerfile"
t_build=$(date +%s)
in_engine "$r2d/bin/repo2docker" --no-run --user-id 1000 --user-name jovyan \
    --image-name "$image" "$context" > "$work/build.log" 2>&1 \
    || { tail -60 "$work/build.log"; echo "test-binder: the build failed" >&2; exit 1; }
build_seconds=$(( $(date +%s) - t_build ))
grep -E "engine VM|ready state saved|^image: kernel|built in" "$work/build.log" | sed 's/^/   /' || true
size=$(in_engine docker image inspect -f '{{.Size}}' "$image")
figure "image: $(( size / 1000000 )) MB ($image; the base alone $(( $(in_engine docker image inspect -f '{{.Size}}' debian:bookworm-slim) / 1000000 )) MB)"
steps=$( (grep -oE '^#[0-9]+ \[(stage-1|repository) ' "$work/build.log" || true) | sort -u | wc -l)
cached=$( (grep -oE '^#[0-9]+ CACHED' "$work/build.log" || true) | sort -u | wc -l)
figure "build (repo2docker): $build_seconds s, $cached of the build's $steps steps from the layer cache"
done_step build

step "the image run as Binder runs it: uid 1000, no privileges, --memory 2g --cpus 1"
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
started=$(date +%s.%N)
in_engine docker run -d --name "$box" --user 1000:1000 --cap-drop ALL \
    --security-opt no-new-privileges --memory 2g --memory-swap 2g --cpus 1 \
    -p "127.0.0.1:$port:8888" -e BINDER_REQUEST=v2/local/labcheck -e MEM_LIMIT=2147483648 \
    -e CPU_LIMIT=1 "$image" jupyter notebook --ip=0.0.0.0 --port=8888 --no-browser \
    --ServerApp.token="$token" >/dev/null
in_engine docker exec "$box" sh -c 'id; test ! -e /dev/kvm && echo "no /dev/kvm";
    test ! -e /var/run/docker.sock && echo "no Docker socket"; grep -E "^Seccomp:|^CapEff:|^NoNewPrivs:" /proc/self/status' \
    | sed 's/^/   /'
done_step run

step "a student's Run All of lesson 01 through the Jupyter server"
in_engine "$py" scripts/binder-session.py "http://127.0.0.1:$port" "$token" "$started" \
    01-default-bridge.ipynb | tee "$work/session.txt" | sed 's/^/   /'
[ "${PIPESTATUS[0]}" = 0 ] || { in_engine docker logs --tail 40 "$box"; exit 1; }
while read -r line; do
    case $line in
        "server answered:"*|"first cell"*|"last cell"*) echo "container start -> ${line}" >> "$record.figures" ;;
    esac
done < "$work/session.txt"
done_step lesson01

step "exercise 01-publish graded inside the container: the solution passes, each broken variant fails"
in_engine docker exec -u 1000 -w /home/jovyan "$box" bash -c \
    'eval "$(labcheck engine env)" && LABCHECK_REQUIRE_DOCKER=1 python -m pytest -q -p no:cacheprovider \
     tests/integration/test_grading_exercises.py -k "01-publish and not cli"' | sed 's/^/   /'
[ "${PIPESTATUS[0]}" = 0 ]
done_step grading

step "memory"
# cgroup v2 (memory.peak) or v1 (memory.max_usage_in_bytes); both count the page cache too
read -r peak rss < <(in_engine docker exec "$box" sh -c 'cd /sys/fs/cgroup
    if [ -f memory.peak ]; then echo "$(cat memory.peak) $(sed -n "s/^anon //p" memory.stat)"
    else cd memory; echo "$(cat memory.max_usage_in_bytes) $(sed -n "s/^total_rss //p" memory.stat)"; fi')
figure "memory peak: $(( peak / 1048576 )) MiB of Binder's 2048 MiB, page cache included (processes now: $(( rss / 1048576 )) MiB)"
in_engine docker exec "$box" labcheck engine status | sed 's/^/   /'
done_step memory

echo "== test-binder passed in $(( $(date +%s) - t_all )) s:"
sed 's/^/   /' "$record"
echo "   figures:"
sed 's/^/     /' "$record.figures"
