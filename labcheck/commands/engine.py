"""``labcheck engine build | start | stop | status | env``: a Docker engine in a QEMU VM.

For machines where dockerd cannot run (Binder, JupyterHub pods, a lab PC
without root): the VM is built from Debian packages without privileges,
runs as the user, and its Docker API answers on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from ..errors import EXIT_ENVIRONMENT, EXIT_OK

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "engine", help="a Docker engine in a QEMU VM (no root, no daemon needed)",
        description="Build, start and stop a Docker engine in a QEMU VM owned by you. "
                    "Typical use: labcheck engine build, then labcheck engine start and "
                    "eval \"$(labcheck engine env)\".")
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
    actions.add_parser("start", help="start the VM and wait for its Docker API")
    actions.add_parser("stop", help="stop the VM (nothing is left running)")
    status = actions.add_parser("status", help="running or not, engine version, address, "
                                               "forwarded ports")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    actions.add_parser("env", help="print the shell lines that point docker at the VM")
    parser.set_defaults(func=run, _parser=parser)


def run(args: argparse.Namespace) -> int:
    from ..live.vm import engine, qemu
    from ..live.vm.build import AptSource
    from ..live.vm.paths import EnginePaths

    paths = EnginePaths.default()
    action = getattr(args, "action", None)
    if action == "build":
        began = time.monotonic()
        source = AptSource(args.apt_source) if args.apt_source else None
        result, cold = engine.build(paths, source=source, engine=args.engine,
                                    refresh=args.refresh,
                                    save_state=not args.no_save, say=print)
        print(f"image: kernel {result.kernel_version}, {len(result.modules)} modules, "
              f"docker.io {result.packages.get('docker.io', '?')} ({result.engine}), initramfs "
              f"{result.initrd_bytes // (1 << 20)} MiB, in {paths.image}")
        if cold is not None:
            print(f"ready state saved (a cold boot took {cold:.0f} s to answer)")
        print(f"built in {time.monotonic() - began:.0f} s. Next: labcheck engine start")
        return EXIT_OK
    if action == "start":
        host, seconds = engine.ensure_running(paths, say=print)
        print(f"engine VM ready in {seconds:.1f} s at {host}")
        print(f"point docker at it: eval \"$(labcheck engine env)\"  (DOCKER_HOST={host})")
        return EXIT_OK
    if action == "stop":
        print("engine VM stopped" if qemu.stop(paths) else "engine VM was not running")
        return EXIT_OK
    if action == "status":
        st = qemu.status(paths)
        if args.json:
            print(json.dumps({"running": st.running, "docker_host": st.state.docker_host
                              if st.state else None, "version": st.version,
                              "api_version": st.api_version, "forwards": st.forwards,
                              "problem": st.problem}, indent=1))
        else:
            print(st.describe())
        return EXIT_OK if st.running else EXIT_ENVIRONMENT
    if action == "env":
        running = qemu.docker_host(paths)
        if running is None:
            print("# the engine VM is not running. Start it: labcheck engine start")
            return EXIT_ENVIRONMENT
        print("\n".join(engine.env_lines(running)))
        return EXIT_OK
    args._parser.print_help()
    return 2
