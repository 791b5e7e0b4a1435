"""Real PostgreSQL and Redis servers for the tests and benchmarks, started from the machine's own
binaries in a temporary directory, on a free loopback port, and stopped at the end.

PostgreSQL refuses to run as root, and CI runs as root: there the cluster is made and started as the
machine's `postgres` user (`runuser`), its directory handed to that user. Each test borrows a
database holding the schema and no rows (`PostgresServer.lend_database()`, given back emptied by
`give_back()`), so tests never see each other's rows. The cluster runs with fsync off: durability is
PostgreSQL's business, not these tests'.

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
        self._template_state: dict | None = None  # the template's schema fingerprint, rows and sequences
        self._lendable: list[str] = []  # databases given back and emptied, lent again before a new copy
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
            import psycopg

            from server.store import open_store  # the schema is the store's own, created as a server would

            name = self.new_database("kolscope_template", with_schema=False).rsplit("/", 1)[1]
            open_store({"DATABASE": self.url(name)}).close()  # closes its pool: a template must be idle
            with psycopg.connect(self.url(name)) as conn:
                self._template_state = self._state(conn)
            self._template = name
        return self._template

    def lend_database(self) -> str:
        """A database holding the schema and the template's rows only, for one test: one given back
        earlier when there is one, else a new copy of the template. Emptying a given-back database
        (~0.07 s at load 9) is cheaper than CREATE DATABASE ... TEMPLATE and DROP DATABASE (~0.25 s
        together at load 7, 0.6-1 s at load 9: both write or remove every file of the database)."""
        return self._lendable.pop() if self._lendable else self.new_database()

    def give_back(self, url: str) -> None:
        """Return a lent database: emptied to the template's state for the next test, or dropped when
        that cannot be promised (its schema changed: a table a test made, a column it altered)."""
        import psycopg

        try:
            if self._reset(url):
                self._lendable.append(url)
                return
        except psycopg.Error:
            pass
        self.drop_database(url)

    # the schema as PostgreSQL's catalog has it: every relation (table, index, sequence, view) outside
    # the system's schemas, with its columns, and how many functions, constraints and triggers there
    # are; equal to the template's -> resettable
    _FINGERPRINT = """
        SELECT md5(coalesce(string_agg(format('%s.%s:%s:%s:%s:%s', n.nspname, c.relname, c.relkind, a.attnum,
                                              a.attname, a.atttypid::regtype), ',' ORDER BY n.nspname, c.relname,
                                       a.attnum), '')
                   || (SELECT count(*) FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace
                       WHERE pn.nspname NOT IN ('pg_catalog', 'information_schema'))
                   || ':' || (SELECT count(*) FROM pg_constraint k JOIN pg_namespace kn ON kn.oid = k.connamespace
                              WHERE kn.nspname NOT IN ('pg_catalog', 'information_schema'))
                   || ':' || (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"""

    def _state(self, conn) -> dict:
        """The fingerprint of a database's schema, and the one script that brings its rows and
        sequences back to what they are now (every row deleted and these put back, every sequence
        set where it is: ids restart, so a test never sees another's numbering)."""
        from psycopg import sql

        tables = [r[0] for r in conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")]
        # no foreign-key triggers while every table is emptied (in any order) and refilled
        script = [sql.SQL("SET LOCAL session_replication_role = replica")]
        for table in tables:
            script.append(sql.SQL("DELETE FROM {}").format(sql.SQL(table)))
            for (row,) in conn.execute(f"SELECT row_to_json(t)::text FROM {table} t"):
                script.append(sql.SQL("INSERT INTO {t} OVERRIDING SYSTEM VALUE SELECT * FROM "
                                      "json_populate_record(NULL::{t}, {row}::json)").format(
                    t=sql.SQL(table), row=sql.Literal(row)))
        for seq, value, called in conn.execute(
                "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value), "
                "last_value IS NOT NULL FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"):
            script.append(sql.SQL("SELECT setval({}::regclass, {}, {})").format(
                sql.Literal(seq), sql.Literal(value), sql.Literal(called)))
        return {"fingerprint": conn.execute(self._FINGERPRINT).fetchone()[0],
                "reset": sql.SQL(";\n").join(script).as_string(conn)}

    def _reset(self, url: str) -> bool:
        """Bring a lent database back to the template's state (`_state`), its other connections ended
        first (a process the test started, a store it left open: they would hold locks, and see the
        next test's rows). False when its schema is not the template's any more."""
        import psycopg

        template = self._template_state
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            if template is None or conn.execute(self._FINGERPRINT).fetchone()[0] != template["fingerprint"]:
                return False
            with conn.transaction():
                conn.execute(template["reset"])
        return True

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
