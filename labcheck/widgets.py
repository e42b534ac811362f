"""Widgets for the lessons: a Check button, hints one at a time, the live topology.

For lesson authors, one call per exercise, as the last line of a cell::

    from labcheck.widgets import check_button
    check_button("02-shop")                  # Check button, report, hints
    check_button("02-shop", topology=True)   # plus the diagram of what the checks found,
                                             # redrawn after each check

and a diagram that a student can redraw::

    from labcheck.widgets import topology_view
    topology_view(draw)                      # draw() returns labcheck.diagram(...)

Pressing **Check** grades the live daemon (:func:`labcheck.check`): the button
is disabled and a progress bar follows the probes; then the report appears
in place. After a failed check, **Show a hint** reveals the exercise's hints
one at a time, then those of the checks that failed, and says how many
remain ("2 hints remain"). Hints go through labcheck's hint store
(:mod:`labcheck.exercises.hints`), so an instructor's penalty per hint
applies exactly as with ``labcheck hint`` on the command line. An expected
failure (no daemon, an unknown exercise) is one friendly line inside the
widget; even an unexpected error is shown in the widget with its details
folded away, never lost in a log.

Keyword arguments of :func:`check_button` other than its own (``names``,
``ports``, ``suffix``, ``dirs``, ``hints_file``) go to :func:`labcheck.check`.

Where no widget can be drawn (nbval or nbclient without a browser, a
plain terminal) the cell shows one line of text that names the exercise
and the call that checks it, the same on every run. For progress bars
around long work in a lesson, see :mod:`labcheck.progress`.

This module imports ipywidgets; ``import labcheck`` does not import it.
"""

from __future__ import annotations

import html
import traceback
from typing import Any, Callable, Iterable, Protocol, Sequence

import ipywidgets as widgets

from .errors import LabcheckError
from .fallback import TextFallback
from .progress import NotebookProgress

__all__ = [
    "CheckFunction",
    "DrawFunction",
    "ExercisePanel",
    "HintSource",
    "ListHints",
    "ExerciseHints",
    "HintsView",
    "TopologyView",
    "check_button",
    "topology_view",
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


class HintSource(Protocol):
    """Where a :class:`HintsView` gets its hints: what is shown, what is left, the next one."""

    def shown(self) -> list[str]: ...

    def remaining(self) -> int: ...

    def reveal(self) -> str | None: ...


class ListHints:
    """Hints from a list, remembered in memory (for widgets of your own)."""

    def __init__(self, hints: Sequence[str] = ()) -> None:
        self.hints = tuple(hints)
        self.count = 0

    def shown(self) -> list[str]:
        return list(self.hints[: self.count])

    def remaining(self) -> int:
        return len(self.hints) - self.count

    def reveal(self) -> str | None:
        if self.remaining() <= 0:
            return None
        self.count += 1
        return self.hints[self.count - 1]


class ExerciseHints:
    """An exercise's hints, then those of its failed checks, through labcheck's hint store.

    Revealing goes through :func:`labcheck.grading.hint` (a penalty, if the
    exercise sets one, comes off the next score); what was revealed is read
    back from the store, so it survives a kernel restart. A failed check's
    first hint, when free, is already printed in the report, so the view
    offers only the ones after it.
    """

    def __init__(self, exercise_id: str, *, dirs: Iterable[str] | None = None,
                 hints_file: str | None = None) -> None:
        self.exercise_id = exercise_id
        self.dirs = list(dirs) if dirs is not None else None
        self.hints_file = hints_file
        self.failed: tuple[str, ...] = ()
        self._exercise: Any = None

    @property
    def exercise(self) -> Any:
        if self._exercise is None:
            from .exercises import load_exercise
            self._exercise = load_exercise(self.exercise_id, self.dirs)
        return self._exercise

    def update(self, report: Any) -> None:
        """Offer the hints of the checks that failed in ``report`` (after the exercise's)."""
        self.failed = tuple(r.check_id for r in getattr(report, "results", ())
                            if not r.passed and not r.hidden)

    def _groups(self) -> list[tuple[str | None, tuple[Any, ...], int]]:
        """(check id or None, its hints, how many the report already shows unasked)."""
        ex = self.exercise
        groups: list[tuple[str | None, tuple[Any, ...], int]] = [(None, tuple(ex.hints), 0)]
        for check_id in self.failed:
            hints = tuple(ex.check(check_id).hints)
            groups.append((check_id, hints, 1 if hints and hints[0].penalty == 0 else 0))
        return [group for group in groups if len(group[1]) > group[2]]

    def _counts(self) -> dict[str, int]:
        from .exercises.hints import revealed
        return revealed(self.exercise_id, self.hints_file)

    def shown(self) -> list[str]:
        counts = self._counts()
        return [h.text for key, hints, free in self._groups()
                for h in hints[free: counts.get(key or "", 0)]]

    def remaining(self) -> int:
        counts = self._counts()
        return sum(len(hints) - max(free, counts.get(key or "", 0))
                   for key, hints, free in self._groups())

    def reveal(self) -> str | None:
        from .grading import hint
        counts = self._counts()
        for key, hints, free in self._groups():
            count = counts.get(key or "", 0)
            if max(count, free) < len(hints):
                for _ in range(count, free):  # the free one the report shows: no cost
                    hint(self.exercise, key, hints_file=self.hints_file)
                return hint(self.exercise, key, hints_file=self.hints_file)
        return None


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


def _message_html(text: str, style: str = _STYLE_BAD) -> str:
    return f'<div class="labcheck-message" style="{style}">{html.escape(text)}</div>'


def _message_output(text: str, *, style: str = _STYLE_BAD, details: str = "") -> dict[str, Any]:
    body = _message_html(text, style)
    if details:
        body += ("<details><summary>details</summary><pre>"
                 f"{html.escape(details)}</pre></details>")
    return _html_output(text, body)


def _error_output(exc: BaseException) -> dict[str, Any]:
    """An error as one line; an unexpected one with its traceback folded away under it."""
    details = "" if isinstance(exc, LabcheckError) else traceback.format_exc()
    return _message_output(error_line(exc), details=details)


def _remain(left: int) -> str:
    if left <= 0:
        return "no hints remain"
    return f"{left} hint{'s' if left != 1 else ''} remain{'s' if left == 1 else ''}"


class HintsView:
    """Hints revealed one at a time on request, with how many remain.

    ``source`` is a :class:`HintSource` (a list of strings is wrapped in
    :class:`ListHints`). Hidden while it offers nothing.
    """

    def __init__(self, source: HintSource | Sequence[str] = ()) -> None:
        self.source: HintSource = (ListHints(source) if isinstance(source, (list, tuple))
                                   else source)  # type: ignore[assignment]
        self.button = widgets.Button(description="Show a hint", icon="lightbulb-o",
                                     tooltip="reveal the next hint")
        self.remaining = widgets.Label(value="")
        self.shown = widgets.HTML(value="")
        self.message = widgets.HTML(value="")
        self.widget = widgets.VBox([widgets.HBox([self.button, self.remaining]), self.shown,
                                    self.message])
        self.widget.add_class("labcheck-hints")
        self.button.on_click(lambda _button: self.reveal())
        self.enabled = True
        self.refresh()

    @property
    def left(self) -> int:
        """How many hints are still hidden."""
        return self.source.remaining()

    def show(self, enabled: bool = True) -> None:
        """Offer hints (after a failed check) or hide the view (before a check, after a pass)."""
        self.enabled = enabled
        self.refresh()

    def reveal(self) -> str | None:
        """Show the next hint and return its text; None when none remain."""
        try:
            hint = self.source.reveal()
        except Exception as exc:  # noqa: BLE001 - shown in the widget, never lost in a log
            self.message.value = _message_html(error_line(exc))
            return None
        self.message.value = ""
        self.refresh()
        return hint

    def status(self) -> str:
        """'2 hints remain', '1 hint remains', 'no hints remain'."""
        return _remain(self.left)

    def refresh(self) -> None:
        """Redraw from the source."""
        try:
            shown, left = self.source.shown(), self.left
        except Exception as exc:  # noqa: BLE001 - e.g. an unknown exercise: say so, in place
            shown, left = [], 0
            self.message.value = _message_html(error_line(exc))
        visible = self.enabled and bool(shown or left)
        self.widget.layout.display = "" if visible else "none"
        self.button.disabled = left <= 0
        self.remaining.value = _remain(left) if visible else ""
        items = "".join(f"<li>{html.escape(h)}</li>" for h in shown)
        self.shown.value = f'<ol class="labcheck-hint-list">{items}</ol>' if items else ""

    def __repr__(self) -> str:
        return f"HintsView({self.remaining.value or 'hidden'})"


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
            self.output.outputs = (_error_output(exc),)
        finally:
            self.button.disabled = False
        return self.error is None

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"{self.title} diagram (press Refresh in JupyterLab to redraw)"
        return bundle

    def __repr__(self) -> str:
        return f"TopologyView({self.title!r})"


class ExercisePanel(TextFallback):
    """The Check button of one exercise, with its report, hints and optional diagram.

    ``check(exercise_id, progress=..., **check_options)`` grades (default:
    :func:`labcheck.check`); ``hints`` is the :class:`HintSource` offered
    after a failed check (default: :class:`ExerciseHints` of the exercise).
    """

    def __init__(self, exercise_id: str, *, check: CheckFunction | None = None,
                 hints: HintSource | None = None, topology: TopologyView | None = None,
                 refresh_topology: bool = True, check_options: dict[str, Any] | None = None
                 ) -> None:
        self.exercise_id = str(exercise_id)
        self._check = check
        self.check_options = dict(check_options or {})
        self.topology = topology
        self.refresh_topology = refresh_topology
        self.button = widgets.Button(description="Check", button_style="primary",
                                     icon="check", tooltip=f"check exercise {self.exercise_id}")
        self.progress = NotebookProgress(display=False)
        self.progress.widget.layout.visibility = "hidden"
        self.output = widgets.Output()
        self.hint_source: HintSource = hints if hints is not None else ExerciseHints(
            self.exercise_id, dirs=self.check_options.get("dirs"),
            hints_file=self.check_options.get("hints_file"))
        self.hints = HintsView(self.hint_source)
        self.hints.show(False)
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
            from .live.grading import check  # the grading engine, imported on first use
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
            report = self.check(self.exercise_id, progress=self.progress, **self.check_options)
        except Exception as exc:  # noqa: BLE001 - shown in the widget, never lost in a log
            self.error = error_line(exc)
            self.output.outputs = (_error_output(exc),)
            self.hints.show(False)
            self.button.button_style = "danger"
        else:
            self.report = report
            passed = bool(getattr(report, "passed", False))
            verdict = "passed" if passed else "not yet passed"
            self.output.outputs = (_rich_output(report, f"exercise {self.exercise_id}: {verdict}"),)
            update = getattr(self.hint_source, "update", None)
            if callable(update):
                update(report)
            self.hints.show(not passed)
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


def topology_view(draw: DrawFunction | None = None, *, title: str = "topology",
                  **diagram_options: Any) -> TopologyView:
    """A diagram with a Refresh button: ``draw()``, or ``labcheck.diagram(**diagram_options)``
    of the daemon's state at each drawing (or of ``snapshot=``, when given)."""
    def default_draw() -> Any:
        from .drawing import diagram  # graphviz is imported only when a diagram is drawn

        options = dict(diagram_options)
        snapshot = options.pop("snapshot", None)
        if snapshot is None:
            from .live.collect import collect_local

            snapshot = collect_local()
        return diagram(snapshot, **options)
    return TopologyView(draw or default_draw, title=title)


class _ExerciseDiagram:
    """An exercise's diagram, marked by its checks' verdicts.

    Used as the panel's check function, it keeps the snapshot and the
    report of each check, and the redraw after that check shows exactly
    them. A Refresh (or the first drawing) grades the daemon's state anew,
    without probes: the checks that mark a diagram (objects, names, ports)
    need none.
    """

    def __init__(self, exercise_id: str, check_options: dict[str, Any]) -> None:
        self.exercise_id = exercise_id
        self.binding = {k: check_options[k] for k in ("names", "ports", "suffix", "dirs")
                        if k in check_options}
        self.latest: tuple[Any, Any] | None = None

    def check(self, exercise_id: str, **options: Any) -> Any:
        from .live.grading import graded

        snapshot, report = graded(exercise_id, **options)
        self.latest = (snapshot, report)
        return report

    def draw(self) -> Any:
        from .render.diagram import diagram  # graphviz is imported only when a diagram is drawn

        if self.latest is not None:
            (snapshot, report), self.latest = self.latest, None
            return diagram(snapshot, report=report)
        from .live.grading import graded

        snapshot, report = graded(self.exercise_id, probes=False, **self.binding)
        return diagram(snapshot, report=report, title="")


def check_button(exercise_id: str, *, topology: bool | TopologyView = False,
                 refresh_topology: bool = True, check: CheckFunction | None = None,
                 hints: HintSource | None = None, **check_options: Any) -> ExercisePanel:
    """The one-call Check button of an exercise (see the module docstring).

    ``topology=True`` adds the exercise's expected-against-actual diagram,
    redrawn after each check (unless ``refresh_topology=False``; its Refresh
    button always works); pass a :class:`TopologyView` to choose another.
    ``check`` defaults to :func:`labcheck.check`; ``check_options`` (for
    example ``suffix=`` or ``names=`` and ``ports=``) are passed to it.
    """
    view: TopologyView | None
    if topology is True:
        drawing = _ExerciseDiagram(exercise_id, check_options)
        check = check or drawing.check
        view = TopologyView(drawing.draw, title=f"exercise {exercise_id}")
    else:
        view = topology or None
    return ExercisePanel(exercise_id, check=check, hints=hints, topology=view,
                         refresh_topology=refresh_topology, check_options=check_options)
