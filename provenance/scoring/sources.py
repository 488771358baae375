"""Turning metadata and known-footage matches into :class:`Evidence` (pure functions).

Time reasoning, in order:

1. Unset and default dates (1904/1970/2000 epochs, 1 January 00:xx) are dropped and the
   drop is noted (:func:`~provenance.scoring.checks.check_unset_dates`).
2. Each tag is read by what it means: a recording start is a point, an end time is moved
   back by the duration (Android's ``mvhd``), a write/export/mux time is only an upper
   bound, a bare date is a whole local day.
3. Zones: a tag with an offset is exact; a zone-less reading is local time in the zone at
   the file's own GPS position when it has one, or at whatever offset the GPS clock implies
   (:func:`~provenance.scoring.checks.check_gps_vs_clock`), else any offset UTC-12..UTC+14.
   A "UTC" tag that the GPS clock shows to be local time (GoPro) is re-read in that offset.
4. The consistency checks then lower the reliability of readings they catch out (a clock a
   day behind GPS, an offset that is not the zone at the GPS point, ...), and each changed
   item says why in ``notes``.

Reliabilities are module constants so they can be read, cited and tuned in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from ..metadata.model import Location, Metadata, TimeTag, TrackPoint
from .checks import Finding, apply_findings, is_date_only, metadata_checks, unset_reason
from .evidence import Evidence
from .places import haversine_km
from .timezones import format_offset, local_date_to_utc, local_to_utc_interval, zone_at

__all__ = [
    "CLOCK_RELIABILITY",
    "GPS_FIX_TIME_RELIABILITY",
    "GPS_PLACE_RELIABILITY",
    "GPS_TIME_RELIABILITY",
    "PUBLICATION_RELIABILITY",
    "STRONG_MATCH",
    "evidence_from_matches",
    "evidence_from_metadata",
    "metadata_findings",
]

#: Reliability of a device clock reading that states its zone. Phone clocks are network-set,
#: but any tag can be edited and some cameras are never set: alone it never reaches STRONG.
CLOCK_RELIABILITY = 0.6
#: Factor for a wall-clock reading whose zone had to be inferred or left open.
LOCAL_FACTOR = 0.9
#: Clock slack around a device time [s].
CLOCK_SLACK = timedelta(minutes=5)
#: GPS time in a telemetry track comes from the satellites, sample by sample.
GPS_TIME_RELIABILITY = 0.85
GPS_SLACK = timedelta(seconds=30)
#: A single stored GPS fix time (EXIF GPSTimeStamp): from the satellites, but the fix can be
#: older than the capture (phones reuse the last fix), so it bounds the capture from below
#: tightly and from above only loosely.
GPS_FIX_TIME_RELIABILITY = 0.75
GPS_FIX_STALE = timedelta(days=1)
#: A device's GPS fix: reliable unless deliberately forged.
GPS_PLACE_RELIABILITY = 0.85
#: A curated index's first-publication date bounds the filming time.
PUBLICATION_RELIABILITY = 0.95
#: A weaker match (same footage not beyond doubt).
WEAK_MATCH_RELIABILITY = 0.7
#: Match score from which a match is treated as the same footage beyond doubt.
STRONG_MATCH = 0.6
#: A match covering less than this share of the video bounds only the matched part.
MIN_COVERAGE = 0.5
#: A C2PA capture time/place whose signature validated.
C2PA_RELIABILITY = 0.8


def _fmt(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(lo: datetime, hi: datetime) -> str:
    return _fmt(lo) if lo == hi else f"{_fmt(lo)} .. {_fmt(hi)}"


def _gps_fix_item(tag: TimeTag, dur: timedelta) -> Evidence | None:
    if not tag.tz_known:
        return None
    desc = f"The {tag.source} tag reads {tag.raw!r}"
    if is_date_only(tag.raw):
        day = tag.value.astimezone(timezone.utc).date()
        lo = datetime.combine(day, time(0), tzinfo=timezone.utc)
        return Evidence("gps_time", f"{desc}: the GPS date of the last position fix, {day.isoformat()} (UTC). "
                        "A capture cannot precede its fix, so the filming was no earlier than that day.",
                        tag.source, "lower_bound", GPS_FIX_TIME_RELIABILITY,
                        "A GPS date without a time; the fix can be days older than the capture.", "gps",
                        lo - GPS_SLACK - dur, None, raw=tag.raw)
    t = tag.value.astimezone(timezone.utc)
    return Evidence("gps_time", f"{desc}: a GPS fix at {_fmt(t)}. The capture came at or shortly after its fix.",
                    tag.source, "interval", GPS_FIX_TIME_RELIABILITY,
                    "GPS time is set by the satellites, not the user; a stored fix can be older than the capture, "
                    "so it bounds the filming tightly from below only.", "gps",
                    t - GPS_SLACK - dur, t + GPS_FIX_STALE, t, raw=tag.raw)


def _time_item(tag: TimeTag, duration_s: float | None, zone, zone_note: str,
               offset_s: int | None = None, as_end: bool = False) -> Evidence | None:
    """Evidence for one clock tag; ``offset_s`` re-reads it as local time at that offset."""
    dur = timedelta(seconds=duration_s or 0.0)
    desc = f"The {tag.source} tag reads {tag.raw!r}"
    if tag.meaning == "gps_fix":
        return _gps_fix_item(tag, dur)
    meaning = "recording_end" if as_end and tag.meaning == "unknown" else tag.meaning
    reliability = CLOCK_RELIABILITY
    if offset_s is not None:
        naive = (tag.value.astimezone(timezone.utc).replace(tzinfo=None) if tag.tz_known
                 else tag.value.replace(tzinfo=None))
        lo = hi = (naive - timedelta(seconds=offset_s)).replace(tzinfo=timezone.utc)
        zone_text = f"as local time at {format_offset(offset_s)} (the offset the GPS clock implies)"
        reliability *= LOCAL_FACTOR
    elif is_date_only(tag.raw):
        day = tag.value.date()
        lo, hi = local_date_to_utc(day, None if tag.tz_state == "utc" else zone)
        hi -= timedelta(seconds=1)
        zone_text = ("as a calendar date " + (f"in {zone.key}" if zone is not None and tag.tz_state != "utc"
                                               else "in any time zone"))
        reliability *= LOCAL_FACTOR
        meaning = "recording_start" if meaning in ("recording_start", "unknown", "recording_end") else meaning
    elif tag.tz_known:
        lo = hi = tag.value.astimezone(timezone.utc)
        zone_text = "with its time zone"
    else:
        lo, hi = local_to_utc_interval(tag.value, zone)
        zone_text = zone_note if zone is not None else "with no time zone (any offset from UTC-12 to UTC+14)"
        if tag.tz_state == "ambiguous":
            u = tag.value.replace(tzinfo=timezone.utc)
            lo, hi = min(lo, u), max(hi, u)
            zone_text = "as either UTC or local time (the device's convention is unknown)"
        reliability *= LOCAL_FACTOR
    if meaning == "recording_start":
        shape, earliest, latest = "interval", lo - CLOCK_SLACK, hi + CLOCK_SLACK
        what = "the recording started"
    elif meaning == "recording_end":
        shape, earliest, latest = "interval", lo - dur - CLOCK_SLACK, hi - dur + CLOCK_SLACK
        what = f"the recording ended (so it started {dur.total_seconds():.1f} s earlier)"
    elif meaning in ("file_written", "modified", "export", "mux", "digitized"):
        shape, earliest, latest = "upper_bound", None, hi + CLOCK_SLACK
        what = "the file was written, so the filming was no later than that"
    else:
        shape, earliest, latest = "interval", lo - CLOCK_SLACK - dur, hi + CLOCK_SLACK
        what = "the file was made (start or end of the recording)"
    best = None
    if lo == hi and shape == "interval":
        best = lo - dur if meaning == "recording_end" else lo
    summary = f"{desc}, read {zone_text}: {what} at {_span(lo, hi)}."
    if tag.note:
        summary += f" ({tag.note})"
    source = tag.source + (" (re-read as local time)" if offset_s is not None and tag.tz_known else "")
    return Evidence("metadata_time", summary, source, shape, reliability,
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


def _track_time_items(track: tuple[TrackPoint, ...], zone) -> list[Evidence]:
    out = []
    aware = [p for p in track if p.time is not None and p.time.tzinfo is not None]
    if aware:
        p0 = aware[0]
        t0 = p0.time.astimezone(timezone.utc) - timedelta(seconds=p0.media_time_s or 0.0)
        t1 = aware[-1].time.astimezone(timezone.utc)
        out.append(Evidence("gps_time", f"The telemetry track's GPS clock runs from {_fmt(aware[0].time)} to {_fmt(t1)}, "
                            f"so the recording started at {_fmt(t0)}.",
                            "telemetry:GPS time", "point", GPS_TIME_RELIABILITY,
                            "GPS time is set by the satellites, not the user.", "gps",
                            t0 - GPS_SLACK, t0 + GPS_SLACK, t0))
        return out
    naive = [p for p in track if p.time is not None and p.time.tzinfo is None]
    if naive:
        p0 = naive[0]
        start = p0.time - timedelta(seconds=p0.media_time_s or 0.0)
        lo, hi = local_to_utc_interval(start, zone)
        zone_text = (f"in the time zone at the track's own position ({zone.key})" if zone is not None
                     else "with no time zone (any offset from UTC-12 to UTC+14)")
        out.append(Evidence("metadata_time",
                            f"The telemetry track's time stamps start at {p0.time.isoformat(sep=' ')} without a time zone; "
                            f"read {zone_text}, the recording started at {_span(lo, hi)}.",
                            "telemetry:local time", "interval", CLOCK_RELIABILITY * LOCAL_FACTOR,
                            "Telemetry time stamps from the controller's or drone's own clock (not GPS time).",
                            "device_clock", lo - CLOCK_SLACK, hi + CLOCK_SLACK, lo if lo == hi else None))
    return out


def _c2pa_items(md: Metadata) -> list[Evidence]:
    c = md.c2pa
    if c is None or c.state in ("none_found", "unavailable"):
        return []
    valid = str(c.state).lower() in ("valid", "trusted")
    rel = C2PA_RELIABILITY if valid else 0.4
    why = ("A capture assertion in a C2PA manifest whose signature validated"
           + (f" (signed by {c.signer})" if c.signer else "") + "." if valid else
           f"A capture assertion in a C2PA manifest that did not validate ({c.state}).")
    out = []
    if c.capture_time is not None and c.capture_time.tzinfo is not None:
        t = c.capture_time.astimezone(timezone.utc)
        out.append(Evidence("c2pa_time", f"The C2PA manifest records a capture time of {_fmt(t)}.", "c2pa:capture_time",
                            "interval", rel, why, "c2pa", t - CLOCK_SLACK, t + CLOCK_SLACK, t))
    if c.capture_location is not None:
        lat, lon = c.capture_location
        out.append(Evidence("c2pa_place", f"The C2PA manifest records a capture position of {lat:.5f}, {lon:.5f}.",
                            "c2pa:capture_location", "region", rel, why, "c2pa", lat=lat, lon=lon, radius_km=0.1))
    return out


def metadata_findings(md: Metadata) -> list[Finding]:
    """The consistency-check findings for a file's metadata (for the report)."""
    return metadata_checks(md)


def evidence_from_metadata(md: Metadata, *, findings: Iterable[Finding] | None = None) -> list[Evidence]:
    """Evidence items implied by a file's normalised metadata.

    Device clock times become intervals around the recording start (zone-less readings
    take the offset the GPS clock implies, else the zone at the file's own GPS position,
    else every real offset); write/export times become upper bounds; GPS times become
    tight points (a stored EXIF fix: tight from below, loose above); positions and tracks
    become place regions. The consistency checks then lower the reliability of readings
    they catch out; each such item carries the finding in ``notes``.

    Parameters
    ----------
    md : Metadata
    findings : iterable of Finding, optional
        Precomputed :func:`metadata_findings`; computed here when omitted.
    """
    found = list(metadata_findings(md) if findings is None else findings)
    dropped = {s for f in found if f.check == "unset_date" for s in f.affects}
    offsets = {f.affects[0] if f.affects else f.sources[0]: f.offset_s for f in found
               if f.check == "gps_vs_clock" and f.offset_s is not None}
    ends = {f.sources[1] for f in found if f.code == "end_confirmed"}
    out: list[Evidence] = []
    loc = md.location
    if loc is None and md.track:
        loc = Location(md.track[0].lat, md.track[0].lon, "track", "")
    zone = zone_at(loc.lat, loc.lon) if loc is not None else None
    note = f"in the time zone at the file's own GPS position ({zone.key})" if zone is not None else ""
    for tag in md.times:
        if tag.source in dropped or unset_reason(tag.value):
            continue
        item = _time_item(tag, md.duration_s, zone, note, as_end=tag.source in ends)
        if item is not None:
            out.append(item)
        off = offsets.get(tag.source)
        if off is not None and tag.meaning != "gps_fix":
            if tag.tz_known:  # a "UTC" tag that is really local time: add the corrected reading
                out.append(_time_item(tag, md.duration_s, zone, note, offset_s=off, as_end=tag.source in ends))
            elif item is not None:  # a zone-less reading resolved by the GPS clock: replace it
                out[-1] = _time_item(tag, md.duration_s, zone, note, offset_s=off, as_end=tag.source in ends)
    out += _track_time_items(md.track, zone)
    if md.location is not None:
        out.append(_place_item(md.location))
    elif md.track:
        out.append(_track_item(md.track, "telemetry:GPS track"))
    out += _c2pa_items(md)
    return apply_findings(out, found)


# ---------------------------------------------------------------------------------------
# known footage
# ---------------------------------------------------------------------------------------
_ALIASES = {
    "published_at": ("published_at", "first_published", "first_published_at", "first_seen"),
    "filmed_at_start": ("filmed_at_start", "filmed_start", "filmed_at", "recorded_at"),
    "filmed_at_end": ("filmed_at_end", "filmed_end"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "longitude"),
    "radius_km": ("radius_km", "place_radius_km", "location_radius_km"),
    "title": ("title", "name"),
    "source_url": ("source_url", "url"),
}


def _record_get(record: Any, name: str) -> Any:
    """A record field by name or alias; records may be objects or dicts (store rows)."""
    for key in _ALIASES.get(name, (name,)):
        v = record.get(key) if isinstance(record, dict) else getattr(record, key, None)
        if v is not None:
            if name == "published_at":
                return _as_utc(v, late=True)
            if name in ("filmed_at_start", "filmed_at_end"):
                return _as_utc(v, late=name == "filmed_at_end")
            return v
    if name in ("lat", "lon"):
        loc = record.get("location") if isinstance(record, dict) else getattr(record, "location", None)
        if isinstance(loc, (tuple, list)) and len(loc) >= 2:
            return loc[0] if name == "lat" else loc[1]
    return None


def _as_utc(v: Any, *, late: bool = False) -> datetime | None:
    """Record times as aware UTC: ISO text, a date or an aware datetime.

    A bare date is a day in an unknown zone: its earliest instant (``late=False``) is
    00:00 at UTC+14, its latest (``late=True``) 24:00 at UTC-12, so a bound built from it
    never cuts off part of that day anywhere.
    """
    if isinstance(v, str):
        text = v.strip()
        if is_date_only(text):
            try:
                v = date.fromisoformat(text[:10].replace(":", "-").replace(".", "-").replace("/", "-"))
            except ValueError:
                return None
        else:
            try:
                v = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc) if v.tzinfo is not None else None
    if isinstance(v, date):
        lo, hi = local_date_to_utc(v, None)
        return hi if late else lo
    return None


def evidence_from_matches(matches: Iterable[Any], records: dict[str, Any], *,
                          query_duration_s: float | None = None) -> list[Evidence]:
    """Evidence from known-footage matches.

    Every match bounds the filming time by the known clip's first publication ("filmed no
    later than ..."). A strong match also carries the known clip's own filming time and
    place when the index records them. A match covering less than half of a video of
    known duration bounds only the matched part, so its bound is weakened (the rest of the
    video may be newer).

    Parameters
    ----------
    matches : iterable of Match
        With ``footage_id``, ``score``, ``query_start_s``, ``query_end_s``, ``ref_start_s``,
        ``ref_end_s`` and optionally ``variant``.
    records : dict
        Index records by footage id (objects or dicts).
    query_duration_s : float, optional
        Duration of the analysed video [s], to judge how much of it a match covers.
    """
    out: list[Evidence] = []
    for m in matches:
        rec = records.get(m.footage_id)
        if rec is None:
            continue
        strong = m.score >= STRONG_MATCH
        title = _record_get(rec, "title")
        variant = getattr(m, "variant", "original")
        segment = (f"seconds {m.query_start_s:.1f}-{m.query_end_s:.1f} of this video match seconds "
                   f"{m.ref_start_s:.1f}-{m.ref_end_s:.1f} of known footage {m.footage_id!r}"
                   + (f" ({title})" if title else "")
                   + f" (match score {m.score:.2f}" + (f", {variant}" if variant not in (None, "", "original") else "")
                   + ")")
        rel = PUBLICATION_RELIABILITY if strong else WEAK_MATCH_RELIABILITY
        why = ("A strong perceptual match to footage whose first publication is recorded in the index."
               if strong else "A weaker perceptual match; the footage may only be similar.")
        partial = ""
        if query_duration_s and query_duration_s > 0:
            cover = (m.query_end_s - m.query_start_s) / query_duration_s
            if cover < MIN_COVERAGE:
                rel = min(rel, WEAK_MATCH_RELIABILITY)
                partial = (f" Only {cover:.0%} of this video matches; the rest may have been filmed later, so this "
                           "bounds the matched part only.")
                why += " The match covers only part of the video."
        published = _record_get(rec, "published_at")
        group = f"known:{m.footage_id}"
        if published is not None:
            src = f"index:{m.footage_id}/published_at"
            url = _record_get(rec, "source_url")
            where_seen = f" at {url}" if url else ""
            out.append(Evidence("known_footage_published",
                                f"{segment[0].upper()}{segment[1:]}, which was first published on {_fmt(published)}{where_seen}, "
                                f"so it was filmed no later than that.{partial}",
                                src, "upper_bound", rel, why, group, None, published, raw=published.isoformat()))
        if not strong:
            continue
        f0, f1 = _record_get(rec, "filmed_at_start"), _record_get(rec, "filmed_at_end")
        if f0 is not None or f1 is not None:
            lo, hi = f0 or f1, f1 or f0
            if published is not None and hi > published:
                hi = max(lo, published)
            out.append(Evidence("known_footage_filmed",
                                f"The index records that known footage {m.footage_id!r} was filmed between {_fmt(lo)} and "
                                f"{_fmt(hi)}; this video shows the same footage.{partial}",
                                f"index:{m.footage_id}/filmed_at", "interval", round(0.9 * rel, 4),
                                "The index's record of the known clip's filming time, carried over by a strong match.",
                                group + "/filmed", lo - CLOCK_SLACK, hi + CLOCK_SLACK, lo + (hi - lo) / 2))
        lat, lon = _record_get(rec, "lat"), _record_get(rec, "lon")
        if lat is not None and lon is not None:
            r = _record_get(rec, "radius_km") or 1.0
            out.append(Evidence("known_footage_place",
                                f"The index records that known footage {m.footage_id!r} was filmed within {r:g} km of "
                                f"{lat:.4f}, {lon:.4f}; this video shows the same footage.",
                                f"index:{m.footage_id}/location", "region", round(0.9 * rel, 4),
                                "The index's record of the known clip's filming place, carried over by a strong match.",
                                group + "/place", lat=float(lat), lon=float(lon), radius_km=float(r)))
    return out
