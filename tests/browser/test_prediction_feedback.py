"""A prediction in the browser: the answer is nowhere before Lock in, then it teaches.

The student picks a wrong choice and presses Lock in: the widget says "Not
quite", names the right choice and says why. Before that, neither the right
choice nor the reason is on the page. Screenshots: before and after.
"""

from __future__ import annotations

import nbformat

WHY = "The default bridge has no embedded DNS, so only addresses work there."
CALL = ('import labcheck\n'
        'labcheck.predict("browser-ping-by-name", "On the default bridge, alpha runs '
        '`ping beta`. What happens?",\n'
        '                 ["beta answers", "the name does not resolve", "it hangs"],\n'
        f'                 answer=1, why={WHY!r})')


def test_a_prediction_says_right_or_wrong_and_why_after_lock_in(notebook_folder,
                                                                open_notebook):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CALL)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = notebook_folder / "predict.ipynb"
    nbformat.write(notebook, str(path))
    nb = open_notebook(path)
    nb.run_cells(range(1))
    widget = nb.cell(0).locator(".labcheck-predict")
    widget.wait_for(state="visible")
    assert nb.error_outputs(0) == [], nb.output_text(0)
    before = nb.output_text(0) + (widget.inner_html() or "")
    assert "embedded DNS" not in before and "Not quite" not in before, before
    nb.screenshot("asked", 0)

    widget.locator("label", has_text="a) beta answers").click()
    nb.button(0, "Lock in", ".labcheck-predict").click()
    feedback = widget.locator(".labcheck-feedback")
    feedback.wait_for(state="visible", timeout=30_000)
    said = feedback.text_content() or ""
    assert said.startswith("Not quite: the answer is b) the name does not resolve."), said
    assert WHY in said
    nb.screenshot("answered", 0)
    assert (notebook_folder / ".labcheck-predictions.json").exists()
