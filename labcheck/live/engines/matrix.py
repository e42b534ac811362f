"""The test matrix: the suite and the lessons on several engines, side by side.

``make test`` runs ``python -m labcheck.live.engines.matrix distribution sid 29``.
Each ENGINE token is a pass:

- ``distribution``: the machine's daemon (the ``system`` engine), in the tree itself;
- ``local``: the machine's dockerd again, in a network namespace of its own;
- ``sid``, ``trixie``: Debian unstable's or Debian 13's engine, fetched by :mod:`.apt`;
- a version such as ``29``: the archive ``docker-29*.tar.*`` in ``--archives``.

``TOKEN:facts`` runs only the engine-fact tests (and the lessons) on that
engine. Every pass but the first runs in its own copy of the tree, its own
engine and its own loopback (a netns engine), at the same time as the first;
the first pass runs everything, the later ones leave out the tests no engine
changes (``-m "not browser and not once"``). The two-engine test runs after
the passes, once for each later engine against the first. Each pass prints
under ``== engine: Docker X (what) ==`` when it ends, with its time; the exit
status is 1 when any pass failed. An engine that cannot be had fails the run
at once in CI (``CI`` set) and is skipped with one line elsewhere.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Mapping, Sequence

from ...errors import LabcheckError
from .base import Engine
from .netns import PROJECT, NetnsEngine
from .system import SystemEngine

__all__ = ["PassSpec", "plan", "main", "TWO_ENGINES", "NBVAL"]

TWO_ENGINES = "tests/integration/test_two_engines.py"
FACTS = "tests/integration/test_engine_facts.py"
#: the course CI: every lesson's stored outputs compared
NBVAL = ["--nbval", "lessons/", "--nbval-sanitize-with", "lessons/sanitize.cfg",
         "-p", "no:cacheprovider", "-p", "labcheck.pytest_plugin"]
LATER_MARKS = ["-m", "not browser and not once"]
LABELS = {"distribution": "the machine's daemon", "local": "distribution, own namespace",
          "sid": "Debian unstable", "trixie": "Debian 13"}


@dataclass(frozen=True)
class PassSpec:
    """One pass of the matrix: which engine, and what runs on it."""

    token: str
    #: what a netns engine runs (see :func:`.netns.binaries`); None for the system engine
    engine: str | None
    system: bool
    first: bool
    facts_only: bool = False
    label: str = ""

    def suite_args(self) -> list[str]:
        """pytest arguments of its suite (before the lessons).

        >>> PassSpec("distribution", None, True, True).suite_args()
        ['--durations=12', '--deselect', 'tests/integration/test_two_engines.py']
        >>> PassSpec("29", "/a/docker-29.tar.xz", False, False, True).suite_args()
        ['--durations=12', 'tests/integration/test_engine_facts.py']
        """
        args = ["--durations=12"]
        if self.facts_only:
            return args + [FACTS]
        args += ["--deselect", TWO_ENGINES]
        return args if self.first else args + LATER_MARKS


def _archive(version: str, archives: Path | None) -> Path | None:
    if archives is None or not archives.is_dir():
        return None
    found = sorted(archives.glob(f"docker-{version}*.tar.*"))
    return found[-1] if found else None


def plan(tokens: Sequence[str], archives: Path | None = None) -> list[PassSpec]:
    """The passes for ``tokens`` (pure but for looking for archives).

    >>> [(p.token, p.engine, p.first) for p in plan(["distribution", "sid"])]
    [('distribution', None, True), ('sid', 'sid', False)]
    >>> plan(["nine"])
    Traceback (most recent call last):
    ...
    ValueError: unknown engine 'nine' (distribution, local, sid, trixie, or a version such as 29)
    """
    passes: list[PassSpec] = []
    for i, item in enumerate(tokens):
        token, _, suite = item.partition(":")
        if suite not in ("", "facts"):
            raise ValueError(f"unknown suite {suite!r} in {item!r} (only :facts)")
        facts = suite == "facts"
        if token == "distribution":
            passes.append(PassSpec(token, None, True, i == 0, facts, LABELS[token]))
        elif token in ("local", "sid", "trixie"):
            engine = "distribution" if token == "local" else token
            passes.append(PassSpec(token, engine, False, i == 0, facts, LABELS[token]))
        elif token.replace(".", "").isdigit():
            found = _archive(token, archives)  # absolute: each pass runs in its own tree
            passes.append(PassSpec(token, str(found.resolve()) if found else "", False, i == 0,
                                   facts,
                                   f"Engine {token}" + (f", {found.name}" if found else "")))
        else:
            raise ValueError(f"unknown engine {token!r} (distribution, local, sid, trixie, "
                             "or a version such as 29)")
    return passes


def copy_tree(src: Path, dest: Path) -> None:
    """A copy of the project's files (tracked and new, not ignored) at ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=src, capture_output=True, check=True)
    names = [n for n in listed.stdout.decode().split("\0") if n and (src / n).exists()]
    with tarfile.open(dest / ".tree.tar", "w") as tar:
        for name in names:
            tar.add(src / name, arcname=name, recursive=False)
    with tarfile.open(dest / ".tree.tar") as tar:
        tar.extractall(dest, filter="tar")
    (dest / ".tree.tar").unlink()


@dataclass
class PassResult:
    spec: PassSpec
    title: str = ""
    suite: str = "not run"
    lessons: str = "not run"
    seconds: float = 0.0
    log: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.suite == "passed" and self.lessons == "passed"

    def line(self) -> str:
        head = "passed " if self.passed else "FAILED "
        what = " (engine facts only)" if self.spec.facts_only else ""
        return (f"{head} {self.title}: suite {self.suite}{what}, lessons {self.lessons} "
                f"({self.seconds / 60:.1f} min)")


class _Pass:
    """One pass: its engine, its tree, its log; run in a thread."""

    def __init__(self, spec: PassSpec, engine: Engine, tree: Path, python: str,
                 extra: Sequence[str], logs: Path) -> None:
        self.spec, self.engine, self.tree, self.python = spec, engine, tree, python
        self.extra = list(extra)
        self.log_path = logs / f"{spec.token}.log"
        self.result = PassResult(spec)

    def env(self, other: str | None = None) -> dict[str, str]:
        env = self.engine.environ()
        env["PYTHONPATH"] = str(self.tree)
        if self.spec.engine:  # the nodes of a multi-host lab (lesson 09) run this pass's engine
            env["LABCHECK_NODE_ENGINE"] = self.spec.engine
        if not self.spec.first:  # the run-twice test's backwards order: first engine only
            env["LABCHECK_LATER_ENGINE"] = "1"
        if other:
            env["LABCHECK_OTHER_DOCKER_HOST"] = other
        return env

    def _step(self, argv: Sequence[str], log: IO[str], env: Mapping[str, str]) -> bool:
        out = subprocess.run(self.engine.command(list(argv)), cwd=self.tree, env=dict(env),
                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             check=False)
        return out.returncode == 0

    def run(self) -> None:
        began = time.monotonic()
        version = self.engine.status().version.split("+")[0].split("~")[0]
        self.result.title = f"Docker {version or '?'} ({self.spec.label})"
        env = self.env()
        py = self.python
        with self.log_path.open("w") as log:
            ok = self._step([py, "-m", "labcheck", "doctor"], log, env)
            log.flush()
            if ok:
                ok = self._step([py, "-m", "pytest", *self.spec.suite_args(), *self.extra],
                                log, env)
            self.result.suite = "passed" if ok else "FAILED"
            log.flush()
            self.result.lessons = ("passed" if self._step([py, "-m", "pytest", *NBVAL], log, env)
                                   else "FAILED")
        self.result.seconds = time.monotonic() - began


def _say(message: str) -> None:
    print(f"test-matrix: {message}", file=sys.stderr, flush=True)


def _start_engines(passes: list[PassSpec], in_ci: bool) -> list[tuple[PassSpec, Engine]]:
    ready: list[tuple[PassSpec, Engine]] = []
    for spec in passes:
        engine: Engine
        if spec.system:
            engine = SystemEngine("system")
        else:
            name = f"test-{spec.token.replace('.', '_')}-{os.getpid()}"
            engine = NetnsEngine(name, spec.engine)
        try:
            if not spec.system and os.geteuid() != 0:
                raise LabcheckError("a netns engine needs root")
            if spec.engine == "":
                raise LabcheckError(f"not available here: no docker-{spec.token}*.tar.* in the "
                                    "engine archives folder (--archives)")
            engine.start(say=lambda m: None)
        except LabcheckError as exc:
            if not spec.system:
                engine.stop(purge=True)
            if in_ci:
                _say(f"cannot run the tests on {spec.label or spec.token}: {exc}")
                raise SystemExit(1) from None
            _say(f"skipping {spec.label or spec.token}: {exc}")
            continue
        ready.append((spec, engine))
    return ready


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labcheck.live.engines.matrix",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("engines", nargs="*", default=["distribution", "sid"])
    parser.add_argument("--archives", type=Path, default=None,
                        help="a folder of engine archives (docker-VERSION.tar.xz)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments, every pass")
    args = parser.parse_args(argv)
    try:
        passes = plan(args.engines, args.archives)
    except ValueError as exc:
        parser.error(str(exc))
    in_ci = bool(os.environ.get("CI"))
    # a run stopped from outside (CI's time limit, kill) still stops the engines it started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    ready = _start_engines(passes, in_ci)
    if not ready:
        _say("no engine to run the tests on")
        return 1
    started = [engine for _, engine in ready if isinstance(engine, NetnsEngine)]
    logs = PROJECT / "test-output" / "matrix"
    logs.mkdir(parents=True, exist_ok=True)
    results: list[PassResult] = []
    pairs: dict[str, bool] = {}  # the two-engine runs: title -> passed
    try:
        runners = []
        for spec, engine in ready:
            tree = PROJECT if spec is ready[0][0] else PROJECT / ".cache" / "passes" / spec.token
            if tree != PROJECT:
                copy_tree(PROJECT, tree)
            runners.append(_Pass(spec, engine, tree, args.python, args.pytest_args.split(),
                                 logs))
        _say("passes side by side: " + ", ".join(r.spec.token for r in runners)
             + f" (logs in {logs.relative_to(PROJECT)}/)")
        threads = [threading.Thread(target=r.run, name=r.spec.token) for r in runners]
        for thread in threads:
            thread.start()
        for runner, thread in zip(runners, threads, strict=True):
            thread.join()
            print(f"\n== engine: {runner.result.title} ==", flush=True)
            print(runner.log_path.read_text(errors="replace"), end="", flush=True)
            print(f"== {runner.result.title}: {runner.result.seconds / 60:.1f} min ==", flush=True)
        results = [r.result for r in runners]
        first = runners[0]
        for later in runners[1:]:  # the two-engine test: each later engine beside the first
            title = f"two engines: {first.result.title} and {later.result.title}"
            print(f"\n== {title} ==", flush=True)
            out = subprocess.run(first.engine.command(
                [args.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", TWO_ENGINES]),
                cwd=first.tree, env=first.env(later.engine.docker_host_url()), check=False)
            pairs[title] = out.returncode == 0
    finally:
        for engine in started:
            engine.stop(purge=True)
    print("\n== engines ==")
    for result in results:
        print(result.line())
    for title, passed in pairs.items():
        print(("passed " if passed else "FAILED ") + f" {title}")
    print(f"all passes took {(time.monotonic() - began) / 60:.1f} min", flush=True)
    return 0 if all(r.passed for r in results) and all(pairs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
