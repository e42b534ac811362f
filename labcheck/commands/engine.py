"""``labcheck engine``: Docker engines by name, every kind alike.

``start [NAME] [--kind K] [--engine E]``, ``stop``, ``status``, ``env``,
``run NAME -- CMD``, ``list``; ``build`` makes the engine VM's image and
``fetch`` a Debian engine's binaries. NAME defaults to ``vm``, the user's
engine VM (no root needed); ``system`` is the machine's daemon; any other
name is a dockerd in its own network namespace (root), of the version
``--engine`` names (``distribution``, ``sid``, ``trixie``, a folder of
binaries or an archive of one).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from ..errors import EXIT_ENVIRONMENT, EXIT_OK, UsageError

__all__ = ["register", "run"]

DEFAULT_NAME = "vm"


def _add_name(parser: argparse.ArgumentParser, *, kind: bool = False) -> None:
    parser.add_argument("name", nargs="?", default=DEFAULT_NAME, metavar="NAME",
                        help=f"the engine (default: {DEFAULT_NAME}, your engine VM; system: "
                             "the machine's daemon; any other name: a netns engine)")
    if kind:
        parser.add_argument("--kind", choices=["system", "netns", "vm"],
                            help="the kind of a new engine (default: from the name)")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "engine", help="Docker engines by name: the machine's, netns ones, the VM",
        description="Start, stop and list Docker engines. The default engine, 'vm', is a "
                    "Docker engine in a QEMU VM owned by you (no root, no daemon needed): "
                    "labcheck engine build, then labcheck engine start and "
                    "eval \"$(labcheck engine env)\". As root, any other name starts a "
                    "dockerd of any version in its own network namespace: labcheck engine "
                    "start node1 --engine sid.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    build = actions.add_parser("build", help="build the VM image from Debian packages and "
                                             "save a booted state (a few minutes, once)")
    build.add_argument("--apt-source", metavar="LINE",
                       help="take the packages from this apt source line (kept in a private "
                            "apt state), e.g. 'deb <mirror> bookworm main'")
    build.add_argument("--engine", choices=["sid"], default=None,
                       help="the engine from Debian unstable (sid: Docker 28.x today) instead "
                            "of the distribution's docker.io; recorded in the manifest")
    build.add_argument("--refresh", action="store_true",
                       help="download the packages again instead of reusing the cached ones")
    build.add_argument("--no-save", action="store_true",
                       help="do not boot the VM to save a ready state (start then boots cold)")
    start = actions.add_parser("start", help="start an engine and wait for its Docker API")
    _add_name(start, kind=True)
    start.add_argument("--engine", metavar="VERSION",
                       help="what a netns engine runs: distribution (default), sid, trixie, "
                            "a folder holding dockerd, or a .tar.xz of one")
    stop = actions.add_parser("stop", help="stop an engine (nothing of it is left running)")
    _add_name(stop)
    stop.add_argument("--purge", action="store_true",
                      help="also remove its data (images, containers)")
    status = actions.add_parser("status", help="running or not, engine version, address, "
                                               "forwarded ports")
    _add_name(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    env = actions.add_parser("env", help="print the shell lines that point docker at an engine")
    _add_name(env)
    listing = actions.add_parser("list", help="every engine running here: name, kind, "
                                              "version, address")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    runner = actions.add_parser("run", help="run a command beside an engine (DOCKER_HOST set; "
                                            "inside a netns engine's namespace)")
    runner.add_argument("name", metavar="NAME")
    runner.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- CMD ...")
    parser.set_defaults(func=run, _parser=parser)


def _engine(args: argparse.Namespace) -> Any:
    from ..live.engines.registry import engine

    try:
        return engine(args.name, kind=getattr(args, "kind", None),
                      version=getattr(args, "engine", None))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _build(args: argparse.Namespace) -> int:
    from ..live.engines.vm import VmEngine
    from ..live.vm import engine
    from ..live.vm.build import AptSource

    paths = VmEngine().paths
    began = time.monotonic()
    source = AptSource(args.apt_source) if args.apt_source else None
    result, cold = engine.build(paths, source=source, engine=args.engine, refresh=args.refresh,
                                save_state=not args.no_save, say=print)
    print(f"image: kernel {result.kernel_version}, {len(result.modules)} modules, "
          f"docker.io {result.packages.get('docker.io', '?')} ({result.engine}), initramfs "
          f"{result.initrd_bytes // (1 << 20)} MiB, in {paths.image}")
    if cold is not None:
        print(f"ready state saved (a cold boot took {cold:.0f} s to answer)")
    print(f"built in {time.monotonic() - began:.0f} s. Next: labcheck engine start")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from ..live.engines.registry import running

    found = running()
    if args.json:
        print(json.dumps([s.as_dict() for s in found], indent=1))
        return EXIT_OK
    if not found:
        print("no engine runs here (labcheck engine start [NAME])")
        return EXIT_OK
    rows = [("NAME", "KIND", "VERSION", "ADDRESS", "WHERE")]
    rows += [(s.name, s.kind, s.version, s.docker_host, s.where) for s in found]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    return EXIT_OK


def _run_beside(args: argparse.Namespace) -> int:
    argv = list(args.argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        raise UsageError("give the command to run: labcheck engine run NAME -- CMD ...")
    eng = _engine(args)
    if not eng.status().running:
        print(f"labcheck: engine {eng.name!r} is not running (labcheck engine start "
              f"{eng.name})", file=sys.stderr)
        return EXIT_ENVIRONMENT
    sys.stdout.flush()
    return subprocess.run(eng.command(argv), env=eng.environ(), check=False).returncode


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "action", None)
    if action == "build":
        return _build(args)
    if action == "list":
        return _list(args)
    if action == "run":
        return _run_beside(args)
    if action not in ("start", "stop", "status", "env"):
        args._parser.print_help()
        return 2
    eng = _engine(args)
    if action == "start":
        began = time.monotonic()
        status = eng.start(say=print)
        print(f"{status.describe()} (ready in {time.monotonic() - began:.1f} s)")
        if "DOCKER_HOST" in eng.environ({}):  # (the machine's own socket needs nothing)
            print(f"point docker at it: eval \"$(labcheck engine env {eng.name})\"")
        return EXIT_OK
    if action == "stop":
        was = eng.stop(purge=args.purge)
        print(f"engine {eng.name!r} stopped" if was else f"engine {eng.name!r} was not running")
        return EXIT_OK
    status = eng.status()
    if action == "status":
        print(json.dumps(status.as_dict(), indent=1) if args.json else status.describe())
        return EXIT_OK if status.running else EXIT_ENVIRONMENT
    if not status.running:  # env
        print(f"# engine {eng.name!r} is not running. Start it: labcheck engine start "
              f"{eng.name}")
        return EXIT_ENVIRONMENT
    print("\n".join(eng.env_lines()))
    return EXIT_OK
