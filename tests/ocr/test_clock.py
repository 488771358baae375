"""Fusing readings into a clock and checking it against media time (pure, no OCR engine)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from provenance.ocr.clock import fit_clock
from provenance.ocr.parse import parse_onscreen_text

START = datetime(2019, 6, 12, 14, 3, 11, 400000)
TIMES = [0.25 + i * 0.8 for i in range(8)]


def _samples(rate=1.0, start=START, fmt="%Y-%m-%d %H:%M:%S", times=TIMES, misread=None):
    out = []
    for i, t in enumerate(times):
        text = (start + timedelta(seconds=t * rate)).replace(microsecond=0).strftime(fmt)
        if misread and i in misread:
            text = misread[i]
        out.append((t, parse_onscreen_text(text)))
    return out


def test_live_clock_advances_and_start_is_within_half_a_second():
    fit = fit_clock(_samples())
    assert fit.status == "advancing" and fit.rate == pytest.approx(1.0, abs=0.1)
    (start,) = fit.start_candidates()
    assert abs((start - START).total_seconds()) <= 0.5
    assert fit.n_agreeing == 8


def test_misreads_are_outvoted():
    fit = fit_clock(_samples(misread={1: "2019-06-12 14:08:19", 4: "2O19-O6-12 14:O3:1", 6: "garbage"}))
    assert fit.status == "advancing"
    assert abs((fit.start_candidates()[0] - START).total_seconds()) <= 0.5
    assert fit.n_agreeing == 5


def test_frozen_overlay():
    fit = fit_clock(_samples(rate=0.0))
    assert fit.status == "frozen" and fit.rate == 0.0
    # the start is the value shown, not a filming start
    assert abs((fit.start_candidates()[0] - START).total_seconds()) <= 1.0


@pytest.mark.parametrize("rate, status", [(2.0, "fast"), (4.0, "fast"), (0.5, "slow")])
def test_clock_at_another_rate(rate, status):
    fit = fit_clock(_samples(rate=rate, times=[0.25 + i * 1.5 for i in range(8)]))
    assert fit.status == status and fit.rate == pytest.approx(rate, rel=0.15)


def test_cut_between_two_settings_is_a_jump():
    first = _samples(times=TIMES[:4])
    second = _samples(start=START + timedelta(hours=3), times=TIMES[4:])
    fit = fit_clock(first + second)
    assert fit.status == "jumps"


def test_one_stray_reading_is_no_clock():
    samples = [(t, parse_onscreen_text("")) for t in TIMES]
    samples[3] = (TIMES[3], parse_onscreen_text("2019-06-12 14:03:14"))
    assert fit_clock(samples) is None


def test_ambiguous_date_keeps_every_interpretation():
    fit = fit_clock(_samples(start=datetime(2007, 9, 17, 12, 4, 11), fmt="%d/%m/%y %H:%M:%S"))
    assert sorted(s.date().isoformat() for s in fit.start_candidates()) == ["2007-09-17", "2017-07-09",
                                                                             "2017-09-07"]
    assert {s.time().replace(microsecond=0).isoformat() for s in fit.start_candidates()} == {"12:04:11"}


def test_time_line_borrows_the_date_line_above():
    times_only = _samples(fmt="%H:%M:%S")
    date_line = [p for _, p in _samples(fmt="%Y/%m/%d")]
    fit = fit_clock(times_only, borrowed_dates=date_line)
    assert fit.start_candidates()[0].date() == START.date() and fit.status == "advancing"
    assert fit_clock(times_only) is None  # a time of day alone in an unknown zone says nothing


def test_date_alone():
    fit = fit_clock(_samples(fmt="%d.%m.%Y"))
    assert fit.resolution_s == 86400 and fit.start_tod_s is None
    assert fit.start_candidates()[0] == datetime(2019, 6, 12)


def test_zone_shown_makes_aware_starts():
    fit = fit_clock(_samples(fmt="%Y-%m-%d %H:%M:%S UTC+3"))
    (s,) = fit.start_candidates()
    assert s.utcoffset() == timedelta(hours=3)
