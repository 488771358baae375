"""Fusing time and place evidence into one estimate, reporting conflicts instead of hiding them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._util import jsonable
from .evidence import Evidence
from .places import haversine_km

__all__ = ["When", "Where", "fuse_place", "fuse_time", "support"]


@dataclass(frozen=True)
class When:
    """Estimated filming time.

    Attributes
    ----------
    earliest, latest : datetime or None
        UTC interval [aware]; ``None`` is an open side (no evidence bounds it).
    best : datetime or None
        Best single estimate, ``None`` when the evidence gives none.
    confidence : float
        Support in [0, 1]: 1 - prod(1 - r) over the independent groups that agree with the
        interval, reduced by the strongest conflicting group.
    sources : tuple of str
        Evidence sources the interval rests on.
    conflicts : tuple of str
        Sentences describing evidence that disagreed and was left out of the intersection.
    windows : tuple of (datetime, datetime)
        When not empty, the filming time lies in one of these disjoint UTC windows inside
        ``earliest .. latest`` (from sun observations); empty means the whole interval.
    """

    earliest: datetime | None = None
    latest: datetime | None = None
    best: datetime | None = None
    confidence: float = 0.0
    sources: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    windows: tuple[tuple[datetime, datetime], ...] = ()

    @property
    def known(self) -> bool:
        return self.earliest is not None or self.latest is not None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self.__dict__)

    def __repr__(self) -> str:
        def f(t):
            return "?" if t is None else t.strftime("%Y-%m-%dT%H:%MZ")
        return f"When({f(self.earliest)} .. {f(self.latest)}, best={f(self.best)}, confidence={self.confidence:.2f})"


@dataclass(frozen=True)
class Where:
    """Estimated filming place: a point [deg] with an uncertainty radius [km]."""

    lat: float
    lon: float
    radius_km: float
    confidence: float
    sources: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self.__dict__)

    def __repr__(self) -> str:
        return f"Where({self.lat:.5f}, {self.lon:.5f}, ±{self.radius_km:.3g} km, confidence={self.confidence:.2f})"


def support(items: list[Evidence]) -> float:
    """1 - prod(1 - r) over independence groups, each counted once at its best reliability."""
    best: dict[str, float] = {}
    for e in items:
        best[e.group] = max(best.get(e.group, 0.0), e.reliability)
    out = 1.0
    for r in best.values():
        out *= 1.0 - r
    return 1.0 - out


#: A conflicting item at least this reliable widens the estimate; weaker ones (for example a
#: clock the consistency checks caught out) are reported but do not widen it.
WIDEN_FLOOR = 0.3


def _intersect(a0, a1, b0, b1):
    lo = b0 if a0 is None else (a0 if b0 is None else max(a0, b0))
    hi = b1 if a1 is None else (a1 if b1 is None else min(a1, b1))
    return lo, hi


def _clip_windows(wins, lo, hi):
    out = []
    for a, b in wins:
        a2 = a if lo is None else max(a, lo)
        b2 = b if hi is None else min(b, hi)
        if a2 <= b2:
            out.append((a2, b2))
    return out


def _cross(w1, w2):
    out = []
    for a, b in w1:
        for c, d in w2:
            lo, hi = max(a, c), min(b, d)
            if lo <= hi:
                out.append((lo, hi))
    return sorted(out)


def fuse_time(evidence: list[Evidence]) -> When:
    """Intersect the time constraints, most reliable first.

    An item that would empty the intersection is a conflict: it is reported, and the
    estimate is widened to cover it instead of silently dropping one side (items below
    ``WIDEN_FLOOR``, such as a clock the checks showed to be wrong, are reported without
    widening). Items with ``windows`` (a sun observation fits mornings and afternoons, not
    the hours between) narrow the estimate to those windows; the result keeps them in
    ``When.windows``. Confidence is the support of the agreeing groups times (1 - the
    strongest widening conflict's reliability), so corroborating evidence never lowers it.
    """
    items = sorted((e for e in evidence if e.constrains_time), key=lambda e: -e.reliability)
    if not items:
        return When()
    lo = hi = None
    wins = None
    agreeing: list[Evidence] = []
    conflicting: list[Evidence] = []
    for e in items:
        nlo, nhi = _intersect(lo, hi, e.earliest, e.latest)
        if nlo is not None and nhi is not None and nlo > nhi:
            conflicting.append(e)
            continue
        nwins = wins
        if e.windows:
            nwins = _cross(_clip_windows(wins, nlo, nhi) if wins is not None else
                           [(nlo or e.windows[0][0], nhi or e.windows[-1][1])], e.windows)
            if not nwins:
                conflicting.append(e)
                continue
        elif wins is not None:
            nwins = _clip_windows(wins, nlo, nhi)
            if not nwins:
                conflicting.append(e)
                continue
        if nwins is not None:
            nlo, nhi = nwins[0][0], nwins[-1][1]
        lo, hi, wins = nlo, nhi, nwins
        agreeing.append(e)
    conflicts = []
    widening = [e for e in conflicting if e.reliability >= WIDEN_FLOOR]
    for e in conflicting:
        if e in widening:
            conflicts.append(f"{e.summary} This disagrees with stronger evidence, so the estimate was widened to "
                             f"cover it [source: {e.source}].")
        else:
            conflicts.append(f"{e.summary} This disagrees with stronger evidence and was set aside, because its "
                             f"reliability is only {e.reliability:.2f}"
                             + (f" ({e.notes[-1]})" if e.notes else "") + f" [source: {e.source}].")
    for e in widening:
        lo = e.earliest if lo is None or e.earliest is None else min(lo, e.earliest)
        hi = e.latest if hi is None or e.latest is None else max(hi, e.latest)
        wins = None
    confidence = support(agreeing)
    agreeing_groups = {e.group for e in agreeing}
    penalty = [e.reliability for e in conflicting if e.group not in agreeing_groups]
    if penalty:
        confidence *= 1.0 - max(penalty)
    best = None
    points = [e for e in agreeing if e.best is not None and (lo is None or e.best >= lo) and (hi is None or e.best <= hi)]
    if wins:
        points = [e for e in points if any(a <= e.best <= b for a, b in wins)]
    if points:
        best = max(points, key=lambda e: (e.reliability, -((e.latest or e.best) - (e.earliest or e.best)).total_seconds())).best
    elif wins and len(wins) == 1:
        best = wins[0][0] + (wins[0][1] - wins[0][0]) / 2
    elif lo is not None and hi is not None:
        best = lo + (hi - lo) / 2
    return When(lo, hi, best, round(confidence, 4), tuple(dict.fromkeys(e.source for e in agreeing)), tuple(conflicts),
                tuple(wins) if wins and len(wins) > 1 else ())


def fuse_place(evidence: list[Evidence]) -> Where | None:
    """Combine place constraints: the tightest reliable one, checked against the others.

    Two circles that do not overlap are a conflict; the estimate then becomes the smallest
    circle (about the stronger centre) covering both, with lower confidence.
    """
    items = sorted((e for e in evidence if e.constrains_place),
                   key=lambda e: (-e.reliability, e.radius_km or 0.0))
    if not items:
        return None
    anchor = min(items[:1] + [e for e in items if e.reliability >= items[0].reliability - 0.1],
                 key=lambda e: e.radius_km or 0.0)
    lat, lon, radius = anchor.lat, anchor.lon, anchor.radius_km or 0.0
    agreeing, conflicting = [], []
    for e in items:
        d = haversine_km(lat, lon, e.lat, e.lon)
        if d <= radius + (e.radius_km or 0.0) + 1e-9:
            agreeing.append(e)
        else:
            conflicting.append((e, d))
    conflicts = []
    for e, d in conflicting:
        conflicts.append(f"{e.summary} This is {d:,.0f} km from the stronger place evidence [source: {e.source}].")
        radius = max(radius, d + (e.radius_km or 0.0))
    confidence = support(agreeing)
    groups = {e.group for e, _ in conflicting} - {e.group for e in agreeing}
    if groups:
        confidence *= 1.0 - max(e.reliability for e, _ in conflicting if e.group in groups)
    return Where(lat, lon, radius if math.isfinite(radius) else 20037.5, round(confidence, 4),
                 tuple(dict.fromkeys(e.source for e in agreeing)), tuple(conflicts))
