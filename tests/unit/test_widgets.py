"""Widgets without a frontend: the Check panel, hints one at a time, the topology view.

The check function here is a real function of the test (a small grader over
a dict of "state"), passed in as ``check=``; the browser test drives the
same widgets against the real grading engine and daemon.
"""

from __future__ import annotations

import html
import subprocess
import sys
from dataclasses import dataclass, field, replace

import pytest

from labcheck.errors import DaemonNotRunning
from labcheck.widgets import (
    ExerciseHints,
    ExercisePanel,
    HintsView,
    ListHints,
    TopologyView,
    check_button,
    error_line,
)


@dataclass
class Result:
    check_id: str
    passed: bool
    hints: tuple[str, ...] = ()
    hidden: bool = False


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def _repr_html_(self) -> str:
        return "<ul>" + "".join(
            f"<li>{r.check_id}: {'pass' if r.passed else 'FAIL'}</li>" for r in self.results) + "</ul>"


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
    panel = check_button("02-web-and-db", check=grader,
                         hints=ListHints(["Is web attached to backend?",
                                          "Try: docker network connect backend web"]))
    assert panel.hints.widget.layout.display == "none"  # no hints before a check
    panel.button.click()
    assert grader.calls == ["02-web-and-db"]
    assert texts(panel.output) == ["exercise 02-web-and-db: not yet passed"]
    assert "web on backend: FAIL" in panel.output.outputs[0]["data"]["text/html"]
    assert panel.button.button_style == "warning" and not panel.button.disabled
    assert panel.hints.widget.layout.display == ""
    assert panel.hints.remaining.value == "2 hints remain"
    assert panel.hints.reveal() == "Is web attached to backend?"
    assert panel.hints.remaining.value == "1 hint remains"
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


def test_check_options_are_passed_to_check():
    seen = {}

    def check(exercise_id, progress=None, **options):
        seen.update(options)
        return Report([Result("x", True)])

    check_button("ex", check=check, hints=ListHints(), suffix="1a2b",
                 ports={8000: 18000}).button.click()
    assert seen == {"suffix": "1a2b", "ports": {8000: 18000}}


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


def test_hints_view_counts_down_and_hides_when_empty():
    view = HintsView(["a", "b", "c"])
    assert view.status() == "3 hints remain"
    assert [view.reveal(), view.reveal()] == ["a", "b"]
    assert "<li>a</li><li>b</li>" in view.shown.value and view.status() == "1 hint remains"
    assert HintsView([]).widget.layout.display == "none"
    view.show(False)
    assert view.widget.layout.display == "none"


def test_a_failing_hint_source_is_one_line_in_the_view():
    class Broken(ListHints):
        def reveal(self):
            raise DaemonNotRunning("the hint store is unreadable. Check the folder")

    view = HintsView(Broken(["a"]))
    assert view.reveal() is None
    assert "the hint store is unreadable" in view.message.value


def test_exercise_hints_reveal_through_the_hint_store(tmp_path):
    store = str(tmp_path / "hints.json")
    source = ExerciseHints("example-web-db", hints_file=store)
    assert source.remaining() == 2 and source.shown() == []
    assert source.reveal() == "Containers find each other by name only on a user-defined network."
    # web-on-appnet's only hint is free, so the report prints it: not offered again
    source.update(Report([Result("web-on-appnet", False), Result("db-running", False)]))
    assert source.remaining() == 1
    assert source.reveal().endswith("(-0.5 points)")
    assert source.remaining() == 0 and source.reveal() is None
    # a new source on the same store sees what was revealed: it survives a restart
    again = ExerciseHints("example-web-db", hints_file=store)
    assert len(again.shown()) == 2 and again.remaining() == 0


def test_a_failed_checks_later_hints_follow_the_exercises(tmp_path):
    from labcheck.checks import Hint
    from labcheck.exercises import load_exercise

    store = str(tmp_path / "hints.json")
    loaded = load_exercise("example-web-db")
    # the real exercise, with one check given a paid second hint (a copy: the loader caches)
    paid = replace(loaded.check("web-on-appnet"),
                   hints=(Hint("docker network connect appnet web"),
                          Hint("it is: docker network connect appnet web-1", 1)))
    ex = replace(loaded, checks=tuple(paid if c.id == paid.id else c for c in loaded.checks))
    source = ExerciseHints(ex.id, hints_file=store)
    source._exercise = ex
    source.update(Report([Result("web-on-appnet", False)]))
    assert source.remaining() == 3
    source.reveal(), source.reveal()
    assert source.remaining() == 1
    assert source.reveal() == "it is: docker network connect appnet web-1 (-1 points)"
    from labcheck.exercises.hints import revealed
    assert revealed(ex.id, store) == {"": 2, "web-on-appnet": 2}


def test_unknown_exercise_shows_the_closest_ids_in_the_hints_view():
    view = HintsView(ExerciseHints("example-web-bd"))
    assert "Did you mean 'example-web-db'" in html.unescape(view.message.value)
    assert repr(view) == "HintsView(hidden)"


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


def test_panel_refreshes_its_topology_after_each_check_unless_asked_not_to():
    draws = []
    view = TopologyView(lambda: draws.append(1) or SVGThing(str(len(draws))), draw_now=False)
    panel = check_button("ex", check=make_grader({"web_net": "backend"}), topology=view,
                         hints=ListHints())
    panel.button.click()
    panel.button.click()
    assert len(draws) == 2 and view.widget in panel.widget.children
    still = check_button("ex", check=make_grader({}), topology=view, refresh_topology=False,
                         hints=ListHints())
    still.button.click()
    assert len(draws) == 2


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
