"""Real kolscope servers for the tests and benchmarks that talk HTTP: the app under waitress in a
thread of this process (`serve_in_thread`), or `kolscope serve` processes (`ServeProcess`), each on a
free loopback port. Both serve with the settings `kolscope serve` uses (server.serve.waitress_options:
8 request threads), so concurrency seen here is the product's.

`post_json` / `get_json` are plain urllib calls with the API token: no test client in between.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.services import free_port

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def serve_in_thread(app) -> Iterator[str]:
    """Serve `app` with waitress on a free loopback port until the block ends; yields its base URL."""
    import waitress

    from server.serve import waitress_options

    server = waitress.create_server(app, host="127.0.0.1", port=0, **waitress_options(app))
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()  # the loop ends once the last client socket has closed
        server.task_dispatcher.shutdown()
        thread.join(timeout=10)


class ServeProcess:
    """`kolscope serve --no-scheduler` in a subprocess on a free loopback port: over its own data
    directory, or over `database` (several such processes share one PostgreSQL database)."""

    def __init__(self, data: Path, database: str | None = None, *, log: Path | None = None):
        self.data, self.database, self.port = Path(data), database, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or self.data.parent / f"serve-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> ServeProcess:
        return self.launch().wait_ready(timeout)

    def launch(self) -> ServeProcess:
        """Start the process without waiting for it (start several, then wait_ready each)."""
        cmd = [sys.executable, "-m", "server.cli", "serve", "--data", str(self.data), "--host", "127.0.0.1",
               "--port", str(self.port), "--no-scheduler"]
        if self.database:
            cmd += ["--database", self.database]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        with open(self.log, "wb") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 60.0) -> ServeProcess:
        """Wait until its /api/v1/health answers; RuntimeError with the log's tail when it exits first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/health", timeout=1):
                    return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    tail = self.log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"kolscope serve on port {self.port} did not start:\n{tail}") from None
                time.sleep(0.1)

    def token(self) -> str:
        """The API token the server checks: the data directory's, or the database's (read through
        the store, as the server itself does at its start)."""
        from server.store import open_store

        if self.database:
            with open_store({"DATABASE": self.database}) as store:
                return store.token()
        return (self.data / "token").read_text(encoding="utf-8").strip()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def call(method: str, url: str, token: str, body: dict | bytes | None = None,
         timeout: float = 120.0) -> tuple[int, dict]:
    """One API request; answers (status, the JSON body or {} when it is not JSON)."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, {}
