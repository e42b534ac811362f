"""The lab image: built from the host's static busybox with no registry, and it works.

The image is built under a tag unique to the test and removed afterwards,
so the shared ``labcheck/lab:1`` is never touched.
"""

from __future__ import annotations

import os
import stat

import pytest

from labcheck.errors import ImageUnavailable
from labcheck.images import (
    LAB_IMAGE,
    REQUIRED_APPLETS,
    SOURCE_LABEL,
    find_static_busybox,
    is_static_elf,
)
from labcheck.live.images import build_lab_image, ensure_lab_image, image_status

pytestmark = pytest.mark.docker

APPLET_CHECK = r"""
set -e
for a in sh ping nslookup wget httpd nc ip timeout sleep cat; do command -v $a >/dev/null; done
ip -o -4 addr | grep -q '127.0.0.1'
ping -c 1 -W 2 127.0.0.1 >/dev/null
mkdir -p /tmp/www && echo served > /tmp/www/index.html
httpd -p 127.0.0.1:8080 -h /tmp/www
timeout 3 wget -q -O - http://127.0.0.1:8080/ | grep -q served
(echo hello-nc | nc -l -p 9000 &) ; sleep 0.2
timeout 3 nc 127.0.0.1 9000 </dev/null | grep -q hello-nc
out=$(timeout 3 nslookup -type=a nothing.test 127.0.0.1 2>&1 || true)
echo "$out" | grep -qi -e 'refused' -e "can't find" -e 'timed out'
echo all-applets-work
"""


@pytest.fixture
def busybox() -> str:
    path = find_static_busybox()
    if path is None:
        pytest.skip("no static busybox on this host (apt-get install busybox-static)")
    return path


@pytest.fixture
def unique_tag(docker_client, unique, lab):
    tag = f"labcheck/lab:test-{unique}"
    yield tag
    import docker.errors

    lab.reset()  # containers of the image first, or it would stay behind untagged
    try:
        docker_client.api.remove_image(tag, force=True)
    except docker.errors.ImageNotFound:
        pass


def test_build_with_no_registry_and_applets_work(docker_client, lab, name, busybox, unique_tag):
    assert not image_status(docker_client, unique_tag).present
    status = build_lab_image(docker_client, busybox, unique_tag)
    assert status.present and status.name == unique_tag
    assert status.source == "busybox-static (built here)"
    attrs = docker_client.api.inspect_image(unique_tag)
    assert attrs["Config"]["Labels"][SOURCE_LABEL] == status.source
    assert attrs["Size"] < 10_000_000  # a few MB: busybox and symlinks, no base image
    assert attrs["Config"]["Cmd"] == ["sh"]
    # every applet the lessons need, exercised for real (network none: loopback only)
    box = lab.run(name("applets"), image=unique_tag, network_mode="none",
                  command=["sleep", "60"])
    code, out = lab.exec(box, ["sh", "-c", APPLET_CHECK])
    assert code == 0 and "all-applets-work" in out, out
    lab.remove(box)


def test_ensure_reuses_a_present_image(docker_client, busybox, unique_tag):
    first = ensure_lab_image(docker_client, unique_tag, busybox=busybox)
    messages = []
    second = ensure_lab_image(docker_client, unique_tag, busybox=busybox,
                              progress=messages.append)
    assert second.image_id == first.image_id and messages == []  # not rebuilt
    assert "present, busybox-static (built here)" in second.describe()


def test_the_shared_lab_image_is_present(docker_client):
    status = image_status(docker_client, LAB_IMAGE)
    assert status.present and LAB_IMAGE in status.describe()


def test_a_busybox_without_the_applets_is_refused(docker_client, tmp_path, unique_tag):
    fake = tmp_path / "busybox"
    fake.write_text("#!/bin/sh\nprintf 'sh\\nls\\n'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(ImageUnavailable, match=r"lacks ping, nslookup.*apt-get install "
                                               r"busybox-static"):
        build_lab_image(docker_client, str(fake), unique_tag)
    assert not image_status(docker_client, unique_tag).present


def test_missing_image_status(docker_client, unique):
    status = image_status(docker_client, f"labcheck/lab:absent-{unique}")
    assert not status.present and "missing" in status.describe()


def test_static_elf_detection(tmp_path, busybox):
    assert is_static_elf(busybox)
    assert not is_static_elf("/bin/sh") or os.path.realpath("/bin/sh") == busybox
    text = tmp_path / "script"
    text.write_text("#!/bin/sh\n")
    assert not is_static_elf(text) and not is_static_elf(tmp_path / "missing")
    assert find_static_busybox([str(text), busybox]) == os.path.realpath(busybox)
    assert find_static_busybox([str(text)]) is None
    assert set(REQUIRED_APPLETS) >= {"sh", "ping", "nslookup", "wget", "httpd", "nc", "ip"}
