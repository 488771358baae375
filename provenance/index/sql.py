"""One SQL store for every database: the schema, its migrations and every query, written once.

:class:`SQLStore` implements :class:`~provenance.index.store.FootageStore` over a DB-API
connection; what differs between SQLite and PostgreSQL (placeholders, column types, the
table prefix, locking, read snapshots, schema introspection, the checks on open) is in a
small :class:`~provenance.index.dialects.Dialect`. SQL here is written with ``?``
placeholders and ``{p}`` before table names, ``{real}``, ``{blob}`` and ``{serial}`` for
the types; :meth:`SQLStore.q` fills them in for the dialect.

A store opened read-only on an older schema (v1-v4) is read as it is, never migrated:
records get ``published_precision="instant"``, frame rows are split by their legacy time
tag, v1/v2 files simply have no thumbnails and v1-v4 files no local features.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import CorruptIndexError, DuplicateFootageError, IndexStoreError, ReadOnlyIndexError
from .dialects import Dialect, PostgresDialect, SQLiteDialect
from .store import (
    APPLICATION,
    LEGACY_VARIANT_TAGS,
    LEGACY_VARIANT_TIME_STEP_S,
    RECORD_COLUMNS,
    SCHEMA_VERSION,
    UPDATABLE_COLUMNS,
    Change,
    FeatureRow,
    FrameRow,
    Thumbnail,
)

__all__ = ["MIGRATIONS", "SCHEMA_V1", "SCHEMA_V4", "SCHEMA_V5", "SQLStore", "open_store", "split_legacy_frames"]

logger = logging.getLogger(__name__)

#: The first schema (kept so migrations can be tested from it).
SCHEMA_V1 = (
    "CREATE TABLE {p}meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE {p}footage (
        footage_id TEXT PRIMARY KEY, title TEXT, source_url TEXT, published_at TEXT NOT NULL,
        filmed_at_start TEXT, filmed_at_end TEXT, lat {real}, lon {real}, radius_km {real}, notes TEXT,
        content_sha256 TEXT UNIQUE, hasher TEXT NOT NULL, n_frames INTEGER NOT NULL, duration_s {real},
        added_at TEXT NOT NULL, nbytes INTEGER NOT NULL, times {blob} NOT NULL, hashes {blob} NOT NULL)""",
    "CREATE TABLE {p}changes (seq {serial}, op TEXT NOT NULL, footage_id TEXT NOT NULL)",
)

_THUMBNAILS = ("CREATE TABLE IF NOT EXISTS {p}thumbnails ("
               " footage_id TEXT NOT NULL REFERENCES {p}footage (footage_id) ON DELETE CASCADE,"
               " time_s {real} NOT NULL, jpeg {blob} NOT NULL, PRIMARY KEY (footage_id, time_s))")
_FRAMES = ("CREATE TABLE {p}frames ("
           " footage_id TEXT NOT NULL REFERENCES {p}footage (footage_id) ON DELETE CASCADE,"
           " variant TEXT NOT NULL, nbytes INTEGER NOT NULL, times {blob} NOT NULL, hashes {blob} NOT NULL,"
           " PRIMARY KEY (footage_id, variant))")
_FEATURES = ("CREATE TABLE IF NOT EXISTS {p}features ("
             " footage_id TEXT NOT NULL REFERENCES {p}footage (footage_id) ON DELETE CASCADE,"
             " time_s {real} NOT NULL, data {blob} NOT NULL, PRIMARY KEY (footage_id, time_s))")
_PUBLISHED_INDEX = "CREATE INDEX IF NOT EXISTS {p}footage_published_at ON {p}footage (published_at)"

#: Schema v4 (kept so migrations can be tested from it).
SCHEMA_V4 = (
    "CREATE TABLE {p}meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE {p}footage (
        footage_id TEXT PRIMARY KEY, title TEXT, source_url TEXT, published_at TEXT NOT NULL,
        published_precision TEXT NOT NULL DEFAULT 'instant',
        filmed_at_start TEXT, filmed_at_end TEXT, lat {real}, lon {real}, radius_km {real}, notes TEXT,
        content_sha256 TEXT UNIQUE, hasher TEXT NOT NULL, n_frames INTEGER NOT NULL, duration_s {real},
        added_at TEXT NOT NULL)""",
    _FRAMES,
    _THUMBNAILS,
    "CREATE TABLE {p}changes (seq {serial}, op TEXT NOT NULL, footage_id TEXT NOT NULL)",
    _PUBLISHED_INDEX,
)
#: The current schema, created in one step for a new index.
SCHEMA_V5 = (*SCHEMA_V4, _FEATURES)


def split_legacy_frames(footage_id: str, nbytes: int, times: bytes, hashes: bytes,
                        rowid: int | None = None) -> list[FrameRow]:
    """Split a v1-v3 frame row (variants tagged into the time as ``t + k * 1e7`` s) by variant.

    Raises
    ------
    CorruptIndexError
        The row's sizes disagree, or a tag is unknown; names the row.
    """
    t = np.frombuffer(times, dtype="<f8") if len(times) % 8 == 0 else None
    if t is None or nbytes <= 0 or len(hashes) != t.shape[0] * nbytes:
        raise CorruptIndexError(
            f"stored frames of {footage_id!r} (row {rowid}) are inconsistent ({len(hashes)} hash bytes, "
            f"{len(times)} time bytes, {nbytes} bytes per hash); the index is damaged",
            footage_id=footage_id, line=rowid)
    h = np.frombuffer(hashes, dtype=np.uint8).reshape(t.shape[0], nbytes)
    k = np.floor(t / LEGACY_VARIANT_TIME_STEP_S + 1e-12).astype(np.int64) if t.size else np.zeros(0, np.int64)
    bad = set(np.unique(k).tolist()) - set(LEGACY_VARIANT_TAGS)
    if bad or (t.size and not np.isfinite(t).all()):
        raise CorruptIndexError(f"stored frames of {footage_id!r} (row {rowid}) carry unknown variant tags "
                                f"{sorted(bad)}; the index is damaged", footage_id=footage_id, line=rowid)
    out = []
    for tag in sorted(set(k.tolist()) | {0}):
        sel = k == tag
        tt = (t[sel] - tag * LEGACY_VARIANT_TIME_STEP_S).astype("<f8")
        out.append(FrameRow(footage_id, nbytes, tt.tobytes(), np.ascontiguousarray(h[sel]).tobytes(),
                            LEGACY_VARIANT_TAGS[tag], rowid))
    return out


# --------------------------------------------------------------------------- migrations
def _migrate_1_to_2(store: SQLStore, cur: Any) -> None:
    """v2: index first-seen times (stats, time-range queries)."""
    cur.execute(store.q(_PUBLISHED_INDEX))


def _migrate_2_to_3(store: SQLStore, cur: Any) -> None:
    """v3: small JPEG thumbnails per footage item (existing items simply have none)."""
    cur.execute(store.q(_THUMBNAILS))


def _migrate_3_to_4(store: SQLStore, cur: Any) -> None:
    """v4: a ``frames`` table with a real variant column; ``published_precision``; the hasher in meta."""
    q = store.q
    cur.execute(q("ALTER TABLE {p}footage ADD COLUMN published_precision TEXT NOT NULL DEFAULT 'instant'"))
    cur.execute(q(_FRAMES))
    cur.execute(q("SELECT footage_id FROM {p}footage ORDER BY footage_id"))
    ids = [str(r[0]) for r in cur.fetchall()]
    for i in range(0, len(ids), 200):  # bounded memory on large indexes
        chunk = ids[i:i + 200]
        cur.execute(q(f"SELECT footage_id, nbytes, times, hashes, {store.dialect.rowid} FROM {{p}}footage "
                      f"WHERE footage_id IN ({', '.join('?' * len(chunk))})"), chunk)
        rows = [split_legacy_frames(str(r[0]), int(r[1]), bytes(r[2]), bytes(r[3]), r[4]) for r in cur.fetchall()]
        cur.executemany(q("INSERT INTO {p}frames (footage_id, variant, nbytes, times, hashes) VALUES (?, ?, ?, ?, ?)"),
                        [(f.footage_id, f.variant, f.nbytes, f.times, f.hashes) for fr in rows for f in fr])
    for col in ("times", "hashes", "nbytes"):
        cur.execute(q(f"ALTER TABLE {{p}}footage DROP COLUMN {col}"))
    cur.execute(q("SELECT hasher FROM {p}footage LIMIT 1"))
    first = cur.fetchone()
    if first is not None:  # an index that holds footage had its hasher set by the first add
        cur.execute(q(store.insert_ignore("meta", 2)), ("hasher", str(first[0])))


def _migrate_4_to_5(store: SQLStore, cur: Any) -> None:
    """v5: local features of stored frames (existing items simply have none)."""
    cur.execute(store.q(_FEATURES))


#: Migrations: version -> function bringing a store at that version to version + 1, in the
#: caller's write transaction (all of them or none are applied).
MIGRATIONS: dict[int, Callable[[SQLStore, Any], None]] = {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4,
                                                          4: _migrate_4_to_5}


class SQLStore:
    """:class:`~provenance.index.store.FootageStore` over one SQL database.

    Parameters
    ----------
    dialect : Dialect
        Where the database is and how to talk to it (opened here).
    create_meta : dict of str, optional
        Metadata written when the store is created (e.g. the hasher, set by the creator).

    Raises
    ------
    IndexNotFoundError
        No index at the location and the dialect's mode does not create one.
    CorruptIndexError
        Damaged, foreign or newer than this provenance; left untouched.
    """

    def __init__(self, dialect: Dialect, *, create_meta: dict[str, str] | None = None) -> None:
        self.dialect = dialect
        self.location = dialect.location
        self.backend = dialect.backend
        self.read_only = dialect.read_only
        self._lock = threading.RLock()
        self._last_seq: int | None = None
        self._con: Any = dialect.connect()
        try:
            self._version = self._ensure_schema(create_meta or {})
        except BaseException:
            self.close()
            raise
        self.changed()

    # ------------------------------------------------------------------ SQL text
    def q(self, sql: str) -> str:
        """SQL with the dialect's table prefix, types and placeholders."""
        return _render(sql, self.dialect.prefix, self.dialect.real, self.dialect.blob, self.dialect.serial,
                       self.dialect.param)

    def insert_ignore(self, table: str, ncols: int) -> str:
        """``INSERT`` that leaves an existing key alone (both databases accept ON CONFLICT DO NOTHING)."""
        return f"INSERT INTO {{p}}{table} VALUES ({', '.join('?' * ncols)}) ON CONFLICT DO NOTHING"

    # ------------------------------------------------------------------ schema
    def _ensure_schema(self, create_meta: dict[str, str]) -> int:
        d = self.dialect
        try:
            if d.read_only:
                with d.transaction(self._con) as cur:
                    return self._check_version(cur, d.tables(cur))
            with d.transaction(self._con, write=True) as cur:
                d.init_lock(cur)
                tables = d.tables(cur)
                if "meta" not in tables:
                    if tables:
                        raise CorruptIndexError(f"not a provenance index: tables {sorted(tables)[:8]} without "
                                                "provenance metadata; refusing to touch it", path=self.location)
                    for stmt in SCHEMA_V5:
                        cur.execute(self.q(stmt))
                    meta = {"application": APPLICATION, "schema_version": str(SCHEMA_VERSION), **create_meta}
                    cur.executemany(self.q("INSERT INTO {p}meta VALUES (?, ?)"), list(meta.items()))
                    d.stamp(cur)
                    return SCHEMA_VERSION
                version = self._check_version(cur, tables)
                if version < SCHEMA_VERSION:
                    while version < SCHEMA_VERSION:
                        logger.info("migrating index %s from schema %d to %d", self.location, version, version + 1)
                        MIGRATIONS[version](self, cur)
                        version += 1
                        cur.execute(self.q("UPDATE {p}meta SET value=? WHERE key='schema_version'"), (str(version),))
                    for k, v in create_meta.items():
                        cur.execute(self.q(self.insert_ignore("meta", 2)), (k, v))
                    d.stamp(cur)
                return version
        except IndexStoreError:
            raise
        except Exception as exc:
            if d.is_db_error(exc):
                raise d.translate(exc, "open") from exc
            raise

    def _check_version(self, cur: Any, tables: set[str]) -> int:
        cur.execute(self.q("SELECT key, value FROM {p}meta WHERE key IN ('application', 'schema_version')"))
        meta = {str(k): str(v) for k, v in cur.fetchall()}
        if meta.get("application") != APPLICATION:
            raise CorruptIndexError(f"not a provenance index (application {meta.get('application')!r})",
                                    path=self.location)
        text = meta.get("schema_version", "")
        if not text.isdigit() or int(text) < 1:
            raise CorruptIndexError(f"index has an unreadable schema version ({text!r})", path=self.location)
        version = int(text)
        if version > SCHEMA_VERSION:
            raise CorruptIndexError(f"index schema version {version} is newer than this provenance supports "
                                    f"({SCHEMA_VERSION}); upgrade provenance", path=self.location)
        return version

    # ------------------------------------------------------------------ helpers
    def _db(self) -> Any:
        if self._con is None:
            raise IndexStoreError("the index is closed", path=self.location)
        return self._con

    def _write(self, fn: Callable[[Any], Any]) -> Any:
        if self.read_only:
            raise ReadOnlyIndexError("the index is open read-only (mode='r'); open it with mode='rw' to change it",
                                     path=self.location)
        d = self.dialect
        with self._lock:
            try:
                with d.transaction(self._db(), write=True) as cur:
                    return fn(cur)
            except IndexStoreError:
                raise
            except Exception as exc:
                if d.is_db_error(exc):
                    raise d.translate(exc, "write") from exc
                raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        d = self.dialect
        with self._lock:
            try:
                with d.transaction(self._db()) as cur:
                    cur.execute(self.q(sql), tuple(params))
                    return list(cur.fetchall())
            except Exception as exc:
                if d.is_db_error(exc):
                    raise d.translate(exc, "read") from exc
                raise

    def _record_select(self) -> str:
        cols = [c if c != "published_precision" or self._version >= 4 else "'instant'" for c in RECORD_COLUMNS]
        return f"SELECT {', '.join(cols)}, {self.dialect.rowid} FROM {{p}}footage"

    @staticmethod
    def _record(row: Sequence[Any]) -> dict[str, Any]:
        out = dict(zip(RECORD_COLUMNS, row))
        out["rowid"] = row[len(RECORD_COLUMNS)]
        return out

    # ------------------------------------------------------------------ protocol
    def get_meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM {p}meta WHERE key=?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self._write(lambda cur: cur.execute(self.q(self.insert_ignore("meta", 2)), (key, value)))

    def schema_version(self) -> int:
        return self._version

    def insert(self, record: dict[str, Any], frames: Sequence[FrameRow], *, meta: dict[str, str] | None = None,
               thumbnails: Sequence[Thumbnail] = (), features: Sequence[FeatureRow] = ()) -> None:
        cols = list(RECORD_COLUMNS)
        values = [record.get(c, "instant" if c == "published_precision" else None) for c in cols]
        fid = record["footage_id"]
        thumbs = [(fid, float(t), bytes(j)) for t, j in thumbnails]
        feats = [(fid, float(t), bytes(d)) for t, d in features]
        rows = [(fid, f.variant, int(f.nbytes), f.times, f.hashes) for f in frames]
        if feats and self._version < 5:
            raise IndexStoreError("this index (schema < 5) cannot store local features", path=self.location)

        def tx(cur: Any) -> None:
            for k, v in (meta or {}).items():
                cur.execute(self.q(self.insert_ignore("meta", 2)), (k, v))
            cur.execute(self.q(f"INSERT INTO {{p}}footage ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"),
                        values)
            if rows:
                cur.executemany(self.q("INSERT INTO {p}frames (footage_id, variant, nbytes, times, hashes) "
                                       "VALUES (?, ?, ?, ?, ?)"), rows)
            if thumbs:
                cur.executemany(self.q("INSERT INTO {p}thumbnails (footage_id, time_s, jpeg) VALUES (?, ?, ?)"), thumbs)
            if feats:
                cur.executemany(self.q("INSERT INTO {p}features (footage_id, time_s, data) VALUES (?, ?, ?)"), feats)
            cur.execute(self.q("INSERT INTO {p}changes (op, footage_id) VALUES ('add', ?)"), (fid,))

        try:
            self._write(tx)
        except DuplicateFootageError as exc:
            raise DuplicateFootageError(str(exc), path=self.location, footage_id=fid) from exc

    def delete(self, footage_id: str) -> bool:
        def tx(cur: Any) -> bool:
            cur.execute(self.q("DELETE FROM {p}thumbnails WHERE footage_id=?"), (footage_id,))
            if self._version >= 5:
                cur.execute(self.q("DELETE FROM {p}features WHERE footage_id=?"), (footage_id,))
            cur.execute(self.q("DELETE FROM {p}frames WHERE footage_id=?"), (footage_id,))
            cur.execute(self.q("DELETE FROM {p}footage WHERE footage_id=?"), (footage_id,))
            n = cur.rowcount
            if n:
                cur.execute(self.q("INSERT INTO {p}changes (op, footage_id) VALUES ('remove', ?)"), (footage_id,))
            return bool(n)

        return bool(self._write(tx))

    def update(self, footage_id: str, fields: dict[str, Any]) -> bool:
        bad = set(fields) - UPDATABLE_COLUMNS
        if bad:
            raise IndexStoreError(f"cannot update columns {sorted(bad)}", path=self.location)
        if not fields:
            return self.get(footage_id) is not None
        sets = ", ".join(f"{k}=?" for k in fields)

        def tx(cur: Any) -> bool:
            cur.execute(self.q(f"UPDATE {{p}}footage SET {sets} WHERE footage_id=?"), (*fields.values(), footage_id))
            n = cur.rowcount
            if n:
                cur.execute(self.q("INSERT INTO {p}changes (op, footage_id) VALUES ('update', ?)"), (footage_id,))
            return bool(n)

        return bool(self._write(tx))

    def get(self, footage_id: str) -> dict[str, Any] | None:
        rows = self._read(self._record_select() + " WHERE footage_id=?", (footage_id,))
        return self._record(rows[0]) if rows else None

    def find_sha(self, content_sha256: str) -> str | None:
        rows = self._read("SELECT footage_id FROM {p}footage WHERE content_sha256=?", (content_sha256,))
        return str(rows[0][0]) if rows else None

    def thumbnail(self, footage_id: str, time_s: float) -> Thumbnail | None:
        if self._version < 3:
            return None
        rows = self._read("SELECT time_s, jpeg FROM {p}thumbnails WHERE footage_id=? "
                          "ORDER BY abs(time_s - ?), time_s LIMIT 1", (footage_id, float(time_s)))
        return (float(rows[0][0]), bytes(rows[0][1])) if rows else None

    def thumbnails(self, footage_id: str) -> list[Thumbnail]:
        if self._version < 3:
            return []
        rows = self._read("SELECT time_s, jpeg FROM {p}thumbnails WHERE footage_id=? ORDER BY time_s", (footage_id,))
        return [(float(t), bytes(j)) for t, j in rows]

    def thumbnail_count(self, footage_id: str | None = None) -> int:
        if self._version < 3:
            return 0
        if footage_id is None:
            return int(self._read("SELECT count(*) FROM {p}thumbnails")[0][0])
        return int(self._read("SELECT count(*) FROM {p}thumbnails WHERE footage_id=?", (footage_id,))[0][0])

    def features(self, footage_id: str) -> list[FeatureRow]:
        if self._version < 5:
            return []
        rows = self._read("SELECT time_s, data FROM {p}features WHERE footage_id=? ORDER BY time_s", (footage_id,))
        out: list[FeatureRow] = []
        for t, data in rows:
            if not isinstance(data, (bytes, bytearray, memoryview)) or not isinstance(t, (int, float)):
                raise CorruptIndexError(f"stored local features of {footage_id!r} do not decode; the index is damaged",
                                        path=self.location, footage_id=footage_id)
            out.append((float(t), bytes(data)))
        return out

    def feature_count(self) -> int:
        if self._version < 5:
            return 0
        return int(self._read("SELECT count(*) FROM {p}features")[0][0])

    def count(self) -> tuple[int, int]:
        n, f = self._read("SELECT count(*), coalesce(sum(n_frames), 0) FROM {p}footage")[0]
        return int(n), int(f)

    def records(self) -> Iterator[dict[str, Any]]:
        rows = self._read(self._record_select() + f" ORDER BY footage_id{self.dialect.text_order}")
        for row in rows:
            yield self._record(row)

    def frames(self, footage_ids: list[str] | None = None) -> tuple[int, list[FrameRow]]:
        d = self.dialect
        legacy = self._version < 4
        sql = (f"SELECT footage_id, nbytes, times, hashes, {d.rowid} FROM {{p}}footage" if legacy else
               f"SELECT footage_id, nbytes, times, hashes, {d.rowid}, variant FROM {{p}}frames")
        with self._lock:
            try:
                with d.transaction(self._db(), snapshot=True) as cur:  # one snapshot: log position and rows
                    cur.execute(self.q("SELECT coalesce(max(seq), 0) FROM {p}changes"))
                    seq = int(cur.fetchone()[0])
                    raw: list[tuple[Any, ...]] = []
                    if footage_ids is None:
                        cur.execute(self.q(sql))
                        raw = list(cur.fetchall())
                    else:
                        for i in range(0, len(footage_ids), 500):
                            chunk = footage_ids[i:i + 500]
                            cur.execute(self.q(f"{sql} WHERE footage_id IN ({', '.join('?' * len(chunk))})"), chunk)
                            raw.extend(cur.fetchall())
            except Exception as exc:
                if d.is_db_error(exc):
                    raise d.translate(exc, "read") from exc
                raise
        out: list[FrameRow] = []
        for r in raw:
            fid, nbytes, rowid = str(r[0]), r[1], r[4]
            if (isinstance(nbytes, bool) or not isinstance(nbytes, int) or r[0] is None
                    or not all(isinstance(v, (bytes, bytearray, memoryview)) for v in r[2:4])):
                raise CorruptIndexError(f"stored frames of {fid!r} (row {rowid}) do not decode (hash size {nbytes!r}, "
                                        f"times {type(r[2]).__name__}, hashes {type(r[3]).__name__}); the index is "
                                        "damaged", path=self.location, footage_id=fid, line=rowid)
            times, hashes = bytes(r[2]), bytes(r[3])
            if legacy:
                out.extend(split_legacy_frames(fid, nbytes, times, hashes, rowid))
            else:
                out.append(FrameRow(fid, nbytes, times, hashes, str(r[5]), rowid))
        return seq, out

    def changes_since(self, seq: int) -> list[Change]:
        rows = self._read("SELECT seq, op, footage_id FROM {p}changes WHERE seq > ? ORDER BY seq", (int(seq),))
        return [Change(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def changed(self) -> bool:
        with self._lock:
            try:
                fast = self.dialect.changed(self._db())
            except Exception as exc:
                if self.dialect.is_db_error(exc):
                    raise self.dialect.translate(exc, "read") from exc
                raise
            if fast is not None:
                return fast
            seq = int(self._read("SELECT coalesce(max(seq), 0) FROM {p}changes")[0][0])
            if seq != self._last_seq:
                self._last_seq = seq
                return True
            return False

    def disk_bytes(self) -> int | None:
        with self._lock:
            return self.dialect.disk_bytes(self._db())

    def close(self) -> None:
        with self._lock:
            con, self._con = self._con, None
            if con is not None:
                con.close()


@lru_cache(maxsize=512)
def _render(sql: str, prefix: str, real: str, blob: str, serial: str, param: str) -> str:
    text = sql.format(p=prefix, real=real, blob=blob, serial=serial)
    return text.replace("?", param) if param != "?" else text


def open_store(location: str | os.PathLike[str], *, mode: str = "rw", allow_damaged: bool = False,
               create_meta: dict[str, str] | None = None) -> SQLStore:
    """The store at a file path (SQLite) or a ``postgresql://`` URL.

    Raises
    ------
    InvalidArgumentError
        Another URL scheme.
    """
    from ..errors import InvalidArgumentError

    loc = os.fspath(location)
    if isinstance(loc, bytes):
        raise InvalidArgumentError("index location must be a str path or URL (got bytes)")
    dialect: Dialect
    if loc.startswith(("postgresql://", "postgres://")):
        if allow_damaged:
            raise InvalidArgumentError("allow_damaged applies to SQLite files only")
        dialect = PostgresDialect(loc, mode=mode)
    elif "://" in loc:
        raise InvalidArgumentError(f"index location must be a file path or a 'postgresql://' URL (got {loc!r})")
    else:
        dialect = SQLiteDialect(loc, mode=mode, allow_damaged=allow_damaged)
    return SQLStore(dialect, create_meta=create_meta)
