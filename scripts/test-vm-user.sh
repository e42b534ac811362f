#!/usr/bin/env bash
# The user's half of make test-vm (see scripts/test-vm.sh); runs in the project folder.
# Phase 1 (with the network: PyPI, the package archive): venv, build.
# Phase 2 (--inside: a private network namespace, loopback only): start, tests, stop.
# LABCHECK_VM_TEST_PARTS picks the tests of phase 2 (default: all three):
#   base          the no-egress tests, lessons 01, 02 and 07, one exercise graded, ready()
#   lesson09      lesson 09 under nbval on three nodes inside the VM
#   lesson09-twice lesson 09 run twice in one kernel (the run-twice test) inside the VM
set -euo pipefail
parts=" ${LABCHECK_VM_TEST_PARTS:-base lesson09 lesson09-twice} "
wants() { [[ "$parts" == *" $1 "* ]]; }
for part in $parts; do
    case $part in
        base|lesson09|lesson09-twice) ;;
        *) echo "test-vm: no part '$part' (base, lesson09, lesson09-twice)" >&2; exit 2 ;;
    esac
done
venv=${LABCHECK_VM_TEST_VENV:-$HOME/.labcheck-vmtest-venv}
record=$HOME/.labcheck-vmtest-times
step() { t_step=$(date +%s); echo "== $*"; }
done_step() {
    echo "   ($(( $(date +%s) - t_step )) s)"
    echo "$1: $(( $(date +%s) - t_step )) s" >> "$record"
}
PATH=$venv/bin:$PATH
unset DOCKER_HOST DOCKER_CONTEXT

if [ "${1:-}" != "--inside" ]; then
    date +%s > "$record.start"
    : > "$record"
    step "venv ($venv) with Debian's python3"
    [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip >/dev/null
    "$venv/bin/pip" install -q '.[lab,test]'
    done_step venv

    step "no daemon for this user"
    if python -c 'import labcheck; labcheck.connect()' 2>/dev/null; then
        echo "test-vm: a Docker daemon answers for $(id -un); this test needs none" >&2; exit 1
    fi
    done_step no-daemon

    step "labcheck engine build"
    labcheck engine build
    done_step build

    # The rest runs in a network namespace of its own (an unprivileged user
    # namespace, loopback only, no capabilities left): the VM's forwarded
    # ports cannot collide with ports other programs on this machine use
    # (other lesson runs publish the same fixed ports).
    exec unshare --user --map-current-user --keep-caps --net sh -c \
        '/usr/sbin/ip link set lo up && exec setpriv --inh-caps=-all --ambient-caps=-all bash "$0" --inside' "$0"
fi

trap 'labcheck engine stop >/dev/null 2>&1 || true' EXIT  # a failed step leaves no VM behind
echo "== inside a private network namespace: $(/usr/sbin/ip -o link | wc -l) link(s)"

step "labcheck engine start"
labcheck engine start
labcheck engine status
eval "$(labcheck engine env)"
done_step start

if wants base; then
    step "no-egress, port and root-on-the-Docker-host tests against the VM"
    LABCHECK_TEST_VM=1 python -m pytest -q -p no:cacheprovider tests/vm tests/unit/test_vm_engine.py \
        tests/integration/test_docker_host.py
    done_step vm-tests

    step "lessons 01, 02 and 07 under nbval against the VM"
    # All of lesson 02, its "outside world" too, and lesson 07's views of the host (bridges,
    # veth pairs, iptables, a tcpdump capture): those cells run their commands as root on
    # the Docker host, the VM, through labcheck.docker_host.
    python -m pytest -q -p no:cacheprovider --nbval lessons/01-default-bridge.ipynb \
        lessons/02-user-defined-bridges.ipynb lessons/07-under-the-hood.ipynb \
        --nbval-sanitize-with lessons/sanitize.cfg \
        -p labcheck.pytest_plugin
    done_step nbval
fi

if wants lesson09; then
    step "lesson 09 under nbval: three Docker hosts inside the VM"
    # labcheck.nodes(3) finds no root here: the nodes are dockerds in the VM (restarted with
    # room for them when it holds no container), joined on the VM's lab LAN; the first run
    # after a build boots them and saves that state. The lesson's last cell takes them down.
    python -m pytest -q -p no:cacheprovider --nbval lessons/09-across-hosts.ipynb \
        --nbval-sanitize-with lessons/sanitize.cfg \
        -p labcheck.pytest_plugin
    labcheck engine status
    # nodes() restarted the VM for the nodes (and the lab's end may have stopped it): the
    # steps below take the VM as it is now, not the address read before lesson 09
    labcheck engine start >/dev/null
    eval "$(labcheck engine env)"
    done_step nbval-09
fi

if wants lesson09-twice; then
    step "lesson 09 run twice in one kernel, its reference solutions too, inside the VM"
    # the second set-up starts the three nodes again; nothing labelled with the lesson is left
    python -m pytest -q -p no:cacheprovider tests/integration/test_lessons_twice.py -k 09
    labcheck engine start >/dev/null
    eval "$(labcheck engine env)"
    done_step twice-09
fi

if wants base; then
    step "exercise 01-publish graded: the solution passes, each broken variant fails"
    LABCHECK_REQUIRE_DOCKER=1 python -m pytest -q -p no:cacheprovider \
        tests/integration/test_grading_exercises.py -k "01-publish and not cli"
    done_step grading

    step "ready() with no daemon and the VM stopped: it starts the VM itself"
    labcheck engine stop
    unset DOCKER_HOST
    out=$(python -c 'import labcheck, os; lab = labcheck.ready("01"); print(type(lab).__name__, os.environ.get("DOCKER_HOST"))')
    echo "$out"
    grep -q "Using the engine VM at tcp://127.0.0.1:" <<<"$out"
    grep -q "^Lab tcp://127.0.0.1:" <<<"$out"
    done_step ready
fi

step "labcheck engine stop: nothing left running"
labcheck engine stop
sleep 1
# (exited processes not yet reaped by PID 1, state Z, are not running)
left=$(ps -u "$(id -u)" -o stat=,pid=,args= | awk '$1 !~ /^Z/' \
       | grep -E '[q]emu-system|[l]abcheck.live.vm.forwarder' || true)
if [ -n "$left" ]; then
    echo "test-vm: processes left running:"; echo "$left"
    exit 1
fi
done_step stop

echo "== test-vm passed in $(( $(date +%s) - $(cat "$record.start") )) s:"
sed 's/^/   /' "$record"
