"""The repository: kolscope's durable store over TinyDB (the only module that imports tinydb).

Layout of a data directory (format_version 1):

    <data>/lock                          flock'ed by the one server (or CLI) using the directory
    <data>/token                         the API token (0600)
    <data>/meta.json                     watchlists, briefs, notes, settings, format version
    <data>/index/<00..ff>.json           creator summaries (latest snapshot summary + scores),
                                         sharded by a hash of (platform, handle)
    <data>/creators/<platform>/<key>.json  one creator: its latest full snapshot + scores ("latest")
                                         and its history points ("history")

Why this layout: TinyDB rewrites a whole file on every write, so one big file makes every ingest
slower as data grows. An ingest here rewrites one creator's file (its own history only) and one
index shard (about 1/256 of the creators), so its cost stays flat from 100 to 10,000 creators.
Listings read the index, which is loaded once into memory (this process holds the lock, so the
in-memory copy is authoritative).

Every write goes through AtomicJSONStorage: temp file, fsync, os.replace, fsync of the directory,
so a kill -9 at any moment leaves the previous or the new file, never half of one. An ingest writes
the creator file first and the index shard second; a crash in between loses nothing that was
acknowledged (the 201 is sent after both writes).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import threading
from datetime import datetime, timedelta, UTC
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator

from tinydb import Query, TinyDB
from tinydb.storages import Storage

FORMAT_VERSION = 1
INDEX_SHARDS = 256
REFRESH_STATUSES = ("ok", "stale", "blocked", "error", "running")
DEFAULT_REFRESH_HOURS = 24

# The platforms a creator can belong to. Each platform module's valid_handle is the one handle rule
# (it matches that platform's profile_url); handles also become file names (_file_name encodes them).
PLATFORMS = ("x", "tiktok", "instagram", "youtube")
_YT_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_SAFE_FILE = re.compile(r"^[a-z0-9_][a-z0-9_.\-]{0,99}$")


class StoreError(Exception):
    """A store problem a person can act on; `code` names it for the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class StoreLocked(StoreError):
    def __init__(self, data_dir: Path):
        super().__init__(
            "store_locked",
            f"Another kolscope process is using the data directory {data_dir} (its lock file is held). "
            "Stop that server first, or pass a different --data directory.",
        )


class NotFound(StoreError):
    def __init__(self, what: str):
        super().__init__("not_found", f"{what} not found.")


class Conflict(StoreError):
    def __init__(self, message: str):
        super().__init__("conflict", message)


def now_iso() -> str:
    # milliseconds: "was this scored after the brief changed" compares these strings
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def valid_handle(platform: str, handle: Any) -> bool:
    from scraper.registry import BY_NAME

    module = BY_NAME.get(platform) if isinstance(platform, str) else None
    return bool(module is not None and module.valid_handle(handle))


def creator_key(platform: str, handle: str) -> str:
    """The case-folded identity of a handle. All four platforms match handles case-insensitively,
    except YouTube channel ids (UC...), which are case-sensitive."""
    if platform == "youtube" and _YT_CHANNEL_ID.match(handle):
        return handle
    return handle.lower()


def _file_name(key: str) -> str:
    # Case-sensitive YouTube channel ids and non-ASCII handles are hex-encoded so file names stay
    # safe and distinct even on case-insensitive file systems.
    if _SAFE_FILE.match(key):
        return key + ".json"
    return "x-" + key.encode("utf-8").hex() + ".json"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that writes atomically and keeps the last written data in memory.

    `read()` hands TinyDB the cached object (TinyDB re-reads the whole storage on every query);
    a failed write drops the cache so the next read comes from disk, which still holds the
    previous version. `sync=False` skips the fsyncs (bulk imports of benchmark stores only).
    """

    def __init__(self, path: str | os.PathLike, sync: bool = True):
        self.path = Path(path)
        self.sync = sync
        self._cache: dict | None = None
        self._deferred = 0
        self._dirty = False

    def read(self) -> dict | None:
        if self._cache is None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
            self._cache = json.loads(text) if text.strip() else {}
        return self._cache

    def write(self, data: dict) -> None:
        self._cache = data
        if self._deferred:
            self._dirty = True
            return
        self._flush()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Several TinyDB operations, one atomic file write at the end."""
        self._deferred += 1
        try:
            yield
        except BaseException:
            self._deferred -= 1
            self._cache, self._dirty = None, False
            raise
        self._deferred -= 1
        if not self._deferred and self._dirty:
            self._dirty = False
            self._flush()

    def _flush(self) -> None:
        data = self._cache
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            # json.dumps, not json.dump: dump streams through the pure-Python encoder (~10x slower)
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                if self.sync:
                    os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            if self.sync:
                _fsync_dir(self.path.parent)
        except BaseException:
            self._cache = None
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def close(self) -> None:
        pass


def _open_db(path: Path, sync: bool = True) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage, sync=sync)



def _compact_score(part: Any) -> dict | None:
    if not isinstance(part, dict):
        return None
    return {k: part.get(k) for k in ("score", "grade", "confidence")}


def _tier_name(tier: Any) -> str | None:
    if isinstance(tier, str):
        return tier
    if isinstance(tier, dict):
        for k in ("name", "tier", "label"):
            if isinstance(tier.get(k), str):
                return tier[k]
    return None


def _score_fields(scores: dict, brief_id: str | None) -> dict:
    """What a creator's summary shows of its scores (set by a capture, and by re-scoring)."""
    return {"tier": _tier_name(scores.get("tier")), "engagement_rate": scores.get("engagement_rate"),
            "fit": _compact_score(scores.get("fit")), "authenticity": _compact_score(scores.get("authenticity")),
            "brief_id": brief_id}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def growth_30d(points: list[dict], latest: dict) -> float | None:
    """Follower growth in percent over the last ~30 days of history (None without data)."""
    now_t, now_f = _parse_time(latest.get("captured_at")), latest.get("followers")
    if now_t is None or not isinstance(now_f, int):
        return None
    try:
        target = now_t - timedelta(days=30)
    except OverflowError:  # a point dated in year 1 (stored before captured_at was checked)
        return None
    best = None
    for p in points:
        t, f = _parse_time(p.get("captured_at")), p.get("followers")
        if t is None or not isinstance(f, int) or f <= 0 or t >= now_t:
            continue
        # the point nearest to 30 days ago, but at least a day old
        if now_t - t < timedelta(days=1):
            continue
        if best is None or abs(t - target) < abs(best[0] - target):
            best = (t, f)
    if best is None:
        return None
    return round((now_f - best[1]) / best[1] * 100, 2)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


# Migrations: MIGRATIONS[n] upgrades a store from format n to n+1 (called with the Store, the
# lock held). Add one with every layout change and bump FORMAT_VERSION.
MIGRATIONS: dict[int, Callable[[Store], None]] = {}


class Store:
    """The repository over one data directory. Thread-safe (one lock for Flask's threads and the
    scheduler's); one process per data directory (a held flock, else StoreLocked)."""

    def __init__(self, data_dir: str | os.PathLike, *, fsync: bool = True):
        self.dir = Path(data_dir).resolve()
        # fsync=False only for unit tests' throwaway stores (the crash test runs with fsync on)
        self.fsync = fsync
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError("store_unavailable", f"Cannot create the data directory {self.dir}: {exc}") from exc
        self._lock = threading.RLock()
        self._lock_fh = open(self.dir / "lock", "a+")
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_fh.close()
            raise StoreLocked(self.dir) from None
        self._lock_fh.seek(0)
        self._lock_fh.truncate()
        self._lock_fh.write(f"{os.getpid()}\n")
        self._lock_fh.flush()
        self._closed = False
        try:
            self.meta = self._db(self.dir / "meta.json")
            self._shards: dict[int, TinyDB] = {}
            self._bulk_dirty: set[int] | None = None
            self._check_format()
            self._remove_leftovers()
            self._index: dict[tuple[str, str], dict] = {}
            # (platform, platform_id) -> key: an account keeps its id when its handle changes
            self._pids: dict[tuple[str, str], str] = {}
            self._load_index()
            # (platform, another key of the same account) -> the key its data is stored under
            self._aliases: dict[tuple[str, str], str] = {
                (d["platform"], d["alias"]): d["key"] for d in self.meta.table("aliases").all()}
        except StoreError:
            self.close()
            raise
        except (ValueError, OSError, KeyError, TypeError) as exc:
            self.close()
            raise StoreError("store_corrupt", f"The store in {self.dir} cannot be read: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------------------------

    def _db(self, path: Path, sync: bool = True) -> TinyDB:
        return _open_db(path, sync=sync and self.fsync)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError, ValueError):
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
        self._lock_fh.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_format(self) -> None:
        table = self.meta.table("_meta")
        doc = table.get(doc_id=1)
        if doc is None:
            table.insert({"format_version": FORMAT_VERSION, "created_at": now_iso()})
            return
        version = doc.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise StoreError(
                "store_too_new",
                f"The store in {self.dir} has format {version!r}; this kolscope reads up to "
                f"{FORMAT_VERSION}. Upgrade kolscope.",
            )
        while version < FORMAT_VERSION:
            MIGRATIONS[version](self)
            version += 1
            table.update({"format_version": version}, doc_ids=[1])

    def _remove_leftovers(self) -> None:
        """Temp files of writes a kill interrupted: never read (the rename did not happen), and this
        process holds the lock, so no other writer owns them."""
        folders = [self.dir, self.dir / "index"]
        creators = self.dir / "creators"
        if creators.is_dir():
            folders += [p for p in creators.iterdir() if p.is_dir()]
        for folder in folders:
            if not folder.is_dir():
                continue
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    def token(self) -> str:
        """The API token in <data>/token, created (0600) on first use."""
        path = self.dir / "token"
        with self._lock:
            try:
                tok = path.read_text(encoding="utf-8").strip()
                if tok:
                    return tok
            except FileNotFoundError:
                pass
            tok = secrets.token_urlsafe(32)
            tmp = path.with_name(".token.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(tok + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync_dir(self.dir)
            return tok

    # -- creators: files -------------------------------------------------------------------------

    def _shard_no(self, platform: str, key: str) -> int:
        return hashlib.blake2b(f"{platform}/{key}".encode(), digest_size=2).digest()[0] % INDEX_SHARDS

    def _shard(self, n: int) -> TinyDB:
        db = self._shards.get(n)
        if db is None:
            db = self._shards[n] = self._db(self.dir / "index" / f"{n:02x}.json")
        return db

    def _creator_path(self, platform: str, key: str) -> Path:
        return self.dir / "creators" / platform / _file_name(key)

    def _load_index(self) -> None:
        folder = self.dir / "index"
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.json")):
            try:
                n = int(path.stem, 16)
            except ValueError:
                continue
            for doc in self._shard(n).all():
                self._index[(doc["platform"], doc["key"])] = dict(doc)
                if doc.get("platform_id"):
                    self._pids[(doc["platform"], doc["platform_id"])] = doc["key"]

    def _write_summary(self, summary: dict) -> None:
        n = self._shard_no(summary["platform"], summary["key"])
        if self._bulk_dirty is not None:
            self._bulk_dirty.add(n)
        else:
            q = Query()
            self._shard(n).upsert(summary, (q.platform == summary["platform"]) & (q.key == summary["key"]))
        self._index[(summary["platform"], summary["key"])] = summary
        if summary.get("platform_id"):
            self._pids[(summary["platform"], summary["platform_id"])] = summary["key"]

    def _identity(self, platform: str, handle: str) -> tuple[str, str]:
        """(platform, the key the creator's data is stored under): an old handle, or a YouTube
        channel's id, leads to the same creator as its current handle."""
        if not valid_handle(platform, handle):
            raise StoreError("invalid_handle", f"{handle!r} is not a valid {platform} handle.")
        key = creator_key(platform, handle)
        return platform, self._aliases.get((platform, key), key)

    def _known_key(self, platform: str, key: str, pid: Any) -> str:
        if not isinstance(pid, str) or not pid:
            return key
        current = self._index.get((platform, key))
        if current is not None and (current.get("captured") or current.get("snapshots")):
            return key  # a creator with data of its own (a watchlisted-only placeholder has none)
        known = self._pids.get((platform, pid))
        return known if known is not None and known != key and (platform, known) in self._index else key

    def account_handle(self, platform: str, handle: str, platform_id: str | None) -> str:
        """A handle that leads to this account's stored data: `handle`, or, for a handle never seen
        whose platform id is known, the known one (the history to score a renamed account against)."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            known = self._known_key(platform, key, platform_id)
            if known == key:
                return handle
            return self._index[(platform, known)].get("handle") or handle

    def _same_account(self, platform: str, key: str, snapshot: dict) -> str:
        """The stored key of the account `snapshot` shows. A handle never seen before whose platform
        id is known (a renamed account; a YouTube channel first captured by /channel/UC... and now by
        its @handle, or the other way round) becomes an alias of the known key, so its history goes on
        in one place instead of starting a second creator."""
        known = self._known_key(platform, key, snapshot.get("platform_id"))
        if known == key:
            return key
        if (platform, key) in self._index:
            self._fold_placeholder(platform, key, known)
        self.meta.table("aliases").upsert({"platform": platform, "alias": key, "key": known},
                                          (Query().platform == platform) & (Query().alias == key))
        self._aliases[(platform, key)] = known
        return known

    def _fold_placeholder(self, platform: str, key: str, known: str) -> None:
        """A creator watchlisted by URL but never captured turns out to be a known account: its
        watchlist places and notes move to that account, and the empty entry goes."""
        q = Query()
        with self.meta.storage.batch():
            for wl in self.meta.table("watchlists").all():
                members = [dict(m, key=known) if m == {"platform": platform, "key": key} else m
                           for m in wl["creators"]]
                members = [m for i, m in enumerate(members) if m not in members[:i]]
                if members != wl["creators"]:
                    self.meta.table("watchlists").update({"creators": members}, q.id == wl["id"])
            self.meta.table("notes").update({"key": known}, (q.platform == platform) & (q.key == key))
        self._shard(self._shard_no(platform, key)).remove((q.platform == platform) & (q.key == key))
        del self._index[(platform, key)]

    # -- creators: public ------------------------------------------------------------------------

    def add_snapshot(self, snapshot: dict, scores: dict | None, *, brief_id: str | None = None,
                     history_point: dict | None = None) -> dict:
        """Store a parsed snapshot (kolscope.snapshot/1 dict) and its scores; answer the creator
        summary. The history point is `history_point` when given (scoring's compact form), else
        the snapshot's counts. Durable when it returns."""
        platform, key = self._identity(snapshot.get("platform"), snapshot.get("handle"))
        point = history_point if history_point is not None else _default_point(snapshot)
        with self._lock:
            key = self._same_account(platform, key, snapshot)
            db = self._db(self._creator_path(platform, key))
            with db.storage.batch():
                hist = db.table("history")
                hist.insert(point)
                points = hist.all()
                latest = db.table("latest")
                latest.truncate()
                latest.insert({"snapshot": snapshot, "scores": scores, "brief_id": brief_id,
                               "scored_at": now_iso()})
            old = self._index.get((platform, key)) or {}
            summary = self._summary(platform, key, snapshot, scores, brief_id, points, old)
            self._write_summary(summary)
            return dict(summary)

    def _summary(self, platform: str, key: str, snapshot: dict, scores: dict | None,
                 brief_id: str | None, points: list[dict], old: dict) -> dict:
        scores = scores if isinstance(scores, dict) else {}
        refresh = dict(old.get("refresh") or {})
        handle = snapshot.get("handle")
        if handle == snapshot.get("platform_id") and old.get("handle") and old["handle"] != handle:
            handle = old["handle"]  # a capture by channel id does not hide the @handle already known
        return {
            "platform": platform,
            "key": key,
            "handle": handle,
            "platform_id": snapshot.get("platform_id") or old.get("platform_id"),
            "url": snapshot.get("url") or old.get("url"),
            # a post or reel page may not show these (Instagram's post pages carry no follower count):
            # such a capture keeps the known ones
            "display_name": _known(snapshot, old, "display_name"),
            "avatar_url": _known(snapshot, old, "avatar_url"),
            "followers": _known(snapshot, old, "followers"),
            "verified": _known(snapshot, old, "verified"),
            # a capture without it (X shows it only in a panel the user opens) keeps the known one
            "country": snapshot.get("country") or old.get("country"),
            **_score_fields(scores, brief_id),
            "growth_30d": growth_30d(points, snapshot),
            "captured": True,
            "captured_at": snapshot.get("captured_at"),
            "snapshots": len(points),
            "first_seen": old.get("first_seen") or now_iso(),
            "stored_at": now_iso(),
            "updated_at": now_iso(),
            "refresh": refresh,
        }

    def import_creator(self, snapshot: dict, scores: dict | None, history: list[dict]) -> dict:
        """Write one creator with a whole history at once, without fsync. For building benchmark
        stores quickly: call inside `bulk()`, which writes the index shards once at its end."""
        platform, key = self._identity(snapshot.get("platform"), snapshot.get("handle"))
        with self._lock:
            # TinyDB's own file layout ({table: {doc_id: doc}}), written in one go: insert_multiple
            # would re-walk the whole table per call
            storage = AtomicJSONStorage(self._creator_path(platform, key), sync=False)
            storage.write({
                "history": {str(i): p for i, p in enumerate(history, 1)},
                "latest": {"1": {"snapshot": snapshot, "scores": scores, "brief_id": None, "scored_at": now_iso()}},
            })
            summary = self._summary(platform, key, snapshot, scores, None, history, {})
            self._write_summary(summary)
            return summary

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Index writes collected in memory; each touched shard rewritten once at the end."""
        with self._lock:
            self._bulk_dirty = set()
            try:
                yield
            finally:
                dirty, self._bulk_dirty = self._bulk_dirty, None
                by_shard: dict[int, list[dict]] = {n: [] for n in dirty}
                for (platform, key), summary in self._index.items():
                    n = self._shard_no(platform, key)
                    if n in by_shard:
                        by_shard[n].append(summary)
                for n, docs in by_shard.items():
                    db = self._shard(n)
                    with db.storage.batch():
                        db.truncate()
                        db.insert_multiple(docs)

    def ensure_creator(self, platform: str, handle: str, url: str | None = None) -> dict:
        """The summary of a creator, created as 'not captured yet' when unknown (watchlisting a
        profile URL before any capture)."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            existing = self._index.get((platform, key))
            if existing is not None:
                return dict(existing)
            summary = {
                "platform": platform, "key": key, "handle": handle, "url": url, "display_name": None,
                "avatar_url": None, "followers": None, "verified": None, "tier": None,
                "engagement_rate": None, "fit": None, "authenticity": None, "brief_id": None,
                "growth_30d": None, "captured": False, "captured_at": None, "snapshots": 0,
                "first_seen": now_iso(), "updated_at": now_iso(), "refresh": {},
            }
            self._write_summary(summary)
            return dict(summary)

    def get_creator(self, platform: str, handle: str) -> dict | None:
        platform, key = self._identity(platform, handle)
        with self._lock:
            s = self._index.get((platform, key))
            return dict(s) if s else None

    def latest(self, platform: str, handle: str) -> dict | None:
        """{snapshot, scores, brief_id} of the latest capture, or None."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            path = self._creator_path(platform, key)
            if not path.exists():
                return None
            docs = self._db(path).table("latest").all()
            return dict(docs[-1]) if docs else None

    def history(self, platform: str, handle: str) -> list[dict]:
        """History points, oldest first."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            path = self._creator_path(platform, key)
            if not path.exists():
                return []
            points = [dict(p) for p in self._db(path).table("history").all()]
        points.sort(key=lambda p: str(p.get("captured_at") or ""))
        return points

    def update_scores(self, platform: str, handle: str, scores: dict, brief_id: str | None,
                      captured_at: str | None = None) -> bool:
        """Re-scored latest snapshot (another brief became active): keep it and the summary.

        With `captured_at`, only while the latest snapshot is still that one (a capture that arrived
        meanwhile has its own, newer scores). Answers whether anything was written."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            path = self._creator_path(platform, key)
            if not path.exists():
                return False
            latest = self._db(path).table("latest")
            docs = latest.all()
            if not docs:
                return False
            if captured_at is not None and (docs[-1].get("snapshot") or {}).get("captured_at") != captured_at:
                return False
            latest.update({"scores": scores, "brief_id": brief_id, "scored_at": now_iso()})
            old = self._index.get((platform, key))
            if old:
                self._write_summary(dict(old, **_score_fields(scores, brief_id)))
            return True

    def list_creators(self) -> list[dict]:
        with self._lock:
            return [dict(s) for s in self._index.values()]

    # -- refresh bookkeeping (the scheduler's) ---------------------------------------------------

    def record_refresh(self, platform: str, handle: str, status: str, reason: str | None = None,
                       at: str | None = None) -> dict:
        """Record a refresh attempt: ok|stale|blocked|error|running. ok clears staleness; the others
        mark the creator stale (their data is kept as it was)."""
        if status not in REFRESH_STATUSES:
            raise ValueError(f"refresh status must be one of {REFRESH_STATUSES}, not {status!r}")
        at = at or now_iso()
        with self._lock:
            summary = self.ensure_creator(platform, handle)
            refresh = dict(summary.get("refresh") or {})
            if status == "running":
                refresh.update(running=True, started_at=at)
            else:
                refresh.update(status=status, reason=reason, at=at, running=False)
                if status == "ok":
                    refresh["last_ok"] = at
            summary["refresh"] = refresh
            self._write_summary(summary)
            return refresh

    def refresh_status(self, platform: str, handle: str) -> dict | None:
        s = self.get_creator(platform, handle)
        return dict(s["refresh"]) if s and s.get("refresh") else None

    # -- watchlists ------------------------------------------------------------------------------

    def list_watchlists(self) -> list[dict]:
        with self._lock:
            return [dict(w) for w in self.meta.table("watchlists").all()]

    def _by_id(self, table: str, doc_id: str, what: str) -> dict:
        with self._lock:
            docs = self.meta.table(table).search(Query().id == doc_id)
            if not docs:
                raise NotFound(f"{what} {doc_id}")
            return dict(docs[0])

    def get_watchlist(self, wid: str) -> dict:
        return self._by_id("watchlists", wid, "Watchlist")

    def _check_name(self, name: str, except_id: str | None = None) -> None:
        for w in self.meta.table("watchlists").all():
            if w["name"].casefold() == name.casefold() and w["id"] != except_id:
                raise Conflict(f"A watchlist named {name!r} exists already.")

    def create_watchlist(self, name: str, refresh_interval_hours: float = DEFAULT_REFRESH_HOURS,
                         refresh_cron: str | None = None) -> dict:
        with self._lock:
            self._check_name(name)
            doc = {"id": _new_id("wl"), "name": name, "refresh_interval_hours": refresh_interval_hours,
                   "refresh_cron": refresh_cron or None, "creators": [], "created_at": now_iso(), "updated_at": now_iso()}
            self.meta.table("watchlists").insert(doc)
            return dict(doc)

    def update_watchlist(self, wid: str, **changes: Any) -> dict:
        allowed = {k: v for k, v in changes.items() if k in ("name", "refresh_interval_hours", "refresh_cron")}
        if "refresh_cron" in allowed:
            allowed["refresh_cron"] = allowed["refresh_cron"] or None  # "" clears it
        with self._lock:
            self.get_watchlist(wid)
            if "name" in allowed:
                self._check_name(allowed["name"], except_id=wid)
            allowed["updated_at"] = now_iso()
            self.meta.table("watchlists").update(allowed, Query().id == wid)
            return self.get_watchlist(wid)

    def delete_watchlist(self, wid: str) -> None:
        with self._lock:
            if not self.meta.table("watchlists").remove(Query().id == wid):
                raise NotFound(f"Watchlist {wid}")

    def add_to_watchlist(self, wid: str, platform: str, handle: str, url: str | None = None) -> dict:
        with self._lock:
            wl = self.get_watchlist(wid)
            summary = self.ensure_creator(platform, handle, url)
            member = {"platform": summary["platform"], "key": summary["key"]}
            if member not in wl["creators"]:
                wl["creators"].append(member)
                self.meta.table("watchlists").update(
                    {"creators": wl["creators"], "updated_at": now_iso()}, Query().id == wid)
            return summary

    def remove_from_watchlist(self, wid: str, platform: str, handle: str) -> None:
        platform, key = self._identity(platform, handle)
        with self._lock:
            wl = self.get_watchlist(wid)
            member = {"platform": platform, "key": key}
            if member not in wl["creators"]:
                raise NotFound(f"{platform}/{handle} in watchlist {wid}")
            wl["creators"].remove(member)
            self.meta.table("watchlists").update(
                {"creators": wl["creators"], "updated_at": now_iso()}, Query().id == wid)

    def watchlist_creators(self, wid: str) -> list[dict]:
        """The summaries of a watchlist's creators, in the order they were added."""
        with self._lock:
            wl = self.get_watchlist(wid)
            out = []
            for m in wl["creators"]:
                s = self._index.get((m["platform"], m["key"]))
                if s is not None:
                    out.append(dict(s))
            return out

    def watchlists_of(self) -> dict[tuple[str, str], list[str]]:
        """(platform, key) -> ids of the watchlists holding that creator."""
        with self._lock:
            out: dict[tuple[str, str], list[str]] = {}
            for w in self.meta.table("watchlists").all():
                for m in w["creators"]:
                    out.setdefault((m["platform"], m["key"]), []).append(w["id"])
            return out

    # -- briefs ----------------------------------------------------------------------------------

    def list_briefs(self) -> list[dict]:
        with self._lock:
            return [dict(b) for b in self.meta.table("briefs").all()]

    def get_brief(self, bid: str) -> dict:
        return self._by_id("briefs", bid, "Brief")

    def create_brief(self, brief: dict) -> dict:
        with self._lock:
            doc = {"id": _new_id("br"), "brief": brief, "created_at": now_iso(), "updated_at": now_iso()}
            self.meta.table("briefs").insert(doc)
            return dict(doc)

    def replace_brief(self, bid: str, brief: dict) -> dict:
        with self._lock:
            self.get_brief(bid)
            self.meta.table("briefs").update({"brief": brief, "updated_at": now_iso()}, Query().id == bid)
            return self.get_brief(bid)

    def delete_brief(self, bid: str) -> None:
        with self._lock:
            with self.meta.storage.batch():
                if not self.meta.table("briefs").remove(Query().id == bid):
                    raise NotFound(f"Brief {bid}")
                if self.active_brief_id() == bid:
                    self._set_setting("active_brief", None)

    def active_brief_id(self) -> str | None:
        with self._lock:
            doc = self.meta.table("settings").get(Query().name == "active_brief")
            return doc["value"] if doc else None

    def active_brief(self) -> dict | None:
        with self._lock:
            bid = self.active_brief_id()
            return self.get_brief(bid) if bid else None

    def set_active_brief(self, bid: str | None) -> None:
        with self._lock:
            if bid is not None:
                self.get_brief(bid)
            self._set_setting("active_brief", bid)

    def extension_id(self) -> str | None:
        """The browser extension id the options page registered (server/security.py), or None."""
        with self._lock:
            doc = self.meta.table("settings").get(Query().name == "extension_id")
            return doc["value"] if doc else None

    def set_extension_id(self, ext_id: str | None) -> None:
        with self._lock:
            self._set_setting("extension_id", ext_id)

    def _set_setting(self, name: str, value: Any) -> None:
        self.meta.table("settings").upsert({"name": name, "value": value}, Query().name == name)

    # -- notes -----------------------------------------------------------------------------------

    def list_notes(self, platform: str, handle: str) -> list[dict]:
        platform, key = self._identity(platform, handle)
        with self._lock:
            q = Query()
            docs = self.meta.table("notes").search((q.platform == platform) & (q.key == key))
        return sorted((dict(d) for d in docs), key=lambda d: d["created_at"])

    def add_note(self, platform: str, handle: str, text: str) -> dict:
        platform, key = self._identity(platform, handle)
        with self._lock:
            if (platform, key) not in self._index:
                raise NotFound(f"Creator {platform}/{handle}")
            doc = {"id": _new_id("nt"), "platform": platform, "key": key, "text": text,
                   "created_at": now_iso()}
            self.meta.table("notes").insert(doc)
            return dict(doc)

    def delete_note(self, platform: str, handle: str, nid: str) -> None:
        platform, key = self._identity(platform, handle)
        with self._lock:
            q = Query()
            if not self.meta.table("notes").remove((q.id == nid) & (q.platform == platform) & (q.key == key)):
                raise NotFound(f"Note {nid}")


def _default_point(snapshot: dict) -> dict:
    point = {"captured_at": snapshot.get("captured_at")}
    for k in ("followers", "following", "posts", "likes", "views"):
        point[k] = snapshot.get(k)
    return point


def _known(snapshot: dict, old: dict, name: str):
    """The snapshot's value, or the stored one when this capture does not show it."""
    value = snapshot.get(name)
    return value if value is not None else old.get(name)
