#!/usr/bin/env bash
# The suite (pytest) and the lessons (nbval) on each engine, one after the other,
# each pass under a line naming its engine; `make test` runs this.
#
#   scripts/test-engines.sh [ENGINE ...]     ENGINE: distribution | local | sid | trixie
#                                            (default: $ENGINES, else "distribution sid")
#
# distribution: the machine's daemon (the one `make daemon` makes sure of).
# local:        the machine's dockerd run for this run in its own network namespace (as
#               sid below): the distribution's engine without touching a shared daemon.
# sid, trixie:  Debian unstable's (the current engine) or Debian 13's docker.io, fetched
#               by `python -m labcheck.live.engines.apt` and run for this run only by
#               scripts/netns-engine.sh in its own network namespace; stopped after.
#
# Every pass runs even when one before it failed; the exit status is 1 when any pass
# failed. An engine that cannot be had fails the run at once in CI (CI set), before any
# pass, with one line; elsewhere its pass is skipped with that line. While a second engine runs, each pass also
# gets it as LABCHECK_OTHER_DOCKER_HOST (the test that builds one topology on two
# engines uses it).
#
# Environment: PYTHON (default .venv/bin/python), PYTEST_ARGS (extra pytest arguments,
# every pass), SECOND_PYTEST_ARGS (extra pytest arguments for passes after the first;
# `make test` gives -m "not browser and not once": the browser tests exercise JupyterLab,
# and the `once` tests (tests/conftest.py) check what no engine changes).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.."
py=${PYTHON:-.venv/bin/python}
read -r -a engines <<<"${*:-${ENGINES:-distribution sid}}"
read -r -a extra <<<"${PYTEST_ARGS:-}"
second_extra=${SECOND_PYTEST_ARGS:-}
nbval=(--nbval lessons/ --nbval-sanitize-with lessons/sanitize.cfg -p no:cacheprovider
       -p labcheck.pytest_plugin)
say() { printf 'test-engines: %s\n' "$*" >&2; }

declare -A label=([sid]="Debian unstable" [trixie]="Debian 13" [local]="distribution, own namespace")
started=()          # netns engines this run started: stopped on exit
results=()          # one summary line per pass
failed=0
cleanup() {
    local name
    for name in "${started[@]}"; do bash "$here/netns-engine.sh" stop "$name" --purge >/dev/null 2>&1; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A name of the run's own for each netns engine, so two runs never share one.
engine_name() { echo "test-$1-$$"; }
socket_of() { echo "unix:///run/labcheck-engines/$(engine_name "$1")/docker.sock"; }

# An engine that cannot be had: the run fails at once in CI, the pass is skipped elsewhere.
unavailable() {
    if [ -n "${CI:-}" ]; then
        say "cannot run the tests on $1: $2"; exit 1
    else
        say "skipping $1: $2"; results+=("skipped $1: $2")
    fi
}

# Start every netns engine first: a fetch that fails says so before half an hour of tests.
ready=()
for engine in "${engines[@]}"; do
    case "$engine" in
        distribution) ready+=("$engine"); continue ;;
        sid|trixie|local) ;;
        *) say "unknown engine '$engine' (distribution, local, sid or trixie)"; exit 2 ;;
    esac
    if [ "$(id -u)" != 0 ]; then unavailable "${label[$engine]}" "a second engine needs root"; continue; fi
    bin=""
    if [ "$engine" != local ]; then
        if ! out=$("$py" -m labcheck.live.engines.apt "$engine" 2>&1); then
            unavailable "${label[$engine]}" "${out##*$'\n'}"; continue
        fi
        out=${out##*$'\n'}; bin=${out##* in }/bin    # "sid: Docker X.Y.Z in FOLDER"
    fi
    name=$(engine_name "$engine")
    started+=("$name")
    if ! err=$(bash "$here/netns-engine.sh" start "$name" $bin 2>&1); then
        unavailable "${label[$engine]}" "its dockerd did not start: $(echo "$err" | tail -n 1)"; continue
    fi
    ready+=("$engine")
done

[ ${#ready[@]} -gt 0 ] || { say "no engine to run the tests on"; exit 1; }
bash "$here/ensure-compose.sh" || true   # lesson 08 and its exercises need `docker compose`

other_host() {   # the DOCKER_HOST of an engine other than $1 (the first one ready), if any
    local engine
    for engine in "${ready[@]}"; do
        [ "$engine" = "$1" ] && continue
        if [ "$engine" = distribution ]; then echo "unix:///var/run/docker.sock"; else socket_of "$engine"; fi
        return
    done
}

pass=0
for engine in "${ready[@]}"; do
    pass=$((pass + 1))
    if [ "$engine" = distribution ]; then
        inside=(env)
    else
        inside=(bash "$here/netns-engine.sh" run "$(engine_name "$engine")" -- env)
    fi
    other=$(other_host "$engine")
    [ -n "$other" ] && inside+=(LABCHECK_OTHER_DOCKER_HOST="$other")
    version=$("${inside[@]}" "$py" -c 'import labcheck; print(labcheck.connect().version()["Version"])' \
              2>/dev/null | sed 's/[+~].*//')
    if [ "$engine" = distribution ]; then
        what="distribution"
        dpkg-query -W -f '${Version}' docker.io 2>/dev/null | grep -q "^\(.*:\)\{0,1\}$version[+~-]" \
            || what="this machine's daemon"
    else
        what=${label[$engine]}
    fi
    title="Docker ${version:-?} ($what)"
    args=("${extra[@]}")
    if [ "$pass" -gt 1 ]; then
        # the run-twice test's backwards order checks cells against each other: first engine only
        inside+=(LABCHECK_LATER_ENGINE=1)
        [ -n "$second_extra" ] && eval "args+=($second_extra)"  # quoted words: -m "not browser and not once"
    fi
    echo; echo "== engine: $title =="
    suite=passed lessons=passed
    "${inside[@]}" "$py" -m labcheck doctor || suite=FAILED
    # --durations: the slowest tests of each pass in the log, for keeping CI short
    [ "$suite" = passed ] && { "${inside[@]}" "$py" -m pytest --durations=12 "${args[@]}" || suite=FAILED; }
    # the course CI: every lesson's stored outputs compared (after the suite: lessons use fixed names)
    "${inside[@]}" "$py" -m pytest "${nbval[@]}" || lessons=FAILED
    [ "$suite$lessons" = passedpassed ] || failed=1
    results+=("$([ "$suite$lessons" = passedpassed ] && echo "passed " || echo "FAILED ") $title: suite $suite, lessons $lessons${args[*]:+ (pytest ${args[*]})}")
done

echo; echo "== engines =="
printf '%s\n' "${results[@]}"
exit "$failed"
