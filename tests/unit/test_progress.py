"""Progress reporters: the text line, TTY-only output, the notebook bar, track()."""

from __future__ import annotations

import io

import pytest

from labcheck import progress as P


class FakeTTY(io.StringIO):
    """A StringIO that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_render_line_fraction_and_clamping():
    assert P.render_line(0, 4, "go", width=4) == "[....] 0/4 go"
    assert P.render_line(2, 4, "go", width=4) == "[##..] 2/4 go"
    assert P.render_line(9, 4, "go", width=4) == "[####] 4/4 go"
    assert P.render_line(0, 0, "building") == "... building"


def test_terminal_progress_is_silent_when_not_a_tty():
    stream = io.StringIO()
    bar = P.TerminalProgress(stream)
    assert not bar.enabled
    bar(1, 3, "probe")
    bar.close("finished")
    assert stream.getvalue() == ""


def test_terminal_progress_rewrites_one_line_on_a_tty():
    stream = FakeTTY()
    bar = P.TerminalProgress(stream, width=4)
    assert bar.enabled
    bar(1, 2, "a long message")
    bar(2, 2, "short")
    bar.close("done")
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("done" + " " * (len("[####] 2/2 short") - 4) + "\n")
    first, second = text.split("\r")[1:3]
    assert first == "[##..] 1/2 a long message"
    # the shorter line pads over what the longer one left behind
    assert second.startswith("[####] 2/2 short") and len(second) == len(first)


def test_terminal_progress_defaults_to_stderr_looked_up_late(monkeypatch):
    fake = FakeTTY()
    bar = P.TerminalProgress()
    monkeypatch.setattr("sys.stderr", fake)
    bar(1, 1, "x")
    assert "1/1 x" in fake.getvalue()


def test_auto_progress_outside_a_kernel_is_silent_unless_tty():
    assert isinstance(P.auto_progress(stream=io.StringIO()), P.NullProgress)
    assert isinstance(P.auto_progress(stream=FakeTTY()), P.TerminalProgress)
    assert P.in_notebook_kernel() is False


def test_track_reports_each_item_then_done():
    seen = []
    items = list(P.track("ab", lambda d, t, m: seen.append((d, t, m)), "item {}"))
    assert items == ["a", "b"]
    assert seen == [(0, 2, "item a"), (1, 2, "item b"), (2, 2, "done")]
    assert list(P.track([], None)) == []


def test_message_callback_adapts_to_indeterminate_progress():
    seen = []
    assert P.message_callback(None) is None
    P.message_callback(lambda d, t, m: seen.append((d, t, m)))("building image")
    assert seen == [(0, 0, "building image")]


def test_notebook_progress_updates_its_widgets_without_a_frontend():
    bar = P.NotebookProgress("probes", display=False)
    bar(0, 4, "running 4 probes")
    assert (bar.bar.value, bar.bar.max, bar.label.value) == (0, 4, "0/4 running 4 probes")
    bar(3, 4, "resolve 'db'")
    assert (bar.bar.value, bar.label.value) == (3, "3/4 resolve 'db'")
    bar(0, 0, "building labcheck/lab:1")
    assert bar.bar.value == bar.bar.max == 1 and bar.label.value == "building labcheck/lab:1"
    bar.close("finished")
    assert bar.widget.layout.visibility == "hidden" and bar.label.value == "finished"
    assert bar._repr_mimebundle_()["text/plain"] == "labcheck progress"


def test_reporting_closes_its_reporter_even_on_error():
    stream = FakeTTY()
    with pytest.raises(RuntimeError):
        with P.reporting("work", done_message="stopped", stream=stream) as bar:
            bar(1, 2, "half")
            raise RuntimeError("boom")
    assert stream.getvalue().endswith("stopped" + " " * (len("[##########..........] 1/2 half") - 7) + "\n")


def test_terminal_progress_close_without_message_erases_the_bar():
    stream = FakeTTY()
    bar = P.TerminalProgress(stream, width=2)
    bar(1, 2, "x")
    bar.close()
    assert stream.getvalue() == "\r[#.] 1/2 x" + "\r" + " " * len("[#.] 1/2 x") + "\r"
    bar.close()  # nothing drawn: nothing written
    assert stream.getvalue().count("\r") == 3
