"""Debian packages without touching the machine's apt set-up: one module for every user.

Two parts of labcheck take Debian packages from an archive the machine's own
apt set-up does not serve: the netns engine (Docker from Debian unstable or
trixie, :func:`fetch_engine`) and the engine VM's image
(:mod:`labcheck.live.vm.build`). Both go through here:

- :func:`debian_archive`: the Debian archive the machine already uses (its
  URI and the keyring its ``Signed-By`` names), read from
  ``/etc/apt/sources.list`` and ``/etc/apt/sources.list.d/*.{list,sources}``
  (one-line and deb822 entries; ``Enabled: no`` skipped);
  ``$LABCHECK_DEBIAN_ARCHIVE`` overrides the URI.
- :class:`PrivateApt`: a sources list, lists, cache and status of its own in
  a folder (no preferences), with ``update``, ``show``, ``depends`` and
  ``download``; the machine's apt set-up is only read (apt.conf.d, for a
  proxy, and the keyrings).
- :class:`Fetcher`: downloads packages into a folder once and remembers which
  file is which package; :func:`unpack` (``dpkg-deb -x``) and
  :func:`manifest` (package -> version of what was fetched).
- :func:`fetch_engine`: a Docker engine of a Debian suite laid out for
  a netns engine (:mod:`labcheck.live.engines.netns`), cached per user.

The parsers (sources files, apt output) are pure functions in :mod:`.apttext`,
re-exported here and tested without apt.

Command line: ``python -m labcheck.live.engines.apt CHANNEL [--refresh]``
prints ``CHANNEL: Docker X.Y.Z in FOLDER`` (exit 0), or one line on stderr
(exit 1; 2 for a usage error).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from ...errors import EnvironmentProblem
from .apttext import (
    AptEntry,
    AptSource,
    DebianArchive,
    debian_archive,
    first_apt_error,
    parse_deb822_sources,
    parse_depends,
    parse_docker_version,
    parse_one_line_sources,
    parse_show,
    parse_sources_file,
    pick_debian_archive,
    private_apt_options,
    sources_line,
)
from .base import Say, quiet

__all__ = [
    "AptEntry", "DebianArchive", "AptSource", "PrivateApt", "Fetcher", "FetchedEngine",
    "CHANNELS", "ENGINE_PACKAGES", "ENGINE_PROGRAMS",
    "parse_one_line_sources", "parse_deb822_sources", "parse_sources_file", "pick_debian_archive",
    "debian_archive", "sources_line", "private_apt_options", "parse_show", "parse_depends",
    "parse_docker_version", "first_apt_error", "run_tool", "download", "unpack", "deb_field",
    "manifest", "lay_out", "engines_dir", "fetch_engine", "main",
]

#: The suites :func:`fetch_engine` takes an engine from: Debian unstable (the current
#: engine, Docker 28.x today) and Debian 13 (26.1).
CHANNELS: tuple[str, ...] = ("sid", "trixie")

#: The packages that make a Docker engine in Debian (the VM build takes these from
#: the suite; the rest of its image stays the distribution's).
ENGINE_PACKAGES: tuple[str, ...] = ("docker.io", "containerd")

#: Programs of the fetched packages that go into an engine's ``bin/`` (the fetched runc
#: is left out: it needs a newer glibc than Debian 12's, and the system's serves).
#: ``docker`` is the suite's CLI: Engine 29 refuses a CLI older than API 1.44, which
#: Debian 12's docker 20.10 is.
ENGINE_PROGRAMS: tuple[str, ...] = ("dockerd", "containerd", "containerd-shim-runc-v2",
                                    "docker-proxy", "docker-init", "docker")

# -- running apt and dpkg-deb --------------------------------------------------------------

def run_tool(cmd: Sequence[str], what: str, *, cwd: Path | None = None,
             env: Mapping[str, str] | None = None, check: bool = True,
             timeout: float = 900) -> str:
    """Run a program, return its stdout; EnvironmentProblem with its last lines if it fails."""
    try:
        out = subprocess.run(list(cmd), cwd=cwd, env=None if env is None else dict(env),
                             capture_output=True, text=True, timeout=timeout, check=False,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvironmentProblem(f"{what} failed: {exc}") from None
    if check and out.returncode != 0:
        text = out.stderr + "\n" + out.stdout
        if cmd[0] in ("apt-get", "apt-cache"):
            tail = first_apt_error(text)
        else:
            tail = " / ".join(text.strip().splitlines()[-3:])
        raise EnvironmentProblem(f"{what} failed (exit {out.returncode}): {tail}")
    return out.stdout


def deb_field(deb: Path, name: str) -> str:
    """One control field of a ``.deb`` file."""
    return run_tool(["dpkg-deb", "-f", str(deb), name], f"dpkg-deb -f {deb.name}").strip()


def download(packages: Iterable[str], dest: Path,
             options: Sequence[str] = ()) -> dict[str, Path]:
    """``apt-get download`` ``packages`` into ``dest``: package -> its ``.deb`` file.

    apt-get works in a scratch folder inside ``dest``, so what it gave is known
    whatever older files ``dest`` holds.
    """
    wanted = sorted(set(packages))
    scratch = dest / ".download"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        run_tool(["apt-get", "-q", *options, "download", *wanted],
                 f"apt-get download {' '.join(wanted)}", cwd=scratch)
        found: dict[str, Path] = {}
        for deb in sorted(scratch.glob("*.deb")):
            name = deb_field(deb, "Package")
            if name in wanted:
                found[name] = deb.replace(dest / deb.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    lost = [p for p in wanted if p not in found]
    if lost:
        raise EnvironmentProblem(f"apt-get download gave no file for {', '.join(lost)}")
    return found


def unpack(debs: Iterable[Path], dest: Path) -> None:
    """``dpkg-deb -x`` each package into ``dest`` (no maintainer scripts run)."""
    dest.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        run_tool(["dpkg-deb", "-x", str(deb), str(dest)], f"dpkg-deb -x {deb.name}")


def manifest(debs: Iterable[Path]) -> dict[str, str]:
    """What was fetched: package -> version, read from the ``.deb`` files themselves."""
    result: dict[str, str] = {}
    for deb in debs:
        fields = parse_show(run_tool(["dpkg-deb", "-f", str(deb), "Package", "Version"],
                                     f"dpkg-deb -f {deb.name}"))
        result[fields.get("Package", deb.name)] = fields.get("Version", "?")
    return dict(sorted(result.items()))


@dataclass(frozen=True)
class PrivateApt:
    """An apt of its own in ``folder``: ``source`` is its whole sources list.

    Lists, cache and status live in ``folder``; the machine's apt set-up is
    only read. ``prepare`` before the first ``update``.
    """

    folder: Path
    source: AptSource

    def options(self) -> list[str]:
        return private_apt_options(self.folder)

    def prepare(self) -> None:
        """The folders, the sources list (``source``'s line) and an empty status."""
        for sub in ("lists/partial", "cache/archives/partial"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        (self.folder / "sources.list").write_text(self.source.line.strip() + "\n",
                                                  encoding="utf-8")
        status = self.folder / "status"
        if not status.exists():
            status.write_text("", encoding="utf-8")

    def update(self, say: Say) -> None:
        """``apt-get update`` of the private lists (``prepare`` first)."""
        self.prepare()
        say(f"apt-get update for {self.source.line.strip()!r} (private lists)")
        # --error-on=any: an archive that does not answer fails here (apt only warns otherwise)
        run_tool(["apt-get", "-q", *self.options(), "--error-on=any", "update"],
                 f"apt-get update of {self.source.line.strip()!r}")

    def show(self, package: str) -> dict[str, str]:
        """The candidate's fields from ``apt-cache show`` ({} when the lists lack it)."""
        return parse_show(run_tool(["apt-cache", *self.options(), "show", package],
                                   f"apt-cache show {package}", check=False))

    def has(self, package: str) -> bool:
        return bool(self.show(package))

    def depends(self, package: str, pattern: str) -> list[str]:
        out = run_tool(["apt-cache", *self.options(), "depends", package],
                       f"apt-cache depends {package}", check=False)
        return parse_depends(out, pattern)

    def download(self, packages: Iterable[str], dest: Path) -> dict[str, Path]:
        return download(packages, dest, self.options())


class Fetcher:
    """Downloads packages into ``folder`` once; remembers which file is which package.

    ``apt`` None: the machine's own apt lists. ``refresh`` forgets what was there.
    """

    def __init__(self, folder: Path, apt: PrivateApt | None, refresh: bool, say: Say) -> None:
        self.folder, self.apt, self.say = folder, apt, say
        folder.mkdir(parents=True, exist_ok=True)
        self.index_file = folder / "index.json"
        self.index: dict[str, str] = {}
        if self.index_file.is_file() and not refresh:
            try:
                self.index = dict(json.loads(self.index_file.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                self.index = {}
        self.index = {k: v for k, v in self.index.items() if (folder / v).is_file()}

    def options(self) -> list[str]:
        return self.apt.options() if self.apt else []

    def lacks(self, packages: Iterable[str]) -> bool:
        """Whether any of ``packages`` is still to be downloaded."""
        return any(p not in self.index for p in packages)

    def depends(self, package: str, pattern: str) -> list[str]:
        out = run_tool(["apt-cache", *self.options(), "depends", package],
                       f"apt-cache depends {package}", check=False)
        return parse_depends(out, pattern)

    def fetch(self, packages: Iterable[str]) -> dict[str, Path]:
        """package -> its ``.deb`` in ``folder``, downloading the ones not there yet."""
        wanted = sorted(set(packages))
        todo = [p for p in wanted if p not in self.index]
        if todo:
            self.say(f"downloading {len(todo)} packages: {' '.join(todo)}")
            got = download(todo, self.folder, self.options())
            self.index.update({name: deb.name for name, deb in got.items()})
            self.index_file.write_text(json.dumps(self.index, indent=1, sort_keys=True),
                                       encoding="utf-8")
        return {p: self.folder / self.index[p] for p in wanted}


# -- a Docker engine of a Debian suite -----------------------------------------------------

@dataclass(frozen=True)
class FetchedEngine:
    """A Docker engine fetched by :func:`fetch_engine`.

    ``bin_dir`` holds the programs dockerd runs and the CLI (a netns engine
    puts it first on dockerd's ``PATH``: ``labcheck engine start NAME --engine sid``);
    ``cli_plugins_dir`` holds ``docker-compose``; ``packages`` is what was fetched
    (package -> version).
    """

    channel: str
    folder: Path
    version: str
    bin_dir: Path
    cli_plugins_dir: Path
    packages: dict[str, str] = field(default_factory=dict, hash=False)

    def describe(self) -> str:
        """``sid: Docker 28.5.2 in FOLDER``."""
        return f"{self.channel}: Docker {self.version} in {self.folder}"


def engines_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where fetched engines are kept: ``$LABCHECK_ENGINES_DIR``, else
    ``$XDG_CACHE_HOME/labcheck/engines``, else ``~/.cache/labcheck/engines``.

    >>> engines_dir({"XDG_CACHE_HOME": "/c"}).as_posix()
    '/c/labcheck/engines'
    """
    env = os.environ if environ is None else environ
    if env.get("LABCHECK_ENGINES_DIR"):
        return Path(env["LABCHECK_ENGINES_DIR"])
    cache = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(cache) / "labcheck" / "engines"


def _find_program(root: Path, name: str) -> Path | None:
    """``name`` (a file or symlink) in a ``bin``/``sbin`` folder of ``root``, first by path."""
    hits = sorted(p for p in root.rglob(name)
                  if (p.is_file() or p.is_symlink()) and "bin/" in p.relative_to(root).as_posix())
    return hits[0] if hits else None


def lay_out(unpacked: Path, folder: Path, *,
            which: Callable[[str], str | None] = shutil.which) -> None:
    """Make ``folder/bin`` and ``folder/cli-plugins`` point into the unpacked packages.

    ``unpacked`` is where the packages were unpacked (``folder/root`` normally): the
    links are relative, so the folder can move. ``bin/`` gets :data:`ENGINE_PROGRAMS`;
    ``docker-init`` falls back to this machine's (``docker-init``, ``tini-static`` or
    ``tini``: the same program) when the packages lack it. ``cli-plugins/`` gets
    ``docker-compose``. EnvironmentProblem names what is missing.
    """
    bin_dir, plugins = folder / "bin", folder / "cli-plugins"
    bin_dir.mkdir(parents=True, exist_ok=True)
    plugins.mkdir(parents=True, exist_ok=True)
    for name in ENGINE_PROGRAMS:
        link = bin_dir / name
        if link.is_symlink() or link.exists():
            link.unlink()
        found = _find_program(unpacked, name)
        if found is not None:
            link.symlink_to(os.path.relpath(found, bin_dir))
            continue
        if name != "docker-init":
            raise EnvironmentProblem(f"{name} is not in the fetched packages")
        system = which("docker-init") or which("tini-static") or which("tini")
        if not system:
            raise EnvironmentProblem("no docker-init: the fetched packages lack it and neither "
                                     "docker-init nor tini is installed (apt-get install tini)")
        link.symlink_to(system)
    hits = sorted(p for p in unpacked.rglob("docker-compose")
                  if "cli-plugins/" in p.relative_to(unpacked).as_posix())
    if not hits:
        raise EnvironmentProblem("the docker-compose package has no cli-plugins/docker-compose")
    link = plugins / "docker-compose"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(hits[0], plugins))


def _engine_packages(apt: PrivateApt) -> list[str]:
    """What a netns engine takes from the suite: the engine, Compose, the CLI, docker-init.

    The CLI is its own package (``docker-cli``) where the suite has one; docker-init is
    ``tini-static``, its own package in sid and part of ``tini`` in trixie.
    """
    packages = [*ENGINE_PACKAGES, "docker-compose"]
    if apt.has("docker-cli"):
        packages.append("docker-cli")
    packages.append("tini-static" if apt.has("tini-static") else "tini")
    return packages


def _cached(folder: Path) -> bool:
    return all(os.access(folder / "bin" / name, os.X_OK) for name in ("dockerd", "docker")) \
        and (folder / "VERSION").is_file() and bool((folder / "VERSION").read_text().strip())


def _read_packages(text: str) -> dict[str, str]:
    """``packages.txt`` (``PACKAGE VERSION`` lines) as a dict.

    >>> _read_packages("docker.io 28.5.2+dfsg4-5\\ncontainerd 2.1.9\\n")
    {'docker.io': '28.5.2+dfsg4-5', 'containerd': '2.1.9'}
    """
    return {parts[0]: parts[1] for line in text.splitlines()
            if len(parts := line.split()) == 2}


def _load(channel: str, folder: Path) -> FetchedEngine:
    listed = folder / "packages.txt"
    packages = _read_packages(listed.read_text(encoding="utf-8")) if listed.is_file() else {}
    return FetchedEngine(channel, folder, (folder / "VERSION").read_text().strip(),
                         folder / "bin", folder / "cli-plugins", packages)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One holder at a time (``flock``, as the shell scripts that share the cache did)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fetch_into(channel: str, cache: Path, work: Path, say: Say,
                environ: Mapping[str, str] | None) -> None:
    """Fetch ``channel``'s engine and lay it out in ``work`` (a scratch folder)."""
    apt = PrivateApt(cache / "apt" / channel, debian_archive(environ).source(channel))
    apt.update(say)
    packages = _engine_packages(apt)
    say(f"downloading {' '.join(packages)} from Debian {channel}")
    debs = apt.download(packages, work / "debs")
    unpack(debs.values(), work / "root")
    fetched = manifest(debs.values())
    (work / "packages.txt").write_text("".join(f"{p} {v}\n" for p, v in fetched.items()),
                                       encoding="utf-8")
    lay_out(work / "root", work)
    try:
        out = subprocess.run([str(work / "bin" / "dockerd"), "--version"], capture_output=True,
                             text=True, timeout=60, check=False)
        text = out.stdout + out.stderr
    except OSError as exc:
        text = str(exc)
    version = parse_docker_version(text)
    if version is None:
        first = (text.strip().splitlines() or ["no output"])[0]
        raise EnvironmentProblem(f"the fetched dockerd does not run here: {first}")
    (work / "VERSION").write_text(version + "\n", encoding="utf-8")
    shutil.rmtree(work / "debs")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def fetch_engine(channel: str, *, refresh: bool = False, say: Say = _stderr,
                 environ: Mapping[str, str] | None = None) -> FetchedEngine:
    """Docker from Debian ``channel`` (``sid`` or ``trixie``), fetched once into the cache.

    Downloads docker.io, containerd, docker-compose, the CLI (docker-cli, where the
    suite has it) and docker-init's tini from a :class:`PrivateApt` on the machine's
    :func:`debian_archive`, unpacks them and lays out, under
    ``engines_dir()/CHANNEL/``: ``root/`` (the unpacked packages), ``bin/``
    (:data:`ENGINE_PROGRAMS`, links into ``root/``), ``cli-plugins/docker-compose``,
    ``VERSION`` (the engine's, one line) and ``packages.txt`` (``PACKAGE VERSION``).

    A second call returns the cached engine at once. ``refresh`` fetches again and,
    when the archive cannot serve (unstable is sometimes briefly uninstallable),
    keeps the cached version with one line through ``say``. One fetch per channel
    runs at a time (``flock``); an unfinished fetch never replaces a finished one.
    Without a cached version a failure is an EnvironmentProblem of one line.
    ``environ`` (default: this process's) gives ``LABCHECK_ENGINES_DIR`` and
    ``LABCHECK_DEBIAN_ARCHIVE``.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}: one of {', '.join(CHANNELS)}")
    cache = engines_dir(environ)
    dest = cache / channel
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot make the engine cache {cache}: {exc}") from None
    with _locked(cache / f".{channel}.lock"):
        if _cached(dest) and not refresh:
            return _load(channel, dest)
        work = cache / f".{channel}.new"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            _fetch_into(channel, cache, work, say, environ)
        except EnvironmentProblem as exc:
            shutil.rmtree(work, ignore_errors=True)
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "no reason given"
            if _cached(dest):
                say(f"cannot refresh {channel!r} ({reason}); keeping the last fetched version")
                return _load(channel, dest)
            raise EnvironmentProblem(f"cannot fetch Docker from Debian {channel!r}: "
                                     f"{reason}") from None
        old = cache / f".{channel}.old"
        shutil.rmtree(old, ignore_errors=True)
        if dest.exists() or dest.is_symlink():
            dest.rename(old)
        work.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
        return _load(channel, dest)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m labcheck.live.engines.apt CHANNEL [--refresh]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    refresh = "--refresh" in args
    rest = [a for a in args if a != "--refresh"]
    if len(rest) != 1 or rest[0] not in CHANNELS:
        _stderr(f"usage: python -m labcheck.live.engines.apt {{{','.join(CHANNELS)}}} "
                "[--refresh]   (fetch Docker from that Debian suite into "
                f"{engines_dir()})")
        return 2
    try:
        engine = fetch_engine(rest[0], refresh=refresh, say=_stderr if refresh else quiet)
    except EnvironmentProblem as exc:
        _stderr(str(exc))
        return 1
    print(engine.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
