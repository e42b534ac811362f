"""``labcheck doctor``: is this machine ready for the course?"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from typing import Any

from .. import __version__
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
    from ..daemon import connect, describe_target
    from ..images import ensure_lab_image, image_status

    problems = 0
    print(f"labcheck {__version__} (Python {sys.version.split()[0]})")
    client = None
    try:
        client = connect()
        info = client.version()
        print(f"daemon:   ok, Docker Engine {info.get('Version', '?')} "
              f"(API {info.get('ApiVersion', '?')}) at {describe_target()}")
    except LabcheckError as exc:
        problems += 1
        print(f"daemon:   PROBLEM: {exc}")
    if client is not None:
        try:
            status = image_status(client)
            if not status.present and not args.no_build:
                from ..progress import message_callback, reporting
                with reporting("lab image") as bar:  # a line on a terminal only
                    status = ensure_lab_image(client, progress=message_callback(bar))
                print(f"image:    {status.name} built now: {status.source}")
            elif status.present:
                print(f"image:    {status.describe()}")
            else:
                problems += 1
                print(f"image:    PROBLEM: {status.name} is missing. Run: labcheck doctor")
        except LabcheckError as exc:
            problems += 1
            print(f"image:    PROBLEM: {exc}")
        finally:
            client.close()
    else:
        print("image:    not checked (no daemon)")
    dot = graphviz_version()
    if dot:
        print(f"graphviz: {dot}")
    else:
        problems += 1
        print("graphviz: PROBLEM: the 'dot' program is missing. Install Graphviz: "
              "apt-get install graphviz, brew install graphviz, or conda install python-graphviz")
    return EXIT_ENVIRONMENT if problems else EXIT_OK
