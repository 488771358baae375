"""Sun and shadow observations turned into :class:`Evidence` (pure functions, no I/O).

One :class:`~provenance.scoring.shadow.ShadowObservation` says where the sun stood when a
frame was filmed. What that constrains depends on what else is known:

- a reliable place (from the evidence so far) -> the times at which the sun stood there
  (morning and afternoon windows on every day of the plausible date range);
- a narrow time -> the region of the globe where the sun stood there;
- both -> both (each conditional on the other, so each is weighted by the other's support);
- neither -> nothing is constrained, but the observation is kept so that a claim's own time
  and place can be tested against it (:func:`~provenance.scoring.checks.check_sun_at_claim`).

Uncertainty propagates: the measurement's elevation band (and bearing band) is widened by
the place's radius (about one degree of sun per 111 km of ground), the time region by the
half-width of the time interval, and the frame time moves windows back to the recording
start.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from .checks import shadow_band
from .errormodels import SHADOW
from .evidence import Evidence
from .fusion import When, Where, fuse_place, fuse_time
from .shadow import ShadowObservation, region_fitting, times_fitting

__all__ = [
    "MAX_DATE_RANGE",
    "MAX_TIME_SPAN",
    "OBSERVATION_RELIABILITY",
    "evidence_from_observation",
]

#: A measured shadow: clear geometry, but sloping ground, a leaning object or a misread
#: bearing can bias it (``errormodels.SHADOW``), so alone it stays below the strength needed
#: to contradict.
OBSERVATION_RELIABILITY = SHADOW.reliability
#: Independence group of the shadows: one observer measures them all, so they count once.
OBSERVER_GROUP = "observer:shadow"
#: Place evidence needs this support (and at most MAX_PLACE_RADIUS_KM) to anchor the sun.
PLACE_SUPPORT = 0.5
MAX_PLACE_RADIUS_KM = 300.0
#: Time evidence needs this support and at most MAX_TIME_SPAN to map the region.
TIME_SUPPORT = 0.5
MAX_TIME_SPAN = timedelta(hours=12)
#: Longest date range searched for time windows.
MAX_DATE_RANGE = timedelta(days=400)
#: Grid spacing of the region map [deg].
REGION_STEP_DEG = 1.0
#: Slack added around each time window (sampling and clock slack).
WINDOW_SLACK = timedelta(minutes=2)

_KM_PER_DEG = 111.2


def _fmt(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _describe(obs: ShadowObservation) -> str:
    lo, hi = obs.elevation_interval_deg
    if obs.sun_elevation_deg is not None:
        what = f"a sun elevation of {obs.elevation_deg:.1f} deg (range {lo:.1f}-{hi:.1f} deg)"
    else:
        what = (f"a {obs.object_height:g}-unit object casting a {obs.shadow_length:g}-unit shadow, i.e. a sun "
                f"elevation of {obs.elevation_deg:.1f} deg (range {lo:.1f}-{hi:.1f} deg)")
    if obs.shadow_bearing_deg is not None:
        what += (f", with the shadow pointing {float(obs.shadow_bearing_deg) % 360:.0f} deg "
                 f"(+/- {obs.bearing_uncertainty_deg:g} deg) so the sun stood at {obs.sun_azimuth_deg:.0f} deg")
    if obs.frame_time_s is not None:
        what += f", measured at {obs.frame_time_s:.1f} s into the video"
    return what


def _source(obs: ShadowObservation, index: int) -> str:
    at = f"@{obs.frame_time_s:.1f}s" if obs.frame_time_s is not None else ""
    return f"observation:shadow#{index}{at}"


def _widened(obs: ShadowObservation, pad_deg: float) -> ShadowObservation:
    """The observation as an elevation band widened by ``pad_deg`` (place uncertainty)."""
    lo, hi, az, az_half = shadow_band(obs)
    lo, hi = max(0.01, lo - pad_deg), min(90.0, hi + pad_deg)
    centre = min(max(obs.elevation_deg, lo), hi)
    centre = max(centre, 1e-3)
    half = max(centre - lo, hi - centre)
    return ShadowObservation(sun_elevation_deg=centre, elevation_uncertainty_deg=min(half, 90.0),
                             shadow_bearing_deg=None if az is None else (az + 180.0) % 360.0,
                             bearing_uncertainty_deg=min(179.0, az_half + 2.0 * pad_deg),
                             frame_time_s=obs.frame_time_s, note=obs.note)


def _known_place(base: list[Evidence]) -> Where | None:
    where = fuse_place(base)
    if where is None or where.confidence < PLACE_SUPPORT or where.radius_km > MAX_PLACE_RADIUS_KM:
        return None
    return where


def _known_range(base: list[Evidence]) -> When | None:
    when = fuse_time(base)
    if when.earliest is None or when.latest is None or when.confidence < TIME_SUPPORT:
        return None
    return when


def _bounds(when: When) -> tuple[datetime, datetime]:
    """Both ends of a bounded estimate (callers check ``_known_range`` first)."""
    if when.earliest is None or when.latest is None:
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError("the time estimate must be bounded on both sides")
    return when.earliest, when.latest


def _windows_item(obs: ShadowObservation, where: Where, when: When, source: str) -> Evidence:
    shift = timedelta(seconds=float(obs.frame_time_s or 0.0))
    pad = where.radius_km / _KM_PER_DEG
    wobs = _widened(obs, pad)
    w0, w1 = _bounds(when)
    start, end = w0 + shift, w1 + shift
    if end <= start:
        end = start + timedelta(seconds=1)
    step = 60.0 if end - start <= timedelta(days=3) else 300.0
    wins = times_fitting(wobs, where.lat, where.lon, start=start, end=end, step_s=step)
    place = f"{where.lat:.4f}, {where.lon:.4f} (+/- {where.radius_km:,.1f} km, from {', '.join(where.sources)})"
    rel = round(OBSERVATION_RELIABILITY * where.confidence, 4)
    why = ("A shadow measurement read against the sun's path at the place the other evidence gives; it holds only "
           f"if that place is right (place confidence {where.confidence:.2f}).")
    if not wins:
        return Evidence("shadow_time",
                        f"The shadow measurement ({_describe(obs)}) fits the sun at no time between {_fmt(start)} and "
                        f"{_fmt(end)} at {place}: the measurement, the place or the time evidence is wrong.",
                        source, "note", rel, why, OBSERVER_GROUP, raw=obs.note)
    windows = tuple((w.start - shift - WINDOW_SLACK, w.end - shift + WINDOW_SLACK) for w in wins)
    shown = "; ".join(f"{_fmt(a)}-{b:%H:%M}" for a, b in windows[:4]) + (
        f"; and {len(windows) - 4} more" if len(windows) > 4 else "")
    best = wins[0].best - shift if len(wins) == 1 else None
    total = sum((b - a for a, b in windows), timedelta(0))
    return Evidence("shadow_time",
                    f"At {place}, the sun matched the shadow measurement ({_describe(obs)}) only in {len(windows)} "
                    f"window(s) totalling {total.total_seconds() / 60:.0f} min between {_fmt(start)} and {_fmt(end)}: "
                    f"{shown} (recording start times).",
                    source, "interval", rel, why, OBSERVER_GROUP, windows[0][0], windows[-1][1], best,
                    raw=obs.note, windows=windows if len(windows) > 1 else ())


def _cells_circle(region: Any) -> tuple[float, float, float]:
    """Centre [deg] and radius [km] of a circle covering every fitting cell."""
    ii, jj = np.nonzero(region.mask)
    la = np.radians(region.lats[ii])
    lo = np.radians(region.lons[jj])
    v = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)
    m = v.mean(axis=0)
    n = float(np.linalg.norm(m))
    if n < 1e-9:
        return 0.0, 0.0, 20037.5
    m /= n
    clat, clon = math.degrees(math.asin(m[2])), math.degrees(math.atan2(m[1], m[0]))
    ang = np.arccos(np.clip(v @ m, -1.0, 1.0))
    half_diag = region.step_deg * math.sqrt(2.0) / 2.0 * _KM_PER_DEG
    return clat, clon, min(20037.5, float(np.max(ang)) * 6371.0088 + half_diag)


def _region_item(obs: ShadowObservation, when: When, source: str) -> Evidence:
    shift = timedelta(seconds=float(obs.frame_time_s or 0.0))
    w0, w1 = _bounds(when)
    mid = w0 + (w1 - w0) / 2 + shift
    half = (w1 - w0).total_seconds() / 2.0
    region = region_fitting(_widened(obs, 0.0), mid, when_uncertainty_s=half, step_deg=REGION_STEP_DEG)
    rel = round(OBSERVATION_RELIABILITY * when.confidence, 4)
    why = ("A shadow measurement read against the sun's position over the globe at the time the other evidence "
           f"gives; it holds only if that time is right (time confidence {when.confidence:.2f}).")
    span = f"between {_fmt(w0 + shift)} and {_fmt(w1 + shift)}"
    if region.n_cells == 0:
        return Evidence("shadow_place", f"The shadow measurement ({_describe(obs)}) fits the sun nowhere on Earth "
                        f"{span}: the measurement or the time evidence is wrong.", source, "note", rel, why,
                        OBSERVER_GROUP,
                        raw=obs.note)
    clat, clon, radius = _cells_circle(region)
    bbox = region.bounding_box()
    if bbox is None:  # pragma: no cover - n_cells > 0 above
        return Evidence("shadow_place", "The shadow measurement fits no cell.", source, "note", rel, why,
                        OBSERVER_GROUP, raw=obs.note)
    return Evidence("shadow_place",
                    f"{span[0].upper()}{span[1:]}, the sun matched the shadow measurement ({_describe(obs)}) "
                    "only in an "
                    f"area of about {region.area_km2:,.0f} km2 (latitudes {bbox.south:.0f} to {bbox.north:.0f}, "
                    f"longitudes {bbox.west:.0f} to {bbox.east:.0f}).",
                    source, "region", rel, why, OBSERVER_GROUP, lat=clat, lon=clon, radius_km=radius, raw=obs.note,
                    region=region)


def evidence_from_observation(obs: ShadowObservation, evidence: Iterable[Evidence] = (), *,
                              index: int | None = None) -> list[Evidence]:
    """Evidence from one shadow observation, given the evidence gathered so far.

    Parameters
    ----------
    obs : ShadowObservation
        The measurement.
    evidence : iterable of Evidence
        Evidence so far (metadata, matches). Items from other observations are ignored, so
        observations never anchor each other.
    index : int, optional
        Number of the observation, for its source name; by default one more than the
        observations already in ``evidence``.

    Returns
    -------
    list of Evidence
        Always a ``"shadow"`` note item that carries the observation (so a claim's own time
        and place can be tested against it), plus a ``"shadow_time"`` item (windows at the
        known place) and/or a ``"shadow_place"`` item (region at the known time) when the
        evidence so far is good enough.

    Examples
    --------
    >>> obs = ShadowObservation(object_height=1.0, shadow_length=1.0)
    >>> [e.kind for e in evidence_from_observation(obs)]
    ['shadow']
    """
    if not isinstance(obs, ShadowObservation):
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError(f"observations must be ShadowObservation values (got {type(obs).__name__})")
    prior = list(evidence)
    base = [e for e in prior if not e.kind.startswith("shadow")]
    if index is None:
        index = 1 + sum(1 for e in prior if e.kind == "shadow")
    source = _source(obs, index)
    where = _known_place(base)
    when = _known_range(base)
    out: list[Evidence] = []
    notes = []
    span = None if when is None else _bounds(when)
    if where is not None and when is not None and span is not None and span[1] - span[0] <= MAX_DATE_RANGE:
        out.append(_windows_item(obs, where, when, source))
    elif where is not None:
        notes.append("the place is known but the date is not bounded on both sides (within "
                     f"{MAX_DATE_RANGE.days} days), so it does not narrow the time")
    if when is not None and span is not None and span[1] - span[0] <= MAX_TIME_SPAN:
        out.append(_region_item(obs, when, source))
    elif where is None:
        notes.append("neither the place nor the time is known well enough for it to narrow the other")
    summary = f"A shadow measurement shows {_describe(obs)}, so the sun was up when the frame was filmed."
    if obs.note:
        summary += f" ({obs.note})"
    if notes:
        summary += " On its own it constrains nothing here: " + "; ".join(notes) + \
                   ". It can still test a claimed time and place."
    out.insert(0, Evidence("shadow", summary, source, "note", OBSERVATION_RELIABILITY,
                           "A measured shadow; sloping ground or a leaning object can bias it.", OBSERVER_GROUP,
                           raw=obs.note, observation=obs, model=SHADOW.name))
    return out
