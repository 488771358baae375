"""Reading burned-in clocks from real-font generated clips and the corpus traffic-camera clip.

These run the OCR engine and need the ``ocr`` extra (CI installs it); they skip only when it
is absent.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from provenance.errors import InvalidArgumentError, MediaNotFoundError
from provenance.ocr import ocr_available, read_onscreen

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not ocr_available(), reason="the 'ocr' extra is not installed")

_CACHE: dict = {}


def _read(path):
    if path not in _CACHE:
        _CACHE[path] = read_onscreen(path)
    return _CACHE[path]


def _start_error_s(clock, truth: datetime) -> float:
    return min(abs((s.replace(tzinfo=None) - truth).total_seconds()) for s in clock.start_candidates
               if s.date() == truth.date())


@pytest.mark.parametrize("name", ["iso_mono", "dmy2_serif_box", "month12h_aileron", "two_line_bold"])
def test_generated_clock_is_read_within_a_second_with_every_interpretation(clips, name):
    path, spec = clips[name]
    res = _read(path)
    assert len(res.clocks) == 1, [r.text for r in res.readings]
    clock = res.clocks[0]
    truth = datetime.fromisoformat(spec.start)
    assert sorted({d.value.isoformat() for d in clock.dates}) == sorted(spec.expected_dates)
    assert _start_error_s(clock, truth) <= 1.0
    assert clock.status == "advancing" and clock.rate == pytest.approx(1.0, abs=0.1)
    assert clock.utc_offset_s is None and not clock.tz_known  # no zone shown
    assert clock.crop_jpeg and clock.crop_jpeg[:3] == b"\xff\xd8\xff"
    # the region is where the overlay was drawn
    ry = "top" if spec.position.startswith("top") else "bottom"
    assert clock.region.name.startswith(ry)


def test_no_clock_no_time_but_the_handle_is_shown(clips):
    path, spec = clips["handle_only"]
    res = _read(path)
    assert res.clocks == ()
    assert [t.text for t in res.texts] == [spec.extra] and res.texts[0].kind == "handle"
    assert res.texts[0].region.name == "top-right"


def test_frozen_overlay_is_found(clips):
    res = _read(clips["frozen"][0])
    assert [c.status for c in res.clocks] == ["frozen"]


def test_sped_up_clock_is_found(clips):
    (clock,) = _read(clips["fast"][0]).clocks
    assert clock.status == "fast" and clock.rate == pytest.approx(2.0, rel=0.15)


CORPUS_CLIP = CORPUS / "footage" / "trafficcam_burned-in-timestamp.avi"


@pytest.mark.skipif(not CORPUS_CLIP.is_file(), reason="the shared corpus is not present")
def test_corpus_traffic_camera_clock():
    """The overlay reads '17/09/07 12:04:11' at t = 0 and ticks to :12 near t = 1 s (MANIFEST.tsv)."""
    res = _read(CORPUS_CLIP)
    clocks = [c for c in res.clocks if c.region.name == "top-left"]
    assert len(clocks) == 1, [(r.region, r.text) for r in res.readings]
    clock = clocks[0]
    assert sorted(d.value.isoformat() for d in clock.dates) == ["2007-09-17", "2017-07-09", "2017-09-07"]
    assert _start_error_s(clock, datetime(2007, 9, 17, 12, 4, 11, 500000)) <= 1.0
    assert clock.status == "advancing"
    # at about t = 1 s the clock shows 12:04:12
    at1 = [s for s in clock.at(1.0) if s.date().isoformat() == "2007-09-17"][0]
    assert at1.replace(microsecond=0).time().isoformat() in ("12:04:11", "12:04:12", "12:04:13")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not present")
@pytest.mark.parametrize("name", ["dashcam_highway_solidWhiteRight.mp4", "nasa_artemis1_hotfire_vp9.mkv",
                                  "highway_overhead_640x360.avi"])
def test_corpus_clips_without_a_clock_give_no_clock(name):
    assert _read(CORPUS / "footage" / name).clocks == ()


def test_bad_input(tmp_path):
    with pytest.raises(MediaNotFoundError):
        read_onscreen(tmp_path / "missing.mp4")
    with pytest.raises(InvalidArgumentError):
        read_onscreen(tmp_path / "missing.mp4", n_frames=0)
