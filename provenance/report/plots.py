"""Matplotlib figures of the evidence (extra ``plot``: ``pip install 'video-provenance[plot]'``).

Every function draws on the ``ax`` it is given (or on a new figure's axes) and returns
that ``Axes``, so figures compose: ``fig, (a, b) = plt.subplots(2); plot_timeline(r, ax=a)``.
The library never calls ``plt.show()``; choosing a backend is the caller's business.

Functions
---------
plot_timeline
    Time constraints of the evidence, the fused estimate and the claim.
plot_sun_day
    Sun elevation and azimuth over one UTC day at a place, with a shadow observation's band
    and the windows in which the sun fits it.
plot_shadow_region
    The map of places where a shadow observation fits at a given time.
plot_match_alignment
    Query time against reference time for known-footage matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, MissingExtraError
from .svg import CLAIM_COLOUR, ESTIMATE_COLOUR, EXCLUDES_COLOUR, STRONG_COLOUR, WEAK_COLOUR

__all__ = ["plot_match_alignment", "plot_shadow_region", "plot_sun_day", "plot_timeline"]

UTC = timezone.utc


def _mpl() -> Any:
    """Import matplotlib.pyplot, or raise MissingExtraError naming the extra."""
    try:
        import matplotlib.dates  # noqa: F401
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise MissingExtraError(
            "plotting needs matplotlib, which is not installed; install the 'plot' extra: "
            "pip install 'video-provenance[plot]'") from exc
    return plt


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    plt = _mpl()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _clip(text: str, n: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _num(t: datetime) -> float:
    import matplotlib.dates as mdates

    return float(mdates.date2num(t.astimezone(UTC)))


def plot_timeline(report_or_evidence: Any, *, claim: Any = None, when: Any = None, ax: Any = None,
                  max_rows: int = 30) -> Any:
    """Timeline of the time constraints, with the fused estimate and the claim.

    Parameters
    ----------
    report_or_evidence : Report or sequence of Evidence
        A report (its evidence, estimate and claim are used) or evidence items.
    claim : Claim, optional
        Claim to mark (default: the report's).
    when : When, optional
        Fused estimate to draw as the top bar (default: the report's).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    max_rows : int
        Most reliable items drawn [rows].

    Returns
    -------
    matplotlib.axes.Axes
        The x axis is UTC time.
    """
    plt = _mpl()
    import matplotlib.dates as mdates

    evidence, claim, when = _unpack(report_or_evidence, claim, when)
    items = sorted((e for e in evidence if e.constrains_time), key=lambda e: -e.reliability)[:max_rows]
    rows: list[tuple[str, Any, Any, Any, str]] = []
    if when is not None and when.known:
        rows.append(("estimate (fused)", when.earliest, when.latest, when.best, ESTIMATE_COLOUR))
    for e in items:
        excl = claim is not None and claim.has_time and (
            (e.latest is not None and e.latest < claim.earliest)
            or (e.earliest is not None and e.earliest > claim.latest))
        colour = EXCLUDES_COLOUR if excl else (STRONG_COLOUR if e.reliability >= 0.8 else WEAK_COLOUR)
        rows.append((f"{_clip(e.kind, 28)} ({e.reliability:.2f})", e.earliest, e.latest, e.best, colour))
    ax = _axes(ax, (9, 0.45 * max(len(rows), 2) + 1.2))
    times = [t for _, a, b, c, _ in rows for t in (a, b, c) if t is not None]
    if claim is not None and claim.has_time:
        times += [claim.earliest, claim.latest]
    if not times:
        ax.text(0.5, 0.5, "no evidence constrains the filming time", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    lo, hi = min(times), max(times)
    span = max(hi - lo, timedelta(hours=12))
    left, right = lo - span * 0.08, hi + span * 0.08
    for i, (_label, a, b, best, colour) in enumerate(rows):
        y = len(rows) - 1 - i
        x0, x1 = a or left, b or right
        ax.barh(y, _num(x1) - _num(x0), left=_num(x0), height=0.35, color=colour, alpha=0.85)
        if a is None:
            ax.plot(_num(left), y, marker="<", color=colour)
        if b is None:
            ax.plot(_num(right), y, marker=">", color=colour)
        if best is not None:
            ax.plot(_num(best), y, marker="D", color="black", markersize=5)
    if claim is not None and claim.has_time:
        ax.axvspan(_num(claim.earliest), _num(claim.latest), color=CLAIM_COLOUR, alpha=0.3, label="claim")
        ax.axvline(_num(claim.earliest + (claim.latest - claim.earliest) / 2), color=CLAIM_COLOUR, lw=1, ls="--")
        ax.legend(loc="upper left", fontsize="small")
    ax.set_yticks(range(len(rows)))
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.set_yticklabels([r[0] for r in reversed(rows)], fontsize="small")
    ax.set_xlim(_num(left), _num(right))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_xlabel("filming time [UTC]")
    ax.set_title("Time constraints")
    ax.grid(axis="x", alpha=0.3)
    plt.setp(ax.get_xticklabels(), fontsize="small")
    return ax


def plot_sun_day(obs: Any, lat: float, lon: float, day: date | datetime, *, ax: Any = None,
                 step_min: float = 5.0, windows: bool = True) -> Any:
    """Sun elevation and azimuth over one UTC day, with the observation's bands.

    Parameters
    ----------
    obs : ShadowObservation or None
        Its elevation interval is shaded; with a shadow bearing, its azimuth band too. With
        ``windows=True`` the times the sun fits (:func:`~provenance.scoring.shadow.times_fitting`)
        are shaded vertically.
    lat, lon : float
        Place [deg].
    day : date or datetime
        The UTC day (00:00 to 24:00 UTC) to draw; an aware datetime picks its UTC day.
    ax : matplotlib.axes.Axes, optional
        Axes for elevation; azimuth goes on a twin axis (``ax.right_ax``).
    step_min : float
        Sampling step [min].

    Returns
    -------
    matplotlib.axes.Axes
        The elevation axes; the twin azimuth axes is attached as ``ax.right_ax``.
    """
    _mpl()
    import matplotlib.dates as mdates

    from ..scoring.sun import solar_position_arrays

    if isinstance(day, datetime):
        if day.tzinfo is None or day.utcoffset() is None:
            raise InvalidArgumentError(f"'day' must be a date or an aware datetime (got naive {day.isoformat()})")
        day = day.astimezone(UTC).date()
    if not isinstance(day, date):
        raise InvalidArgumentError(f"'day' must be a date (got {type(day).__name__})")
    if not (isinstance(step_min, (int, float)) and 0 < step_min <= 120):
        raise InvalidArgumentError(f"'step_min' must be in (0, 120] minutes (got {step_min!r})")
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    n = int(round(1440 / step_min)) + 1
    unix = start.timestamp() + np.arange(n) * step_min * 60.0
    el, az = solar_position_arrays(unix, float(lat), float(lon))
    el, az = np.asarray(el, float), np.asarray(az, float)
    x = np.array([_num(start + timedelta(seconds=float(u - unix[0]))) for u in unix])
    ax = _axes(ax, (9, 4))
    ax.plot(x, el, color="#d08000", label="sun elevation")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("elevation [deg]")
    ax.set_ylim(min(-10.0, float(el.min()) - 2), 90)
    az_plot = az.copy()
    az_plot[1:][np.abs(np.diff(az)) > 180] = np.nan  # no line across the 360 -> 0 wrap
    right = ax.twinx()
    right.plot(x, az_plot, color="#4060b0", lw=1, alpha=0.8, label="sun azimuth")
    right.set_ylim(0, 360)
    right.set_ylabel("azimuth [deg from N]")
    if obs is not None:
        lo, hi = obs.elevation_interval_deg
        ax.axhspan(lo, hi, color="#d08000", alpha=0.2, label=f"shadow: elevation {lo:.1f}\u2013{hi:.1f}\u00b0")
        a = obs.sun_azimuth_deg
        if a is not None:
            h = float(obs.bearing_uncertainty_deg)
            for k, (a0, a1) in enumerate(_az_spans(a - h, a + h)):
                right.axhspan(a0, a1, color="#4060b0", alpha=0.12,
                              label=f"shadow: azimuth {a % 360:.0f}\u00b1{h:g}\u00b0" if k == 0 else None)
        if windows:
            from ..scoring.shadow import times_fitting

            fitted = False

            for w in times_fitting(obs, float(lat), float(lon), start=start, end=start + timedelta(days=1)):
                ax.axvspan(_num(w.start), _num(w.end), color="#2a8a2a", alpha=0.25,
                           label="times that fit" if not fitted else None)
                fitted = True
                ax.axvline(_num(w.best), color="#2a8a2a", lw=1)
    ax.set_xlim(x[0], x[-1])
    ax.xaxis.set_major_locator(mdates.HourLocator(byhour=range(0, 24, 3)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.set_xlabel(f"{day.isoformat()} [UTC]")
    ax.set_title(f"Sun at {float(lat):.4f}, {float(lon):.4f}")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize="small")
    ax.right_ax = right
    return ax


def _az_spans(a0: float, a1: float) -> list[tuple[float, float]]:
    a0, a1 = a0 % 360.0, a1 % 360.0
    return [(a0, a1)] if a0 <= a1 else [(a0, 360.0), (0.0, a1)]


def plot_shadow_region(region: Any, *, ax: Any = None, claim: Any = None,
                       places: Sequence[tuple[str, float, float]] = ()) -> Any:
    """Map of the places where a shadow observation fits (a :class:`ShadowRegion`).

    Parameters
    ----------
    region : ShadowRegion
        From :func:`provenance.scoring.shadow.region_fitting`.
    ax : matplotlib.axes.Axes, optional
    claim : Claim, optional
        Marks the claimed place and radius.
    places : sequence of (label, lat, lon)
        Extra points to mark [deg].

    Returns
    -------
    matplotlib.axes.Axes
        x is longitude, y latitude [deg]; the aspect is corrected for latitude.
    """
    _mpl()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Ellipse

    for name in ("lats", "lons", "mask"):
        if not hasattr(region, name):
            raise InvalidArgumentError(
                f"'region' must be a ShadowRegion from region_fitting (got {type(region).__name__})")
    lats, lons, mask = np.asarray(region.lats), np.asarray(region.lons), np.asarray(region.mask, bool)
    ax = _axes(ax, (7, 6))
    if lats.size and lons.size:
        half = float(region.step_deg) / 2
        ax.imshow(mask.astype(float), origin="lower",
                  extent=(lons[0] - half, lons[-1] + half, lats[0] - half, lats[-1] + half),
                  cmap=ListedColormap(["#f4f4f4", "#e0a030"]), vmin=0, vmax=1, interpolation="nearest", aspect="auto")
        mid = float(np.mean(lats))
        ax.set_aspect(1.0 / max(np.cos(np.radians(mid)), 0.05))
    if claim is not None and getattr(claim, "has_place", False):
        dlat = claim.radius_km / 110.574
        dlon = claim.radius_km / (111.320 * max(np.cos(np.radians(claim.lat)), 0.05))
        ax.add_patch(Ellipse((claim.lon, claim.lat), 2 * dlon, 2 * dlat, fill=False, ec=CLAIM_COLOUR, lw=2, ls="--",
                             label="claimed area"))
        ax.plot(claim.lon, claim.lat, "o", color=CLAIM_COLOUR)
    for label, la, lo in places:
        ax.plot(lo, la, "k^", markersize=5)
        ax.annotate(_clip(label, 30), (lo, la), xytext=(4, 4), textcoords="offset points", fontsize="small")
    when = getattr(region, "when", None)
    u = float(getattr(region, "when_uncertainty_s", 0) or 0)
    title = "Where the shadow fits"
    if when is not None:
        title += f" at {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC" + (f" \u00b1{u / 60:.0f} min" if u else "")
    ax.set_title(title)
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    if claim is not None:
        ax.legend(loc="lower left", fontsize="small")
    return ax


def plot_match_alignment(matches: Any, *, ax: Any = None, max_matches: int = 10) -> Any:
    """Query time against reference time for known-footage matches.

    A match re-using footage at normal speed is a line of slope 1 (``speed``); a trim
    shifts it, a speed-up steepens it. Each match is drawn from
    ``(query_start_s, ref_start_s)`` to ``(query_end_s, ref_end_s)``.

    Parameters
    ----------
    matches : Report, Match or sequence of Match
    ax : matplotlib.axes.Axes, optional
    max_matches : int
        Best matches drawn.

    Returns
    -------
    matplotlib.axes.Axes
        x: time in the analysed video [s]; y: time in the known footage [s].
    """
    _mpl()
    if hasattr(matches, "matches") and hasattr(matches, "verdict"):
        matches = matches.matches
    elif hasattr(matches, "footage_id"):
        matches = [matches]
    matches = list(matches)[:max_matches]
    ax = _axes(ax, (6, 5))
    if not matches:
        ax.text(0.5, 0.5, "no known-footage match", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    cmap = [STRONG_COLOUR, "#b3261e", "#1b7f3b", "#e07b00", "#6a3d9a", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
            "#bcbd22"]
    for i, m in enumerate(matches):
        q0, q1, r0, r1 = (float(getattr(m, k)) for k in ("query_start_s", "query_end_s", "ref_start_s", "ref_end_s"))
        variant = getattr(m, "variant", "original")
        shown_variant = f", {variant}" if variant not in (None, "", "original") else ""
        label = f"{_clip(m.footage_id, 30)} ({float(m.score):.2f}{shown_variant})"
        ax.plot([q0, q1], [r0, r1], "-o", color=cmap[i % len(cmap)], lw=2.5, label=label)
    ax.set_xlabel("time in this video [s]")
    ax.set_ylabel("time in the known footage [s]")
    ax.set_title("Match alignment")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


def _unpack(obj: Any, claim: Any, when: Any) -> tuple[list[Any], Any, Any]:
    if hasattr(obj, "evidence") and hasattr(obj, "verdict"):
        return list(obj.evidence), claim if claim is not None else obj.claim, when if when is not None else obj.when
    try:
        items = list(obj)
    except TypeError as exc:
        raise InvalidArgumentError(f"expected a Report or a sequence of Evidence (got {type(obj).__name__})") from exc
    return items, claim, when
