"""Fixed cameras and static scenes (issue 18): a copy of the same moments matches with its moment
resolved, a later stretch of the same camera does not, and a copy of a scene where nothing moves
says only that it is the same camera view."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from provenance.hashing.fingerprinting import INDEX_FPS, fingerprint, reference_rows
from provenance.matching.candidates import CandidateTable
from provenance.matching.match import MATCH_THRESHOLD, Match, match_fingerprint
from provenance.media.tools import find_ffmpeg

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")

_FIT = "scale='min(640,iw)':-2,setsar=1,scale=trunc(iw/2)*2:trunc(ih/2)*2"
_X264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-an", "-r", "25"]

# camera: (corpus file, reference end [s], copy start [s], later stretch start [s])
CAMERAS = {
    "street": ("footage/street_security-cam_cars.mp4", 21.0, 5.5, 23.0),
    "parking": ("footage/parking-lot_overhead_cars.mp4", 17.0, 3.5, 19.0),
    "trafficcam": ("footage/trafficcam_burned-in-timestamp_hq.avi", 17.0, 3.5, 19.0),
    "freeway": ("footage/freeway_overhead_multilane.avi", 18.0, 4.0, 20.0),
}


def _ff(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-v", "error", "-y", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def cams(tmp_path_factory) -> dict[str, tuple[CandidateTable, Path, Path]]:
    """Per camera: an index of its first stretch, a Telegram-style 480p copy of 10 s inside it,
    and a 480p copy of a later, non-indexed stretch."""
    d = tmp_path_factory.mktemp("fixed")
    out = {}
    for name, (rel, ref_end, copy_at, later_at) in CAMERAS.items():
        ref, copy, later = d / f"{name}_ref.mp4", d / f"{name}_copy.mp4", d / f"{name}_later.mp4"
        _ff("-i", str(CORPUS / rel), "-t", str(ref_end), "-vf", _FIT, *_X264, "-crf", "18", str(ref))
        _ff("-ss", str(copy_at), "-i", str(ref), "-t", "10", "-vf", "scale=-2:480", *_X264, "-crf", "30", str(copy))
        _ff("-ss", str(later_at), "-i", str(CORPUS / rel), "-t", "10", "-vf", _FIT + ",scale=-2:480", *_X264,
            "-crf", "30", str(later))
        table = CandidateTable(32)
        table.add(name, *reference_rows(fingerprint(ref, variants=False, fps=INDEX_FPS)))
        out[name] = (table, copy, later)
    return out


@pytest.mark.parametrize("name", sorted(CAMERAS))
def test_copy_of_a_fixed_camera_matches_its_moment(name, cams):
    table, copy, _ = cams[name]
    ms = match_fingerprint(fingerprint(copy), table)
    assert ms and ms[0].footage_id == name, ms
    m = ms[0]
    assert m.time_resolved and m.kind == "moments"
    assert abs(m.ref_start_s - (m.query_start_s + CAMERAS[name][2])) <= 0.5
    assert "re-use seconds" in m.describe()


@pytest.mark.parametrize("name", sorted(CAMERAS))
def test_later_stretch_of_the_same_camera_is_no_time_match(name, cams):
    """Other moments of the same camera: never a time-resolved match (the parking lot's later,
    emptier stretch scored 0.736 before)."""
    table, _, later = cams[name]
    ms = match_fingerprint(fingerprint(later), table)
    assert not [m for m in ms if m.time_resolved], ms


def test_static_scene_copy_is_a_scene_only_match(tmp_path):
    """A camera view where nothing moves: the copy is recognised as the same view, but which
    moment it shows is not resolved, and the match says so."""
    rel = CAMERAS["parking"][0]
    ref, copy = tmp_path / "still_ref.mp4", tmp_path / "still_copy.mp4"
    # 20 s of one frame of the real parking camera with sensor noise: a scene with no motion
    _ff("-ss", "2", "-i", str(CORPUS / rel), "-frames:v", "1", str(tmp_path / "frame.png"))
    _ff("-loop", "1", "-i", str(tmp_path / "frame.png"), "-t", "20", "-vf", "noise=alls=6:allf=t," + _FIT,
        *_X264, "-crf", "20", str(ref))
    _ff("-ss", "6", "-i", str(ref), "-t", "8", "-vf", "scale=-2:360", *_X264, "-crf", "30", str(copy))
    table = CandidateTable(32)
    table.add("lot", *reference_rows(fingerprint(ref, variants=False, fps=INDEX_FPS)))
    ms = match_fingerprint(fingerprint(copy), table)
    assert ms and ms[0].footage_id == "lot", ms
    m = ms[0]
    assert not m.time_resolved and m.kind == "scene" and m.score >= MATCH_THRESHOLD
    assert m.describe() == "the same fixed camera view as known footage lot; which moment is not resolved"
    assert m.to_dict()["time_resolved"] is False


def test_moment_contrast_needs_the_line_to_beat_other_moments():
    """The line test alone: a query whose frames follow the reference's changes is resolved; the
    same frames against a reference where every moment looks alike are not."""
    from provenance.hashing import Fingerprint
    from provenance.matching.match import _moment_check

    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, 32, dtype=np.uint8)

    def flip(h: np.ndarray, bits: np.ndarray) -> np.ndarray:
        b = np.unpackbits(h).copy()
        b[bits] ^= 1
        return np.packbits(b)

    # a background plus a moving object: each moment flips its own 10 of the 256 bits
    moving = np.stack([flip(base, rng.choice(256, 10, replace=False)) for _ in range(80)])
    tr = np.arange(80) * 0.25
    table = CandidateTable(32)
    table.add("cam", tr, moving)
    q = Fingerprint(tr[20:40] - tr[20], moving[20:40])
    chk = _moment_check(q, table, "cam", (1.0,), tr)
    assert chk is not None and chk.contrast == 1.0 and abs(chk.offset - tr[20]) < 0.2
    static = np.stack([flip(base, rng.choice(256, 1, replace=False)) for _ in range(80)])
    table2 = CandidateTable(32)
    table2.add("cam", tr, static)
    q2 = Fingerprint(tr[20:40] - tr[20], static[20:40])
    chk2 = _moment_check(q2, table2, "cam", (1.0,), tr)
    assert chk2 is not None and chk2.contrast == 0.0 and chk2.static == 1.0


def test_match_fields_default_to_a_resolved_moment():
    m = Match("x", 0.9, 0.0, 1.0, 2.0, 3.0, 1.0, "original", 3)
    assert m.time_resolved and m.kind == "moments"
    assert "scene-only" not in repr(m)
