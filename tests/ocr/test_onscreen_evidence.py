"""On-screen readings as scoring evidence, and the analyze() switch."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

import provenance
from provenance.errors import MissingExtraError
from provenance.ocr import OnScreenClock, OnScreenText, ShownText, TextRegion, ocr_available
from provenance.ocr.parse import DateReading
from provenance.scoring.onscreen import evidence_from_onscreen, onscreen_findings

REGION = TextRegion("top-left", (4, 4, 200, 30), (640, 360), 1.0)


def _clock(status="advancing", dates=(date(2007, 9, 17), date(2017, 9, 7), date(2017, 7, 9)), offset=None, rate=1.0):
    tz = None if offset is None else timezone(timedelta(seconds=offset))
    starts = tuple(datetime(d.year, d.month, d.day, 12, 4, 11, 500000, tzinfo=tz) for d in dates)
    return OnScreenClock(REGION, "17/09/07 12:04:12", 1.0, tuple(DateReading(d, "DMY", True) for d in dates), starts,
                         offset, 1.0, status, rate, 8, 7, (0.2, 29.7), b"\xff\xd8\xffjpeg")


def test_ambiguous_clock_is_one_item_with_a_window_per_reading():
    (e,) = evidence_from_onscreen(OnScreenText("x", clocks=(_clock(),)))
    assert e.kind == "onscreen_clock" and e.source == "ocr:top-left" and e.raw == "17/09/07 12:04:12"
    assert len(e.windows) == 3
    for w, d in zip(e.windows, sorted([date(2007, 9, 17), date(2017, 7, 9), date(2017, 9, 7)])):
        local = datetime(d.year, d.month, d.day, 12, 4, 11, 500000, tzinfo=timezone.utc)
        # zone unknown: every offset UTC-12..UTC+14 is inside the window
        assert w[0] <= local - timedelta(hours=14) and w[1] >= local + timedelta(hours=12)
        assert (w[1] - w[0]) < timedelta(hours=27)
    assert e.earliest == e.windows[0][0] and e.latest == e.windows[-1][1]
    assert e.best is None
    assert not e.excludes_time(datetime(2017, 9, 7, 10, tzinfo=timezone.utc), datetime(2017, 9, 7, 11, tzinfo=timezone.utc))
    assert e.excludes_time(datetime(2012, 1, 1, tzinfo=timezone.utc), datetime(2012, 1, 2, tzinfo=timezone.utc))
    assert e.observation.crop_jpeg.startswith(b"\xff\xd8\xff")
    assert "every reading" in e.summary and "UTC-12" in e.summary


def test_shown_zone_gives_a_tight_item():
    (e,) = evidence_from_onscreen(OnScreenText("x", clocks=(_clock(dates=(date(2007, 9, 17),), offset=10800),)))
    assert e.windows == () and e.best == datetime(2007, 9, 17, 9, 4, 11, 500000, tzinfo=timezone.utc)
    assert e.latest - e.earliest < timedelta(minutes=10)


@pytest.mark.parametrize("status", ["frozen", "fast", "slow", "jumps"])
def test_odd_clocks_are_doubted_and_reported(status):
    good, = evidence_from_onscreen(OnScreenText("x", clocks=(_clock(),)))
    (bad,) = evidence_from_onscreen(OnScreenText("x", clocks=(_clock(status=status, rate=2.0),)))
    assert bad.reliability < good.reliability and bad.notes
    (f,) = onscreen_findings(OnScreenText("x", clocks=(_clock(status=status, rate=2.0),)))
    assert f.code == f"clock_{status}" and f.severity == "warning" and f.sources == ("ocr:top-left",)
    assert onscreen_findings(OnScreenText("x", clocks=(_clock(),))) == []


def test_handle_is_a_note_that_constrains_nothing():
    t = ShownText(TextRegion("top-right", (500, 4, 630, 30), (640, 360), 1.0), "@kyiv_news24", "handle", 4, 4, 0.97, 2.0)
    (e,) = evidence_from_onscreen(OnScreenText("x", texts=(t,)))
    assert e.kind == "onscreen_text" and e.shape == "note" and e.constrains == "none"
    assert "@kyiv_news24" in e.summary and e.source == "ocr:top-right"
    assert evidence_from_onscreen(None) == []


def test_analyze_requires_the_extra_when_asked(clips, monkeypatch):
    import provenance.ocr.read as read

    monkeypatch.setattr(read, "ocr_available", lambda: False)
    path = clips["iso_mono"][0]
    with pytest.raises(MissingExtraError, match="ocr"):
        provenance.analyze(path, ocr=True)
    report = provenance.analyze(path)  # default: skipped quietly when the extra is absent
    assert not [e for e in report.evidence if e.kind == "onscreen_clock"]


@pytest.mark.skipif(not ocr_available(), reason="the 'ocr' extra is not installed")
def test_analyze_adds_the_clock_and_can_turn_it_off(clips):
    path, spec = clips["iso_mono"]
    report = provenance.analyze(path)
    items = [e for e in report.evidence if e.kind == "onscreen_clock"]
    assert len(items) == 1 and items[0].source.startswith("ocr:")
    truth = datetime.fromisoformat(spec.start).replace(tzinfo=timezone.utc)
    assert items[0].earliest <= truth <= items[0].latest
    assert not [e for e in provenance.analyze(path, ocr=False).evidence if e.kind.startswith("onscreen")]
