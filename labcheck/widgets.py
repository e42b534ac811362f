"""Widgets for the lessons: a Check button, hints one at a time, the live topology.

For lesson authors, one call per exercise, as the last line of a cell::

    from labcheck.widgets import check_button
    check_button("02-web-and-db")                  # Check button, report, hints
    check_button("02-web-and-db", topology=True)   # plus the diagram, redrawn after each check

and a diagram that a student can redraw::

    from labcheck.widgets import topology_view
    topology_view(lesson="02")

Pressing **Check** grades the live daemon (:func:`labcheck.check`): the button
is disabled and a progress bar follows the probes; then the report appears
in place, and the hints of the failed checks can be revealed one at a time
("2 hints remain"). An expected failure (no daemon, an unknown exercise)
is one friendly line inside the widget; even an unexpected error is shown
in the widget with its details folded away, never lost in a log.

Where no widget can be drawn (nbval or nbclient without a browser, a
plain terminal) the cell shows one line of text that names the exercise
and the call that checks it, the same on every run. For progress bars
around long work in a lesson, see :mod:`labcheck.progress`.

This module imports ipywidgets; ``import labcheck`` does not import it.
"""

from __future__ import annotations

import html
import traceback
from typing import Any, Callable, Sequence

import ipywidgets as widgets

from .errors import LabcheckError
from .progress import NotebookProgress

__all__ = [
    "CheckFunction",
    "DrawFunction",
    "ExercisePanel",
    "HintsView",
    "TopologyView",
    "check_button",
    "topology_view",
    "hints_of",
    "error_line",
]

#: ``check(exercise_id, progress=callback) -> Report`` (:func:`labcheck.check`).
CheckFunction = Callable[..., Any]
#: ``draw() -> graphviz.Digraph`` (or anything Jupyter can show as SVG or HTML).
DrawFunction = Callable[[], Any]

_STYLE_OK = "color:#1a7f37"
_STYLE_BAD = "color:#b42318"


def error_line(exc: BaseException) -> str:
    """One line saying what went wrong: the message of a LabcheckError, else type and text.

    >>> error_line(LabcheckError("no Docker daemon answers. Start it"))
    'no Docker daemon answers. Start it'
    >>> error_line(KeyError("web"))
    "unexpected error in labcheck (KeyError: 'web')"
    """
    if isinstance(exc, LabcheckError):
        text = str(exc)
    else:
        text = f"unexpected error in labcheck ({type(exc).__name__}: {exc})"
    return " ".join(text.split())


def hints_of(report: Any) -> tuple[str, ...]:
    """The hints a report offers for what failed, in order, without repeats."""
    found: list[str] = []
    direct = getattr(report, "hints", None)
    if callable(direct):
        direct = direct()
    if direct:
        found.extend(str(h) for h in direct)
    else:
        for result in getattr(report, "results", ()) or ():
            if getattr(result, "passed", False):
                continue
            found.extend(str(h) for h in (getattr(result, "hints", ()) or ()))
    return tuple(dict.fromkeys(h for h in found if h.strip()))


def _html_output(text_plain: str, html_text: str) -> dict[str, Any]:
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/plain": text_plain, "text/html": html_text}}


def _rich_output(obj: Any, text_plain: str) -> dict[str, Any]:
    """A display_data output for ``obj``: its own mime bundle, else its HTML, else str()."""
    data: dict[str, Any] = {}
    bundle = getattr(obj, "_repr_mimebundle_", None)
    if callable(bundle):
        got = bundle()
        if isinstance(got, tuple):
            got = got[0]
        data.update({k: v for k, v in dict(got or {}).items() if v is not None})
    if not data:
        to_html = getattr(obj, "_repr_html_", None)
        rendered = to_html() if callable(to_html) else None
        if rendered:
            data["text/html"] = rendered
        else:
            data["text/html"] = f"<pre>{html.escape(str(obj))}</pre>"
    data["text/plain"] = text_plain
    return {"output_type": "display_data", "metadata": {}, "data": data}


def _message_output(text: str, *, style: str = _STYLE_BAD, details: str = "") -> dict[str, Any]:
    body = f'<div class="labcheck-message" style="{style}">{html.escape(text)}</div>'
    if details:
        body += ("<details><summary>details</summary><pre>"
                 f"{html.escape(details)}</pre></details>")
    return _html_output(text, body)


class HintsView:
    """Hints revealed one at a time on request, with how many remain.

    ``on_reveal(index, hint)`` is called for each hint shown (for example to
    record a penalty).
    """

    def __init__(self, hints: Sequence[str] = (), *,
                 on_reveal: Callable[[int, str], None] | None = None) -> None:
        self.on_reveal = on_reveal
        self.button = widgets.Button(description="Show a hint", icon="lightbulb-o",
                                     tooltip="reveal the next hint")
        self.remaining = widgets.Label(value="")
        self.shown = widgets.HTML(value="")
        self.widget = widgets.VBox([widgets.HBox([self.button, self.remaining]), self.shown])
        self.widget.add_class("labcheck-hints")
        self.button.on_click(lambda _button: self.reveal())
        self.hints: tuple[str, ...] = ()
        self.revealed = 0
        self.set_hints(hints)

    @property
    def left(self) -> int:
        """How many hints are still hidden."""
        return len(self.hints) - self.revealed

    def set_hints(self, hints: Sequence[str]) -> None:
        """Offer a new list of hints; those already shown stay shown if still offered."""
        hints = tuple(hints)
        keep = 0
        while keep < min(self.revealed, len(hints)) and hints[keep] == self.hints[keep]:
            keep += 1
        self.hints, self.revealed = hints, keep
        self._redraw()

    def reveal(self) -> str | None:
        """Show the next hint and return it; None when none remain."""
        if self.left <= 0:
            return None
        hint = self.hints[self.revealed]
        self.revealed += 1
        self._redraw()
        if self.on_reveal is not None:
            self.on_reveal(self.revealed - 1, hint)
        return hint

    def status(self) -> str:
        """'2 hints remain', '1 hint remains', 'no hints remain'."""
        left = self.left
        if left == 0:
            return "no hints remain"
        return f"{left} hint{'s' if left != 1 else ''} remain{'s' if left == 1 else ''}"

    def _redraw(self) -> None:
        self.widget.layout.display = "" if self.hints else "none"
        self.button.disabled = self.left <= 0
        self.remaining.value = self.status()
        items = "".join(f"<li>{html.escape(h)}</li>" for h in self.hints[: self.revealed])
        self.shown.value = f'<ol class="labcheck-hint-list">{items}</ol>' if items else ""

    def __repr__(self) -> str:
        return f"HintsView({self.revealed} shown, {self.status()})"


class TopologyView:
    """A diagram with a Refresh button; ``refresh()`` redraws it from the daemon now."""

    def __init__(self, draw: DrawFunction, *, title: str = "topology",
                 draw_now: bool = True) -> None:
        self.draw = draw
        self.title = title
        self.button = widgets.Button(description="Refresh", icon="refresh",
                                     tooltip="redraw from the daemon's current state")
        self.output = widgets.Output()
        self.widget = widgets.VBox([self.button, self.output])
        self.widget.add_class("labcheck-topology")
        self.button.on_click(lambda _button: self.refresh())
        self.error: str | None = None
        if draw_now:
            self.refresh()

    def refresh(self) -> bool:
        """Redraw; True if the diagram was drawn, False if an error is shown instead."""
        self.button.disabled = True
        try:
            graph = self.draw()
            self.output.outputs = (_rich_output(graph, f"{self.title} diagram"),)
            self.error = None
        except Exception as exc:  # noqa: BLE001 - shown in the widget, not lost in a log
            self.error = error_line(exc)
            details = "" if isinstance(exc, LabcheckError) else traceback.format_exc()
            self.output.outputs = (_message_output(self.error, details=details),)
        finally:
            self.button.disabled = False
        return self.error is None

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"{self.title} diagram (press Refresh in JupyterLab to redraw)"
        return bundle

    def __repr__(self) -> str:
        return f"TopologyView({self.title!r})"


class ExercisePanel:
    """The Check button of one exercise, with its report, hints and optional diagram."""

    def __init__(self, exercise_id: str, *, check: CheckFunction | None = None,
                 topology: TopologyView | None = None, refresh_topology: bool = True) -> None:
        self.exercise_id = str(exercise_id)
        self._check = check
        self.topology = topology
        self.refresh_topology = refresh_topology
        self.button = widgets.Button(description="Check", button_style="primary",
                                     icon="check", tooltip=f"check exercise {self.exercise_id}")
        self.progress = NotebookProgress(display=False)
        self.progress.widget.layout.visibility = "hidden"
        self.output = widgets.Output()
        self.hints = HintsView()
        parts: list[widgets.Widget] = [widgets.HBox([self.button, self.progress.widget]),
                                       self.output, self.hints.widget]
        if topology is not None:
            parts.append(topology.widget)
        self.widget = widgets.VBox(parts)
        self.widget.add_class("labcheck-exercise")
        self.button.on_click(lambda _button: self.run_check())
        self.report: Any = None
        self.error: str | None = None

    @property
    def check(self) -> CheckFunction:
        if self._check is None:
            from .grading import check  # the grading engine, imported on first use
            self._check = check
        return self._check

    def run_check(self) -> Any:
        """Grade the exercise now and show the result; return the Report (None on error)."""
        self.button.disabled = True
        self.button.description = "Checking..."
        self.progress(0, 0, "reading the daemon")
        self.output.outputs = ()
        self.report, self.error = None, None
        try:
            report = self.check(self.exercise_id, progress=self.progress)
        except Exception as exc:  # noqa: BLE001 - shown in the widget, never lost in a log
            self.error = error_line(exc)
            details = "" if isinstance(exc, LabcheckError) else traceback.format_exc()
            self.output.outputs = (_message_output(self.error, details=details),)
            self.hints.set_hints(())
            self.button.button_style = "danger"
        else:
            self.report = report
            passed = bool(getattr(report, "passed", False))
            verdict = "passed" if passed else "not yet passed"
            self.output.outputs = (_rich_output(report, f"exercise {self.exercise_id}: {verdict}"),)
            self.hints.set_hints(() if passed else hints_of(report))
            self.button.button_style = "success" if passed else "warning"
        finally:
            self.progress.close()
            self.button.description = "Check"
            self.button.disabled = False
        if self.topology is not None and self.refresh_topology:
            self.topology.refresh()
        return self.report

    def text(self) -> str:
        """What a reader without widgets sees: the exercise and how to check it."""
        return (f"Check exercise {self.exercise_id!r}: press Check in JupyterLab, "
                f"or run labcheck.check({self.exercise_id!r})")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = self.text()
        return bundle

    def __repr__(self) -> str:
        return self.text()


def _diagram_for(**kwargs: Any) -> DrawFunction:
    def draw() -> Any:
        from . import diagram  # the diagram renderer, imported on first use
        return diagram(**kwargs)
    return draw


def topology_view(draw: DrawFunction | None = None, *, title: str = "topology",
                  **diagram_options: Any) -> TopologyView:
    """A diagram with a Refresh button: ``draw()``, or ``labcheck.diagram(**diagram_options)``."""
    return TopologyView(draw or _diagram_for(**diagram_options), title=title)


def check_button(exercise_id: str, *, topology: bool | TopologyView = False,
                 check: CheckFunction | None = None) -> ExercisePanel:
    """The one-call Check button of an exercise (see the module docstring).

    ``topology=True`` adds the exercise's expected-against-actual diagram,
    redrawn after each check; pass a :class:`TopologyView` to choose another.
    ``check`` defaults to :func:`labcheck.check`.
    """
    view: TopologyView | None
    if topology is True:
        view = TopologyView(_diagram_for(exercise=exercise_id), title=f"exercise {exercise_id}")
    else:
        view = topology or None
    return ExercisePanel(exercise_id, check=check, topology=view)
