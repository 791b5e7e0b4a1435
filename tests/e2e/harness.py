"""What the extension's end-to-end tests and its benchmark share: a real backend process, Debian's
Chromium with the unpacked extension, and routing of the platforms' URLs to saved pages."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.browser import CHROMIUM, chromium_args

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_DIR = ROOT / "extension"
KOLSCOPE = Path(sys.executable).with_name("kolscope")
OVERLAY = "kolscope-overlay"
# A scored overlay whose capture is final (no refined capture pending or in flight).
SETTLED = f'{OVERLAY}[data-state="scored"]:not([data-refresh-pending]):not([data-capturing])'
NON_CREATOR_STATES = ("backend_down", "token_missing", "token_invalid", "parse_error", "error")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Backend:
    """`kolscope serve` as a subprocess on a free 127.0.0.1 port with its own data directory."""

    def __init__(self, data_dir: Path | None = None, port: int | None = None, extra_args: tuple[str, ...] = (),
                 ssl_context: ssl.SSLContext | None = None):
        self.extra_args = tuple(extra_args)  # more `kolscope serve` options (e.g. --replay DIR)
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="kolscope-e2e-data-"))
        self.port = port or free_port()
        # with --tls-cert/--tls-key in extra_args: HTTPS, checked with this context (trusting the test CA)
        self.ssl_context = ssl_context
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.token = ""
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-serve.log"

    def start(self, timeout: float = 30.0) -> Backend:
        cmd = [str(KOLSCOPE), "serve", "--data", str(self.data_dir), "--host", "127.0.0.1",
               "--port", str(self.port), "--no-scheduler", *self.extra_args]
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kolscope serve exited with {self.proc.returncode}: {self.log()}")
            try:
                status, _ = self.api("GET", "/health", auth=False, timeout=1)
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"kolscope serve did not answer /health within {timeout}s: {self.log()}")
        self.token = self._read_token()
        return self

    def _read_token(self) -> str:
        token_file = self.data_dir / "token"
        if token_file.is_file():
            return token_file.read_text(encoding="utf-8").strip()
        out = subprocess.run([str(KOLSCOPE), "token", "--data", str(self.data_dir)],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        return out.stdout.strip()

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def api(self, method: str, path: str, body: Any = None, *, auth: bool = True,
            timeout: float = 15) -> tuple[int, Any]:
        """(status, decoded JSON or None) of one call to /api/v1."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}/api/v1{path}", data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.ssl_context) as res:
                raw, status = res.read(), res.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None


def launch_args(extension_dir: Path = EXTENSION_DIR, mapped_hosts: dict[str, int] | None = None) -> list[str]:
    """Chromium's flags (tests/browser.py's rules: `mapped_hosts`, {host: port}, sends those hosts to
    127.0.0.1:port; every other name but 127.0.0.1 and localhost fails to resolve, so Chromium makes
    no outside lookups), with the unpacked extension loaded."""
    return chromium_args(
        # Extensions need Chromium's new headless mode (the old one cannot load them).
        "--headless=new",
        f"--disable-extensions-except={extension_dir}",
        f"--load-extension={extension_dir}",
        "--no-first-run",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        mapped_hosts=mapped_hosts)


@dataclass
class Routes:
    """The URLs the browser may load: saved pages and their API answers; everything else is aborted
    (the pages' own scripts, styles and trackers), so the saved pages are inert shells."""

    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # url -> (content type, body)

    def add_page(self, url: str, html: str) -> None:
        self.pages[_key(url)] = ("text/html; charset=utf-8", html)

    def add_json(self, url: str, body: str) -> None:
        self.pages[_key(url)] = ("application/json; charset=utf-8", body)

    def add_capture(self, capture: dict) -> None:
        """The capture's page at its URL, and each response it holds at that response's URL."""
        self.add_page(capture["url"], capture["html"])
        for r in capture.get("responses") or []:
            body = r["body"] if isinstance(r["body"], str) else json.dumps(r["body"])
            self.add_json(r["url"], body)

    def clear(self) -> None:
        self.pages.clear()

    def handle(self, route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "https://127.0.0.1:", "chrome-extension://")):
            route.continue_()  # the extension's calls to the backend (https: a team server's, issue 16)
            return
        hit = self.pages.get(_key(url))
        if hit is None:
            route.abort()
            return
        route.fulfill(status=200, content_type=hit[0], body=hit[1],
                      headers={"Access-Control-Allow-Origin": "*"})


def _key(url: str) -> str:
    return url.split("#", 1)[0]


REPLAY_INIT_JS = """(() => {
  if (location.protocol !== 'https:') return;
  const list = fetch(REPLAY_PATH).then((r) => r.json()).catch(() => []);
  document.addEventListener('DOMContentLoaded', async () => {
    for (const r of await list) {
      fetch(r.url, { method: r.method, credentials: 'include' }).then((x) => x.text()).catch(() => null);
    }
  }, { once: true });
})();"""


class PageServer:
    """Saved pages and their API answers over real HTTPS on 127.0.0.1, under their own URLs: the
    browser reaches the platforms' hosts through `--host-resolver-rules`, so no Playwright route
    handler sits in the path. Playwright's `route.fulfill` pushes each body through the DevTools
    protocol, which adds ~250 ms to a 1 MB page; the benchmark measures the extension, not that.
    Anything not saved answers 404 (the pages' own scripts, styles and images), as inert as routing."""

    REPLAY_PATH = "/.kolscope-replay"  # where the page learns which API answers its app fetches

    def __init__(self, hosts: set[str]):
        self.hosts = sorted(hosts)
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.replay = b"[]"
        self.port = 0
        self._httpd = None

    @staticmethod
    def hosts_of(captures: list[dict]) -> set[str]:
        urls = [c["url"] for c in captures] + [r["url"] for c in captures for r in c.get("responses") or []]
        return {h for h in (urllib.parse.urlsplit(u).hostname for u in urls) if h}

    def serve(self, capture: dict) -> None:
        """Serve this capture's page and API answers (and nothing else) from now on."""
        pages, replay = {_key(capture["url"]): ("text/html; charset=utf-8", capture["html"].encode())}, []
        for r in capture.get("responses") or []:
            body = r["body"] if isinstance(r["body"], str) else json.dumps(r["body"])
            pages[_key(r["url"])] = ("application/json; charset=utf-8", body.encode())
            replay.append({"url": r["url"], "method": "POST" if "/youtubei/" in r["url"] else "GET"})
        unknown = self.hosts_of([capture]) - set(self.hosts)
        if unknown:
            raise ValueError(f"hosts not mapped to the page server: {sorted(unknown)}")
        self.pages, self.replay = pages, json.dumps(replay).encode()

    def mapped_hosts(self) -> dict[str, int]:
        return {host: self.port for host in self.hosts}

    def replay_script(self) -> str:
        """An init script: once the page is parsed, fetch the API answers its app would fetch."""
        return REPLAY_INIT_JS.replace("REPLAY_PATH", json.dumps(self.REPLAY_PATH))

    def start(self) -> PageServer:
        import ssl
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import trustme  # a throwaway CA and server certificate, without shelling out to openssl

        ca = trustme.CA()
        cert = ca.issue_cert(*self.hosts)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(tls)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                if self.path == PageServer.REPLAY_PATH:
                    hit = ("application/json", server.replay)
                else:
                    host = self.headers.get("Host", "").split(":")[0]
                    hit = server.pages.get(_key(f"https://{host}{self.path}"))
                status, ctype, body = (200, *hit) if hit else (404, "text/plain", b"not saved")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._answer()

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def log_message(self, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                # Chromium drops a connection it no longer needs (a navigation moved on) mid-answer;
                # that is no failure of the page server, and its traceback hid the figures.
                if not isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
                    super().handle_error(request, client_address)

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


class Browser:
    """A persistent Chromium context with the unpacked extension, pointed at a backend."""

    def __init__(self, playwright, user_data_dir: Path | None = None, extension_dir: Path = EXTENSION_DIR,
                 page_server: PageServer | None = None, extra_args: tuple[str, ...] = ()):
        """Pages come from Playwright routes (`self.routes`), or, given a started `page_server`, over
        real HTTPS from it, with Playwright out of the network path (what the benchmark needs)."""
        self.user_data_dir = Path(user_data_dir or tempfile.mkdtemp(prefix="kolscope-e2e-profile-"))
        self.page_server = page_server
        self.context = playwright.chromium.launch_persistent_context(
            str(self.user_data_dir),
            executable_path=CHROMIUM,
            headless=False,  # "--headless=new" in the args instead: the old headless mode has no extensions
            args=[*launch_args(extension_dir, page_server.mapped_hosts() if page_server else None), *extra_args],
            viewport={"width": 1280, "height": 860},
            # The page server's certificate is a throwaway one.
            ignore_https_errors=page_server is not None,
            # "block" only stops web pages from registering service workers; the extension's still
            # runs. It also keeps Playwright from inspecting the extension worker's network traffic,
            # which copies every request body over the DevTools protocol: ~150 ms per 1 MB capture
            # POST, against ~20 ms for the same POST in a Chromium without Playwright attached.
            service_workers="block",
        )
        workers = self.context.service_workers
        self.worker = workers[0] if workers else self.context.wait_for_event("serviceworker", timeout=15000)
        self.extension_id = self.worker.url.split("/")[2]
        self.routes = Routes()
        if page_server is not None:
            # The platform's app fetches its API answers once the page is parsed (its own scripts
            # are not served); the observer wraps `fetch` before this runs, as it would the app's.
            self.context.add_init_script(page_server.replay_script())
        else:
            # Only https is routed (every platform page is https): the extension's calls to the
            # backend on http://127.0.0.1 go straight through instead of pausing for a Python route
            # handler, which cost ~200 ms per 2 MB capture and is no part of what a user waits for.
            self.context.route("https://**/*", self.routes.handle)
        # The extension opens its options page on install; tests open their own pages.
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not any("options" in p.url for p in self.context.pages):
            time.sleep(0.05)
        for page in list(self.context.pages):
            if page.url.startswith("chrome-extension://"):
                page.close()

    def configure(self, **values: Any) -> None:
        """Write settings into chrome.storage.local through the service worker, as the options page does."""
        self.worker.evaluate("v => chrome.storage.local.set(v)", values)

    def storage(self, *keys: str) -> dict:
        return self.worker.evaluate("k => chrome.storage.local.get(k.length ? k : null)", list(keys))

    def close(self) -> None:
        try:
            self.context.close()
        finally:
            shutil.rmtree(self.user_data_dir, ignore_errors=True)


REPLAY_JS = """async (responses) => {
  // Play the part of the platform's own app (its scripts are aborted): fetch the API answers the
  // page loaded, through the page's fetch, which the extension's MAIN-world observer wraps.
  await Promise.all(responses.map(r => fetch(r.url, {
    method: r.url.includes('/youtubei/') ? 'POST' : 'GET', credentials: 'include'
  }).then(x => x.text()).catch(() => null)));
}"""


def replay_responses(page, capture: dict) -> None:
    responses = [{"url": r["url"]} for r in capture.get("responses") or []]
    if responses:
        page.evaluate(REPLAY_JS, responses)


def open_capture(browser: Browser, page, capture: dict) -> None:
    browser.routes.add_capture(capture)
    page.goto(capture["url"], wait_until="domcontentloaded")
    replay_responses(page, capture)


class OverlayProbe:
    """Reads and drives the overlay through its closed shadow root, the way a person would, from
    outside the page.

    The root is closed: `host.shadowRoot` is null to the page's scripts, and Playwright's locators
    (which pierce open roots only) do not see inside either. The probe asks the DevTools protocol
    instead: `DOM.describeNode(pierce)` names the host's shadow root and `DOM.resolveNode` gives a
    handle to it that lives only in this DevTools session's object group; functions run on it by
    `Runtime.callFunctionOn` and keep nothing in the page. No hook is added to the extension, and
    nothing the page can reach changes. Clicks and typing go through Playwright's mouse and keyboard
    (`Input.dispatch*Event`): the browser's own trusted input, as a person's is, which the overlay
    requires; a script's `el.click()` would be ignored by it, as a page script's is."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    @classmethod
    def of(cls, page) -> OverlayProbe:
        probe = getattr(page, "_kolscope_probe", None)
        if probe is None:
            probe = cls(page)
            page._kolscope_probe = probe  # one DevTools session per tab
        return probe

    def _root(self) -> str | None:
        """The object id of the overlay's shadow root, or None when there is no overlay."""
        host = self.cdp.send("Runtime.evaluate", {"expression": "document.querySelector('kolscope-overlay')",
                                                  "objectGroup": "kolscope-probe"})["result"]
        if host.get("subtype") != "node":
            return None
        node = self.cdp.send("DOM.describeNode", {"objectId": host["objectId"], "pierce": True, "depth": 0})["node"]
        roots = node.get("shadowRoots") or []
        if not roots:
            return None
        return self.cdp.send("DOM.resolveNode", {"backendNodeId": roots[0]["backendNodeId"],
                                                 "objectGroup": "kolscope-probe"})["object"]["objectId"]

    def call(self, function: str, *args: Any) -> Any:
        """`function` (JS source) run with `this` the shadow root; its JSON-able result. None when
        there is no overlay."""
        try:
            root = self._root()
            if root is None:
                return None
            answer = self.cdp.send("Runtime.callFunctionOn", {
                "objectId": root, "functionDeclaration": function,
                "arguments": [{"value": a} for a in args], "returnByValue": True, "awaitPromise": True})
        finally:
            self.cdp.send("Runtime.releaseObjectGroup", {"objectGroup": "kolscope-probe"})
        if "exceptionDetails" in answer:
            raise RuntimeError(f"overlay probe: {answer['exceptionDetails'].get('exception', {}).get('description')}")
        return answer["result"].get("value")

    def text(self, selector: str) -> str | None:
        return self.call("function (sel) { const el = this.querySelector(sel); return el ? el.textContent : null; }",
                         selector)

    def visible(self, selector: str) -> bool:
        return bool(self.call("""function (sel) {
            const el = this.querySelector(sel);
            if (!el) return false;
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
        }""", selector))

    def count(self, selector: str) -> int:
        return self.call("function (sel) { return this.querySelectorAll(sel).length; }", selector) or 0

    def html(self) -> str | None:
        return self.call("function () { return this.innerHTML; }")

    def wait_for(self, selector: str, *, text: str | None = None, timeout_ms: float = 15000) -> str:
        """Wait until `selector` is in the overlay (holding `text`, if given); its text."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            got = self.text(selector)
            if got is not None and (text is None or text in got):
                return got
            if time.monotonic() > deadline:
                raise TimeoutError(f"overlay: no {selector}" + (f" with {text!r}" if text else "") + f" (last: {got!r})")
            self.page.wait_for_timeout(50)

    def _focus(self, selector: str) -> None:
        if not self.call("""function (sel) {
            const el = this.querySelector(sel);
            if (!el) return false;
            el.scrollIntoView({ block: 'nearest' });
            el.focus();
            return this.activeElement === el;
        }""", selector):
            raise RuntimeError(f"overlay: cannot focus {selector}")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the control (checked to be what is under the pointer)."""
        at = self.call("""function (sel) {
            const el = this.querySelector(sel);
            if (!el) return null;
            el.scrollIntoView({ block: 'nearest' });
            const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = this.elementFromPoint(x, y);
            return { x, y, hit: !!hit && (hit === el || el.contains(hit)) };
        }""", selector)
        if not at:
            raise RuntimeError(f"overlay: no {selector} to click")
        if not at["hit"]:
            raise RuntimeError(f"overlay: {selector} is covered at {at['x']:.0f},{at['y']:.0f}")
        self.page.mouse.click(at["x"], at["y"])

    def fill(self, selector: str, text: str) -> None:
        """Empty a text field and type `text` into it with the keyboard."""
        self._focus(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(text)

    def select(self, selector: str, value: str) -> None:
        """Choose an option of a <select> with the keyboard's arrow keys."""
        self._focus(selector)
        steps = self.call("""function (sel, value) {
            const el = this.querySelector(sel);
            const to = [...el.options].findIndex((o) => o.value === value);
            return to < 0 ? null : to - el.selectedIndex;
        }""", selector, value)
        if steps is None:
            raise RuntimeError(f"overlay: {selector} has no option {value!r}")
        for _ in range(abs(steps)):
            self.page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
        got = self.call("function (sel) { return this.querySelector(sel).value; }", selector)
        if got != value:
            raise RuntimeError(f"overlay: {selector} shows {got!r}, not {value!r}")


def overlay_values(page) -> dict | None:
    """What the overlay shows, read from its closed shadow root (through OverlayProbe)."""
    host = page.evaluate("""() => {
      const host = document.querySelector('kolscope-overlay');
      return host && { state: host.dataset.state, handle: host.dataset.handle, place: host.dataset.place,
                       shownMs: host.dataset.shownMs ? Number(host.dataset.shownMs) : null };
    }""")
    if host is None:
        return None
    parts = OverlayProbe.of(page).call("""function () {
      const part = (key) => {
        const el = this.querySelector(`[data-kolscope="${key}"]`);
        if (!el) return null;
        return { text: el.textContent, score: el.dataset.score, grade: el.dataset.grade,
                 confidence: el.dataset.confidence, value: el.dataset.value };
      };
      const out = {};
      for (const key of ['creator', 'bio', 'followers', 'tier', 'country', 'fit', 'authenticity', 'message',
                         'engagement', 'median-views', 'last-post', 'brands']) out[key] = part(key);
      return out;
    }""") or {}
    return {**host, **parts}


def wait_settled(page, timeout_ms: float = 20000, accept: Callable[[dict], bool] | None = None) -> dict:
    """Wait until the overlay is scored with its final capture, or in one of its explained states."""
    states = ", ".join(f'{OVERLAY}[data-state="{s}"]' for s in NON_CREATOR_STATES)
    page.wait_for_selector(f"{SETTLED}, {states}", state="attached", timeout=timeout_ms)
    values = overlay_values(page)
    if accept is not None:
        deadline = time.monotonic() + timeout_ms / 1000
        while not accept(values) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
            values = overlay_values(page)
    return values
