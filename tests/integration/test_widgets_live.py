"""The Check panel with the real grading engine on the real daemon (no browser).

The exercise ``example-web-db``, bound to names and ports unique to the test:
its broken variant "default-bridge" fails with hints on offer, its reference
solution passes; the diagram under the panel is redrawn after each check.
"""

from __future__ import annotations

import html
import importlib.util
import sys
from pathlib import Path

import pytest

import labcheck
from labcheck.widgets import check_button

EXERCISE = "example-web-db"
FIXTURES = Path(__file__).resolve().parents[1] / "exercises" / "exercise_fixtures.py"


def _exercise_fixtures():
    name = "labcheck_widgets_live_exercise_fixtures"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FIXTURES)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_panel_fails_offers_hints_then_passes(lab, unique, docker_client, tmp_path):
    fixtures = _exercise_fixtures()
    binding = fixtures.test_binding(EXERCISE, unique)
    module = fixtures.load_fixture(EXERCISE)
    progress_seen = []

    def check_recording_progress(exercise_id, progress=None, **options):
        """labcheck.check, noting what it reports to the panel's bar."""
        def both(done, total, message):
            progress_seen.append((done, total, message))
            progress(done, total, message)
        return labcheck.check(exercise_id, progress=both, **options)

    panel = check_button(EXERCISE, topology=True, check=check_recording_progress,
                         names=dict(binding.names), ports=dict(binding.ports),
                         client=docker_client, hints_file=str(tmp_path / "hints.json"))

    builder, _expected = module.BROKEN["default-bridge"]
    builder(lab, binding)
    report = panel.run_check()
    assert report is not None and not report.passed, panel.error
    page = html.unescape(panel.output.outputs[0]["data"]["text/html"])
    assert "the default bridge has no embedded DNS" in page, report.to_text()
    assert binding["web"] in page
    assert panel.hints.remaining.value == "2 hints remain"
    assert panel.hints.reveal().startswith("Containers find each other by name")
    assert panel.hints.remaining.value == "1 hint remains"
    # probes ran with the bar: 0 of N first, then up to N of N
    totals = {t for _, t, _ in progress_seen if t}
    assert len(totals) == 1, progress_seen
    assert progress_seen[-1][0] == progress_seen[-1][1] == totals.pop(), progress_seen
    assert panel.topology.error is None, panel.topology.error
    svg_before = panel.topology.output.outputs[0]["data"]["image/svg+xml"]

    module.solution(lab, binding)
    report = panel.run_check()
    assert report.passed, report.to_text()
    assert panel.button.button_style == "success"
    assert panel.hints.widget.layout.display == "none"
    assert panel.topology.error is None, panel.topology.error
    assert panel.topology.output.outputs[0]["data"]["image/svg+xml"] != svg_before
