"""Place regions swept by a telemetry track (pure geometry, safe across the antimeridian)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .places import EARTH_RADIUS_KM

__all__ = ["TrackRegion", "spherical_centre"]

#: Samples kept for distance queries; a long track is thinned evenly (1 Hz for an hour is 3,600).
MAX_TRACK_SAMPLES = 2000


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def spherical_centre(lats: Sequence[float], lons: Sequence[float]) -> tuple[float, float]:
    """Centre [deg] of points on the sphere (mean of unit vectors: no break at 180 deg longitude)."""
    v = _unit(np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)).mean(axis=0)
    n = float(np.linalg.norm(v))
    if n < 1e-12:
        return float(lats[0]), float(lons[0])
    v /= n
    return math.degrees(math.asin(max(-1.0, min(1.0, float(v[2]))))), math.degrees(math.atan2(float(v[1]), float(v[0])))


@dataclass(frozen=True, eq=False)
class TrackRegion:
    """The ground a telemetry track covered: every sample's position plus a tail radius.

    Attributes
    ----------
    lats, lons : numpy.ndarray
        Sample positions [deg] (thinned to :data:`MAX_TRACK_SAMPLES`).
    tail_km : float
        Tail radius of each sample's error [km].
    method : str
        ``"track"``.
    """

    lats: np.ndarray
    lons: np.ndarray
    tail_km: float
    method: str = "track"

    @classmethod
    def of(cls, lats: Sequence[float], lons: Sequence[float], tail_km: float) -> TrackRegion:
        la, lo = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        if la.size > MAX_TRACK_SAMPLES:
            keep = np.unique(np.linspace(0, la.size - 1, MAX_TRACK_SAMPLES).round().astype(int))
            la, lo = la[keep], lo[keep]
        return cls(la, lo, float(tail_km))

    def distance_km(self, lat: float, lon: float) -> float:
        """Great-circle distance [km] from a point to the nearest sample."""
        p = _unit(np.asarray([lat], dtype=float), np.asarray([lon], dtype=float))[0]
        cos = np.clip(_unit(self.lats, self.lons) @ p, -1.0, 1.0)
        return float(np.min(np.arccos(cos))) * EARTH_RADIUS_KM

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies within ``tail_km`` of a sample."""
        return self.distance_km(lat, lon) <= self.tail_km

    def hull(self) -> tuple[float, float, float]:
        """Centre [deg] and radius [km] of a circle covering every sample's tail circle."""
        clat, clon = spherical_centre(self.lats.tolist(), self.lons.tolist())
        c = _unit(np.asarray([clat]), np.asarray([clon]))[0]
        ang = np.arccos(np.clip(_unit(self.lats, self.lons) @ c, -1.0, 1.0))
        return clat, clon, float(np.max(ang)) * EARTH_RADIUS_KM + self.tail_km

    @property
    def area_km2(self) -> float:
        """Hull area [km2] (an upper bound of the swept area)."""
        return math.pi * self.hull()[2] ** 2
