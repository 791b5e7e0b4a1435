"""The TinyDB engine of the store (the only module that imports tinydb): kolscope's data directory.

Layout of a data directory (format_version 2; the directory 0700, every file in it 0600):

    <data>/lock                          the pid of the process using the directory (the lock itself
                                         is a flock on the directory, see _lock_dir)
    <data>/token                         the API token
    <data>/meta.json                     watchlists, briefs, notes, settings, format version, and the
                                         list of index shards that exist
    <data>/index/<00..ff>.json           creator summaries (latest snapshot summary + scores),
                                         sharded by a hash of (platform, key)
    <data>/creators/<platform>/<hh>/<sha256 of "platform/key", 32 hex>.json
                                         one creator: its latest full snapshot + scores ("latest")
                                         and its history points ("history")
    <data>/campaigns/<cid>.json, <cid>.orders.json
                                         a campaign (partners, deliverables) and its imported orders
                                         (tinydb_campaigns.py)
    <file>.bak                           the previous version of each file (a repair source)

Every data file is an envelope: `{"kolscope": {format, kind, platform/key or shard, sha256, length},
"data": <TinyDB's JSON>}`; the checksum covers the exact bytes of "data", and a read checks marker,
identity and checksum, so an emptied, truncated, swapped or corrupt file is an error naming the file,
never an empty store. `kolscope fsck` checks a whole directory and restores from the `.bak` copies.

Why this layout: TinyDB rewrites a whole file on every write, so one big file makes every ingest
slower as data grows. An ingest here rewrites one creator's file (its own history only) and one
index shard (about 1/256 of the creators), so its cost stays flat from 100 to 10,000 creators.
Listings read the index, which is loaded once into memory (this process holds the lock, so the
in-memory copy is authoritative). Creator file names are hashes, not handles: a handle never becomes
a path, and no two creators can share a file (format 1 hex-encoded non-ASCII handles as `x-<hex>`,
itself a valid handle on some platforms).

Every write goes through AtomicJSONStorage: temp file, fsync, link the old file to `.bak`, os.replace,
fsync of the directory, so a kill -9 at any moment leaves the previous or the new file, never half of
one. An ingest writes the creator file first and the index shard second (and a new shard before
meta.json lists it); a crash in between loses nothing that was acknowledged (the 201 is sent after
both writes), and leaves no reference to a file that does not exist.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from scraper.times import now_iso
from server.disk import DISK_FULL_ERRNOS
from server.store import records
from server.store.base import (
    DEFAULT_REFRESH_HOURS, REFRESH_STATUSES, TASK_IDS_KEPT, Conflict, CreatorPage, CreatorQuery, NotFound, StoreCorrupt, StoreError,
    StoreLocked,
)
from server.store.records import PLATFORMS
from server.store.tinydb_campaigns import CampaignTables
from server.store.tinydb_discovery import DiscoveryTables

FORMAT_VERSION = 2
FILE_FORMAT = "kolscope.store/2"
INDEX_SHARDS = 256
DIR_MODE, FILE_MODE = 0o700, 0o600  # notes and watchlists are private

log = logging.getLogger("kolscope.store")


def creator_file(platform: str, key: str) -> str:
    """A creator's file, relative to creators/<platform>/: a hash of platform and key, so that no
    two creators share a file whatever their handles (the file holds both, checked on every read),
    and names stay distinct on case-insensitive file systems. Two hex digits fan the files out."""
    h = hashlib.sha256(f"{platform}/{key}".encode()).hexdigest()[:32]
    return f"{h[:2]}/{h}.json"


def shard_no(platform: str, key: str) -> int:
    """The index shard holding a creator's summary."""
    return hashlib.blake2b(f"{platform}/{key}".encode(), digest_size=2).digest()[0] % INDEX_SHARDS


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _private(path: str, flags: int) -> int:
    """An opener for open(): files this module creates are 0600 from the first byte."""
    return os.open(path, flags, FILE_MODE)


def _mkdir_private(path: Path) -> None:
    if path.is_dir():
        return
    _mkdir_private(path.parent)  # mkdir(parents=True) would make the parents with the umask's mode
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=DIR_MODE)


# -- the file format ------------------------------------------------------------------------------
# {"kolscope":<header>,"data":<body>}\n  -- the header is ASCII JSON without "data" in it, so the
# first `,"data":` ends it (a JSON string cannot hold an unescaped quote); sha256 and length are
# those of the body's bytes exactly as written.

_PREFIX = b'{"kolscope":'
_DATA_SEP = b',"data":'
_SUFFIX = b"}\n"
_HEADER_MAX = 1024


def encode_file(header: dict, data: Any) -> bytes:
    # json.dumps, not json.dump: dump streams through the pure-Python encoder (~10x slower)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = dict(header, format=FILE_FORMAT, length=len(body), sha256=hashlib.sha256(body).hexdigest())
    return _PREFIX + json.dumps(head, separators=(",", ":")).encode("ascii") + _DATA_SEP + body + _SUFFIX


def _split_header(raw: bytes, path: str | Path) -> tuple[dict, int]:
    """(header, offset of the body) of a file's first bytes; StoreCorrupt when there is no header."""
    if not raw.strip():
        raise StoreCorrupt(path, "is empty")
    if not raw.startswith(_PREFIX):
        raise StoreCorrupt(path, "has no kolscope format marker (not a kolscope store file, or overwritten)")
    end = raw.find(_DATA_SEP, len(_PREFIX), len(_PREFIX) + _HEADER_MAX)
    try:
        if end < 0:
            raise ValueError("no end of header")
        head = json.loads(raw[len(_PREFIX):end])
    except ValueError:
        raise StoreCorrupt(path, "has a damaged header") from None
    if not isinstance(head, dict) or head.get("format") != FILE_FORMAT or not isinstance(head.get("length"), int):
        raise StoreCorrupt(path, f"has format {head.get('format') if isinstance(head, dict) else None!r}, "
                                 f"not {FILE_FORMAT}")
    return head, end + len(_DATA_SEP)


def _check_identity(head: dict, expect: dict | None, path: str | Path) -> None:
    for k, v in (expect or {}).items():
        if head.get(k) != v:
            raise StoreCorrupt(path, f"holds {k} {head.get(k)!r}, not {v!r} (a file swapped or copied over another)")


def decode_file(raw: bytes, path: Path, expect: dict | None = None) -> tuple[dict, Any]:
    """(header, data) of a store file's bytes, checked: marker, identity (`expect`), length, checksum."""
    head, start = _split_header(raw, path)
    body = raw[start:start + head["length"]]
    if len(body) < head["length"] or raw[start + head["length"]:].rstrip(b"\n") != b"}":
        raise StoreCorrupt(path, f"is truncated or has bytes appended ({len(raw)} bytes; the header "
                                 f"says {start + head['length'] + len(_SUFFIX)})")
    if hashlib.sha256(body).hexdigest() != head.get("sha256"):
        raise StoreCorrupt(path, "does not match its checksum (changed or damaged on disk)")
    _check_identity(head, expect, path)
    try:
        data = json.loads(body)
    except ValueError:
        raise StoreCorrupt(path, "holds invalid JSON under a valid checksum") from None
    return head, data


def read_file(path: Path, expect: dict | None = None) -> tuple[dict, Any]:
    """(header, data) of one store file, fully checked; FileNotFoundError when it does not exist."""
    return decode_file(path.read_bytes(), path, expect)


def check_file_header(path: str | Path, expect: dict | None = None) -> dict:
    """The cheap check of a file at startup (a 2 GB store is not re-hashed on every start): marker,
    identity and size. An emptied or truncated file fails it; the checksum is checked on each read
    and by `kolscope fsck`. (os-level calls: this runs for every creator at each start.)"""
    fd = os.open(path, os.O_RDONLY)
    try:
        raw = os.read(fd, _HEADER_MAX + len(_PREFIX) + len(_DATA_SEP))
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    head, start = _split_header(raw, path)
    _check_identity(head, expect, path)
    if size != start + head["length"] + len(_SUFFIX):
        raise StoreCorrupt(path, f"is truncated or has bytes appended ({size} bytes; the header "
                                 f"says {start + head['length'] + len(_SUFFIX)})")
    return head


def write_file(path: Path, header: dict, data: Any, *, sync: bool = True, keep_backup: bool = True) -> None:
    """Write a store file (an envelope of `data`) atomically; see write_bytes."""
    write_bytes(path, encode_file(header, data), sync=sync, keep_backup=keep_backup)


def write_bytes(path: Path, blob: bytes, *, sync: bool = True, keep_backup: bool = True) -> None:
    """The atomic writer: temp file (0600), fsync, the old file hard-linked to `.bak`, rename over,
    fsync of the directory. The file is the old or the new one at every moment."""
    _mkdir_private(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    bak_tmp = path.with_name(f".{path.name}.bak.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb", opener=_private) as fh:
            fh.write(blob)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        if keep_backup:
            # the previous version stays as <file>.bak (a link: no copy, and the file itself never
            # disappears, unlike a rename of it to .bak would)
            with contextlib.suppress(FileNotFoundError):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(bak_tmp)
                os.link(path, bak_tmp)
                os.replace(bak_tmp, backup_path(path))
        os.replace(tmp, path)
        if sync:
            _fsync_dir(path.parent)
    except BaseException:
        for p in (tmp, bak_tmp):
            with contextlib.suppress(OSError):
                p.unlink()
        raise


def _signature(st: os.stat_result) -> tuple:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class AtomicJSONStorage(Storage):
    """A TinyDB storage over one store file (see write_file/read_file) that keeps the last written
    data in memory.

    `read()` hands TinyDB the cached object (TinyDB re-reads the whole storage on every query);
    a failed write drops the cache so the next read comes from disk, which still holds the
    previous version. A missing file is an empty one only when `must_exist` is false; an empty,
    corrupt or foreign file raises StoreCorrupt (never read as "no data", which the next write would
    make permanent). `legacy_ok` reads format 1's plain JSON (migration only). `sync=False` skips
    the fsyncs (bulk imports of benchmark stores, throwaway test stores).
    """

    def __init__(self, path: str | os.PathLike, sync: bool = True, header: dict | None = None,
                 must_exist: bool = False, legacy_ok: bool = False, data_dir: Path | None = None):
        self.path = Path(path)
        self.sync = sync
        self.header = dict(header or {})
        self.must_exist = must_exist
        self.legacy_ok = legacy_ok
        self.data_dir = data_dir
        self.was_legacy = False
        self._seen: tuple | None = None  # the file as this storage last read or wrote it
        self._cache: dict | None = None
        self._deferred = 0
        self._dirty = False

    def read(self) -> dict | None:
        if self._cache is None:
            try:
                with open(self.path, "rb") as fh:
                    raw = fh.read()
                    self._seen = _signature(os.fstat(fh.fileno()))
            except FileNotFoundError:
                if self.must_exist:
                    raise StoreCorrupt(self.path, "is missing (the store refers to it)", self.data_dir) from None
                return None
            except OSError as exc:
                raise StoreError("store_unavailable", f"Cannot read {self.path}: {exc.strerror or exc}") from exc
            try:
                if self.legacy_ok and raw.strip() and not raw.startswith(_PREFIX):
                    data = self._legacy(raw)
                else:
                    _, data = decode_file(raw, self.path, self.header)
            except StoreCorrupt as exc:
                raise StoreCorrupt(self.path, exc.problem, self.data_dir) from None
            if not isinstance(data, dict):
                raise StoreCorrupt(self.path, "does not hold TinyDB tables", self.data_dir)
            self._cache = data
        return self._cache

    def _legacy(self, raw: bytes) -> Any:
        try:
            data = json.loads(raw)
        except ValueError:
            raise StoreCorrupt(self.path, "is not valid JSON (format 1)") from None
        self.was_legacy = True
        return data

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
        keep = True
        with contextlib.suppress(FileNotFoundError):
            if self._seen is not None and _signature(os.stat(self.path)) != self._seen:
                # changed on disk since (a cached shard or meta.json damaged under a running server):
                # the in-memory copy is written, and the .bak stays the last good version
                log.warning("%s changed on disk behind this process; rewriting it, keeping its .bak", self.path)
                keep = False
        try:
            write_file(self.path, self.header, self._cache, sync=self.sync, keep_backup=keep)
            self._seen = _signature(os.stat(self.path))
        except BaseException:
            self._cache = None
            raise
        self.was_legacy = False

    def close(self) -> None:
        pass


def _open_db(path: Path, sync: bool = True, **options: Any) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage, sync=sync, **options)



def _latest(db: TinyDB) -> dict | None:
    docs = db.table("latest").all()
    return dict(docs[-1]) if docs else None


def _history(db: TinyDB) -> list[dict]:
    points = [dict(p) for p in db.table("history").all()]
    points.sort(key=lambda p: str(p.get("captured_at") or ""))
    return points


def _member_of(idents: set[tuple[str, str]]) -> Callable[[Mapping], bool]:
    """A TinyDB condition: the document's (platform, key) is one of `idents`."""
    return lambda doc: (doc.get("platform"), doc.get("key")) in idents


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


def lock_dir(data_dir: Path) -> int:
    """Lock the data directory: an exclusive flock on a descriptor of the directory itself, held for
    the process's life. Not a lock on a file in it: `rm <data>/lock` would let a second server lock a
    new file of the same name while the first still writes. The kernel drops a flock when its process
    dies, so a kill -9'd server never blocks the next start. Answers the descriptor (close to release)."""
    fd = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreLocked(data_dir) from None
    return fd


def _store_folders(data_dir: Path) -> list[Path]:
    """The directories of a store: itself, index/, creators/, campaigns/, creators/<platform>/ and their
    fan-out."""
    folders = [data_dir]
    for sub in ("index", "creators", "campaigns"):
        if (data_dir / sub).is_dir():
            folders.append(data_dir / sub)
    creators = data_dir / "creators"
    if creators.is_dir():
        for platform in sorted(p for p in creators.iterdir() if p.is_dir() and not p.is_symlink()):
            folders.append(platform)
            folders += sorted(p for p in platform.iterdir() if p.is_dir() and not p.is_symlink())
    return folders


def tidy(data_dir: Path) -> dict[str, int]:
    """Make a store private and clean, on every open: the directories 0700, every file 0600 (format 1,
    and the modules writing beside the store, created files 0644: notes are private), and temp files
    of writes a kill interrupted removed (never read: the rename did not happen; the caller holds the
    lock, so no other writer owns them). Answers {"modes": fixed, "leftovers": removed}."""
    fixed = removed = 0
    for folder in _store_folders(data_dir):
        if stat.S_IMODE(folder.stat().st_mode) != DIR_MODE:
            os.chmod(folder, DIR_MODE)
            fixed += 1
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed += 1
                    continue
                if stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode) != FILE_MODE:
                    os.chmod(entry.path, FILE_MODE)
                    fixed += 1
    return {"modes": fixed, "leftovers": removed}


def holds_store(data_dir: Path) -> bool:
    """Whether a directory without meta.json still holds (part of) a store: then meta.json was lost,
    and starting as a new store would hide the rest and overwrite it."""
    if any((data_dir / name).exists() for name in ("meta.json.bak", "token", "scheduler.sqlite")):
        return True
    for sub in ("index", "creators", "campaigns"):
        folder = data_dir / sub
        if folder.is_dir() and any(p.is_file() for p in folder.rglob("*.json*")):
            return True
    return False


def shards_on_disk(data_dir: Path) -> set[int]:
    """The numbers of the index shard files present (whatever meta.json lists)."""
    folder = data_dir / "index"
    found = set()
    if folder.is_dir():
        for path in folder.glob("*.json"):
            with contextlib.suppress(ValueError):
                n = int(path.stem, 16)
                if path.name == f"{n:02x}.json" and n < INDEX_SHARDS:
                    found.add(n)
    return found


def is_envelope(raw: bytes) -> bool:
    """Whether a file's bytes start as a format 2 store file (format 1 files are plain JSON)."""
    return raw.startswith(_PREFIX)


class TinyDBStore(CampaignTables, DiscoveryTables):
    """The repository over one data directory. Thread-safe (one lock for Flask's threads and the
    scheduler's); one process per data directory (a held flock, else StoreLocked). Campaigns and
    discovery live in their own modules' tables (tinydb_campaigns.py, tinydb_discovery.py)."""

    new_id = staticmethod(_new_id)

    def __init__(self, data_dir: str | os.PathLike, *, fsync: bool = True):
        self.dir = Path(data_dir).resolve()
        # fsync=False only for unit tests' throwaway stores (the crash test runs with fsync on)
        self.fsync = fsync
        try:
            _mkdir_private(self.dir)
            self._dir_fd = lock_dir(self.dir)
        except StoreError:
            raise
        except OSError as exc:
            raise StoreError("store_unavailable", f"Cannot use the data directory {self.dir}: {exc}") from exc
        self._lock = threading.RLock()
        self._creator_locks: dict[tuple[str, str], list] = {}  # creator_lock's: [lock, holders]
        self._creator_locks_guard = threading.Lock()
        self._users_by_digest: dict[str, dict] | None = None  # user_for_token's map, rebuilt on a change
        self._closed = False
        try:
            # who holds the lock, for a person looking (the lock is the directory's flock)
            with open(self.dir / "lock", "w", opener=_private) as fh:
                fh.write(f"{os.getpid()}\n")
            tidy(self.dir)
            self._shards: dict[int, TinyDB] = {}
            self._shard_list: set[int] = set()  # the shards meta.json says exist
            self._migrating = False
            self._bulk_dirty: set[int] | None = None
            self._index: dict[tuple[str, str], dict] = {}
            # the index's version (every write of it counts one) and the listing orders built at one
            self._generation = 0
            self._orders: dict[tuple[str, bool], tuple[int, list[dict]]] = {}
            # (platform, platform_id) -> key: an account keeps its id when its handle changes
            self._pids: dict[tuple[str, str], str] = {}
            meta_path = self.dir / "meta.json"
            if not meta_path.exists() and holds_store(self.dir):
                raise StoreCorrupt(meta_path, "is missing, but the directory holds a store (index, creator "
                                              "files, token or a backup of meta.json)", self.dir)
            self.meta = self._db(meta_path, header={"kind": "meta"}, legacy_ok=True)
            self._check_format()
            self._load_index()
            # (platform, another key of the same account) -> the key its data is stored under
            self._aliases: dict[tuple[str, str], str] = {
                (d["platform"], d["alias"]): d["key"] for d in self.meta.table("aliases").all()}
            self._check_references()
        except StoreError:
            self.close()
            raise
        except OSError as exc:
            self.close()
            if exc.errno in DISK_FULL_ERRNOS:
                raise  # a full disk, said as such by the caller (server.disk), not a damaged store
            raise StoreError("store_unavailable", f"The store in {self.dir} cannot be used: {exc}") from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.close()
            raise StoreError("store_corrupt", f"The store in {self.dir} cannot be read: {exc}. Stop the server "
                                              f"and run `kolscope fsck --data {self.dir}`.") from exc
        except BaseException:
            self.close()
            raise

    # -- lifecycle -------------------------------------------------------------------------------

    def _db(self, path: Path, sync: bool = True, **options: Any) -> TinyDB:
        return _open_db(path, sync=sync and self.fsync, data_dir=self.dir, **options)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            fcntl.flock(self._dir_fd, fcntl.LOCK_UN)
        with contextlib.suppress(OSError):
            os.close(self._dir_fd)

    def __enter__(self) -> TinyDBStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_format(self) -> None:
        table = self.meta.table("_meta")
        doc = table.get(doc_id=1)
        if doc is None:
            if (self.dir / "meta.json").exists():
                raise StoreCorrupt(self.dir / "meta.json", "has no format version", self.dir)
            table.insert({"format_version": FORMAT_VERSION, "created_at": now_iso(ms=True), "shards": []})
            self.meta.storage.legacy_ok = False
            return
        version = doc.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise StoreError(
                "store_too_new",
                f"The store in {self.dir} has format {version!r}; this kolscope reads up to "
                f"{FORMAT_VERSION}. Upgrade kolscope.",
            )
        if self.meta.storage.was_legacy and version >= 2:
            raise StoreCorrupt(self.dir / "meta.json", "has no kolscope format marker", self.dir)
        self._migrating = version < FORMAT_VERSION
        while version < FORMAT_VERSION:
            log.info("migrating the store in %s from format %d to %d", self.dir, version, version + 1)
            MIGRATIONS[version](self)
            version += 1
            table.update({"format_version": version}, doc_ids=[1])
        self._migrating = False
        self.meta.storage.legacy_ok = False
        self._shards = {}  # reopened without format 1 reading
        self._shard_list = set(table.get(doc_id=1).get("shards") or [])

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
            write_bytes(path, f"{tok}\n".encode(), keep_backup=False)
            return tok

    # -- creators: files -------------------------------------------------------------------------

    def _shard_no(self, platform: str, key: str) -> int:
        return shard_no(platform, key)

    def _shard_path(self, n: int) -> Path:
        return self.dir / "index" / f"{n:02x}.json"

    def _shard(self, n: int) -> TinyDB:
        db = self._shards.get(n)
        if db is None:
            db = self._shards[n] = self._db(self._shard_path(n), header={"kind": "index", "shard": n},
                                            must_exist=n in self._shard_list, legacy_ok=self._migrating)
        return db

    def _record_shards(self, shards: set[int]) -> None:
        """meta.json lists every shard once it is written (never before: a crash in between leaves an
        unlisted shard, which the next start lists), so a lost shard is noticed, not read as empty."""
        if shards - self._shard_list:
            self._shard_list |= shards
            self.meta.table("_meta").update({"shards": sorted(self._shard_list)}, doc_ids=[1])

    def _creator_path(self, platform: str, key: str) -> Path:
        return self.dir / "creators" / platform / creator_file(platform, key)

    def _creator_db(self, platform: str, key: str) -> TinyDB:
        """A creator's file, which must exist when the index says the creator has snapshots."""
        s = self._index.get((platform, key))
        return self._db(self._creator_path(platform, key),
                        header={"kind": "creator", "platform": platform, "key": key},
                        must_exist=records.has_data(s))

    def _load_index(self) -> None:
        on_disk = shards_on_disk(self.dir)
        for n in sorted(self._shard_list | on_disk):
            for doc in self._shard(n).all():
                self._index[(doc["platform"], doc["key"])] = dict(doc)
                self._generation += 1
                if doc.get("platform_id"):
                    self._pids[(doc["platform"], doc["platform_id"])] = doc["key"]
        self._record_shards(on_disk)

    def _check_references(self) -> None:
        """What meta.json and the index refer to exists: a creator with snapshots has its file (its
        header and size checked: an emptied or truncated file is caught here; the checksum on each
        read and by fsck), and every watchlist member, note and alias has its index entry."""
        base = str(self.dir / "creators")
        for (platform, key), s in self._index.items():
            if not records.has_data(s):
                continue
            path = f"{base}/{platform}/{creator_file(platform, key)}"  # str: pathlib costs ~0.3 s per 10,000
            try:
                check_file_header(path, {"kind": "creator", "platform": platform, "key": key})
            except FileNotFoundError:
                raise StoreCorrupt(path, f"is missing (the index lists {platform}/{key} with "
                                         f"{s.get('snapshots')} snapshot(s))", self.dir) from None
            except StoreCorrupt as exc:
                raise StoreCorrupt(path, exc.problem, self.dir) from None
        refs = records.references(self.meta.table("watchlists").all(), self.meta.table("notes").all(),
                                  self.meta.table("aliases").all())
        for platform, key, what in refs:
            if (platform, key) not in self._index:
                raise StoreCorrupt(self._shard_path(self._shard_no(platform, key)),
                                   f"has lost {platform}/{key}, {what} in meta.json", self.dir)

    def _write_summary(self, summary: dict) -> None:
        n = self._shard_no(summary["platform"], summary["key"])
        if self._bulk_dirty is not None:
            self._bulk_dirty.add(n)
        else:
            q = Query()
            self._shard(n).upsert(summary, (q.platform == summary["platform"]) & (q.key == summary["key"]))
            self._record_shards({n})
        self._index[(summary["platform"], summary["key"])] = summary
        self._generation += 1
        if summary.get("platform_id"):
            self._pids[(summary["platform"], summary["platform_id"])] = summary["key"]

    def _identity(self, platform: str, handle: str) -> tuple[str, str]:
        return records.identity(platform, handle, self._aliases)

    def _known_key(self, platform: str, key: str, pid: Any) -> str:
        return records.known_key(platform, key, pid, self._index, self._pids)

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
        id is known (a renamed account; a creator first captured by its account id and now by its
        handle, or the other way round) becomes an alias of the known key, so its history goes on
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
                members = records.fold_members(wl["creators"], platform, key, known)
                if members != wl["creators"]:
                    self.meta.table("watchlists").update({"creators": members}, q.id == wl["id"])
            self.meta.table("notes").update({"key": known}, (q.platform == platform) & (q.key == key))
        self._shard(self._shard_no(platform, key)).remove((q.platform == platform) & (q.key == key))
        del self._index[(platform, key)]
        self._generation += 1

    # -- creators: public ------------------------------------------------------------------------

    def add_snapshot(self, snapshot: dict, scores: dict | None, *, brief_id: str | None = None,
                     history_point: dict | None = None, task_id: str | None = None) -> dict:
        """Store a parsed snapshot (kolscope.snapshot/1 dict) and its scores; answer the creator
        summary. The history point is `history_point` when given (scoring's compact form), else
        the snapshot's counts. `task_id` (a refresh task's) is remembered in the same file write.
        Durable when it returns."""
        platform, key = self._identity(snapshot.get("platform"), snapshot.get("handle"))
        point = history_point if history_point is not None else records.default_point(snapshot)
        with self._lock:
            key = self._same_account(platform, key, snapshot)
            db = self._creator_db(platform, key)  # a corrupt file raises here, before any write
            with db.storage.batch():
                hist = db.table("history")
                hist.insert(point)
                points = hist.all()
                latest = db.table("latest")
                before = _latest(db) or {}
                tasks = list(before.get("tasks") or [])
                if task_id:
                    tasks = (tasks + [task_id])[-TASK_IDS_KEPT:]
                latest.truncate()
                latest.insert({"snapshot": snapshot, "scores": scores, "brief_id": brief_id,
                               "scored_at": now_iso(ms=True), "tasks": tasks})
            old = self._index.get((platform, key)) or {}
            summary = records.summary(platform, key, snapshot, scores, brief_id, points, old, now_iso(ms=True))
            self._write_summary(summary)
            return dict(summary)

    def applied_task(self, platform: str, handle: str, task_id: str) -> bool:
        """Whether the refresh task `task_id` has stored a snapshot of this creator (add_snapshot)."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            if not records.has_data(self._index.get((platform, key))):
                return False
            return task_id in ((_latest(self._creator_db(platform, key)) or {}).get("tasks") or [])

    @contextlib.contextmanager
    def creator_lock(self, platform: str, handle: str, platform_id: str | None = None) -> Iterator[None]:
        """One writer per creator: a lock per (platform, case-folded handle), and with `platform_id`
        one per account after it, across this process's threads (the directory's flock keeps other
        processes out). Dropped when nobody holds it."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(self._held((str(platform), str(handle).casefold())))
            if isinstance(platform_id, str) and platform_id:
                stack.enter_context(self._held((str(platform), "#" + platform_id)))
            yield

    @contextlib.contextmanager
    def _held(self, ident: tuple[str, str]) -> Iterator[None]:
        with self._creator_locks_guard:
            entry = self._creator_locks.setdefault(ident, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._creator_locks_guard:
                entry[1] -= 1
                if not entry[1]:
                    self._creator_locks.pop(ident, None)

    def import_creator(self, snapshot: dict, scores: dict | None, history: list[dict]) -> dict:
        """Write one creator with a whole history at once, without fsync. For building benchmark
        stores quickly: call inside `bulk()`, which writes the index shards once at its end."""
        platform, key = self._identity(snapshot.get("platform"), snapshot.get("handle"))
        with self._lock:
            # TinyDB's own file layout ({table: {doc_id: doc}}), written in one go: insert_multiple
            # would re-walk the whole table per call
            storage = AtomicJSONStorage(self._creator_path(platform, key), sync=False,
                                        header={"kind": "creator", "platform": platform, "key": key})
            storage.write({
                "history": {str(i): p for i, p in enumerate(history, 1)},
                "latest": {"1": {"snapshot": snapshot, "scores": scores, "brief_id": None, "scored_at": now_iso(ms=True)}},
            })
            summary = records.summary(platform, key, snapshot, scores, None, history, {}, now_iso(ms=True))
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
                self._record_shards(set(by_shard))

    def ensure_creator(self, platform: str, handle: str, url: str | None = None) -> dict:
        """The summary of a creator, created as 'not captured yet' when unknown (watchlisting a
        profile URL before any capture)."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            existing = self._index.get((platform, key))
            if existing is not None:
                return dict(existing)
            summary = records.placeholder(platform, key, handle, url, now_iso(ms=True))
            self._write_summary(summary)
            return dict(summary)

    def get_creator(self, platform: str, handle: str) -> dict | None:
        platform, key = self._identity(platform, handle)
        with self._lock:
            s = self._index.get((platform, key))
            return dict(s) if s else None

    def creator_record(self, platform: str, handle: str) -> dict | None:
        """{summary, latest, history} of a creator from one read of its file, or None when unknown
        (a creator page needs all three; latest() then history() would read and checksum it twice)."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            summary = self._index.get((platform, key))
            if summary is None:
                return None
            db = self._creator_db(platform, key)
            return {"summary": dict(summary), "latest": _latest(db), "history": _history(db)}

    def latest(self, platform: str, handle: str) -> dict | None:
        """{snapshot, scores, brief_id} of the latest capture, or None."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            return _latest(self._creator_db(platform, key))

    def history(self, platform: str, handle: str) -> list[dict]:
        """History points, oldest first."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            return _history(self._creator_db(platform, key))

    def update_scores(self, platform: str, handle: str, scores: dict, brief_id: str | None,
                      captured_at: str | None = None) -> bool:
        """Re-scored latest snapshot (another brief became active): keep it and the summary.

        With `captured_at`, only while the latest snapshot is still that one (a capture that arrived
        meanwhile has its own, newer scores). Answers whether anything was written."""
        platform, key = self._identity(platform, handle)
        with self._lock:
            latest = self._creator_db(platform, key).table("latest")
            docs = latest.all()
            if not docs:
                return False
            if captured_at is not None and (docs[-1].get("snapshot") or {}).get("captured_at") != captured_at:
                return False
            latest.update({"scores": scores, "brief_id": brief_id, "scored_at": now_iso(ms=True)})
            old = self._index.get((platform, key))
            if old:
                self._write_summary(dict(old, **records.score_fields(scores, brief_id)))
            return True

    def list_creators(self) -> list[dict]:
        with self._lock:
            return [dict(s) for s in self._index.values()]

    def find_creators(self, query: CreatorQuery) -> CreatorPage:
        """The page of creators `query` asks for, filtered, sorted and paged over the in-memory index."""
        with self._lock:
            members = listed = None
            if query.watchlist:
                members = {(m["platform"], m["key"]) for m in self.get_watchlist(query.watchlist)["creators"]}
            if query.in_watchlist is not None:
                listed = self._watchlisted()
            if members is not None and len(members) < len(self._index) // 2:
                # a watchlist's page walks (and sorts) its members, not all 10,000 creators
                pool = [s for s in (self._index.get(m) for m in members) if s is not None]
                return records.select(pool, query, members, listed)
            return records.select(self._ordered(query.sort, query.descending), query, members, listed, ordered=True)

    def _ordered(self, sort: str, descending: bool) -> list[dict]:
        """Every creator in a sort's order, kept until the index changes (`_generation`): listing
        pages, one after another, filter a sorted list instead of sorting 10,000 creators each."""
        hit = self._orders.get((sort, descending))
        if hit is not None and hit[0] == self._generation:
            return hit[1]
        ordered = records.order(self._index.values(), sort, descending)
        self._orders[(sort, descending)] = (self._generation, ordered)
        return ordered

    def _watchlisted(self) -> set[tuple[str, str]]:
        return {(m["platform"], m["key"]) for w in self.meta.table("watchlists").all() for m in w["creators"]}

    def _partners(self) -> set[tuple[str, str]]:
        """(platform, key) of every campaign's partners (a campaign refers to its creators too)."""
        return {(p["platform"], p["key"]) for c in self.list_campaigns() for p in self.list_partners(c["id"])}

    def forget_creators(self, creators: list[tuple[str, str]]) -> int:
        """Forget creators for good: notes and aliases first (they refer to the index entry), then
        the index entry (it refers to the file), then the creator file and its backup, so a crash
        in between leaves nothing that refers to what is gone. Creators in a watchlist or partners
        of a campaign, and unknown ones, are skipped. Each touched index shard is written once."""
        with self._lock:
            keep = self._watchlisted() | self._partners()
            gone: list[tuple[str, str]] = []
            for platform, handle in creators:
                try:
                    ident = self._identity(platform, handle)
                except StoreError:
                    continue
                if ident in self._index and ident not in keep and ident not in gone:
                    gone.append(ident)
            if not gone:
                return 0
            doomed = set(gone)
            with self.meta.storage.batch():
                self.meta.table("notes").remove(_member_of(doomed))
                self.meta.table("aliases").remove(_member_of(doomed))
            self._aliases = {k: v for k, v in self._aliases.items() if (k[0], v) not in doomed}
            by_shard: dict[int, list[tuple[str, str]]] = {}
            for platform, key in gone:
                by_shard.setdefault(self._shard_no(platform, key), []).append((platform, key))
            for n, idents in by_shard.items():
                db = self._shard(n)
                db.remove(_member_of(set(idents)))
                for ident in idents:
                    summary = self._index.pop(ident)
                    self._generation += 1
                    if summary.get("platform_id"):
                        self._pids.pop((ident[0], summary["platform_id"]), None)
            for platform, key in gone:
                path = self._creator_path(platform, key)
                for p in (path, backup_path(path)):
                    with contextlib.suppress(FileNotFoundError):
                        p.unlink()
            return len(gone)

    # -- refresh bookkeeping (the scheduler's) ---------------------------------------------------

    def record_refresh(self, platform: str, handle: str, status: str, reason: str | None = None,
                       at: str | None = None, code: str | None = None) -> dict:
        """Record a refresh attempt: ok|stale|blocked|error|running. ok clears staleness; the others
        mark the creator stale (their data is kept as it was)."""
        if status not in REFRESH_STATUSES:
            raise ValueError(f"refresh status must be one of {REFRESH_STATUSES}, not {status!r}")
        at = at or now_iso(ms=True)
        with self._lock:
            summary = self.ensure_creator(platform, handle)
            refresh = summary["refresh"] = records.refreshed(summary.get("refresh") or {}, status, reason, at, code)
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
                   "refresh_cron": refresh_cron or None, "creators": [], "created_at": now_iso(ms=True), "updated_at": now_iso(ms=True)}
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
            allowed["updated_at"] = now_iso(ms=True)
            self.meta.table("watchlists").update(allowed, Query().id == wid)
            return self.get_watchlist(wid)

    def delete_watchlist(self, wid: str) -> None:
        with self._lock:
            if not self.meta.table("watchlists").remove(Query().id == wid):
                raise NotFound(f"Watchlist {wid}")

    def add_to_watchlist(self, wid: str, platform: str, handle: str, url: str | None = None, *,
                         author: str | None = None) -> dict:
        with self._lock:
            wl = self.get_watchlist(wid)
            summary = self.ensure_creator(platform, handle, url)
            ident = (summary["platform"], summary["key"])
            if all((m["platform"], m["key"]) != ident for m in wl["creators"]):
                now = now_iso(ms=True)
                wl["creators"].append({"platform": ident[0], "key": ident[1], "added_by": author, "added_at": now})
                self.meta.table("watchlists").update({"creators": wl["creators"], "updated_at": now},
                                                     Query().id == wid)
            return summary

    def remove_from_watchlist(self, wid: str, platform: str, handle: str) -> None:
        platform, key = self._identity(platform, handle)
        with self._lock:
            wl = self.get_watchlist(wid)
            members = [m for m in wl["creators"] if (m["platform"], m["key"]) != (platform, key)]
            if len(members) == len(wl["creators"]):
                raise NotFound(f"{platform}/{handle} in watchlist {wid}")
            self.meta.table("watchlists").update(
                {"creators": members, "updated_at": now_iso(ms=True)}, Query().id == wid)

    def watchlist_creators(self, wid: str) -> list[dict]:
        """The summaries of a watchlist's creators, in the order they were added."""
        with self._lock:
            wl = self.get_watchlist(wid)
            out = []
            for m in wl["creators"]:
                s = self._index.get((m["platform"], m["key"]))
                if s is not None:
                    out.append(dict(s, added_by=m.get("added_by"), added_at=m.get("added_at")))
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
            doc = {"id": _new_id("br"), "brief": brief, "created_at": now_iso(ms=True), "updated_at": now_iso(ms=True)}
            self.meta.table("briefs").insert(doc)
            return dict(doc)

    def replace_brief(self, bid: str, brief: dict) -> dict:
        with self._lock:
            self.get_brief(bid)
            self.meta.table("briefs").update({"brief": brief, "updated_at": now_iso(ms=True)}, Query().id == bid)
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

    def add_note(self, platform: str, handle: str, text: str, *, author: str | None = None) -> dict:
        platform, key = self._identity(platform, handle)
        with self._lock:
            if (platform, key) not in self._index:
                raise NotFound(f"Creator {platform}/{handle}")
            doc = {"id": _new_id("nt"), "platform": platform, "key": key, "text": text, "author": author,
                   "created_at": now_iso(ms=True), "updated_at": None, "updated_by": None}
            self.meta.table("notes").insert(doc)
            return dict(doc)

    def update_note(self, platform: str, handle: str, nid: str, text: str, *, author: str | None = None) -> dict:
        platform, key = self._identity(platform, handle)
        with self._lock:
            q = Query()
            match = (q.id == nid) & (q.platform == platform) & (q.key == key)
            changes = {"text": text, "updated_at": now_iso(ms=True), "updated_by": author}
            if not self.meta.table("notes").update(changes, match):
                raise NotFound(f"Note {nid}")
            return dict(self.meta.table("notes").get(match))

    def delete_note(self, platform: str, handle: str, nid: str) -> None:
        platform, key = self._identity(platform, handle)
        with self._lock:
            q = Query()
            if not self.meta.table("notes").remove((q.id == nid) & (q.platform == platform) & (q.key == key)):
                raise NotFound(f"Note {nid}")

    # -- users (issue 16): meta.json's "users" table; tokens kept as SHA-256 digests ----------------

    def add_user(self, name: str, *, admin: bool = False) -> tuple[dict, str]:
        name = records.check_user_name(name)
        with self._lock:
            if self._user_doc(name) is not None:
                raise Conflict(f"There is a user named {name} already.")
            token = secrets.token_urlsafe(32)
            doc = records.new_user(_new_id("us"), name, admin, token, now_iso(ms=True))
            self._users_by_digest = None
            self.meta.table("users").insert(doc)
            return records.user_view(doc), token

    def _user_doc(self, name: str) -> dict | None:
        folded = str(name).casefold()
        for doc in self.meta.table("users").all():
            if doc["name"].casefold() == folded:
                return dict(doc)
        return None

    def list_users(self) -> list[dict]:
        with self._lock:
            return [records.user_view(d) for d in self.meta.table("users").all()]

    def get_user(self, name: str) -> dict:
        with self._lock:
            doc = self._user_doc(name)
            if doc is None:
                raise NotFound(f"User {name}")
            return records.user_view(doc)

    def user_for_token(self, token: str) -> dict | None:
        """Asked on every request: a map of digest -> user, built once and dropped on each change
        (this process holds the directory's lock, so nothing else changes the users)."""
        if not isinstance(token, str) or not token:
            return None
        with self._lock:
            if self._users_by_digest is None:
                self._users_by_digest = {d["token_sha256"]: records.user_view(d)
                                         for d in self.meta.table("users").all() if not d.get("revoked_at")}
            # a dict look-up by the token's SHA-256: what it could leak by its timing is about the
            # digest, which says nothing usable about any token
            user = self._users_by_digest.get(records.token_digest(token))
            return dict(user) if user else None

    def revoke_user(self, name: str) -> dict:
        with self._lock:
            doc = self._user_doc(name)
            if doc is None:
                raise NotFound(f"User {name}")
            if not doc.get("revoked_at"):
                self._users_by_digest = None
                self.meta.table("users").update({"revoked_at": now_iso(ms=True)}, Query().id == doc["id"])
            return self.get_user(name)

    def rotate_token(self, name: str) -> tuple[dict, str]:
        with self._lock:
            doc = self._user_doc(name)
            if doc is None:
                raise NotFound(f"User {name}")
            token = secrets.token_urlsafe(32)
            self._users_by_digest = None
            self.meta.table("users").update(records.token_fields(token, revoked=False), Query().id == doc["id"])
            return self.get_user(name), token


# -- migration of format 1 (files named after keys, no markers) -----------------------------------

_V1_SAFE_FILE = re.compile(r"^[a-z0-9_][a-z0-9_.\-]{0,99}$")


def _v1_keys(platform: str, stem: str, index: set[tuple[str, str]]) -> list[str]:
    """The creator key(s) a format 1 file name stood for. Format 1 stored a key as `<key>.json` when
    it matched _V1_SAFE_FILE, else as `x-<utf-8 hex>.json`, and `x-<hex>` is itself a safe key, so a
    name can stand for two creators (`@ñandú` and `@x-c3b1616e64c3ba`). Such a file held both
    creators' points; each gets a copy, as each showed it before."""
    candidates = [stem]
    if stem.startswith("x-"):
        try:
            decoded = bytes.fromhex(stem[2:]).decode("utf-8")
        except ValueError:
            decoded = None
        if decoded and not _V1_SAFE_FILE.match(decoded):
            candidates.append(decoded)
    known = [k for k in candidates if (platform, k) in index]
    if len(known) > 1:
        log.warning("format 1 file %s/%s.json was shared by %s; each keeps a copy of its history",
                    platform, stem, " and ".join(known))
    return known or [candidates[-1]]


def _migrate_1_to_2(store: TinyDBStore) -> None:
    """Format 1 -> 2: every file becomes an envelope (marker, identity, checksum), and creator files
    move from key-named files to hashed names (creator_file). Restartable after a crash: each file is
    written atomically before its format 1 original goes, and format 1 files are read as such until
    meta.json says 2."""
    index: set[tuple[str, str]] = set()
    shards: set[int] = set()
    folder = store.dir / "index"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            n = int(path.stem, 16)
        except ValueError:
            continue
        storage = store._shard(n).storage
        data = storage.read()
        if data is None:
            continue
        index |= {(d["platform"], d["key"]) for d in (data.get("_default") or {}).values()}
        if storage.was_legacy:
            write_file(path, storage.header, data, sync=store.fsync, keep_backup=False)
            storage.was_legacy = False
        shards.add(n)
    creators = store.dir / "creators"
    for pdir in sorted(creators.iterdir()) if creators.is_dir() else []:
        if pdir.name not in PLATFORMS or not pdir.is_dir():
            continue
        for path in sorted(pdir.glob("*.json")):  # format 2 files are one level deeper
            data = AtomicJSONStorage(path, legacy_ok=True).read()
            for key in _v1_keys(pdir.name, path.name[:-len(".json")], index):
                write_file(store._creator_path(pdir.name, key),
                           {"kind": "creator", "platform": pdir.name, "key": key}, data,
                           sync=store.fsync, keep_backup=False)
            path.unlink()
        if store.fsync:
            _fsync_dir(pdir)
    store.meta.table("_meta").update({"shards": sorted(shards)}, doc_ids=[1])


# Migrations: MIGRATIONS[n] upgrades a store from format n to n+1 (called with the store, the lock
# held). Add one with every layout change and bump FORMAT_VERSION. Read-only: built once, here.
MIGRATIONS: Mapping[int, Callable[[TinyDBStore], None]] = MappingProxyType({1: _migrate_1_to_2})


Store = TinyDBStore  # the name every caller has used
