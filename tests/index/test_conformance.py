"""The same behaviour from every storage backend (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from synth import clip_fingerprint, perturb

from provenance.errors import IndexStoreError, InvalidArgumentError
from provenance.hashing import Fingerprint
from provenance.index import FootageIndex, FootageRecord
from provenance.matching.candidates import exhaustive_query

T0 = datetime(2022, 2, 24, 6, 0, tzinfo=timezone.utc)
SHA_A = "a" * 64
SHA_B = "b" * 64


def test_add_get_len_contains_iter(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        assert len(ix) == 0 and "x" not in ix and list(ix) == []
        rec = ix.add_fingerprint(
            clip_fingerprint(1), footage_id="tg/001", published_at=T0 + timedelta(hours=3),
            filmed_at=(T0 - timedelta(days=2), T0 - timedelta(days=1)), location=(54.78, 32.05, 5.0),
            source_url="https://t.me/x/1", title="Convoy", notes="seen first on Telegram", content_sha256=SHA_A,
        )
        assert isinstance(rec, FootageRecord)
        got = ix.get("tg/001")
        assert got.published_at == T0 + timedelta(hours=3) and got.published_at.tzinfo is not None
        assert got.filmed_at == (T0 - timedelta(days=2), T0 - timedelta(days=1))
        assert got.location == (54.78, 32.05) and got.radius_km == 5.0
        assert got.n_frames == 40 and got.hasher == "phash256/1" and got.content_sha256 == SHA_A
        assert got.title == "Convoy" and got.source_url == "https://t.me/x/1"
        assert json.loads(json.dumps(got.to_dict()))["footage_id"] == "tg/001"
        ix.add_fingerprint(clip_fingerprint(2), footage_id="tg/000", published_at=T0)
        assert len(ix) == 2 and "tg/001" in ix and "nope" not in ix
        assert [r.footage_id for r in ix] == ["tg/000", "tg/001"]
        fp = ix.frames("tg/001")
        np.testing.assert_array_equal(fp.hashes, clip_fingerprint(1).hashes)
        np.testing.assert_array_equal(fp.times_s, clip_fingerprint(1).times_s)
        with pytest.raises(KeyError):
            ix.get("nope")


def test_published_at_is_stored_as_utc(location: str) -> None:
    kyiv = timezone(timedelta(hours=2))
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=datetime(2022, 3, 1, 12, tzinfo=kyiv),
                           filmed_at=datetime(2022, 3, 1, 8, tzinfo=kyiv))
        rec = ix.get("a")
        assert rec.published_at == datetime(2022, 3, 1, 10, tzinfo=timezone.utc)
        assert rec.published_at.utcoffset() == timedelta(0)
        assert rec.filmed_at_start == rec.filmed_at_end == datetime(2022, 3, 1, 6, tzinfo=timezone.utc)


@pytest.mark.parametrize("kwargs", [
    {"published_at": datetime(2022, 1, 1)},  # naive
    {"published_at": None},
    {"published_at": "2022-01-01T00:00:00Z"},
    {"published_at": T0, "filmed_at": datetime(2022, 1, 1)},
    {"published_at": T0, "filmed_at": (T0, T0 - timedelta(hours=1))},
    {"published_at": T0, "location": (91.0, 0.0)},
    {"published_at": T0, "location": (10.0, 200.0)},
    {"published_at": T0, "location": (10.0, 20.0, -1.0)},
    {"published_at": T0, "location": "Smolensk"},
    {"published_at": T0, "title": 5},
])
def test_invalid_fields_are_refused(location: str, kwargs: dict) -> None:
    with FootageIndex(location, mode="c") as ix:
        with pytest.raises(InvalidArgumentError):
            ix.add_fingerprint(clip_fingerprint(1), footage_id="a", **kwargs)
        assert len(ix) == 0


@pytest.mark.parametrize("fid", ["", "   ", "a\nb", None, 7])
def test_bad_footage_id(location: str, fid: object) -> None:
    with FootageIndex(location, mode="c") as ix, pytest.raises(InvalidArgumentError):
        ix.add_fingerprint(clip_fingerprint(1), footage_id=fid, published_at=T0)  # type: ignore[arg-type]


def test_duplicate_footage_id_and_content(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, content_sha256=SHA_A)
        with pytest.raises(IndexStoreError, match="already in the index"):
            ix.add_fingerprint(clip_fingerprint(2), footage_id="a", published_at=T0, content_sha256=SHA_B)
        with pytest.raises(IndexStoreError, match="'a'"):
            ix.add_fingerprint(clip_fingerprint(1), footage_id="b", published_at=T0, content_sha256=SHA_A)
        # same content under the same id: a no-op returning the existing record
        again = ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0 + timedelta(days=9),
                                   content_sha256=SHA_A)
        assert again.published_at == T0 and len(ix) == 1


def test_hasher_is_never_mixed(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
        assert ix.hasher == "phash256/1"
        with pytest.raises(IndexStoreError, match="never mixed"):
            ix.add_fingerprint(clip_fingerprint(2, hasher="pdq/1"), footage_id="b", published_at=T0)
        with pytest.raises(IndexStoreError):
            ix.add_fingerprint(clip_fingerprint(3, nbytes=8), footage_id="c", published_at=T0)
        with pytest.raises(IndexStoreError, match="never mixed"):
            ix.search(clip_fingerprint(2, hasher="pdq/1"))
        assert len(ix) == 1


def test_remove_and_update(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, content_sha256=SHA_A)
        ix.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0)
        rec = ix.update("a", title="New", location=(1.0, 2.0), published_at=T0 - timedelta(days=1))
        assert rec.title == "New" and rec.location == (1.0, 2.0) and rec.radius_km is None
        assert rec.published_at == T0 - timedelta(days=1)
        with pytest.raises(InvalidArgumentError):
            ix.update("a", published_at=datetime(2020, 1, 1))
        with pytest.raises(InvalidArgumentError):
            ix.update("a", hasher="x")
        with pytest.raises(KeyError):
            ix.update("zzz", title="x")
        ix.remove("a")
        assert "a" not in ix and len(ix) == 1
        with pytest.raises(KeyError):
            ix.remove("a")
        # content can be indexed again once removed
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a2", published_at=T0, content_sha256=SHA_A)
        assert ix.candidate_table().footage_ids() == ["b", "a2"]


def test_candidates_follow_writes_and_equal_exhaustive(location: str) -> None:
    fps = {f"f{i}": clip_fingerprint(i, 30 + i) for i in range(12)}
    with FootageIndex(location, mode="c") as ix:
        for fid, fp in fps.items():
            ix.add_fingerprint(fp, footage_id=fid, published_at=T0)
        q = np.concatenate([perturb(fps["f3"], 1, 0.08), perturb(fps["f7"], 2, 0.15)[:10]])
        table = ix.candidate_table()
        for r in (10, 30, 60, 90):
            got = table.query(q, r, max_per_query=16)
            want = exhaustive_query(list(fps), [f.times_s for f in fps.values()], [f.hashes for f in fps.values()],
                                    q, r, max_per_query=16)
            for name in ("query_row", "footage_id", "ref_time_s", "distance"):
                np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
        ix.remove("f3")
        assert "f3" not in set(ix.candidate_table().query(q, 40).footage_id)
        # a second handle on the same index sees the same
        with FootageIndex(location) as other:
            assert "f3" not in other.candidate_table() and len(other.candidate_table()) == len(ix.candidate_table())


def test_search_sees_writes_of_another_handle(location: str) -> None:
    fp = clip_fingerprint(5, 60)
    query = Fingerprint(times_s=fp.times_s[10:50] - 5.0, hashes=perturb(fp, 9, 0.05)[10:50])
    with FootageIndex(location, mode="c") as writer, FootageIndex(location, mode="r") as reader:
        writer.add_fingerprint(clip_fingerprint(6), footage_id="other", published_at=T0)
        assert reader.search(query) == []
        writer.add_fingerprint(fp, footage_id="known", published_at=T0)
        matches = reader.search(query)
        assert [m.footage_id for m in matches] == ["known"]
        assert matches[0].ref_start_s == pytest.approx(5.0, abs=0.5)
        writer.remove("known")
        assert reader.search(query) == []


def test_export_import_round_trip(location: str, tmp_path) -> None:
    with FootageIndex(location, mode="c") as ix:
        for i in range(3):
            ix.add_fingerprint(clip_fingerprint(i), footage_id=f"c{i}", published_at=T0 + timedelta(hours=i),
                               location=(50.0 + i, 30.0), title=f"clip {i}")
        out = tmp_path / "export.jsonl"
        assert ix.export(out) == 3
        with FootageIndex(tmp_path / "copy.db", mode="c") as copy:
            res = copy.import_catalogue(out)
            assert res.ok and sorted(res.added) == ["c0", "c1", "c2"]
            for a, b in zip(ix, copy):
                da, db = a.to_dict(), b.to_dict()
                da.pop("added_at"), db.pop("added_at")
                assert da == db
                np.testing.assert_array_equal(ix.frames(a.footage_id).hashes, copy.frames(b.footage_id).hashes)


def test_stats(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1, 10), footage_id="a", published_at=T0)
        ix.add_fingerprint(clip_fingerprint(2, 20), footage_id="b", published_at=T0 + timedelta(days=3))
        ix.candidate_table()
        st = ix.stats()
        assert (st.n_footage, st.n_frames, st.hasher, st.nbytes) == (2, 30, "phash256/1", 32)
        assert st.earliest_published_at == T0 and st.latest_published_at == T0 + timedelta(days=3)
        assert st.schema_version >= 2 and st.disk_bytes and st.table_bytes > 0
        json.dumps(st.to_dict())
