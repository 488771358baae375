"""What differs between the databases an index can live in; the SQL itself is in :mod:`.sql`.

A dialect knows how to reach its database and check it before anything is written
(existence for the open mode, header, application id, schema version, a bounded
integrity check), its placeholders, column types and table prefix, how it takes the
write lock and a read snapshot, and how it tells cheaply that another connection wrote.

SQLite (the default): one file in WAL mode, ``synchronous=FULL``; writers take the lock
up front (``BEGIN IMMEDIATE``). Before an existing file is opened for writing it is read
through a read-only connection (``immutable`` unless a WAL holds committed pages, so
nothing at all is written beside somebody else's file): a text file, somebody else's
database, a newer schema or a file that ``PRAGMA quick_check`` finds damaged is refused
with :class:`~provenance.errors.CorruptIndexError` and left byte for byte as it was.

PostgreSQL (``pip install video-provenance[postgres]``): tables prefixed ``provenance_`` in the
connection's ``search_path`` (choose a schema with ``?options=-csearch_path%3Dmyschema``);
writers serialise on the change log (``LOCK TABLE ... IN EXCLUSIVE MODE``), so its sequence
numbers are in commit order; a read-only open sets ``default_transaction_read_only``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import (
    CorruptIndexError,
    DuplicateFootageError,
    IndexNotFoundError,
    IndexStoreError,
    MissingExtraError,
)
from .store import APPLICATION, SCHEMA_VERSION, SQLITE_APPLICATION_ID

__all__ = ["QUICK_CHECK_BUDGET_S", "Dialect", "PostgresDialect", "SQLiteDialect"]

logger = logging.getLogger(__name__)

#: Longest the integrity check on opening a SQLite index may run [s]; past it the check
#: stops, the file counts as unverified (logged) and is opened. ``PRAGMA quick_check``
#: reads every page: about 1 s per GB on a local disk.
QUICK_CHECK_BUDGET_S = 3.0

_HEADER = b"SQLite format 3\x00"
_CORRUPT_WORDS = ("malformed", "not a database", "corrupt", "disk image")


class Dialect:
    """The database-specific part of :class:`~provenance.index.sql.SQLStore`.

    Attributes
    ----------
    backend : str
        ``"sqlite"`` or ``"postgresql"``.
    location : str
        File path, or URL without password.
    read_only : bool
    problem : str or None
        What the integrity check found, when a damaged index was opened read-only on request.
    """

    backend = ""
    param = "?"
    prefix = ""
    real = "REAL"
    blob = "BLOB"
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
    text_order = ""
    rowid = "NULL"
    location = ""
    read_only = False
    problem: str | None = None

    def connect(self) -> Any:
        """Check the location for the open mode and return a DB-API connection."""
        raise NotImplementedError

    @contextmanager
    def transaction(self, con: Any, *, write: bool = False, snapshot: bool = False) -> Iterator[Any]:
        """A cursor inside one transaction (the write lock taken first when ``write``)."""
        raise NotImplementedError
        yield

    def tables(self, cur: Any) -> set[str]:
        """Our tables present (names without the prefix)."""
        raise NotImplementedError

    def init_lock(self, cur: Any) -> None:
        """Serialise schema creation and migration between processes (inside a write transaction)."""

    def stamp(self, cur: Any) -> None:
        """Mark a created or migrated store as ours where the database has a place for it."""

    def changed(self, con: Any) -> bool | None:
        """True/False when the database says cheaply whether others wrote; None: ask the log."""
        return None

    def disk_bytes(self, con: Any) -> int | None:
        return None

    def translate(self, exc: BaseException, action: str) -> IndexStoreError:
        """The library's error for a database error."""
        raise NotImplementedError

    def is_db_error(self, exc: BaseException) -> bool:
        raise NotImplementedError


# ---------------------------------------------------------------------------------- SQLite
def _quick_check(con: sqlite3.Connection, budget_s: float) -> str | None:
    """``PRAGMA quick_check`` stopped after ``budget_s``: None when ok or unfinished, else the problems."""
    deadline = time.monotonic() + budget_s
    con.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1_000)
    try:
        rows = con.execute("PRAGMA quick_check(20)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc).lower():
            logger.warning("integrity check of the index stopped after %.1f s; opened unverified", budget_s)
            return None
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.set_progress_handler(None, 0)
    msgs = [str(r[0]) for r in rows]
    return None if msgs == ["ok"] else "; ".join(msgs[:5])


class SQLiteDialect(Dialect):
    """One SQLite file.

    Parameters
    ----------
    path : str or PathLike
    mode : {"r", "rw", "c"}
    allow_damaged : bool
        With ``mode="r"``: open a file the integrity check finds damaged (read-only, nothing
        written) instead of refusing it.
    busy_timeout_s : float
        How long a write waits for another writer [s].
    check_budget_s : float
        Time budget of the integrity check on open [s].
    """

    backend = "sqlite"
    rowid = "rowid"

    def __init__(self, path: str | os.PathLike[str], *, mode: str = "rw", allow_damaged: bool = False,
                 busy_timeout_s: float = 60.0, check_budget_s: float = QUICK_CHECK_BUDGET_S) -> None:
        p = Path(path).expanduser()
        self.path = p
        self.location = str(p)
        self.mode = mode
        self.read_only = mode == "r"
        self.allow_damaged = allow_damaged
        self.busy_timeout_s = busy_timeout_s
        self.check_budget_s = check_budget_s
        self.problem = None
        self._data_version: int | None = None

    # ----------------------------------------------------------------- opening
    def connect(self) -> sqlite3.Connection:
        p = self.path
        if p.exists() and not p.is_file():
            raise IndexNotFoundError(f"no index file at {self.location!r}: it is a folder or a special file",
                                     path=self.location)
        absent = not p.exists() or p.stat().st_size == 0
        if absent and self.mode != "c":
            raise IndexNotFoundError(
                f"no index at {self.location!r}" + (" (the file is empty)" if p.exists() else "")
                + "; create one with FootageIndex(path, mode='c') or `provenance index add`", path=self.location)
        immutable = False
        if not absent:
            empty, immutable = self._check_existing(p)
            if empty and self.mode != "c":
                raise IndexNotFoundError(f"{self.location!r} is an empty SQLite database, not an index yet; "
                                         "create one with mode='c'", path=self.location)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
        uri = p.resolve().as_uri()
        if self.read_only:
            # immutable only for a damaged file read on request (no locks, nothing created beside
            # it); a healthy index is read with locks, so writes by others are seen and never torn
            uri += "?mode=ro&immutable=1" if immutable and self.problem is not None else "?mode=ro"
        else:
            uri += "?mode=rwc" if self.mode == "c" else "?mode=rw"
        try:
            con = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout_s, isolation_level=None,
                                  check_same_thread=False)
        except sqlite3.Error as exc:
            raise self.translate(exc, "open") from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            if not self.read_only:
                con.execute("PRAGMA journal_mode = WAL")
                con.execute("PRAGMA synchronous = FULL")
                con.execute("PRAGMA foreign_keys = ON")
            else:
                con.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            con.close()
            raise self.translate(exc, "open") from exc
        return con

    def _check_existing(self, p: Path) -> tuple[bool, bool]:
        """Refuse foreign, newer or damaged files without writing to them.

        Returns (an empty SQLite database, the check read the file as immutable).
        """
        try:
            with open(p, "rb") as fh:
                head = fh.read(100)
        except OSError as exc:
            raise CorruptIndexError(f"cannot read index file: {exc}", path=self.location) from exc
        if not head.startswith(_HEADER):
            raise CorruptIndexError(
                "not a provenance index: the file is not a SQLite database "
                "(give a new path with mode='c' to create an index, or the path of an existing one)",
                path=self.location)
        app_id = int.from_bytes(head[68:72], "big")
        if app_id not in (0, SQLITE_APPLICATION_ID):
            raise CorruptIndexError(f"not a provenance index: SQLite application id {app_id:#x} belongs to another "
                                    "program; refusing to touch it", path=self.location)
        # immutable: no locks, no -wal/-shm files created beside somebody else's file. But a
        # WAL left by a killed writer holds committed pages (and a checkpoint may have been cut
        # short), so then read through it: read-only, never checkpointing.
        empty, problem, immutable = self._inspect(p)
        if problem is not None and immutable:
            # a writer that started during an immutable read may have checkpointed under it:
            # damage counts only when a second look (through its WAL, if one appeared) agrees
            empty, problem, immutable = self._inspect(p)
        if empty:
            return True, immutable
        if problem is not None:
            if self.allow_damaged and self.read_only:
                logger.warning("index %s is damaged (%s); opened read-only as asked", self.location, problem)
                self.problem = problem
            else:
                raise CorruptIndexError(
                    f"the index file is damaged ({problem}); it was not modified. Open it with "
                    "FootageIndex(path, mode='r', allow_damaged=True) to read what is left (e.g. export())",
                    path=self.location)
        return False, immutable

    def _inspect(self, p: Path) -> tuple[bool, str | None, bool]:
        """(empty database, what quick_check found or None, read as immutable), read-only."""
        wal = Path(f"{p}-wal")
        immutable = not (wal.exists() and wal.stat().st_size > 0)
        uri = p.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
        try:
            ro = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            raise self.translate(exc, "open") from exc
        try:
            tables = {r[0] for r in ro.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return True, None, immutable
            if "meta" not in tables or "footage" not in tables:
                raise CorruptIndexError(
                    f"not a provenance index: a SQLite database with tables {sorted(tables)[:8]} "
                    "and no provenance schema; refusing to touch it", path=self.location)
            app = ro.execute("SELECT value FROM meta WHERE key='application'").fetchone()
            if app is None or app[0] != APPLICATION:
                raise CorruptIndexError(
                    "not a provenance index: its meta table does not name "
                    f"{APPLICATION!r} (got {None if app is None else app[0]!r}); refusing to touch it",
                    path=self.location)
            ver = ro.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(ver[0]) if ver is not None and str(ver[0]).isdigit() else -1
            if version > SCHEMA_VERSION:
                raise CorruptIndexError(
                    f"index schema version {version} is newer than this provenance supports "
                    f"({SCHEMA_VERSION}); upgrade provenance", path=self.location)
            if version < 1:
                raise CorruptIndexError(f"index has an unreadable schema version ({ver!r})", path=self.location)
            return False, _quick_check(ro, self.check_budget_s), immutable
        except sqlite3.DatabaseError as exc:
            return False, str(exc), immutable
        finally:
            ro.close()

    # ----------------------------------------------------------------- transactions
    @contextmanager
    def transaction(self, con: sqlite3.Connection, *, write: bool = False, snapshot: bool = False) -> Iterator[Any]:
        cur = con.cursor()
        if not write and not snapshot:
            yield cur
            return
        cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield cur
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def tables(self, cur: Any) -> set[str]:
        cur.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {str(r[0]) for r in cur.fetchall()} - {"sqlite_sequence"}

    def stamp(self, cur: Any) -> None:
        cur.execute(f"PRAGMA application_id = {SQLITE_APPLICATION_ID}")

    def changed(self, con: sqlite3.Connection) -> bool | None:
        v = int(con.execute("PRAGMA data_version").fetchone()[0])
        if v != self._data_version:
            self._data_version = v
            return True
        return False

    def disk_bytes(self, con: Any) -> int | None:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                total += os.path.getsize(self.location + suffix)
            except OSError:
                pass
        return total

    def is_db_error(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.Error)

    def translate(self, exc: BaseException, action: str) -> IndexStoreError:
        if isinstance(exc, sqlite3.IntegrityError):
            return DuplicateFootageError(f"conflicting write: {exc}", path=self.location)
        text = str(exc)
        if isinstance(exc, sqlite3.DatabaseError) and any(w in text.lower() for w in _CORRUPT_WORDS):
            return CorruptIndexError(f"SQLite index {action} failed: the file is damaged ({text})", path=self.location)
        if "readonly" in text.lower() or "read-only" in text.lower():
            from ..errors import ReadOnlyIndexError

            return ReadOnlyIndexError(f"SQLite index {action} failed: {text}", path=self.location)
        return IndexStoreError(f"SQLite index {action} failed: {text}", path=self.location)


# ---------------------------------------------------------------------------------- PostgreSQL
def redact(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class PostgresDialect(Dialect):
    """Tables prefixed ``provenance_`` on a PostgreSQL server (psycopg 3).

    Parameters
    ----------
    url : str
        ``postgresql://user:password@host:port/dbname`` (libpq syntax).
    mode : {"r", "rw", "c"}
    """

    backend = "postgresql"
    param = "%s"
    prefix = "provenance_"
    real = "DOUBLE PRECISION"
    blob = "BYTEA"
    serial = "BIGSERIAL PRIMARY KEY"
    text_order = ' COLLATE "C"'

    def __init__(self, url: str, *, mode: str = "rw") -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise MissingExtraError(
                "a PostgreSQL index needs psycopg 3: pip install 'video-provenance[postgres]'"
            ) from exc
        self._psycopg = psycopg
        self._url = url
        self.location = redact(url)
        self.mode = mode
        self.read_only = mode == "r"
        self.problem = None

    def connect(self) -> Any:
        psycopg = self._psycopg
        try:
            con = psycopg.connect(self._url, autocommit=False, connect_timeout=10)
        except psycopg.Error as exc:
            raise IndexStoreError(f"cannot connect to PostgreSQL at {self.location}: {exc}",
                                  path=self.location) from exc
        try:
            with con.transaction(), con.cursor() as cur:
                found = self.tables(cur)
                if self.read_only:
                    cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        except psycopg.Error as exc:
            con.close()
            raise self.translate(exc, "open") from exc
        if "meta" not in found:
            if "footage" in found:
                con.close()
                raise CorruptIndexError("a 'provenance_footage' table exists without provenance metadata; "
                                        "refusing to touch it", path=self.location)
            if self.mode != "c":
                con.close()
                raise IndexNotFoundError(f"no provenance index at {self.location} (no provenance_meta table in its "
                                         "search_path); create one with mode='c'", path=self.location)
        return con

    @contextmanager
    def transaction(self, con: Any, *, write: bool = False, snapshot: bool = False) -> Iterator[Any]:
        with con.transaction(), con.cursor() as cur:
            if snapshot:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if write and "changes" in self._known_tables(cur):
                cur.execute("LOCK TABLE provenance_changes IN EXCLUSIVE MODE")
            yield cur

    def _known_tables(self, cur: Any) -> set[str]:
        # the change log exists except while the schema is being created
        cur.execute("SELECT to_regclass('provenance_changes') IS NOT NULL")
        return {"changes"} if cur.fetchone()[0] else set()

    def tables(self, cur: Any) -> set[str]:
        names = ("meta", "footage", "frames", "thumbnails", "features", "changes")
        cur.execute("SELECT " + ", ".join(f"to_regclass('provenance_{n}') IS NOT NULL" for n in names))
        row = cur.fetchone()
        return {n for n, present in zip(names, row) if present}

    def init_lock(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(7235871923)")  # one initialiser at a time

    def disk_bytes(self, con: Any) -> int | None:
        with self.transaction(con) as cur:
            present = self.tables(cur)
            cur.execute("SELECT " + " + ".join(f"pg_total_relation_size('provenance_{n}'::regclass)"
                                               for n in sorted(present)) if present else "SELECT 0")
            return int(cur.fetchone()[0])

    def is_db_error(self, exc: BaseException) -> bool:
        return isinstance(exc, self._psycopg.Error)

    def translate(self, exc: BaseException, action: str) -> IndexStoreError:
        errors = self._psycopg.errors
        if isinstance(exc, errors.IntegrityError):
            return DuplicateFootageError(f"conflicting write: {exc}", path=self.location)
        if isinstance(exc, errors.ReadOnlySqlTransaction):
            from ..errors import ReadOnlyIndexError

            return ReadOnlyIndexError(f"PostgreSQL {action} refused: the index is open read-only", path=self.location)
        return IndexStoreError(f"PostgreSQL {action} failed: {exc}", path=self.location)
