"""Fusing per-frame readings of one region into a clock, and checking it against media time (pure).

Each frame's reading gives the clock's value ``v`` at media time ``t``. A live recorder's
clock satisfies ``v = start + t``, so the offsets ``v - t`` agree within the display step.
The consensus start is the median offset of the largest agreeing group; single misreads
(a 0 read as 8) fall outside it and are dropped. Against that:

* a group of equal values spanning seconds of video is a **frozen** clock;
* a line ``v = start + rate * t`` that fits more readings than any 1:1 offset, with a rate
  off 1 by more than :data:`RATE_TOLERANCE`, is a clock running **fast** or **slow**;
* two 1:1 groups with different offsets are a clock that **jumps** (a cut or splice).

Dates are voted separately (the date field is read more reliably than a changing time),
and every interpretation of the winning date is kept.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from .model import ClockStatus
from .parse import DateReading, ParsedText

__all__ = ["RATE_TOLERANCE", "ClockFit", "fit_clock", "vote_dates"]

#: A clock whose fitted rate is within this of 1 advances with the video.
RATE_TOLERANCE = 0.1
#: Least media span [s] over which a clock showing seconds can be checked.
MIN_CHECK_SPAN_S = 2.0


@dataclass(frozen=True)
class ClockFit:
    """The consensus of one region's readings (before it is tied to a region and a crop).

    Attributes
    ----------
    dates : tuple of DateReading
        Interpretations of the voted date (empty for a time without a date).
    start_tod_s : float or None
        Clock time of day at media time 0 [s since midnight]; ``None`` for a date alone.
    resolution_s : float
        Display step [s].
    status : str
        :data:`~provenance.ocr.model.ClockStatus`.
    rate : float or None
        Clock seconds per media second.
    utc_offset_s : int or None
        Shown zone, by vote.
    n_readings, n_agreeing : int
        Readings given and readings in the consensus.
    span_s : tuple of float
        Media span [s] of the consensus readings.
    typical : int
        Index (into the given samples) of a reading in the consensus.
    agreeing : tuple of int
        Indices (into the given samples) of every reading in the consensus.
    """

    dates: tuple[DateReading, ...]
    start_tod_s: float | None
    resolution_s: float
    status: ClockStatus
    rate: float | None
    utc_offset_s: int | None
    n_readings: int
    n_agreeing: int
    span_s: tuple[float, float]
    typical: int
    agreeing: tuple[int, ...] = ()

    def start_candidates(self) -> tuple[datetime, ...]:
        """The clock's value at media time 0 per date interpretation (aware when a zone is shown)."""
        tz = None if self.utc_offset_s is None else timezone(timedelta(seconds=self.utc_offset_s))
        out = []
        for d in self.dates:
            base = datetime.combine(d.value, time(0), tzinfo=tz)
            out.append(base + timedelta(seconds=self.start_tod_s or 0.0))
        return tuple(out)


def vote_dates(parsed: Sequence[ParsedText], *, need: int) -> tuple[tuple[DateReading, ...], int, list[int]]:
    """The date interpretations most readings agree on, their support and the agreeing indices.

    Returns ``((), 0, [])`` when fewer than ``need`` readings agree.
    """
    keys: list[tuple[date, ...] | None] = [tuple(sorted(d.value for d in p.dates)) if p.dates else None
                                           for p in parsed]
    counts = Counter(k for k in keys if k)
    if not counts:
        return (), 0, []
    best, n = max(counts.items(), key=lambda kv: (kv[1], -len(kv[0])))
    if n < need:
        return (), 0, []
    idx = [i for i, k in enumerate(keys) if k == best]
    return parsed[idx[0]].dates, n, idx


def _largest_offset_group(ts: list[float], vs: list[float], tol: float) -> list[int]:
    offs = [v - t for t, v in zip(ts, vs)]
    best: list[int] = []
    best_spread = float("inf")
    for o in offs:
        grp = [j for j, oj in enumerate(offs) if abs(oj - o) <= tol]
        spread = sum(abs(offs[j] - o) for j in grp)
        if len(grp) > len(best) or (len(grp) == len(best) and spread < best_spread):
            best, best_spread = grp, spread
    return best


def _apart(a: list[float], b: list[float]) -> bool:
    """Whether two groups of media times do not interleave (all of one before all of the other)."""
    return max(a) < min(b) or max(b) < min(a)


def _line_fit(ts: list[float], vs: list[float], tol: float) -> tuple[float, float, list[int]] | None:
    """Theil-Sen rate and intercept over pairs at least 1 s apart, and the readings it fits."""
    slopes = [(vs[j] - vs[i]) / (ts[j] - ts[i]) for i in range(len(ts)) for j in range(i + 1, len(ts))
              if abs(ts[j] - ts[i]) >= 1.0]
    if not slopes:
        return None
    rate = statistics.median(slopes)
    icpt = statistics.median(v - rate * t for t, v in zip(ts, vs))
    fits = [i for i, (t, v) in enumerate(zip(ts, vs)) if abs(v - (icpt + rate * t)) <= tol]
    return rate, icpt, fits


def fit_clock(samples: Sequence[tuple[float, ParsedText]], *, borrowed_dates: Sequence[ParsedText] = (),
              n_frames: int | None = None) -> ClockFit | None:
    """Fuse one region's readings into a clock, or ``None`` when they show no consistent date/time.

    Parameters
    ----------
    samples
        ``(media time [s], parsed reading)`` per frame read.
    borrowed_dates
        Readings of a nearby date-only line (a date above the time), voted when the region
        shows no date itself.
    n_frames
        Frames read (defaults to ``len(samples)``); with three or more, a consensus needs
        two agreeing readings, so one stray reading never becomes evidence.

    Returns
    -------
    ClockFit or None
    """
    n = len(samples) if n_frames is None else n_frames
    need = 1 if n <= 2 else 2
    parsed = [p for _, p in samples]
    dates, n_dates, date_idx = vote_dates(parsed, need=need)
    if not dates and borrowed_dates:
        dates, n_dates, _ = vote_dates(list(borrowed_dates), need=need)
    if not dates:
        return None
    zones = Counter(p.utc_offset_s for p in parsed if p.utc_offset_s is not None)
    zone = zones.most_common(1)[0][0] if zones and zones.most_common(1)[0][1] >= need else None

    timed = [i for i, p in enumerate(parsed) if p.time is not None]
    with_s = [i for i in timed if parsed[i].time.has_seconds]  # type: ignore[union-attr]
    use = with_s if len(with_s) >= need else timed
    if len(use) < need:
        if any(parsed[i].time is not None for i in date_idx):
            return None  # a clock whose time never reads consistently: no evidence
        if not date_idx:
            return None
        span = (samples[date_idx[0]][0], samples[date_idx[-1]][0])
        return ClockFit(dates, None, 86400.0, "unchecked", None, zone, len(samples), n_dates, span, date_idx[0],
                        tuple(date_idx))

    res = min(parsed[i].time.resolution_s for i in use)  # type: ignore[union-attr]
    ts = [float(samples[i][0]) for i in use]
    # the display shows the start of the current step: its middle is the unbiased value
    vs = [parsed[i].time.seconds_of_day + res / 2 for i in use]  # type: ignore[union-attr]
    tol = 1.5 * res
    group = _largest_offset_group(ts, vs, tol)
    line = _line_fit(ts, vs, tol) if len(use) >= 3 else None
    if len(group) < need and (line is None or len(line[2]) < max(4, 0.6 * len(use))):
        return None
    g_ts = [ts[j] for j in group] or ts[:1]
    span = (min(g_ts), max(g_ts))
    start = statistics.median(vs[j] - ts[j] for j in group) if group else vs[0] - ts[0]
    status: ClockStatus = "unchecked"
    rate: float | None = None
    check_span = max(MIN_CHECK_SPAN_S, 2 * res)

    # frozen: one value shown over a span where a live clock would have changed
    values = Counter(round(v) for v in vs)
    fv, fcount = values.most_common(1)[0]
    f_idx = [j for j, v in enumerate(vs) if round(v) == fv]
    f_span = max(ts[j] for j in f_idx) - min(ts[j] for j in f_idx)
    others = [j for j in range(len(use)) if j not in group]
    second = _largest_offset_group([ts[j] for j in others], [vs[j] for j in others], tol) if others else []
    if fcount >= max(need, 2) and f_span >= check_span + res and fcount >= len(group):
        status, rate, group = "frozen", 0.0, f_idx
        start = vs[f_idx[0]]  # the value shown: when the overlay was made, not the filming start
        span = (min(ts[j] for j in f_idx), max(ts[j] for j in f_idx))
    elif (line is not None and len(line[2]) >= max(4, 0.6 * len(use)) and len(line[2]) > len(group) + 1
          and abs(line[0] - 1.0) > RATE_TOLERANCE
          and max(ts[j] for j in line[2]) - min(ts[j] for j in line[2]) >= check_span):
        # another rate explains clearly more readings than any 1:1 clock: a real rate change
        rate, start, group = line[0], line[1], line[2]
        status = "fast" if rate > 1.0 else "slow"
        span = (min(ts[j] for j in group), max(ts[j] for j in group))
    elif len(second) >= 2 and len(second) >= len(group) / 2 and _apart(
            [ts[j] for j in group], [ts[others[k]] for k in second]):
        status = "jumps"  # a cut: one setting before some moment, another after it
    elif span[1] - span[0] >= check_span:
        g_vs = [vs[j] for j in group]
        mt, mv = statistics.fmean(g_ts), statistics.fmean(g_vs)
        den = sum((t - mt) ** 2 for t in g_ts)
        rate = sum((t - mt) * (v - mv) for t, v in zip(g_ts, g_vs)) / den if den > 0 else None
        status = "advancing" if rate is not None and abs(rate - 1.0) <= RATE_TOLERANCE + res / (span[1] - span[0]) \
            else "unchecked"
    if len(group) < need:
        return None
    typical = use[group[len(group) // 2]]
    return ClockFit(dates, float(start), res, status, rate, zone, len(samples), len(group), span, typical,
                    tuple(use[j] for j in group))
