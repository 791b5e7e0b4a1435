"""`kolscope serve` (waitress over the Flask app; cheroot for HTTPS) and `kolscope token`.

Where it listens (issue 16): loopback (127.0.0.1, ::1, localhost) over plain http, as always. Any
other address (0.0.0.0 too) carries tokens across a network, so it takes either `--tls-cert/--tls-key`
(HTTPS served here: waitress has no TLS, so cheroot's WSGI server with its builtin SSL adapter runs the
same app on the same 8 threads) or `--behind-proxy` (a reverse proxy terminates HTTPS; then, and
only then, the X-Forwarded-Proto/Host/For of one proxy are trusted, by werkzeug's ProxyFix). Either
way session cookies are Secure, and the Host check takes any name (the certificate, or the proxy's
server name, binds it).
"""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import ssl
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from server.disk import disk_full, disk_full_message
from server.store import StoreError, open_store

# Idle connections. waitress stops accepting once `connection_limit` sockets are open (default 100,
# so 101 idle sockets froze the server until waitress closed them 120 s later) and checks for idle
# ones only every 30 s. kolscope: a limit set from the open-file limit, idle keep-alive sockets closed
# after CHANNEL_TIMEOUT, checked every CLEANUP_INTERVAL, poll() instead of select() (select cannot
# watch descriptors above 1024), and, when the limit is reached anyway, the longest-idle sockets are
# closed to make room (evict_idle_when_full) instead of refusing every newcomer: a client trickling a
# byte now and then (slowloris) keeps a socket "active" for the timeout, not for eviction.
CHANNEL_TIMEOUT = 30        # seconds a socket may sit idle between requests (a request in progress is never cut)
CLEANUP_INTERVAL = 2        # seconds between idle checks
MAX_CONNECTIONS = 4000      # upper bound of the automatic limit; each socket costs a descriptor and ~10 KB
RESERVED_FDS = 128          # descriptors kept for the store, logs, the scheduler and Playwright
EVICT_FRACTION = 0.1        # share of the limit freed at once when it is reached


def connection_limit(requested: int | None = None) -> int:
    """How many sockets the server may hold open: the request (--max-connections) or MAX_CONNECTIONS,
    within what the process's open-file limit allows (raised to its hard limit where possible)."""
    want = requested or MAX_CONNECTIONS
    try:
        import resource  # Unix only: a try here, not a top-level import that fails on Windows
    except ImportError:  # Windows: no descriptor limit to read
        return max(16, want)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want + RESERVED_FDS
    if soft != resource.RLIM_INFINITY and soft < target:
        new = target if hard == resource.RLIM_INFINITY else min(target, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
            soft = new
        except (ValueError, OSError):  # not allowed here: live within the current limit
            pass
    if soft != resource.RLIM_INFINITY:
        want = min(want, soft - RESERVED_FDS)
    return max(16, want)


def waitress_options(app, max_connections: int | None = None) -> dict:
    """The waitress settings kolscope serves with (see the comment at the top)."""
    return {
        "threads": 8,  # concurrent captures parse in parallel; the store serialises its own writes
        "ident": "kolscope",
        "max_request_body_size": app.config["MAX_CONTENT_LENGTH"] + 1024,
        "connection_limit": connection_limit(max_connections),
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL,
        "asyncore_use_poll": True,
    }


def evict_idle_when_full(server_map: dict) -> int:
    """Make every waitress listener in `server_map` close its longest-idle sockets when the connection
    limit is reached, rather than stop accepting. Relies on waitress internals (`active_channels`,
    `channel.requests`, `last_activity`, `will_close`, stable since waitress 1.x); returns how many
    listeners were patched, 0 when those are missing (the limit and timeouts still apply)."""
    from waitress.server import BaseWSGIServer  # on use, as in cmd_serve: `kolscope token` needs no waitress

    patched = 0
    for listener in list(server_map.values()):
        if not isinstance(listener, BaseWSGIServer) or not hasattr(listener, "active_channels"):
            continue
        listener.readable = _evicting_readable(listener, listener.readable)
        patched += 1
    return patched


def _evicting_readable(listener, readable):
    log = logging.getLogger("kolscope.serve")

    def check() -> bool:
        limit = listener.adj.connection_limit
        if listener.accepting and len(listener._map) >= limit:
            idle = [c for c in listener.active_channels.values()
                    if not c.requests and not c.will_close and not getattr(c, "close_when_flushed", False)]
            idle.sort(key=lambda c: c.last_activity)
            victims = idle[:max(1, int(limit * EVICT_FRACTION))]
            for channel in victims:
                channel.will_close = True  # closed on the loop's next pass (writable() sees it)
            if victims:
                log.warning("connection limit %d reached: closed %d idle connections (idle %.0f s or more)",
                            limit, len(victims), time.time() - victims[-1].last_activity)
        return readable()

    return check


def _fail(message: str) -> int:
    sys.stderr.write(f"kolscope: {message}\n")
    return 2


def _store_failure(exc: BaseException, data: object) -> str | None:
    """What to tell the user when the store cannot open: a full disk, a data directory that cannot be
    used (in words, with the way out) or the store's own message (a damaged file, another server
    holding the lock); None for anything else."""
    from server.plain import data_dir_words  # on failure only: it loads the platform registry (~0.5 s)

    full = disk_full(exc)
    if full is not None:
        return disk_full_message(full, data)
    if isinstance(exc, StoreError) and exc.code != "store_unavailable":
        return exc.message
    if isinstance(exc, (StoreError, OSError)):
        return data_dir_words(data, exc)
    return None


def _listen_failure(exc: OSError, host: str, port: int) -> str:
    from server.plain import os_error_words, port_busy_words  # on failure only, as in _store_failure

    if exc.errno == errno.EADDRINUSE:
        return port_busy_words(host, port)
    if exc.errno == errno.EACCES and port < 1024:
        return f"port {port} is reserved for the system (below 1024): use --port 8765 or any port above 1024."
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine: use --host 127.0.0.1."
    return f"cannot listen on {host}:{port}: {os_error_words(exc)}."


def _stop_on_sigterm() -> None:
    """SIGTERM (a service manager's stop) ends the serving loop as Ctrl-C does, so the app's shutdown
    path runs (services.close_app) instead of the process dying with its connections open."""
    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)  # waitress's loop ends on it; the TLS server's on KeyboardInterrupt, below

    signal.signal(signal.SIGTERM, stop)


def _warm_up() -> None:
    """Load the parsers and scoring (language model included) before the first capture arrives,
    so the first user does not wait seconds for imports."""
    # these imports are the warm-up's point: they load now, once the server is up, not at `kolscope token`
    import scraper.registry  # noqa: F401
    from scraper.countries import country_code
    from server.scoring import score

    country_code("United States")  # loads the ISO country database (~60 ms)

    sample = {"platform": "x", "handle": "warmup", "bio": "Running every day, sharing my training plans.",
              "recent_posts": [{"id": "1", "title": "A long run by the river this morning"}]}
    try:
        # with a brief: fit by topic loads the packaged semantic model (~0.3 s) now, not on a capture
        score(sample, now=datetime.now(UTC), brief={"name": "warm-up", "keywords": ["running"]})
    except Exception:  # a warm-up only; a real problem shows on the first real capture
        logging.getLogger("kolscope").warning("scoring warm-up failed", exc_info=True)


LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def exposure_problem(host: str, tls_cert: str | None, tls_key: str | None, behind_proxy: bool) -> str | None:
    """Why serve must not start with these options (one line), or None."""
    if bool(tls_cert) != bool(tls_key):
        return "--tls-cert and --tls-key go together: give the certificate (PEM) and its private key (PEM)."
    if tls_cert and behind_proxy:
        return ("--tls-cert/--tls-key and --behind-proxy exclude each other: either this server speaks HTTPS, "
                "or the proxy in front of it does.")
    if host.lower() not in LOOPBACK_HOSTS and not tls_cert and not behind_proxy:
        return (f"refusing to listen on {host} over plain http: tokens would cross the network in clear. "
                "Serve HTTPS with --tls-cert CERT.pem --tls-key KEY.pem, or run behind a reverse proxy that "
                "terminates HTTPS and pass --behind-proxy (or listen on 127.0.0.1).")
    return None


def tls_problem(cert: str, key: str) -> str | None:
    """What is wrong with the PEM files (one line), or None: checked before the store opens, so a
    typo in a path costs nothing."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except FileNotFoundError as exc:
        return f"cannot read {exc.filename or cert}: no such file (--tls-cert/--tls-key take PEM files)."
    except PermissionError as exc:
        return f"cannot read {exc.filename or cert}: permission denied."
    except (ssl.SSLError, OSError, ValueError):  # OpenSSL's own words ("PEM lib") say nothing useful
        return (f"--tls-cert {cert} and --tls-key {key} are not a usable certificate and private key: "
                "give PEM files, the certificate first, and the key that matches it.")
    return None


def prepare_app(app, *, tls: bool, behind_proxy: bool):
    """Set the app up for how it is reached: behind a proxy, trust one proxy's X-Forwarded-* (never
    otherwise: a client could claim https or another host); over TLS or a proxy, cookies are Secure
    and any Host name is answered (see the module's docstring)."""
    from werkzeug.middleware.proxy_fix import ProxyFix  # with Flask, which cmd_serve imports here too

    if behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
    if tls or behind_proxy:
        app.config["SECURE_COOKIES"] = True
        app.config["ALLOWED_HOSTS"] = ("*",)
    return app


def tls_server(app, host: str, port: int, cert: str, key: str):
    """cheroot's WSGI server over HTTPS, bound (OSError when it cannot), with waitress's settings."""
    from cheroot import wsgi  # on use: only HTTPS serving needs it
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    server = wsgi.Server((host, port), app, numthreads=8, server_name="kolscope", timeout=CHANNEL_TIMEOUT,
                         request_queue_size=64)
    server.max_request_body_size = app.config["MAX_CONTENT_LENGTH"] + 1024
    server.ssl_adapter = BuiltinSSLAdapter(cert, key)
    server.prepare()
    return server


def cmd_serve(args: argparse.Namespace) -> int:
    # imported here, not at the top: `kolscope token` shares this module and must answer at once,
    # without loading waitress, Flask, the API and APScheduler
    import waitress

    from server import create_app, scheduler, services
    from server.refresh import RefreshError

    max_connections = getattr(args, "max_connections", None)
    if max_connections is not None and not 16 <= max_connections <= 100_000:
        return _fail(f"--max-connections must be between 16 and 100000 (got {max_connections})")
    cert, key = getattr(args, "tls_cert", None), getattr(args, "tls_key", None)
    behind_proxy = bool(getattr(args, "behind_proxy", False))
    problem = exposure_problem(args.host, cert, key, behind_proxy)
    if problem:
        return _fail(problem)
    if getattr(args, "broker", None) and not getattr(args, "database", None):
        # workers open the store themselves, which a data directory (one process's) does not allow
        return _fail("--broker needs --database postgresql://...: refresh workers share the store with this "
                     "server, and a data directory serves one process. Leave --broker out to refresh here.")
    if getattr(args, "broker", None) and getattr(args, "replay", None):
        return _fail("--replay does not go with --broker: the refresh workers fetch the pages, so give "
                     "--replay DIR to `kolscope worker` instead")
    tls = bool(cert)
    if tls:
        problem = tls_problem(cert, key)
        if problem:
            return _fail(problem)
    config = {
        "DATA_DIR": args.data,
        "DATABASE": getattr(args, "database", None),
        "BROKER": getattr(args, "broker", None),
        "REPLAY_DIR": getattr(args, "replay", None),
        "SCHEDULER_ENABLED": not getattr(args, "no_scheduler", False),
    }
    if args.host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
        config["ALLOWED_HOSTS"] = (args.host.lower(),)
    try:
        app = create_app(config)
    except RefreshError as exc:  # a --broker the app cannot use (its scheme): said, not a traceback
        return _fail(exc.message)
    except (StoreError, OSError) as exc:
        return _fail(_store_failure(exc, args.data)
                     or f"cannot start on the data directory {args.data}: {exc.strerror or exc}")
    prepare_app(app, tls=tls, behind_proxy=behind_proxy)
    store = services.store_of(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        # bound before anything is announced: a busy port says so and nothing else
        if tls:
            server = tls_server(app, args.host, args.port, cert, key)
        else:
            server_map: dict = {}
            options = waitress_options(app, max_connections)
            if behind_proxy:  # waitress drops X-Forwarded-* it was not told to trust: ProxyFix trusts them here
                options["clear_untrusted_proxy_headers"] = False
            server = waitress.create_server(app, map=server_map, host=args.host, port=args.port, **options)
            evict_idle_when_full(server_map)
    except OSError as exc:
        services.close_app(app)
        return _fail(_listen_failure(exc, args.host, args.port))
    try:
        if config["SCHEDULER_ENABLED"]:
            try:
                scheduler.start(app)
            except Exception as exc:
                full = disk_full(exc)
                if full is None:
                    raise
                return _fail(disk_full_message(full, args.data))
        _warm_up()
        host = f"[{args.host}]" if ":" in args.host else args.host
        scheme = "https" if tls else "http"
        where = f"data in {store.dir}" if getattr(store, "dir", None) else "store: the database"
        _stop_on_sigterm()  # before "serving on": a stop sent as soon as it is announced closes the app too
        print(f"kolscope: serving on {scheme}://{host}:{args.port}/ ({where})", flush=True)
        if behind_proxy:
            print("kolscope: behind a proxy: trusting one proxy's X-Forwarded-Proto/Host/For", flush=True)
        if getattr(store, "dir", None):
            print(f"kolscope: API token in {store.dir / 'token'} (print it with `kolscope token --data {args.data}`)",
                  flush=True)
        if tls:
            try:
                server.serve()
            finally:
                server.stop()
        else:
            server.run()
    except (KeyboardInterrupt, SystemExit):
        pass  # Ctrl-C, or SIGTERM (_stop_on_sigterm) at any point after it is set: the app closes below
    finally:
        services.close_app(app)  # the scheduler, the refreshes (a broker's connections) and the store
    print("kolscope: stopped", flush=True)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """Print the token; creates it when the store is new. Works while a server runs (no lock; a
    PostgreSQL store is shared by design)."""
    database = getattr(args, "database", None)
    if database:
        try:
            with open_store({"DATABASE": database}) as store:
                print(store.token())
            return 0
        except StoreError as exc:
            return _fail(exc.message)
    path = Path(args.data) / "token"
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    except OSError as exc:
        return _fail(_store_failure(exc, args.data))
    if not token:
        try:
            with open_store({"DATA_DIR": args.data}) as store:
                token = store.token()
        except (StoreError, OSError) as exc:
            message = _store_failure(exc, args.data)
            if message is None:
                raise
            return _fail(message)
    print(token)
    return 0
