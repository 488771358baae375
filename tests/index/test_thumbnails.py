"""Small JPEG thumbnails kept in the index beside the frame hashes (schema v3)."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from synth import clip_fingerprint, fake_fingerprinter

from provenance.errors import IndexStoreError, InvalidArgumentError
from provenance.hashing.fingerprinting import INDEX_FPS
from provenance.index import (
    MAX_THUMBNAILS_PER_ITEM,
    THUMBNAIL_MAX_SIDE,
    FootageIndex,
    frame_thumbnails,
)
from provenance.index.store import FrameRow
from provenance.media.thumbnails import JPEG_MAGIC, make_thumbnail

T0 = datetime(2022, 2, 24, 6, 0, tzinfo=timezone.utc)
CLIP = "convoy_c_village_nometa.mp4"


def _jpeg(level: int, shape: tuple[int, int] = (90, 160)) -> bytes:
    img = np.full((*shape, 3), level, np.uint8)
    img[::7] = 255 - level  # some structure, so no two are identical
    return make_thumbnail(img)


def _size(jpeg: bytes) -> tuple[int, int]:
    import cv2

    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None
    return img.shape[1], img.shape[0]


def _thumb_rows(ix: FootageIndex, fid: str | None = None) -> int:
    return ix._store.thumbnail_count(fid)


@pytest.fixture(scope="module")
def clip(fixtures_dir: Path) -> Path:
    p = fixtures_dir / "media" / CLIP
    if not p.is_file():
        pytest.skip(f"fixture {CLIP} missing")
    return p


# ---------------------------------------------------------------------- add from a file
def test_add_stores_thumbnails_from_the_same_decode(tmp_path: Path, clip: Path) -> None:
    from provenance.hashing.fingerprinting import fingerprint

    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        rec = ix.add(clip, footage_id="c", published_at=T0)
        n = _thumb_rows(ix, "c")
        duration = rec.duration_s
        assert duration and duration > 2
        # about one per 2 s of media, never more than the cap
        assert 1 <= n <= MAX_THUMBNAILS_PER_ITEM
        assert n <= duration / 2 + 1.5
        first = ix.nearest_thumbnail("c", -100.0)
        last = ix.nearest_thumbnail("c", 1e6)
        assert first is not None and last is not None
        t_first, j_first = first
        t_last, _ = last
        assert t_first <= t_last <= duration + 0.5
        assert j_first.startswith(JPEG_MAGIC)
        assert max(_size(j_first)) <= THUMBNAIL_MAX_SIDE
        # the stored hashes are exactly those of the reference fingerprint (one decode, same frames)
        ref = fingerprint(clip, variants=False, fps=INDEX_FPS)
        got = ix.frames("c")
        np.testing.assert_array_equal(got.times_s, ref.times_s)
        np.testing.assert_array_equal(got.hashes, ref.hashes)
        # the thumbnail times are frame times of the footage
        assert t_first in set(ref.times_s.tolist()) and t_last in set(ref.times_s.tolist())


def test_thumbnails_survive_reopen_and_readd_is_a_noop(tmp_path: Path, clip: Path) -> None:
    p = tmp_path / "ix.db"
    with FootageIndex(p, mode="c") as ix:
        ix.add(clip, footage_id="c", published_at=T0)
        n = _thumb_rows(ix)
    with FootageIndex(p) as ix:
        assert _thumb_rows(ix) == n
        ix.add(clip, footage_id="c", published_at=T0)  # same content, same id: nothing written
        assert _thumb_rows(ix) == n and len(ix) == 1


def test_ingest_stores_thumbnails(tmp_path: Path, clip: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(clip, folder / CLIP)
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        res = ix.ingest(folder, workers=1, published_at=T0)
        assert res.added == (CLIP,) and not res.errors
        assert _thumb_rows(ix, CLIP) >= 1
        assert ix.thumbnail(CLIP, 0.0).startswith(JPEG_MAGIC)


def test_custom_fingerprinter_stores_no_thumbnails(tmp_path: Path, clip: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(clip, folder / CLIP)
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        res = ix.ingest(folder, workers=1, published_at=T0, fingerprinter=fake_fingerprinter)
        assert res.added == (CLIP,)
        assert _thumb_rows(ix) == 0 and ix.thumbnail(CLIP, 1.0) is None


# ---------------------------------------------------------------------- add_fingerprint
def test_add_fingerprint_stores_none_unless_given(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
        assert ix.thumbnail("a", 3.0) is None and ix.nearest_thumbnail("a", 3.0) is None
        assert _thumb_rows(ix) == 0
        thumbs = [(4.0, _jpeg(40)), (0.0, _jpeg(10)), (2.0, _jpeg(20))]  # any order
        ix.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0, thumbnails=thumbs)
        assert _thumb_rows(ix, "b") == 3 and _thumb_rows(ix, "a") == 0
        assert ix.thumbnail("b", 2.2) == thumbs[2][1]


def test_nearest_lookup(location: str) -> None:
    j0, j2, j4 = _jpeg(10), _jpeg(20), _jpeg(40)
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0,
                           thumbnails=[(0.0, j0), (2.0, j2), (4.0, j4)])
        ix.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0,
                           thumbnails=[(1.0, _jpeg(99))])
        assert ix.nearest_thumbnail("a", 0.9) == (0.0, j0)
        assert ix.nearest_thumbnail("a", 1.0) == (0.0, j0)  # a tie goes to the earlier one
        assert ix.nearest_thumbnail("a", 1.1) == (2.0, j2)
        assert ix.nearest_thumbnail("a", 3.5) == (4.0, j4)
        assert ix.nearest_thumbnail("a", 1e6) == (4.0, j4)
        assert ix.nearest_thumbnail("a", -3) == (0.0, j0)
        assert ix.thumbnail("a", 2) == j2
        assert ix.thumbnail("nope", 1.0) is None
        with pytest.raises(InvalidArgumentError):
            ix.thumbnail("a", float("nan"))
        with pytest.raises(InvalidArgumentError):
            ix.thumbnail("a", "2")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [
    [(0.0, b"not a jpeg")],
    [(0.0, "text")],
    [(float("inf"), None)],
    [(float("nan"), b"\xff\xd8\xff")],
    [(1.0, b"\xff\xd8\xff" + b"x"), (1.0, b"\xff\xd8\xff" + b"y")],  # same time twice
    [(float(i), b"\xff\xd8\xff") for i in range(MAX_THUMBNAILS_PER_ITEM + 1)],
    [(0.0, b"\xff\xd8\xff" + b"\0" * 100_000)],  # a full frame, not a thumbnail
    [1.0, 2.0],
    b"\xff\xd8\xff",
])
def test_bad_thumbnails_are_refused_and_nothing_written(location: str, bad: object) -> None:
    with FootageIndex(location, mode="c") as ix:
        with pytest.raises(InvalidArgumentError):
            ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, thumbnails=bad)  # type: ignore[arg-type]
        assert len(ix) == 0 and _thumb_rows(ix) == 0


def test_thumbnails_are_written_in_the_items_transaction(location: str) -> None:
    """A thumbnail row that cannot be written takes the whole item with it."""
    from provenance.index.sql import open_store

    store = open_store(location, mode="c")
    try:
        fp = clip_fingerprint(1)
        rec = {"footage_id": "a", "title": None, "source_url": None, "published_at": T0.isoformat(),
               "published_precision": "instant",
               "filmed_at_start": None, "filmed_at_end": None, "lat": None, "lon": None, "radius_km": None,
               "notes": None, "content_sha256": None, "hasher": fp.hasher, "n_frames": len(fp),
               "duration_s": fp.duration_s, "added_at": T0.isoformat()}
        frames = [FrameRow("a", fp.nbytes, fp.times_s.astype("<f8").tobytes(), fp.hashes.tobytes())]
        with pytest.raises(IndexStoreError):  # same (footage_id, time_s) twice: the key refuses it
            store.insert(rec, frames, thumbnails=[(1.0, _jpeg(1)), (1.0, _jpeg(2))])
        assert store.get("a") is None and store.count() == (0, 0) and store.thumbnail_count() == 0
        assert store.changes_since(0) == []
        store.insert(rec, frames, thumbnails=[(1.0, _jpeg(1))])
        assert store.thumbnail_count("a") == 1
    finally:
        store.close()


# ---------------------------------------------------------------------- remove
def test_remove_deletes_thumbnails(location: str) -> None:
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0,
                           thumbnails=[(0.0, _jpeg(1)), (2.0, _jpeg(2))])
        ix.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0,
                           thumbnails=[(0.0, _jpeg(3))])
        ix.remove("a")
        assert ix.thumbnail("a", 0.0) is None and _thumb_rows(ix, "a") == 0
        assert _thumb_rows(ix, "b") == 1
        # the id is free again, with new thumbnails
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, thumbnails=[(5.0, _jpeg(5))])
        assert ix.nearest_thumbnail("a", 0.0) == (5.0, _jpeg(5))


# ---------------------------------------------------------------------- choosing frames
@pytest.mark.parametrize("duration, n_frames, expected", [
    (0.0, 1, 1),        # a still
    (1.5, 12, 1),       # shorter than 2 s: one
    (10.0, 41, 6),      # 0, 2, ..., 10
    (600.0, 1200, MAX_THUMBNAILS_PER_ITEM),  # long: capped
])
def test_frame_thumbnails_spacing_and_cap(duration: float, n_frames: int, expected: int) -> None:
    times = np.linspace(0.0, duration, n_frames)
    img = np.zeros((720, 1280, 3), np.uint8)
    img[::9, ::5] = 200
    frames = [(float(t), img, "grid") for t in times]
    thumbs = frame_thumbnails(frames)
    assert len(thumbs) == expected
    ts = [t for t, _ in thumbs]
    assert ts == sorted(ts) and len(set(ts)) == len(ts)
    if expected > 1:
        assert ts[0] == 0.0 and ts[-1] == duration
        assert min(np.diff(ts)) >= 1.9
    assert all(j.startswith(JPEG_MAGIC) and _size(j) == (160, 90) for _, j in thumbs)
    assert frame_thumbnails([]) == []


def test_analyze_pairs_without_stored_thumbnails(tmp_path: Path, clip: Path) -> None:
    """An index filled from precomputed hashes has no pixels: the known side stays empty."""
    import provenance
    from provenance.hashing.fingerprinting import fingerprint
    from provenance.report import MAX_THUMBNAILS

    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        ix.add_fingerprint(fingerprint(clip, variants=False), footage_id="c", published_at=T0)
        report = provenance.analyze(clip, index=ix)
    assert report.matches and report.matches[0].footage_id == "c"
    assert 1 <= len(report.thumbnails) <= MAX_THUMBNAILS
    assert [t for t, _ in report.thumbnails] == sorted(t for t, _ in report.thumbnails)
    assert set(t for t, _ in report.thumbnails) <= set(report.keyframe_times_s)
    (pair,) = report.match_thumbnails
    assert pair.footage_id == "c" and pair.query_jpeg and pair.ref_jpeg is None
    m = report.matches[0]
    assert m.query_start_s <= pair.query_time_s <= m.query_end_s
    assert pair.ref_time_s == pytest.approx(m.ref_start_s + (pair.query_time_s - m.query_start_s) * m.speed)
    assert "prv-query" in report._repr_html_()
