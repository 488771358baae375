"""Static inline SVG views of a report: the time-constraint timeline and the place map.

Pure functions from values to SVG text. They need no JavaScript and no network, so the
drawings work offline, in untrusted notebooks and in a saved HTML file. Every string that
may come from a file is escaped with :func:`esc`.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["MapItem", "TimeRow", "TrackLine", "esc", "map_svg", "timeline_svg"]

# controls and bidi overrides/isolates (which would reorder what the reader sees) are dropped
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Colours shared by the HTML report and the plots.
CLAIM_COLOUR = "#e07b00"
ESTIMATE_COLOUR = "#1b7f3b"
STRONG_COLOUR = "#1f4e9c"
WEAK_COLOUR = "#8fa8d6"
EXCLUDES_COLOUR = "#b3261e"


def esc(value: Any, limit: int | None = 600) -> str:
    """Escape any value for HTML text or a quoted attribute, clipped to ``limit`` characters.

    Control characters are dropped; a clipped string ends with an ellipsis.
    """
    text = _CONTROL.sub("", str(value))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "\u2026"
    return html.escape(text, quote=True)


# ---------------------------------------------------------------- timeline

@dataclass(frozen=True)
class TimeRow:
    """One bar of the timeline.

    ``earliest`` / ``latest`` of ``None`` are open sides; ``best`` is drawn as a diamond.
    """

    label: str
    tooltip: str
    earliest: datetime | None
    latest: datetime | None
    best: datetime | None = None
    colour: str = STRONG_COLOUR
    kind: str = "evidence"


def _ts(t: datetime) -> float:
    return t.astimezone(timezone.utc).timestamp()


def _nice_ticks(t0: float, t1: float, max_ticks: int = 8) -> tuple[list[float], str]:
    """Tick positions (unix seconds) and a strftime format for a span."""
    span = max(t1 - t0, 1.0)
    start = datetime.fromtimestamp(t0, timezone.utc)
    day = 86400.0
    if span > 3 * 365 * day:
        step_years = max(1, math.ceil(span / (365.25 * day) / max_ticks))
        year = start.year + 1
        ticks = []
        while True:
            t = datetime(year, 1, 1, tzinfo=timezone.utc).timestamp()
            if t > t1 or year > 9998:
                break
            ticks.append(t)
            year += step_years
        return ticks, "%Y"
    if span > 60 * day:
        step_months = max(1, math.ceil(span / (30.44 * day) / max_ticks))
        y, m = start.year, start.month + 1
        ticks = []
        while True:
            if m > 12:
                y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
            if y > 9998:
                break
            t = datetime(y, m, 1, tzinfo=timezone.utc).timestamp()
            if t > t1:
                break
            ticks.append(t)
            m += step_months
        return ticks, "%Y-%m"
    for step, fmt in ((day, "%Y-%m-%d"), (6 * 3600.0, "%m-%d %H:%M"), (3600.0, "%H:%M"),
                      (600.0, "%H:%M"), (60.0, "%H:%M"), (10.0, "%H:%M:%S"), (1.0, "%H:%M:%S")):
        if span / step >= 2 or step == 1.0:
            k = max(1, math.ceil(span / step / max_ticks))
            s = step * k
            first = math.ceil(t0 / s) * s
            n = int((t1 - first) // s) + 1
            return [first + i * s for i in range(max(n, 0))], fmt
    return [], "%Y-%m-%d"  # pragma: no cover


def timeline_svg(rows: Sequence[TimeRow], *, claim: tuple[datetime, datetime] | None = None,
                 claim_label: str = "claim", estimate: TimeRow | None = None, width: int = 900,
                 note: str = "") -> str:
    """Timeline of time constraints as inline SVG.

    Parameters
    ----------
    rows : sequence of TimeRow
        One bar per constraint, drawn top to bottom.
    claim : (datetime, datetime), optional
        Claimed interval, drawn as an orange band across every row.
    estimate : TimeRow, optional
        The fused estimate, drawn as the first row in green.
    width : int
        Width [px].
    note : str
        Caption under the drawing (e.g. how many rows were left out).
    """
    all_rows = ([estimate] if estimate is not None else []) + list(rows)
    times = [_ts(t) for r in all_rows for t in (r.earliest, r.latest, r.best) if t is not None]
    if claim is not None:
        times += [_ts(claim[0]), _ts(claim[1])]
    if not times:
        return ('<p class="prv-empty">No evidence constrains the filming time.</p>')
    t0, t1 = min(times), max(times)
    if t1 - t0 < 3600:
        t0, t1 = t0 - 43200, t1 + 43200
    pad = (t1 - t0) * 0.06
    t0, t1 = t0 - pad, t1 + pad
    label_w, right = 270, 20
    row_h, top = 22, 26
    plot_w = width - label_w - right
    height = top + row_h * len(all_rows) + 34

    def x(t: float) -> float:
        return label_w + (t - t0) / (t1 - t0) * plot_w

    out = [f'<svg class="prv-timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" '
           'style="max-width:100%;height:auto;font-family:sans-serif;font-size:11px">',
           "<title>Time constraints on the filming, with the claim marked</title>",
           f'<rect x="{label_w}" y="{top - 6}" width="{plot_w}" height="{row_h * len(all_rows) + 8}" fill="#fafafa" '
           'stroke="#ddd"/>']
    ticks, fmt = _nice_ticks(t0, t1)
    axis_y = top + row_h * len(all_rows) + 2
    for t in ticks:
        xt = x(t)
        out.append(f'<line x1="{xt:.1f}" y1="{top - 6}" x2="{xt:.1f}" y2="{axis_y + 4}" stroke="#e3e3e3"/>'
                   f'<text x="{xt:.1f}" y="{axis_y + 16}" text-anchor="middle" fill="#555">'
                   f'{esc(datetime.fromtimestamp(t, timezone.utc).strftime(fmt))}</text>')
    out.append(f'<text x="{width - right}" y="{axis_y + 30}" text-anchor="end" fill="#777">UTC</text>')
    if claim is not None:
        c0, c1 = x(_ts(claim[0])), x(_ts(claim[1]))
        out.append(f'<g class="prv-claim"><rect x="{c0:.1f}" y="{top - 6}" width="{max(c1 - c0, 2):.1f}" '
                   f'height="{row_h * len(all_rows) + 8}" fill="{CLAIM_COLOUR}" fill-opacity="0.25" '
                   f'stroke="{CLAIM_COLOUR}" stroke-dasharray="4 2"><title>{esc(claim_label)}</title></rect>'
                   f'<text x="{(c0 + c1) / 2:.1f}" y="{top - 10}" text-anchor="middle" fill="{CLAIM_COLOUR}" '
                   f'font-weight="bold">{esc(claim_label, 60)}</text></g>')
    for i, r in enumerate(all_rows):
        y = top + i * row_h
        lo = x(_ts(r.earliest)) if r.earliest is not None else label_w
        hi = x(_ts(r.latest)) if r.latest is not None else label_w + plot_w
        weight = ' font-weight="bold"' if r.kind == "estimate" else ""
        out.append(f'<g class="prv-row prv-{esc(r.kind, 20)}"><title>{esc(r.tooltip, 1200)}</title>'
                   f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end" fill="#222"{weight}>{esc(r.label, 44)}'
                   '</text>')
        if r.earliest is not None or r.latest is not None:
            out.append(f'<rect x="{lo:.1f}" y="{y + 2}" width="{max(hi - lo, 2):.1f}" height="12" rx="2" '
                       f'fill="{r.colour}" fill-opacity="0.8"/>')
            if r.earliest is None:
                out.append(f'<path d="M{lo:.1f},{y + 8} l8,-6 v12 z" fill="{r.colour}"/>')
            if r.latest is None:
                out.append(f'<path d="M{hi:.1f},{y + 8} l-8,-6 v12 z" fill="{r.colour}"/>')
        if r.best is not None:
            xb = x(_ts(r.best))
            out.append(f'<path d="M{xb:.1f},{y} l5,8 l-5,8 l-5,-8 z" fill="#111" stroke="white" stroke-width="0.8"/>')
        out.append("</g>")
    out.append("</svg>")
    if note:
        out.append(f'<p class="prv-note" style="color:#666;font-size:.85em;margin:.2em 0">{esc(note)}</p>')
    return "".join(out)


# ---------------------------------------------------------------- map

@dataclass(frozen=True)
class MapItem:
    """One circle of the place map: centre [deg] and radius [km]."""

    label: str
    tooltip: str
    lat: float
    lon: float
    radius_km: float
    kind: str = "evidence"  # "evidence", "claim", "estimate"
    colour: str = STRONG_COLOUR


@dataclass(frozen=True)
class TrackLine:
    """A GPS track drawn on the place map: points ``(lat, lon)`` [deg] in media order."""

    label: str
    tooltip: str
    points: tuple[tuple[float, float], ...]
    colour: str = "#6a1b9a"


#: Points of one track drawn at most (evenly thinned beyond, first and last kept).
MAX_TRACK_POINTS = 2000

_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON = 111.320


def _nice_step(x: float) -> float:
    """Largest 1/2/5 x 10^k not above x."""
    if x <= 0:
        return 1.0
    k = 10 ** math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * k <= x:
            return m * k
    return k  # pragma: no cover


_CITIES: list[tuple[str, float, float, int]] | None = None


def _cities() -> list[tuple[str, float, float, int]]:
    """Cities of 50,000+ people from the offline gazetteer, for map context (empty if unavailable)."""
    global _CITIES
    if _CITIES is None:
        try:
            from ..scoring.gazetteer import populous

            _CITIES = [(c.name, c.lat, c.lon, c.population) for c in populous(50_000)]  # most populous first
        except Exception:  # noqa: BLE001 - context labels are optional
            _CITIES = []
    return _CITIES


def _thin(points: Sequence[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    pts = [(float(a), float(b)) for a, b in points if math.isfinite(a) and math.isfinite(b)]
    if len(pts) <= limit:
        return pts
    idx = sorted({round(i * (len(pts) - 1) / (limit - 1)) for i in range(limit)})
    return [pts[i] for i in idx]


def map_svg(items: Sequence[MapItem], *, size: int = 520, note: str = "", cities: bool = True,
            tracks: Sequence[TrackLine] = ()) -> str:
    """Static map of place constraints as inline SVG (local equirectangular projection).

    Circles are drawn to scale; a tiny circle still gets a visible dot. GPS tracks are drawn
    as polylines with their start and end marked. Graticule lines, a scale bar and
    (``cities=True``) the largest towns in view from the offline gazetteer give orientation
    without any map tiles.
    """
    lines = [TrackLine(t.label, t.tooltip, tuple(_thin(t.points, MAX_TRACK_POINTS)), t.colour) for t in tracks]
    lines = [t for t in lines if t.points]
    if not items and not lines:
        return '<p class="prv-empty">No evidence or claim constrains the filming place.</p>'
    anchors = [(i.lat, i.lon) for i in items] + [p for t in lines for p in (t.points[0], t.points[-1])]
    lat0 = sum(a for a, _ in anchors) / len(anchors)
    lon0 = sum(b for _, b in anchors) / len(anchors)
    kx = _KM_PER_DEG_LON * max(math.cos(math.radians(lat0)), 0.05)

    def km(lat: float, lon: float) -> tuple[float, float]:
        dlon = (lon - lon0 + 180.0) % 360.0 - 180.0
        return dlon * kx, (lat - lat0) * _KM_PER_DEG_LAT

    xs, ys = [], []
    for it in items:
        cx, cy = km(it.lat, it.lon)
        r = min(it.radius_km, 20000.0)
        xs += [cx - r, cx + r]
        ys += [cy - r, cy + r]
    for t in lines:
        for la, lo in t.points:
            cx, cy = km(la, lo)
            xs.append(cx)
            ys.append(cy)
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 * 1.3
    half = max(half, 0.5)
    mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    scale = (size / 2) / half  # px per km

    def px(lat: float, lon: float) -> tuple[float, float]:
        cx, cy = km(lat, lon)
        return size / 2 + (cx - mx) * scale, size / 2 - (cy - my) * scale

    out = [f'<svg class="prv-map" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 24}" '
           f'viewBox="0 0 {size} {size + 24}" role="img" '
           'style="max-width:100%;height:auto;font-family:sans-serif;font-size:11px">',
           "<title>Place constraints on the filming, with the claimed area</title>",
           '<defs><clipPath id="prv-map-clip"><rect width="100%" height="100%"/></clipPath></defs>',
           f'<rect width="{size}" height="{size}" fill="#eef3f7" stroke="#bbb"/>',
           '<g clip-path="url(#prv-map-clip)">']
    # graticule
    deg_half_lat = half / _KM_PER_DEG_LAT
    step = _nice_step(deg_half_lat * 2 / 4)
    lat_c = lat0 + my / _KM_PER_DEG_LAT
    lon_c = lon0 + mx / kx
    g_lines = []
    for k in range(-6, 7):
        la = math.floor(lat_c / step) * step + k * step
        if -90 <= la <= 90:
            _, yy = px(la, lon_c)
            if 0 <= yy <= size:
                g_lines.append(f'<line x1="0" y1="{yy:.1f}" x2="{size}" y2="{yy:.1f}" stroke="#d3dde6"/>'
                               f'<text x="3" y="{yy - 2:.1f}" fill="#8a9aa8">{la:.6g}\u00b0</text>')
        lo = math.floor(lon_c / step) * step + k * step
        xx, _ = px(lat_c, lo)
        if 0 <= xx <= size:
            g_lines.append(f'<line x1="{xx:.1f}" y1="0" x2="{xx:.1f}" y2="{size}" stroke="#d3dde6"/>'
                           f'<text x="{xx + 2:.1f}" y="{size - 4}" fill="#8a9aa8">{(lo + 180) % 360 - 180:.6g}\u00b0'
                           '</text>')
    out += g_lines
    if cities:
        shown = 0
        for name, la, lo, _pop in _cities():
            xx, yy = px(la, lo)
            if 8 <= xx <= size - 8 and 8 <= yy <= size - 8:
                out.append(f'<circle cx="{xx:.1f}" cy="{yy:.1f}" r="2" fill="#666"/>'
                           f'<text x="{xx + 4:.1f}" y="{yy - 3:.1f}" fill="#555">{esc(name, 40)}</text>')
                shown += 1
                if shown >= 12:
                    break
    for t in lines:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (px(la, lo) for la, lo in t.points))
        (sx, sy), (ex, ey) = px(*t.points[0]), px(*t.points[-1])
        out.append(f'<g class="prv-track"><title>{esc(t.tooltip, 1200)}</title>'
                   f'<polyline points="{path}" fill="none" stroke="{t.colour}" stroke-width="2.5" '
                   'stroke-linejoin="round" stroke-linecap="round" stroke-opacity="0.85"/>'
                   f'<circle cx="{sx:.1f}" cy="{sy:.1f}" r="4" fill="white" stroke="{t.colour}" stroke-width="2"/>'
                   f'<circle cx="{ex:.1f}" cy="{ey:.1f}" r="4" fill="{t.colour}"/>'
                   f'<text x="{ex + 6:.1f}" y="{ey - 6:.1f}" fill="{t.colour}" font-weight="bold">{esc(t.label, 40)}'
                   '</text></g>')
    order = {"estimate": 0, "evidence": 1, "claim": 2}
    for it in sorted(items, key=lambda i: order.get(i.kind, 1)):
        xx, yy = px(it.lat, it.lon)
        r = max(it.radius_km * scale, 0.0)
        if it.kind == "claim":
            style = (f'fill="{it.colour}" fill-opacity="0.10" stroke="{it.colour}" stroke-width="2" '
                     'stroke-dasharray="6 3"')
        elif it.kind == "estimate":
            style = f'fill="none" stroke="{it.colour}" stroke-width="2.5"'
        else:
            style = f'fill="{it.colour}" fill-opacity="0.22" stroke="{it.colour}" stroke-width="1.2"'
        right_side = xx > size * 0.65
        anchor = "end" if right_side else "start"
        tx = xx - 6 if right_side else xx + 6
        ty = yy - 7 if it.kind == "estimate" else yy + 14
        out.append(f'<g class="prv-place prv-{esc(it.kind, 20)}"><title>{esc(it.tooltip, 1200)}</title>'
                   f'<circle cx="{xx:.1f}" cy="{yy:.1f}" r="{min(r, 10 * size):.1f}" {style}/>'
                   f'<circle cx="{xx:.1f}" cy="{yy:.1f}" r="3.5" fill="{it.colour}" stroke="white"/>'
                   f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" fill="{it.colour}" font-weight="bold">'
                   f'{esc(it.label, 40)}</text></g>')
    out.append("</g>")
    # scale bar and north arrow
    bar_km = _nice_step(half * 2 / 4)
    bar_px = bar_km * scale
    label = f"{bar_km:g} km" if bar_km >= 1 else f"{bar_km * 1000:g} m"
    out.append(f'<g class="prv-scale"><rect x="10" y="{size - 30}" width="{bar_px:.1f}" height="5" fill="#333"/>'
               f'<text x="10" y="{size - 34}" fill="#333">{esc(label)}</text></g>'
               f'<text x="{size - 16}" y="20" text-anchor="middle" font-weight="bold" fill="#333">N</text>'
               f'<path d="M{size - 16},24 l-5,12 h10 z" fill="#333"/>')
    legend = [("claimed area", CLAIM_COLOUR), ("evidence", STRONG_COLOUR), ("estimate", ESTIMATE_COLOUR)]
    if lines:
        legend.append(("GPS track", lines[0].colour))
    lx = 4
    for name, colour in legend:
        out.append(f'<rect x="{lx}" y="{size + 8}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14}" y="{size + 17}" fill="#333">{name}</text>')
        lx += 96
    out.append(f'<text x="{size - 2}" y="{size + 17}" text-anchor="end" fill="#888">no tiles: offline drawing</text>')
    out.append("</svg>")
    if note:
        out.append(f'<p class="prv-note" style="color:#666;font-size:.85em;margin:.2em 0">{esc(note)}</p>')
    return "".join(out)


def fmt_span(earliest: datetime | None, latest: datetime | None) -> str:
    """Human text for a UTC interval with possibly open sides."""
    def f(t: datetime) -> str:
        return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if earliest is None:
        return "unbounded" if latest is None else f"no later than {f(latest)}"
    if latest is None:
        return f"no earlier than {f(earliest)}"
    if latest - earliest < timedelta(seconds=1):
        return f(earliest)
    return f"{f(earliest)} \u2013 {f(latest)}"
