"""A student's path through an exercise of a real lesson, in JupyterLab in Chromium.

The lesson copy keeps the set-up cell and the exercise's section, with the
exercise bound to names and a host port unique to this test (see
``exercise_copy``), so it runs beside anything else on the daemon. Then, as
a student would: run the cells down to the Check button; press Check on the
wrong state (nothing built yet) and see the failure; reveal a hint; run the
solution cell; press Check again and see the pass. Screenshots of each step
go to ``test-output/browser/<test name>/``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "lessons" / "01-default-bridge.ipynb"
EXERCISE = "01-publish"


def test_check_fails_then_hint_then_pass(lab_helpers, notebook_folder, open_notebook, lab,
                                        exercise_binding):
    binding = exercise_binding(EXERCISE)
    copy = lab_helpers.exercise_copy(LESSON, EXERCISE, notebook_folder / LESSON.name,
                                     label=lab.lesson, names=binding.names, ports=binding.ports)
    nb = open_notebook(copy.path)
    nb.screenshot("opened")

    # Run the cells as a student does, down to the Check button.
    nb.run_cells(range(copy.check + 1))
    check = nb.button(copy.check, "Check", ".labcheck-exercise")
    check.wait_for(state="visible")
    for index in range(copy.check + 1):
        assert nb.error_outputs(index) == [], (index, nb.output_text(index))
    assert lab.lesson in nb.output_text(copy.setup)  # the copy's Lab, with this test's label

    # Wrong state: nothing is built yet. Check fails, and says what is wrong and the
    # evidence, not the command that fixes it (that is in the last, penalised hint).
    check.click()
    report = nb.cell(copy.check).locator(".labcheck-report")
    report.wait_for(state="visible", timeout=60_000)
    failed = report.locator('tr[data-status="fail"]')
    assert failed.count() >= 1
    assert binding.names["hello"] in report.text_content()
    assert "does not exist" in report.text_content()
    assert "Try:" not in report.text_content() and "docker run" not in report.text_content()
    assert "all checks pass" not in report.text_content()
    hints = nb.cell(copy.check).locator(".labcheck-hints")
    hints.wait_for(state="visible")
    before = hints.text_content()
    assert "3 hints remain" in before, before   # the exercise's three; the checks' are free
    nb.screenshot("failed", copy.check)

    # One hint, on request; the count goes down.
    nb.button(copy.check, "Show a hint", ".labcheck-hints").click()
    first_hint = "can one container port have several?"
    nb.wait_output(copy.check, first_hint)
    assert "2 hints remain" in hints.text_content(), hints.text_content()
    nb.screenshot("hint", copy.check)

    # Fix the state by running the solution cell. Pressing Check made the
    # Check cell the active one, so the solution cell is selected first.
    nb.run_cell(copy.solution)

    check.click()
    nb.wait_output(copy.check, "all checks pass", timeout=60)
    assert report.locator('tr[data-status="fail"]').count() == 0
    # the diagram is redrawn after the check (JupyterLab shows untrusted SVG as an <img>)
    nb.cell(copy.check).locator(".labcheck-topology img, .labcheck-topology svg").first.wait_for()
    assert "mod-success" in (check.get_attribute("class") or "")
    nb.screenshot("passed", copy.check)

    # The CI-only check after the solution agrees (it raises if any check fails).
    nb.run_cell(copy.verify)
    assert "solution built" in nb.output_text(copy.solution)
    for index in (copy.solution, copy.verify):
        assert nb.error_outputs(index) == [], (index, nb.output_text(index))
