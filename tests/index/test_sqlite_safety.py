"""Index files are opened safely: foreign or damaged files are refused and never written to."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from synth import clip_fingerprint

from provenance.errors import (
    CorruptIndexError,
    IndexNotFoundError,
    IndexStoreError,
    InvalidArgumentError,
    ReadOnlyIndexError,
)
from provenance.index import FootageIndex
from provenance.index.store import SQLITE_APPLICATION_ID

T0 = datetime(2022, 1, 1, tzinfo=timezone.utc)
PAGE = 4096


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _refused(p: Path, match: str, error: type[Exception] = CorruptIndexError, **kwargs: object) -> None:
    before = _digest(p)
    siblings = set(p.parent.iterdir())
    with pytest.raises(error, match=match):
        FootageIndex(p, **kwargs)  # type: ignore[arg-type]
    assert _digest(p) == before
    assert set(p.parent.iterdir()) == siblings  # no -wal/-shm/journal left behind


def _index(p: Path, n: int = 30, frames: int = 60) -> None:
    with FootageIndex(p, mode="c") as ix:
        for i in range(n):
            ix.add_fingerprint(clip_fingerprint(i, frames), footage_id=f"f{i:02d}",
                               published_at=datetime(2022, 2, 24, 9, i, tzinfo=timezone.utc), title=f"clip {i}")


def _quick_check_fails(p: Path) -> bool:
    """What SQLite itself says of the file (read on a private copy, immutable)."""
    copy = p.with_name(p.name + ".probe")
    shutil.copyfile(p, copy)
    try:
        con = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
        try:
            return con.execute("PRAGMA quick_check").fetchall() != [("ok",)]
        except sqlite3.DatabaseError:
            return True
        finally:
            con.close()
    finally:
        copy.unlink()


def _bit_flips(p: Path, seed: int, n: int = 12) -> list[tuple[int, int]]:
    """(offset, flipped byte) in b-tree page headers whose single bit flip quick_check reports."""
    rng = np.random.default_rng(seed)
    data = p.read_bytes()
    pages = len(data) // PAGE
    found = []
    for _ in range(200):
        page = int(rng.integers(2, pages + 1))
        off = (page - 1) * PAGE + int(rng.integers(0, 12))
        if data[(page - 1) * PAGE] not in (0x02, 0x05, 0x0A, 0x0D):
            continue  # overflow or free page: only b-tree pages have headers to damage
        flipped = bytearray(data)
        flipped[off] ^= 1 << int(rng.integers(0, 8))
        p.write_bytes(bytes(flipped))
        bad = _quick_check_fails(p)
        p.write_bytes(data)
        if bad:
            found.append((off, flipped[off]))
            if len(found) >= n:
                break
    return found


def test_text_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "notes.db"
    p.write_text("this is not a database\n" * 100)
    _refused(p, "not a SQLite database")
    _refused(p, "not a SQLite database", mode="c")
    _refused(p, "not a SQLite database", mode="r")


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "app.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    con.execute("INSERT INTO users VALUES (1, 'x')")
    con.commit()
    con.close()
    _refused(p, "no provenance schema", mode="c")


def test_lookalike_without_our_application_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "look.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("CREATE TABLE footage (footage_id TEXT)")
    con.execute("INSERT INTO meta VALUES ('application', 'something-else')")
    con.commit()
    con.close()
    _refused(p, "does not name", mode="c")


def test_foreign_application_id_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "other.db"
    con = sqlite3.connect(p)
    con.execute("PRAGMA application_id = 1234")
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.commit()
    con.close()
    _refused(p, "application id", mode="c")


def test_new_index_carries_our_application_id(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    FootageIndex(p, mode="c").close()
    assert int.from_bytes(p.read_bytes()[68:72], "big") == SQLITE_APPLICATION_ID


def test_smashed_schema_page_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    _index(p, 2)
    data = bytearray(p.read_bytes())
    data[100:PAGE * 2] = b"\xff" * (PAGE * 2 - 100)
    p.write_bytes(bytes(data))
    _refused(p, "damaged|malformed|not a database")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "new.db"
    FootageIndex(p, mode="c").close()
    con = sqlite3.connect(p)
    con.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    con.commit()
    con.close()
    _refused(p, "newer")
    _refused(p, "newer", mode="r")


def test_directory_location_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError):
        FootageIndex(tmp_path)
    with pytest.raises(IndexNotFoundError):
        FootageIndex(tmp_path, mode="c")


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_bit_flips_quick_check_reports_are_refused_and_never_written(tmp_path: Path, journal: str) -> None:
    """Damaged files (WAL and rollback-journal ones) are refused by every mode; read-only on request."""
    good = tmp_path / "good.db"
    _index(good)
    if journal == "delete":  # a file copied around without its WAL mode (header bytes 18-19 = 1)
        con = sqlite3.connect(good)
        con.execute("PRAGMA journal_mode = DELETE")
        con.close()
        assert good.read_bytes()[18:20] == b"\x01\x01"
    offsets = _bit_flips(good, seed=7)
    assert len(offsets) >= 5, "no bit flip that quick_check reports was found"
    clean = good.read_bytes()
    catalogue = tmp_path / "cat.jsonl"
    catalogue.write_text('{"footage_id": "x", "path": "nope.mp4", "published_at": "2022-01-01"}\n')
    for n, (off, value) in enumerate(offsets):
        p = tmp_path / f"damaged{n}" / "ix.db"
        p.parent.mkdir()
        data = bytearray(clean)
        data[off] = value
        p.write_bytes(bytes(data))
        assert _quick_check_fails(p)
        for mode in ("rw", "c", "r"):
            _refused(p, "damaged", mode=mode)
        before, siblings = _digest(p), set(p.parent.iterdir())
        try:
            ix = FootageIndex(p, mode="r", allow_damaged=True)
        except CorruptIndexError:
            ix = None  # too damaged even to read the schema: refused, still untouched
        if ix is not None:
            with ix:
                assert ix.read_only and ix.problem
                with pytest.raises(ReadOnlyIndexError):
                    ix.add_fingerprint(clip_fingerprint(99), footage_id="new", published_at=T0)
                with pytest.raises(ReadOnlyIndexError):
                    ix.remove("f00")
                with pytest.raises(ReadOnlyIndexError):
                    ix.update("f01", title="x")
                with pytest.raises(ReadOnlyIndexError):
                    ix.import_catalogue(catalogue)
                try:  # reading what is left either works or says the index is damaged
                    [r.footage_id for r in ix]
                    ix.search(clip_fingerprint(3, 60))
                except CorruptIndexError:
                    pass
        assert _digest(p) == before
        assert set(p.parent.iterdir()) == siblings


def test_allow_damaged_needs_read_only(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    _index(p, 1)
    with pytest.raises(InvalidArgumentError):
        FootageIndex(p, mode="rw", allow_damaged=True)
    with FootageIndex(p, mode="r", allow_damaged=True) as ix:  # a healthy file: nothing to report
        assert ix.problem is None and len(ix) == 1


def test_no_pickle_in_storage(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    with FootageIndex(p, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
    con = sqlite3.connect(p)
    rows = con.execute("SELECT variant, nbytes, times, hashes FROM frames WHERE footage_id='a'").fetchall()
    con.close()
    assert [r[0] for r in rows] == [""]
    _, nbytes, times, hashes = rows[0]
    assert nbytes == 32 and len(times) == 40 * 8 and len(hashes) == 40 * 32
    assert not hashes.startswith(b"\x80")  # not a pickle stream
    np.testing.assert_array_equal(np.frombuffer(times, "<f8"), clip_fingerprint(1).times_s)


def test_inconsistent_blob_is_reported_with_its_row(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    with FootageIndex(p, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
        ix.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0)
    con = sqlite3.connect(p)
    rowid = con.execute("SELECT rowid FROM frames WHERE footage_id='b'").fetchone()[0]
    con.execute("UPDATE frames SET hashes = x'0102' WHERE footage_id='b'")
    con.commit()
    con.close()
    with FootageIndex(p) as ix:
        with pytest.raises(CorruptIndexError, match="damaged") as err:
            ix.candidate_table()
        assert err.value.footage_id == "b" and err.value.line == rowid and err.value.path == str(p)
        with pytest.raises(CorruptIndexError):
            ix.frames("b")
        assert len(ix.frames("a")) == 40


def _flip_bit_in(p: Path, needle: bytes, bit: int) -> None:
    data = bytearray(p.read_bytes())
    at = data.find(needle)
    assert at >= 0, needle
    while at >= 0:  # the row and its published_at index entry
        data[at + 4] ^= bit  # the '-' after the year
        at = data.find(needle, at + 1)
    p.write_bytes(bytes(data))


def test_bit_flipped_rows_raise_corrupt_index_error_naming_the_row(tmp_path: Path) -> None:
    """Two records whose stored times were bit-flipped (quick_check cannot see text damage)."""
    p = tmp_path / "ix.db"
    _index(p, 6)
    con = sqlite3.connect(p)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rowids = dict(con.execute("SELECT footage_id, rowid FROM footage").fetchall())
    con.close()
    _flip_bit_in(p, b"2022-02-24T09:02:00+00:00", 0x02)  # '-' -> '/'
    _flip_bit_in(p, b"2022-02-24T09:04:00+00:00", 0x02)
    assert not _quick_check_fails(p)
    with FootageIndex(p, mode="r") as ix:
        with pytest.raises(CorruptIndexError, match="f02") as err:
            list(ix.records())
        assert not isinstance(err.value, ValueError)
        assert err.value.footage_id == "f02" and err.value.line == rowids["f02"]
        with pytest.raises(CorruptIndexError, match=r"'f04' \(row \d+\)") as err:
            ix.get("f04")
        assert err.value.line == rowids["f04"]
        assert ix.get("f03").title == "clip 3"  # the other rows still read
        with pytest.raises(CorruptIndexError):
            ix.stats()


def test_missing_index_is_never_created(tmp_path: Path) -> None:
    p = tmp_path / "typo.db"
    for mode in ("r", "rw"):
        with pytest.raises(IndexNotFoundError, match="no index") as err:
            FootageIndex(p, mode=mode)
        assert isinstance(err.value, FileNotFoundError) and err.value.path == str(p)
        assert not p.exists() and list(tmp_path.iterdir()) == []
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(IndexNotFoundError, match="empty"):
        FootageIndex(empty)
    assert empty.read_bytes() == b""
    with pytest.raises(InvalidArgumentError, match="mode"):
        FootageIndex(p, mode="w")


def test_read_only_never_writes_a_healthy_file(tmp_path: Path) -> None:
    p = tmp_path / "ix.db"
    _index(p, 3)
    before = _digest(p)
    with FootageIndex(p, mode="r") as ix:
        assert len(ix) == 3 and ix.read_only and ix.mode == "r"
        assert [m.footage_id for m in ix.search(clip_fingerprint(1, 60))][:1] == ["f01"]
        with pytest.raises(ReadOnlyIndexError) as err:
            ix.add_fingerprint(clip_fingerprint(9), footage_id="x", published_at=T0)
        assert isinstance(err.value, PermissionError)
        with pytest.raises(ReadOnlyIndexError):
            ix._store.set_meta("x", "y")  # the store refuses too, not only the front end
    assert _digest(p) == before
    with FootageIndex(p) as ix:  # read-write by default, for an existing index
        ix.remove("f00")
    with pytest.raises(IndexStoreError):
        FootageIndex(p, mode="rw", hasher="pdq/1")


def test_integrity_check_is_bounded_in_time(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Past its time budget the check stops and the (healthy) file opens, said to be unverified."""
    from provenance.index.dialects import SQLiteDialect
    from provenance.index.sql import SQLStore

    p = tmp_path / "ix.db"
    _index(p, 40, 120)
    with caplog.at_level("WARNING", logger="provenance.index.dialects"):
        store = SQLStore(SQLiteDialect(p, mode="r", check_budget_s=0.0))
    try:
        assert store.count()[0] == 40
    finally:
        store.close()
    assert "unverified" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="provenance.index.dialects"):
        FootageIndex(p, mode="r").close()  # the default budget finishes on a small file
    assert "unverified" not in caplog.text
