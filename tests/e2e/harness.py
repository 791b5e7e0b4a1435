"""What the extension's end-to-end tests and its benchmark share: a real backend process, Debian's
Chromium with the unpacked extension, and routing of the platforms' URLs to saved pages."""

from __future__ import annotations

import json
import os
import shutil
import socket
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

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_DIR = ROOT / "extension"
CHROMIUM = "/usr/bin/chromium"
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

    def __init__(self, data_dir: Path | None = None, port: int | None = None):
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="kolscope-e2e-data-"))
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.token = ""
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-serve.log"

    def start(self, timeout: float = 30.0) -> Backend:
        cmd = [str(KOLSCOPE), "serve", "--data", str(self.data_dir), "--host", "127.0.0.1",
               "--port", str(self.port), "--no-scheduler"]
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
            with urllib.request.urlopen(req, timeout=timeout) as res:
                raw, status = res.read(), res.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None


def launch_args(extension_dir: Path = EXTENSION_DIR, mapped_hosts: dict[str, int] | None = None) -> list[str]:
    """Chromium's flags. `mapped_hosts` ({host: port}) sends those hosts to 127.0.0.1:port; every
    other name but 127.0.0.1 and localhost fails to resolve, so Chromium makes no outside lookups."""
    maps = "".join(f"MAP {host} 127.0.0.1:{port}, " for host, port in (mapped_hosts or {}).items())
    args = [
        # Extensions need Chromium's new headless mode (the old one cannot load them).
        "--headless=new",
        f"--disable-extensions-except={extension_dir}",
        f"--load-extension={extension_dir}",
        f"--host-resolver-rules={maps}MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        "--no-first-run",
        "--disable-gpu",
        "--disable-dev-shm-usage",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


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
        if url.startswith(("http://127.0.0.1", "http://localhost", "chrome-extension://")):
            route.continue_()  # the extension's calls to the backend
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

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
                 page_server: PageServer | None = None):
        """Pages come from Playwright routes (`self.routes`), or, given a started `page_server`, over
        real HTTPS from it, with Playwright out of the network path (what the benchmark needs)."""
        self.user_data_dir = Path(user_data_dir or tempfile.mkdtemp(prefix="kolscope-e2e-profile-"))
        self.page_server = page_server
        self.context = playwright.chromium.launch_persistent_context(
            str(self.user_data_dir),
            executable_path=CHROMIUM,
            headless=False,  # "--headless=new" in the args instead: the old headless mode has no extensions
            args=launch_args(extension_dir, page_server.mapped_hosts() if page_server else None),
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


def overlay_values(page) -> dict:
    """What the overlay shows, read from its shadow root (Playwright's CSS pierces open shadow roots)."""
    return page.evaluate("""() => {
      const host = document.querySelector('kolscope-overlay');
      if (!host) return null;
      const root = host.shadowRoot;
      const part = (key) => {
        const el = root.querySelector(`[data-kolscope="${key}"]`);
        if (!el) return null;
        return { text: el.textContent, score: el.dataset.score, grade: el.dataset.grade,
                 confidence: el.dataset.confidence, value: el.dataset.value };
      };
      return {
        state: host.dataset.state, handle: host.dataset.handle, place: host.dataset.place,
        shownMs: host.dataset.shownMs ? Number(host.dataset.shownMs) : null,
        creator: part('creator'), bio: part('bio'), followers: part('followers'), tier: part('tier'),
        country: part('country'),
        fit: part('fit'), authenticity: part('authenticity'), message: part('message'),
      };
    }""")


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
