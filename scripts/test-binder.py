"""make test-binder: the Binder image built as Binder builds it and run as Binder runs it.

Everything happens on this machine; only the package downloads leave it.

1. Fetch on the host what the build downloads (``scripts/binder-cache.py``). It is
   cached in ``$LABCHECK_BINDER_CACHE`` (default ``~/.cache/labcheck/binder``) and holds:
   a Debian 12 base made with mmdebstrap from the machine's apt sources; the image's
   and the engine VM's packages as a flat apt repository; the wheels; the buildx
   plugin. repo2docker itself comes from PyPI, in a venv there.
2. Make a build context: the repository's files (``git ls-files``) with
   ``binder/offline/`` filled.
3. Start a Docker engine of its own, in a network namespace (a netns engine, so
   there is no way off the machine). The base is imported into it as
   ``debian:bookworm-slim``.
4. repo2docker builds ``binder/Dockerfile`` (uid 1000, as Binder's build does).
5. Run the image as Binder runs it: ``jupyter notebook ...`` as uid 1000, no
   capabilities, no-new-privileges, the default seccomp profile, ``--memory 2g`` (no
   swap), ``--cpus 1``, no /dev/kvm, no Docker socket. Then:
   - the Jupyter server answers;
   - lesson 01 runs cell by cell to its end, in a kernel of that server (its first
     cell starts the engine VM: ``scripts/binder-session.py``);
   - exercise 01-publish is graded pass and fail inside the container (the test
     that make test-vm uses).
6. Print the figures: image size; build time; time from container start to the
   server, the engine and lesson 01's last cell; memory peak against the 2 GiB limit.

Afterwards the container, the image and the build context are removed and the
engine is stopped: nothing runs.

Two things stay:
- the cache above;
- the engine's data: the base image and BuildKit's layer cache, so that a run where
  binder/ did not change rebuilds only the layers that hold the course.

``LABCHECK_BINDER_FRESH=1`` removes that data first (a build with no layer cache);
``labcheck engine stop ENGINE --purge`` removes it. Run as root (the netns engine
needs it). ``LABCHECK_BINDER_ENGINE`` names the engine (default ``binder-test``).

Usage: ``python scripts/test-binder.py`` (exit 0 when every step passed).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator, Sequence

from labcheck.live.engines.netns import NetnsEngine

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "labcheck-binder:test"
BOX = "labcheck-binder-session"
PORT = 18888
#: Binder's limits for one session (mybinder.org's defaults).
MEMORY_BYTES = 2 * 1024**3


class Failed(Exception):
    """A step failed; the message says which and why."""


class Record:
    """The time each step took, and the figures worth printing at the end."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, int]] = []
        self.figures: list[str] = []
        self._began = time.monotonic()
        self._name = ""

    def step(self, title: str, name: str) -> None:
        """Start step ``name`` (``title`` is printed)."""
        self._began = time.monotonic()
        self._name = name
        print(f"== {title}", flush=True)

    def done(self) -> None:
        """End the current step; print and keep how long it took."""
        took = round(time.monotonic() - self._began)
        print(f"   ({took} s)", flush=True)
        self.steps.append((self._name, took))

    def figure(self, line: str) -> None:
        """Keep and print one figure."""
        self.figures.append(line)
        print(f"   {line}", flush=True)


def indented(text: str) -> str:
    return "".join(f"   {line}\n" for line in text.splitlines())


def run(argv: Sequence[str], *, env: dict[str, str] | None = None,
        capture: bool = True) -> str:
    """Run ``argv``; its output, or :class:`Failed` with the output's end."""
    done = subprocess.run(list(argv), env=env, text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.STDOUT if capture else None)
    if done.returncode != 0:
        tail = "\n".join((done.stdout or "").splitlines()[-60:])
        raise Failed(f"{' '.join(argv[:4])} ... exited {done.returncode}\n{tail}")
    return done.stdout or ""


# -- 1. the host's tools and the cache ------------------------------------------------

def ensure_host_tools() -> None:
    """mmdebstrap and dpkg-scanpackages, from the machine's apt (binder-cache.py uses them)."""
    need = [package for tool, package in (("mmdebstrap", "mmdebstrap"),
                                          ("dpkg-scanpackages", "dpkg-dev"))
            if shutil.which(tool) is None]
    if need:
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *need],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def repo2docker(cache: Path) -> Path:
    """repo2docker from PyPI, in a venv of its own in the cache (made once)."""
    venv = cache / "repo2docker-venv"
    program = venv / "bin" / "repo2docker"
    if not program.exists():
        run(["/usr/bin/python3", "-m", "venv", str(venv)])
        run([str(venv / "bin" / "pip"), "install", "-q", "jupyter-repo2docker"])
    return program


def docker_config(cache: Path) -> Path:
    """A docker CLI config folder whose plugins hold the cached buildx."""
    config = cache / "docker-config"
    plugins = config / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    if not (config / "config.json").exists():
        (config / "config.json").write_text("{}\n")
    link = plugins / "docker-buildx"
    link.unlink(missing_ok=True)
    link.symlink_to(cache / "buildx" / "docker-buildx")
    return config


# -- 2. the build context ---------------------------------------------------------------

def build_context(work: Path, cache: Path) -> Path:
    """The repository's files (tracked and new, not ignored), binder/offline/ filled."""
    context = work / "repository"
    context.mkdir()
    listed = run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                  "--exclude-standard"])
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not (source.is_file() or source.is_symlink()):  # listed but deleted
            continue
        target = context / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    offline = context / "binder" / "offline"
    for part, cached in (("apt", cache / "apt-repo"), ("wheels", cache / "wheels")):
        shutil.copytree(cached, offline / part, copy_function=os.link)  # hard links
    return context


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- 3.-6. in the engine ------------------------------------------------------------------

class Session:
    """The engine, and the image and container made in it (removed by :meth:`close`)."""

    def __init__(self, engine: NetnsEngine) -> None:
        self.engine = engine
        self.env = engine.environ()
        self.started = False

    def run(self, argv: Sequence[str], *, capture: bool = True) -> str:
        """``argv`` beside the engine (in its namespace, DOCKER_HOST at it)."""
        return run(self.engine.command(argv), env=self.env, capture=capture)

    def docker(self, *args: str) -> str:
        return self.run(["docker", *args]).strip()

    def start(self, fresh: bool) -> None:
        if fresh:
            self.engine.stop(purge=True)
        self.started = True
        status = self.engine.start(say=lambda line: print(f"   {line}", flush=True))
        print(f"   {status.describe()}", flush=True)

    def close(self) -> None:
        """Remove the container and the image; stop the engine (its data stays)."""
        if not self.started:
            return
        for argv in (["rm", "-f", BOX], ["image", "rm", IMAGE]):
            subprocess.run(self.engine.command(["docker", *argv]), env=self.env,
                           capture_output=True)
        self.engine.stop()


def build(session: Session, program: Path, context: Path, log: Path, record: Record) -> None:
    began = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(session.engine.command(
            [str(program), "--no-run", "--user-id", "1000", "--user-name", "jovyan",
             "--image-name", IMAGE, str(context)]), env=session.env, stdout=out,
            stderr=subprocess.STDOUT)
    text = log.read_text(errors="replace")
    if done.returncode != 0:
        raise Failed("the build failed:\n" + "\n".join(text.splitlines()[-60:]))
    seconds = round(time.monotonic() - began)
    print(indented("\n".join(line for line in text.splitlines()
                             if re.search(r"engine VM|ready state saved|^image: kernel|built in",
                                          line))), end="")
    size = int(session.docker("image", "inspect", "-f", "{{.Size}}", IMAGE))
    base = int(session.docker("image", "inspect", "-f", "{{.Size}}", "debian:bookworm-slim"))
    record.figure(f"image: {size // 1_000_000} MB ({IMAGE}; the base alone "
                  f"{base // 1_000_000} MB)")
    steps = set(re.findall(r"^(#\d+) \[(?:stage-1|repository) ", text, re.M))
    cached = set(re.findall(r"^(#\d+) CACHED", text, re.M))
    record.figure(f"build (repo2docker): {seconds} s, {len(cached)} of the build's "
                  f"{len(steps)} steps from the layer cache")


def run_as_binder(session: Session, token: str) -> float:
    """Start the container as Binder does; the time it started (epoch seconds)."""
    started = time.time()
    session.docker(
        "run", "-d", "--name", BOX, "--user", "1000:1000", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges", "--memory", "2g", "--memory-swap", "2g",
        "--cpus", "1", "-p", f"127.0.0.1:{PORT}:8888",
        "-e", "BINDER_REQUEST=v2/local/labcheck", "-e", f"MEM_LIMIT={MEMORY_BYTES}",
        "-e", "CPU_LIMIT=1", IMAGE, "jupyter", "notebook", "--ip=0.0.0.0", "--port=8888",
        "--no-browser", f"--ServerApp.token={token}")
    print(indented(session.docker(
        "exec", BOX, "sh", "-c",
        'id; test ! -e /dev/kvm && echo "no /dev/kvm"; '
        'test ! -e /var/run/docker.sock && echo "no Docker socket"; '
        'grep -E "^Seccomp:|^CapEff:|^NoNewPrivs:" /proc/self/status')), end="")
    return started


def lesson_01(session: Session, token: str, started: float, record: Record) -> None:
    """A student's Run All of lesson 01 through the server (scripts/binder-session.py)."""
    done = subprocess.run(session.engine.command(
        [sys.executable, str(ROOT / "scripts" / "binder-session.py"),
         f"http://127.0.0.1:{PORT}", token, f"{started:.3f}", "01-default-bridge.ipynb"]),
        env=session.env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print(indented(done.stdout), end="")
    if done.returncode != 0:
        logs = subprocess.run(session.engine.command(["docker", "logs", "--tail", "40", BOX]),
                              env=session.env, text=True, capture_output=True)
        raise Failed("lesson 01 did not run to its end; the server's log:\n"
                     + logs.stdout + logs.stderr)
    for line in done.stdout.splitlines():
        if line.startswith(("server answered:", "first cell", "last cell")):
            record.figures.append(f"container start -> {line}")


def grading(session: Session) -> None:
    """01-publish graded inside the container: the solution passes, each variant fails."""
    print(indented(session.docker(
        "exec", "-u", "1000", "-w", "/home/jovyan", BOX, "bash", "-c",
        'eval "$(labcheck engine env)" && LABCHECK_REQUIRE_DOCKER=1 python -m pytest -q '
        '-p no:cacheprovider tests/integration/test_grading_exercises.py '
        '-k "01-publish and not cli"')), end="")


#: Peak and current memory of the container's cgroup: (v2 peak, anon) or (v1 max, rss).
_MEMORY = """cd /sys/fs/cgroup
if [ -f memory.peak ]; then echo "$(cat memory.peak) $(sed -n 's/^anon //p' memory.stat)"
else cd memory
     echo "$(cat memory.max_usage_in_bytes) $(sed -n 's/^total_rss //p' memory.stat)"; fi"""


def memory(session: Session, record: Record) -> None:
    """The container's memory peak (cgroup v2 memory.peak, or v1's max usage)."""
    peak, rss = session.docker("exec", BOX, "sh", "-c", _MEMORY).split()
    record.figure(f"memory peak: {int(peak) // 1048576} MiB of Binder's "
                  f"{MEMORY_BYTES // 1048576} MiB, page cache included (processes now: "
                  f"{int(rss) // 1048576} MiB)")
    print(indented(session.docker("exec", BOX, "labcheck", "engine", "status")), end="")


# -- the whole run ------------------------------------------------------------------------

def steps(record: Record, cache: Path, session: Session, work: Path) -> Iterator[None]:
    """Each step in turn (a generator, so that the caller times and cleans up)."""
    record.step(f"host tools and the cache ({cache})", "cache")
    ensure_host_tools()
    cache.mkdir(parents=True, exist_ok=True)
    program = repo2docker(cache)
    print(f"   repo2docker {run([str(program), '--version']).strip()}", flush=True)
    run([sys.executable, str(ROOT / "scripts" / "binder-cache.py"), str(cache)], capture=False)
    session.env["DOCKER_CONFIG"] = str(docker_config(cache))  # the cached buildx
    yield

    record.step("the build context: the repository's files, binder/offline/ filled", "context")
    context = build_context(work, cache)
    offline = context / "binder" / "offline"
    print(f"   {(size_of(context) - size_of(offline)) // 1_000_000} MB of course files, "
          f"offline: {size_of(offline) // 1_000_000} MB", flush=True)
    yield

    record.step(f"a Docker engine of its own ({session.engine.name}, a network namespace), "
                "the base image imported", "engine")
    session.start(fresh=bool(os.environ.get("LABCHECK_BINDER_FRESH")))
    session.docker("import", "--change", "LABEL io.labcheck.binder-base=mmdebstrap",
                   str(cache / "base" / "debian-bookworm.tar"), "debian:bookworm-slim")
    yield

    record.step("repo2docker builds binder/Dockerfile", "build")
    build(session, program, context, work / "build.log", record)
    yield

    record.step("the image run as Binder runs it: uid 1000, no privileges, "
                "--memory 2g --cpus 1", "run")
    token = secrets.token_hex(24)
    started = run_as_binder(session, token)
    yield

    record.step("a student's Run All of lesson 01 through the Jupyter server", "lesson01")
    lesson_01(session, token, started, record)
    yield

    record.step("exercise 01-publish graded inside the container: the solution passes, "
                "each broken variant fails", "grading")
    grading(session)
    yield

    record.step("memory", "memory")
    memory(session, record)
    yield


def main() -> int:
    if os.geteuid() != 0:
        print("test-binder: run as root (it starts a Docker engine in a network namespace)",
              file=sys.stderr)
        return 1
    cache = Path(os.environ.get("LABCHECK_BINDER_CACHE")
                 or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                 / "labcheck" / "binder")
    engine = NetnsEngine(os.environ.get("LABCHECK_BINDER_ENGINE", "binder-test"))
    record = Record()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="labcheck-binder.") as folder:
        session = Session(engine)
        try:
            for _ in steps(record, cache, session, Path(folder)):
                record.done()
        except Failed as failure:
            print(f"test-binder: {failure}", file=sys.stderr)
            return 1
        finally:
            session.close()
    print(f"== test-binder passed in {round(time.monotonic() - began)} s:")
    for name, took in record.steps:
        print(f"   {name}: {took} s")
    print("   figures:")
    for line in record.figures:
        print(f"     {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
