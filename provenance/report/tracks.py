"""GPS tracks of a file as GPX 1.1 and KML 2.2 text, for map tools (``provenance metadata --gpx/--kml``).

The points are the file's telemetry track (GoPro GPMF, DJI SRT, ...) in media order, or its single
location fix when it has no track. Every string is XML-escaped; sample times are written only
when they are aware instants (GPX times are UTC by definition), never guessed for the naive local
times some telemetry gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .._version import __version__
from ..metadata.model import Metadata

__all__ = ["TrackSample", "track_gpx", "track_kml", "track_samples"]


@dataclass(frozen=True)
class TrackSample:
    """One point of a track as drawn or exported.

    Attributes
    ----------
    lat, lon : float
        [deg, WGS84].
    alt_m : float or None
        [m].
    time : datetime or None
        Aware UTC instant of the sample, None when unknown or naive.
    media_time_s : float or None
        Position in the media [s].
    """

    lat: float
    lon: float
    alt_m: float | None = None
    time: datetime | None = None
    media_time_s: float | None = None


def _finite(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def track_samples(md: Metadata) -> list[TrackSample]:
    """The points of ``md``'s track (or its single fix), dropping samples with impossible coordinates."""
    out: list[TrackSample] = []
    if md.track:
        for p in md.track:
            if not (_finite(p.lat) and _finite(p.lon) and -90 <= p.lat <= 90 and -180 <= p.lon <= 180):
                continue
            t = p.time if isinstance(p.time, datetime) and p.time.tzinfo is not None else None
            out.append(TrackSample(float(p.lat), float(p.lon), p.alt_m if _finite(p.alt_m) else None,
                                   None if t is None else t.astimezone(timezone.utc),
                                   p.media_time_s if _finite(p.media_time_s) else None))
    elif md.location is not None and _finite(md.location.lat) and _finite(md.location.lon):
        loc = md.location
        out.append(TrackSample(float(loc.lat), float(loc.lon), loc.alt_m if _finite(loc.alt_m) else None))
    return out


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def _name(md: Metadata) -> str:
    return Path(md.path).name


def track_gpx(md: Metadata, samples: Sequence[TrackSample] | None = None) -> str:
    """GPX 1.1 text of the file's track (one ``trk`` with one ``trkseg``) or of its single fix (a ``wpt``).

    Parameters
    ----------
    md : Metadata
        The file's metadata (:func:`provenance.extract_metadata`).
    samples : sequence of TrackSample, optional
        Points to write instead of :func:`track_samples` of ``md``.

    Returns
    -------
    str
        The GPX document; a document without points when the file has neither track nor fix.
    """
    pts = list(track_samples(md) if samples is None else samples)
    name = escape(_name(md))
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<gpx version="1.1" creator={quoteattr("provenance " + __version__)} '
            'xmlns="http://www.topografix.com/GPX/1/1">\n'
            f"  <metadata><name>{name}</name><desc>GPS samples read from the file's metadata</desc></metadata>\n")

    def point(tag: str, s: TrackSample, indent: str) -> str:
        inner = ""
        if s.alt_m is not None:
            inner += f"<ele>{s.alt_m:.2f}</ele>"
        if s.time is not None:
            inner += f"<time>{_iso(s.time)}</time>"
        if s.media_time_s is not None:
            inner += f"<desc>media time {s.media_time_s:.3f} s</desc>"
        return f'{indent}<{tag} lat="{s.lat:.7f}" lon="{s.lon:.7f}">{inner}</{tag}>\n'

    if not md.track and len(pts) == 1:
        return head + point("wpt", pts[0], "  ").replace("</wpt>", f"<name>{name}</name></wpt>") + "</gpx>\n"
    body = (f"  <trk><name>{name}</name><trkseg>\n" + "".join(point("trkpt", s, "    ") for s in pts)
            + "  </trkseg></trk>\n")
    return head + body + "</gpx>\n"


def track_kml(md: Metadata, samples: Sequence[TrackSample] | None = None) -> str:
    """KML 2.2 text of the file's track (a ``LineString`` placemark plus start and end points) or single fix.

    Parameters
    ----------
    md : Metadata
        The file's metadata.
    samples : sequence of TrackSample, optional
        Points to write instead of :func:`track_samples` of ``md``.

    Returns
    -------
    str
        The KML document.
    """
    pts = list(track_samples(md) if samples is None else samples)
    name = escape(_name(md))

    def coord(s: TrackSample) -> str:
        return f"{s.lon:.7f},{s.lat:.7f}" + (f",{s.alt_m:.2f}" if s.alt_m is not None else "")

    def placemark(label: str, s: TrackSample) -> str:
        when = f"<TimeStamp><when>{_iso(s.time)}</when></TimeStamp>" if s.time is not None else ""
        return (f"    <Placemark><name>{escape(label)}</name>{when}"
                f"<Point><coordinates>{coord(s)}</coordinates></Point></Placemark>\n")

    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n',
             f"  <Document><name>{name}</name>\n"]
    if len(pts) >= 2:
        parts.append(f"    <Placemark><name>{name} track ({len(pts)} samples)</name><LineString><tessellate>1"
                     "</tessellate>"
                     f"<coordinates>{' '.join(coord(s) for s in pts)}</coordinates></LineString></Placemark>\n")
        parts.append(placemark("start", pts[0]))
        parts.append(placemark("end", pts[-1]))
    elif pts:
        parts.append(placemark(_name(md), pts[0]))
    parts.append("  </Document>\n</kml>\n")
    return "".join(parts)
