"""Turning metadata and known-footage matches into :class:`Evidence` (pure functions).

Each item carries the error model it was read with (:mod:`~provenance.scoring.errormodels`):
its ``earliest``/``latest`` or ``radius_km`` are the tail bounds of the model's core and its
``reliability`` is ``1 - p_unrelated``. Groups are origins: ``file:clock`` (every clock tag
of the file: one device clock), ``file:gps`` (its GPS receiver: fix, track and GPS time),
``file:c2pa``, ``record:<footage id>`` (one index record with all its fields and every match
to it), ``weak_matches`` (every match below the threshold: they fail together) and the
observers.

Time reasoning, in order:

1. Unset and default dates (1904/1970/2000 epochs) are dropped and the drop is noted; a
   reading in the first hours of 1 January is kept with the ``CLOCK_SUSPECT_DEFAULT`` model.
2. Who wrote the file decides what its times mean: times written by an editor, a platform or
   a transcoder (``Metadata.writer``), and export, mux and file-written times of any writer,
   are upper bounds only. An unknown writer with re-encode signs (a Lavf/FFmpeg encoder tag,
   or an export/mux time in the same file) has its unlabelled times read as upper bounds and
   its recording times doubted (``CLOCK_UNKNOWN_REENCODED``).
3. Zones: a tag with an offset is exact; a zone-less reading is local time in the zone at the
   file's own GPS position (with one hour of slack for a camera that ignores DST), or at the
   offset the GPS clock implies, else any offset UTC-12..UTC+14. A QuickTime ``mvhd`` "UTC"
   time that no other clock confirms may be local time at the GPS point (some Android
   writers), so both readings are kept.
4. The consistency checks then lower the reliability of readings they catch out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ..matching.match import MATCH_THRESHOLD
from ..metadata.model import Location, Metadata, TimeTag, TrackPoint
from .checks import (
    Finding,
    apply_findings,
    is_date_only,
    is_placeholder,
    metadata_checks,
    suspect_default,
    unset_reason,
)
from .errormodels import (
    C2PA_SIGNED,
    C2PA_UNVERIFIED,
    CLOCK_CAMERA,
    CLOCK_SUSPECT_DEFAULT,
    CLOCK_UNKNOWN,
    CLOCK_UNKNOWN_REENCODED,
    CLOCK_WRITER,
    FULL_COVERAGE,
    GPS_FIX,
    GPS_FIX_TIME,
    GPS_TRACK_TIME,
    INDEX_FILMED,
    INDEX_PLACE,
    INDEX_PUBLISHED,
    MATCH_STRONG,
    MATCH_WEAK,
    TELEMETRY_TRACK,
    ErrorModel,
    combine_unrelated,
)
from .evidence import Evidence, Shape
from .regions import TrackRegion
from .timezones import format_offset, local_date_to_utc, local_to_utc_interval, zone_at

__all__ = [
    "DST_SLACK",
    "GPS_FIX_STALE",
    "HAND_SET_SLACK",
    "STRONG_MATCH",
    "clock_model",
    "evidence_from_matches",
    "evidence_from_metadata",
    "hand_set_clock",
    "metadata_findings",
    "reencode_signs",
]

#: A zone-less camera clock read in the zone at its GPS point may ignore DST: one hour either way.
DST_SLACK = timedelta(hours=1)
#: A stored EXIF GPS fix can be this much older than the capture (phones reuse the last fix).
GPS_FIX_STALE = timedelta(days=1)
#: Match score from which a match is the same footage (the matching threshold, kept in step).
STRONG_MATCH = MATCH_THRESHOLD
#: Encoder names that mean the file was re-encoded by a general-purpose tool.
_REENCODERS = re.compile(r"\b(lavf|lavc|ffmpeg|handbrake|x264|x265|mencoder|avidemux)", re.I)
#: Time meanings that are write times, never capture times.
_WRITE_MEANINGS = ("file_written", "modified", "export", "mux", "digitized")

_ISO6709 = re.compile(r"^[+-]\d+(\.\d+)?[+-]\d+(\.\d+)?")
_FILE_CLOCK = "file:clock"
_FILE_GPS = "file:gps"


def _fmt(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(lo: datetime, hi: datetime) -> str:
    return _fmt(lo) if lo == hi else f"{_fmt(lo)} .. {_fmt(hi)}"


def _why(model: ErrorModel, extra: str = "") -> str:
    return (f"{model.name}: core sigma {model.scale:g} {'s' if model.core == 'gaussian' else 'km'}, "
            f"{model.p_unrelated:.0%} chance the reading is unrelated to the filming ({model.basis})."
            + (f" {extra}" if extra else ""))


def reencode_signs(md: Metadata) -> list[str]:
    """Signs that a file of unknown writer was re-encoded or re-muxed, as ``"source: text"``."""
    out = []
    dev = md.device
    for name in ("encoder", "software", "muxer"):
        v = getattr(dev, name, None)
        if isinstance(v, str) and _REENCODERS.search(v):
            out.append(f"{name}: {v}")
    for t in md.times:
        if t.meaning in ("export", "mux", "file_written"):
            out.append(f"{t.source}: {t.meaning} time {t.raw}")
    return out


def clock_model(md: Metadata, tag: TimeTag) -> tuple[ErrorModel, bool, str]:
    """The error model of one clock tag, whether it is an upper bound only, and why.

    Parameters
    ----------
    md : Metadata
        The file (its ``writer`` and re-encode signs decide).
    tag : TimeTag
        The reading.
    """
    writer = getattr(md, "writer", None)
    kind = getattr(writer, "kind", "unknown") or "unknown"
    wname = getattr(writer, "name", None) or kind
    if tag.meaning in _WRITE_MEANINGS:
        return CLOCK_WRITER, True, f"A {tag.meaning.replace('_', ' ')} time is when the file was written."
    if kind in ("editor", "platform", "transcoder"):
        return CLOCK_WRITER, True, (f"The file was written by {wname} ({kind}): its times are when it was written, "
                                    "so they bound the filming from above only.")
    if suspect_default(tag.value):
        return CLOCK_SUSPECT_DEFAULT, False, ("The reading is in the first hours of 1 January, where reset clocks "
                                              "restart.")
    if kind == "camera":
        return CLOCK_CAMERA, False, f"A camera original ({wname})."
    signs = reencode_signs(md)
    if signs:
        if tag.meaning in ("unknown", "recording_end"):
            return CLOCK_UNKNOWN_REENCODED, True, ("The writer is unknown and the file shows re-encode signs ("
                                                   + "; ".join(signs[:3]) + "): this time may be the encode time.")
        return CLOCK_UNKNOWN_REENCODED, False, ("The writer is unknown and the file shows re-encode signs ("
                                                + "; ".join(signs[:3]) + ").")
    return CLOCK_UNKNOWN, False, "The writer of the file is not recognised."


#: Makers whose devices set their clocks from the network (NITZ/NTP): no daylight-saving slack.
_NETWORK_CLOCK_MAKERS = re.compile(r"apple|samsung|google|huawei|xiaomi|oneplus|motorola|lg|nokia|hmd|sony mobile|"
                                   r"oppo|vivo|realme|honor|zte|asus|htc|fairphone", re.I)
#: Hand-set clocks (cameras, camcorders) are often an hour off after a daylight-saving change.
HAND_SET_SLACK = timedelta(hours=1)


def hand_set_clock(md: Metadata, tag: TimeTag) -> bool:
    """Whether a clock reading comes from a clock set by hand (a camera), not from the network (a phone)."""
    src = tag.source.lower()
    if "com.apple.quicktime" in src or "android" in src or "samsung" in src:
        return False
    make = getattr(md.device, "make", None) or ""
    return not _NETWORK_CLOCK_MAKERS.search(make)


def _gps_fix_item(tag: TimeTag, dur: timedelta) -> Evidence | None:
    if not tag.tz_known:
        return None
    m = GPS_FIX_TIME
    tail = timedelta(seconds=m.tail())
    desc = f"The {tag.source} tag reads {tag.raw!r}"
    if is_date_only(tag.raw):
        day = tag.value.astimezone(timezone.utc).date()
        lo = datetime.combine(day, time(0), tzinfo=timezone.utc)
        return Evidence("gps_time", f"{desc}: the GPS date of the last position fix, {day.isoformat()} (UTC). "
                        "A capture cannot precede its fix, so the filming was no earlier than that day.",
                        tag.source, "lower_bound", m.reliability, _why(m, "A date without a time."), _FILE_GPS,
                        lo - tail - dur, None, raw=tag.raw, model=m.name)
    t = tag.value.astimezone(timezone.utc)
    return Evidence("gps_time", f"{desc}: a GPS fix at {_fmt(t)}. The capture came at or after its fix (phones can "
                    f"reuse a fix for up to {GPS_FIX_STALE.days} day).",
                    tag.source, "interval", m.reliability, _why(m, "A stored fix can be older than the capture."),
                    _FILE_GPS, t - tail - dur, t + GPS_FIX_STALE, t, raw=tag.raw, model=m.name)


def _time_item(md: Metadata, tag: TimeTag, zone: ZoneInfo | None, zone_note: str, *,
               offset_s: int | None = None, as_end: bool = False, utc_confirmed: bool = True,
               gps_agrees: bool = False) -> Evidence | None:
    """Evidence for one clock tag; ``offset_s`` re-reads it as local time at that offset."""
    dur = timedelta(seconds=md.duration_s or 0.0)
    desc = f"The {tag.source} tag reads {tag.raw!r}"
    if tag.meaning == "gps_fix":
        return _gps_fix_item(tag, dur)
    model, upper_only, model_why = clock_model(md, tag)
    meaning = "recording_end" if as_end and tag.meaning == "unknown" else tag.meaning
    tail = timedelta(seconds=model.tail())
    zone_best: datetime | None = None  # the reading in the GPS zone, before the DST slack
    if offset_s is not None:
        naive = (tag.value.astimezone(timezone.utc).replace(tzinfo=None) if tag.tz_known
                 else tag.value.replace(tzinfo=None))
        lo = hi = (naive - timedelta(seconds=offset_s)).replace(tzinfo=timezone.utc)
        zone_text = f"as local time at {format_offset(offset_s)} (the offset the GPS clock implies)"
    elif is_date_only(tag.raw):
        day = tag.value.date()
        lo, hi = local_date_to_utc(day, None if tag.tz_state == "utc" else zone)
        hi -= timedelta(seconds=1)
        zone_text = ("as a calendar date " + (f"in {zone.key}" if zone is not None and tag.tz_state != "utc"
                                               else "in any time zone"))
        meaning = "recording_start" if meaning in ("recording_start", "unknown", "recording_end") else meaning
    elif tag.tz_known:
        lo = hi = tag.value.astimezone(timezone.utc)
        zone_text = "with its time zone"
        if tag.tz_state == "offset" and hand_set_clock(md, tag) and not gps_agrees:
            zone_best = lo
            lo, hi = lo - HAND_SET_SLACK, hi + HAND_SET_SLACK
            zone_text += " (a hand-set camera clock: give or take an hour for daylight saving)"
        if tag.tz_state == "utc" and not utc_confirmed and zone is not None and "mvhd" in tag.source:
            alt0, alt1 = local_to_utc_interval(tag.value.astimezone(timezone.utc).replace(tzinfo=None), zone)
            lo, hi = min(lo, alt0), max(hi, alt1)
            zone_text = (f"as UTC or as local time in {zone.key} (no other clock confirms this writer's "
                         "convention)")
    else:
        lo, hi = local_to_utc_interval(tag.value, zone)
        zone_text = zone_note if zone is not None else "with no time zone (any offset from UTC-12 to UTC+14)"
        if zone is not None and not gps_agrees:
            if lo == hi:
                zone_best = lo
            lo, hi = lo - DST_SLACK, hi + DST_SLACK
            zone_text += ", give or take an hour for a clock that ignores daylight saving"
        if tag.tz_state == "ambiguous":
            u = tag.value.replace(tzinfo=timezone.utc)
            lo, hi = min(lo, u), max(hi, u)
            zone_text = "as either UTC or local time (the device's convention is unknown)"
    shape: Shape
    earliest: datetime | None
    if upper_only:
        shape, earliest, latest = "upper_bound", None, hi + tail
        what = "the file was written then, so the filming was no later than that"
    elif meaning == "recording_start":
        shape, earliest, latest = "interval", lo - tail, hi + tail
        what = "the recording started"
    elif meaning == "recording_end":
        shape, earliest, latest = "interval", lo - dur - tail, hi - dur + tail
        what = f"the recording ended (so it started {dur.total_seconds():.1f} s earlier)"
    else:
        shape, earliest, latest = "interval", lo - tail - dur, hi + tail
        what = "the file was made (start or end of the recording)"
    best: datetime | None = None
    at = lo if lo == hi else zone_best
    if shape == "interval" and at is not None:
        best = at - dur if meaning == "recording_end" else at
    summary = f"{desc}, read {zone_text}: {what} at {_span(lo, hi)}."
    if tag.note:
        summary += f" ({tag.note})"
    source = tag.source + (" (re-read as local time)" if offset_s is not None and tag.tz_known else "")
    wall = None
    if not tag.tz_known and offset_s is None and not is_date_only(tag.raw) and tag.tz_state == "local_unknown":
        wall = tag.value.replace(tzinfo=None) - (dur if meaning == "recording_end" else timedelta(0))
    elif tag.tz_state == "offset" and tag.utc_offset_s is not None and offset_s is None:
        wall = (tag.value.astimezone(timezone.utc).replace(tzinfo=None) + timedelta(seconds=tag.utc_offset_s)
                - (dur if meaning == "recording_end" else timedelta(0)))
    if upper_only:
        wall = None
    return Evidence("metadata_time", summary, source, shape, model.reliability, _why(model, model_why),
                    _FILE_CLOCK, earliest, latest, best, raw=tag.raw, model=model.name, wall=wall)


def _gps_sigma_km(loc: Location) -> tuple[float, str]:
    """A fix's 1-sigma horizontal error [km] and where it came from.

    An accuracy equal to the precision implied by the printed decimals is a rounding step,
    not an accuracy: the default sigma applies, widened to cover half the step.
    """
    from ..metadata.normalize import implied_accuracy_m

    acc = loc.accuracy_m
    # only a decimal-degree text (ISO 6709 "+53.9006+027.5590/") has a precision implied by its decimals
    implied = implied_accuracy_m(loc.raw) if loc.raw and _ISO6709.match(loc.raw.strip()) else None
    if acc is not None and acc > 0 and not (implied is not None and abs(acc - implied) <= 0.01 * implied + 1e-6):
        return acc / 1000.0, f"the device's stated accuracy of {acc:g} m"
    step_km = (implied or 0.0) / 1000.0
    sigma = max(GPS_FIX.scale, step_km / 2.0)
    return sigma, (f"no stated accuracy; {sigma * 1000:.0f} m assumed" +
                   (f" (the stored decimals round to {implied:g} m)" if implied else ""))


def _place_item(loc: Location) -> Evidence:
    m = GPS_FIX
    sigma, how = _gps_sigma_km(loc)
    tail = m.tail(sigma)
    return Evidence("gps_fix", f"The {loc.source} tag records the position {loc.lat:.5f}, {loc.lon:.5f} "
                    f"(1-sigma error {sigma * 1000:.0f} m from {how}; it excludes places more than {tail:.2f} km "
                    "away).",
                    loc.source, "region", m.reliability, _why(m, "A GPS position written by the recording device."),
                    _FILE_GPS, lat=loc.lat, lon=loc.lon, radius_km=tail, raw=loc.raw, model=m.name, scale_km=sigma)


def _track_item(track: tuple[TrackPoint, ...], source: str) -> Evidence:
    m = TELEMETRY_TRACK
    region = TrackRegion.of([p.lat for p in track], [p.lon for p in track], m.tail())
    lat, lon, radius = region.hull()
    extent = max(radius - m.tail(), 0.0)
    return Evidence("telemetry", f"A telemetry track of {len(track)} GPS samples from {track[0].lat:.5f}, "
                    f"{track[0].lon:.5f} to {track[-1].lat:.5f}, {track[-1].lon:.5f} covers ground within "
                    f"{extent:.2f} km of {lat:.5f}, {lon:.5f}; a claimed place fits where it comes within "
                    f"{m.tail() * 1000:.0f} m of the track.", source, "region", m.reliability,
                    _why(m, "Per-sample GPS telemetry recorded with the video: the filming place is the track."),
                    _FILE_GPS, lat=lat, lon=lon, radius_km=radius, region=region, model=m.name,
                    scale_km=max(extent, m.scale))


def _track_time_items(md: Metadata, track: tuple[TrackPoint, ...], zone: ZoneInfo | None) -> list[Evidence]:
    out = []
    aware = [p for p in track if p.time is not None and p.time.tzinfo is not None]
    if aware:
        m = GPS_TRACK_TIME
        tail = timedelta(seconds=m.tail())
        p0 = aware[0]
        t0 = p0.time.astimezone(timezone.utc) - timedelta(seconds=p0.media_time_s or 0.0)  # type: ignore[union-attr]
        t1 = aware[-1].time.astimezone(timezone.utc)  # type: ignore[union-attr]
        out.append(Evidence("gps_time", f"The telemetry track's GPS clock runs from {_fmt(p0.time)} to {_fmt(t1)}, "  # type: ignore[arg-type]
                            f"so the recording started at {_fmt(t0)}.",
                            "telemetry:GPS time", "point", m.reliability, _why(m, "GPS time is set by the satellites."),
                            _FILE_GPS, t0 - tail, t0 + tail, t0, model=m.name))
        return out
    naive = [p for p in track if p.time is not None and p.time.tzinfo is None]
    if naive:
        p0 = naive[0]
        first = p0.time
        if first is None:  # pragma: no cover - filtered above
            return out
        start = first - timedelta(seconds=p0.media_time_s or 0.0)
        lo, hi = local_to_utc_interval(start, zone)
        if zone is not None:
            lo, hi = lo - DST_SLACK, hi + DST_SLACK
        writer_kind = getattr(getattr(md, "writer", None), "kind", "unknown")
        m = CLOCK_CAMERA if writer_kind == "camera" else CLOCK_UNKNOWN
        tail = timedelta(seconds=m.tail())
        zone_text = (f"in the time zone at the track's own position ({zone.key}, give or take an hour for daylight "
                     "saving)" if zone is not None else "with no time zone (any offset from UTC-12 to UTC+14)")
        out.append(Evidence("metadata_time",
                            f"The telemetry track's time stamps start at {first.isoformat(sep=' ')} without a time "
                            f"zone; read {zone_text}, the recording started at {_span(lo, hi)}.",
                            "telemetry:local time", "interval", m.reliability,
                            _why(m, "Telemetry time stamps from the controller's or drone's own clock (not GPS time)."),
                            _FILE_CLOCK, lo - tail, hi + tail, lo if lo == hi else None, model=m.name))
    return out


def _c2pa_items(md: Metadata) -> list[Evidence]:
    c = md.c2pa
    if c is None or c.state in ("none_found", "unavailable"):
        return []
    valid = str(c.state).lower() in ("valid", "trusted")
    m = C2PA_SIGNED if valid else C2PA_UNVERIFIED
    why = _why(m, ("A capture assertion in a C2PA manifest whose signature validated"
                   + (f" (signed by {c.signer})" if c.signer else "") + "." if valid else
                   f"A capture assertion in a C2PA manifest that did not validate ({c.state})."))
    out = []
    if c.capture_time is not None and c.capture_time.tzinfo is not None:
        t = c.capture_time.astimezone(timezone.utc)
        tail = timedelta(seconds=m.tail())
        out.append(Evidence("c2pa_time", f"The C2PA manifest records a capture time of {_fmt(t)}.", "c2pa:capture_time",
                            "interval", m.reliability, why, "file:c2pa", t - tail, t + tail, t, model=m.name))
    if c.capture_location is not None and not is_placeholder(*c.capture_location):
        lat, lon = c.capture_location
        out.append(Evidence("c2pa_place", f"The C2PA manifest records a capture position of {lat:.5f}, {lon:.5f}.",
                            "c2pa:capture_location", "region", m.reliability, why, "file:c2pa", lat=lat, lon=lon,
                            radius_km=GPS_FIX.tail(), model=m.name, scale_km=GPS_FIX.scale))
    return out


def metadata_findings(md: Metadata) -> list[Finding]:
    """The consistency-check findings for a file's metadata (for the report)."""
    return metadata_checks(md)


def _usable_track(md: Metadata) -> tuple[TrackPoint, ...]:
    return tuple(p for p in md.track if not is_placeholder(p.lat, p.lon))


def _utc_confirmed(md: Metadata, tag: TimeTag, found: list[Finding]) -> bool:
    """Whether another clock confirms a "UTC" tag is UTC (GPS agrees, or a zoned tag matches it)."""
    if any(f.check == "gps_vs_clock" and f.code == "agrees" and tag.source in f.sources for f in found):
        return True
    if any(f.check == "duration" and f.code == "end_confirmed" and tag.source in f.sources for f in found):
        return True
    tol = timedelta(minutes=3) + timedelta(seconds=md.duration_s or 0.0)
    for other in md.times:
        if other is tag or other.tz_state != "offset" or other.meaning == "gps_fix":
            continue
        if abs(other.value.astimezone(timezone.utc) - tag.value.astimezone(timezone.utc)) <= tol:
            return True
    return False


def evidence_from_metadata(md: Metadata, *, findings: Iterable[Finding] | None = None) -> list[Evidence]:
    """Evidence items implied by a file's normalised metadata.

    Device clock times become intervals around the recording start (tail bounds of their
    error model); write, export and mux times, and every time of an editor, platform or
    transcoder, become upper bounds; GPS times become tight points (a stored EXIF fix: tight
    from below, loose above); positions become GPS regions (placeholders at 0, 0 rejected),
    and tracks the ground they cover. The consistency checks then lower the reliability of
    readings they catch out; each such item carries the finding in ``notes``.

    Parameters
    ----------
    md : Metadata
    findings : iterable of Finding, optional
        Precomputed :func:`metadata_findings`; computed here when omitted.

    Returns
    -------
    list of Evidence
    """
    found = list(metadata_findings(md) if findings is None else findings)
    dropped = {s for f in found if f.check == "unset_date" for s in f.affects}
    offsets = {f.affects[0] if f.affects else f.sources[0]: f.offset_s for f in found
               if f.check == "gps_vs_clock" and f.offset_s is not None}
    ends = {f.sources[1] for f in found if f.code == "end_confirmed"}
    out: list[Evidence] = []
    track = _usable_track(md)
    loc = md.location if md.location is not None and not is_placeholder(md.location.lat, md.location.lon) else None
    anchor = loc if loc is not None else (Location(track[0].lat, track[0].lon, "track", "") if track else None)
    zone = zone_at(anchor.lat, anchor.lon) if anchor is not None else None
    note = f"in the time zone at the file's own GPS position ({zone.key})" if zone is not None else ""
    for tag in md.times:
        if tag.source in dropped or unset_reason(tag.value):
            continue
        confirmed = _utc_confirmed(md, tag, found) if tag.tz_state == "utc" else True
        agrees = any(f.check == "gps_vs_clock" and f.code in ("agrees", "zone_resolved") and tag.source in f.sources
                     for f in found)
        item = _time_item(md, tag, zone, note, as_end=tag.source in ends, utc_confirmed=confirmed, gps_agrees=agrees)
        if item is not None:
            out.append(item)
        off = offsets.get(tag.source)
        if off is not None and tag.meaning != "gps_fix":
            if tag.tz_known:  # a "UTC" tag that is really local time: add the corrected reading
                extra = _time_item(md, tag, zone, note, offset_s=off, as_end=tag.source in ends)
                if extra is not None:
                    out.append(extra)
            elif item is not None:  # a zone-less reading resolved by the GPS clock: replace it
                fixed = _time_item(md, tag, zone, note, offset_s=off, as_end=tag.source in ends)
                if fixed is not None:
                    out[-1] = fixed
    out += _track_time_items(md, track, zone)
    if len(track) >= 2:  # a track is where the camera went, not its first sample
        out.append(_track_item(track, "telemetry:GPS track"))
    elif loc is not None:
        out.append(_place_item(loc))
    elif track:
        out.append(_place_item(Location(track[0].lat, track[0].lon, "telemetry:GPS track", "")))
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
    "published_precision": ("published_precision",),
}


def _raw_get(record: Any, name: str) -> Any:
    for key in _ALIASES.get(name, (name,)):
        v = record.get(key) if isinstance(record, dict) else getattr(record, key, None)
        if v is not None:
            return v
    return None


def _record_get(record: Any, name: str) -> Any:
    """A record field by name or alias; records may be objects or dicts (store rows)."""
    v = _raw_get(record, name)
    if v is not None:
        if name in ("filmed_at_start", "filmed_at_end"):
            if isinstance(v, (tuple, list)) and len(v) == 2:
                v = v[0] if name == "filmed_at_start" else v[1]
            return _as_utc(v, late=name == "filmed_at_end")
        return v
    if name in ("lat", "lon"):
        loc = record.get("location") if isinstance(record, dict) else getattr(record, "location", None)
        if isinstance(loc, (tuple, list)) and len(loc) >= 2:
            return loc[0] if name == "lat" else loc[1]
    if name == "filmed_at_end":  # a lone start that is a date (or an interval) ends late in that day
        return _as_utc(_raw_get(record, "filmed_at_start"), late=True)
    return None


def _as_utc(v: Any, *, late: bool = False) -> datetime | None:
    """Record times as aware UTC: ISO text, a date or an aware datetime.

    A bare date is a day in an unknown zone: its earliest instant (``late=False``) is
    00:00 at UTC+14, its latest (``late=True``) 24:00 at UTC-12, so a bound built from it
    never cuts off part of that day anywhere.
    """
    if isinstance(v, (tuple, list)) and len(v) == 2:
        v = v[1] if late else v[0]
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


def published_bound(record: Any) -> tuple[datetime | None, str]:
    """The latest instant a record's first publication allows [aware UTC], and its precision.

    ``published_precision`` ``"day"`` (or a bare date, or, for records that do not state a
    precision, a time of exactly 00:00:00 UTC, which is how a date is stored) bounds the
    filming by the end of that day anywhere on Earth (24:00 at UTC-12); ``"instant"`` by the
    instant itself.
    """
    raw = _raw_get(record, "published_at")
    if raw is None:
        return None, "instant"
    stated = _raw_get(record, "published_precision")
    bound_fn = getattr(record, "published_bound_utc", None)
    if callable(bound_fn):
        try:
            b = bound_fn()
        except (TypeError, ValueError):
            b = None
        if isinstance(b, datetime) and b.tzinfo is not None:
            b = b.astimezone(timezone.utc)
            if stated == "day":  # a day is that day anywhere on Earth: never earlier than 24:00 at UTC-12
                day = _as_utc(raw, late=False)
                if day is not None:
                    b = max(b, local_date_to_utc(day.date(), None)[1])
            return b, str(stated or "instant")
    if isinstance(raw, str) and is_date_only(raw.strip()):
        return _as_utc(raw, late=True), "day"
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return _as_utc(raw, late=True), "day"
    t = _as_utc(raw, late=True)
    if t is None:
        return None, "instant"
    midnight = t.hour == 0 and t.minute == 0 and t.second == 0 and t.microsecond == 0
    if stated == "day" or (stated is None and midnight):
        return local_date_to_utc(t.date(), None)[1], "day"
    return t, "instant"


def evidence_from_matches(matches: Iterable[Any], records: dict[str, Any], *,
                          query_duration_s: float | None = None) -> list[Evidence]:
    """Evidence from known-footage matches.

    A time-resolved match bounds the filming by the known clip's first publication ("filmed
    no later than ..."); a strong one (score >= :data:`STRONG_MATCH`) also carries the
    record's filming time and place. A scene-only match (``time_resolved`` False: a static
    scene at another time looks the same) says nothing about the time. A match covering less
    than :data:`~provenance.scoring.errormodels.FULL_COVERAGE` of the video speaks about the
    part it covers only (``Evidence.covers``): it is reported but never bounds or contradicts
    a claim about the video. Every item of one record shares the group ``record:<id>``; every
    weak match shares ``weak_matches``, so two weak matches are not two independent witnesses.

    Parameters
    ----------
    matches : iterable of Match
        With ``footage_id``, ``score``, ``query_start_s``, ``query_end_s``, ``ref_start_s``,
        ``ref_end_s`` and optionally ``variant`` and ``time_resolved``.
    records : dict
        Index records by footage id (objects or dicts).
    query_duration_s : float, optional
        Duration of the analysed video [s], to judge how much of it a match covers.

    Returns
    -------
    list of Evidence
    """
    out: list[Evidence] = []
    for m in matches:
        rec = records.get(m.footage_id)
        if rec is None:
            continue
        strong = m.score >= STRONG_MATCH
        resolved = bool(getattr(m, "time_resolved", True))
        title = _record_get(rec, "title")
        variant = getattr(m, "variant", "original")
        segment = (f"seconds {m.query_start_s:.1f}-{m.query_end_s:.1f} of this video match seconds "
                   f"{m.ref_start_s:.1f}-{m.ref_end_s:.1f} of known footage {m.footage_id!r}"
                   + (f" ({title})" if title else "")
                   + f" (match score {m.score:.2f}" + (f", {variant}" if variant not in (None, "", "original") else "")
                   + ")")
        mm = MATCH_STRONG if strong else MATCH_WEAK
        group = f"record:{m.footage_id}" if strong else "weak_matches"
        covers = 1.0
        partial = ""
        if query_duration_s and query_duration_s > 0:
            covers = min(1.0, max(1e-3, (m.query_end_s - m.query_start_s) / query_duration_s))
            if covers < FULL_COVERAGE:
                partial = (f" Only {covers:.0%} of this video matches; the rest may have been filmed elsewhere and "
                           "later, so this speaks about the matched part only.")
        match_why = (f"{mm.name}: {mm.p_unrelated:.0%} chance the match is wrong ({mm.basis})"
                     + ("" if strong else "; weak matches count once together") + ".")
        published, precision = published_bound(rec)
        if published is not None and resolved:
            p = combine_unrelated(mm.p_unrelated, INDEX_PUBLISHED.p_unrelated)
            src = f"index:{m.footage_id}/published_at"
            url = _record_get(rec, "source_url")
            where_seen = f" at {url}" if url else ""
            when_text = (f"on {_fmt(published)}" if precision == "instant" else
                         f"on the day ending {_fmt(published)} anywhere on Earth")
            out.append(Evidence("known_footage_published",
                                f"{segment[0].upper()}{segment[1:]}, which was first published {when_text}"
                                f"{where_seen}, "
                                f"so it was filmed no later than that.{partial}",
                                src, "upper_bound", 1.0 - p, match_why + " " + _why(INDEX_PUBLISHED), group, None,
                                published, raw=str(_raw_get(rec, "published_at")), model=mm.name, covers=covers))
        if not resolved:
            partial += (" The matched stretch shows a static scene, so the match places the footage but does not "
                        "date it.")
        if not strong:
            continue
        f0, f1 = _record_get(rec, "filmed_at_start"), _record_get(rec, "filmed_at_end")
        if (f0 is not None or f1 is not None) and resolved:
            lo, hi = f0 or f1, f1 or f0
            if lo is not None and hi is not None:
                if published is not None and hi > published:
                    hi = max(lo, published)
                tail = timedelta(seconds=INDEX_FILMED.tail())
                p = combine_unrelated(mm.p_unrelated, INDEX_FILMED.p_unrelated)
                out.append(Evidence("known_footage_filmed",
                                    f"The index records that known footage {m.footage_id!r} was filmed between "
                                    f"{_fmt(lo)} and {_fmt(hi)}; this video shows the same footage.{partial}",
                                    f"index:{m.footage_id}/filmed_at", "interval", 1.0 - p,
                                    match_why + " " + _why(INDEX_FILMED), group, lo - tail, hi + tail,
                                    lo + (hi - lo) / 2, model=mm.name, covers=covers))
        lat, lon = _record_get(rec, "lat"), _record_get(rec, "lon")
        if lat is not None and lon is not None and not is_placeholder(float(lat), float(lon)):
            r = float(_record_get(rec, "radius_km") or INDEX_PLACE.scale)
            p = combine_unrelated(mm.p_unrelated, INDEX_PLACE.p_unrelated)
            out.append(Evidence("known_footage_place",
                                f"The index records that known footage {m.footage_id!r} was filmed within {r:g} km of "
                                f"{float(lat):.4f}, {float(lon):.4f}; this video shows the same footage.{partial}",
                                f"index:{m.footage_id}/location", "region", 1.0 - p,
                                match_why + " " + _why(INDEX_PLACE), group, lat=float(lat), lon=float(lon),
                                radius_km=r, model=mm.name, covers=covers))
    return out


#: Exclusion radius of a GPS fix without stated accuracy [km]: PLACE_TAIL_K sigmas of the default.
DEFAULT_GPS_TAIL_KM = GPS_FIX.tail()
