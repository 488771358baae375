"""Fixed cameras seen through an edit (issue 18): the moment test compares the query view that undoes
the edit (a caption fill, a fitted crop) and counts a sub-clip's share among the frames that show the
camera. Real corpus footage, edited with ffmpeg as re-uploaders do."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provenance.hashing.fingerprinting import INDEX_FPS, fingerprint, reference_rows
from provenance.matching.candidates import CandidateTable
from provenance.matching.match import MATCH_THRESHOLD, match_fingerprint
from provenance.media.tools import find_ffmpeg

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")

_FIT = "scale='min(640,iw)':-2,setsar=1,scale=trunc(iw/2)*2:trunc(ih/2)*2"
_X264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-an", "-r", "25"]
# a news-style caption box over the bottom of the picture (as benchmarks/copy_detection.py draws it)
_CAPTION = ("drawbox=x=0:y=ih*0.78:w=iw:h=ih*0.16:color=black@0.7:t=fill,"
            "drawbox=x=iw*0.1:y=ih*0.81:w=iw*0.5:h=ih*0.04:color=white:t=fill,"
            "drawbox=x=iw*0.1:y=ih*0.87:w=iw*0.7:h=ih*0.04:color=white:t=fill")
# camera: (corpus file, reference end [s], copy start [s], later stretch start [s])
CAMERAS = {
    "parking": ("footage/parking-lot_overhead_cars.mp4", 17.0, 3.5, 19.0),
    "trafficcam": ("footage/trafficcam_burned-in-timestamp_hq.avi", 17.0, 3.5, 19.0),
}


def _ff(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-v", "error", "-y", *args], check=True, capture_output=True)


def _index(name: str, path: Path) -> CandidateTable:
    table = CandidateTable(32)
    table.add(name, *reference_rows(fingerprint(path, variants=False, fps=INDEX_FPS)))
    return table


@pytest.mark.parametrize("name", sorted(CAMERAS))
def test_captioned_copy_of_a_fixed_camera_resolves_its_moment(name, tmp_path):
    """A caption box covers the bottom of the picture: the copy still matches its own moment, and a
    later stretch of the same camera under the same caption is never a time-resolved match."""
    rel, ref_end, copy_at, later_at = CAMERAS[name]
    ref, copy, later = tmp_path / "ref.mp4", tmp_path / "copy.mp4", tmp_path / "later.mp4"
    _ff("-i", str(CORPUS / rel), "-t", str(ref_end), "-vf", _FIT, *_X264, "-crf", "18", str(ref))
    _ff("-ss", str(copy_at), "-i", str(ref), "-t", "10", "-vf", _CAPTION, *_X264, "-crf", "23", str(copy))
    _ff("-ss", str(later_at), "-i", str(CORPUS / rel), "-t", "10", "-vf", _FIT + "," + _CAPTION, *_X264,
        "-crf", "23", str(later))
    table = _index(name, ref)
    ms = match_fingerprint(fingerprint(copy), table)
    assert ms and ms[0].footage_id == name and ms[0].time_resolved, ms
    m = ms[0]
    assert abs(m.ref_start_s - (m.query_start_s + copy_at)) <= 0.5, m
    assert not [m for m in match_fingerprint(fingerprint(later), table) if m.time_resolved]


@pytest.fixture(scope="module")
def still_view(tmp_path_factory) -> tuple[Path, CandidateTable]:
    """20 s of one frame of the real parking camera with sensor noise (a view where nothing moves),
    indexed."""
    d = tmp_path_factory.mktemp("still_view")
    _ff("-ss", "2", "-i", str(CORPUS / CAMERAS["parking"][0]), "-frames:v", "1", str(d / "frame.png"))
    ref = d / "ref.mp4"
    _ff("-loop", "1", "-i", str(d / "frame.png"), "-t", "20", "-vf", "noise=alls=6:allf=t," + _FIT,
        *_X264, "-crf", "20", str(ref))
    return ref, _index("lot", ref)


def test_cropped_mirrored_copy_of_a_still_view_is_a_scene_match(still_view, tmp_path):
    """Cropped by 10% and mirrored, no frame of the copy is near the footage's frames as it is; the
    crop fitted to the mirrored copy is, so the copy is recognised as the same camera view (the
    moment stays unresolved: nothing moves)."""
    ref, table = still_view
    copy = tmp_path / "crop_mirror.mp4"
    _ff("-ss", "6", "-i", str(ref), "-t", "8", "-vf", "crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2,hflip",
        "-c:v", "libx264", "-crf", "32", "-pix_fmt", "yuv420p", "-an", str(copy))
    ms = match_fingerprint(fingerprint(copy), table)
    assert ms and ms[0].footage_id == "lot" and ms[0].score >= MATCH_THRESHOLD, ms
    m = ms[0]
    assert not m.time_resolved and m.kind == "scene" and m.variant.startswith("fitted_crop_mirror"), m


def test_still_view_between_other_footage_is_a_scene_match(still_view, tmp_path):
    """5 s of the camera between 4 s stretches of unrelated footage: fewer than half of the clip's
    frames show the camera, but all of those that do are near-identical to it."""
    ref, table = still_view
    other = CORPUS / "footage" / "dashcam_highway_solidWhiteRight.mp4"
    clip = tmp_path / "between.mp4"
    fc = ("[1:v][0:v]scale2ref=w=iw:h=ih[o][r];[o]fps=25,setsar=1,split[o1][o2];"
          "[o1]trim=0:4,setpts=PTS-STARTPTS[a];[o2]trim=4:8,setpts=PTS-STARTPTS[c];"
          "[r]trim=6:11,setpts=PTS-STARTPTS,fps=25,setsar=1[b];[a][b][c]concat=n=3:v=1:a=0")
    _ff("-i", str(ref), "-i", str(other), "-filter_complex", fc, *_X264, "-crf", "23", str(clip))
    fp = fingerprint(clip)
    ms = match_fingerprint(fp, table)
    assert ms and ms[0].footage_id == "lot", ms
    m = ms[0]
    assert not m.time_resolved and m.kind == "scene" and m.score >= MATCH_THRESHOLD, m
    assert 3.5 <= m.query_start_s and m.query_end_s <= 9.5, m  # the camera's stretch of the clip
    assert m.describe() == "the same fixed camera view as known footage lot; which moment is not resolved"


def test_unrelated_footage_is_no_scene_match(still_view, tmp_path):
    """The same unrelated footage alone matches nothing: the scene rule needs near-identical frames."""
    _, table = still_view
    clip = tmp_path / "other.mp4"
    _ff("-i", str(CORPUS / "footage" / "dashcam_highway_solidWhiteRight.mp4"), "-t", "8", "-vf", _FIT, *_X264, "-crf", "23", str(clip))
    assert match_fingerprint(fingerprint(clip), table) == []
