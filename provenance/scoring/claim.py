"""Claims ("filmed 2020-08-16 near Smolensk") and the rules that judge them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from .._util import aware_utc, jsonable
from ..errors import InvalidArgumentError
from .evidence import Evidence
from .fusion import WIDEN_FLOOR, When, Where, support
from .places import Place, haversine_km, resolve_place
from .timezones import local_date_to_utc, zone_at

__all__ = [
    "STRONG",
    "Claim",
    "Verdict",
    "check_claim",
]

Status = Literal["consistent", "contradicted", "unverifiable"]

#: Reliability an item (or a set of independent items) needs before it may contradict a claim.
STRONG = 0.8
#: Confidence the fused estimate needs before it may support a claim.
SUPPORT = 0.5
#: A when-interval this much wider than the claim does not support it (it merely fails to exclude it).
VAGUE_FACTOR = 3.0
#: Slack [s] given to a claimed instant (people round times).
INSTANT_SLACK = timedelta(minutes=30)


@dataclass(frozen=True)
class Claim:
    """What someone says about when and where footage was filmed.

    Parameters
    ----------
    time : datetime, date, (start, end) or None
        An aware datetime (taken with 30 min of slack), a calendar date (local day at the
        claimed place when one is given, else the day in any time zone), or an interval of
        aware datetimes or dates.
    place : (lat, lon), str or None
        Coordinates [deg] or a place name resolved offline (``"Smolensk"``, ``"Minsk, BY"``).
    radius_km : float
        How near the place the claim allows [km].
    text : str
        The claim as worded, for the report.

    Attributes
    ----------
    earliest, latest : datetime or None
        The claimed time as a UTC interval.
    lat, lon : float or None
        The claimed place [deg].
    place_info : Place or None
        The gazetteer entry when ``place`` was a name.
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

    def __post_init__(self) -> None:
        if isinstance(self.radius_km, bool) or not isinstance(self.radius_km, (int, float)) \
                or not math.isfinite(self.radius_km) or self.radius_km <= 0:
            raise InvalidArgumentError(f"Claim.radius_km must be a positive number of km (got {self.radius_km!r})")
        if self.time is None and self.place is None:
            raise InvalidArgumentError("a Claim needs a time, a place, or both")
        lat = lon = None
        if isinstance(self.place, str):
            info = resolve_place(self.place)
            object.__setattr__(self, "place_info", info)
            lat, lon = info.lat, info.lon
        elif self.place is not None:
            try:
                lat, lon = (float(v) for v in self.place)
            except (TypeError, ValueError) as exc:
                raise InvalidArgumentError(
                    f"Claim.place must be (lat, lon) in degrees or a place name (got {self.place!r})") from exc
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InvalidArgumentError(f"Claim.place ({lat}, {lon}) is out of range: lat in [-90, 90], lon in [-180, 180]")
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lon", lon)
        zone = zone_at(lat, lon) if lat is not None else None
        if self.time is not None:
            start, end = _claim_interval(self.time, zone)
            object.__setattr__(self, "earliest", start)
            object.__setattr__(self, "latest", end)

    @property
    def has_time(self) -> bool:
        return self.earliest is not None

    @property
    def has_place(self) -> bool:
        return self.lat is not None

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
        })


def _fmt_time(t: Any) -> str:
    if isinstance(t, tuple):
        return f"between {_fmt_time(t[0])} and {_fmt_time(t[1])}"
    if isinstance(t, datetime):
        return f"at {t.isoformat()}"
    return f"on {t.isoformat()}"


def _claim_interval(value: Any, zone) -> tuple[datetime, datetime]:
    if isinstance(value, datetime):
        t = aware_utc(value, "Claim.time")
        return t - INSTANT_SLACK, t + INSTANT_SLACK
    if isinstance(value, date):
        return local_date_to_utc(value, zone)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        a, b = (_claim_interval(v, zone) for v in value)
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
        ``"consistent"``, ``"contradicted"`` or ``"unverifiable"``.
    reasons : tuple of str
        Sentences citing the evidence.
    time_status, place_status : str or None
        The judgement of each part of the claim (``None`` when the claim has no such part).
    evidence : tuple of str
        Sources of the evidence the verdict rests on.
    """

    status: Status
    reasons: tuple[str, ...]
    time_status: Status | None = None
    place_status: Status | None = None
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self.__dict__)

    def __repr__(self) -> str:
        return f"Verdict({self.status!r}, {len(self.reasons)} reason(s))"


def _day(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


def _check_time(claim: Claim, when: When, evidence: list[Evidence]) -> tuple[Status, list[str], list[str]]:
    cs, ce = claim.earliest, claim.latest
    items = [e for e in evidence if e.constrains_time]
    if not items:
        return "unverifiable", ["No evidence about the filming time was found, so the claimed time can be neither confirmed nor excluded."], []
    excluding = [e for e in items if e.excludes_time(cs, ce)]
    backing = [e for e in items if e not in excluding and e.earliest is not None and e.latest is not None
               and e.earliest <= ce and e.latest >= cs
               and (e.latest - e.earliest).total_seconds() <= VAGUE_FACTOR * (ce - cs).total_seconds() + 86400]
    if excluding and support(excluding) >= STRONG and support(backing) >= STRONG:
        return "unverifiable", [
            "Strong sources disagree about the time, so the claim can be neither confirmed nor excluded: "
            + "; ".join(f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]" for e in excluding)
            + " — against: "
            + "; ".join(f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]" for e in backing)], \
            [e.source for e in excluding + backing]
    if excluding and support(excluding) >= STRONG:
        reasons = []
        for e in sorted(excluding, key=lambda x: -x.reliability):
            if e.latest is not None and e.latest < cs:
                side = "before the claimed time"
            elif e.earliest is not None and e.earliest > ce:
                side = "after the claimed time"
            else:
                side = "at other times of day than the claimed time"
            reasons.append(f"{e.summary} That places the filming {side} "
                           f"({_day(cs)} to {_day(ce)}). [source: {e.source}; reliability {e.reliability:.2f}]")
        return "contradicted", reasons, [e.source for e in excluding]
    reasons: list[str] = []
    if excluding:
        reasons.append("Some evidence disagrees with the claimed time but is not strong enough to exclude it: "
                       + "; ".join(f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]" for e in excluding))
    if when.earliest is None or when.latest is None:
        reasons.append("The evidence bounds the filming time on one side only, which does not confirm the claimed time.")
        return "unverifiable", reasons, [e.source for e in items]
    overlap = when.earliest <= ce and when.latest >= cs
    if overlap and when.windows:
        overlap = any(a <= ce and b >= cs for a, b in when.windows)
    claim_width = (ce - cs).total_seconds()
    width = (when.latest - when.earliest).total_seconds()
    if when.windows:  # sun windows: the time of day is pinned even if the day is not
        width = sum((b - a).total_seconds() for a, b in when.windows)
    # items the consistency checks discredited (a clock caught out by GPS) do not block support
    blocking = [e for e in excluding if e.reliability >= WIDEN_FLOOR]
    if overlap and when.confidence >= SUPPORT and width <= VAGUE_FACTOR * claim_width + 86400 and not blocking:
        reasons.append(f"The evidence places the filming between {_day(when.earliest)} and {_day(when.latest)} "
                       f"(confidence {when.confidence:.2f}), which agrees with the claimed time.")
        return "consistent", reasons, list(when.sources)
    if not overlap:
        reasons.append(f"The estimated filming time ({_day(when.earliest)} to {_day(when.latest)}) lies outside the claim, "
                       f"but the supporting evidence (confidence {when.confidence:.2f}) is too weak to call the claim false.")
    else:
        reasons.append(f"The estimated filming time ({_day(when.earliest)} to {_day(when.latest)}, confidence "
                       f"{when.confidence:.2f}) does not exclude the claim but is too uncertain to confirm it.")
    return "unverifiable", reasons, [e.source for e in items]


def _check_place(claim: Claim, where: Where | None, evidence: list[Evidence]) -> tuple[Status, list[str], list[str]]:
    items = [e for e in evidence if e.constrains_place]
    if not items:
        return "unverifiable", ["No evidence about the filming place was found, so the claimed place can be neither confirmed nor excluded."], []
    far = []
    for e in items:
        if e.excludes_place(claim.lat, claim.lon, claim.radius_km):
            far.append((e, haversine_km(claim.lat, claim.lon, e.lat, e.lon)))
    near = [e for e in items if not e.excludes_place(claim.lat, claim.lon, claim.radius_km)
            and (e.radius_km or 0.0) <= max(VAGUE_FACTOR * claim.radius_km, 25.0)]
    if far and support([e for e, _ in far]) >= STRONG and support(near) >= STRONG:
        return "unverifiable", [
            "Strong sources disagree about the place, so the claim can be neither confirmed nor excluded: "
            + "; ".join(f"{e.summary} ({d:,.0f} km from the claimed place) [source: {e.source}; reliability "
                        f"{e.reliability:.2f}]" for e, d in far)
            + " — against: "
            + "; ".join(f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]" for e in near)], \
            [e.source for e, _ in far] + [e.source for e in near]
    if far and support([e for e, _ in far]) >= STRONG:
        reasons = [(f"{e.summary} That is {d:,.0f} km from the claimed place, beyond the claimed {claim.radius_km:g} km. "
                    if e.region is None or d > (e.radius_km or 0.0) + claim.radius_km else
                    f"{e.summary} The claimed place lies outside the area where it fits. ")
                   + f"[source: {e.source}; reliability {e.reliability:.2f}]" for e, d in far]
        return "contradicted", reasons, [e.source for e, _ in far]
    reasons = []
    if far:
        reasons.append("Some place evidence disagrees with the claim but is not strong enough to exclude it: "
                       + "; ".join(f"{e.summary} ({d:,.0f} km away) [source: {e.source}]" for e, d in far))
    if where is not None and not far:
        d = haversine_km(claim.lat, claim.lon, where.lat, where.lon)
        if d <= claim.radius_km + where.radius_km and where.confidence >= SUPPORT \
                and where.radius_km <= max(VAGUE_FACTOR * claim.radius_km, 25.0):
            reasons.append(f"The evidence places the filming within {where.radius_km:,.1f} km of "
                           f"{where.lat:.4f}, {where.lon:.4f}, {d:,.1f} km from the claimed place (confidence {where.confidence:.2f}).")
            return "consistent", reasons, list(where.sources)
    reasons.append("The place evidence does not settle the claimed place.")
    return "unverifiable", reasons, [e.source for e in items]


def _check_sun(claim: Claim, evidence: list[Evidence]) -> tuple[Status | None, list[str], list[str]]:
    """Test shadow observations against the sun at the claim's own time and place.

    Needs a claim with both a time and a place; independent of every other item. A
    sunlit shadow when the sun was down throughout, or a sun far from the measured
    elevation or direction, excludes the claim with the strength the check reports.
    """
    from .checks import check_sun_at_claim

    obs_items = [e for e in evidence if e.observation is not None]
    if not (claim.has_time and claim.has_place) or not obs_items:
        return None, [], []
    reasons: list[str] = []
    excluding: list[tuple[Evidence, float]] = []
    fits: list[str] = []
    for e in obs_items:
        obs = e.observation
        f = check_sun_at_claim(obs, claim.earliest, claim.latest, claim.lat, claim.lon,
                               radius_km=claim.radius_km, source=e.source)
        if f.code == "fits":
            fits.append(f.message)
        else:
            excluding.append((Evidence(e.kind, f.message, e.source, "interval", f.factor,
                                       e.reliability_reason, e.group), f.factor))
    if excluding and support([x for x, _ in excluding]) >= STRONG:
        for x, _ in excluding:
            reasons.append(f"{x.summary} [source: {x.source}; reliability {x.reliability:.2f}]")
        return "contradicted", reasons, [x.source for x, _ in excluding]
    for x, _ in excluding:
        reasons.append("A shadow measurement disagrees with the claimed time and place, but not strongly enough to "
                       f"exclude them: {x.summary} [source: {x.source}; reliability {x.reliability:.2f}]")
    reasons += fits
    return ("unverifiable" if excluding else "consistent"), reasons, [e.source for e in obs_items]


def check_claim(claim: Claim | None, when: When, where: Where | None, evidence: list[Evidence]) -> Verdict:
    """Judge a claim against the fused estimate and the evidence behind it.

    "contradicted" only when evidence of combined reliability >= ``STRONG`` excludes the claim;
    "consistent" when every part of the claim is supported; "unverifiable" otherwise.
    No claim gives "unverifiable".
    """
    if claim is None:
        return Verdict("unverifiable", ("No claim was given to check.",))
    reasons: list[str] = []
    sources: list[str] = []
    time_status = place_status = None
    if claim.has_time:
        time_status, r, s = _check_time(claim, when, evidence)
        reasons += r
        sources += s
    if claim.has_place:
        place_status, r, s = _check_place(claim, where, evidence)
        reasons += r
        sources += s
    sun_status, r, s = _check_sun(claim, evidence)
    reasons += r
    sources += s
    if sun_status == "contradicted":
        time_status = "contradicted"
    parts = [s for s in (time_status, place_status) if s is not None]
    if "contradicted" in parts:
        status: Status = "contradicted"
    elif parts and all(p == "consistent" for p in parts):
        status = "consistent"
    else:
        status = "unverifiable"
    return Verdict(status, tuple(reasons), time_status, place_status, tuple(dict.fromkeys(sources)))
