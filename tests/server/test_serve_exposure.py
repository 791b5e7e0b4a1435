"""Issue 16: `kolscope serve` on a network. A non-loopback bind needs --tls-cert/--tls-key or
--behind-proxy (refused in one line otherwise); with a certificate it serves HTTPS (cheroot), a real
server answering a client that trusts only the test CA; X-Forwarded-* are trusted behind a proxy only."""

from __future__ import annotations

import http.client
import json
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest
import trustme

from server import create_app
from server.cli import main
from server.serve import prepare_app
from tests.server.api.test_crash import ROOT, free_port


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def pems(ca, tmp_path):
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_path, key_path, ca_path = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_path), append=True)
    cert.private_key_pem.write_to_path(str(key_path))
    ca.cert_pem.write_to_path(str(ca_path))
    return cert_path, key_path, ca_path


def _refusal(capsys, *argv: str) -> str:
    assert main(["serve", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kolscope: "), err
    return err


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "kolscope.example.com"])
def test_a_network_bind_without_tls_or_proxy_is_refused_saying_both_ways(capsys, tmp_path, host):
    err = _refusal(capsys, "--data", str(tmp_path / "d"), "--host", host)
    assert f"refusing to listen on {host}" in err and "--tls-cert" in err and "--behind-proxy" in err
    assert not (tmp_path / "d").exists()  # refused before the store was opened


def test_tls_options_are_checked_before_anything_starts(capsys, tmp_path, pems):
    cert, key, _ = pems
    data = str(tmp_path / "d")
    assert "go together" in _refusal(capsys, "--data", data, "--tls-cert", str(cert))
    assert "exclude each other" in _refusal(capsys, "--data", data, "--tls-cert", str(cert), "--tls-key", str(key),
                                            "--behind-proxy")
    missing = tmp_path / "nope.pem"
    assert f"cannot read {missing}" in _refusal(capsys, "--data", data, "--tls-cert", str(missing), "--tls-key", str(key))
    err = _refusal(capsys, "--data", data, "--tls-cert", str(key), "--tls-key", str(key))
    assert "not a usable certificate and private key" in err
    other = trustme.CA().issue_cert("127.0.0.1")
    other_key = tmp_path / "other.key"
    other.private_key_pem.write_to_path(str(other_key))
    assert "not a usable" in _refusal(capsys, "--data", data, "--tls-cert", str(cert), "--tls-key", str(other_key))
    assert not (tmp_path / "d").exists()


def test_serve_answers_over_https_with_the_given_certificate(tmp_path, pems):
    cert, key, ca_path = pems
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--data", str(tmp_path / "data"), "--port", str(port),
         "--no-scheduler", "--tls-cert", str(cert), "--tls-key", str(key)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    trusting = ssl.create_default_context(cafile=str(ca_path))
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and health is None:
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{port}/api/v1/health", context=trusting,
                                            timeout=2) as r:
                    health = json.loads(r.read())
            except OSError:
                time.sleep(0.2)
        assert health and health["status"] == "ok"
        token = (tmp_path / "data" / "token").read_text().strip()
        req = urllib.request.Request(f"https://localhost:{port}/api/v1/me",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, context=trusting, timeout=5) as r:
            assert json.loads(r.read()) == {"name": "owner", "admin": True}
        # the dashboard's session cookie is Secure over HTTPS
        login = urllib.request.Request(f"https://127.0.0.1:{port}/login", data=f"token={token}".encode(),
                                       method="POST")
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=trusting), _NoRedirect)
        with opener.open(login, timeout=5) as r:
            cookie = r.headers["Set-Cookie"]
        assert "kolscope_session=" in cookie and "Secure" in cookie
        # a client that does not trust the test CA refuses the certificate
        with pytest.raises(OSError):
            urllib.request.urlopen(f"https://127.0.0.1:{port}/api/v1/health", timeout=5,
                                   context=ssl.create_default_context())
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert f"serving on https://127.0.0.1:{port}/" in out


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_303(self, req, fp, code, msg, headers):
        return fp


def _app(tmp_path, behind_proxy: bool):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "STORE_FSYNC": False, "TESTING": True})
    return prepare_app(app, tls=False, behind_proxy=behind_proxy)


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kolscope.example.com", "X-Forwarded-For": "203.0.113.9"}


def test_forwarded_headers_count_only_behind_a_proxy(tmp_path):
    plain = _app(tmp_path / "a", behind_proxy=False)
    try:
        client = plain.test_client()
        # not behind a proxy: the headers are ignored (http, Host 127.0.0.1); the cookie is not Secure
        r = client.post("/login", data={"token": plain.config["TOKEN"]}, headers=FORWARDED)
        assert r.status_code == 303 and "Secure" not in r.headers["Set-Cookie"]
        # and a forwarded Host does not get past the Host check by claiming to be a proxy's
        r = client.get("/api/v1/health", headers={"Host": "kolscope.example.com"})
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_host"
    finally:
        plain.extensions["kolscope.store"].close()
    proxied = _app(tmp_path / "b", behind_proxy=True)
    try:
        client = proxied.test_client()
        r = client.post("/login", data={"token": proxied.config["TOKEN"]},
                        headers={**FORWARDED, "Origin": "https://kolscope.example.com"})
        assert r.status_code == 303 and "Secure" in r.headers["Set-Cookie"]
        # the dashboard's own origin is the proxy's public one: another origin's form post is refused
        r = client.post("/login", data={"token": proxied.config["TOKEN"]},
                        headers={**FORWARDED, "Origin": "https://evil.example"})
        assert r.status_code == 403
    finally:
        proxied.extensions["kolscope.store"].close()


def test_a_real_server_behind_a_proxy_takes_the_forwarded_scheme_and_host(tmp_path):
    """waitress drops X-Forwarded-* by default: with --behind-proxy they must reach ProxyFix."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--data", str(tmp_path / "data"), "--port", str(port),
         "--no-scheduler", "--behind-proxy"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "data" / "token").exists() or not _up(port):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()[-2000:]
            time.sleep(0.2)
        token = (tmp_path / "data" / "token").read_text().strip()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/login", body=f"token={token}", headers={
            **FORWARDED, "Host": "kolscope.example.com", "Origin": "https://kolscope.example.com",
            "Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        assert r.status == 303, r.read()
        assert "Secure" in r.getheader("Set-Cookie")
    finally:
        proc.terminate()
        proc.communicate(timeout=15)


def _up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False
