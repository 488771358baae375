"""Interactive maps of place evidence (extra ``maps``: ``pip install 'video-provenance[maps]'``).

:func:`place_map` returns a :class:`folium.Map`; in a notebook it displays itself, and the
map tiles load in the reader's browser (so they need a network there). Offline, and in
saved HTML reports, the report's static SVG map (``Report._repr_html_``) is the fallback.

Every string shown in a popup or tooltip is HTML-escaped first: folium renders popups as
HTML, and the text comes from file metadata.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from ..errors import InvalidArgumentError, MissingExtraError
from .svg import CLAIM_COLOUR, ESTIMATE_COLOUR, MAX_TRACK_POINTS, STRONG_COLOUR, WEAK_COLOUR, _thin

#: Colour of the file's GPS track (as on the static SVG map).
TRACK_COLOUR = "#6a1b9a"

__all__ = ["place_map"]


def _folium() -> Any:
    try:
        import folium
    except ImportError as exc:
        raise MissingExtraError(
            "interactive maps need folium, which is not installed; install the 'maps' extra: "
            "pip install 'video-provenance[maps]' (the HTML report has a static map without it)") from exc
    return folium


def _e(text: Any, limit: int = 500) -> str:
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return html.escape(s, quote=True)


def place_map(report_or_evidence: Any, *, claim: Any = None, where: Any = None, tiles: str = "OpenStreetMap",
              max_items: int = 100) -> Any:
    """Interactive map of the place evidence, the file's GPS track, the fused estimate and the claimed area.

    Parameters
    ----------
    report_or_evidence : Report or sequence of Evidence
        A report (its evidence, ``where`` and claim are used) or evidence items.
    claim : Claim, optional
        Claimed place and radius (default: the report's).
    where : Where, optional
        Fused place estimate (default: the report's).
    tiles : str
        folium tile layer name; tiles are fetched by the viewer's browser.
    max_items : int
        Most reliable place items drawn.

    Returns
    -------
    folium.Map
        Fitted to the drawn circles. ``m.save("map.html")`` writes it to a file.

    Raises
    ------
    MissingExtraError
        When folium is not installed.
    """
    folium = _folium()
    if hasattr(report_or_evidence, "evidence") and hasattr(report_or_evidence, "verdict"):
        r = report_or_evidence
        evidence = list(r.evidence)
        claim = claim if claim is not None else r.claim
        where = where if where is not None else r.where
    else:
        try:
            evidence = list(report_or_evidence)
        except TypeError as exc:
            raise InvalidArgumentError(
                f"expected a Report or a sequence of Evidence (got {type(report_or_evidence).__name__})") from exc
    places = sorted((e for e in evidence if e.constrains_place), key=lambda e: -e.reliability)[:max_items]
    circles: list[tuple[float, float, float]] = []
    m = folium.Map(tiles=tiles, control_scale=True)

    def circle(lat: float, lon: float, radius_km: float, colour: str, text: str, *, dash: str | None = None,
               fill: float = 0.2) -> None:
        r_m = max(float(radius_km) * 1000.0, 5.0)
        folium.Circle(location=(lat, lon), radius=r_m, color=colour, weight=2, fill=fill > 0, fill_opacity=fill,
                      dash_array=dash, tooltip=folium.Tooltip(_e(text, 200)),
                      popup=folium.Popup(_e(text, 1500), max_width=400)).add_to(m)
        folium.CircleMarker(location=(lat, lon), radius=3, color=colour, fill=True, fill_opacity=1.0).add_to(m)
        circles.append((lat, lon, float(radius_km)))

    for e in places:
        circle(e.lat, e.lon, e.radius_km or 0.0, STRONG_COLOUR if e.reliability >= 0.8 else WEAK_COLOUR,
               f"{e.summary} [source: {e.source}; reliability {e.reliability:.2f}]")
    if where is not None:
        circle(where.lat, where.lon, where.radius_km, ESTIMATE_COLOUR,
               f"Fused estimate: within {where.radius_km:,.2f} km of {where.lat:.5f}, {where.lon:.5f} "
               f"(confidence {where.confidence:.2f})", fill=0.0)
    md = getattr(report_or_evidence, "metadata", None)
    if md is not None and len(getattr(md, "track", ())) >= 2:
        from .tracks import track_samples

        pts = _thin([(p.lat, p.lon) for p in track_samples(md)], MAX_TRACK_POINTS)
        if len(pts) >= 2:
            text = f"GPS track of the file: {len(pts)} samples from its telemetry"
            folium.PolyLine(pts, color=TRACK_COLOUR, weight=3, opacity=0.85,
                            tooltip=folium.Tooltip(_e(text, 200))).add_to(m)
            folium.CircleMarker(location=pts[0], radius=5, color=TRACK_COLOUR, fill=True, fill_color="white",
                                tooltip=folium.Tooltip("track start")).add_to(m)
            folium.CircleMarker(location=pts[-1], radius=5, color=TRACK_COLOUR, fill=True, fill_opacity=1.0,
                                tooltip=folium.Tooltip("track end")).add_to(m)
            circles += [(la, lo, 0.0) for la, lo in (pts[0], pts[-1])]
            lats, lons = [a for a, _ in pts], [b for _, b in pts]
            circles += [(min(lats), min(lons), 0.0), (max(lats), max(lons), 0.0)]
    if claim is not None and getattr(claim, "has_place", False):
        name = claim.place if isinstance(claim.place, str) else f"{claim.lat:.4f}, {claim.lon:.4f}"
        circle(claim.lat, claim.lon, claim.radius_km, CLAIM_COLOUR,
               f"Claimed: within {claim.radius_km:g} km of {name}", dash="8 4", fill=0.08)
    if circles:
        m.fit_bounds(_bounds(circles))
    else:
        m.location = [20.0, 0.0]
        m.options["zoom"] = 2
    return m


def _bounds(circles: Sequence[tuple[float, float, float]]) -> list[list[float]]:
    south = min(la - r / 110.574 for la, _, r in circles)
    north = max(la + r / 110.574 for la, _, r in circles)
    west = min(lo - r / (111.32 * max(math.cos(math.radians(la)), 0.05)) for la, lo, r in circles)
    east = max(lo + r / (111.32 * max(math.cos(math.radians(la)), 0.05)) for la, lo, r in circles)
    return [[max(south, -85.0), max(west, -180.0)], [min(north, 85.0), min(east, 180.0)]]
