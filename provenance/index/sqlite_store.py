"""SQLite backend of the footage index: one file, WAL, one transaction per write.

Safety on open
--------------
Before anything is written, the file is checked read-only: it must start with the
SQLite header, and a non-empty database must carry our ``meta.application`` entry and
a schema version this code knows. A text file, a damaged file or somebody else's
database raises :class:`~provenance.errors.IndexStoreError` and is left byte for byte
as it was. Nothing is unpickled or executed from index content: records are plain
columns and frame data are BLOBs of float64 and uint8; thumbnails are JPEG BLOBs that are
only ever returned as bytes, never decoded here.

Concurrency
-----------
WAL lets any number of reader processes run while one process writes; writers take the
write lock up front (``BEGIN IMMEDIATE``) and wait up to ``busy_timeout_s``.
``PRAGMA data_version`` tells a reader cheaply that another connection committed, and
the change log says what changed. ``synchronous=FULL`` makes every returned add
durable even if the process is killed right after.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import IndexStoreError
from .store import APPLICATION, RECORD_COLUMNS, SCHEMA_VERSION, UPDATABLE_COLUMNS, Change, FrameRow, Thumbnail

__all__ = ["SQLiteStore"]

logger = logging.getLogger(__name__)

_HEADER = b"SQLite format 3\x00"

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE footage (
    footage_id      TEXT PRIMARY KEY,
    title           TEXT,
    source_url      TEXT,
    published_at    TEXT NOT NULL,
    filmed_at_start TEXT,
    filmed_at_end   TEXT,
    lat             REAL,
    lon             REAL,
    radius_km       REAL,
    notes           TEXT,
    content_sha256  TEXT UNIQUE,
    hasher          TEXT NOT NULL,
    n_frames        INTEGER NOT NULL,
    duration_s      REAL,
    added_at        TEXT NOT NULL,
    nbytes          INTEGER NOT NULL,
    times           BLOB NOT NULL,
    hashes          BLOB NOT NULL
);
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    op         TEXT NOT NULL,
    footage_id TEXT NOT NULL
);
"""


def _migrate_1_to_2(con: sqlite3.Connection) -> None:
    """v2: index first-seen times (stats, time-range queries)."""
    con.execute("CREATE INDEX IF NOT EXISTS footage_published_at ON footage (published_at)")


def _migrate_2_to_3(con: sqlite3.Connection) -> None:
    """v3: small JPEG thumbnails per footage item (existing items simply have none)."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS thumbnails ("
        " footage_id TEXT NOT NULL REFERENCES footage (footage_id) ON DELETE CASCADE,"
        " time_s REAL NOT NULL,"
        " jpeg BLOB NOT NULL,"
        " PRIMARY KEY (footage_id, time_s))"
    )


#: Migrations: version -> function bringing a store at that version to version + 1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2, 2: _migrate_2_to_3}


def _sqlite_error(exc: sqlite3.Error, path: str, action: str) -> IndexStoreError:
    return IndexStoreError(f"SQLite index {action} failed: {exc}", path=path)


class SQLiteStore:
    """:class:`~provenance.index.store.FootageStore` over one SQLite file.

    Parameters
    ----------
    path : str or PathLike
        The index file; created (with its folder) if absent.
    busy_timeout_s : float
        How long a write waits for another writer [s].

    Raises
    ------
    IndexStoreError
        The file is not a SQLite database, is damaged, belongs to another application,
        or was written by a newer provenance.
    """

    backend = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_s: float = 60.0) -> None:
        p = Path(path).expanduser()
        self.location = str(p)
        self._lock = threading.RLock()
        self._con: sqlite3.Connection | None = None
        if p.exists() and not p.is_file():
            raise IndexStoreError(f"index location {self.location!r} exists but is not a file", path=self.location)
        fresh = not p.exists() or p.stat().st_size == 0
        if not fresh:
            self._check_existing(p)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = sqlite3.connect(self.location, timeout=busy_timeout_s, isolation_level=None,
                                  check_same_thread=False)
        except sqlite3.Error as exc:
            raise _sqlite_error(exc, self.location, "open") from exc
        self._con = con
        try:
            con.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = FULL")
            con.execute("PRAGMA foreign_keys = ON")
            self._ensure_schema(fresh)
        except sqlite3.Error as exc:
            self.close()
            raise _sqlite_error(exc, self.location, "open") from exc
        except IndexStoreError:
            self.close()
            raise
        self._data_version = self._read_data_version()

    # ------------------------------------------------------------------ opening
    def _check_existing(self, p: Path) -> None:
        """Refuse foreign or damaged files without writing to them."""
        try:
            with open(p, "rb") as fh:
                head = fh.read(100)
        except OSError as exc:
            raise IndexStoreError(f"cannot read index file: {exc}", path=self.location) from exc
        if not head.startswith(_HEADER):
            raise IndexStoreError(
                "not a provenance index: the file is not a SQLite database "
                "(give a new path to create an index, or the path of an existing one)",
                path=self.location,
            )
        # immutable: no locks, no -wal/-shm files created beside somebody else's file. But a
        # WAL left by a killed writer holds committed pages (and a checkpoint may have been cut
        # short), so then read through it: read-only, never checkpointing.
        wal = Path(f"{p}-wal")
        mode = "?mode=ro" if wal.exists() and wal.stat().st_size > 0 else "?mode=ro&immutable=1"
        uri = p.resolve().as_uri() + mode
        try:
            ro = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            raise _sqlite_error(exc, self.location, "open") from exc
        try:
            tables = {r[0] for r in ro.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return  # an empty database: ours to initialise
            if "meta" not in tables or "footage" not in tables:
                raise IndexStoreError(
                    f"not a provenance index: a SQLite database with tables {sorted(tables)[:8]} "
                    "and no provenance schema; refusing to touch it",
                    path=self.location,
                )
            app = ro.execute("SELECT value FROM meta WHERE key='application'").fetchone()
            if app is None or app[0] != APPLICATION:
                raise IndexStoreError(
                    "not a provenance index: its meta table does not name "
                    f"{APPLICATION!r} (got {None if app is None else app[0]!r}); refusing to touch it",
                    path=self.location,
                )
            ver = ro.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(ver[0]) if ver is not None and str(ver[0]).isdigit() else -1
            if version > SCHEMA_VERSION:
                raise IndexStoreError(
                    f"index schema version {version} is newer than this provenance supports "
                    f"({SCHEMA_VERSION}); upgrade provenance", path=self.location,
                )
            if version < 1:
                raise IndexStoreError(f"index has an unreadable schema version ({ver!r})", path=self.location)
        except sqlite3.DatabaseError as exc:
            raise IndexStoreError(
                f"the index file is damaged or not a SQLite database ({exc}); it was not modified",
                path=self.location,
            ) from exc
        finally:
            ro.close()

    def _ensure_schema(self, fresh: bool) -> None:
        con = self._db()
        con.execute("BEGIN IMMEDIATE")
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "meta" not in tables:
                if tables - {"sqlite_sequence"}:
                    raise IndexStoreError(
                        f"not a provenance index: a SQLite database with tables {sorted(tables)[:8]}; "
                        "refusing to touch it", path=self.location)
                for stmt in _SCHEMA_V1.split(";"):
                    if stmt.strip():
                        con.execute(stmt)
                con.execute("INSERT INTO meta VALUES ('application', ?)", (APPLICATION,))
                con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
            version = int(con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
            while version < SCHEMA_VERSION:
                logger.info("migrating index %s from schema %d to %d", self.location, version, version + 1)
                MIGRATIONS[version](con)
                version += 1
                con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ helpers
    def _db(self) -> sqlite3.Connection:
        if self._con is None:
            raise IndexStoreError("the index is closed", path=self.location)
        return self._con

    def _read_data_version(self) -> int:
        return int(self._db().execute("PRAGMA data_version").fetchone()[0])

    def _write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        with self._lock:
            con = self._db()
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _sqlite_error(exc, self.location, "write") from exc
            try:
                out = fn(con)
                con.execute("COMMIT")
                return out
            except sqlite3.IntegrityError as exc:
                con.execute("ROLLBACK")
                raise IndexStoreError(f"conflicting write: {exc}", path=self.location) from exc
            except sqlite3.Error as exc:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise _sqlite_error(exc, self.location, "write") from exc
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db().execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _sqlite_error(exc, self.location, "read") from exc

    # ------------------------------------------------------------------ protocol
    def get_meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def schema_version(self) -> int:
        return int(self.get_meta("schema_version") or 0)

    def insert(self, record: dict[str, Any], frames: FrameRow, *, meta: dict[str, str] | None = None,
               thumbnails: Sequence[Thumbnail] = ()) -> None:
        cols = list(RECORD_COLUMNS) + ["nbytes", "times", "hashes"]
        values = [record[c] for c in RECORD_COLUMNS] + [frames.nbytes, frames.times, frames.hashes]
        fid = record["footage_id"]
        thumbs = [(fid, float(t), bytes(j)) for t, j in thumbnails]

        def tx(con: sqlite3.Connection) -> None:
            for k, v in (meta or {}).items():
                con.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (k, v))
            con.execute(f"INSERT INTO footage ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values)
            if thumbs:
                con.executemany("INSERT INTO thumbnails (footage_id, time_s, jpeg) VALUES (?, ?, ?)", thumbs)
            con.execute("INSERT INTO changes (op, footage_id) VALUES ('add', ?)", (fid,))

        self._write(tx)

    def delete(self, footage_id: str) -> bool:
        def tx(con: sqlite3.Connection) -> bool:
            con.execute("DELETE FROM thumbnails WHERE footage_id=?", (footage_id,))
            n = con.execute("DELETE FROM footage WHERE footage_id=?", (footage_id,)).rowcount
            if n:
                con.execute("INSERT INTO changes (op, footage_id) VALUES ('remove', ?)", (footage_id,))
            return bool(n)

        return bool(self._write(tx))

    def update(self, footage_id: str, fields: dict[str, Any]) -> bool:
        bad = set(fields) - UPDATABLE_COLUMNS
        if bad:
            raise IndexStoreError(f"cannot update columns {sorted(bad)}")
        if not fields:
            return self.get(footage_id) is not None
        sets = ", ".join(f"{k}=?" for k in fields)

        def tx(con: sqlite3.Connection) -> bool:
            n = con.execute(f"UPDATE footage SET {sets} WHERE footage_id=?", (*fields.values(), footage_id)).rowcount
            if n:
                con.execute("INSERT INTO changes (op, footage_id) VALUES ('update', ?)", (footage_id,))
            return bool(n)

        return bool(self._write(tx))

    def get(self, footage_id: str) -> dict[str, Any] | None:
        rows = self._read(f"SELECT {', '.join(RECORD_COLUMNS)} FROM footage WHERE footage_id=?", (footage_id,))
        return dict(zip(RECORD_COLUMNS, rows[0])) if rows else None

    def find_sha(self, content_sha256: str) -> str | None:
        rows = self._read("SELECT footage_id FROM footage WHERE content_sha256=?", (content_sha256,))
        return rows[0][0] if rows else None

    def thumbnail(self, footage_id: str, time_s: float) -> Thumbnail | None:
        rows = self._read("SELECT time_s, jpeg FROM thumbnails WHERE footage_id=? "
                          "ORDER BY abs(time_s - ?), time_s LIMIT 1", (footage_id, float(time_s)))
        return (float(rows[0][0]), bytes(rows[0][1])) if rows else None

    def thumbnail_count(self, footage_id: str | None = None) -> int:
        if footage_id is None:
            return int(self._read("SELECT count(*) FROM thumbnails")[0][0])
        return int(self._read("SELECT count(*) FROM thumbnails WHERE footage_id=?", (footage_id,))[0][0])

    def count(self) -> tuple[int, int]:
        n, f = self._read("SELECT count(*), coalesce(sum(n_frames), 0) FROM footage")[0]
        return int(n), int(f)

    def records(self) -> Iterator[dict[str, Any]]:
        rows = self._read(f"SELECT {', '.join(RECORD_COLUMNS)} FROM footage ORDER BY footage_id")
        for row in rows:
            yield dict(zip(RECORD_COLUMNS, row))

    def frames(self, footage_ids: list[str] | None = None) -> tuple[int, list[FrameRow]]:
        with self._lock:
            con = self._db()
            try:
                con.execute("BEGIN")  # one snapshot for the log position and the rows
                try:
                    seq = int(con.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0])
                    out: list[FrameRow] = []
                    if footage_ids is None:
                        cur = con.execute("SELECT footage_id, nbytes, times, hashes FROM footage")
                        out = [FrameRow(r[0], int(r[1]), r[2], r[3]) for r in cur]
                    else:
                        for i in range(0, len(footage_ids), 500):
                            chunk = footage_ids[i:i + 500]
                            cur = con.execute(
                                "SELECT footage_id, nbytes, times, hashes FROM footage WHERE footage_id IN "
                                f"({', '.join('?' * len(chunk))})", chunk)
                            out.extend(FrameRow(r[0], int(r[1]), r[2], r[3]) for r in cur)
                finally:
                    con.execute("COMMIT")
                return seq, out
            except sqlite3.Error as exc:
                raise _sqlite_error(exc, self.location, "read") from exc

    def changes_since(self, seq: int) -> list[Change]:
        rows = self._read("SELECT seq, op, footage_id FROM changes WHERE seq > ? ORDER BY seq", (int(seq),))
        return [Change(int(r[0]), r[1], r[2]) for r in rows]

    def changed(self) -> bool:
        with self._lock:
            v = self._read_data_version()
            if v != self._data_version:
                self._data_version = v
                return True
            return False

    def disk_bytes(self) -> int | None:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                total += os.path.getsize(self.location + suffix)
            except OSError:
                pass
        return total

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                try:
                    self._con.close()
                finally:
                    self._con = None
