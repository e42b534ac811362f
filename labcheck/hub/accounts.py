"""The class's Unix accounts: ``labcheck-student-NAME``, made and removed by the hub only.

Each student is an ordinary user of their own with a private home (0700)
and subordinate ids (``/etc/subuid``, ``/etc/subgid``) for their rootless
engine. Every account made here carries :data:`MARK` in its GECOS field;
:func:`remove` deletes only accounts that have both the prefix and the mark,
so a machine's own users are never touched. Needs root.

>>> system_name("alice")
'labcheck-student-alice'
>>> check_name("ann-2")
'ann-2'
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import signal
import subprocess
from pathlib import Path

from ..errors import EnvironmentProblem, UsageError

__all__ = ["PREFIX", "MARK", "system_name", "check_name", "ensure", "ours", "remove",
           "processes_of", "handin_dir"]

PREFIX = "labcheck-student-"
MARK = "labcheck hub student"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


def system_name(student: str) -> str:
    """The Unix user of ``student`` (their JupyterHub name)."""
    return PREFIX + check_name(student)


def check_name(student: str) -> str:
    if not _NAME.match(student):
        raise UsageError(f"not a student name: {student!r} (lower-case letters, digits and "
                         "'-', at most 16, a letter first)")
    return student


def _entry(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _has_subids(name: str) -> bool:
    for table in ("/etc/subuid", "/etc/subgid"):
        path = Path(table)
        if not path.exists() or not any(line.split(":")[0] == name
                                        for line in path.read_text().splitlines()):
            return False
    return True


def ensure(student: str) -> pwd.struct_passwd:
    """The student's account, made if missing (home 0700, subordinate ids)."""
    name = system_name(student)
    entry = _entry(name)
    if entry is None:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", MARK,
                        name], check=True, capture_output=True)
        entry = _entry(name)
    if entry is None or entry.pw_gecos != MARK:
        raise EnvironmentProblem(f"user {name} exists and was not made by labcheck hub: "
                                 "choose another student name")
    if not _has_subids(name):
        base = 100000 + 65536 * (entry.pw_uid % 20000 + 1)
        subprocess.run(["usermod", "--add-subuids", f"{base}-{base + 65535}",
                        "--add-subgids", f"{base}-{base + 65535}", name], check=True)
    os.chmod(entry.pw_dir, 0o700)
    return entry


def ours() -> list[pwd.struct_passwd]:
    """Every account this module made (prefix and mark)."""
    return [e for e in pwd.getpwall() if e.pw_name.startswith(PREFIX) and e.pw_gecos == MARK]


def processes_of(uid: int) -> list[int]:
    """The ids of every process whose real uid is ``uid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:") and int(line.split()[1]) == uid:
                found.append(int(entry.name))
    return found


def remove(students: list[str] | None = None) -> list[str]:
    """Remove the named students' accounts (default: all of ours), their homes and
    processes; return the Unix names removed."""
    wanted = None if students is None else {system_name(s) for s in students}
    removed = []
    for entry in ours():
        if wanted is not None and entry.pw_name not in wanted:
            continue
        for pid in processes_of(entry.pw_uid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        subprocess.run(["userdel", "--remove", entry.pw_name], check=False,
                       capture_output=True)
        removed.append(entry.pw_name)
    return removed


def handin_dir(root: Path, student: str) -> Path:
    """The student's hand-in folder under ``root`` (theirs alone, read by the instructor)."""
    entry = _entry(system_name(student))
    folder = root / check_name(student)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o711)
    if entry is not None:
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    os.chmod(folder, 0o700)
    return folder
