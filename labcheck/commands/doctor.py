"""``labcheck doctor``: is this machine ready for the course?"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from typing import Any

from .._version import __version__
from ..errors import EXIT_ENVIRONMENT, EXIT_OK, LabcheckError

__all__ = ["register", "run", "graphviz_version"]


def register(sub: Any) -> None:
    parser = sub.add_parser("doctor", help="check the daemon, the lab image and Graphviz",
                            description="Check that the Docker daemon answers, that the lab "
                                        "image is there (building it if it is not), and that "
                                        "Graphviz is installed.")
    parser.add_argument("--no-build", action="store_true",
                        help="report a missing lab image instead of building it")
    parser.set_defaults(func=run)


def graphviz_version() -> str | None:
    """``dot``'s version line, or None when Graphviz is not installed."""
    dot = shutil.which("dot")
    if not dot:
        return None
    try:
        out = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return None
    text = (out.stderr or out.stdout).strip()
    return f"{text} ({dot})" if text else dot


def run(args: argparse.Namespace) -> int:
    from ..live.daemon import connected, describe_target, engine_version

    problems = 0
    print(f"labcheck {__version__} (Python {sys.version.split()[0]})")
    try:
        with connected() as client:
            info = engine_version(client)
            print(f"daemon:   ok, Docker Engine {info.get('Version', '?')} "
                  f"(API {info.get('ApiVersion', '?')}) at {describe_target()}")
            problems += _lab_image(client, build=not args.no_build)
    except LabcheckError as exc:
        problems += 1
        print(f"daemon:   PROBLEM: {exc}")
        print("image:    not checked (no daemon)")
    dot = graphviz_version()
    if dot:
        print(f"graphviz: {dot}")
    else:
        problems += 1
        print("graphviz: PROBLEM: the 'dot' program is missing. Install Graphviz: "
              "apt-get install graphviz, brew install graphviz, or conda install python-graphviz")
    return EXIT_ENVIRONMENT if problems else EXIT_OK


def _lab_image(client: Any, *, build: bool) -> int:
    """Report on the lab image (building it if ``build``); the number of problems (0 or 1)."""
    from ..live.images import ensure_lab_image, image_status

    try:
        status = image_status(client)
        if not status.present and build:
            from ..progress import message_callback, reporting
            with reporting("lab image") as bar:  # a line on a terminal only
                status = ensure_lab_image(client, progress=message_callback(bar))
            print(f"image:    {status.name} built now: {status.source}")
        elif status.present:
            print(f"image:    {status.describe()}")
        else:
            print(f"image:    PROBLEM: {status.name} is missing. Run: labcheck doctor")
            return 1
    except LabcheckError as exc:
        print(f"image:    PROBLEM: {exc}")
        return 1
    return 0
