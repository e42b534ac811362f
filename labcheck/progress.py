"""Progress for long work: a bar in notebooks, a line on a terminal, silence elsewhere.

A *progress callback* is any callable ``progress(done, total, message)``.
labcheck's long operations accept one as ``progress=`` (``run_probes``,
``collect``, and ``check`` passes it on) and call it as the work advances:
first with ``done=0``, then once per finished step. ``total=0`` means the
amount of work is not known (a single step such as building the lab image):
the reporter shows the message without a fraction.

Three reporters, and :func:`auto_progress` (or the :func:`reporting` context
manager) to pick the right one:

- :class:`NotebookProgress`: an ipywidgets bar with a label, shown in place
  (in a notebook kernel). ipywidgets is imported only when one is made.
- :class:`TerminalProgress`: one self-rewriting line on a terminal. It writes
  only when its stream is a TTY, so piped output, CI logs and grading runs
  (nbgrader zeroes a cell that writes to stderr) stay clean.
- :class:`NullProgress`: does nothing.

>>> seen = []
>>> record = lambda done, total, message: seen.append((done, total, message))
>>> for name in track(["web", "db"], record, "starting {}"):
...     pass
>>> seen
[(0, 2, 'starting web'), (1, 2, 'starting db'), (2, 2, 'done')]
>>> render_line(3, 8, "resolve 'db' from container 'web'", width=10)
"[###.......] 3/8 resolve 'db' from container 'web'"
>>> render_line(0, 0, "building labcheck/lab:1")
'... building labcheck/lab:1'
"""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Protocol, TextIO, TypeVar

__all__ = [
    "Say",
    "ProgressCallback",
    "Progress",
    "NullProgress",
    "TerminalProgress",
    "NotebookProgress",
    "auto_progress",
    "reporting",
    "ipython_shell",
    "in_notebook_kernel",
    "notify",
    "track",
    "message_callback",
    "render_line",
]

#: ``say(line)``: where a long step tells what it does, one line at a time (print, a
#: progress bar's message, or nothing).
Say = Callable[[str], None]

#: ``progress(done, total, message)``; ``total == 0`` means "amount unknown".
ProgressCallback = Callable[[int, int, str], None]

T = TypeVar("T")


class Progress(Protocol):
    """What every reporter offers: the callback, and ``close()`` when the work ends."""

    def __call__(self, done: int, total: int, message: str) -> None: ...

    def close(self, message: str = "") -> None: ...


def notify(progress: ProgressCallback | None, done: int, total: int, message: str) -> None:
    """Call ``progress`` if there is one (the helper long operations use)."""
    if progress is not None:
        progress(done, total, message)


def track(items: Iterable[T], progress: ProgressCallback | None,
          message: str = "{}") -> Iterator[T]:
    """Yield ``items``, reporting each one before it is worked on and 'done' at the end.

    ``message`` is formatted with the item (``"starting {}"``).
    """
    seq = list(items)
    total = len(seq)
    for index, item in enumerate(seq):
        notify(progress, index, total, message.format(item))
        yield item
    notify(progress, total, total, "done")


def message_callback(progress: ProgressCallback | None) -> Say | None:
    """Adapt a progress callback to a message-only one (``ensure_lab_image(progress=)``)."""
    if progress is None:
        return None
    return lambda message: progress(0, 0, message)


def render_line(done: int, total: int, message: str, *, width: int = 20) -> str:
    """One line of text: ``[####......] 3/8 message``, or ``... message`` when total is 0."""
    if total <= 0:
        return f"... {message}".rstrip()
    done = max(0, min(done, total))
    filled = round(width * done / total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message}".rstrip()


class NullProgress:
    """A reporter that shows nothing."""

    def __call__(self, done: int, total: int, message: str) -> None:
        return None

    def close(self, message: str = "") -> None:
        return None

    def __repr__(self) -> str:
        return "NullProgress()"


class TerminalProgress:
    """A single line on a terminal, rewritten in place; silent unless the stream is a TTY.

    ``stream`` defaults to ``sys.stderr`` (so a command's stdout stays clean
    for pipes), looked up when used. ``force=True`` writes even to a non-TTY.
    """

    def __init__(self, stream: TextIO | None = None, *, force: bool = False,
                 width: int = 20, columns: int = 100) -> None:
        self._stream = stream
        self.force = force
        self.width = width
        self.columns = columns
        self._drawn = 0

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    @property
    def enabled(self) -> bool:
        """True when this reporter writes anything (a TTY, or forced)."""
        if self.force:
            return True
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError, io.UnsupportedOperation):
            return False

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.enabled:
            return
        line = render_line(done, total, message, width=self.width)[: self.columns]
        pad = " " * max(0, self._drawn - len(line))
        self.stream.write(f"\r{line}{pad}")
        self.stream.flush()
        self._drawn = len(line)

    def close(self, message: str = "") -> None:
        """Put ``message`` on a line in place of the bar, or erase the bar when none is given."""
        if not self.enabled or (not self._drawn and not message):
            return
        if message:
            pad = " " * max(0, self._drawn - len(message))
            self.stream.write(f"\r{message}{pad}\n")
        else:
            self.stream.write(f"\r{' ' * self._drawn}\r")
        self.stream.flush()
        self._drawn = 0


class NotebookProgress:
    """An ipywidgets progress bar with a label, for notebooks and widgets.

    Made with ``display=True`` it shows itself in the current cell's output
    and, on :meth:`close`, replaces itself with ``message`` as plain text (or
    nothing), so a notebook saved after a run holds no stale bar.
    Embedded in another widget (``display=False``), put :attr:`widget` in
    your layout.
    """

    def __init__(self, description: str = "", *, display: bool = True) -> None:
        import ipywidgets as widgets

        self.bar = widgets.IntProgress(value=0, min=0, max=1, description=description,
                                       bar_style="info",
                                       layout=widgets.Layout(width="16em"))
        self.label = widgets.Label(value="")
        self.widget = widgets.HBox([self.bar, self.label],
                                   layout=widgets.Layout(align_items="center"))
        self.widget.add_class("labcheck-progress")
        self._handle: Any = None
        if display:
            from IPython.display import display as show

            self._handle = show(self, display_id=True)  # type: ignore[no-untyped-call]

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = "labcheck progress"
        return bundle

    def __call__(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.max = total
            self.bar.value = max(0, min(done, total))
            self.bar.bar_style = "info"
            self.label.value = f"{self.bar.value}/{total} {message}".rstrip()
        else:
            # Amount unknown: a full, striped bar says "working" without a fraction.
            self.bar.max = 1
            self.bar.value = 1
            self.bar.bar_style = "info"
            self.label.value = message
        self.widget.layout.visibility = "visible"

    def close(self, message: str = "") -> None:
        """Finish: hide the bar (embedded) or replace the displayed bar with ``message``."""
        self.label.value = message
        if self._handle is not None:
            self._handle.update({"text/plain": message}, raw=True)
            self.widget.close()
            self._handle = None
        else:
            self.widget.layout.visibility = "hidden"

    def __repr__(self) -> str:
        return f"NotebookProgress(value={self.bar.value}, max={self.bar.max})"


def ipython_shell() -> Any:
    """The running IPython shell, or None outside IPython (IPython is not imported here)."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:  # noqa: BLE001 - an odd IPython is "no shell"
        return None


def in_notebook_kernel() -> bool:
    """True inside a Jupyter kernel (where widgets can be shown)."""
    shell = ipython_shell()
    return shell is not None and getattr(shell, "kernel", None) is not None


def auto_progress(description: str = "", *, stream: TextIO | None = None) -> Progress:
    """The reporter for where this runs: notebook bar, terminal line, or nothing."""
    if in_notebook_kernel():
        try:
            return NotebookProgress(description)
        except ImportError:
            return NullProgress()
    terminal = TerminalProgress(stream)
    return terminal if terminal.enabled else NullProgress()


@contextmanager
def reporting(description: str = "", *, done_message: str = "",
              stream: TextIO | None = None) -> Iterator[Progress]:
    """``with reporting("starting") as bar:`` an :func:`auto_progress`, closed at the end.

    In a lesson::

        with reporting("starting containers") as bar:
            for name in track(["web", "db", "cache"], bar, "starting {}"):
                lab.run(name, network="mybridge")

        with reporting("lab image", done_message="lab image ready") as bar:
            labcheck.ensure_lab_image(client, progress=message_callback(bar))

        with reporting("probes") as bar:
            results = run_probes(client, probes, progress=bar)
    """
    reporter = auto_progress(description, stream=stream)
    try:
        yield reporter
    finally:
        reporter.close(done_message)
