"""Schema v1-v4 index files written by the code of those versions migrate to v5, losing nothing.

The files in ``data/`` were made by ``data/make_legacy_indexes.py`` (older commits' code, run
from ``git archive``); ``*.expected.json`` is what that code read back from them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from synth import clip_fingerprint

from provenance.errors import CorruptIndexError, IndexStoreError
from provenance.hashing import Fingerprint
from provenance.hashing.fingerprinting import REFERENCE_VARIANT_NAMES, reference_rows
from provenance.index import FootageIndex, sql
from provenance.index.store import SCHEMA_VERSION, SQLITE_APPLICATION_ID
from provenance.index.thumbnails import frame_features
from provenance.media.decode import iter_video_frames

DATA = Path(__file__).resolve().parent / "data"
FILES = ["v1", "v2", "v3_zoom85", "v3", "v4"]


def _fixture_frames() -> list[tuple[float, np.ndarray]]:
    """Three decoded frames of the real fixture clip the legacy files were built with."""
    clip = Path(__file__).resolve().parents[2] / "fixtures" / "media" / "convoy_c_village_nometa.mp4"
    return [(f.time_s, f.image) for f in iter_video_frames(clip, times_s=[0.5, 2.5, 4.5], include_keyframes=False)]


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(params=FILES)
def legacy(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict]:
    src = DATA / f"{request.param}.db"
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    return dst, json.loads((DATA / f"{request.param}.expected.json").read_text(encoding="utf-8"))


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _same_as_written(ix: FootageIndex, expected: dict) -> None:
    """Every record field, every frame row of every variant and every thumbnail, as the old code read them."""
    got = [r.to_dict() for r in ix]
    for rec in got:
        assert rec.pop("published_precision") == "instant"
    # v4 files were written by code whose records had the precision too (always "instant" there)
    want = [{k: v for k, v in rec.items() if k != "published_precision"} for rec in expected["records"]]
    assert all(rec.get("published_precision", "instant") == "instant" for rec in expected["records"])
    assert got == want
    for fid, variants in expected["frames"].items():
        rows = ix.variant_frames(fid)
        assert sorted(rows) == sorted(variants)
        for name, want in variants.items():
            t, h = rows[name]
            assert (len(t), h.shape[1]) == (want["n"], want["nbytes"])
            assert _sha(t.astype("<f8").tobytes()) == want["times_sha256"]
            assert _sha(np.ascontiguousarray(h).tobytes()) == want["hashes_sha256"]
        fp = ix.frames(fid)
        assert len(fp) == ix.get(fid).n_frames == variants[""]["n"]
    for fid, thumbs in expected["thumbnails"].items():
        stored = ix._store.thumbnails(fid)
        assert [[t, _sha(j)] for t, j in stored] == thumbs
    n_thumbs = sum(len(v) for v in expected["thumbnails"].values())
    assert ix._store.thumbnail_count() == n_thumbs
    assert ix.hasher == expected["meta"]["hasher"]
    changes = [[c.seq, c.op, c.footage_id] for c in ix._store.changes_since(0)]
    assert changes[:len(expected["changes"])] == expected["changes"]


def test_read_only_open_reads_the_old_schema_as_it_is(legacy: tuple[Path, dict]) -> None:
    p, expected = legacy
    before = _digest(p)
    with FootageIndex(p, mode="r") as ix:
        assert ix.stats().schema_version == int(expected["meta"]["schema_version"]) < SCHEMA_VERSION
        _same_as_written(ix, expected)
        assert ix.search(ix.frames("tg/0001"))[0].footage_id == "tg/0001"
    assert _digest(p) == before  # never migrated, never written


def test_migration_keeps_everything(legacy: tuple[Path, dict]) -> None:
    p, expected = legacy
    with FootageIndex(p, mode="r") as old:
        tagged_before = {fid: old.candidate_table().frames(fid) for fid in expected["frames"]}
    with FootageIndex(p) as ix:
        assert ix.stats().schema_version == SCHEMA_VERSION == 5
        _same_as_written(ix, expected)
        # the matching side is given exactly the rows (tagged times, hashes) it was given before
        table = ix.candidate_table()
        for fid, (t, h) in tagged_before.items():
            t2, h2 = table.frames(fid)
            order, order2 = np.lexsort((t, h[:, 0])), np.lexsort((t2, h2[:, 0]))
            np.testing.assert_array_equal(t[order], t2[order2])
            np.testing.assert_array_equal(h[order], h2[order2])
        assert ix.search(ix.frames("clip/village"))[0].footage_id == "clip/village"
        # a migrated index takes new footage, variant rows included
        fp = clip_fingerprint(11)
        fp = Fingerprint(times_s=fp.times_s, hashes=fp.hashes, duration_s=fp.duration_s,
                         variants={name: fp.hashes[::-1].copy() for name in REFERENCE_VARIANT_NAMES})
        assert all(ix.local_features(fid) == [] for fid in expected["frames"])  # older items have none
        feats = frame_features([(float(t), im) for t, im in _fixture_frames()])
        ix.add_fingerprint(fp, footage_id="new", published_at=ix.get("tg/0001").published_at, features=feats)
        assert [(t, f.to_bytes()) for t, f in ix.local_features("new")] == feats
        assert sorted(ix.variant_frames("new")) == sorted(["", *REFERENCE_VARIANT_NAMES])
        t, _ = reference_rows(fp)
        assert len(table) == 0 or len(ix.candidate_table().frames("new")[0]) == len(t)
        ix.remove("tg/0002")
    con = sqlite3.connect(p)
    try:
        cols = {r[1] for r in con.execute("PRAGMA table_info(footage)")}
        assert "published_precision" in cols and not cols & {"times", "hashes", "nbytes"}
        assert {r[1] for r in con.execute("PRAGMA table_info(frames)")} >= {"footage_id", "variant", "times"}
        assert con.execute("PRAGMA application_id").fetchone()[0] == SQLITE_APPLICATION_ID
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "5"
        # no frame rows of removed footage are left behind
        assert not con.execute("SELECT count(*) FROM frames WHERE footage_id NOT IN "
                               "(SELECT footage_id FROM footage)").fetchone()[0]
    finally:
        con.close()
    with FootageIndex(p, mode="r") as ix:  # opening again changes nothing
        assert ix.stats().schema_version == 5 and len(ix) == len(expected["records"])


def test_failed_migration_leaves_the_file_as_it_was(legacy: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    p, expected = legacy
    version = int(expected["meta"]["schema_version"])
    before = _digest(p)

    def boom(store: sql.SQLStore, cur: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setitem(sql.MIGRATIONS, SCHEMA_VERSION - 1, boom)  # the last step fails, after the others ran
    with pytest.raises(IndexStoreError, match="disk I/O"):
        FootageIndex(p)
    monkeypatch.undo()
    assert _digest(p) == before  # every step ran in one transaction, rolled back
    con = sqlite3.connect(p)
    try:
        assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(version)
        assert not con.execute("SELECT name FROM sqlite_master WHERE name='features'").fetchone()
        if version < 4:
            assert not con.execute("SELECT name FROM sqlite_master WHERE name='frames'").fetchone()
    finally:
        con.close()
    with FootageIndex(p) as ix:
        assert ix.stats().schema_version == SCHEMA_VERSION
        _same_as_written(ix, expected)


def test_damaged_legacy_row_stops_the_migration(tmp_path: Path) -> None:
    p = tmp_path / "v3.db"
    shutil.copyfile(DATA / "v3.db", p)
    con = sqlite3.connect(p)
    con.execute("UPDATE footage SET hashes = x'00' WHERE footage_id='tg/0002'")
    con.commit()
    con.close()
    with pytest.raises(CorruptIndexError, match="tg/0002") as err:
        FootageIndex(p)
    assert err.value.footage_id == "tg/0002" and err.value.line is not None
    con = sqlite3.connect(p)
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "3"
    con.close()


def test_a_new_file_is_refused_by_an_older_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An older provenance (one SCHEMA_VERSION below) refuses a current file instead of misreading it."""
    from provenance.index import dialects

    p = tmp_path / "new.db"
    FootageIndex(p, mode="c").close()
    monkeypatch.setattr(dialects, "SCHEMA_VERSION", SCHEMA_VERSION - 1)
    monkeypatch.setattr(sql, "SCHEMA_VERSION", SCHEMA_VERSION - 1)
    before = _digest(p)
    with pytest.raises(CorruptIndexError, match="newer"):
        FootageIndex(p)
    assert _digest(p) == before


def _legacy_store(location: str, version: int) -> None:
    """A store laid out as schema ``version`` (1-3) with the old code's DDL and one old-style row."""
    fp = clip_fingerprint(7)
    t, h = fp.times_s, fp.hashes
    times = np.concatenate([t, t + 1e7]).astype("<f8").tobytes()  # the legacy zoom85 tag
    hashes = np.concatenate([h, h[::-1]]).tobytes()
    if location.startswith("postgresql://"):
        import psycopg

        con = psycopg.connect(location, autocommit=True)
        param, fmt = "%s", {"p": "provenance_", "real": "DOUBLE PRECISION", "blob": "BYTEA",
                            "serial": "BIGSERIAL PRIMARY KEY"}
    else:
        con = sqlite3.connect(location, isolation_level=None)
        param, fmt = "?", {"p": "", "real": "REAL", "blob": "BLOB", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"}
    for stmt in sql.SCHEMA_V1:
        con.execute(stmt.format(**fmt))
    if version >= 2:
        con.execute(sql._PUBLISHED_INDEX.format(**fmt))
    if version >= 3:
        con.execute(sql._THUMBNAILS.format(**fmt))
    p = fmt["p"]
    con.execute(f"INSERT INTO {p}meta VALUES ('application', 'provenance-footage-index'), "
                f"('schema_version', '{version}'), ('hasher', 'phash256/1'), ('nbytes', '32')")
    con.execute(
        f"INSERT INTO {p}footage (footage_id, title, published_at, lat, lon, radius_km, content_sha256, hasher, "
        f"n_frames, duration_s, added_at, nbytes, times, hashes) VALUES ({', '.join([param] * 14)})",
        ("old/1", "Convoy", "2022-02-24T06:00:00+00:00", 54.78, 32.05, 5.0, "c" * 64, "phash256/1", len(fp),
         fp.duration_s, "2022-02-24T06:00:00+00:00", 32, times, hashes))
    con.execute(f"INSERT INTO {p}changes (op, footage_id) VALUES ('add', 'old/1')")
    con.close()


@pytest.mark.parametrize("version", [1, 2, 3])
def test_old_layouts_migrate_on_every_backend(location: str, version: int) -> None:
    _legacy_store(location, version)
    with FootageIndex(location, mode="r") as ix:
        assert ix.stats().schema_version == version
        assert sorted(ix.variant_frames("old/1")) == ["", "zoom85"]
    with FootageIndex(location) as ix:
        assert ix.stats().schema_version == SCHEMA_VERSION
        rec = ix.get("old/1")
        assert rec.title == "Convoy" and rec.location == (54.78, 32.05) and rec.content_sha256 == "c" * 64
        assert rec.published_precision == "instant"
        rows = ix.variant_frames("old/1")
        fp = clip_fingerprint(7)
        np.testing.assert_array_equal(rows[""][0], fp.times_s)
        np.testing.assert_array_equal(rows[""][1], fp.hashes)
        np.testing.assert_array_equal(rows["zoom85"][0], fp.times_s)
        np.testing.assert_array_equal(rows["zoom85"][1], fp.hashes[::-1])
        assert ix.search(fp)[0].footage_id == "old/1"
        ix.add_fingerprint(clip_fingerprint(8), footage_id="new", published_at=rec.published_at,
                           thumbnails=[(0.5, _jpeg())])
        assert ix.thumbnail("new", 0.0) is not None and ix.thumbnail("old/1", 0.0) is None
        ix.remove("old/1")
        assert len(ix) == 1


def _jpeg() -> bytes:
    from provenance.media.thumbnails import make_thumbnail

    img = np.full((90, 160, 3), 80, np.uint8)
    img[::7] = 200
    return make_thumbnail(img)
