"""Parsing on-screen dates and times: every device format, every interpretation, nothing invented."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.errors import InvalidArgumentError
from provenance.ocr.parse import month_from_word, parse_onscreen_text


def _dates(text):
    return sorted(d.value.isoformat() for d in parse_onscreen_text(text).dates)


@pytest.mark.parametrize("text, dates, tod", [
    ("2007-09-17 12:04:12", ["2007-09-17"], time(12, 4, 12)),                 # ISO
    ("2007-09-17T12:04:12", ["2007-09-17"], time(12, 4, 12)),
    ("17.09.2007 12:04:12", ["2007-09-17"], time(12, 4, 12)),                 # D.M.Y (17 is no month)
    ("09/17/2007 01:04:12 PM", ["2007-09-17"], time(13, 4, 12)),              # M/D/Y, 12 h
    ("2007/09/17 12:04", ["2007-09-17"], time(12, 4)),                        # Y/M/D, no seconds
    ("20070917 120412", ["2007-09-17"], time(12, 4, 12)),                     # compact
    ("20070917_120412", ["2007-09-17"], time(12, 4, 12)),
    ("17 SEP 2007 12:04:12", ["2007-09-17"], time(12, 4, 12)),                # English month
    ("Sep 17, 2007 12:04 am", ["2007-09-17"], time(0, 4)),
    ("September 17th, 2007", ["2007-09-17"], None),
    ("17 сентября 2007 12:04:12", ["2007-09-17"], time(12, 4, 12)),           # Russian
    ("3 мая 2021 г. 08:00", ["2021-05-03"], time(8, 0)),
    ("17 вересня 2007 12:04", ["2007-09-17"], time(12, 4)),                   # Ukrainian
    ("1 травня 2021", ["2021-05-01"], None),
    ("14 лютого 2022", ["2022-02-14"], None),
    ("17 верасня 2007", ["2007-09-17"], None),                                # Belarusian
    ("5 кастрычніка 2020 10:00:00", ["2020-10-05"], time(10, 0)),
    ("2 снежня 2019", ["2019-12-02"], None),
])
def test_device_formats(text, dates, tod):
    p = parse_onscreen_text(text)
    assert _dates(text) == dates
    assert (p.time.value if p.time else None) == tod


def test_ambiguous_two_digit_date_keeps_every_valid_order():
    p = parse_onscreen_text("17/09/07 12:04:12")
    got = {(d.order, d.value) for d in p.dates}
    assert got == {("DMY", date(2007, 9, 17)), ("YMD", date(2017, 9, 7)), ("YDM", date(2017, 7, 9))}
    assert all(d.two_digit_year for d in p.dates)
    assert p.time.value == time(12, 4, 12) and p.time.has_seconds
    assert p.utc_offset_s is None  # no zone shown: unknown, never assumed


def test_day_month_swap_is_kept_when_both_fit():
    assert _dates("03/04/2021 10:00") == ["2021-03-04", "2021-04-03"]
    assert _dates("12-04-13") == ["2012-04-13", "2013-04-12", "2013-12-04"]


def test_two_digit_years_use_the_1970_2069_window():
    assert _dates("31.12.69") == ["2069-12-31"]
    assert _dates("31.12.70") == ["1970-12-31"]


@pytest.mark.parametrize("text, offset", [
    ("2007-09-17 12:04:12 UTC", 0), ("2007-09-17 12:04:12Z", 0), ("2007/09/17 12:04:12 UTC+3", 10800),
    ("2007-09-17T12:04:12+03:00", 10800), ("17.09.2007 12:04 GMT-05:30", -19800),
    ("17.09.2007 12:04:12", None),
])
def test_zone_only_when_shown(text, offset):
    assert parse_onscreen_text(text).utc_offset_s == offset


def test_ocr_confusions_in_digit_runs():
    p = parse_onscreen_text("i7/O9/07 12：04：12")  # letters for digits, full-width colons
    assert date(2007, 9, 17) in {d.value for d in p.dates}
    assert p.time.value == time(12, 4, 12)


def test_glued_date_and_time_split_at_the_year():
    p = parse_onscreen_text("17/09/0712:04:18")
    assert date(2007, 9, 17) in {d.value for d in p.dates}
    assert p.time.value == time(12, 4, 18)


def test_impossible_field_with_zero_like_tens_digit_is_repaired_and_says_so():
    p = parse_onscreen_text("17/89/07 12:04:28")
    assert {d.value for d in p.dates} == {date(2007, 9, 17), date(2017, 9, 7), date(2017, 7, 9)}
    assert all(d.repaired for d in p.dates)
    assert not any(d.repaired for d in parse_onscreen_text("17/09/07 12:04:28").dates)
    assert parse_onscreen_text("45/45/45").dates == ()


@pytest.mark.parametrize("text", ["CAM 01 PR0100 S2", "SPEED 45 KM/H", "EXIT 12", "@kyiv_news24", "", "32/13/2020",
                                  "2020-02-30", "25:61:00", "1234567", "BREAKING NEWS"])
def test_no_date_or_time_is_invented(text):
    p = parse_onscreen_text(text)
    assert p.dates == () and p.time is None and p.utc_offset_s is None


def test_month_words():
    assert [month_from_word(w) for w in ("Jan", "March", "мар", "марта", "май", "січня", "студзеня", "листопада",
                                         "лістапада", "ліпеня", "липня", "жнівеня", "серпня", "груд.")] == \
        [1, 3, 3, 3, 5, 1, 1, 11, 11, 7, 7, 8, 8, 12]
    assert month_from_word("ma") is None and month_from_word("cam") is None


def test_not_a_string_is_refused():
    with pytest.raises(InvalidArgumentError):
        parse_onscreen_text(b"17/09/07")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x4ff), max_size=60))
def test_hostile_text_never_raises_and_every_date_is_real(text):
    p = parse_onscreen_text(text)
    for d in p.dates:
        assert 1900 <= d.value.year <= 2099
    if p.time is not None:
        assert 0 <= p.time.seconds_of_day < 86400
