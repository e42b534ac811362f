"""labcheck.notebook: the first cell's messages, the unready lab, one-line errors.

No daemon is needed: connect() really fails on a socket path that does not
exist. The IPython part runs cells in a real InteractiveShell.
"""

from __future__ import annotations

import doctest

import pytest

import labcheck.notebook as notebook
from labcheck.errors import DaemonNotRunning, LabcheckError
from labcheck.notebook import LabNotReady, explain, install_error_display
from labcheck.live.notebook import UnreadyLab, ready


@pytest.fixture
def no_daemon(tmp_path) -> dict[str, str]:
    return {"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"}


def test_doctests():
    assert doctest.testmod(notebook).failed == 0


@pytest.mark.parametrize("place, extra, words", [
    ("binder", {"BINDER_SERVICE_HOST": "10.1.2.3"},
     ["Binder, which has no Docker daemon", "make lab", "You can read the lesson"]),
    ("binder", {"BINDER_REQUEST": "v2/gh/x/y/main"}, ["Binder", "make lab"]),
    ("jupyterhub", {"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"},
     ["JupyterHub server has no Docker daemon", "course staff", "make lab", "no-docker.sock"]),
    ("local", {}, ["The labs need Docker", "no Docker daemon answers at", "Start Docker"]),
])
def test_failed_ready_says_one_friendly_paragraph(no_daemon, place, extra, words, capsys):
    environ = {**no_daemon, **extra}
    assert notebook.where_am_i(environ) == place
    lab = ready("02", environ=environ)
    out, err = capsys.readouterr()
    assert err == ""
    assert out.count("\n") == 1 and "Traceback" not in out
    for word in words:
        assert word in out, out
    assert isinstance(lab, UnreadyLab) and lab.lesson == "02"


def test_later_cells_stop_with_one_line(no_daemon):
    lab = ready("02", environ=no_daemon, say=lambda _: None)
    with pytest.raises(LabNotReady) as info:
        lab.run("web")
    message = str(info.value)
    assert "lesson '02' is not ready" in message and "first cell again" in message
    assert "\n" not in message and info.value.exit_code == 3
    with pytest.raises(LabNotReady):
        lab.network("mybridge")
    with pytest.raises(LabNotReady):
        lab.reset()


def test_explain_local_includes_the_error():
    error = DaemonNotRunning("no Docker daemon answers at the default socket")
    assert explain(error, {}) == ("The labs need Docker, and it is not ready: no Docker "
                                  "daemon answers at the default socket")


# -- one-line errors in IPython -------------------------------------------------------------

@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    instance = InteractiveShell.instance()
    yield instance
    instance.set_custom_exc((), None)
    InteractiveShell.clear_instance()


def test_labcheck_errors_show_as_one_line_in_ipython(shell, capsys):
    assert install_error_display(shell)
    result = shell.run_cell("from labcheck.errors import DaemonNotRunning\n"
                            "def deep():\n    raise DaemonNotRunning('no Docker daemon here')\n"
                            "deep()\n")
    out, err = capsys.readouterr()
    assert isinstance(result.error_in_exec, DaemonNotRunning)  # the cell still fails
    text = (out + err).strip()
    assert text == "DaemonNotRunning: no Docker daemon here"
    # other errors keep their full traceback
    shell.run_cell("1/0")
    out, err = capsys.readouterr()
    assert "ZeroDivisionError" in out + err and "Traceback" in out + err


def test_without_the_handler_ipython_shows_a_traceback(shell, capsys):
    """The control: the same cell without install_error_display shows the traceback."""
    shell.run_cell("from labcheck.errors import DaemonNotRunning\n"
                   "raise DaemonNotRunning('no Docker daemon here')\n")
    out, err = capsys.readouterr()
    assert "Traceback" in out + err or "----> " in out + err


def test_an_existing_custom_handler_is_left_alone(shell):
    shell.set_custom_exc((KeyError,), lambda *a, **k: None)
    assert not install_error_display(shell)
    assert shell.custom_exceptions == (KeyError,)


def test_outside_ipython_nothing_is_installed(monkeypatch):
    monkeypatch.setattr(notebook, "ipython_shell", lambda: None)
    assert install_error_display() is False
    assert issubclass(LabNotReady, LabcheckError)
