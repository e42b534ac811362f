"""connect()'s reading of docker contexts and its TLS messages (no daemon needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from labcheck.live.daemon import _context_settings, describe_target, translate_docker_error
from labcheck.errors import DaemonTLSError, DaemonUnreachable, EnvironmentProblem


def _store(config: Path, name: str, host: str, tls: bool = True, skip: bool = False) -> None:
    """Write a context the way `docker context create` does (meta.json + tls folder)."""
    ident = hashlib.sha256(name.encode()).hexdigest()
    meta = config / "contexts" / "meta" / ident
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps(
        {"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host,
                                                                 "SkipTLSVerify": skip}}}))
    if tls:
        folder = config / "contexts" / "tls" / ident / "docker"
        folder.mkdir(parents=True)
        for file in ("ca.pem", "cert.pem", "key.pem"):
            (folder / file).write_text("pem")


def test_context_without_config_json_is_found(tmp_path):
    _store(tmp_path, "remote", "tcp://127.0.0.1:2376")
    host, tls, where = _context_settings({"DOCKER_CONFIG": str(tmp_path),
                                          "DOCKER_CONTEXT": "remote"})
    assert host == "tcp://127.0.0.1:2376"
    assert tls.verify and tls.ca_cert.endswith("ca.pem") and tls.cert[0].endswith("cert.pem")
    assert where == "docker context 'remote' (tcp://127.0.0.1:2376)"


def test_current_context_comes_from_config_json(tmp_path):
    _store(tmp_path, "lab", "tcp://127.0.0.1:2376", tls=False)
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "lab"}))
    host, tls, _ = _context_settings({"DOCKER_CONFIG": str(tmp_path)})
    assert (host, tls) == ("tcp://127.0.0.1:2376", None)


def test_docker_host_wins_and_default_means_the_socket(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "lab"}))
    assert _context_settings({"DOCKER_HOST": "tcp://127.0.0.1:1",
                              "DOCKER_CONFIG": str(tmp_path)})[2] == "DOCKER_HOST=tcp://127.0.0.1:1"
    assert _context_settings({"DOCKER_CONFIG": str(tmp_path / "empty")})[2] == "the default socket"


def test_missing_and_broken_contexts_say_what_to_do(tmp_path):
    with pytest.raises(EnvironmentProblem, match="'nosuch' does not exist.*docker context ls"):
        _context_settings({"DOCKER_CONFIG": str(tmp_path), "DOCKER_CONTEXT": "nosuch"})
    (tmp_path / "config.json").write_text("{not json")
    assert "cannot be read" in describe_target({"DOCKER_CONFIG": str(tmp_path)})


@pytest.mark.parametrize("text, words", [
    ("400 Client Error: Bad Request (\"Client sent an HTTP request to an HTTPS server.\")",
     "requires TLS"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer",
     "not signed by the CA you trust"),
    ("[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate", "rejected the client"),
    ("SSLEOFError(8, 'EOF occurred in violation of protocol')", "closed the TLS handshake"),
    ("[SSL: WRONG_VERSION_NUMBER] wrong version number", "does not speak TLS"),
])
def test_tls_failures_name_the_wrong_side(text, words):
    error = translate_docker_error(RuntimeError(text), "DOCKER_HOST=tcp://127.0.0.1:2376")
    assert isinstance(error, DaemonTLSError) and words in str(error)


def test_refused_context_says_how_to_switch_back():
    error = translate_docker_error(ConnectionRefusedError("Connection refused"),
                                   "docker context 'lab' (tcp://127.0.0.1:1)")
    assert isinstance(error, DaemonUnreachable)
    assert "docker context use default" in str(error)
