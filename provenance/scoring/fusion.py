"""Fusing time and place evidence into one estimate, reporting conflicts instead of hiding them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
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
#: An agreeing item corroborates another only when it is this tight [s]: an unrelated reading
#: is unlikely to fall within two days of the filming by chance, but a bound years wide says
#: nothing by agreeing.
CORROBORATION_WIDTH = timedelta(days=2)


def _intersect(a0: datetime | None, a1: datetime | None, b0: datetime | None, b1: datetime | None
               ) -> tuple[datetime | None, datetime | None]:
    lo = b0 if a0 is None else (a0 if b0 is None else max(a0, b0))
    hi = b1 if a1 is None else (a1 if b1 is None else min(a1, b1))
    return lo, hi


def _clip_windows(wins: list[tuple[datetime, datetime]], lo: datetime | None, hi: datetime | None
                  ) -> list[tuple[datetime, datetime]]:
    out = []
    for a, b in wins:
        a2 = a if lo is None else max(a, lo)
        b2 = b if hi is None else min(b, hi)
        if a2 <= b2:
            out.append((a2, b2))
    return out


def _cross(w1: list[tuple[datetime, datetime]], w2: tuple[tuple[datetime, datetime], ...]
           ) -> list[tuple[datetime, datetime]]:
    out = []
    for a, b in w1:
        for c, d in w2:
            lo, hi = max(a, c), min(b, d)
            if lo <= hi:
                out.append((lo, hi))
    return sorted(out)


def _width(e: Evidence) -> float:
    """Width [s] of an item's time constraint (infinite when open on a side)."""
    if e.earliest is None or e.latest is None:
        return math.inf
    return (e.latest - e.earliest).total_seconds()


def _tight(e: Evidence) -> bool:
    return e.earliest is not None and e.latest is not None and e.latest - e.earliest <= CORROBORATION_WIDTH


def interval_confidence(binding: list[Evidence], agreeing: list[Evidence]) -> float:
    """Probability that the truth lies in an intersection, under the error models.

    The intersection holds the truth when every item that sets one of its edges is related
    to the filming. An edge item ``g`` is unrelated only if it is wrong *and* every other
    tight agreeing group (:data:`CORROBORATION_WIDTH`) agrees with it by chance, so its term
    is ``1 - p_g * prod(p_h)``; the confidence is the weakest edge's term.
    """
    if not binding:
        return 0.0
    p_group: dict[str, float] = {}
    for e in agreeing:
        p_group[e.group] = min(p_group.get(e.group, 1.0), 1.0 - e.reliability)
    tight: dict[str, float] = {}
    for e in agreeing:
        if _tight(e):
            tight[e.group] = min(tight.get(e.group, 1.0), 1.0 - e.reliability)
    out = 1.0
    for g in {e.group for e in binding}:
        p = p_group.get(g, 1.0)
        for h, ph in tight.items():
            if h != g:
                p *= ph
        out = min(out, 1.0 - p)
    return out


def _binding(items: list[Evidence], lo: datetime | None, hi: datetime | None,
             wins: list[tuple[datetime, datetime]] | None) -> list[Evidence]:
    out = []
    for e in items:
        if (lo is not None and e.earliest is not None and e.earliest >= lo) or \
                (hi is not None and e.latest is not None and e.latest <= hi) or (wins is not None and e.windows):
            out.append(e)
    return out


def fuse_time(evidence: list[Evidence]) -> When:
    """Intersect the time constraints, most reliable first.

    Only items that speak about the whole video take part (a partial match speaks about its
    part). An item that would empty the intersection is a conflict: it is reported, and the
    estimate is widened to cover it instead of silently dropping one side (items below
    ``WIDEN_FLOOR``, such as a clock the checks showed to be wrong, are reported without
    widening). An agreeing item narrows the estimate only when that does not lower its
    confidence (:func:`interval_confidence`): a weak reading inside a strong one is
    reported as agreeing but does not cut the interval down to itself. Items with
    ``windows`` (a sun observation fits mornings and afternoons) narrow the estimate to those
    windows; the result keeps them in ``When.windows``. A widening conflict multiplies the
    confidence by (1 - its reliability).
    """
    items = sorted((e for e in evidence if e.constrains_time and e.whole), key=lambda e: -e.reliability)
    if not items:
        return When()
    lo: datetime | None = None
    hi: datetime | None = None
    wins: list[tuple[datetime, datetime]] | None = None
    agreeing: list[Evidence] = []
    narrowing: list[Evidence] = []
    conflicting: list[Evidence] = []
    for e in items:
        nlo, nhi = _intersect(lo, hi, e.earliest, e.latest)
        if nlo is not None and nhi is not None and nlo > nhi:
            conflicting.append(e)
            continue
        nwins = wins
        if e.windows:
            start = nlo or e.windows[0][0]
            stop = nhi or e.windows[-1][1]
            nwins = _cross(_clip_windows(wins, nlo, nhi) if wins is not None else [(start, stop)], e.windows)
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
        before = interval_confidence(_binding(narrowing, lo, hi, wins), agreeing) if narrowing else 0.0
        after = interval_confidence(_binding(narrowing + [e], nlo, nhi, nwins), agreeing + [e])
        agreeing.append(e)
        if narrowing and after < before:
            continue  # agrees, but narrowing to it would state a tighter interval than the evidence holds
        lo, hi, wins = nlo, nhi, nwins
        narrowing.append(e)
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
    confidence = interval_confidence(_binding(narrowing, lo, hi, wins), agreeing)
    for e in widening:
        lo = None if lo is None or e.earliest is None else min(lo, e.earliest)
        hi = None if hi is None or e.latest is None else max(hi, e.latest)
        wins = None
    agreeing_groups = {e.group for e in agreeing}
    penalty = [e.reliability for e in widening if e.group not in agreeing_groups]
    if penalty:
        # the hull holds the truth if either side is right
        confidence = 1.0 - (1.0 - confidence) * (1.0 - max(penalty)) if confidence else max(penalty)
        confidence = min(confidence, 1.0)
    best = None
    points = [e for e in agreeing if e.best is not None and (lo is None or e.best >= lo)
              and (hi is None or e.best <= hi)]
    if wins:
        points = [e for e in points if any(a <= e.best <= b for a, b in wins)]  # type: ignore[operator]
    if points:
        def tightness(e: Evidence) -> tuple[float, float]:
            width = _width(e)
            return e.reliability, -width
        best = max(points, key=tightness).best
    elif wins and len(wins) == 1:
        best = wins[0][0] + (wins[0][1] - wins[0][0]) / 2
    elif wins:
        # several disjoint windows (e.g. the readings of an ambiguous on-screen date): no single best
        # time is supported, and the midpoint of their hull may lie in none of them
        best = None
    elif lo is not None and hi is not None:
        best = lo + (hi - lo) / 2
    return When(lo, hi, best, round(confidence, 4), tuple(dict.fromkeys(e.source for e in narrowing)), tuple(conflicts),
                tuple(wins) if wins and len(wins) > 1 else ())


def fuse_place(evidence: list[Evidence]) -> Where | None:
    """Combine place constraints: the tightest reliable one, checked against the others.

    Only items that speak about the whole video take part. Two circles that do not overlap
    are a conflict; the estimate then becomes the smallest circle (about the stronger centre)
    covering both. Confidence is the anchor's probability of being related, raised by
    agreeing groups whose circles are at most :data:`CORROBORATION_RADIUS_FACTOR` times
    wider (``1 - p_anchor * prod(p_h)``); a widening conflict raises it as for time (the
    wider circle holds the truth if either side is right).
    """
    items = sorted((e for e in evidence if e.constrains_place and e.whole),
                   key=lambda e: (-e.reliability, e.radius_km or 0.0))
    if not items:
        return None
    anchor = min(items[:1] + [e for e in items if e.reliability >= items[0].reliability - 0.1],
                 key=lambda e: e.radius_km or 0.0)
    lat, lon, radius = float(anchor.lat), float(anchor.lon), anchor.radius_km or 0.0  # type: ignore[arg-type]
    agreeing, conflicting = [], []
    for e in items:
        d = haversine_km(lat, lon, float(e.lat), float(e.lon))  # type: ignore[arg-type]
        if d <= radius + (e.radius_km or 0.0) + 1e-9:
            agreeing.append(e)
        else:
            conflicting.append((e, d))
    conflicts = []
    for e, d in conflicting:
        conflicts.append(f"{e.summary} This is {d:,.0f} km from the stronger place evidence [source: {e.source}].")
    widening = [(e, d) for e, d in conflicting if e.reliability >= WIDEN_FLOOR]
    for e, d in widening:
        radius = max(radius, d + (e.radius_km or 0.0))
    p = 1.0 - anchor.reliability
    seen = {anchor.group}
    for e in sorted(agreeing, key=lambda x: -x.reliability):
        if e.group in seen or (e.radius_km or 0.0) > CORROBORATION_RADIUS_FACTOR * max(anchor.radius_km or 0.0, 0.1):
            continue
        seen.add(e.group)
        p *= 1.0 - e.reliability
    confidence = 1.0 - p
    groups = {e.group for e, _ in widening} - {e.group for e in agreeing}
    if groups:
        r = max(e.reliability for e, _ in widening if e.group in groups)
        confidence = 1.0 - (1.0 - confidence) * (1.0 - r)
    return Where(lat, lon, radius if math.isfinite(radius) else 20037.5, round(confidence, 4),
                 tuple(dict.fromkeys(e.source for e in agreeing)), tuple(conflicts))


#: An agreeing place item corroborates the anchor when its circle is at most this many times wider.
CORROBORATION_RADIUS_FACTOR = 10.0
