"""Execute lesson notebooks and save them with their real outputs.

    .venv/bin/python scripts/run-lesson.py lessons/02-user-defined-bridges.ipynb [...]

Each notebook runs top to bottom in a fresh kernel started in its own
folder (as JupyterLab and nbval do), and is written back in place with the
outputs of that run; execution counts start at 1. A cell that raises stops
the run and nothing is written, so a committed notebook always holds the
outputs of a run that passed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

__all__ = ["execute_notebook", "main"]


def execute_notebook(path: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """Run ``path`` in a fresh kernel; return the executed notebook (not saved)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return notebook


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    for name in argv:
        path = Path(name)
        started = time.monotonic()
        try:
            notebook = execute_notebook(path)
        except CellExecutionError as exc:
            print(f"{path}: a cell failed, notebook not saved:\n{exc}")
            return 1
        nbformat.write(notebook, path)
        print(f"{path}: executed and saved in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
