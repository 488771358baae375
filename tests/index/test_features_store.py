"""Local features kept in the index beside the thumbnails (schema v5), for geometric verification."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from synth import clip_fingerprint

from provenance.errors import CorruptIndexError, InvalidArgumentError
from provenance.hashing.features import FEATURE_SIDE, LocalFeatures, local_features
from provenance.index import FootageIndex
from provenance.index.thumbnails import MAX_THUMBNAILS_PER_ITEM, frame_features
from provenance.media.decode import iter_video_frames

T0 = datetime(2022, 2, 24, 6, 0, tzinfo=timezone.utc)
CLIP = "convoy_c_village_nometa.mp4"


@pytest.fixture(scope="module")
def clip(fixtures_dir: Path) -> Path:
    return fixtures_dir / "media" / CLIP


@pytest.fixture(scope="module")
def feature_rows(clip: Path) -> list[tuple[float, bytes]]:
    """Features of three real decoded frames of the fixture clip."""
    frames = [(f.time_s, f.image) for f in iter_video_frames(clip, times_s=[0.5, 2.5, 4.5], include_keyframes=False)]
    return frame_features(frames)


def test_add_stores_features_of_the_thumbnail_frames(tmp_path: Path, clip: Path) -> None:
    with FootageIndex(tmp_path / "ix.db", mode="c") as ix:
        ix.add(clip, footage_id="c", published_at=T0)
        feats = ix.local_features("c")
        times = np.array([t for t, _ in feats])
        # about one per 2 s over the 9 s clip, from the start to the end
        assert len(feats) >= 4 and times[0] <= 1.5 and times[-1] >= 6.0 and np.all(np.diff(times) <= 3.0)
        assert all(isinstance(f, LocalFeatures) and len(f) >= 50 for _, f in feats)  # a real village road
        assert all(max(f.size) == FEATURE_SIDE for _, f in feats)  # decoded larger than the hashed frames
    with FootageIndex(tmp_path / "ix.db", mode="r") as ix:  # read back by a new connection
        assert [(t, f.to_bytes()) for t, f in ix.local_features("c")] == [(t, f.to_bytes()) for t, f in feats]


def test_ingest_stores_features_and_reference_variants(tmp_path: Path, clip: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(clip, folder / CLIP)
    with FootageIndex(tmp_path / "a.db", mode="c") as added, FootageIndex(tmp_path / "i.db", mode="c") as ingested:
        added.add(clip, footage_id=CLIP, published_at=T0)
        res = ingested.ingest(folder, workers=1, published_at=T0)
        assert res.added == (CLIP,) and not res.errors
        # the same rows as add(): frames, every reference variant (zoom85, zoom70) and the features
        assert sorted(ingested.variant_frames(CLIP)) == sorted(added.variant_frames(CLIP))
        assert len(ingested.variant_frames(CLIP)) >= 3
        assert [(t, f.to_bytes()) for t, f in ingested.local_features(CLIP)] == \
            [(t, f.to_bytes()) for t, f in added.local_features(CLIP)]


def test_add_fingerprint_features_round_trip_and_remove(location: str, feature_rows: list[tuple[float, bytes]]) -> None:
    with FootageIndex(location, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0)
        assert ix.local_features("a") == [] and ix.local_features("nope") == []
        ix.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0, features=feature_rows[::-1])
        got = ix.local_features("b")
        assert [(t, f.to_bytes()) for t, f in got] == feature_rows  # time order, bytes intact
        assert ix._store.feature_count() == 3
        ix.remove("b")
        assert ix.local_features("b") == [] and ix._store.feature_count() == 0
        # the id is free again, with other features
        ix.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0, features=feature_rows[:1])
        assert [t for t, _ in ix.local_features("b")] == [feature_rows[0][0]]


def test_a_writer_elsewhere_is_seen(tmp_path: Path, feature_rows: list[tuple[float, bytes]]) -> None:
    """A reader's cached features follow removals and re-adds by another connection."""
    p = tmp_path / "ix.db"
    with FootageIndex(p, mode="c") as writer, FootageIndex(p, mode="r") as reader:
        writer.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0, features=feature_rows)
        reader.search(clip_fingerprint(2))
        assert len(reader.local_features("b")) == 3
        writer.remove("b")
        writer.add_fingerprint(clip_fingerprint(2), footage_id="b", published_at=T0, features=feature_rows[:1])
        reader.search(clip_fingerprint(2))  # brings the reader up to date with the change log
        assert len(reader.local_features("b")) == 1


@pytest.mark.parametrize("bad", [
    [(0.0, b"PVLF not features")],
    [(0.0, "text")],
    [(float("nan"), None)],
    [1.0, 2.0],
    b"PVLF",
])
def test_bad_features_are_refused_and_nothing_written(location: str, bad: object) -> None:
    with FootageIndex(location, mode="c") as ix:
        with pytest.raises(InvalidArgumentError):
            ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, features=bad)  # type: ignore[arg-type]
        assert len(ix) == 0 and ix._store.feature_count() == 0


def test_too_many_or_repeated_feature_rows_are_refused(location: str, feature_rows: list[tuple[float, bytes]]) -> None:
    data = feature_rows[0][1]
    with FootageIndex(location, mode="c") as ix:
        with pytest.raises(InvalidArgumentError, match="at most"):
            ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0,
                               features=[(float(i), data) for i in range(MAX_THUMBNAILS_PER_ITEM + 1)])
        with pytest.raises(InvalidArgumentError, match="same time"):
            ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, features=[(1.0, data), (1.0, data)])
        assert len(ix) == 0


def test_a_damaged_stored_row_names_its_footage(tmp_path: Path, feature_rows: list[tuple[float, bytes]]) -> None:
    p = tmp_path / "ix.db"
    with FootageIndex(p, mode="c") as ix:
        ix.add_fingerprint(clip_fingerprint(1), footage_id="a", published_at=T0, features=feature_rows)
    con = sqlite3.connect(p)
    con.execute("UPDATE features SET data = substr(data, 1, 40) WHERE time_s = ?", (feature_rows[1][0],))
    con.commit()
    con.close()
    with FootageIndex(p, mode="r") as ix:
        with pytest.raises(CorruptIndexError, match="'a'") as err:
            ix.local_features("a")
        assert err.value.footage_id == "a"


def test_frame_features_describe_the_uncropped_frames(clip: Path) -> None:
    frames = [(f.time_s, f.image) for f in iter_video_frames(clip, times_s=[0.0, 1.0, 2.0, 3.0, 4.0],
                                                             include_keyframes=False)]
    rows = frame_features(frames)
    assert [t for t, _ in rows] == [frames[0][0], frames[2][0], frames[4][0]]  # one per ~2 s
    first = LocalFeatures.from_bytes(rows[0][1])
    direct = local_features(frames[0][1])
    assert first.size == direct.size == (frames[0][1].shape[1], frames[0][1].shape[0])
    np.testing.assert_array_equal(first.desc, direct.desc)
