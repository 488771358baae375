"""Geometric verification end to end (provenance.matching.verify): an index's search confirms turned,
inset and shrunk copies of real footage on local features, and never a fixed camera's other moments,
a later stretch of the same scene, or unrelated footage.

Queries are made with ffmpeg (imageio-ffmpeg's binary) from real corpus clips.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from provenance.errors import InvalidArgumentError
from provenance.hashing.features import LocalFeatures
from provenance.hashing.fingerprinting import fingerprint
from provenance.index import FootageIndex
from provenance.matching.match import MATCH_THRESHOLD, match_fingerprint
from provenance.matching.verify import (
    is_fixed_view,
    query_features,
    rectify,
    verified_score,
    verify_candidate,
)
from provenance.media.tools import find_ffmpeg

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")

T0 = datetime(2020, 8, 16, tzinfo=timezone.utc)
DASHCAM = CORPUS / "footage" / "dashcam_highway_solidWhiteRight.mp4"  # a moving camera, 8.8 s
DRONE = CORPUS / "metadata" / "gopro_hero5_karma_drone.mp4"  # a moving drone
TRAFFIC = CORPUS / "footage" / "trafficcam_burned-in-timestamp_hq.avi"  # a fixed camera
PARKING = CORPUS / "footage" / "parking-lot_overhead_cars.mp4"  # a fixed camera on a plain, low-texture lot
_ENC = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p", "-an", "-r", "25"]


def _ff(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-y", "-v", "error", *args], check=True, capture_output=True)


def _cut(src: Path, start: float, dur: float, out: Path, vf: str = "null") -> Path:
    _ff("-ss", f"{start:.2f}", "-t", f"{dur:.2f}", "-i", str(src), "-vf", f"{vf},scale=640:-2,setsar=1", *_ENC,
        str(out))
    return out


def _turn(deg: float) -> str:
    """Turned by ``deg`` degrees with black corners (the picture keeps its size)."""
    return f"rotate={deg}*PI/180:c=black"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> FootageIndex:
    d = tmp_path_factory.mktemp("verify")
    ix = FootageIndex(d / "ix.db", mode="c")
    ix.add(DASHCAM, footage_id="dashcam", published_at=T0)
    ix.add(_cut(DRONE, 0.0, 9.0, d / "drone_ref.mp4"), footage_id="drone", published_at=T0)
    ix.add(_cut(TRAFFIC, 0.0, 12.0, d / "traffic_ref.mp4"), footage_id="traffic", published_at=T0)
    yield ix
    ix.close()


def test_a_turned_copy_is_confirmed_on_local_features(index: FootageIndex, tmp_path: Path) -> None:
    q = _cut(DASHCAM, 1.0, 6.0, tmp_path / "turned.mp4", _turn(5))
    fp = fingerprint(q)
    hashes_only = [m for m in match_fingerprint(fp, index.candidate_table()) if m.footage_id == "dashcam"]
    matches = [m for m in index.search(fp) if m.footage_id == "dashcam"]
    assert matches, "the turned copy was not found"
    m = matches[0]
    assert m.score >= MATCH_THRESHOLD and m.time_resolved
    if not hashes_only:  # the hashes miss a 5 deg turn with black corners: verification carried it
        assert m.verified_frames >= 2 and "verified" in m.variant
        # the median over a few frames of 320 px pictures: within 2.5 deg of the turn
        assert 2.5 <= abs(m.rotation_deg) <= 7.5 and 0.85 <= m.scale <= 1.15
        assert "confirmed on local features" in m.describe() and "turned about" in m.describe()
    # on the right moment: query second t shows dashcam second t + 1
    assert abs((m.ref_start_s - m.query_start_s) - 1.0) <= 1.2


def test_a_small_inset_is_confirmed_with_its_scale(index: FootageIndex, tmp_path: Path) -> None:
    """The drone footage at 45 % of the width, turned 4 deg, over the dashcam clip: the region search
    may or may not cut it out, local features find it either way and say how big it is."""
    bg = _cut(DASHCAM, 0.0, 6.0, tmp_path / "bg.mp4")
    inset = _cut(DRONE, 1.0, 6.0, tmp_path / "inset.mp4", _turn(4))
    q = tmp_path / "pip.mp4"
    _ff("-i", str(bg), "-i", str(inset), "-filter_complex",
        "[1:v]scale=288:-2[s];[0:v][s]overlay=x=W-w-16:y=16", *_ENC, str(q))
    matches = [m for m in index.search(q) if m.footage_id == "drone"]
    assert matches and matches[0].score >= MATCH_THRESHOLD
    m = matches[0]
    if m.verified_frames:
        assert 0.3 <= m.scale <= 0.6 and 2.0 <= abs(m.rotation_deg) <= 6.0
        assert "the size of this clip's picture" in m.describe()


def test_a_fixed_camera_at_another_time_is_never_confirmed(index: FootageIndex, tmp_path: Path) -> None:
    """A later, turned stretch of the indexed traffic camera shows the same scene: its geometry fits
    the footage's frames, but no moment of it is in the footage."""
    q = _cut(TRAFFIC, 14.0, 6.0, tmp_path / "later.mp4", _turn(3))
    fp = fingerprint(q)
    assert is_fixed_view(index.local_features("traffic"))
    for m in index.search(fp):
        assert m.footage_id != "traffic" or not m.time_resolved, m
        assert m.verified_frames == 0


def test_a_turned_copy_of_a_fixed_camera_is_found_at_its_moment(index: FootageIndex, tmp_path: Path) -> None:
    """Seconds 3-9 of the indexed traffic camera, turned 5 deg with black corners: the hashes miss it,
    and a fixed view is never verified on local features alone; mapped back onto the footage's
    picture, its frames single out their moments (the cars, the burned-in clock)."""
    q = _cut(TRAFFIC, 3.0, 6.0, tmp_path / "turned_traffic.mp4", _turn(5))
    fp = fingerprint(q)
    assert is_fixed_view(index.local_features("traffic"))
    assert not [m for m in match_fingerprint(fp, index.candidate_table()) if m.footage_id == "traffic"]
    matches = [m for m in index.search(fp) if m.footage_id == "traffic"]
    assert matches, "the turned copy of the fixed camera was not found"
    m = matches[0]
    assert m.time_resolved and m.variant == "rectified" and m.verified_frames >= 2
    assert abs((m.ref_start_s - m.query_start_s) - 3.0) <= 0.5  # query second t is traffic second t + 3
    assert 3.0 <= abs(m.rotation_deg) <= 7.0
    assert "mapped back onto the footage's picture" in m.describe()


def test_rectify_undoes_a_known_map() -> None:
    """A real frame moved by a known map comes back where it was, at the analysed size."""
    frame = fingerprint(DASHCAM).detail_frames[0]
    h, w = frame.shape
    dx, dy = 7, 4
    moved = np.zeros_like(frame)
    moved[dy:, dx:] = frame[:h - dy, :w - dx]  # query px = footage px + (dx, dy)
    empty = np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8)
    same = LocalFeatures(*empty, size=(w, h))
    shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])
    back = rectify(moved, same, same, shift)
    assert back.shape == (h, w)
    assert np.array_equal(back[:h - dy, :w - dx], frame[:h - dy, :w - dx])
    # the query analysed at half its size: the identity map samples each 2 x 2 block's centre
    half = LocalFeatures(*empty, size=(w // 2, h // 2))
    small = rectify(frame, half, half, np.eye(3))
    blocks = frame[:h // 2 * 2, :w // 2 * 2].reshape(h // 2, 2, w // 2, 2).astype(float).mean(axis=(1, 3))
    assert small.shape == (h // 2, w // 2) and np.abs(small - blocks).max() <= 1.0
    with pytest.raises(InvalidArgumentError):
        rectify(np.zeros((4, 4, 3), np.uint8), same, same, shift)
    with pytest.raises(InvalidArgumentError):
        rectify(frame, same, same, np.full((3, 3), np.nan))


def test_a_low_texture_fixed_camera_is_a_fixed_view(index: FootageIndex, tmp_path: Path) -> None:
    """The overhead parking lot finds too few keypoints in some frames for their pairs to verify; the
    pairs that do verify map unmoved, so it is a fixed view, and its later stretch (seconds 16-22)
    is never confirmed at a moment of the indexed seconds 0-16."""
    index.add(_cut(PARKING, 0.0, 16.0, tmp_path / "parking_ref.mp4"), footage_id="parking", published_at=T0)
    try:
        assert is_fixed_view(index.local_features("parking"))
        later = fingerprint(_cut(PARKING, 16.0, 6.0, tmp_path / "parking_later.mp4", "crop=iw*0.9:ih*0.9"))
        for m in index.search(later):
            assert m.footage_id != "parking" or not m.time_resolved, m
    finally:
        index.remove("parking")


def test_a_later_stretch_of_a_moving_camera_is_not_confirmed(index: FootageIndex, tmp_path: Path) -> None:
    """The drone's flight right after the indexed stretch: its first frames resemble the footage's
    last one, but no line in time reaches two of the footage's frames."""
    q = _cut(DRONE, 9.5, 6.0, tmp_path / "after.mp4", _turn(4))
    assert not is_fixed_view(index.local_features("drone"))
    assert [m for m in index.search(q) if m.footage_id == "drone"] == []


def test_unrelated_footage_is_not_confirmed(index: FootageIndex, tmp_path: Path) -> None:
    q = _cut(CORPUS / "footage" / "park_street_bus_1080p.mp4", 0.0, 6.0, tmp_path / "bus.mp4", _turn(5))
    assert index.search(q) == []


def test_verify_candidate_rules_on_real_features(index: FootageIndex, tmp_path: Path) -> None:
    ref = index.local_features("dashcam")
    fp = fingerprint(_cut(DASHCAM, 0.0, 8.0, tmp_path / "plain.mp4", _turn(5)))
    query = query_features(fp)
    # without a line from the hashes: every query frame against the stored frames the hints point at
    chk = verify_candidate(query, ref, hint_times_s=np.array([t for t, _ in ref]))
    assert chk.verified and len(chk.pairs) >= 2 and not chk.fixed_view
    assert all(abs(p.ref_time_s - p.query_time_s) <= 1.5 for p in chk.pairs)  # the same moments
    assert len({p.ref_time_s for p in chk.pairs}) >= 2
    # one stored frame repeated as the whole query (a still shot of the last moment): one stored
    # frame reached, so no line in time
    last = query[-1][1]
    frozen = [(t, last) for t in (0.0, 2.0, 4.0, 6.0)]
    assert not verify_candidate(frozen, ref, hint_times_s=np.array([t for t, _ in ref])).verified
    assert verify_candidate([], ref).compared == 0 and not verify_candidate(query, []).verified
    assert verified_score(2) >= MATCH_THRESHOLD > verified_score(1)


def test_wrong_arguments_are_refused(index: FootageIndex) -> None:
    from provenance.hashing import Fingerprint

    ref = index.local_features("dashcam")
    for bad in ([(0.0, b"not features")], [("soon", ref[0][1])], [(float("nan"), ref[0][1])], ref[::-1], 5):
        with pytest.raises(InvalidArgumentError):
            verify_candidate(bad, ref)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError):
            is_fixed_view(bad)  # type: ignore[arg-type]
    fp = fingerprint(DASHCAM)
    with pytest.raises(InvalidArgumentError, match="callable"):
        match_fingerprint(fp, index.candidate_table(), reference_features={"dashcam": ref})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        Fingerprint(fp.times_s, fp.hashes, detail_frames=fp.detail_frames)  # times missing
    with pytest.raises(InvalidArgumentError):
        Fingerprint(fp.times_s, fp.hashes, detail_frames=fp.detail_frames.astype(np.float32),
                    detail_times_s=fp.detail_times_s)
