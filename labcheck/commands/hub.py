"""``labcheck hub``: the course on a JupyterHub, each student with an engine of their own.

``start --students a,b,c``, ``stop [--remove-accounts]``, ``status``,
``grade``. See :mod:`labcheck.hub` and docs/large-classes.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import EXIT_OK

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "hub", help="run the course on a JupyterHub: an engine per student",
        description="As root: a JupyterHub where each student is a Unix user of their own "
                    "whose server runs beside their own engine (rootless Docker or the engine "
                    "VM) in a network namespace of their own (loopback only). make hub "
                    "installs JupyterHub and the proxy first.")
    parser.add_argument("--dir", type=Path, default=None, metavar="DIR",
                        help="the hub's folder (default: /var/lib/labcheck-hub/class)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    start = actions.add_parser("start", help="make the accounts and start the hub")
    start.add_argument("--students", required=True,
                       help="the class: names separated by commas or spaces")
    start.add_argument("--instructor", default="instructor",
                       help="the hub's admin account (default: instructor; no server)")
    start.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1")
    start.add_argument("--engine", default="auto", choices=("auto", "rootless", "vm"),
                       help="each student's engine: rootless Docker, the engine VM, or auto "
                            "(rootless where user namespaces work, else the VM)")
    start.add_argument("--engine-for", default="", metavar="NAME=KIND,...",
                       help="a student's own engine kind (e.g. cy=vm)")
    start.add_argument("--lessons", type=Path, default=Path("lessons"), metavar="DIR",
                       help="the course's lessons, copied for the students (default: lessons)")
    stop = actions.add_parser("stop", help="stop the hub, every server and every engine")
    stop.add_argument("--remove-accounts", action="store_true",
                      help="also delete the students' accounts and homes (their work)")
    actions.add_parser("status", help="the hub's URL and each student's server")
    grade = actions.add_parser("grade", help="the grade sheet of every hand-in")
    grade.add_argument("--csv", type=Path, default=None)
    grade.add_argument("--html", type=Path, default=None)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..hub.deploy import DEFAULT_DIR, Hub
    from ..hub.isolation import parse_kinds

    hub = Hub(args.dir or DEFAULT_DIR)
    if args.action == "start":
        names = [n for n in args.students.replace(",", " ").split() if n]
        engine, engines = parse_kinds(args.engine, args.engine_for)
        url = hub.start(names, instructor=args.instructor, port=args.port, course=args.lessons,
                        engine=engine, engines=engines)
        kind, kinds = hub.kinds()
        own = "".join(f", {n}: {k}" for n, k in sorted(kinds.items()))
        print(f"hub at {url} for {len(names)} students (engine: {kind}{own}); "
              f"passwords in {hub.passwords} (root only); stop with: labcheck hub stop")
    elif args.action == "stop":
        for line in hub.stop(remove_accounts=args.remove_accounts) or ["no hub was running"]:
            print(line)
    elif args.action == "status":
        if not hub.pid():
            print(f"no hub runs from {hub.folder}")
            return EXIT_OK
        kind, kinds = hub.kinds()
        print(f"hub at {hub.state().get('url')} (pid {hub.pid()}; engine: {kind})")
        users = hub.api("users")
        for user in users if isinstance(users, list) else []:
            servers = user.get("servers") or {}
            own = f" ({kinds[user['name']]})" if user["name"] in kinds else ""
            print(f"  {user['name']}{own}: {'running' if servers else 'stopped'}")
    elif args.action == "grade":
        csv, html = hub.grade(args.csv, args.html)
        print(f"grade sheet: {csv} and {html}")
    else:
        raise UsageError("labcheck hub: start, stop, status or grade")
    return EXIT_OK
