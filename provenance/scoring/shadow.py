"""Shadows as evidence: from a measured shadow to when (and where) the sun fits.

A vertical object of height ``h`` casting a shadow of length ``L`` on level ground puts
the sun at elevation ``atan(h / L)``; the shadow points away from the sun, so the sun's
azimuth is the shadow's bearing plus 180 deg. Given a place, :func:`times_fitting`
returns the UTC windows in which the sun stands where the shadow says (typically one in
the morning and one in the afternoon; a bearing keeps only the right one). Given a time,
:func:`region_fitting` maps the places where it does. :func:`altitude_only_band`
reproduces the elevation-only method of Bellingcat's ShadowFinder for comparison.

All functions are pure; sun positions come from :mod:`provenance.scoring.sun` (NREL
SPA, standard atmosphere: 1013.25 hPa, 12 deg C, sea level).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from provenance.errors import InvalidArgumentError
from provenance.scoring.sun import solar_position_arrays

__all__ = [
    "BoundingBox",
    "ShadowObservation",
    "ShadowRegion",
    "TimeWindow",
    "altitude_only_band",
    "region_fitting",
    "sun_is_up",
    "times_fitting",
]

#: Narrowest half-width given to an elevation band, so that an exact measurement still
#: describes a set of times of non-zero length (0.01 deg is ~2.4 s of sun motion at most).
MIN_ELEVATION_HALF_WIDTH_DEG = 0.01
#: Narrowest half-width given to an azimuth band [deg].
MIN_AZIMUTH_HALF_WIDTH_DEG = 0.01
#: Apparent semi-diameter of the sun [deg]; the sun is "up" while its upper limb is.
SUN_SEMIDIAMETER_DEG = 0.26667
#: Bisection stops once a window edge is bracketed to this many seconds.
EDGE_TOLERANCE_S = 1.0
#: Fastest great-circle motion of the sub-solar point [deg/s] (15 deg/h).
_SUBSOLAR_SPEED_DEG_S = 360.0 / 86164.0
_MAX_SAMPLES = 5_000_000
_MAX_CELLS = 20_000_000


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"'{name}' must be a number (got {value!r})")
    v = float(value)
    if not math.isfinite(v):
        raise InvalidArgumentError(f"'{name}' must be finite (got {value!r})")
    return v


def _wrap180(x: Any) -> Any:
    return (np.asarray(x) + 180.0) % 360.0 - 180.0


def _aware_unix(name: str, when: Any) -> float:
    if not isinstance(when, datetime):
        raise InvalidArgumentError(
            f"'{name}' must be a timezone-aware datetime (got {type(when).__name__})")
    if when.tzinfo is None or when.tzinfo.utcoffset(when) is None:
        raise InvalidArgumentError(
            f"'{name}' must be timezone-aware (got naive datetime {when.isoformat()}); "
            "attach its zone, e.g. dt.replace(tzinfo=timezone.utc)")
    return when.timestamp()


def _utc(unix: float) -> datetime:
    return datetime.fromtimestamp(float(unix), tz=timezone.utc)


def _check_lat_lon(lat: Any, lon: Any) -> tuple[float, float]:
    la, lo = _number("lat", lat), _number("lon", lon)
    if not -90.0 <= la <= 90.0:
        raise InvalidArgumentError(f"'lat' must be in [-90, 90] degrees (got {lat!r})")
    if not -180.0 <= lo <= 180.0:
        raise InvalidArgumentError(f"'lon' must be in [-180, 180] degrees (got {lon!r})")
    return la, lo


# ---------------------------------------------------------------------------------------
# The observation
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ShadowObservation:
    """What a frame shows about the sun, measured from a shadow.

    Give either ``object_height`` and ``shadow_length`` (same unit, any unit) or
    ``sun_elevation_deg`` directly.

    Parameters
    ----------
    object_height : float, optional
        Height of a vertical object (pole, person, wall edge) [any length unit].
    shadow_length : float, optional
        Length of its shadow on level ground, in the same unit.
    length_uncertainty : float, optional
        Relative uncertainty of ``shadow_length`` (0.05 = +/-5 %), in [0, 1).
    sun_elevation_deg : float, optional
        Sun elevation, if measured directly, in (0, 90] [deg].
    elevation_uncertainty_deg : float, optional
        Half-width of the band around ``sun_elevation_deg`` [deg]; default 1.
    shadow_bearing_deg : float, optional
        Direction the shadow points, clockwise from true north [deg]. The sun's azimuth
        is this plus 180.
    bearing_uncertainty_deg : float, optional
        Half-width of the bearing band [deg]; default 5.
    frame_time_s : float, optional
        Media time of the frame the shadow was measured on [s].
    note : str, optional
        Free text (what was measured, by whom).

    Raises
    ------
    InvalidArgumentError
        On a missing or conflicting measurement, non-positive lengths, or
        uncertainties out of range.

    Examples
    --------
    >>> obs = ShadowObservation(object_height=1.0, shadow_length=1.0)
    >>> round(obs.elevation_deg, 3)
    45.0
    """

    object_height: float | None = None
    shadow_length: float | None = None
    length_uncertainty: float = 0.05
    sun_elevation_deg: float | None = None
    elevation_uncertainty_deg: float = 1.0
    shadow_bearing_deg: float | None = None
    bearing_uncertainty_deg: float = 5.0
    frame_time_s: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        lengths = (self.object_height is not None, self.shadow_length is not None)
        if lengths[0] != lengths[1]:
            raise InvalidArgumentError(
                "'object_height' and 'shadow_length' must be given together "
                f"(got object_height={self.object_height!r}, shadow_length={self.shadow_length!r})")
        if lengths[0] and self.sun_elevation_deg is not None:
            raise InvalidArgumentError(
                "give either object_height + shadow_length or sun_elevation_deg, not both")
        if not lengths[0] and self.sun_elevation_deg is None:
            raise InvalidArgumentError(
                "a ShadowObservation needs object_height + shadow_length or sun_elevation_deg")
        if lengths[0]:
            for name in ("object_height", "shadow_length"):
                v = _number(name, getattr(self, name))
                if v <= 0:
                    raise InvalidArgumentError(f"'{name}' must be > 0 (got {v!r})")
        u = _number("length_uncertainty", self.length_uncertainty)
        if not 0.0 <= u < 1.0:
            raise InvalidArgumentError(
                f"'length_uncertainty' is relative and must be in [0, 1) (got {u!r}); "
                "0.05 means +/-5 %")
        if self.sun_elevation_deg is not None:
            e = _number("sun_elevation_deg", self.sun_elevation_deg)
            if not 0.0 < e <= 90.0:
                raise InvalidArgumentError(
                    f"'sun_elevation_deg' must be in (0, 90] degrees (got {e!r}): a shadow "
                    "needs the sun above the horizon")
        eu = _number("elevation_uncertainty_deg", self.elevation_uncertainty_deg)
        if not 0.0 <= eu <= 90.0:
            raise InvalidArgumentError(
                f"'elevation_uncertainty_deg' must be in [0, 90] degrees (got {eu!r})")
        if self.shadow_bearing_deg is not None:
            _number("shadow_bearing_deg", self.shadow_bearing_deg)
        bu = _number("bearing_uncertainty_deg", self.bearing_uncertainty_deg)
        if not 0.0 <= bu < 180.0:
            raise InvalidArgumentError(
                f"'bearing_uncertainty_deg' must be in [0, 180) degrees (got {bu!r})")
        if self.frame_time_s is not None:
            ft = _number("frame_time_s", self.frame_time_s)
            if ft < 0:
                raise InvalidArgumentError(f"'frame_time_s' must be >= 0 s (got {ft!r})")
        if not isinstance(self.note, str):
            raise InvalidArgumentError(f"'note' must be a string (got {type(self.note).__name__})")

    @property
    def elevation_deg(self) -> float:
        """Sun elevation implied by the measurement [deg]."""
        if self.sun_elevation_deg is not None:
            return float(self.sun_elevation_deg)
        return math.degrees(math.atan2(float(self.object_height or 0.0), float(self.shadow_length or 0.0)))

    @property
    def elevation_interval_deg(self) -> tuple[float, float]:
        """``(low, high)`` sun elevation consistent with the measurement [deg].

        For lengths, ``atan(h / (L (1 + u)))`` to ``atan(h / (L (1 - u)))``; for a direct
        elevation, ``e -/+ elevation_uncertainty_deg`` clipped to [0, 90].
        """
        if self.sun_elevation_deg is not None:
            e, d = float(self.sun_elevation_deg), float(self.elevation_uncertainty_deg)
            return max(0.0, e - d), min(90.0, e + d)
        h, length, u = float(self.object_height or 0.0), float(self.shadow_length or 0.0), float(
            self.length_uncertainty)
        return (math.degrees(math.atan2(h, length * (1.0 + u))),
                math.degrees(math.atan2(h, length * (1.0 - u))))

    @property
    def sun_azimuth_deg(self) -> float | None:
        """Sun azimuth implied by the shadow bearing, in [0, 360) [deg], or None."""
        if self.shadow_bearing_deg is None:
            return None
        return (float(self.shadow_bearing_deg) + 180.0) % 360.0

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view, including the derived elevation and its interval."""
        lo, hi = self.elevation_interval_deg
        return {
            "object_height": self.object_height,
            "shadow_length": self.shadow_length,
            "length_uncertainty": self.length_uncertainty,
            "sun_elevation_deg": self.sun_elevation_deg,
            "elevation_uncertainty_deg": self.elevation_uncertainty_deg,
            "shadow_bearing_deg": self.shadow_bearing_deg,
            "bearing_uncertainty_deg": self.bearing_uncertainty_deg,
            "frame_time_s": self.frame_time_s,
            "note": self.note,
            "elevation_deg": self.elevation_deg,
            "elevation_interval_deg": [lo, hi],
            "sun_azimuth_deg": self.sun_azimuth_deg,
        }


@dataclass(frozen=True)
class _Band:
    """The sun positions an observation admits, with the floors applied."""

    lo: float
    hi: float
    centre: float
    sigma_el: float
    az: float | None
    az_half: float

    @classmethod
    def of(cls, obs: ShadowObservation) -> _Band:
        if not isinstance(obs, ShadowObservation):
            raise InvalidArgumentError(
                f"'obs' must be a ShadowObservation (got {type(obs).__name__})")
        lo, hi = obs.elevation_interval_deg
        e = obs.elevation_deg
        lo = min(lo, e - MIN_ELEVATION_HALF_WIDTH_DEG)
        hi = max(hi, e + MIN_ELEVATION_HALF_WIDTH_DEG)
        return cls(lo=lo, hi=hi, centre=e, sigma_el=max((hi - lo) / 2.0, 1e-9),
                   az=obs.sun_azimuth_deg,
                   az_half=max(float(obs.bearing_uncertainty_deg), MIN_AZIMUTH_HALF_WIDTH_DEG))

    def margins(self, el: np.ndarray, az: np.ndarray) -> np.ndarray:
        """Stacked margins; the observation fits where all are >= 0. Shape (k, ...)."""
        rows = [el - self.lo, self.hi - el]
        if self.az is not None:
            rows.append(self.az_half - np.abs(_wrap180(az - self.az)))
        return np.stack(rows)

    def cost(self, el: np.ndarray, az: np.ndarray) -> np.ndarray:
        c = ((el - self.centre) / self.sigma_el) ** 2
        if self.az is not None:
            c = c + (_wrap180(az - self.az) / self.az_half) ** 2
        return c


# ---------------------------------------------------------------------------------------
# Time windows
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimeWindow:
    """A span of UTC time in which the sun fits a shadow observation.

    Attributes
    ----------
    start, end : datetime
        Edges of the window (UTC), refined by bisection to about one second and
        widened outwards by that tolerance.
    best : datetime
        The instant inside the window where the sun is closest to the measured
        position (elevation and, when given, azimuth, each scaled by its uncertainty).
    best_elevation_deg, best_azimuth_deg : float
        Sun position at ``best`` [deg].
    """

    start: datetime
    end: datetime
    best: datetime
    best_elevation_deg: float
    best_azimuth_deg: float

    @property
    def duration_s(self) -> float:
        """Length of the window [s]."""
        return (self.end - self.start).total_seconds()

    def contains(self, when: datetime) -> bool:
        """Whether an aware datetime lies inside the window (edges included)."""
        t = _aware_unix("when", when)
        return self.start.timestamp() <= t <= self.end.timestamp()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view with ISO 8601 times."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "best": self.best.isoformat(),
            "duration_s": self.duration_s,
            "best_elevation_deg": self.best_elevation_deg,
            "best_azimuth_deg": self.best_azimuth_deg,
        }


def _bisect_crossings(band: _Band, k: int, a: np.ndarray, b: np.ndarray, lat: float,
                      lon: float) -> np.ndarray:
    """Refine sign changes of margin ``k`` bracketed by [a, b] to EDGE_TOLERANCE_S."""
    if a.size == 0:
        return a
    el, az = solar_position_arrays(a, lat, lon)
    fa = band.margins(el, az)[k] >= 0
    while np.max(b - a) > EDGE_TOLERANCE_S:
        m = 0.5 * (a + b)
        el, az = solar_position_arrays(m, lat, lon)
        fm = band.margins(el, az)[k] >= 0
        same = fm == fa
        a = np.where(same, m, a)
        b = np.where(same, b, m)
    return 0.5 * (a + b)


def _best_in(band: _Band, a: float, b: float, lat: float, lon: float) -> tuple[float, float,
                                                                                float]:
    """Minimise the scaled distance to the observation over [a, b] by nested sampling."""
    lo, hi = a, b
    for _ in range(4):
        ts = np.linspace(lo, hi, 65)
        el, az = solar_position_arrays(ts, lat, lon)
        i = int(np.argmin(band.cost(el, az)))
        lo, hi = ts[max(i - 1, 0)], ts[min(i + 1, ts.size - 1)]
        if hi - lo < 0.05:
            break
    return float(ts[i]), float(el[i]), float(az[i])


def times_fitting(
    obs: ShadowObservation,
    lat: float,
    lon: float,
    *,
    start: datetime,
    end: datetime,
    step_s: float = 60,
) -> list[TimeWindow]:
    """UTC time windows in [start, end] when the sun at (lat, lon) fits the shadow.

    The sun's elevation must lie in the observation's elevation interval (and its
    azimuth within ``bearing_uncertainty_deg`` of ``shadow_bearing_deg + 180`` when a
    bearing is given). Without a bearing an elevation is usually reached twice a day,
    so both a morning and an afternoon window come back.

    The interval is sampled every ``step_s`` seconds; every sign change of a fitting
    condition is refined by bisection to about one second, so windows narrower than
    the step are still found as long as the sun does not enter and leave the band
    within one step.

    Parameters
    ----------
    obs : ShadowObservation
        The measured shadow.
    lat, lon : float
        Place, north and east positive [deg].
    start, end : datetime
        Timezone-aware bounds of the search, ``start < end``.
    step_s : float, optional
        Sampling step [s]; default 60.

    Returns
    -------
    list of TimeWindow
        In time order; empty when the sun never fits (e.g. it is below the horizon).

    Raises
    ------
    InvalidArgumentError
        On naive or reversed bounds, a non-positive step, or coordinates out of range.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> obs = ShadowObservation(sun_elevation_deg=30.0, elevation_uncertainty_deg=0.5)
    >>> day = datetime(2024, 6, 1, tzinfo=timezone.utc)
    >>> len(times_fitting(obs, 51.5, -0.13, start=day, end=day.replace(hour=23)))
    2
    """
    band = _Band.of(obs)
    lat_f, lon_f = _check_lat_lon(lat, lon)
    t0, t1 = _aware_unix("start", start), _aware_unix("end", end)
    if not t1 > t0:
        raise InvalidArgumentError(
            f"'end' must be after 'start' (got start={start.isoformat()}, end={end.isoformat()})")
    step = _number("step_s", step_s)
    if step <= 0:
        raise InvalidArgumentError(f"'step_s' must be > 0 seconds (got {step_s!r})")
    n = int(math.ceil((t1 - t0) / step)) + 1
    if n > _MAX_SAMPLES:
        raise InvalidArgumentError(
            f"[start, end] / step_s gives {n} samples (at most {_MAX_SAMPLES}); "
            "shorten the interval or raise step_s")

    ts = np.minimum(t0 + step * np.arange(n), t1)
    el, az = solar_position_arrays(ts, lat_f, lon_f)
    ok = band.margins(el, az) >= 0  # (k, n)

    points = [np.array([t0, t1])]
    for k in range(ok.shape[0]):
        idx = np.nonzero(ok[k, :-1] != ok[k, 1:])[0]
        points.append(_bisect_crossings(band, k, ts[idx], ts[idx + 1], lat_f, lon_f))
    pts = np.unique(np.concatenate(points))
    if pts.size < 2:
        return []
    mids = 0.5 * (pts[:-1] + pts[1:])
    el_m, az_m = solar_position_arrays(mids, lat_f, lon_f)
    seg_ok = np.all(band.margins(el_m, az_m) >= 0, axis=0)

    windows: list[TimeWindow] = []
    i = 0
    while i < seg_ok.size:
        if not seg_ok[i]:
            i += 1
            continue
        j = i
        while j + 1 < seg_ok.size and seg_ok[j + 1]:
            j += 1
        a = max(t0, pts[i] - (EDGE_TOLERANCE_S if pts[i] > t0 else 0.0))
        b = min(t1, pts[j + 1] + (EDGE_TOLERANCE_S if pts[j + 1] < t1 else 0.0))
        tb, eb, ab = _best_in(band, float(pts[i]), float(pts[j + 1]), lat_f, lon_f)
        windows.append(TimeWindow(start=_utc(a), end=_utc(b), best=_utc(tb),
                                  best_elevation_deg=eb, best_azimuth_deg=ab))
        i = j + 1
    return windows


# ---------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoundingBox:
    """Latitude/longitude box [deg]; ``west > east`` never happens (no antimeridian wrap)."""

    south: float
    north: float
    west: float
    east: float

    def to_dict(self) -> dict[str, float]:
        """Plain-JSON view."""
        return {"south": self.south, "north": self.north, "west": self.west, "east": self.east}


@dataclass(frozen=True, eq=False)
class ShadowRegion:
    """Grid of places where a shadow observation fits at a given time.

    Attributes
    ----------
    lats : numpy.ndarray
        Cell-centre latitudes, ascending [deg].
    lons : numpy.ndarray
        Cell-centre longitudes, ascending [deg].
    mask : numpy.ndarray of bool
        ``mask[i, j]`` is True when the observation may fit somewhere in the cell
        centred on ``(lats[i], lons[j])``.
    when : datetime
        The time the map is for (UTC).
    when_uncertainty_s : float
        Half-width of the time span considered [s].
    step_deg : float
        Grid spacing [deg].
    method : str
        ``"elevation+azimuth"``, ``"elevation"`` or ``"shadowfinder-altitude-only"``.
    """

    lats: np.ndarray
    lons: np.ndarray
    mask: np.ndarray
    when: datetime
    when_uncertainty_s: float
    step_deg: float
    method: str = field(default="elevation+azimuth")

    @property
    def n_cells(self) -> int:
        """Number of cells that fit."""
        return int(np.count_nonzero(self.mask))

    @property
    def area_km2(self) -> float:
        """Approximate area of the fitting cells on a sphere of radius 6371 km [km^2]."""
        side = math.radians(self.step_deg) * 6371.0
        weights = np.cos(np.radians(self.lats))[:, None] * side * side
        return float(np.sum(np.where(self.mask, weights, 0.0)))

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the cell holding ``(lat, lon)`` fits (False outside the grid) [deg]."""
        la, lo = _check_lat_lon(lat, lon)
        half = self.step_deg / 2.0 + 1e-9
        if self.lats.size == 0 or self.lons.size == 0:
            return False
        if not (self.lats[0] - half <= la <= self.lats[-1] + half):
            return False
        if not (self.lons[0] - half <= lo <= self.lons[-1] + half):
            return False
        i = int(np.argmin(np.abs(self.lats - la)))
        j = int(np.argmin(np.abs(self.lons - lo)))
        return bool(self.mask[i, j])

    def bounding_box(self) -> BoundingBox | None:
        """Smallest box holding every fitting cell centre, or None when none fits."""
        rows = np.nonzero(np.any(self.mask, axis=1))[0]
        cols = np.nonzero(np.any(self.mask, axis=0))[0]
        if rows.size == 0:
            return None
        return BoundingBox(south=float(self.lats[rows[0]]), north=float(self.lats[rows[-1]]),
                           west=float(self.lons[cols[0]]), east=float(self.lons[cols[-1]]))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view; the mask is a list of rows (one per latitude) of booleans."""
        bbox = self.bounding_box()
        return {
            "when": self.when.isoformat(),
            "when_uncertainty_s": self.when_uncertainty_s,
            "step_deg": self.step_deg,
            "method": self.method,
            "n_cells": self.n_cells,
            "area_km2": self.area_km2,
            "bounding_box": None if bbox is None else bbox.to_dict(),
            "lats": self.lats.tolist(),
            "lons": self.lons.tolist(),
            "mask": self.mask.tolist(),
        }


def _grid(lat_range: Any, lon_range: Any, step_deg: Any) -> tuple[np.ndarray, np.ndarray,
                                                                   float]:
    step = _number("step_deg", step_deg)
    if step <= 0:
        raise InvalidArgumentError(f"'step_deg' must be > 0 degrees (got {step_deg!r})")
    out = []
    for name, rng, lim in (("lat_range", lat_range, 90.0), ("lon_range", lon_range, 180.0)):
        try:
            lo, hi = (float(v) for v in rng)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"'{name}' must be a pair (low, high) of degrees (got {rng!r})") from None
        if not (-lim <= lo <= hi <= lim):
            raise InvalidArgumentError(
                f"'{name}' must satisfy -{lim:g} <= low <= high <= {lim:g} (got {rng!r})")
        n = int(math.floor((hi - lo) / step + 1e-9)) + 1
        out.append(lo + step * np.arange(n))
    if out[0].size * out[1].size > _MAX_CELLS:
        raise InvalidArgumentError(
            f"the grid would have {out[0].size * out[1].size} cells (at most {_MAX_CELLS}); "
            "raise step_deg or narrow the ranges")
    return out[0], out[1], step


def region_fitting(
    obs: ShadowObservation,
    when: datetime,
    *,
    when_uncertainty_s: float = 0,
    lat_range: tuple[float, float] = (-90.0, 90.0),
    lon_range: tuple[float, float] = (-180.0, 180.0),
    step_deg: float = 0.5,
) -> ShadowRegion:
    """Places where the sun fits the shadow at ``when`` (+/- ``when_uncertainty_s``).

    Elevation and, if a bearing is given, azimuth must fit together. A cell is kept
    when the observation may fit anywhere inside it: the elevation band is widened by
    the cell's half-diagonal (the sun's elevation changes by at most 1 deg per degree
    of ground distance) and the azimuth band by the same distance divided by
    ``sin(zenith)``. With a time uncertainty the map is the union over instants spaced
    so that the sub-solar point moves at most one cell between them (half that motion
    is added to the widening), so the true cell is never lost to sampling. Cost: one
    grid evaluation (~0.15 s for the 0.5 deg world grid) per ``240 * step_deg``
    seconds of the span ``2 * when_uncertainty_s``.

    Parameters
    ----------
    obs : ShadowObservation
        The measured shadow.
    when : datetime
        Timezone-aware time of the frame.
    when_uncertainty_s : float, optional
        Half-width of the time uncertainty [s]; default 0.
    lat_range, lon_range : tuple of float, optional
        Grid extent [deg].
    step_deg : float, optional
        Grid spacing [deg]; default 0.5.

    Returns
    -------
    ShadowRegion

    Raises
    ------
    InvalidArgumentError
        On a naive time, negative uncertainty, or a bad grid.
    """
    band = _Band.of(obs)
    t = _aware_unix("when", when)
    u = _number("when_uncertainty_s", when_uncertainty_s)
    if u < 0:
        raise InvalidArgumentError(f"'when_uncertainty_s' must be >= 0 s (got {u!r})")
    lats, lons, step = _grid(lat_range, lon_range, step_deg)

    if u > 0:
        dt_max = step / _SUBSOLAR_SPEED_DEG_S
        n_t = int(math.ceil(2.0 * u / dt_max)) + 1
        times = np.linspace(t - u, t + u, n_t)
        dt = 2.0 * u / (n_t - 1)
    else:
        times, dt = np.array([t]), 0.0
    pad = step * math.sqrt(2.0) / 2.0 + _SUBSOLAR_SPEED_DEG_S * dt / 2.0

    lat_g = lats[:, None]
    lon_g = lons[None, :]
    mask = np.zeros((lats.size, lons.size), dtype=bool)
    for ti in times:
        el, az = solar_position_arrays(np.asarray(ti), lat_g, lon_g)
        ok = (el >= band.lo - pad) & (el <= band.hi + pad)
        if band.az is not None:
            sin_zen = np.sin(np.radians(np.clip(90.0 - el - pad, 0.0, 90.0)))
            with np.errstate(divide="ignore"):
                az_pad = np.where(sin_zen > 0, np.degrees(np.radians(pad) / sin_zen), 180.0)
            ok &= np.abs(_wrap180(az - band.az)) <= band.az_half + np.minimum(az_pad, 180.0)
        mask |= ok
    return ShadowRegion(lats=lats, lons=lons, mask=mask, when=_utc(t), when_uncertainty_s=u,
                        step_deg=step,
                        method="elevation+azimuth" if band.az is not None else "elevation")


def altitude_only_band(
    obs: ShadowObservation,
    when: datetime,
    *,
    lat_range: tuple[float, float] = (-60.0, 85.0),
    lon_range: tuple[float, float] = (-180.0, 180.0),
    step_deg: float = 0.5,
    relative_tolerance: float = 0.2,
) -> ShadowRegion:
    """Bellingcat ShadowFinder's elevation-only band, for comparison.

    Reproduces ShadowFinder's default method (``find_shadows`` with no uncertainties,
    and its plot's 0.2 cut-off): at each grid point the sun's altitude ``a`` gives a
    relative difference ``r = (h / tan(a) - L) / L`` for a length observation, or
    ``r = (a - e) / e`` for an elevation observation; the band is ``|r| <=
    relative_tolerance`` where the sun is up. The bearing and the observation's own
    uncertainties are ignored, as ShadowFinder does. Unlike ShadowFinder (suncalc,
    no refraction) the altitude here is SPA's, refraction included, and grid edges
    are inclusive; the default extent is ShadowFinder's (-60..85, -180..180).

    Parameters
    ----------
    obs : ShadowObservation
        The measured shadow (its bearing, if any, is ignored).
    when : datetime
        Timezone-aware time of the frame.
    lat_range, lon_range : tuple of float, optional
        Grid extent [deg].
    step_deg : float, optional
        Grid spacing [deg]; default 0.5 (ShadowFinder's).
    relative_tolerance : float, optional
        Accepted ``|r|``; default 0.2 (ShadowFinder's colour scale limit).

    Returns
    -------
    ShadowRegion
        With ``method="shadowfinder-altitude-only"``.
    """
    if not isinstance(obs, ShadowObservation):
        raise InvalidArgumentError(f"'obs' must be a ShadowObservation (got {type(obs).__name__})")
    t = _aware_unix("when", when)
    tol = _number("relative_tolerance", relative_tolerance)
    if tol < 0:
        raise InvalidArgumentError(f"'relative_tolerance' must be >= 0 (got {tol!r})")
    lats, lons, step = _grid(lat_range, lon_range, step_deg)
    el, _ = solar_position_arrays(np.asarray(t), lats[:, None], lons[None, :])
    up = el > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if obs.sun_elevation_deg is None:
            h, length = float(obs.object_height or 0.0), float(obs.shadow_length or 0.0)
            r = (h / np.tan(np.radians(el)) - length) / length
        else:
            e = float(obs.sun_elevation_deg)
            r = (el - e) / e
    mask = up & (np.abs(r) <= tol)
    return ShadowRegion(lats=lats, lons=lons, mask=mask, when=_utc(t), when_uncertainty_s=0.0,
                        step_deg=step, method="shadowfinder-altitude-only")


def sun_is_up(when: datetime, lat: float, lon: float) -> bool:
    """Whether the sun's upper limb is above the horizon (refraction included).

    Parameters
    ----------
    when : datetime
        Timezone-aware instant.
    lat, lon : float
        Place, north and east positive [deg].

    Returns
    -------
    bool

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> sun_is_up(datetime(2024, 6, 21, 12, tzinfo=timezone.utc), 51.5, 0.0)
    True
    """
    t = _aware_unix("when", when)
    lat_f, lon_f = _check_lat_lon(lat, lon)
    el, _ = solar_position_arrays(np.asarray(t), lat_f, lon_f)
    return bool(float(el) + SUN_SEMIDIAMETER_DEG > 0.0)
