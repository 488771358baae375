"""Dates and times in the formats devices burn into pictures (pure text functions).

:func:`parse_onscreen_text` reads one line of OCR text and returns every interpretation it
allows. A date whose field order the text does not fix keeps all valid orders:
``17/09/07`` gives 2017-09-07 (Y/M/D), 2007-09-17 (D/M/Y) and 2017-07-09 (Y/D/M); M/D/Y
is dropped there because 17 is no month. Formats:

* ISO 8601 (``2007-09-17 12:04:12``, ``2007-09-17T12:04:12+03:00``);
* numeric dates with ``/``, ``.`` or ``-`` in D.M.Y, M/D/Y, Y/M/D order, four- or two-digit
  years (two-digit years are 1970-2069);
* compact ``YYYYMMDD HHMMSS`` (or ``YYYYMMDD_HHMMSS``, ``YYYYMMDDHHMMSS``);
* month names and abbreviations in English, Russian, Ukrainian and Belarusian, in any
  grammatical case (``17 SEP 2007``, ``Sep 17, 2007``, ``17 сентября 2007``, ``17 вересня
  2007``, ``17 верасня 2007``);
* times ``HH:MM[:SS]``, 12-hour clocks with AM/PM, and a shown zone (``UTC``, ``GMT+3``,
  ``+03:00``, ``Z``). Without a shown zone the zone is unknown, never assumed.

OCR confusions inside digit runs (``O`` for 0, ``l``/``I`` for 1) and full-width
punctuation are normalised first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

__all__ = ["DateReading", "ParsedText", "TimeReading", "month_from_word", "parse_onscreen_text"]

Order = Literal["ISO", "YMD", "DMY", "MDY", "YDM", "compact", "named"]

#: Two-digit years are read in this century window (1970-2069): devices with a burned-in
#: clock postdate 1970, and the window keeps "07" at 2007.
TWO_DIGIT_PIVOT = 70


@dataclass(frozen=True)
class DateReading:
    """One interpretation of a date on screen.

    Attributes
    ----------
    value : date
        The calendar date.
    order : str
        How the fields were read: ``"ISO"``, ``"YMD"``, ``"DMY"``, ``"MDY"``, ``"YDM"``,
        ``"compact"`` (YYYYMMDD) or ``"named"`` (a month name).
    two_digit_year : bool
        True when the year was written with two digits (read as 1970-2069).
    repaired : bool
        True when a day or month field was impossible as read and its tens digit, a glyph
        OCR confuses with 0 (8, 6, 9), was read as 0 (``17/89/07`` -> ``17/09/07``).
    """

    value: date
    order: Order
    two_digit_year: bool = False
    repaired: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value.isoformat(), "order": self.order, "two_digit_year": self.two_digit_year,
                "repaired": self.repaired}


@dataclass(frozen=True)
class TimeReading:
    """A time of day on screen.

    Attributes
    ----------
    value : time
        Wall-clock time of day (24-hour).
    has_seconds : bool
        True when seconds were shown (the reading resolves 1 s, else 1 min).
    twelve_hour : bool
        True when an AM/PM marker was shown.
    """

    value: time
    has_seconds: bool
    twelve_hour: bool = False

    @property
    def resolution_s(self) -> float:
        """The clock's display step [s]: 1 with seconds, 60 without."""
        return 1.0 if self.has_seconds else 60.0

    @property
    def seconds_of_day(self) -> float:
        """Seconds since midnight [s] of the displayed value."""
        return self.value.hour * 3600.0 + self.value.minute * 60.0 + self.value.second

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value.isoformat(), "has_seconds": self.has_seconds, "twelve_hour": self.twelve_hour}


@dataclass(frozen=True)
class ParsedText:
    """What one line of on-screen text says about the date and time.

    Attributes
    ----------
    raw : str
        The text as read.
    dates : tuple of DateReading
        Every valid interpretation of the date, most usual order first; empty without a date.
    time : TimeReading or None
        The time of day, if shown.
    utc_offset_s : int or None
        Offset from UTC [s] when the picture shows a zone (``UTC``, ``GMT+3``, ``+03:00``);
        ``None`` when no zone is shown (the zone is unknown).
    """

    raw: str
    dates: tuple[DateReading, ...] = ()
    time: TimeReading | None = None
    utc_offset_s: int | None = None

    @property
    def has_date(self) -> bool:
        return bool(self.dates)

    @property
    def is_clock(self) -> bool:
        """True when both a date and a time were read."""
        return bool(self.dates) and self.time is not None

    def datetimes(self) -> tuple[datetime, ...]:
        """Naive wall-clock datetimes, one per date interpretation (empty without date and time)."""
        if self.time is None:
            return ()
        return tuple(datetime.combine(d.value, self.time.value) for d in self.dates)

    def to_dict(self) -> dict[str, Any]:
        return {"raw": self.raw, "dates": [d.to_dict() for d in self.dates],
                "time": None if self.time is None else self.time.to_dict(), "utc_offset_s": self.utc_offset_s}


# ------------------------------------------------------------------------------- month names
# Stems by month; a word is that month when it starts with one of its stems (the longest
# matching stem wins). Russian, Ukrainian and Belarusian nominative and genitive forms and
# the usual three-letter abbreviations all start with these.
_MONTH_STEMS: dict[int, tuple[str, ...]] = {
    1: ("jan", "янв", "январ", "січ", "студз", "сту"),
    2: ("feb", "фев", "феврал", "лют"),
    3: ("mar", "мар", "берез", "бер", "сакав", "сак"),
    4: ("apr", "апр", "квіт", "кві", "красав", "кра"),
    5: ("may", "трав", "тра"),
    6: ("jun", "июн", "черв", "чер", "чэрв", "чэр"),
    7: ("jul", "июл", "лип", "ліп"),
    8: ("aug", "авг", "серп", "сер", "жнів", "жні"),
    9: ("sep", "сен", "верес", "верас", "вер"),
    10: ("oct", "окт", "жовт", "жов", "кастр", "кас"),
    11: ("nov", "ноя", "листоп", "лис", "лістап", "ліс"),
    12: ("dec", "дек", "груд", "гру", "снеж", "сне"),
}
#: Russian and Belarusian "May" is too short for a stem: its forms are listed whole.
_MAY_WORDS = frozenset({"май", "мая", "мае", "маю", "маем"})
_STEMS = sorted(((s, m) for m, stems in _MONTH_STEMS.items() for s in stems), key=lambda x: -len(x[0]))
_LETTERS = "A-Za-zА-Яа-яЁёІіЇїЄєҐґЎўЭэ"


def month_from_word(word: str) -> int | None:
    """Month number 1-12 of an English, Russian, Ukrainian or Belarusian month name or abbreviation.

    Examples
    --------
    >>> month_from_word("Sept"), month_from_word("сентября"), month_from_word("вересня")
    (9, 9, 9)
    """
    w = word.strip(". ").lower().replace("ё", "е")
    if len(w) < 3:
        return None
    if w in _MAY_WORDS:
        return 5
    for stem, month in _STEMS:
        if w.startswith(stem):
            return month
    return None


# ------------------------------------------------------------------------------- normalising
_FULLWIDTH = str.maketrans({"：": ":", "；": ":", ";": ":", "，": ",", "。": ".", "／": "/", "－": "-", "—": "-",
                            "–": "-", "\u00a0": " "})
_DIGIT_LIKE = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "i": "1"})
_MIXED_RUN = re.compile(r"[0-9OoDlIi|]{2,}")


def _normalise(text: str) -> str:
    text = text.translate(_FULLWIDTH)

    def fix(m: re.Match[str]) -> str:
        s = m.group(0)
        digits = sum(c.isdigit() for c in s)
        # only a run that is mostly digits is a number misread; "Oil" or "ID" stay words
        return s.translate(_DIGIT_LIKE) if digits and digits * 2 >= len(s) else s

    return _MIXED_RUN.sub(fix, text)


def _year(digits: str) -> tuple[int, bool] | None:
    y = int(digits)
    if len(digits) == 4:
        return (y, False) if 1900 <= y <= 2099 else None
    if len(digits) == 2:
        return (2000 + y if y < TWO_DIGIT_PIVOT else 1900 + y), True
    return None


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# ------------------------------------------------------------------------------- dates
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?:[ _T-]?(\d{2})(\d{2})(\d{2}))?(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{1,4})")
_WORD = rf"([{_LETTERS}]{{3,}})\.?"
_NAMED_DMY = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s*[-./ ]?\s*{_WORD}\s*[-./ ,]?\s*(\d{{4}}|\d{{2}})(?!\d)")
_NAMED_MDY = re.compile(rf"{_WORD}\s*[-./ ]?\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*[,./ -]\s*(\d{{4}}|\d{{2}})(?!\d)")
_NAMED_YMD = re.compile(rf"(?<!\d)(\d{{4}})\s*[-./ ]?\s*{_WORD}\s*[-./ ]?\s*(\d{{1,2}})(?!\d)")


def _numeric_dates(a: str, b: str, c: str) -> tuple[list[DateReading], int]:
    """Interpretations of ``a sep b sep c`` and how many digits of ``c`` they used."""
    out: list[DateReading] = []
    used_c = len(c)
    if len(a) == 4:  # Y/M/D with a four-digit year; Y/D/M is not a device format
        ya = _year(a)
        cc = c[:2]
        used_c = len(cc)
        if ya:
            d = _mk(ya[0], int(b), int(cc))
            if d:
                out.append(DateReading(d, "YMD"))
        return out, used_c
    if len(a) > 2:
        return out, used_c
    # the year is last (4 or 2 digits) or first (2 digits); a 4-digit tail that is no
    # plausible year is a two-digit year glued to the next number ("0712:04")
    yc = _year(c) if len(c) == 4 else None
    if yc is None:
        c = c[:2]
        used_c = len(c)
        yc = _year(c) if len(c) == 2 else None
    if yc:
        for order, (m, dd) in (("DMY", (int(b), int(a))), ("MDY", (int(a), int(b)))):
            d = _mk(yc[0], m, dd)
            if d:
                out.append(DateReading(d, order, yc[1]))  # type: ignore[arg-type]
    if len(c) == 2 and len(a) == 2:
        ya2 = _year(a)
        if ya2:
            for order, (m, dd) in (("YMD", (int(b), int(c))), ("YDM", (int(c), int(b)))):
                d = _mk(ya2[0], m, dd)
                if d:
                    out.append(DateReading(d, order, True))  # type: ignore[arg-type]
    return out, used_c


_ZERO_LIKE = frozenset("869")


def _repair_field(f: str) -> str:
    """A two-digit day/month field above 31 whose tens digit looks like 0, read with a 0."""
    if len(f) == 2 and int(f) > 31 and f[0] in _ZERO_LIKE:
        return "0" + f[1]
    return f


def _dedupe(dates: list[DateReading]) -> tuple[DateReading, ...]:
    seen: set[date] = set()
    out = []
    for d in dates:
        if d.value not in seen:
            seen.add(d.value)
            out.append(d)
    return tuple(out)


# ------------------------------------------------------------------------------- times
_TIME = re.compile(r"(?<!\d)(\d{1,2})\s?:\s?(\d{2})(?:\s?:\s?(\d{2}))?(?!\d)(?:\s*([AaPp])\.?\s?[Mm]\.?(?![A-Za-z]))?")
#: After a date, OSD fonts whose colons are faint dots often read as "12 04 28" or "12 0428".
_TIME_LOOSE = re.compile(r"(?<!\d)(\d{2})[ .:](\d{2})[ .:]?(\d{2})(?!\d)")
_ZONE = re.compile(r"(?:(?<![A-Za-z])(UTC|GMT|Z)(?![A-Za-z])\s*(?:([+-])\s?(\d{1,2})(?::?(\d{2}))?)?"
                   r"|([+-])(\d{2}):?(\d{2})(?!\d))")


def _parse_time(text: str) -> tuple[TimeReading | None, tuple[int, int]]:
    for m in _TIME.finditer(text):
        h, mi = int(m.group(1)), int(m.group(2))
        s = int(m.group(3)) if m.group(3) else 0
        ampm = m.group(4)
        if ampm:
            if not 1 <= h <= 12:
                continue
            h = h % 12 + (12 if ampm.lower() == "p" else 0)
        if h > 23 or mi > 59 or s > 59:
            continue
        return TimeReading(time(h, mi, s), m.group(3) is not None, bool(ampm)), m.span()
    return None, (0, 0)


def _parse_zone(text: str) -> int | None:
    for m in _ZONE.finditer(text):
        if m.group(1):
            if m.group(1) == "Z" and text[:m.start()].strip():
                continue  # Z is Zulu time only right after the time; elsewhere it is a letter
            if not m.group(2):
                return 0
            sign, hh, mm = m.group(2), int(m.group(3)), int(m.group(4) or 0)
        else:
            sign, hh, mm = m.group(5), int(m.group(6)), int(m.group(7))
        if hh > 14 or mm >= 60:
            continue
        return (1 if sign == "+" else -1) * (hh * 3600 + mm * 60)
    return None


def parse_onscreen_text(text: str) -> ParsedText:
    """Every date and time interpretation of one line of on-screen text.

    Parameters
    ----------
    text : str
        One line as read by OCR.

    Returns
    -------
    ParsedText
        Empty ``dates`` and ``time=None`` when nothing date-like was found.

    Examples
    --------
    >>> p = parse_onscreen_text("17/09/07 12:04:12")
    >>> [d.value.isoformat() for d in p.dates], p.time.value.isoformat()
    (['2007-09-17', '2017-09-07', '2017-07-09'], '12:04:12')
    """
    if not isinstance(text, str):
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError(f"text must be a str (got {type(text).__name__})")
    raw = text
    s = _normalise(text)
    dates: list[DateReading] = []
    rest = s
    t_read: TimeReading | None = None

    m_iso = _ISO.search(s)
    m_cmp = _COMPACT.search(s) if m_iso is None else None
    if m_iso:
        d = _mk(int(m_iso.group(1)), int(m_iso.group(2)), int(m_iso.group(3)))
        if d:
            dates.append(DateReading(d, "ISO"))
            rest = s[:m_iso.start()] + " " + s[m_iso.end():].lstrip("T")
    elif m_cmp:
        d = _mk(int(m_cmp.group(1)), int(m_cmp.group(2)), int(m_cmp.group(3)))
        if d:
            dates.append(DateReading(d, "compact"))
            rest = s[:m_cmp.start()] + " " + s[m_cmp.end():]
            if m_cmp.group(4):
                h, mi, sec = int(m_cmp.group(4)), int(m_cmp.group(5)), int(m_cmp.group(6))
                if h <= 23 and mi <= 59 and sec <= 59:
                    t_read = TimeReading(time(h, mi, sec), True)
    if not dates:
        m_num = _NUMERIC.search(s)
        if m_num:
            a, b, c = m_num.group(1), m_num.group(3), m_num.group(4)
            found, used = _numeric_dates(a, b, c)
            if not found:
                # small OSD fonts read a 0 as 8, 6 or 9: repair only fields impossible as read
                ra, rb = _repair_field(a), _repair_field(b)
                if (ra, rb) != (a, b):
                    found, used = _numeric_dates(ra, rb, c)
                    found = [DateReading(d.value, d.order, d.two_digit_year, True) for d in found]
            if found:
                dates += found
                cut = m_num.start(4) + used
                rest = s[:m_num.start()] + " " + s[cut:]
    if not dates:
        for rx, kind in ((_NAMED_DMY, "dmy"), (_NAMED_YMD, "ymd"), (_NAMED_MDY, "mdy")):
            m = rx.search(s)
            if not m:
                continue
            if kind == "dmy":
                day, word, ys = m.group(1), m.group(2), m.group(3)
            elif kind == "mdy":
                word, day, ys = m.group(1), m.group(2), m.group(3)
            else:
                ys, word, day = m.group(1), m.group(2), m.group(3)
            month = month_from_word(word)
            yr = _year(ys)
            if month is None or yr is None:
                continue
            d = _mk(yr[0], month, int(day))
            if d:
                dates.append(DateReading(d, "named", yr[1]))
                rest = s[:m.start()] + " " + s[m.end():]
                break
    zone_text = rest
    if t_read is None:
        t_read, span = _parse_time(rest)
        if t_read is not None:
            zone_text = rest[span[1]:]  # a zone follows the time ("12:04:12 UTC+3", "12:04:12+03:00")
        elif dates:
            m_loose = _TIME_LOOSE.search(rest)
            if m_loose:
                h, mi, sec = (int(g) for g in m_loose.groups())
                if h <= 23 and mi <= 59 and sec <= 59:
                    t_read = TimeReading(time(h, mi, sec), True)
                    zone_text = rest[m_loose.end():]
    zone = _parse_zone(zone_text) if t_read is not None else None
    return ParsedText(raw, _dedupe(dates), t_read, zone)
