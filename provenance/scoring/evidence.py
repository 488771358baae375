"""The evidence model: one item per fact, saying what it constrains, how, and how far to trust it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from .._util import jsonable
from ..errors import InvalidArgumentError

__all__ = ["Evidence", "Shape"]

#: How an item constrains time or place.
Shape = Literal["point", "interval", "lower_bound", "upper_bound", "region", "note"]


def _destination(lat: float, lon: float, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """Point ``distance_km`` from ``(lat, lon)`` along ``bearing_deg`` on a sphere [deg]."""
    d = distance_km / 6371.0088
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    p2 = math.asin(max(-1.0, min(1.0, math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence about when or where footage was filmed.

    Attributes
    ----------
    kind : str
        Family of the item: ``"metadata_time"``, ``"gps_fix"``, ``"telemetry"``,
        ``"known_footage_published"``, ``"known_footage_filmed"``, ``"known_footage_place"``,
        ``"shadow"``, ...
    summary : str
        A sentence a journalist can quote ("The file's QuickTime creation date says ...").
    source : str
        Where it came from: a tag path (``"mp4:moov/mvhd/creation_time"``) or a footage id.
    shape : str
        ``"point"``, ``"interval"``, ``"lower_bound"``, ``"upper_bound"`` or ``"region"``.
    reliability : float
        Probability in [0, 1] that the constraint holds, by the rule in ``reliability_reason``.
    reliability_reason : str
        Why that reliability.
    group : str
        Independence group: items sharing a group come from one origin (one device clock,
        one index record) and do not corroborate each other.
    earliest, latest : datetime or None
        Time constraint on the filming [aware UTC]; ``None`` is an open side.
    best : datetime or None
        Most likely filming time within the constraint, if the item gives one.
    lat, lon : float or None
        Place constraint centre [deg].
    radius_km : float or None
        Place constraint radius [km].
    raw : str
        The stored text the item was derived from.
    windows : tuple of (datetime, datetime)
        When not empty, the filming time lies in one of these UTC windows (inside
        ``earliest .. latest``, which is their hull): a sun observation fits in the
        morning and the afternoon of each day, not in between.
    region : object or None
        A finer place constraint than the circle, with ``contains(lat, lon) -> bool``
        (a :class:`~provenance.scoring.shadow.ShadowRegion`); the circle is its hull.
    observation : object or None
        The :class:`~provenance.scoring.shadow.ShadowObservation` behind a ``"shadow"``
        item, so a claim's own time and place can be tested against it.
    notes : tuple of str
        Findings of the consistency checks that changed this item (reliability lowered
        and why), in sentences.
    model : str
        Name of the :mod:`~provenance.scoring.errormodels` constant behind the item
        (``"CLOCK_CAMERA"``, ``"GPS_FIX"``, ...); ``reliability`` is ``1 - p_unrelated``
        and ``earliest``/``latest``/``radius_km`` are the core's tail bounds.
    scale_km : float or None
        The place core's 1-sigma scale [km] (a fix's horizontal accuracy); ``radius_km``
        is its tail bound. ``None``: the radius is a hard edge (a stated radius, a region).
    covers : float
        Share of the video the item speaks about, in (0, 1]: a match of 3 s of a 12 s
        compilation covers 0.25 and speaks about that part only.
    wall : datetime or None
        The clock's own wall-clock reading of the recording start (naive, local time where
        the device kept its clock), for a reading of a capture time; a date claimed without
        a place is compared with it in the device's own zone.
    """

    kind: str
    summary: str
    source: str
    shape: Shape
    reliability: float
    reliability_reason: str
    group: str
    earliest: datetime | None = None
    latest: datetime | None = None
    best: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    raw: str = ""
    windows: tuple[tuple[datetime, datetime], ...] = ()
    region: Any = field(default=None, repr=False, compare=False)
    observation: Any = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = ()
    model: str = ""
    scale_km: float | None = None
    covers: float = 1.0
    wall: datetime | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.reliability <= 1.0:
            raise InvalidArgumentError(f"Evidence.reliability must be in [0, 1] (got {self.reliability})")
        for name in ("earliest", "latest", "best"):
            v = getattr(self, name)
            if v is not None and (v.tzinfo is None or v.utcoffset() is None):
                raise InvalidArgumentError(f"Evidence.{name} must be timezone-aware (got {v!r})")
        if self.earliest and self.latest and self.earliest > self.latest:
            raise InvalidArgumentError("Evidence.earliest is after Evidence.latest")
        if (self.lat is None) != (self.lon is None):
            raise InvalidArgumentError("Evidence needs both lat and lon or neither")
        if self.lat is not None and self.lon is not None and not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise InvalidArgumentError(f"Evidence place out of range: ({self.lat}, {self.lon})")
        if self.radius_km is not None and (not math.isfinite(self.radius_km) or self.radius_km < 0):
            raise InvalidArgumentError(f"Evidence.radius_km must be >= 0 (got {self.radius_km})")
        if not 0.0 < self.covers <= 1.0:
            raise InvalidArgumentError(f"Evidence.covers must be in (0, 1] (got {self.covers})")
        for w in self.windows:
            if len(w) != 2 or any(v.tzinfo is None or v.utcoffset() is None for v in w) or w[0] > w[1]:
                raise InvalidArgumentError(f"Evidence.windows must hold aware (start, end) pairs (got {w!r})")

    @property
    def constrains(self) -> Literal["time", "place", "both", "none"]:
        """What the item constrains (``"none"`` for a note that bounds nothing)."""
        t = self.earliest is not None or self.latest is not None or bool(self.windows)
        p = self.lat is not None
        if t and p:
            return "both"
        return "place" if p else ("time" if t else "none")

    @property
    def origin(self) -> Literal["file", "independent"]:
        """``"file"`` for the file's own readings, ``"independent"`` for index records, matches, observers."""
        from .errormodels import origin_class

        return origin_class(self.kind)

    @property
    def whole(self) -> bool:
        """Whether the item speaks about the whole video (not only a matched part)."""
        from .errormodels import FULL_COVERAGE

        return self.covers >= FULL_COVERAGE

    @property
    def constrains_time(self) -> bool:
        return self.constrains in ("time", "both")

    @property
    def constrains_place(self) -> bool:
        return self.constrains in ("place", "both")

    def excludes_time(self, start: datetime, end: datetime) -> bool:
        """Whether this item rules out every instant of ``[start, end]`` (aware)."""
        if self.latest is not None and self.latest < start:
            return True
        if self.earliest is not None and self.earliest > end:
            return True
        if self.windows:
            return not any(a <= end and b >= start for a, b in self.windows)
        return False

    def place_distance_km(self, lat: float, lon: float) -> float | None:
        """Great-circle distance [km] from the item's centre to a point, ``None`` without a place."""
        if self.lat is None or self.lon is None:
            return None
        from .places import haversine_km

        return haversine_km(self.lat, self.lon, lat, lon)

    def excludes_place(self, lat: float, lon: float, radius_km: float = 0.0) -> bool:
        """Whether this item rules out every point within ``radius_km`` of ``(lat, lon)``.

        A circle excludes a disc it does not touch. A finer ``region`` excludes the disc
        when neither its centre nor any of 16 points on its rim (and half-way in) fits.
        """
        d = self.place_distance_km(lat, lon)
        if d is None:
            return False
        if self.region is not None and hasattr(self.region, "distance_km"):
            # a track: the claim must keep clear of every sample's tail circle
            return bool(self.region.distance_km(lat, lon) - self.region.tail_km - radius_km > 0)
        if d - (self.radius_km or 0.0) - radius_km > 0:
            return True
        if self.region is None:
            return False
        if self.region.contains(lat, lon):
            return False
        for frac in (0.5, 1.0):
            for k in range(16):
                la, lo = _destination(lat, lon, 22.5 * k, radius_km * frac)
                if self.region.contains(la, lo):
                    return False
        return True

    def with_reliability(self, reliability: float, note: str) -> Evidence:
        """A copy with a new reliability and a note saying why (used by the checks)."""
        return replace(self, reliability=max(0.0, min(1.0, reliability)), notes=self.notes + (note,))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict, including ``constrains``; a region is summarised, not dumped."""
        d = jsonable({k: getattr(self, k) for k in self.__dataclass_fields__
                      if k not in ("region", "observation")})
        d["constrains"] = self.constrains
        if self.region is not None:
            bbox = self.region.bounding_box() if hasattr(self.region, "bounding_box") else None
            d["region"] = {"method": getattr(self.region, "method", None),
                           "area_km2": getattr(self.region, "area_km2", None),
                           "bounding_box": None if bbox is None else jsonable(bbox)}
        else:
            d["region"] = None
        d["observation"] = None if self.observation is None else jsonable(self.observation)
        return d

    def __repr__(self) -> str:
        return f"Evidence({self.kind}, {self.shape}, r={self.reliability:.2f}, {self.source!r})"
