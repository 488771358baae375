"""Index files are opened safely: foreign or damaged files are refused and left untouched."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from synth import clip_fingerprint

from provenance.errors import IndexStoreError
from provenance.index import FootageIndex
from provenance.index.store import SCHEMA_VERSION

T0 = datetime(2022, 1, 1, tzinfo=timezone.utc)


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _refused(p: Path, match: str) -> None:
    before = _digest(p)
    siblings = set(p.parent.iterdir())
    with pytest.raises(IndexStoreError, match=match):
        FootageIndex(p)
    assert _digest(p) == before
    assert set(p.parent.iterdir()) == siblings  # no -wal/-shm/journal left behind


def test_text_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "notes.db"
    p.write_text("this is not a database\n" * 100)
    _refused(p, "not a SQLite database")


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "app.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    con.execute("INSERT INTO users VALUES (1, 'x')")
    con.commit()
    con.close()
    _refused(p, "no provenance schema")


def test_lookalike_without_our_application_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "look.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("CREATE TABLE footage (footage_id TEXT)")
    con.execute("INSERT INTO meta VALUES ('application', 'something-else')")
    con.commit()
    con.close()
    _refused(p, "does not name")


def test_damaged_index_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    with FootageIndex(p) as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
    data = bytearray(p.read_bytes())
    data[100:4096 * 2] = b"\xff" * (4096 * 2 - 100)  # smash the schema page
    p.write_bytes(bytes(data))
    _refused(p, "damaged|malformed|not a database")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "new.db"
    FootageIndex(p).close()
    con = sqlite3.connect(p)
    con.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    con.commit()
    con.close()
    _refused(p, "newer")


def test_directory_location_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IndexStoreError):
        FootageIndex(tmp_path)


def test_v1_index_is_migrated(tmp_path: Path) -> None:
    from provenance.index.sqlite_store import _SCHEMA_V1

    p = tmp_path / "v1.db"
    con = sqlite3.connect(p)
    con.executescript(_SCHEMA_V1)
    con.execute("INSERT INTO meta VALUES ('application', 'provenance-footage-index'), ('schema_version', '1')")
    con.commit()
    con.close()
    with FootageIndex(p) as ix:
        assert ix.stats().schema_version == SCHEMA_VERSION == 3
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
    con = sqlite3.connect(p)
    assert con.execute("SELECT name FROM sqlite_master WHERE name='footage_published_at'").fetchone()
    assert con.execute("SELECT name FROM sqlite_master WHERE name='thumbnails'").fetchone()
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_no_pickle_in_storage(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    with FootageIndex(p) as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
    con = sqlite3.connect(p)
    times, hashes = con.execute("SELECT times, hashes FROM footage").fetchone()
    assert len(times) == 40 * 8 and len(hashes) == 40 * 32
    assert not hashes.startswith(b"\x80")  # not a pickle stream
    con.close()


def test_inconsistent_blob_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    with FootageIndex(p) as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
    con = sqlite3.connect(p)
    con.execute("UPDATE footage SET hashes = x'0102'")
    con.commit()
    con.close()
    with FootageIndex(p) as ix, pytest.raises(IndexStoreError, match="damaged"):
        ix.candidate_table()
