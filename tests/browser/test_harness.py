"""The browser harness itself: its negative checks can fail, and it gates honestly.

- A cell that writes to stderr or raises is seen as such (the lesson test's
  "no error output" checks are not vacuous).
- A request the page makes to anything but 127.0.0.1 is aborted inside the
  browser, before any connection (192.0.2.1 is TEST-NET-1: never routed).
- Without Chromium the browser tests skip, with the reason, and fail in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def test_errors_are_seen_and_outside_requests_are_aborted(lab_helpers, jupyter_server, page,
                                                         output_dir, browser_log,
                                                         notebook_folder):
    folder = notebook_folder
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("print('fine')"),
                      nbformat.v4.new_code_cell("import sys\nsys.stderr.write('oops\\n')"),
                      nbformat.v4.new_code_cell("1 / 0")]
    source = folder / "source.ipynb"
    nbformat.write(notebook, str(source))
    lab_helpers.clean_copy(source, folder, "harness.ipynb")
    nb = lab_helpers.LabPage(page, jupyter_server, f"{folder.name}/harness.ipynb",
                             output_dir).open()
    nb.run_cells(range(3))
    assert nb.error_outputs(0) == [] and "fine" in nb.output_text(0)
    assert "oops" in " ".join(nb.error_outputs(1))
    assert "ZeroDivisionError" in " ".join(nb.error_outputs(2))

    outcome = page.evaluate("fetch('http://192.0.2.1/probe').then(() => 'answered', "
                            "e => 'failed: ' + e.message)")
    assert outcome.startswith("failed"), outcome
    assert browser_log.blocked == ["http://192.0.2.1/probe"]
    assert browser_log.sockets and all(u.startswith(jupyter_server.url.replace("http", "ws"))
                                       for u in browser_log.sockets)
    nb.screenshot("errors-seen", 2)

    # A wait that times out says what the server and the page showed then.
    try:
        nb.wait_output(0, "never printed", timeout=1)
    except AssertionError as error:
        said = str(error)
    else:
        raise AssertionError("a wait for an output never printed returned")
    assert "server's kernel: {" in said and "'execution_state': 'idle'" in said, said
    assert "page's indicator: 'idle'" in said and "dialogs: []" in said, said


def _run_without_chromium(ci: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "LABCHECK_REQUIRE_BROWSER")}
    env["LABCHECK_CHROMIUM"] = str(ROOT / "no-such-chromium")
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsf", "-p", "no:cacheprovider",
         "tests/browser/test_lesson_check_button.py", "-k", "jupyterlab"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_without_chromium_it_skips_locally_and_fails_in_ci():
    local = _run_without_chromium(ci=False)
    assert local.returncode == 0, local.stdout + local.stderr
    assert "1 skipped" in local.stdout and "Chromium is not installed" in local.stdout
    in_ci = _run_without_chromium(ci=True)
    assert in_ci.returncode == 1, in_ci.stdout + in_ci.stderr
    assert "CI needs the browser test to run: Chromium is not installed" in in_ci.stdout
