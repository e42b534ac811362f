"""What make test-binder fetches on the host before the build, cached (scripts/test-binder.py).

This machine's containers reach nothing off it, so the Binder image's build cannot
download; everything it would download is fetched here first, from the Debian
archive the machine's own apt sources name (:func:`labcheck.live.engines.apt.debian_archive`)
and from PyPI, into CACHE (reused by the next run):

- ``base/debian-bookworm.tar``: a Debian 12 root file system made with mmdebstrap
  (minbase, merged /usr, no documentation), ``docker import``-ed as the Dockerfile's base;
- ``apt-repo/``: a flat apt repository (``Packages``, ``Release``, the ``.deb`` files) of
  ``binder/packages.txt`` and the engine VM's packages (:data:`labcheck.live.vm.build.PACKAGES`
  and the kernel) with all their dependencies, resolved against an empty system, so that
  whatever the VM build asks for inside the image is there;
- ``wheels/``: ``binder/requirements.txt`` and setuptools as wheels, made by this
  machine's Debian ``python3`` (the image's Python version);
- ``buildx/docker-buildx``: the docker CLI plugin repo2docker builds with, from Debian
  unstable (Debian 12 has none).

Usage: ``python scripts/binder-cache.py CACHE`` (prints one line a part; ``--refresh``
fetches everything again).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from labcheck.live.engines.apt import PrivateApt, debian_archive, run_tool, unpack
from labcheck.live.vm.build import KERNEL_METAS, PACKAGES

ROOT = Path(__file__).resolve().parents[1]
SUITE = "bookworm"
#: Where mmdebstrap keeps its hooks (Debian's package).
MERGED_USR_HOOK = Path("/usr/share/mmdebstrap/hooks/merged-usr")


def say(line: str) -> None:
    print(f"binder-cache: {line}", flush=True)


def _listed(path: Path) -> list[str]:
    return [line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.split("#")[0].strip()]


def base(cache: Path, refresh: bool) -> Path:
    """The Debian 12 root file system as a tar (mmdebstrap, from the machine's archive)."""
    out = cache / "base" / f"debian-{SUITE}.tar"
    if out.is_file() and not refresh:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    line = debian_archive().source(SUITE).line
    say(f"mmdebstrap {SUITE} (minbase) from the machine's Debian archive")
    tmp = out.with_suffix(".tmp")
    hooks = ["--hook-dir", str(MERGED_USR_HOOK)] if MERGED_USR_HOOK.is_dir() else []
    run_tool(["mmdebstrap", "--quiet", "--variant=minbase", "--mode=root", "--format=tar", *hooks,
              "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/doc/*",
              "--dpkgopt=path-include=/usr/share/doc/*/copyright",
              "--dpkgopt=path-exclude=/usr/share/locale/*",
              SUITE, str(tmp), line], "mmdebstrap", timeout=1800)
    tmp.replace(out)
    return out


def _release(folder: Path) -> None:
    """A Release file naming Packages' size and hash (the repository is [trusted=yes])."""
    packages = folder / "Packages"
    digest = hashlib.sha256(packages.read_bytes()).hexdigest()
    (folder / "Release").write_text(
        f"Origin: labcheck make test-binder\nLabel: offline\nSuite: {SUITE}\n"
        f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S UTC', time.gmtime())}\n"
        f"SHA256:\n {digest} {packages.stat().st_size} Packages\n", encoding="utf-8")


def apt_repo(cache: Path, refresh: bool) -> Path:
    """The flat repository of the image's and the VM's packages and their dependencies."""
    folder = cache / "apt-repo"
    wanted = sorted({*_listed(ROOT / "binder" / "packages.txt"), *PACKAGES, KERNEL_METAS[0]})
    stamp = folder / "wanted.txt"
    if (folder / "Packages").is_file() and stamp.is_file() and not refresh \
            and stamp.read_text(encoding="utf-8").split() == wanted:
        return folder
    if refresh:
        shutil.rmtree(folder, ignore_errors=True)
    (folder / "partial").mkdir(parents=True, exist_ok=True)
    apt = PrivateApt(cache / "apt", debian_archive().source(SUITE))
    apt.update(say)
    (cache / "apt" / "status").write_text("", encoding="utf-8")  # an empty system
    say(f"downloading {' '.join(wanted)} with their dependencies")
    run_tool(["apt-get", "-q", "-y", *apt.options(), "-o", f"Dir::Cache::Archives={folder}",
              "--no-install-recommends", "install", "--download-only", *wanted],
             "apt-get install --download-only", timeout=1800)
    shutil.rmtree(folder / "partial", ignore_errors=True)
    for stale in folder.glob("*.bin"):
        stale.unlink()
    scanned = run_tool(["dpkg-scanpackages", "--multiversion", ".", "/dev/null"],
                       "dpkg-scanpackages", cwd=folder)
    (folder / "Packages").write_text(scanned, encoding="utf-8")
    _release(folder)
    stamp.write_text("\n".join(wanted) + "\n", encoding="utf-8")
    return folder


def wheels(cache: Path, refresh: bool) -> Path:
    """Wheels of binder/requirements.txt (and setuptools), by Debian's python3."""
    folder = cache / "wheels"
    requirements = ROOT / "binder" / "requirements.txt"
    stamp = folder / "requirements.txt"
    if stamp.is_file() and not refresh and stamp.read_bytes() == requirements.read_bytes():
        return folder
    venv = cache / "wheel-venv"
    if not (venv / "bin" / "pip").exists():
        run_tool(["/usr/bin/python3", "-m", "venv", str(venv)], "python3 -m venv")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    say("pip wheel -r binder/requirements.txt (Debian's python3)")
    run_tool([str(venv / "bin" / "pip"), "wheel", "-q", "--wheel-dir", str(folder),
              "-r", str(requirements), "setuptools>=68", "wheel"], "pip wheel", timeout=1800)
    shutil.copy2(requirements, stamp)
    return folder


def buildx(cache: Path, refresh: bool) -> Path:
    """The docker-buildx CLI plugin (Debian unstable's package, unpacked)."""
    plugin = cache / "buildx" / "docker-buildx"
    if plugin.is_file() and not refresh:
        return plugin
    apt = PrivateApt(cache / "apt-sid", debian_archive().source("sid"))
    apt.update(say)
    work = cache / "buildx" / "unpacked"
    shutil.rmtree(work, ignore_errors=True)
    debs = apt.download(["docker-buildx"], cache / "buildx" / "debs")
    unpack(debs.values(), work)
    found = sorted(work.rglob("cli-plugins/docker-buildx"))
    if not found:
        raise SystemExit("binder-cache: the docker-buildx package has no cli-plugins/docker-buildx")
    shutil.copy2(found[0], plugin)
    shutil.rmtree(work)
    shutil.rmtree(cache / "buildx" / "debs")
    return plugin


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--refresh"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    refresh = "--refresh" in argv
    cache = Path(args[0])
    cache.mkdir(parents=True, exist_ok=True)
    os.umask(0o022)
    for name, part in (("base", base), ("apt-repo", apt_repo), ("wheels", wheels),
                       ("buildx", buildx)):
        began = time.monotonic()
        path = part(cache, refresh)
        size = subprocess.run(["du", "-sh", str(path)], capture_output=True, text=True,
                              check=False).stdout.split("\t")[0]
        say(f"{name}: {path} ({size}, {time.monotonic() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
