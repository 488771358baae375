"""Claims ("filmed 2020-08-16 near Smolensk") and the graded rules that judge them.

A claim has a time part and a place part; each is graded apart and the two give the
overall grade (:class:`Grade`, ``docs/guide.md`` says exactly what evidence reaches each):

- *contradicted by independent evidence*: independent origins (index records, matched
  sources, observers) exclude it and are all unrelated to the filming with probability at
  most :data:`~provenance.scoring.errormodels.P_CONTRADICT_INDEPENDENT`;
- *contradicted by the file's own metadata*: the file's own readings (its clock, its GPS)
  exclude it, all unrelated with probability at most
  :data:`~provenance.scoring.errormodels.P_CONTRADICT_FILE`, and no independent origin backs
  the claim;
- *consistent, corroborated*: nothing excludes it and at least two independent groups back it;
- *consistent with one independent source*: one group backs it and it is not the file's own;
- *consistent with the file's metadata only*: only the file's own reading backs it;
- *unverifiable*: no evidence decides.

An item *excludes* a claim only beyond its error model (the core's tail bounds); an item
*backs* a claim when it overlaps it and is at least about as precise as the claim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .._util import aware_utc, jsonable
from ..errors import InvalidArgumentError
from .errormodels import P_CONTRADICT_FILE, P_CONTRADICT_INDEPENDENT, SHADOW
from .evidence import Evidence, _destination
from .fusion import When, Where
from .places import Place, haversine_km, resolve_candidates
from .timezones import local_date_to_utc, zone_at

__all__ = [
    "BACKING_P",
    "INSTANT_SLACK",
    "VAGUE_FACTOR",
    "Claim",
    "Grade",
    "Verdict",
    "check_claim",
]

Status = Literal["consistent", "contradicted", "unverifiable"]

#: An item backs a claim only when it is unrelated to the filming with probability at most this.
BACKING_P = 0.5
#: A time item backs a claim only when it is at most this many times wider than the claim.
VAGUE_FACTOR = 3.0
#: Slack given to a claimed instant (people round times).
INSTANT_SLACK = timedelta(minutes=30)
#: A date claim without a place is read in the zone of the fused place when that place is
#: known this well (confidence) and this tightly (radius [km]).
ZONE_PLACE_CONFIDENCE = 0.9
ZONE_PLACE_RADIUS_KM = 500.0
#: Rounding slack for the probability thresholds (1 - 0.95 is 0.05000000000000004 in floating point).
_EPS = 1e-9


class Grade(StrEnum):
    """A graded verdict; ``.label`` is the plain-language wording, ``.status`` the old three-way value."""

    CONTRADICTED_INDEPENDENT = "contradicted_independent"
    CONTRADICTED_METADATA = "contradicted_metadata"
    CORROBORATED = "corroborated"
    CONSISTENT_ONE_SOURCE = "consistent_one_source"
    CONSISTENT_METADATA_ONLY = "consistent_metadata_only"
    UNVERIFIABLE = "unverifiable"

    @property
    def label(self) -> str:
        """Plain-language label for reports."""
        return _LABELS[self]

    @property
    def status(self) -> Status:
        """``"contradicted"``, ``"consistent"`` or ``"unverifiable"`` (the pre-grade status)."""
        if self in (Grade.CONTRADICTED_INDEPENDENT, Grade.CONTRADICTED_METADATA):
            return "contradicted"
        return "unverifiable" if self is Grade.UNVERIFIABLE else "consistent"



_LABELS = {
    Grade.CONTRADICTED_INDEPENDENT: "contradicted by independent evidence",
    Grade.CONTRADICTED_METADATA: "contradicted by the file's own metadata",
    Grade.CORROBORATED: "consistent, corroborated",
    Grade.CONSISTENT_ONE_SOURCE: "consistent with one independent source",
    Grade.CONSISTENT_METADATA_ONLY: "consistent with the file's metadata only",
    Grade.UNVERIFIABLE: "unverifiable",
}
#: Overall grade: the worst part wins (contradictions first, then unverifiable, then the weakest consistency).
_RANK = {Grade.CONTRADICTED_INDEPENDENT: 0, Grade.CONTRADICTED_METADATA: 1, Grade.UNVERIFIABLE: 2,
         Grade.CONSISTENT_METADATA_ONLY: 3, Grade.CONSISTENT_ONE_SOURCE: 4, Grade.CORROBORATED: 5}


@dataclass(frozen=True)
class Claim:
    """What someone says about when and where footage was filmed.

    Parameters
    ----------
    time : datetime, date, (start, end) or None
        An aware datetime (taken with 30 min of slack), a calendar date (the local day at
        the claimed place; without a place, the local day in the zone of the place the
        evidence gives when known, else in any zone), or an interval of aware datetimes or dates.
    place : (lat, lon), str or None
        Coordinates [deg] or a place name resolved offline (``"Smolensk"``, ``"Paris, TX"``).
        An ambiguous name keeps every namesake in ``candidates``.
    radius_km : float
        How near the place the claim allows [km].
    text : str
        The claim as worded, for the report.

    Attributes
    ----------
    earliest, latest : datetime or None
        The claimed time as a UTC interval (the union over the candidates' zones).
    lat, lon : float or None
        The claimed place [deg] (the most populous candidate for a name).
    place_info : Place or None
        The gazetteer entry when ``place`` was a name.
    candidates : tuple of Place
        Every place the name can stand for (one entry for coordinates: empty).
    """

    time: datetime | date | tuple[Any, Any] | None = None
    place: tuple[float, float] | str | None = None
    radius_km: float = 50.0
    text: str = ""
    earliest: datetime | None = field(init=False, default=None)
    latest: datetime | None = field(init=False, default=None)
    lat: float | None = field(init=False, default=None)
    lon: float | None = field(init=False, default=None)
    place_info: Place | None = field(init=False, default=None)
    candidates: tuple[Place, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        if isinstance(self.radius_km, bool) or not isinstance(self.radius_km, (int, float)) \
                or not math.isfinite(self.radius_km) or self.radius_km <= 0:
            raise InvalidArgumentError(f"Claim.radius_km must be a positive number of km (got {self.radius_km!r})")
        if self.time is None and self.place is None:
            raise InvalidArgumentError("a Claim needs a time, a place, or both")
        lat = lon = None
        zones: list[ZoneInfo | None] = []
        if isinstance(self.place, str):
            cands = resolve_candidates(self.place)
            object.__setattr__(self, "candidates", cands)
            object.__setattr__(self, "place_info", cands[0])
            lat, lon = cands[0].lat, cands[0].lon
            zones = list({z.key: z for z in (_zone_of(c) for c in cands) if z is not None}.values()) or [None]
        elif self.place is not None:
            try:
                lat, lon = (float(v) for v in self.place)
            except (TypeError, ValueError) as exc:
                raise InvalidArgumentError(
                    f"Claim.place must be (lat, lon) in degrees or a place name (got {self.place!r})") from exc
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InvalidArgumentError(
                    f"Claim.place ({lat}, {lon}) is out of range: lat in [-90, 90], lon in [-180, 180]")
            zones = [zone_at(lat, lon)]
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lon", lon)
        if self.time is not None:
            start, end = claim_interval(self.time, zones or [None])
            object.__setattr__(self, "earliest", start)
            object.__setattr__(self, "latest", end)

    @property
    def has_time(self) -> bool:
        return self.earliest is not None

    @property
    def has_place(self) -> bool:
        return self.lat is not None

    @property
    def time_is_local_date(self) -> bool:
        """Whether the time part is a calendar date (or dates), read in some zone."""
        t = self.time
        if isinstance(t, (tuple, list)):
            return any(isinstance(v, date) and not isinstance(v, datetime) for v in t)
        return isinstance(t, date) and not isinstance(t, datetime)

    @property
    def places(self) -> tuple[tuple[str, float, float], ...]:
        """``(label, lat, lon)`` of every candidate place (one entry for coordinates)."""
        if self.candidates:
            return tuple((f"{c.name}, {c.country}", c.lat, c.lon) for c in self.candidates)
        if self.lat is None or self.lon is None:
            return ()
        return ((f"{self.lat:.4f}, {self.lon:.4f}", self.lat, self.lon),)

    def describe(self) -> str:
        """The claim in words."""
        if self.text:
            return self.text
        parts = []
        if self.time is not None:
            parts.append(f"filmed {_fmt_time(self.time)}")
        if self.place is not None:
            where = self.place if isinstance(self.place, str) else f"{self.lat:.4f}, {self.lon:.4f}"
            parts.append(f"within {self.radius_km:g} km of {where}")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "text": self.describe(), "time": self.time if not isinstance(self.time, tuple) else list(self.time),
            "place": self.place, "radius_km": self.radius_km, "earliest": self.earliest,
            "latest": self.latest, "lat": self.lat, "lon": self.lon, "place_info": self.place_info,
            "candidates": [f"{c.name}, {c.country}" for c in self.candidates],
        })


def _zone_of(p: Place) -> ZoneInfo | None:
    if p.timezone:
        try:
            return ZoneInfo(p.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return zone_at(p.lat, p.lon)


def _fmt_time(t: Any) -> str:
    if isinstance(t, tuple):
        return f"between {_fmt_time(t[0])} and {_fmt_time(t[1])}"
    if isinstance(t, datetime):
        return f"at {t.isoformat()}"
    return f"on {t.isoformat()}"


def claim_interval(value: Any, zones: list[ZoneInfo | None]) -> tuple[datetime, datetime]:
    """The UTC interval a claimed time stands for, over every zone it may be read in.

    Parameters
    ----------
    value : datetime, date or (start, end)
        An aware instant (with :data:`INSTANT_SLACK`), a local calendar date, or a pair.
    zones : list of ZoneInfo or None
        Zones the date may be read in (``None``: any zone, UTC-12..UTC+14).
    """
    if isinstance(value, datetime):
        t = aware_utc(value, "Claim.time")
        return t - INSTANT_SLACK, t + INSTANT_SLACK
    if isinstance(value, date):
        spans = [local_date_to_utc(value, z) for z in (zones or [None])]
        return min(s[0] for s in spans), max(s[1] for s in spans)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        a, b = (claim_interval(v, zones) for v in value)
        if a[0] > b[1]:
            raise InvalidArgumentError(f"Claim.time interval starts after it ends: {value!r}")
        return a[0], b[1]
    raise InvalidArgumentError(
        f"Claim.time must be an aware datetime, a date, or a (start, end) pair (got {value!r})")


@dataclass(frozen=True)
class Verdict:
    """The judgement of a claim.

    Attributes
    ----------
    status : str
        ``"consistent"``, ``"contradicted"`` or ``"unverifiable"`` (``grade.status``).
    reasons : tuple of str
        Sentences citing the evidence.
    time_status, place_status : str or None
        The judgement of each part of the claim (``None`` when the claim has no such part).
    evidence : tuple of str
        Sources of the evidence the verdict rests on.
    grade : Grade
        The graded verdict; ``grade.label`` is its plain-language wording.
    time_grade, place_grade : Grade or None
        The grade of each part (``None`` when the claim has no such part).
    candidates : tuple of str
        Every place an ambiguous place name can stand for (empty for coordinates or a unique name).
    """

    status: Status
    reasons: tuple[str, ...]
    time_status: Status | None = None
    place_status: Status | None = None
    evidence: tuple[str, ...] = ()
    grade: Grade = Grade.UNVERIFIABLE
    time_grade: Grade | None = None
    place_grade: Grade | None = None
    candidates: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = jsonable({k: getattr(self, k) for k in self.__dataclass_fields__})
        for k in ("grade", "time_grade", "place_grade"):
            g = getattr(self, k)
            d[k] = None if g is None else g.value
        d["grade_label"] = self.grade.label
        return d

    def __repr__(self) -> str:
        return f"Verdict({self.status!r}, grade={self.grade.value!r}, {len(self.reasons)} reason(s))"


def _day(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


def _cite(e: Evidence) -> str:
    return f"[source: {e.source}; reliability {e.reliability:.2f}" + (f"; {e.model}" if e.model else "") + "]"


def _p_by_group(items: list[Evidence]) -> dict[str, float]:
    out: dict[str, float] = {}
    for e in items:
        out[e.group] = min(out.get(e.group, 1.0), 1.0 - e.reliability)
    return out


def _product(ps: dict[str, float]) -> float:
    out = 1.0
    for p in ps.values():
        out *= p
    return out


@dataclass(frozen=True)
class _Part:
    grade: Grade
    reasons: tuple[str, ...]
    sources: tuple[str, ...]


def _width_s(e: Evidence) -> float:
    """Width [s] of an item's time constraint (infinite when open on a side)."""
    if e.earliest is None or e.latest is None:
        return math.inf
    return (e.latest - e.earliest).total_seconds()


#: Slack [s] around a wall-clock reading compared with a claimed local date: the clock's tail
#: (10 min) plus an hour for a clock that ignores daylight saving.
WALL_DATE_SLACK = timedelta(minutes=70)


def _claimed_days(value: Any) -> tuple[date, date] | None:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        a, b = (_claimed_days(v) for v in value)
        return None if a is None or b is None else (a[0], b[1])
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value, value
    return None


def _wall_exclusions(claim: Claim, items: list[Evidence]) -> list[Evidence]:
    """Clock readings whose own local date is not the claimed date (a date claimed without a place).

    Both the claimed date and the device's wall clock are local dates where the footage was
    filmed (assuming the clock was set to the local time there), so they are compared
    directly, without a zone, with :data:`WALL_DATE_SLACK`.
    """
    days = _claimed_days(claim.time)
    if days is None:
        return []
    start = datetime.combine(days[0], datetime.min.time())
    end = datetime.combine(days[1] + timedelta(days=1), datetime.min.time())
    out = []
    for e in items:
        if e.wall is None or e.kind not in ("metadata_time", "onscreen_clock"):
            continue
        if e.wall + WALL_DATE_SLACK < start or e.wall - WALL_DATE_SLACK >= end:
            out.append(Evidence(e.kind, f"{e.summary} Its own wall-clock reading, {e.wall:%Y-%m-%d %H:%M}, is not on "
                                f"the claimed local date (assuming the clock kept the local time where it filmed).",
                                e.source, e.shape, e.reliability, e.reliability_reason, e.group, e.earliest, e.latest,
                                e.best, raw=e.raw, model=e.model, wall=e.wall))
    return out


def _grade_part(what: str, excluding: list[Evidence], backing: list[Evidence], considered: list[Evidence],
                describe_exclusion: Any) -> _Part:
    """Grade one part of a claim from the items that exclude it and those that back it."""
    ex_ind = _p_by_group([e for e in excluding if e.origin == "independent"])
    ex_file = _p_by_group([e for e in excluding if e.origin == "file"])
    back_ind = _p_by_group([e for e in backing if e.origin == "independent"])
    back_file = _p_by_group([e for e in backing if e.origin == "file"])
    p_ind, p_file = _product(ex_ind), _product(ex_file)
    ex_reasons = [describe_exclusion(e) for e in sorted(excluding, key=lambda x: -x.reliability)]
    back_reasons = [f"{e.summary} {_cite(e)}" for e in sorted(backing, key=lambda x: -x.reliability)]
    sources = tuple(dict.fromkeys(e.source for e in excluding + backing)) or tuple(e.source for e in considered)
    if ex_ind and p_ind <= P_CONTRADICT_INDEPENDENT + _EPS:
        # strong evidence for the claim (independent, or the file's own GPS or clock) means one side is wrong,
        # and the error models do not say which: no contradiction
        if (back_ind and _product(back_ind) <= P_CONTRADICT_INDEPENDENT + _EPS) or \
                (back_file and _product(back_file) <= P_CONTRADICT_FILE + _EPS):
            return _Part(Grade.UNVERIFIABLE, (f"Strong sources disagree about the {what}, so the claim can "
                                              "be neither confirmed nor excluded: " + "; ".join(ex_reasons)
                                              + " — for the claim: " + "; ".join(back_reasons),), sources)
        return _Part(Grade.CONTRADICTED_INDEPENDENT, tuple(ex_reasons) + tuple(
            f"(Also consistent with the claim, but outweighed: {r})" for r in back_reasons), sources)
    if ex_file and p_file * p_ind <= P_CONTRADICT_FILE + _EPS:
        if back_ind and _product(back_ind) <= BACKING_P:
            return _Part(Grade.UNVERIFIABLE, (f"The file's own metadata excludes the claimed {what}, but independent "
                                              "evidence backs it, so the claim can be neither confirmed nor excluded: "
                                              + "; ".join(ex_reasons) + " — for the claim: "
                                              + "; ".join(back_reasons),), sources)
        tight_ex = min((_width_s(e) for e in excluding), default=math.inf)
        back_tight = _p_by_group([e for e in backing if e.origin == "file"
                                  and _width_s(e) <= VAGUE_FACTOR * tight_ex + 7200.0])
        if back_tight and _product(back_tight) <= P_CONTRADICT_FILE + _EPS:
            return _Part(Grade.UNVERIFIABLE, (f"The file's own readings disagree with each other about the {what}: "
                                              + "; ".join(ex_reasons) + " — against: " + "; ".join(back_reasons),),
                         sources)
        return _Part(Grade.CONTRADICTED_METADATA, tuple(ex_reasons), sources)
    reasons: list[str] = []
    blocking = [e for e in excluding if e.reliability >= 1.0 - BACKING_P]
    if excluding:
        reasons.append(f"Some evidence disagrees with the claimed {what} but is not strong enough to exclude it: "
                       + "; ".join(ex_reasons))
    if backing and not blocking:
        groups = set(back_ind) | set(back_file)
        if len(groups) >= 2:
            grade = Grade.CORROBORATED
            head = f"{len(groups)} independent groups of evidence agree with the claimed {what}: "
        elif back_ind:
            grade = Grade.CONSISTENT_ONE_SOURCE
            head = f"One independent source agrees with the claimed {what}: "
        else:
            grade = Grade.CONSISTENT_METADATA_ONLY
            head = f"Only the file's own metadata agrees with the claimed {what}: "
        return _Part(grade, tuple(reasons) + (head + "; ".join(back_reasons),), sources)
    if not considered:
        reasons.append(f"No evidence about the filming {what} was found, so the claimed {what} can be neither "
                       "confirmed nor excluded.")
    elif not excluding:
        reasons.append(f"The evidence about the filming {what} is too imprecise to confirm or exclude the "
                       f"claimed {what}.")
    return _Part(Grade.UNVERIFIABLE, tuple(reasons), sources)


def _claim_span(claim: Claim, where: Where | None) -> tuple[datetime, datetime, str]:
    """The claimed UTC interval; a date without a place is read in the zone of the fused place."""
    cs, ce = claim.earliest, claim.latest
    if cs is None or ce is None:  # pragma: no cover - only called with a time
        raise InvalidArgumentError("the claim has no time")
    if claim.has_place or not claim.time_is_local_date or where is None:
        return cs, ce, ""
    if where.confidence < ZONE_PLACE_CONFIDENCE or where.radius_km > ZONE_PLACE_RADIUS_KM:
        return cs, ce, ""
    pts = [(where.lat, where.lon)] + [_destination(where.lat, where.lon, 45.0 * k, where.radius_km) for k in range(8)]
    zones = {z.key: z for z in (zone_at(la, lo) for la, lo in pts) if z is not None}
    if not zones:
        return cs, ce, ""
    a, b = claim_interval(claim.time, list(zones.values()))
    note = (f"The claimed date is read as the local day in {', '.join(sorted(zones))}, the time zone of the place the "
            f"evidence gives ({where.lat:.4f}, {where.lon:.4f} within {where.radius_km:,.1f} km): "
            f"{_day(a)} to {_day(b)}.")
    return a, b, note


def _check_time(claim: Claim, when: When, where: Where | None, evidence: list[Evidence],
                sun_excluding: list[Evidence], span: tuple[datetime, datetime] | None = None) -> _Part:
    if span is None:
        cs, ce, zone_note = _claim_span(claim, where)
    else:
        (cs, ce), zone_note = span, ""
    items = [e for e in evidence if e.constrains_time and e.whole]
    partial = [e for e in evidence if e.constrains_time and not e.whole]
    excluding = [e for e in items if e.excludes_time(cs, ce)]
    if claim.time_is_local_date and not claim.has_place and not zone_note and span is None:
        walls = _wall_exclusions(claim, [e for e in items if e not in excluding])
        excluding += walls
        wall_sources = {e.source for e in walls}
    else:
        wall_sources = set()
    claim_w = (ce - cs).total_seconds()
    def width_s(e: Evidence) -> float:
        if e.windows:  # sun windows: only those that meet the claim count
            return sum((b - a).total_seconds() for a, b in e.windows if a <= ce and b >= cs)
        return (e.latest - e.earliest).total_seconds()  # type: ignore[operator]

    backing = [e for e in items if e not in excluding and e.source not in wall_sources
               and e.reliability >= 1.0 - BACKING_P
               and e.earliest is not None and e.latest is not None and e.earliest <= ce and e.latest >= cs
               and width_s(e) <= VAGUE_FACTOR * claim_w]

    def describe(e: Evidence) -> str:
        if e.latest is not None and e.latest < cs:
            side = "before the claimed time"
        elif e.earliest is not None and e.earliest > ce:
            side = "after the claimed time"
        else:
            side = "at other times of day than the claimed time"
        return f"{e.summary} That places the filming {side} ({_day(cs)} to {_day(ce)}). {_cite(e)}"

    def describe_any(e: Evidence) -> str:
        if e in sun_excluding or e.source in wall_sources:
            return f"{e.summary} {_cite(e)}"
        return describe(e)

    part = _grade_part("time", excluding + sun_excluding, backing, items + sun_excluding, describe_any)
    extra = []
    if zone_note:
        extra.append(zone_note)
    for e in partial:
        extra.append(f"{e.summary} It speaks only about the part of the video it covers ({e.covers:.0%}), so it "
                     f"neither bounds nor contradicts the claim. {_cite(e)}")
    if when.known and part.grade is Grade.UNVERIFIABLE and when.earliest is not None and when.latest is not None:
        extra.append(f"The estimated filming time is {_day(when.earliest)} to {_day(when.latest)} "
                     f"(confidence {when.confidence:.2f}).")
    return _Part(part.grade, tuple(extra) + part.reasons, part.sources)


def _place_backs(e: Evidence, lat: float, lon: float, radius_km: float) -> bool:
    """Whether a place item backs "within ``radius_km`` of (lat, lon)": it is at least as precise and overlaps."""
    if e.lat is None or e.lon is None or e.reliability < 1.0 - BACKING_P:
        return False
    scale = e.scale_km if e.scale_km is not None else (e.radius_km or 0.0)
    if scale > radius_km:
        return False
    if e.region is not None and hasattr(e.region, "distance_km"):
        return bool(e.region.distance_km(lat, lon) <= radius_km + scale)
    return haversine_km(lat, lon, e.lat, e.lon) <= radius_km + scale


def _place_one(label: str, la: float, lo: float, r: float, evidence: list[Evidence]) -> _Part:
    """Grade "within ``r`` km of (la, lo)" against the place evidence about the whole video."""
    items = [e for e in evidence if e.constrains_place and e.whole]
    excluding = [e for e in items if e.excludes_place(la, lo, r)]
    backing = [e for e in items if e not in excluding and _place_backs(e, la, lo, r)]

    def describe(e: Evidence) -> str:
        d = e.place_distance_km(la, lo) or 0.0
        if e.region is not None and hasattr(e.region, "distance_km"):
            d = e.region.distance_km(la, lo)
            return (f"{e.summary} Its nearest point is {d:,.1f} km from {label}, beyond the claimed {r:g} km and the "
                    f"track's {e.region.tail_km * 1000:.0f} m error. {_cite(e)}")
        if e.region is not None and d <= (e.radius_km or 0.0) + r:
            return f"{e.summary} {label} lies outside the area where it fits. {_cite(e)}"
        return (f"{e.summary} That is {d:,.1f} km from {label}, beyond the claimed {r:g} km plus the reading's own "
                f"error bound of {e.radius_km or 0.0:,.2f} km. {_cite(e)}")

    part = _grade_part("place", excluding, backing, items, describe)
    extra = tuple(f"{e.summary} It speaks only about the part of the video it covers ({e.covers:.0%}), so it does "
                  f"not place the video as a whole. {_cite(e)}" for e in evidence if e.constrains_place and not e.whole)
    return _Part(part.grade, extra + part.reasons, part.sources)


def _check_sun(claim: Claim, evidence: list[Evidence]) -> tuple[list[Evidence], list[str], list[str]]:
    """Test shadow observations against the sun at the claim's own time and place.

    Needs a claim with both a time and a place. A sunlit shadow when the sun was down
    throughout, or a sun grossly far from the measured elevation or direction, gives an
    excluding item with the ``SHADOW`` error model (one observer: never enough alone);
    a mild mismatch is reported only.
    """
    from .checks import check_sun_at_claim
    from .shadow import ShadowObservation

    obs_items = [e for e in evidence if isinstance(e.observation, ShadowObservation)]
    if not (claim.has_time and claim.has_place) or not obs_items or claim.earliest is None or claim.latest is None:
        return [], [], []
    reasons: list[str] = []
    excluding: list[Evidence] = []
    for e in obs_items:
        findings = [check_sun_at_claim(e.observation, claim.earliest, claim.latest, la, lo,
                                       radius_km=claim.radius_km, source=e.source) for _label, la, lo in claim.places]
        fits = [f for f in findings if f.code == "fits"]
        mild = [f for f in findings if f.code != "fits" and f.factor < 0.85]
        if fits:
            reasons.append(fits[0].message)
        elif mild:
            reasons.append("A shadow measurement disagrees slightly with the claimed time and place, not enough to "
                           f"exclude them: {mild[0].message} [source: {e.source}]")
        else:
            excluding.append(Evidence("shadow", findings[0].message, e.source, "note",
                                      min(e.reliability, SHADOW.reliability), e.reliability_reason, e.group,
                                      model=SHADOW.name))
    return excluding, reasons, [e.source for e in obs_items]


def check_claim(claim: Claim | None, when: When, where: Where | None, evidence: list[Evidence]) -> Verdict:
    """Judge a claim against the fused estimate and the evidence behind it.

    The time and place parts are graded apart (:class:`Grade`); a shadow is tested against
    the claim's own time and place and joins the time part. The overall grade is the worst
    part: any contradiction first (independent before metadata), then unverifiable, then the
    weakest consistency. No claim gives "unverifiable".

    Parameters
    ----------
    claim : Claim or None
    when : When
        The fused time estimate (:func:`~provenance.scoring.fusion.fuse_time`).
    where : Where or None
        The fused place estimate (its zone reads a date claim made without a place).
    evidence : list of Evidence

    Returns
    -------
    Verdict
    """
    if claim is None:
        return Verdict("unverifiable", ("No claim was given to check.",))
    sun_excl, sun_reasons, sun_sources = _check_sun(claim, evidence)
    places = claim.places
    if len(places) <= 1:
        options = [_judge_option(claim, when, where, evidence, sun_excl, places[0] if places else None, None)]
        chosen, head = options[0], list[str]()
    else:
        cands = claim.candidates
        options = []
        for (label, la, lo), c in zip(places, cands):
            span = None
            if claim.has_time and claim.time_is_local_date:
                span = claim_interval(claim.time, [_zone_of(c)])
            options.append(_judge_option(claim, when, where, evidence, sun_excl, (label, la, lo), span))
        chosen, head = _choose(claim, options)
    reasons = head + list(chosen.reasons) + sun_reasons
    sources = list(chosen.sources) + sun_sources
    tg, pg = chosen.time_grade, chosen.place_grade
    grade = chosen.grade
    return Verdict(grade.status, tuple(dict.fromkeys(reasons)), None if tg is None else tg.status,
                   None if pg is None else pg.status, tuple(dict.fromkeys(sources)), grade, tg, pg,
                   tuple(p[0] for p in places) if len(places) > 1 else ())


@dataclass(frozen=True)
class _Option:
    label: str
    grade: Grade
    time_grade: Grade | None
    place_grade: Grade | None
    reasons: tuple[str, ...]
    sources: tuple[str, ...]


def _judge_option(claim: Claim, when: When, where: Where | None, evidence: list[Evidence],
                  sun_excl: list[Evidence], place: tuple[str, float, float] | None,
                  span: tuple[datetime, datetime] | None) -> _Option:
    """Grade the claim read with one candidate place (and the time in that place's zone)."""
    reasons: list[str] = []
    sources: list[str] = []
    tg = pg = None
    if claim.has_time:
        t = _check_time(claim, when, where, evidence, sun_excl, span)
        tg, reasons, sources = t.grade, reasons + list(t.reasons), sources + list(t.sources)
    if place is not None:
        p = _place_one(place[0], place[1], place[2], claim.radius_km, evidence)
        pg, reasons, sources = p.grade, reasons + list(p.reasons), sources + list(p.sources)
    parts = [g for g in (tg, pg) if g is not None]
    grade = min(parts, key=lambda g: _RANK[g]) if parts else Grade.UNVERIFIABLE
    return _Option(place[0] if place else "", grade, tg, pg, tuple(reasons), tuple(sources))


def _choose(claim: Claim, options: list[_Option]) -> tuple[_Option, list[str]]:
    """An ambiguous name: contradicted only if every candidate is; otherwise the best-fitting candidate."""
    names = [o.label for o in options]
    shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    head: list[str] = [f"The place name {claim.place!r} is ambiguous: it can stand for {shown}."]
    contradicted = [o for o in options if o.grade.status == "contradicted"]
    if len(contradicted) == len(options):
        weakest = max(contradicted, key=lambda o: _RANK[o.grade])  # the weakest contradiction over all candidates
        head.append(f"Every candidate is excluded by the evidence; the reasons for {weakest.label}:")
        return weakest, head
    fitting = [o for o in options if o.grade.status != "contradicted"]
    best = max(fitting, key=lambda o: _RANK[o.grade])  # max keeps the first (most populous) of equals
    n_ex = len(contradicted)
    head.append(f"{n_ex} of {len(options)} candidates are excluded by the evidence; judged for {best.label}."
                if n_ex else f"The evidence does not exclude any candidate; judged for {best.label}.")
    others = [o.label for o in fitting if o is not best]
    if others:
        head.append(f"The claim is not excluded for: {', '.join(others[:8])}"
                    + (f" and {len(others) - 8} more." if len(others) > 8 else "."))
    return best, head
