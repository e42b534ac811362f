"""Widgets and progress in a real kernel with no browser (as under nbval/nbclient).

What a notebook saved after such a run holds: the Check button as one stable
line of text, a progress bar replaced by its final message, and nothing on
stderr (nbgrader zeroes a cell that writes there). No daemon is needed: the
button only grades when pressed.
"""

from __future__ import annotations

import nbclient
import nbformat
import pytest


def run_notebook(tmp_path, *sources: str):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    client = nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return notebook.cells


def stderr_of(cells) -> list[str]:
    return [o.get("text", "") for c in cells for o in c.outputs
            if o.output_type == "stream" and o.name == "stderr"]


def test_check_button_and_progress_degrade_to_stable_text(tmp_path):
    cells = run_notebook(
        tmp_path,
        "from labcheck.widgets import check_button\ncheck_button('example-web-db')",
        "from labcheck.progress import reporting, track\n"
        "with reporting('steps', done_message='3 steps done') as bar:\n"
        "    for step in track(['a', 'b', 'c'], bar, 'step {}'):\n"
        "        pass",
        "import sys\nfrom labcheck.progress import auto_progress\n"
        "bar = auto_progress()\nbar.close()\n"
        "print(type(bar).__name__, 'ipywidgets' in sys.modules)",
    )
    assert stderr_of(cells) == []
    (button,) = cells[0].outputs
    assert button.data["text/plain"] == (
        "Check exercise 'example-web-db': press Check in JupyterLab, "
        "or run labcheck.check('example-web-db')")
    assert "application/vnd.jupyter.widget-view+json" in button.data
    # the bar was shown, then replaced by its final message
    (progress,) = cells[1].outputs
    assert progress.data == {"text/plain": "3 steps done"}
    # in a kernel, auto_progress is the notebook bar; closed without a message it leaves nothing
    assert [o.get("data", o.get("text")) for o in cells[2].outputs] == [
        {"text/plain": ""}, "NotebookProgress True\n"]
    # every widget output has an id the frontend can resolve; no widget text repr leaks
    assert "IntProgress(" not in str(cells[1].outputs)
