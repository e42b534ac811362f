"""``labcheck hub start --engine auto`` on a machine without user namespaces takes the VM.

Distributions turn unprivileged user namespaces off with the
``user.max_user_namespaces`` sysctl. That limit belongs to a user namespace, so
the test sets it to 0 in a user namespace of its own (root mapped to root, the
machine untouched) and asks :func:`labcheck.hub.isolation.resolve` there: a
real ``unshare --user`` as ``nobody`` is refused, and ``auto`` becomes ``vm``.
Outside it, on this machine, ``auto`` is ``rootless``.
"""

from __future__ import annotations

import ctypes
import os
import shutil

import pytest

from labcheck.hub import isolation

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="maps root into a user namespace (root)"),
    pytest.mark.skipif(shutil.which("rootlesskit") is None or shutil.which("setpriv") is None,
                       reason="rootlesskit and setpriv (make hub installs them) are not here"),
]

_CLONE_NEWUSER = 0x10000000


def _in_userns_without_userns() -> tuple[bool, str]:
    """(userns_works(), resolve("auto")) where user namespaces are off."""
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    answer_r, answer_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a user namespace, then its limit set to 0
        try:
            if ctypes.CDLL(None, use_errno=True).unshare(_CLONE_NEWUSER) != 0:
                os._exit(2)
            os.write(to_parent_w, b"x")
            os.read(to_child_r, 1)  # the parent has written our id maps
            os.setgid(0)
            os.setuid(0)
            with open("/proc/sys/user/max_user_namespaces", "w") as limit:
                limit.write("0")
            works = isolation.userns_works()
            os.write(answer_w, f"{works} {isolation.resolve('auto', vm_ready=True)}".encode())
            os._exit(0)
        except BaseException:
            os._exit(3)
    os.read(to_parent_r, 1)
    for name in ("uid_map", "gid_map"):
        with open(f"/proc/{pid}/{name}", "w") as idmap:
            idmap.write("0 0 65536\n")
    os.write(to_child_w, b"x")
    status = os.waitpid(pid, 0)[1]
    assert os.waitstatus_to_exitcode(status) == 0, f"the child failed ({status})"
    works, kind = os.read(answer_r, 100).decode().split()
    return works == "True", kind


@pytest.mark.skipif(open("/proc/sys/user/max_user_namespaces").read().strip() == "0",
                    reason="this machine has user namespaces off")
def test_auto_takes_rootless_where_user_namespaces_work():
    assert isolation.userns_works()
    assert isolation.resolve("auto", vm_ready=True) == "rootless"


def test_auto_takes_the_vm_where_user_namespaces_are_off():
    works, kind = _in_userns_without_userns()
    assert works is False
    assert kind == "vm"
