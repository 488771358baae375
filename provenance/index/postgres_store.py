"""PostgreSQL backend of the footage index (psycopg 3; ``pip install provenance[postgres]``).

Same protocol and results as the SQLite backend, for a team sharing one server. Tables
are prefixed ``provenance_`` and created in the connection's ``search_path`` (choose a
schema with ``?options=-csearch_path%3Dmyschema`` in the URL). Writers serialise on the
change log (``LOCK TABLE ... IN EXCLUSIVE MODE``), so its sequence numbers are in commit
order and readers never miss a change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import IndexStoreError, MissingExtraError
from .store import APPLICATION, RECORD_COLUMNS, SCHEMA_VERSION, UPDATABLE_COLUMNS, Change, FrameRow, Thumbnail

__all__ = ["PostgresStore"]

logger = logging.getLogger(__name__)

_SCHEMA_V1 = [
    "CREATE TABLE provenance_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE provenance_footage (
        footage_id      TEXT PRIMARY KEY,
        title           TEXT,
        source_url      TEXT,
        published_at    TEXT NOT NULL,
        filmed_at_start TEXT,
        filmed_at_end   TEXT,
        lat             DOUBLE PRECISION,
        lon             DOUBLE PRECISION,
        radius_km       DOUBLE PRECISION,
        notes           TEXT,
        content_sha256  TEXT UNIQUE,
        hasher          TEXT NOT NULL,
        n_frames        INTEGER NOT NULL,
        duration_s      DOUBLE PRECISION,
        added_at        TEXT NOT NULL,
        nbytes          INTEGER NOT NULL,
        times           BYTEA NOT NULL,
        hashes          BYTEA NOT NULL
    )""",
    "CREATE TABLE provenance_changes (seq BIGSERIAL PRIMARY KEY, op TEXT NOT NULL, footage_id TEXT NOT NULL)",
]


def _migrate_1_to_2(cur: Any) -> None:
    cur.execute("CREATE INDEX IF NOT EXISTS provenance_footage_published_at ON provenance_footage (published_at)")


def _migrate_2_to_3(cur: Any) -> None:
    """v3: small JPEG thumbnails per footage item (existing items simply have none)."""
    cur.execute(
        "CREATE TABLE IF NOT EXISTS provenance_thumbnails ("
        " footage_id TEXT NOT NULL REFERENCES provenance_footage (footage_id) ON DELETE CASCADE,"
        " time_s DOUBLE PRECISION NOT NULL,"
        " jpeg BYTEA NOT NULL,"
        " PRIMARY KEY (footage_id, time_s))"
    )


MIGRATIONS: dict[int, Callable[[Any], None]] = {1: _migrate_1_to_2, 2: _migrate_2_to_3}


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class PostgresStore:
    """:class:`~provenance.index.store.FootageStore` on a PostgreSQL server.

    Parameters
    ----------
    url : str
        ``postgresql://user:password@host:port/dbname`` (libpq syntax).

    Raises
    ------
    MissingExtraError
        psycopg is not installed.
    IndexStoreError
        The server cannot be reached, or holds a newer or foreign schema.
    """

    backend = "postgresql"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise MissingExtraError(
                "a PostgreSQL index needs psycopg 3: pip install 'provenance[postgres]'"
            ) from exc
        self._psycopg = psycopg
        self.location = _redact(url)
        self._lock = threading.RLock()
        self._last_seq: int | None = None
        try:
            self._con = psycopg.connect(url, autocommit=False, connect_timeout=10)
        except psycopg.Error as exc:
            raise IndexStoreError(f"cannot connect to PostgreSQL at {self.location}: {exc}") from exc
        try:
            self._ensure_schema()
        except BaseException:
            self.close()
            raise
        self.changed()

    def _db(self) -> Any:
        if self._con is None:
            raise IndexStoreError("the index is closed", path=self.location)
        return self._con

    def _ensure_schema(self) -> None:
        con = self._db()
        psycopg = self._psycopg
        try:
            with con.transaction(), con.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7235871923)")  # one initialiser at a time
                cur.execute("SELECT to_regclass('provenance_meta') IS NOT NULL, to_regclass('provenance_footage') IS NOT NULL")
                has_meta, has_footage = cur.fetchone()
                if has_footage and not has_meta:
                    raise IndexStoreError("a 'provenance_footage' table exists without provenance metadata; "
                                          "refusing to touch it", path=self.location)
                if not has_meta:
                    for stmt in _SCHEMA_V1:
                        cur.execute(stmt)
                    cur.execute("INSERT INTO provenance_meta VALUES ('application', %s), ('schema_version', '1')",
                                (APPLICATION,))
                cur.execute("SELECT value FROM provenance_meta WHERE key='application'")
                app = cur.fetchone()
                if app is None or app[0] != APPLICATION:
                    raise IndexStoreError(f"not a provenance index (application {app!r})", path=self.location)
                cur.execute("SELECT value FROM provenance_meta WHERE key='schema_version'")
                version = int(cur.fetchone()[0])
                if version > SCHEMA_VERSION:
                    raise IndexStoreError(f"index schema version {version} is newer than this provenance "
                                          f"supports ({SCHEMA_VERSION}); upgrade provenance", path=self.location)
                while version < SCHEMA_VERSION:
                    MIGRATIONS[version](cur)
                    version += 1
                    cur.execute("UPDATE provenance_meta SET value=%s WHERE key='schema_version'", (str(version),))
        except psycopg.Error as exc:
            raise IndexStoreError(f"cannot initialise the index on {self.location}: {exc}") from exc

    def _write(self, fn: Callable[[Any], Any]) -> Any:
        psycopg = self._psycopg
        with self._lock:
            con = self._db()
            try:
                with con.transaction(), con.cursor() as cur:
                    cur.execute("LOCK TABLE provenance_changes IN EXCLUSIVE MODE")
                    return fn(cur)
            except psycopg.errors.IntegrityError as exc:
                raise IndexStoreError(f"conflicting write: {exc}", path=self.location) from exc
            except psycopg.Error as exc:
                raise IndexStoreError(f"PostgreSQL write failed: {exc}", path=self.location) from exc

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        psycopg = self._psycopg
        with self._lock:
            con = self._db()
            try:
                with con.transaction(), con.cursor() as cur:
                    cur.execute(sql, params)
                    return list(cur.fetchall())
            except psycopg.Error as exc:
                raise IndexStoreError(f"PostgreSQL read failed: {exc}", path=self.location) from exc

    # ------------------------------------------------------------------ protocol
    def get_meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM provenance_meta WHERE key=%s", (key,))
        return rows[0][0] if rows else None

    def schema_version(self) -> int:
        return int(self.get_meta("schema_version") or 0)

    def insert(self, record: dict[str, Any], frames: FrameRow, *, meta: dict[str, str] | None = None,
               thumbnails: Sequence[Thumbnail] = ()) -> None:
        cols = list(RECORD_COLUMNS) + ["nbytes", "times", "hashes"]
        values = [record[c] for c in RECORD_COLUMNS] + [frames.nbytes, frames.times, frames.hashes]
        fid = record["footage_id"]
        thumbs = [(fid, float(t), bytes(j)) for t, j in thumbnails]

        def tx(cur: Any) -> None:
            for k, v in (meta or {}).items():
                cur.execute("INSERT INTO provenance_meta VALUES (%s, %s) ON CONFLICT (key) DO NOTHING", (k, v))
            cur.execute(f"INSERT INTO provenance_footage ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                        values)
            if thumbs:
                cur.executemany("INSERT INTO provenance_thumbnails (footage_id, time_s, jpeg) VALUES (%s, %s, %s)",
                                thumbs)
            cur.execute("INSERT INTO provenance_changes (op, footage_id) VALUES ('add', %s)", (fid,))

        self._write(tx)

    def delete(self, footage_id: str) -> bool:
        def tx(cur: Any) -> bool:
            cur.execute("DELETE FROM provenance_thumbnails WHERE footage_id=%s", (footage_id,))
            cur.execute("DELETE FROM provenance_footage WHERE footage_id=%s", (footage_id,))
            n = cur.rowcount
            if n:
                cur.execute("INSERT INTO provenance_changes (op, footage_id) VALUES ('remove', %s)", (footage_id,))
            return bool(n)

        return bool(self._write(tx))

    def update(self, footage_id: str, fields: dict[str, Any]) -> bool:
        bad = set(fields) - UPDATABLE_COLUMNS
        if bad:
            raise IndexStoreError(f"cannot update columns {sorted(bad)}")
        if not fields:
            return self.get(footage_id) is not None
        sets = ", ".join(f"{k}=%s" for k in fields)

        def tx(cur: Any) -> bool:
            cur.execute(f"UPDATE provenance_footage SET {sets} WHERE footage_id=%s", (*fields.values(), footage_id))
            n = cur.rowcount
            if n:
                cur.execute("INSERT INTO provenance_changes (op, footage_id) VALUES ('update', %s)", (footage_id,))
            return bool(n)

        return bool(self._write(tx))

    def get(self, footage_id: str) -> dict[str, Any] | None:
        rows = self._read(f"SELECT {', '.join(RECORD_COLUMNS)} FROM provenance_footage WHERE footage_id=%s",
                          (footage_id,))
        return dict(zip(RECORD_COLUMNS, rows[0])) if rows else None

    def find_sha(self, content_sha256: str) -> str | None:
        rows = self._read("SELECT footage_id FROM provenance_footage WHERE content_sha256=%s", (content_sha256,))
        return rows[0][0] if rows else None

    def thumbnail(self, footage_id: str, time_s: float) -> Thumbnail | None:
        rows = self._read("SELECT time_s, jpeg FROM provenance_thumbnails WHERE footage_id=%s "
                          "ORDER BY abs(time_s - %s), time_s LIMIT 1", (footage_id, float(time_s)))
        return (float(rows[0][0]), bytes(rows[0][1])) if rows else None

    def thumbnail_count(self, footage_id: str | None = None) -> int:
        if footage_id is None:
            return int(self._read("SELECT count(*) FROM provenance_thumbnails")[0][0])
        return int(self._read("SELECT count(*) FROM provenance_thumbnails WHERE footage_id=%s", (footage_id,))[0][0])

    def count(self) -> tuple[int, int]:
        n, f = self._read("SELECT count(*), coalesce(sum(n_frames), 0) FROM provenance_footage")[0]
        return int(n), int(f)

    def records(self) -> Iterator[dict[str, Any]]:
        rows = self._read(f"SELECT {', '.join(RECORD_COLUMNS)} FROM provenance_footage ORDER BY footage_id COLLATE \"C\"")
        for row in rows:
            yield dict(zip(RECORD_COLUMNS, row))

    def frames(self, footage_ids: list[str] | None = None) -> tuple[int, list[FrameRow]]:
        psycopg = self._psycopg
        with self._lock:
            con = self._db()
            try:
                with con.transaction(), con.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cur.execute("SELECT coalesce(max(seq), 0) FROM provenance_changes")
                    seq = int(cur.fetchone()[0])
                    if footage_ids is None:
                        cur.execute("SELECT footage_id, nbytes, times, hashes FROM provenance_footage")
                    else:
                        cur.execute("SELECT footage_id, nbytes, times, hashes FROM provenance_footage "
                                    "WHERE footage_id = ANY(%s)", (list(footage_ids),))
                    out = [FrameRow(r[0], int(r[1]), bytes(r[2]), bytes(r[3])) for r in cur]
                return seq, out
            except psycopg.Error as exc:
                raise IndexStoreError(f"PostgreSQL read failed: {exc}", path=self.location) from exc

    def changes_since(self, seq: int) -> list[Change]:
        rows = self._read("SELECT seq, op, footage_id FROM provenance_changes WHERE seq > %s ORDER BY seq", (int(seq),))
        return [Change(int(r[0]), r[1], r[2]) for r in rows]

    def changed(self) -> bool:
        seq = int(self._read("SELECT coalesce(max(seq), 0) FROM provenance_changes")[0][0])
        if seq != self._last_seq:
            self._last_seq = seq
            return True
        return False

    def disk_bytes(self) -> int | None:
        rows = self._read("SELECT pg_total_relation_size('provenance_footage'::regclass) "
                          "+ pg_total_relation_size('provenance_changes'::regclass) "
                          "+ pg_total_relation_size('provenance_thumbnails'::regclass) "
                          "+ pg_total_relation_size('provenance_meta'::regclass)")
        return int(rows[0][0])

    def close(self) -> None:
        with self._lock:
            con = getattr(self, "_con", None)
            if con is not None:
                try:
                    con.close()
                finally:
                    self._con = None
