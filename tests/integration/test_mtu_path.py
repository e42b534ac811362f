"""The path of ``06-mtu`` for real: small pages load on every network, the 512 KB file only
where the network's MTU fits the narrow link (each download from a fresh container).

Needs root on the Docker host, like the scenario."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from exercise_fixtures import load_fixture, test_binding  # noqa: E402

from labcheck.scenarios import MTU_PATH  # noqa: E402

FIXTURE = load_fixture("06-mtu")


@pytest.mark.parametrize("mtu", [None, MTU_PATH, 9000])
def test_only_the_path_s_mtu_carries_the_big_download(lab, unique, mtu):
    names = test_binding("06-mtu", unique)
    FIXTURE._shopnet_with(lab, names, mtu)
    net = names["shopnet"]
    assert FIXTURE.download(lab, net, "small") == 0
    code = FIXTURE.download(lab, net, "big")
    assert (code == 0) == (mtu == MTU_PATH), f"big download with MTU {mtu}: exit code {code}"
