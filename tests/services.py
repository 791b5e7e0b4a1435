"""Real PostgreSQL and Redis servers for the tests and benchmarks, started from the machine's own
binaries in a temporary directory, on a free loopback port, and stopped at the end.

PostgreSQL refuses to run as root, and CI runs as root: there the cluster is made and started as the
machine's `postgres` user (`runuser`), its directory handed to that user. Each test asks for a new,
empty database (`PostgresServer.new_database()`), so tests never see each other's rows. The cluster
runs with fsync off: durability is PostgreSQL's business, not these tests'.

Nothing here is a mock: the store, the queue and the rate budgets under test talk to these servers.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ServiceUnavailable(RuntimeError):
    """A server binary is missing or would not start (the message says which, and how to get it)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServiceUnavailable(f"{what} exited with {proc.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise ServiceUnavailable(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def pg_bindir() -> Path:
    """The directory of the newest PostgreSQL server binaries on the machine (Debian keeps them in
    /usr/lib/postgresql/<version>/bin, off the PATH); KOLSCOPE_PG_BINDIR overrides it."""
    if os.environ.get("KOLSCOPE_PG_BINDIR"):
        return Path(os.environ["KOLSCOPE_PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServiceUnavailable("no PostgreSQL server binaries (initdb): `apt-get install postgresql` "
                             "(make test installs it)")


class PostgresServer:
    """A throwaway PostgreSQL cluster: `start()`, `new_database()` -> a postgresql:// URL, `stop()`."""

    def __init__(self) -> None:
        self.bindir = pg_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="kolscope-pg-"))
        self.datadir = self.root / "data"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._as: list[str] = []
        self._n = itertools.count(1)
        self._template: str | None = None
        self.user = "kolscope"

    def _cmd(self, *args: str) -> list[str]:
        return [*self._as, *args]

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            # PostgreSQL will not run as root: the cluster belongs to the machine's postgres user
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServiceUnavailable("running as root without `runuser` to start PostgreSQL as `postgres`")
            self._as = [runuser, "-u", "postgres", "--"]
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(self._cmd(str(self.bindir / "initdb"), "-D", str(self.datadir), "-A", "trust",
                                 "-U", self.user, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
                       check=True, capture_output=True, cwd="/")
        self.proc = subprocess.Popen(
            self._cmd(str(self.bindir / "postgres"), "-D", str(self.datadir), "-p", str(self.port),
                      "-h", "127.0.0.1", "-k", str(self.root), "-c", "fsync=off", "-c", "synchronous_commit=off",
                      "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB"),
            stdout=subprocess.DEVNULL, stderr=open(self.root / "server.log", "wb"), cwd="/",
            start_new_session=True)
        try:
            _wait_port(self.port, self.proc, "PostgreSQL")
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self, prefix: str = "t", *, with_schema: bool = True) -> str:
        """A new database on this cluster; its postgresql:// URL. `with_schema`: a copy of a template
        that holds kolscope's tables and no data (made once: PostgreSQL copies a template faster
        than the store creates its schema, ~0.07 s against ~0.15 s a test); else an empty one."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._n)}"
        template = self._schema_template() if with_schema else None
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            if template:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _schema_template(self) -> str:
        if self._template is None:
            from server.store import open_store  # the schema is the store's own, created as a server would

            name = self.new_database("kolscope_template", with_schema=False).rsplit("/", 1)[1]
            open_store({"DATABASE": self.url(name)}).close()  # closes its pool: a template must be idle
            self._template = name
        return self._template

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with contextlib.suppress(psycopg.Error), psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGINT)  # PostgreSQL's fast shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """A throwaway Redis on a free loopback port, keeping nothing on disk: `start()`, `url(db)`, `stop()`."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(self.binary):
            raise ServiceUnavailable("no redis-server: `apt-get install redis-server` (make test installs it)")
        self.root = Path(tempfile.mkdtemp(prefix="kolscope-redis-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._n = itertools.count(1)

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root), "--databases", "1000", "--protected-mode", "yes"],
            stdout=open(self.root / "server.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_port(self.port, self.proc, "Redis")
        except BaseException:
            self.stop()
            raise
        return self

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        """A redis:// URL of a database number no other test of this server was given (1-999)."""
        n = next(self._n)
        if n > 999:
            raise ServiceUnavailable("more than 999 Redis databases asked of one server")
        return self.url(n)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)
