"""Issue 16: the extension on a team server. `kolscope serve --tls-cert/--tls-key` on 127.0.0.1 with a
throwaway CA (trustme); the options page takes its https:// URL and a user's token, asks Chrome for
that origin's host permission, registers nothing (each member's install has its own id), and the
service worker then sends that user's bookmarks and notes there, kept with their author.

Chrome's permission prompt cannot be clicked in headless Chromium, so the page's
`chrome.permissions.request` is replaced by one that records what was asked and answers as the
person would (allow, or deny); everything else is the real extension, server and browser."""

from __future__ import annotations

import base64
import hashlib
import ssl
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.e2e.harness import CHROMIUM, Backend, Browser

pytestmark = pytest.mark.e2e

ANSWER_PROMPT = """(allow) => {
  window.__asked = [];
  chrome.permissions.request = async (permissions) => { window.__asked.push(permissions); return allow; };
}"""


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[Path, Path, str, ssl.SSLContext]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    cert.private_key_pem.write_to_path(str(key_path))
    leaf = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes())
    spki = leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return cert_path, key_path, base64.b64encode(hashlib.sha256(spki).digest()).decode(), context


@pytest.fixture(scope="module")
def team_server(tls_files, tmp_path_factory):
    cert, key, _, context = tls_files
    server = Backend(tmp_path_factory.mktemp("team") / "data", extra_args=("--tls-cert", str(cert), "--tls-key", str(key)),
                     ssl_context=context).start(timeout=60)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def team_browser(playwright_instance, tls_files):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium is not installed")
    # Chromium trusts the test certificate by its public key's hash, and nothing else new
    b = Browser(playwright_instance, extra_args=(f"--ignore-certificate-errors-spki-list={tls_files[2]}",))
    yield b
    b.close()


def _options(browser: Browser):
    page = browser.context.new_page()
    page.goto(f"chrome-extension://{browser.extension_id}/options/options.html")
    return page


def test_options_connect_to_a_team_server_as_a_user_and_bookmarks_carry_the_author(team_server, team_browser):
    status, user = team_server.api("POST", "/users", {"name": "ana"})
    assert status == 201, user
    assert team_server.url.startswith("https://127.0.0.1:")
    page = _options(team_browser)
    try:
        page.evaluate(ANSWER_PROMPT, True)
        page.locator("#backendUrl").fill(team_server.url + "/dashboard")
        page.locator("#token").fill(user["token"])
        page.locator("#check").click()
        page.locator("#status").filter(has_text=f"Connected to {team_server.url}").wait_for(timeout=20000)
        assert page.evaluate("() => window.__asked") == [{"origins": [f"{team_server.url}/*"]}]
        stored = team_browser.storage("backendUrl", "token")
        assert stored == {"backendUrl": team_server.url, "token": user["token"]}
        assert page.locator("#editBriefs").get_attribute("href") == f"{team_server.url}/briefs"
        # a team server knows each member by the token: this install's id was not registered
        assert team_server.api("GET", "/extension")[1]["id"] is None
    finally:
        page.close()

    # the worker sends a one-click bookmark (with its note) to the team server, as ana
    answer = team_browser.worker.evaluate("""async () => {
      const sender = { id: chrome.runtime.id, tab: { id: 4242, active: true }, frameId: 0, documentId: 'doc',
                       url: 'https://www.tiktok.com/@kolscope_team' };
      const ask = (message) => new Promise((resolve) => route(message, sender, resolve));
      const { grant } = await ask({ type: 'grant', action: 'bookmark' });
      return ask({ type: 'bookmark', grant, platform: 'tiktok', handle: 'kolscope_team',
                   newWatchlistName: 'Team picks', note: 'Met at the fair' });
    }""")
    assert answer["ok"] is True and answer["noted"] is True, answer
    status, watchlist = team_server.api("GET", f"/watchlists/{answer['watchlist']['id']}")
    assert status == 200 and [(c["handle"], c["added_by"]) for c in watchlist["creators"]] == [("kolscope_team", "ana")]
    status, notes = team_server.api("GET", "/creators/tiktok/kolscope_team/notes")
    assert [(n["text"], n["author"]) for n in notes["items"]] == [("Met at the fair", "ana")]


def test_a_refused_permission_or_plain_http_stores_nothing(team_server, team_browser):
    team_browser.configure(backendUrl="http://127.0.0.1:8765", token="")
    page = _options(team_browser)
    try:
        page.evaluate(ANSWER_PROMPT, False)
        page.locator("#backendUrl").fill(team_server.url)
        page.locator("#token").fill("some-token")
        page.locator("#save").click()
        page.locator("#status").filter(has_text=f"needs your permission to reach {team_server.url}").wait_for()
        page.locator("#backendUrl").fill("http://kolscope.example.com")
        page.locator("#save").click()
        page.locator("#status").filter(has_text="would send your token in clear").wait_for()
        assert page.evaluate("() => window.__asked") == [{"origins": [f"{team_server.url}/*"]}]  # http: never asked
        assert team_browser.storage("backendUrl", "token") == {"backendUrl": "http://127.0.0.1:8765", "token": ""}
    finally:
        page.close()
