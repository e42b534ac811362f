"""Driving a notebook in JupyterLab 4 or Notebook 7 the way a person does.

A small page object over Playwright. Its waits are on what a person would
wait for: the kernel connected *and* idle (the server's own account of the
kernel, not only the toolbar indicator), a cell's prompt showing its
execution number, a widget's text appearing in a cell's output.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import nbformat

__all__ = ["LabPage", "clean_copy", "ExerciseCopy", "exercise_copy", "PANEL"]

#: The notebook on screen (another notebook may be open in a hidden tab).
PANEL = ".jp-NotebookPanel:visible"


def _cleared(notebook: Any) -> Any:
    """``notebook`` with every stored output, count and widget state removed.

    Old outputs would satisfy the waits before anything ran.
    """
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


def clean_copy(source: Path, target_dir: Path, name: str | None = None) -> Path:
    """Copy a notebook with its outputs cleared (see :func:`_cleared`)."""
    target = target_dir / (name or source.name)
    nbformat.write(_cleared(nbformat.read(str(source), as_version=4)), str(target))
    return target


@dataclass(frozen=True)
class ExerciseCopy:
    """Where things are in a lesson copy made by :func:`exercise_copy`."""

    path: Path
    setup: int      # the lesson's set-up cell
    check: int      # the cell with the Check button
    solution: int   # the solution cell (tag "solution")
    verify: int     # the cell after it that checks the result (CI only: assert_exercise)


def _call_with(source: str, call: str, exercise_id: str, extra: str) -> str:
    """``call("ID"`` -> ``call("ID", <extra>`` (the exercise bound to unique names)."""
    pattern = re.compile(rf"{re.escape(call)}\(\s*([\"']){re.escape(exercise_id)}\1")
    new, count = pattern.subn(lambda m: f"{m.group(0)}, {extra}", source)
    assert count, f"no {call}({exercise_id!r}...) in cell:\n{source}"
    return new


def exercise_copy(lesson: Path, exercise_id: str, target: Path, *, label: str,
                  names: Mapping[str, str], ports: Mapping[int, int]) -> ExerciseCopy:
    """A copy of ``lesson`` with its set-up cell and the section of one exercise.

    Outputs are cleared, and the exercise is bound to unique names so the test
    can run beside anything else on the daemon: the Lab labels with ``label``;
    the solution's object names (string literals) and host ports are mapped
    by ``names`` and ``ports``; the Check button and the text check get the
    same binding as keyword arguments.
    """
    notebook = nbformat.read(str(lesson), as_version=4)
    cells = notebook.cells
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
    setup = code[0]
    check = next(i for i in code if re.search(
        rf"check_button\(\s*[\"']{re.escape(exercise_id)}[\"']", cells[i].source))
    start = max(i for i in range(check) if cells[i].cell_type == "markdown"
                and cells[i].source.lstrip().startswith("## Exercise"))
    solution = next(i for i in code if i > check
                    and "solution" in cells[i].metadata.get("tags", ()))
    verify = next(i for i in code if i > solution)
    binding = f"names={dict(names)!r}, ports={dict(ports)!r}"

    setup_cell = cells[setup]
    setup_cell.source, count = re.subn(r'^LESSON = ["\'][^"\']*["\']', f"LESSON = {label!r}",
                                       setup_cell.source, flags=re.MULTILINE)
    assert count == 1, f"the set-up cell of {lesson.name} has no LESSON = \"..\" line"
    cells[check].source = _call_with(cells[check].source, "check_button", exercise_id, binding)
    verify_call = ("labcheck.assert_exercise" if "labcheck.assert_exercise" in cells[verify].source
                   else "labcheck.check")
    cells[verify].source = _call_with(cells[verify].source, verify_call, exercise_id, binding)
    solution_cell = cells[solution]
    for logical, real in names.items():
        solution_cell.source = re.sub(rf"([\"']){re.escape(logical)}\1",
                                      lambda m, real=real: f"{m.group(1)}{real}{m.group(1)}",
                                      solution_cell.source)
    for logical_port, real_port in ports.items():
        solution_cell.source = re.sub(rf"\b{logical_port}\b", str(real_port),
                                      solution_cell.source)

    keep = ([i for i in range(setup) if cells[i].cell_type == "markdown"][:1]
            + [setup] + list(range(start, verify + 1)))
    notebook.cells = [cells[i] for i in keep]
    nbformat.write(_cleared(notebook), str(target))
    where = {old: new for new, old in enumerate(keep)}
    return ExerciseCopy(target, where[setup], where[check], where[solution], where[verify])


class LabPage:
    """One notebook open in JupyterLab."""

    def __init__(self, page: Any, server: Any, notebook: str, output_dir: Path,
                 ui: str = "lab") -> None:
        self.page = page
        self.server = server
        self.notebook = notebook
        self.output_dir = output_dir
        self.ui = ui  # "lab" (JupyterLab) or "notebook" (Notebook 7): the same notebook widget
        self.shots: list[Path] = []

    # -- opening ---------------------------------------------------------

    def open(self, timeout: float = 90) -> "LabPage":
        """Open the notebook and wait until its kernel is connected and idle."""
        self.page.goto(self.server.notebook_url(self.notebook, self.ui,
                                                workspace=self.output_dir.name))
        self.page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell",
                                    timeout=timeout * 1000)
        self.wait_kernel_idle(timeout)
        return self

    def kernel(self) -> dict | None:
        """The server's record of this notebook's kernel (None until a session exists)."""
        for session in self.server.api("sessions"):  # type: ignore[union-attr]
            if session.get("path", "").endswith(self.notebook):
                return session.get("kernel")
        return None

    def wait_kernel_idle(self, timeout: float = 90) -> None:
        """Wait for: a kernel with a live connection, idle on the server and in the page."""
        def ready() -> bool:
            kernel = self.kernel()
            if not kernel or kernel.get("execution_state") != "idle":
                return False
            if int(kernel.get("connections", 0)) < 1:
                return False
            indicator = self.page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator")
            return (indicator.count() > 0
                    and indicator.first.get_attribute("data-status") == "idle")
        self._until(ready, timeout, "the kernel to be connected and idle")

    # -- cells -----------------------------------------------------------

    def cells(self) -> Any:
        return self.page.locator(f"{PANEL} .jp-Notebook .jp-Cell")

    def cell(self, index: int) -> Any:
        return self.cells().nth(index)

    def select(self, index: int) -> None:
        """Make cell ``index`` the active one, in command mode (click beside its input)."""
        cell = self.cell(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").first.click()
        self.page.keyboard.press("Escape")
        self._until(lambda: "jp-mod-active" in (cell.get_attribute("class") or ""), 10,
                    f"cell {index} to become active")

    def prompt(self, index: int) -> str:
        return (self.cell(index).locator(".jp-InputPrompt").first.text_content() or "").strip()

    def run_cell(self, index: int, timeout: float = 120) -> None:
        """Select cell ``index``, run it (Shift+Enter) and wait for it to finish."""
        self.select(index)
        is_code = "jp-CodeCell" in (self.cell(index).get_attribute("class") or "")
        before = self.prompt(index)
        self.page.keyboard.press("Shift+Enter")
        if is_code:
            def finished() -> bool:
                text = self.prompt(index)
                return text != before and "*" not in text and any(c.isdigit() for c in text)
            self._until(finished, timeout, f"cell {index} to run")
            self.wait_kernel_idle(timeout)

    def run_cells(self, indices: range | list[int], timeout: float = 120) -> None:
        for index in indices:
            self.run_cell(index, timeout)

    def output_text(self, index: int) -> str:
        """The text of cell ``index``'s outputs.

        textContent, not innerText: JupyterLab lets the browser skip laying out
        cells out of view (content-visibility), and innerText is empty there.
        """
        return self.cell(index).locator(".jp-Cell-outputWrapper").text_content() or ""

    def error_outputs(self, index: int) -> list[str]:
        """Texts of cell ``index``'s error and stderr outputs (a passing cell has none)."""
        found = self.cell(index).locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
        return [found.nth(i).text_content() or "" for i in range(found.count())]

    def wait_output(self, index: int, text: str, timeout: float = 60) -> None:
        """Wait until cell ``index``'s output contains ``text``."""
        self._until(lambda: text in self.output_text(index), timeout,
                    f"{text!r} in the output of cell {index}")

    def button(self, index: int, label: str, scope: str = "") -> Any:
        """The widget button labelled ``label`` in cell ``index`` (inside ``scope``)."""
        where = f"{scope} " if scope else ""
        return self.cell(index).locator(f"{where}button.jupyter-button",
                                        has_text=label).first

    # -- evidence --------------------------------------------------------

    def screenshot(self, name: str, index: int | None = None) -> Path:
        """A screenshot of the window, with cell ``index`` scrolled into view."""
        if index is not None:
            self.cell(index).scroll_into_view_if_needed()
        path = self.output_dir / f"{len(self.shots) + 1:02d}-{self.ui}-{name}.png"
        self.page.screenshot(path=str(path))
        self.shots.append(path)
        return path

    def save_dom(self, name: str) -> Path:
        path = self.output_dir / f"{name}.html"
        path.write_text(self.page.content())
        return path

    def state(self) -> str:
        """What the page and the server show now, for a failure's message: the kernel's
        record on the server, the page's kernel indicator, any dialog's text."""
        parts = []
        for name, read in (
                ("server's kernel", self.kernel),
                ("page's indicator", lambda: self.page.locator(
                    f"{PANEL} .jp-Notebook-ExecutionIndicator").first.get_attribute(
                        "data-status", timeout=5000)),
                ("dialogs", lambda: [text.strip()[:300] for text in
                                     self.page.locator(".jp-Dialog").all_inner_texts()])):
            try:
                parts.append(f"{name}: {read()!r}")
            except Exception as error:  # noqa: BLE001 - a report, not a check
                parts.append(f"{name}: unreadable ({error!r:.200})")
        return "; ".join(parts)

    def _until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if condition():
                    return
            except Exception:  # noqa: BLE001 - the page is changing under us; try again
                pass
            if time.monotonic() > deadline:
                shot = self.screenshot("timeout")
                raise AssertionError(f"waited {timeout:.0f} s for {what}; see {shot}; "
                                     f"{self.state()}")
            # Wait inside playwright (not time.sleep): the sync API serves the
            # page's routed requests only while one of its calls is running.
            self.page.wait_for_timeout(200)

