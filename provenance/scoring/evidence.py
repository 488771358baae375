"""The evidence model: one item per fact, saying what it constrains, how, and how far to trust it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .._util import jsonable
from ..errors import InvalidArgumentError

__all__ = ["Evidence", "Shape"]

#: How an item constrains time or place.
Shape = Literal["point", "interval", "lower_bound", "upper_bound", "region"]


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
        if self.lat is not None and not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise InvalidArgumentError(f"Evidence place out of range: ({self.lat}, {self.lon})")
        if self.radius_km is not None and (not math.isfinite(self.radius_km) or self.radius_km < 0):
            raise InvalidArgumentError(f"Evidence.radius_km must be >= 0 (got {self.radius_km})")

    @property
    def constrains(self) -> Literal["time", "place", "both"]:
        """What the item constrains."""
        t = self.earliest is not None or self.latest is not None
        p = self.lat is not None
        return "both" if t and p else ("place" if p else "time")

    @property
    def constrains_time(self) -> bool:
        return self.constrains in ("time", "both")

    @property
    def constrains_place(self) -> bool:
        return self.constrains in ("place", "both")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict, including ``constrains``."""
        d = jsonable({k: getattr(self, k) for k in self.__dataclass_fields__})
        d["constrains"] = self.constrains
        return d

    def __repr__(self) -> str:
        return f"Evidence({self.kind}, {self.shape}, r={self.reliability:.2f}, {self.source!r})"
