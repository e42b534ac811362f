"""Widgets without a frontend: the Check panel, hints one at a time, the topology view.

The check function here is a real function of the test (a small grader over
a dict of "state"), passed in as ``check=``; the browser test drives the
same widgets against the real grading engine and daemon.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field

import pytest

pytest.importorskip("ipywidgets")

from labcheck.errors import DaemonNotRunning  # noqa: E402
from labcheck.widgets import (  # noqa: E402
    ExercisePanel,
    HintsView,
    TopologyView,
    check_button,
    error_line,
    hints_of,
)


@dataclass
class Result:
    name: str
    passed: bool
    hints: tuple[str, ...] = ()


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def _repr_html_(self) -> str:
        return "<ul>" + "".join(
            f"<li>{r.name}: {'pass' if r.passed else 'FAIL'}</li>" for r in self.results) + "</ul>"


def make_grader(state: dict):
    """A real grader of ``state``: web must be on backend, db must not be published."""
    calls = []

    def check(exercise_id, progress=None):
        calls.append(exercise_id)
        if state.get("daemon") == "down":
            raise DaemonNotRunning("no Docker daemon answers at unix:///var/run/docker.sock. "
                                   "Start it: sudo systemctl start docker")
        if state.get("bug"):
            return {}["missing"]  # a KeyError, as a buggy check would raise
        if progress:
            progress(0, 2, "running 2 probes")
            progress(2, 2, "done")
        return Report([
            Result("web on backend", state.get("web_net") == "backend",
                   ("Is web attached to backend?", "Try: docker network connect backend web")),
            Result("db not published", not state.get("db_published"),
                   ("A database should not be reachable from the host.",
                    "Try: docker network connect backend web")),
        ])
    check.calls = calls
    return check


def texts(output) -> list[str]:
    return [o["data"]["text/plain"] for o in output.outputs]


def test_check_fails_then_passes_and_offers_hints_one_at_a_time():
    state = {"web_net": "frontend"}
    grader = make_grader(state)
    panel = check_button("02-web-and-db", check=grader)
    panel.button.click()
    assert grader.calls == ["02-web-and-db"]
    assert texts(panel.output) == ["exercise 02-web-and-db: not yet passed"]
    assert "web on backend: FAIL" in panel.output.outputs[0]["data"]["text/html"]
    assert panel.button.button_style == "warning" and not panel.button.disabled
    # only the failing check's hints, one at a time
    assert panel.hints.status() == "2 hints remain"
    assert panel.hints.reveal() == "Is web attached to backend?"
    assert panel.hints.status() == "1 hint remains"
    assert "Is web attached" in panel.hints.shown.value
    assert "Try: docker network" not in panel.hints.shown.value
    panel.hints.button.click()
    assert panel.hints.status() == "no hints remain" and panel.hints.button.disabled
    assert panel.hints.reveal() is None

    state["web_net"] = "backend"
    report = panel.run_check()
    assert report.passed and panel.report is report
    assert texts(panel.output) == ["exercise 02-web-and-db: passed"]
    assert panel.button.button_style == "success"
    assert panel.hints.widget.layout.display == "none"


def test_button_is_disabled_and_progress_shows_while_checking():
    seen = []

    def check(exercise_id, progress=None):
        seen.append((panel.button.disabled, panel.button.description,
                     panel.progress.widget.layout.visibility))
        progress(1, 3, "resolve 'db' from container 'web'")
        seen.append((panel.progress.bar.value, panel.progress.bar.max,
                     panel.progress.label.value))
        return Report([Result("x", True)])

    panel = ExercisePanel("ex", check=check)
    panel.button.click()
    assert seen == [(True, "Checking...", "visible"),
                    (1, 3, "1/3 resolve 'db' from container 'web'")]
    assert not panel.button.disabled and panel.button.description == "Check"
    assert panel.progress.widget.layout.visibility == "hidden"


def test_environment_error_is_one_friendly_line_in_the_widget():
    panel = check_button("ex", check=make_grader({"daemon": "down"}))
    panel.button.click()
    (out,) = panel.output.outputs
    assert out["data"]["text/plain"].startswith("no Docker daemon answers")
    assert "\n" not in out["data"]["text/plain"]
    assert "<details>" not in out["data"]["text/html"]  # nothing technical for an expected failure
    assert panel.report is None and panel.button.button_style == "danger"
    assert not panel.button.disabled


def test_unexpected_error_is_shown_with_details_folded_away():
    panel = check_button("ex", check=make_grader({"bug": True}))
    panel.button.click()
    (out,) = panel.output.outputs
    assert out["data"]["text/plain"] == "unexpected error in labcheck (KeyError: 'missing')"
    assert "<details>" in out["data"]["text/html"] and "Traceback" in out["data"]["text/html"]


def test_hints_that_stay_the_same_stay_revealed_and_new_ones_start_hidden():
    view = HintsView(["a", "b", "c"])
    view.reveal()
    view.reveal()
    view.set_hints(["a", "x", "c"])
    assert view.revealed == 1 and view.status() == "2 hints remain"
    view.set_hints([])
    assert view.widget.layout.display == "none"


def test_on_reveal_is_told_each_hint_shown():
    shown = []
    view = HintsView(["first", "second"], on_reveal=lambda i, h: shown.append((i, h)))
    view.reveal()
    view.reveal()
    view.reveal()
    assert shown == [(0, "first"), (1, "second")]


def test_hints_of_reads_a_report_hints_or_its_failed_results():
    report = Report([Result("ok", True, ("never shown",)),
                     Result("bad", False, ("one", "two")), Result("bad2", False, ("two",))])
    assert hints_of(report) == ("one", "two")

    class WithHints:
        hints = ("h1", "h1", " ", "h2")
    assert hints_of(WithHints()) == ("h1", "h2")
    assert hints_of(object()) == ()


class SVGThing:
    def __init__(self, label: str) -> None:
        self.label = label

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": f"<svg><text>{self.label}</text></svg>"}


def test_topology_view_draws_refreshes_and_shows_errors_in_place():
    state = {"label": "v1"}

    def draw():
        if state["label"] is None:
            raise DaemonNotRunning("no Docker daemon answers. Start it")
        return SVGThing(state["label"])

    view = TopologyView(draw, title="lesson 02")
    assert view.output.outputs[0]["data"]["image/svg+xml"] == "<svg><text>v1</text></svg>"
    state["label"] = "v2"
    view.button.click()
    assert "v2" in view.output.outputs[0]["data"]["image/svg+xml"]
    state["label"] = None
    assert view.refresh() is False
    assert texts(view.output) == ["no Docker daemon answers. Start it"]
    assert "lesson 02 diagram" in view._repr_mimebundle_()["text/plain"]


def test_panel_refreshes_its_topology_after_each_check():
    draws = []
    view = TopologyView(lambda: draws.append(1) or SVGThing(str(len(draws))), draw_now=False)
    panel = check_button("ex", check=make_grader({"web_net": "backend"}), topology=view)
    panel.button.click()
    panel.button.click()
    assert len(draws) == 2 and view.widget in panel.widget.children


def test_text_repr_without_a_frontend_is_stable():
    panel = check_button("02-web-and-db", check=make_grader({}))
    text = "Check exercise '02-web-and-db': press Check in JupyterLab, " \
           "or run labcheck.check('02-web-and-db')"
    assert repr(panel) == text
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"] == text
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_error_line_is_one_line():
    assert error_line(ValueError("a\n  b")) == "unexpected error in labcheck (ValueError: a b)"


def test_import_labcheck_does_not_import_ipywidgets():
    code = "import sys, labcheck; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
