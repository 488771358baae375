"""Budgets come from what is decoded, never from what a header claims (issue 14.1), and stills follow one rule."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

import provenance
from provenance.errors import InvalidArgumentError, MediaTooLargeError, UnsupportedMediaError
from provenance.frames import plan_grid_times
from provenance.media import MediaFile, MediaLimits
from provenance.media.decode import video_layout
from provenance.media.tools import find_ffmpeg

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = datetime(2019, 1, 1, tzinfo=timezone.utc)


def _fuzz():
    spec = importlib.util.spec_from_file_location("provenance_fuzz", ROOT / "benchmarks" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["provenance_fuzz"] = mod
    spec.loader.exec_module(mod)
    return mod


fuzz = _fuzz()


def _ffmpeg(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-y", "-v", "error", *args], check=True, capture_output=True)


# ---------------------------------------------------------------- claimed durations
def test_avi_claiming_171798692_s_is_timed_by_its_packets(corpus, tmp_path):
    src = corpus / "footage" / "trafficcam_burned-in-timestamp.avi"
    bomb = tmp_path / "bomb.avi"
    bomb.write_bytes(fuzz.avi_huge_length(src.read_bytes()))
    real = video_layout(src)
    layout = video_layout(bomb)
    assert layout.claimed_duration_s is not None and layout.claimed_duration_s > 1e6  # the lie is seen...
    assert layout.duration_s == pytest.approx(real.duration_s, abs=0.5)  # ...and not believed
    t = time.perf_counter()
    fp_bomb = provenance.fingerprint(bomb)
    assert time.perf_counter() - t < 120  # the header once drove this to 5.6 GB; now it is a 30 s clip
    fp_real = provenance.fingerprint(src)
    assert fp_bomb.duration_s == pytest.approx(fp_real.duration_s, abs=0.5)
    assert np.allclose(fp_bomb.times_s, fp_real.times_s)


@pytest.mark.parametrize("value", [0, 0xFFFFFFFF])
def test_mp4_with_zero_or_huge_durations_keeps_its_frames(value, corpus, tmp_path):
    src = corpus / "footage" / "chair_orig-22_sd.mp4"
    bad = tmp_path / f"dur_{value}.mp4"
    bad.write_bytes(fuzz.mp4_durations(src.read_bytes(), value))
    ref = provenance.fingerprint(src, variants=False, fps=4.0)
    got = provenance.fingerprint(bad, variants=False, fps=4.0)
    assert len(ref) > 60
    # a zeroed mvhd used to give a keyframe-only fingerprint of 2 frames
    assert len(got) == len(ref) and np.allclose(got.times_s, ref.times_s)
    assert got.duration_s == pytest.approx(ref.duration_s, abs=0.5)


def test_grid_over_a_huge_claimed_duration_is_bounded():
    t = time.perf_counter()
    grid = plan_grid_times([0.0, 1.0], 171_798_692.0, max_gap_s=1.0, max_frames=1200)
    assert time.perf_counter() - t < 5.0
    assert 0 < grid.size <= 1200 and np.all(np.diff(grid) > 0)
    with pytest.raises(InvalidArgumentError):
        plan_grid_times([0.0], float("inf"))


# ---------------------------------------------------------------- stills: pixels checked before decoding
@pytest.mark.parametrize("side", [30000, 60000])
def test_huge_jpeg_is_refused_before_decoding(side, corpus, tmp_path):
    bomb = tmp_path / f"bomb_{side}.jpg"
    bomb.write_bytes(fuzz.jpeg_bomb((corpus / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg").read_bytes(),
                                    side, side))
    db = tmp_path / "known.db"
    idx = provenance.FootageIndex(db, mode="c")
    t = time.perf_counter()
    with pytest.raises(MediaTooLargeError, match=f"{side}x{side}") as info:
        provenance.fingerprint(bomb)
    assert info.value.path == str(bomb)
    with pytest.raises(MediaTooLargeError):
        idx.add(bomb, footage_id="bomb", published_at=PUBLISHED)
    assert len(idx) == 0  # no stored record from a refused input
    idx.close()
    with pytest.raises(MediaTooLargeError):
        provenance.analyze(bomb, index=db)
    assert time.perf_counter() - t < 30  # refused from the header, nothing decoded


@pytest.mark.parametrize("maker", ["png", "gif", "bmp", "tiff", "webp"])
def test_other_still_bombs_are_refused(maker, tmp_path):
    data = {"png": lambda: fuzz.png_bomb(30000, 30000), "gif": fuzz.gif_bomb, "bmp": fuzz.bmp_bomb,
            "tiff": fuzz.tiff_bomb, "webp": fuzz.webp_bomb}[maker]()
    p = tmp_path / f"bomb.{maker}"
    p.write_bytes(data)
    with pytest.raises(MediaTooLargeError):
        provenance.fingerprint(p)


# ---------------------------------------------------------------- caller-raisable budgets
def test_budgets_can_be_lowered_and_raised(corpus):
    jpg = corpus / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg"
    with MediaFile(jpg, limits=MediaLimits(max_pixels=1000)) as m, pytest.raises(MediaTooLargeError, match="max_pixels"):
        provenance.fingerprint(m)
    with MediaFile(jpg, limits=MediaLimits(max_pixels=10**9)) as m:
        assert len(provenance.fingerprint(m)) == 1
    clip = corpus / "footage" / "chair_orig-22_sd.mp4"
    for limits, pattern in ((MediaLimits(max_duration_s=5.0), "max_duration_s"),
                            (MediaLimits(max_frame_pixels=1000), "max_frame_pixels"),
                            (MediaLimits(max_packets=10), "max_packets"),
                            (MediaLimits(max_decoded_frames=10), "max_decoded_frames")):
        with MediaFile(clip, limits=limits) as m, pytest.raises(MediaTooLargeError, match=pattern):
            provenance.fingerprint(m, fps=4.0)


@pytest.mark.parametrize("bad", [dict(max_pixels=0), dict(max_duration_s=float("nan")), dict(max_packets=True),
                                 dict(max_frame_pixels=1.5)])
def test_bad_limits(bad):
    with pytest.raises(InvalidArgumentError, match="MediaLimits"):
        MediaLimits(**bad)


# ---------------------------------------------------------------- one rule for stills, none for empty fingerprints
@pytest.mark.parametrize("ext", [".png", ".gif", ".jpg", ".webp"])
def test_stills_are_footage_everywhere(ext, corpus, tmp_path):
    grab = tmp_path / f"grab{ext}"
    _ffmpeg("-i", str(corpus / "footage" / "dashcam_highway_solidWhiteRight_frame.jpg"), str(grab))
    fp = provenance.fingerprint(grab)
    assert len(fp) == 1 and float(fp.times_s[0]) == 0.0
    db = tmp_path / "known.db"
    idx = provenance.FootageIndex(db, mode="c")
    rec = idx.add(grab, footage_id="grab", published_at=PUBLISHED)
    assert rec.footage_id == "grab" and len(idx) == 1
    idx.close()
    report = provenance.analyze(grab, index=db)
    assert report.keyframe_times_s == (0.0,)
    if ext != ".jpg":  # no metadata parser for these: listed, not fatal
        assert any("no_metadata_parser" in p for p in report.problems)


def test_a_fingerprint_without_frames_is_refused(tmp_path):
    black = tmp_path / "black.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=black:size=320x240:rate=10", "-t", "3", "-pix_fmt", "yuv420p", str(black))
    with pytest.raises(UnsupportedMediaError, match="nothing to fingerprint"):
        provenance.fingerprint(black)
    db = tmp_path / "known.db"
    idx = provenance.FootageIndex(db, mode="c")
    with pytest.raises(UnsupportedMediaError):
        idx.add(black, footage_id="black", published_at=PUBLISHED)
    assert len(idx) == 0
    idx.close()
    report = provenance.analyze(black, index=db)  # the analysis still runs: no match is no evidence
    assert report.matches == () and any(p.startswith("no_frames") for p in report.problems)


def test_heif_stills_are_refused_for_matching_but_analysed(corpus, tmp_path):
    heic = corpus / "stills" / "apple_iphone15pro.heic"
    with MediaFile(heic) as m:
        assert m.heif_brand == "heic" and not m.is_still
    with pytest.raises(UnsupportedMediaError, match="HEIF"):
        provenance.fingerprint(heic)
    db = tmp_path / "known.db"
    idx = provenance.FootageIndex(db, mode="c")
    with pytest.raises(UnsupportedMediaError, match="HEIF"):
        idx.add(heic, footage_id="heic", published_at=PUBLISHED)
    assert len(idx) == 0
    idx.close()
    report = provenance.analyze(heic, index=db)
    assert report.metadata.times and any(p.startswith("matching_skipped") for p in report.problems)
    with MediaFile(corpus / "metadata" / "apple_iphone6_with-gps.mov") as m:
        assert m.heif_brand is None  # QuickTime and MP4 brands are video
