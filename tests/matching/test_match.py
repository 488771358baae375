"""Tests of known-footage matching (provenance.matching.match) against corpus truth and transforms."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from provenance.errors import InvalidArgumentError, UnsupportedMediaError
from provenance.frames import select_frames
from provenance.hashing import Fingerprint
from provenance.hashing.fingerprinting import (
    INDEX_FPS,
    REFERENCE_VARIANT_TIME_STEP_S,
    fingerprint,
    reference_rows,
    split_reference_times,
)
from provenance.matching.candidates import CandidateTable
from provenance.matching.match import MATCH_THRESHOLD, Match, match_fingerprint
from provenance.media.tools import find_ffmpeg

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not available")

REFS = {
    "chair": "footage/chair_orig-22_sd.mp4",
    "pattern": "footage/pattern_hd.mp4",
    "highway": "footage/highway_overhead_640x360.avi",
    "trafficcam": "footage/trafficcam_burned-in-timestamp_hq.avi",
    "dashcam": "footage/dashcam_highway_solidWhiteRight.mp4",
    "ipad": "metadata/apple_ipadmini_hevc.mov",
}


@pytest.fixture(scope="module")
def table() -> CandidateTable:
    t = CandidateTable(32)
    for fid, rel in REFS.items():
        fp = fingerprint(CORPUS / rel, variants=False, fps=INDEX_FPS)
        t.add(fid, *reference_rows(fp))
    return t


def _best(path: Path, table: CandidateTable) -> list[Match]:
    return match_fingerprint(fingerprint(path), table)


# ---------------------------------------------------------------- corpus ground truth
@pytest.mark.parametrize("query, ref, offset_s", [
    ("footage/chair_22_grey.mp4", "chair", 0.0),
    ("footage/chair_22_sepia.mp4", "chair", 0.0),
    ("footage/chair_22_small-logo.mp4", "chair", 0.0),
    ("footage/chair_22_large-logo.mp4", "chair", 0.0),
    ("footage/chair_22_trim-2.0s.mp4", "chair", 2.0),
    ("footage/chair_22_trim-3.7s.mp4", "chair", 3.7),
    ("footage/pattern_sd_grey.mp4", "pattern", 0.0),
    ("footage/pattern_sd_small-logo.mp4", "pattern", 0.0),
    ("footage/highway_overhead_320x176.avi", "highway", 0.0),
    ("footage/trafficcam_burned-in-timestamp.avi", "trafficcam", 0.0),
    ("footage/dashcam_highway_solidWhiteRight_frame.jpg", "dashcam", 0.72),
    ("metadata/apple_coremedia_export_avc.mp4", "ipad", 0.0),
])
def test_corpus_ground_truth(query, ref, offset_s, table):
    ms = _best(CORPUS / query, table)
    assert ms and ms[0].footage_id == ref, ms
    m = ms[0]
    assert m.score >= MATCH_THRESHOLD
    assert abs(m.ref_start_s - (m.query_start_s + offset_s)) <= 0.5
    assert m.speed == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("query", ["footage/doorknob_hd.mp4", "footage/highway_roadside.avi",
                                   "footage/dashcam_highway_test_video_1.5s.mp4"])
def test_corpus_distractors_do_not_match(query, table):
    assert _best(CORPUS / query, table) == []


@pytest.mark.parametrize("query", sorted(str(p.relative_to(CORPUS)) for p in (CORPUS / "stills").glob("*.jpg"))
                         + ["metadata/afp_c2pa_signed.jpg"])
def test_corpus_distractor_stills_do_not_match(query, table):
    try:
        fp = fingerprint(CORPUS / query)
    except UnsupportedMediaError:  # an 8 x 8 stub: nothing to hash is no match either
        return
    assert match_fingerprint(fp, table) == []


def test_still_rule_needs_a_distinct_moment():
    """A one-frame query matches only when its frame is near one moment and not the others."""
    from provenance.matching.match import STILL_EVIDENCE, _still_evidence

    tr = np.array([0.0, 0.25, 3.0, 6.0])
    ev, i = _still_evidence(np.array([30.0, 8.0, 60.0, 70.0]), tr, 89.0)   # a moving scene
    assert i == 1 and ev == pytest.approx(STILL_EVIDENCE)
    ev, _ = _still_evidence(np.array([30.0, 8.0, 10.0, 11.0]), tr, 89.0)   # a static camera
    assert ev == 0.0
    ev, _ = _still_evidence(np.array([30.0, 8.0, 60.0, 70.0]), tr, 9.0)    # another footage as close
    assert ev == 0.0
    ev, _ = _still_evidence(np.array([30.0, 24.0, 80.0, 80.0]), tr, 89.0)  # too far from every frame
    assert ev == 0.0


# ---------------------------------------------------------------- generated transforms
def _ff(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-y", "-v", "error", *args], check=True, capture_output=True)


_ENC = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-pix_fmt", "yuv420p", "-an"]
_EVEN = "scale=trunc(iw/2)*2:trunc(ih/2)*2"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """An 8 s low-resolution reference cut from the chair clip, its index, and an unrelated filler."""
    d = tmp_path_factory.mktemp("transforms")
    ref = d / "ref.mp4"
    _ff("-ss", "4", "-i", str(CORPUS / "footage/chair_orig-22_sd.mp4"), "-t", "8", "-vf", "scale=-2:360",
        "-r", "25", *_ENC, "-g", "50", str(ref))
    filler = d / "filler.mp4"
    _ff("-i", str(CORPUS / "footage/doorknob_hd.mp4"), "-t", "4", "-vf", "scale=240:360,setsar=1", "-r", "25",
        *_ENC, str(filler))
    t = CandidateTable(32)
    fp = fingerprint(ref, variants=False, fps=INDEX_FPS)
    t.add("chair8", *reference_rows(fp))
    hw = fingerprint(CORPUS / REFS["highway"], variants=False, fps=INDEX_FPS)
    t.add("highway", *reference_rows(hw))
    return d, ref, filler, t


# family -> (filter chain, truth speed, truth offset [s])
FAMILIES = {
    "reencode": (None, 1.0, 0.0),
    "downscale": ("scale=-2:180", 1.0, 0.0),
    "framerate": ("fps=15", 1.0, 0.0),
    "crop": ("crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2", 1.0, 0.0),
    "letterbox": ("pad=w=trunc(iw*1.5/2)*2:h=ih:x=(ow-iw)/2:y=0:color=black", 1.0, 0.0),
    "reframe916": ("split[a][b];[a]scale=360:640,boxblur=20[bg];[b]scale=360:-2[fg];"
                   "[bg][fg]overlay=(W-w)/2:(H-h)/2", 1.0, 0.0),
    "mirror": ("hflip", 1.0, 0.0),
    "logo": ("drawbox=x=iw*0.2:y=ih*0.25:w=iw*0.6:h=ih*0.5:color=white@0.35:t=fill", 1.0, 0.0),
    "caption": ("drawbox=x=0:y=ih*0.8:w=iw:h=ih*0.14:color=black@0.7:t=fill", 1.0, 0.0),
    "colour": ("hue=s=0,eq=contrast=1.3:gamma=1.2", 1.0, 0.0),
    "blurnoise": ("gblur=sigma=2,noise=alls=20:allf=t", 1.0, 0.0),
    "speed": ("setpts=PTS/1.5", 1.5, 0.0),
    "screenrec": ("scale=trunc(iw*0.6/2)*2:-2,pad=w=trunc(iw/0.6/2)*2:h=trunc(ih/0.6/2)*2:x=(ow-iw)/2:"
                  "y=(oh-ih)/2:color=0x202020,drawbox=x=0:y=0:w=iw:h=ih*0.07:color=0x3a3a3a:t=fill", 1.0, 0.0),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_transform_family_is_matched(family, small):
    d, ref, _, t = small
    vf, speed, offset = FAMILIES[family]
    out = d / f"{family}.mp4"
    if vf is None:
        _ff("-i", str(ref), "-c:v", "mpeg4", "-b:v", "150k", "-an", str(out))
    else:
        _ff("-i", str(ref), "-filter_complex", vf + "," + _EVEN, *_ENC, str(out))
    ms = match_fingerprint(fingerprint(out), t)
    assert ms and ms[0].footage_id == "chair8", (family, ms)
    m = ms[0]
    assert abs(m.ref_start_s - (speed * m.query_start_s + offset)) <= 0.5
    assert m.speed == pytest.approx(speed, rel=0.1)
    if family == "mirror":
        assert m.variant == "mirror"


def test_trim_reports_offset(small):
    d, ref, _, t = small
    out = d / "trim.mp4"
    _ff("-ss", "2.5", "-i", str(ref), *_ENC, str(out))
    m = match_fingerprint(fingerprint(out), t)[0]
    assert m.footage_id == "chair8" and abs(m.ref_start_s - m.query_start_s - 2.5) <= 0.5


def test_subclip_inside_unrelated_footage_reports_segments(small):
    d, _, filler, t = small
    out = d / "subclip.mp4"
    fc = ("[0:v]trim=3:8,setpts=PTS-STARTPTS,fps=25,setsar=1[c];"
          "[1:v]scale=640:360,setsar=1,split[a][b];[a]trim=0:2,setpts=PTS-STARTPTS[p];"
          "[b]trim=2:4,setpts=PTS-STARTPTS[q];[p][c][q]concat=n=3:v=1:a=0")
    _ff("-i", str(CORPUS / REFS["highway"]), "-i", str(filler), "-filter_complex", fc, *_ENC, str(out))
    ms = match_fingerprint(fingerprint(out), t)
    assert ms and ms[0].footage_id == "highway", ms
    m = ms[0]
    # the copied 5 s sit at query 2-7 s and come from reference 3-8 s
    assert 1.5 <= m.query_start_s <= 3.1 and 5.9 <= m.query_end_s <= 7.5
    assert abs(m.ref_start_s - (m.query_start_s + 1.0)) <= 0.5
    assert abs(m.ref_end_s - (m.query_end_s + 1.0)) <= 0.5


def test_unrelated_transformed_footage_stays_below_threshold(small):
    """Threshold calibration guard: transformed non-indexed clips do not reach the threshold."""
    d, _, filler, t = small
    for i, vf in enumerate(["hflip", "scale=-2:180", "crop=iw*0.8:ih*0.8", "hue=s=0"]):
        out = d / f"neg{i}.mp4"
        _ff("-i", str(filler), "-vf", vf + "," + _EVEN, *_ENC, str(out))
        assert match_fingerprint(fingerprint(out), t) == []
    for rel in ("footage/doorknob_hd.mp4", "footage/bbb_matroska_test1.mkv"):
        near = match_fingerprint(fingerprint(CORPUS / rel), t, threshold=0.0)
        assert all(m.score < MATCH_THRESHOLD for m in near)
    assert 0.0 < MATCH_THRESHOLD < 1.0


# ---------------------------------------------------------------- static camera, crops
@pytest.fixture(scope="module")
def trafficcam(tmp_path_factory):
    """A fixed traffic camera: its first 8 s indexed; a later 8 s stretch is other footage."""
    d = tmp_path_factory.mktemp("static")
    src = CORPUS / "footage/trafficcam_burned-in-timestamp_hq.avi"
    ref, later = d / "ref.mp4", d / "later.mp4"
    _ff("-i", str(src), "-t", "8", "-r", "25", *_ENC, "-g", "50", str(ref))
    _ff("-ss", "18", "-i", str(src), "-t", "8", "-r", "25", *_ENC, "-g", "50", str(later))
    t = CandidateTable(32)
    t.add("cam", *reference_rows(fingerprint(ref, variants=False, fps=INDEX_FPS)))
    return d, ref, later, t


def test_static_camera_later_stretch_is_not_a_match(trafficcam):
    d, _, later, t = trafficcam
    assert match_fingerprint(fingerprint(later), t) == []
    out = d / "later_lowq.mp4"
    _ff("-i", str(later), "-vf", "scale=-2:180," + _EVEN, "-c:v", "mpeg4", "-b:v", "150k", "-an", str(out))
    assert match_fingerprint(fingerprint(out), t) == []


def test_static_camera_true_copy_still_matches(trafficcam):
    d, ref, _, t = trafficcam
    out = d / "copy.mp4"
    _ff("-i", str(ref), "-vf", "scale=-2:180," + _EVEN, "-c:v", "mpeg4", "-b:v", "150k", "-an", str(out))
    ms = match_fingerprint(fingerprint(out), t)
    assert ms and ms[0].footage_id == "cam"
    assert abs(ms[0].ref_start_s - ms[0].query_start_s) <= 0.5


@pytest.mark.parametrize("vf, mirrored", [
    ("crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2", False),     # 20% centred crop
    ("crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2,hflip", True),  # 10% crop, mirrored
])
def test_centred_crop_matches_the_reference_zoom_rows(vf, mirrored, small):
    d, ref, _, t = small
    out = d / f"crop_{int(mirrored)}.mp4"
    _ff("-i", str(ref), "-vf", vf + "," + _EVEN, *_ENC, str(out))
    ms = match_fingerprint(fingerprint(out), t)
    assert ms and ms[0].footage_id == "chair8", ms
    m = ms[0]
    assert abs(m.ref_start_s - m.query_start_s) <= 0.5
    assert ("mirror" in m.variant) == mirrored, m
    if not mirrored:  # a 20% crop is ~120 bits from the full frame: only the zoom rows match it
        assert m.variant.endswith(("+zoom85", "+zoom70")), m


@pytest.mark.parametrize("crop", [
    "trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2:iw*0.15:ih*0.15",  # 20%, shifted 5% to the bottom right
    "trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2:iw*0.12:ih*0.07",  # ... by amounts between grid points
    "iw:trunc(ih*0.9/2)*2:0:0",                             # the bottom 10% cut (a caption, a logo)
    "trunc(iw*0.88/2)*2:ih:iw*0.12:0",                      # 12% off the left only
    "trunc(iw*0.8/2)*2:trunc(ih*0.9/2)*2:iw*0.05:ih*0.1",   # 5% / 15% off the sides, 10% off the top
])
def test_off_centre_crop_is_matched_by_fitting_it(crop, small):
    d, _, _, t = small
    out = d / "offcrop.mp4"
    _ff("-i", str(CORPUS / REFS["highway"]), "-t", "8", "-vf", f"crop={crop}," + _EVEN, *_ENC, str(out))
    ms = match_fingerprint(fingerprint(out), t)
    assert ms and ms[0].footage_id == "highway", ms
    m = ms[0]
    assert abs(m.ref_start_s - m.query_start_s) <= 0.5
    assert m.query_end_s - m.query_start_s >= 3.0, m
    # the crop leaves out more footage on one side than the other: only the footage's centre
    # 70% rows can carry it
    assert m.variant.endswith("+zoom70"), m


def test_mirrored_one_sided_crop_is_matched_by_fitting_the_mirrored_query(small):
    d, _, _, t = small
    out = d / "mirror_offcrop.mp4"
    _ff("-i", str(CORPUS / REFS["highway"]), "-t", "8", "-vf", "crop=iw:trunc(ih*0.88/2)*2:0:0,hflip," + _EVEN,
        *_ENC, str(out))
    ms = match_fingerprint(fingerprint(out), t)
    assert ms and ms[0].footage_id == "highway", ms
    assert abs(ms[0].ref_start_s - ms[0].query_start_s) <= 0.5
    assert ms[0].variant == "fitted_crop_mirror+zoom70", ms[0]


def test_crop_beyond_the_centre_band_is_not_matched(small):
    """A crop keeping the top-left 75% has lost part of the centre 70% band: out of reach."""
    d, _, _, t = small
    out = d / "corner.mp4"
    _ff("-i", str(CORPUS / REFS["highway"]), "-t", "8",
        "-vf", "crop=trunc(iw*0.75/2)*2:trunc(ih*0.75/2)*2:0:0," + _EVEN, *_ENC, str(out))
    assert [m for m in match_fingerprint(fingerprint(out), t) if m.footage_id == "highway"] == []


def _reframe_916(width: int) -> str:
    """A 360 x 640 vertical reframe over blurred fill; the picture scaled to ``width`` px and
    cut to 360 (a zoom-in when ``width`` > 360)."""
    return ("split[a][b];[a]scale=360:640:force_original_aspect_ratio=increase,crop=360:640,boxblur=20[bg];"
            f"[b]scale={width}:-2,crop=min(iw\\,360):ih[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2," + _EVEN)


def test_reframe_of_a_plain_wall_scene_is_cut_and_matched(tmp_path):
    """A 9:16 reframe of the corpus's bottle-conveyor clip: a plain wall and table, so its blurred
    fill is as smooth as the picture; the picture's straight edges give the border."""
    src = CORPUS / "footage/factory_bottles_conveyor.mp4"
    ref, out = tmp_path / "ref.mp4", tmp_path / "reframe.mp4"
    _ff("-i", str(src), "-t", "8", "-vf", "scale=-2:360," + _EVEN, *_ENC, str(ref))
    _ff("-i", str(ref), "-filter_complex", _reframe_916(360), *_ENC, str(out))
    _, borders, _ = select_frames(out)
    # the picture is 360 x 202 in a 360 x 640 frame (decoded at 180 x 320): ~109 px of fill per side
    assert borders.left == borders.right == 0 and abs(borders.top - 109) <= 3 and abs(borders.bottom - 109) <= 3
    t = CandidateTable(32)
    t.add("factory", *reference_rows(fingerprint(ref, variants=False, fps=INDEX_FPS)))
    ms = match_fingerprint(fingerprint(out), t)
    assert ms and ms[0].footage_id == "factory", ms
    assert abs(ms[0].ref_start_s - ms[0].query_start_s) <= 0.5 and ms[0].variant == "original"


def test_reframe_that_zooms_in_is_matched(small):
    d, _, _, t = small
    out = d / "reframe_zoom.mp4"
    _ff("-i", str(CORPUS / REFS["highway"]), "-t", "8", "-filter_complex", _reframe_916(414), *_ENC, str(out))
    ms = match_fingerprint(fingerprint(out), t)
    assert ms and ms[0].footage_id == "highway", ms
    assert abs(ms[0].ref_start_s - ms[0].query_start_s) <= 0.5


def test_reference_rows_round_trip():
    fp = Fingerprint(np.array([0.0, 0.25]), np.zeros((2, 32), np.uint8),
                     variants={"zoom85": np.ones((2, 32), np.uint8)})
    times, hashes = reference_rows(fp)
    assert times.shape == (4,) and hashes.shape == (4, 32)
    assert times[2] == pytest.approx(REFERENCE_VARIANT_TIME_STEP_S)
    back, kind = split_reference_times(times)
    assert np.allclose(back, [0.0, 0.25, 0.0, 0.25]) and kind.tolist() == [0, 0, 1, 1]
    plain = Fingerprint(np.array([0.0]), np.zeros((1, 32), np.uint8))
    assert len(reference_rows(plain)[0]) == 1


# ---------------------------------------------------------------- API
def test_match_value_object_and_argument_checks(table):
    m = Match("x", 0.9, 0.0, 1.0, 2.0, 3.0, 1.0, "original", 3)
    assert m.to_dict()["footage_id"] == "x" and "score=0.900" in repr(m)
    empty = Fingerprint(np.zeros(0), np.zeros((0, 32), np.uint8))
    assert match_fingerprint(empty, table) == []
    with pytest.raises(InvalidArgumentError):
        match_fingerprint(empty, table, threshold=1.5)
    with pytest.raises(InvalidArgumentError):
        match_fingerprint(Fingerprint(np.zeros(1), np.zeros((1, 8), np.uint8)), table)
    with pytest.raises(InvalidArgumentError):
        match_fingerprint("not a fingerprint", table)  # type: ignore[arg-type]


def test_static_stretch_does_not_get_a_fake_speed():
    """Query frames that all sit on one reference moment keep 1x (no slope packs them in)."""
    from provenance.matching.match import _vote

    tq = np.repeat(np.arange(0.0, 3.0, 0.5), 3)           # 6 query frames, 3 candidates each
    tr = np.tile([9.5, 9.75, 10.0], 6)                     # the same static reference moment
    rows = np.repeat(np.arange(6), 3)
    line = _vote(tq, tr, rows, np.ones(tq.size))
    assert line is not None and line.speed == 1.0
    tq2 = np.arange(0.0, 6.0, 0.5)                         # a true 1.5x copy of moving footage
    line2 = _vote(tq2, 1.5 * tq2 + 2.0, np.arange(tq2.size), np.ones(tq2.size))
    assert line2 is not None and line2.speed == pytest.approx(1.5, abs=0.05)


@pytest.mark.parametrize("query, ref, offset_s", [
    ("footage/chair_22_trim-3.7s.mp4", "chair", 3.7),
    ("footage/chair_22_large-logo.mp4", "chair", 0.0),
    ("footage/trafficcam_burned-in-timestamp.avi", "trafficcam", 0.0),
])
def test_seeded_lookup_of_large_indexes_finds_the_corpus_pairs(query, ref, offset_s, table, monkeypatch):
    """Above SEEDED_ABOVE_ROWS matching verifies only seeded footage; these pairs all seed."""
    import provenance.matching.match as matching

    monkeypatch.setattr(matching, "SEEDED_ABOVE_ROWS", 0)
    ms = _best(CORPUS / query, table)
    assert ms and ms[0].footage_id == ref, ms
    assert abs(ms[0].ref_start_s - (ms[0].query_start_s + offset_s)) <= 0.5
    assert _best(CORPUS / "footage/doorknob_hd.mp4", table) == []
