"""Turning metadata and known-footage matches into :class:`Evidence` (pure functions)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from ..metadata.model import Location, Metadata, TimeTag, TrackPoint
from .evidence import Evidence
from .places import haversine_km
from .timezones import local_to_utc_interval, zone_at

__all__ = ["evidence_from_matches", "evidence_from_metadata"]

#: Reliability of a device clock reading that states its zone. Phone clocks are network-set,
#: but any tag can be edited and some cameras are never set: alone it never reaches STRONG.
CLOCK_RELIABILITY = 0.6
#: Clock slack around a device time [s].
CLOCK_SLACK = timedelta(minutes=5)
#: GPS time comes from the satellites, not the user: hard to get wrong by accident.
GPS_TIME_RELIABILITY = 0.85
GPS_SLACK = timedelta(seconds=30)
#: A device's GPS fix: reliable unless deliberately forged.
GPS_PLACE_RELIABILITY = 0.85
#: A curated index's first-publication date bounds the filming time.
PUBLICATION_RELIABILITY = 0.95
#: Match score from which a match is treated as the same footage beyond doubt.
STRONG_MATCH = 0.6


def _fmt(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _time_item(tag: TimeTag, duration_s: float | None, zone, zone_note: str) -> Evidence | None:
    dur = timedelta(seconds=duration_s or 0.0)
    desc = f"The {tag.source} tag reads {tag.raw!r}"
    if tag.meaning == "gps_fix":
        if not tag.tz_known:
            return None
        t = tag.value
        return Evidence("gps_time", f"{desc}: a GPS fix at {_fmt(t)}.", tag.source, "point",
                        GPS_TIME_RELIABILITY, "GPS time is set by the satellites, not the user.", "gps",
                        t - GPS_SLACK - dur, t + GPS_SLACK, t, raw=tag.raw)
    if tag.tz_known:
        lo = hi = tag.value
        zone_text = "with its time zone"
    else:
        lo, hi = local_to_utc_interval(tag.value, zone)
        zone_text = zone_note if zone is not None else "with no time zone (any offset from UTC-12 to UTC+14)"
        if tag.tz_state == "ambiguous":
            u = tag.value.replace(tzinfo=timezone.utc)
            lo, hi = min(lo, u), max(hi, u)
            zone_text = "as either UTC or local time (the device's convention is unknown)"
    if tag.meaning in ("recording_start",):
        shape, earliest, latest = "interval", lo - CLOCK_SLACK, hi + CLOCK_SLACK
        what = "the recording started"
    elif tag.meaning == "recording_end":
        shape, earliest, latest = "interval", lo - dur - CLOCK_SLACK, hi - dur + CLOCK_SLACK
        what = "the recording ended"
    elif tag.meaning in ("file_written", "modified", "export", "mux", "digitized"):
        shape, earliest, latest = "upper_bound", None, hi + CLOCK_SLACK
        what = "the file was written"
    else:
        shape, earliest, latest = "interval", lo - CLOCK_SLACK - dur, hi + CLOCK_SLACK
        what = "the file was made"
    best = None
    if lo == hi and shape == "interval":
        best = lo - dur if tag.meaning == "recording_end" else lo
    reliability = CLOCK_RELIABILITY if tag.tz_known else CLOCK_RELIABILITY * 0.9
    span = _fmt(lo) if lo == hi else f"{_fmt(lo)} .. {_fmt(hi)}"
    summary = f"{desc}, read {zone_text}: {what} at {span}."
    if tag.note:
        summary += f" ({tag.note})"
    return Evidence("metadata_time", summary, tag.source, shape, reliability,
                    "A device clock reading; clocks can be wrong or edited, so it is not enough on its own.",
                    "device_clock", earliest, latest, best, raw=tag.raw)


def _place_item(loc: Location, kind: str = "gps_fix") -> Evidence:
    acc_km = max((loc.accuracy_m or 50.0) / 1000.0, 0.011)
    return Evidence(kind, f"The {loc.source} tag records the position {loc.lat:.5f}, {loc.lon:.5f}"
                    + (f" (accuracy {loc.accuracy_m:g} m)" if loc.accuracy_m else "") + ".",
                    loc.source, "region", GPS_PLACE_RELIABILITY,
                    "A GPS position written by the recording device; forging it takes deliberate editing.",
                    "gps", lat=loc.lat, lon=loc.lon, radius_km=acc_km, raw=loc.raw)


def _track_item(track: tuple[TrackPoint, ...], source: str) -> Evidence:
    lat = sum(p.lat for p in track) / len(track)
    lon = sum(p.lon for p in track) / len(track)
    radius = max(haversine_km(lat, lon, p.lat, p.lon) for p in track) + 0.02
    return Evidence("telemetry", f"A telemetry track of {len(track)} GPS samples stays within {radius:.2f} km of "
                    f"{lat:.5f}, {lon:.5f}.", source, "region", GPS_PLACE_RELIABILITY,
                    "Per-sample GPS telemetry recorded with the video.", "gps", lat=lat, lon=lon, radius_km=radius)


def evidence_from_metadata(md: Metadata) -> list[Evidence]:
    """Evidence items implied by a file's normalised metadata.

    Device clock times become intervals around the recording start (zone-less readings
    span every real offset, or the zone at the file's own GPS position when it has one);
    write/export times become upper bounds; GPS times become tight points; positions and
    tracks become place regions.
    """
    out: list[Evidence] = []
    loc = md.location
    if loc is None and md.track:
        loc = Location(md.track[0].lat, md.track[0].lon, "track", "")
    zone = zone_at(loc.lat, loc.lon) if loc is not None else None
    note = f"in the time zone at the file's own GPS position ({zone.key})" if zone is not None else ""
    for tag in md.times:
        item = _time_item(tag, md.duration_s, zone, note)
        if item is not None:
            out.append(item)
    timed = [p for p in md.track if p.time is not None and p.time.tzinfo is not None]
    if timed:
        t0, t1 = timed[0].time, timed[-1].time
        out.append(Evidence("gps_time", f"The telemetry track's GPS clock runs from {_fmt(t0)} to {_fmt(t1)}.",
                            "telemetry:GPS time", "point", GPS_TIME_RELIABILITY,
                            "GPS time is set by the satellites, not the user.", "gps",
                            t0 - GPS_SLACK, t0 + GPS_SLACK, t0))
    if md.location is not None:
        out.append(_place_item(md.location))
    elif md.track:
        out.append(_track_item(md.track, "telemetry:GPS track"))
    return out


def _record_get(record: Any, name: str) -> Any:
    return getattr(record, name, None)


def evidence_from_matches(matches: Iterable[Any], records: dict[str, Any]) -> list[Evidence]:
    """Evidence from known-footage matches.

    Every match above the decision threshold bounds the filming time by the known clip's
    first publication ("filmed no later than ..."). A strong match also carries the known
    clip's own filming time and place when the index records them.
    """
    out: list[Evidence] = []
    for m in matches:
        rec = records.get(m.footage_id)
        if rec is None:
            continue
        strong = m.score >= STRONG_MATCH
        segment = (f"seconds {m.query_start_s:.1f}-{m.query_end_s:.1f} of this video match seconds "
                   f"{m.ref_start_s:.1f}-{m.ref_end_s:.1f} of known footage {m.footage_id!r}"
                   + (f" ({rec.title})" if _record_get(rec, "title") else "")
                   + f" (match score {m.score:.2f}" + (f", {m.variant}" if getattr(m, "variant", "original") not in (None, "", "original") else "")
                   + ")")
        rel = PUBLICATION_RELIABILITY if strong else 0.7
        why = ("A strong perceptual match to footage whose first publication is recorded in the index."
               if strong else "A weaker perceptual match; the footage may only be similar.")
        published = _record_get(rec, "published_at")
        group = f"known:{m.footage_id}"
        if published is not None:
            src = f"index:{m.footage_id}/published_at"
            where_seen = f" at {rec.source_url}" if _record_get(rec, "source_url") else ""
            out.append(Evidence("known_footage_published",
                                f"{segment[0].upper()}{segment[1:]}, which was first published on {_fmt(published)}{where_seen}, "
                                "so it was filmed no later than that.",
                                src, "upper_bound", rel, why, group, None, published, raw=published.isoformat()))
        if not strong:
            continue
        f0, f1 = _record_get(rec, "filmed_at_start"), _record_get(rec, "filmed_at_end")
        if f0 is not None or f1 is not None:
            lo, hi = f0 or f1, f1 or f0
            out.append(Evidence("known_footage_filmed",
                                f"The index records that known footage {m.footage_id!r} was filmed between {_fmt(lo)} and {_fmt(hi)}.",
                                f"index:{m.footage_id}/filmed_at", "interval", 0.9 * rel,
                                "The index's record of the known clip's filming time, carried over by a strong match.",
                                group + "/filmed", lo, hi, lo + (hi - lo) / 2))
        lat, lon = _record_get(rec, "lat"), _record_get(rec, "lon")
        if lat is not None and lon is not None:
            r = _record_get(rec, "radius_km") or 1.0
            out.append(Evidence("known_footage_place",
                                f"The index records that known footage {m.footage_id!r} was filmed within {r:g} km of {lat:.4f}, {lon:.4f}.",
                                f"index:{m.footage_id}/location", "region", 0.9 * rel,
                                "The index's record of the known clip's filming place, carried over by a strong match.",
                                group + "/place", lat=lat, lon=lon, radius_km=r))
    return out
