"""Turning on-screen readings (burned-in clocks, handles, captions) into evidence (pure functions).

A burned-in clock is the recorder's own clock, so it is the file's evidence, never
independent (kind ``"onscreen_clock"``; error model
:data:`~provenance.scoring.errormodels.ONSCREEN_CLOCK`). Its value at media time 0 is
the start of the recording. Unless the picture shows a zone, that value is local time in
an unknown zone: every offset from UTC-12 to UTC+14 stays open. Every interpretation of an
ambiguous date is kept as one window of the item (``Evidence.windows``) and the scorer's
fusion picks among them with the other evidence.

A clock that does not advance with the video is kept, with its reliability lowered and a
finding saying why: a frozen value (a still or a pasted overlay), a clock running fast or
slow against media time (a sped-up, time-lapse or slowed clip) or one that jumps (a cut).

Persistent text that is not a clock (an ``@handle``, a ``t.me/`` link, a logo or caption)
becomes an ``"onscreen_text"`` note: shown on screen, constraining neither time nor place.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ..ocr.model import OnScreenClock, OnScreenText, ShownText
from .checks import Finding
from .evidence import Evidence
from .timezones import local_date_to_utc, local_to_utc_interval

__all__ = ["STATUS_FACTOR", "evidence_from_onscreen", "onscreen_findings"]

try:  # the scorer's error models (a module being introduced alongside this one)
    from .errormodels import ONSCREEN_CLOCK as _MODEL

    _RELIABILITY, _TAIL_S, _MODEL_NAME = _MODEL.reliability, _MODEL.tail(), _MODEL.name
except ImportError:  # pragma: no cover - older scorer without error models
    _RELIABILITY, _TAIL_S, _MODEL_NAME = 0.85, 240.0, ""

#: Reliability factor by clock status: a clock that fits media time is the recorder's clock
#: as shown; one that cannot be checked is slightly doubted; frozen, rate-changed or jumping
#: overlays may have been pasted or the footage edited.
STATUS_FACTOR = {"advancing": 1.0, "unchecked": 0.9, "jumps": 0.6, "fast": 0.5, "slow": 0.5, "frozen": 0.4}

#: Reliability of "shown on screen" notes (they constrain nothing; the value only orders them).
TEXT_RELIABILITY = 0.9

_GROUP_CLOCK = "onscreen_clock"
_GROUP_TEXT = "onscreen_text"


def _status_sentence(c: OnScreenClock) -> str:
    span = f"{c.span_s[0]:.1f}-{c.span_s[1]:.1f} s"
    if c.status == "advancing":
        return f"It advances with the video ({c.n_agreeing} of {c.n_readings} frames agree, {span})."
    if c.status == "frozen":
        return (f"It shows the same value over {span} of video: a frozen or pasted overlay, or a still; "
                "the value may not be the filming time.")
    if c.status in ("fast", "slow"):
        return (f"It runs at {c.rate:.2f} clock seconds per video second over {span}: the clip was "
                + ("sped up or is a time-lapse" if c.status == "fast" else "slowed down")
                + ", or the overlay was made at another rate.")
    if c.status == "jumps":
        return "It jumps between two settings within the clip: the footage was cut or spliced."
    return f"Too few frames agree to check that it advances with the video ({c.n_agreeing} of {c.n_readings})."


def _windows(c: OnScreenClock) -> list[tuple[datetime, datetime]]:
    tail = timedelta(seconds=_TAIL_S + c.resolution_s)
    wins = []
    for start in c.start_candidates:
        if c.date_only:
            lo, hi = local_date_to_utc(start.date(), None)
            if c.tz_known and start.tzinfo is not None:
                day0 = start.replace(hour=0, minute=0, second=0, microsecond=0)
                lo, hi = day0.astimezone(timezone.utc), (day0 + timedelta(days=1)).astimezone(timezone.utc)
            wins.append((lo, hi))
        elif c.tz_known and start.tzinfo is not None:
            u = start.astimezone(timezone.utc)
            wins.append((u - tail, u + tail))
        else:
            lo, hi = local_to_utc_interval(start.replace(tzinfo=None), None)
            wins.append((lo - tail, hi + tail))
    wins.sort()
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in wins:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _evidence(**kw: Any) -> Evidence:
    """An Evidence with the fields this scorer version has (``model``, ``wall`` are newer)."""
    fields = Evidence.__dataclass_fields__
    return Evidence(**{k: v for k, v in kw.items() if k in fields})


def _clock_item(c: OnScreenClock) -> Evidence | None:
    wins = _windows(c)
    if not wins:
        return None
    values = ", ".join(d.value.isoformat() for d in c.dates)
    if len(c.dates) > 1:
        read = f"the date is ambiguous and is kept in every reading: {values}"
    else:
        read = f"the date reads {values}"
    if any(d.repaired for d in c.dates):
        read += " (a day or month digit read as 8, 6 or 9 was taken for the 0 it resembles)"
    if c.date_only:
        what = "a date without a time, so the filming fell on that local day"
    else:
        s0 = c.start_candidates[0]
        what = f"the recording started with the clock at {s0.strftime('%H:%M:%S')}"
    zone = ("the zone shown on screen" if c.tz_known
            else "no time zone is shown, so any offset from UTC-12 to UTC+14 stays open")
    summary = (f"A clock burned into the picture ({c.region.name} of the frame) reads {c.raw!r} at "
               f"{c.raw_time_s:.1f} s; {read}; {what}; {zone}. {_status_sentence(c)}")
    factor = STATUS_FACTOR.get(c.status, 0.9)
    reliability = _RELIABILITY * factor
    why = ("a recorder's on-screen clock read by OCR: often never set or on another zone, and digits can be "
           f"misread (error model {_MODEL_NAME or 'ONSCREEN_CLOCK'})")
    if factor < 1.0:
        why += f"; lowered x{factor} because the clock is {c.status}"
    earliest, latest = wins[0][0], wins[-1][1]
    best = None
    if len(wins) == 1 and c.tz_known and not c.date_only and c.status in ("advancing", "unchecked"):
        best = c.start_candidates[0].astimezone(timezone.utc)
    wall = None
    if len(c.start_candidates) == 1 and not c.tz_known and not c.date_only:
        wall = c.start_candidates[0].replace(tzinfo=None)
    notes = () if factor >= 1.0 else (_status_sentence(c),)
    return _evidence(kind="onscreen_clock", summary=summary, source=f"ocr:{c.region.name}", shape="interval",
                     reliability=reliability, reliability_reason=why, group=_GROUP_CLOCK, earliest=earliest,
                     latest=latest, best=best, raw=c.raw, windows=tuple(wins) if len(wins) > 1 else (),
                     observation=c, notes=notes, model=_MODEL_NAME, wall=wall)


def _text_item(t: ShownText) -> Evidence:
    what = ("a channel handle or web address: the footage passed through that channel or carries its mark"
            if t.kind == "handle" else "a logo, caption or label that stays on screen")
    summary = (f"The picture shows {t.text!r} in the {t.region.name} of the frame on {t.n_frames} of "
               f"{t.n_readings} sampled frames: {what}.")
    return _evidence(kind="onscreen_text", summary=summary, source=f"ocr:{t.region.name}", shape="note",
                     reliability=TEXT_RELIABILITY,
                     reliability_reason="text read consistently by OCR on several frames; says who showed or "
                     "marked the footage, not when or where it was filmed", group=_GROUP_TEXT, raw=t.text,
                     observation=t)


def evidence_from_onscreen(screen: OnScreenText | None) -> list[Evidence]:
    """Evidence items from what :func:`provenance.ocr.read_onscreen` found.

    Parameters
    ----------
    screen : OnScreenText or None
        The stage's result (``None``: the stage did not run).

    Returns
    -------
    list of Evidence
        One ``"onscreen_clock"`` item per clock (source ``"ocr:<region>"``, the raw text in
        ``raw``, the :class:`~provenance.ocr.model.OnScreenClock` with its JPEG crop in
        ``observation``) and one ``"onscreen_text"`` note per handle or caption.
    """
    if screen is None:
        return []
    out: list[Evidence] = []
    for c in screen.clocks:
        item = _clock_item(c)
        if item is not None:
            out.append(item)
    out += [_text_item(t) for t in screen.texts]
    return out


def onscreen_findings(screen: OnScreenText | None) -> list[Finding]:
    """Findings about on-screen clocks that do not behave like a live recorder's clock.

    The affected evidence already carries the lowered reliability, so the findings scale
    nothing (``affects`` is empty); they say why in the report.
    """
    if screen is None:
        return []
    out = []
    for c in screen.clocks:
        if c.status in ("frozen", "fast", "slow", "jumps"):
            out.append(Finding("onscreen_clock", f"clock_{c.status}", "warning",
                               f"The burned-in clock ({c.region.name}, {c.raw!r}): {_status_sentence(c)}",
                               sources=(f"ocr:{c.region.name}",)))
    return out
