"""Consistency checks: pure functions that compare pieces of evidence and say what they found.

Each check returns :class:`Finding` items. A finding is a sentence for the report, the
sources it rests on, and (optionally) the sources whose reliability it lowers and by how
much; :func:`apply_findings` applies that to a list of :class:`Evidence`. Nothing here
reads files: the inputs are :class:`~provenance.metadata.model.Metadata` values and
evidence items.

The checks:

- :func:`check_unset_dates`: unset and default clock dates (1904, 1970, 1 January 00:00 ...).
- :func:`check_offset_vs_zone`: a tag's UTC offset against the time zone at the file's GPS point.
- :func:`check_gps_vs_clock`: GPS times against the device clock (a wrong clock, a clock set
  to local time but labelled UTC, or a zone-less reading resolved by the GPS clock).
- :func:`check_duration`: recording start and end tags against the container duration.
- :func:`check_daylight` / :func:`check_sun_at_claim`: a sunlit shadow against the sun at a
  given (or claimed) time and place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from .._util import jsonable
from .evidence import Evidence
from .timezones import format_offset, infer_offset, offset_at, offsets_near, zone_at

__all__ = [
    "Finding",
    "apply_findings",
    "check_daylight",
    "check_clock_vs_publication",
    "check_duration",
    "check_gps_vs_clock",
    "check_offset_vs_zone",
    "check_sun_at_claim",
    "check_unset_dates",
    "cross_check",
    "check_placeholder_gps",
    "gps_reference",
    "is_placeholder",
    "metadata_checks",
    "suspect_default",
    "unset_reason",
]

Severity = Literal["info", "warning", "conflict"]

#: Reliability factor for a clock reading that a GPS clock shows to be wrong.
WRONG_CLOCK_FACTOR = 0.15
#: A single GPS stamp this close to a zone-less clock's wall reading, where the zone is not UTC,
#: is local time written as UTC (early phones such as the KDDI A5301T in the corpus do this).
GPS_LOCAL_TOLERANCE = timedelta(minutes=15)
#: Reliability factor for a reading whose offset disagrees with the zone at the GPS point.
OFFSET_MISMATCH_FACTOR = 0.6
#: Two clocks agree when they differ by no more than this plus the recording duration.
CLOCK_AGREEMENT = timedelta(minutes=3)
#: Earliest plausible date for a digital video or photo tag.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1)
#: Epochs and factory defaults that unset clocks fall back to.
_DEFAULT_EPOCHS = (datetime(1904, 1, 1), datetime(1946, 1, 1), datetime(1970, 1, 1), datetime(1980, 1, 1),
                   datetime(2000, 1, 1), datetime(2001, 1, 1))


@dataclass(frozen=True)
class Finding:
    """What a consistency check found.

    Attributes
    ----------
    check : str
        Name of the check (``"gps_vs_clock"``, ``"offset_vs_zone"``, ...).
    code : str
        Outcome (``"clock_wrong"``, ``"clock_local_as_utc"``, ``"zone_resolved"``, ``"agrees"``, ...).
    severity : str
        ``"info"`` (agreement or an explanation), ``"warning"`` (doubt), ``"conflict"``
        (the sources cannot both be right).
    message : str
        A sentence a journalist can quote, citing its sources.
    sources : tuple of str
        Evidence sources the finding rests on.
    affects : tuple of str
        Evidence sources whose reliability the finding scales by ``factor``.
    factor : float
        Multiplier in [0, 1] for the reliability of the affected items.
    offset_s : int or None
        A UTC offset [s] the check established for the affected readings (a zone-less clock
        resolved by GPS, or a "UTC" tag that is really local time).
    """

    check: str
    code: str
    severity: Severity
    message: str
    sources: tuple[str, ...] = ()
    affects: tuple[str, ...] = ()
    factor: float = 1.0
    offset_s: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self.__dict__)


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _fmt(t: datetime) -> str:
    if t.tzinfo is None:
        return t.strftime("%Y-%m-%d %H:%M:%S (no time zone)")
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _dur(d: timedelta) -> str:
    s = abs(d.total_seconds())
    if s < 120:
        return f"{s:.0f} s"
    h, m = divmod(int(round(s / 60)), 60)
    if h >= 48:
        return f"{s / 86400:.1f} days"
    return f"{h} h {m:02d} min" if h else f"{m} min"


#: A position within this of (0, 0) [deg] is a placeholder written by a device without a fix.
PLACEHOLDER_DEG = 1e-4


def is_placeholder(lat: float, lon: float) -> bool:
    """Whether a position is the (0, 0) placeholder of a device without a fix ("Null Island")."""
    return abs(float(lat)) < PLACEHOLDER_DEG and abs(float(lon)) < PLACEHOLDER_DEG


def _md_place(md: Any) -> tuple[float, float, str] | None:
    loc = getattr(md, "location", None)
    if loc is not None and not is_placeholder(loc.lat, loc.lon):
        return loc.lat, loc.lon, loc.source
    track = [p for p in (getattr(md, "track", ()) or ()) if not is_placeholder(p.lat, p.lon)]
    if track:
        return track[0].lat, track[0].lon, "telemetry:GPS track"
    return None


_DATE_ONLY = re.compile(r"^\s*\d{4}[-:./]\d{2}[-:./]\d{2}\s*$")


def is_date_only(raw: str) -> bool:
    """Whether a stored time text is a bare calendar date (no time of day)."""
    return bool(_DATE_ONLY.match(raw or ""))


def unset_reason(value: datetime) -> str | None:
    """Why a clock reading looks unset or defaulted, or ``None`` when it looks like a real date.

    A reading before 1990 or within 14 hours of an epoch (1904, 1946, 1970, 1980, 2000,
    2001 at 00:00: a reset clock that ran on, read in any zone) is what a camera writes
    when its clock was never set or lost power. A reading early on 1 January of another
    year is *not* dropped (people film at midnight on New Year's Eve): see
    :func:`suspect_default`.
    """
    naive = value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    # A local reading near an epoch can be shifted by up to 14 h when read as UTC.
    for epoch in _DEFAULT_EPOCHS:
        if abs(naive - epoch) <= timedelta(hours=14):
            return f"it is the {epoch.year} epoch or factory default that unset clocks fall back to"
    if naive < EARLIEST_PLAUSIBLE:
        return "it is earlier than 1990, before digital video cameras recorded dates"
    return None


#: Hours after 00:00 on 1 January in which a reading may be a reset clock that ran on.
SUSPECT_DEFAULT_HOURS = 6


def suspect_default(value: datetime) -> bool:
    """Whether a reading lies in the first hours of 1 January (local or UTC): kept, but doubted.

    Some cameras reset to 1 January 00:00 of their firmware year; such a clock drifts on
    from there. A real reading at 00:20 on New Year's Day looks the same, so the reading
    is kept with the ``CLOCK_SUSPECT_DEFAULT`` error model: it can neither contradict a
    claim nor count as more than weak support.
    """
    naive = value.replace(tzinfo=None)
    utc = value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else naive
    return any(v.month == 1 and v.day == 1 and v.hour < SUSPECT_DEFAULT_HOURS for v in (naive, utc))


def gps_reference(md: Any) -> tuple[datetime, str, float, bool] | None:
    """The file's GPS clock as a recording-start reference.

    Returns
    -------
    (time, source, media_time_s, single_fix) or None
        An aware UTC time, its source, the media time [s] it belongs to, and whether it
        is a single stored fix (EXIF GPS stamps, which can be older than the capture)
        rather than a per-sample telemetry track.
    """
    track = [p for p in (getattr(md, "track", ()) or ()) if p.time is not None and p.time.tzinfo is not None]
    if track:
        p = track[0]
        return p.time.astimezone(timezone.utc), "telemetry:GPS time", float(p.media_time_s or 0.0), False
    for tag in getattr(md, "times", ()) or ():
        if tag.meaning == "gps_fix" and tag.tz_known and not is_date_only(tag.raw):
            return tag.value.astimezone(timezone.utc), tag.source, 0.0, True
    return None


# ---------------------------------------------------------------------------------------
# metadata checks
# ---------------------------------------------------------------------------------------
def check_unset_dates(md: Any) -> list[Finding]:
    """Flag time tags that hold unset or default dates; they are dropped from the evidence."""
    out = []
    for tag in getattr(md, "times", ()) or ():
        why = unset_reason(tag.value)
        if why:
            out.append(Finding("unset_date", "unset_date", "warning",
                               f"The {tag.source} tag reads {tag.raw!r}, which is ignored because {why}.",
                               (tag.source,), (tag.source,), 0.0))
    return out


def check_offset_vs_zone(md: Any) -> list[Finding]:
    """Compare each tag's stated UTC offset with the zone at the file's own GPS position.

    A match supports both the clock and the position. A mismatch means the device kept
    another zone (travellers' phones do), or that the time or the position was edited: the
    clock reading keeps its instant but loses some weight.
    """
    place = _md_place(md)
    if place is None:
        return []
    lat, lon, psrc = place
    zone = zone_at(lat, lon)
    if zone is None:
        return []
    out = []
    for tag in getattr(md, "times", ()) or ():
        # Only a stated *local* offset says which zone the device kept; a UTC reading
        # (Android mvhd, Matroska DateUTC) is zone-neutral.
        if tag.utc_offset_s is None or tag.tz_state != "offset" or tag.meaning == "gps_fix":
            continue
        stated = timedelta(seconds=tag.utc_offset_s)
        allowed = offsets_near(zone, tag.value)
        zone_text = " or ".join(sorted(format_offset(o) for o in allowed))
        if stated in allowed:
            out.append(Finding("offset_vs_zone", "agrees", "info",
                               f"The {tag.source} tag's offset {format_offset(stated)} matches the time zone "
                               f"{zone.key} ({zone_text}) at the file's GPS position [{psrc}].",
                               (tag.source, psrc)))
        else:
            out.append(Finding("offset_vs_zone", "offset_mismatch", "warning",
                               f"The {tag.source} tag states {format_offset(stated)}, but the file's GPS position "
                               f"[{psrc}] lies in {zone.key}, which used {zone_text} at that date: the device "
                               "kept another zone, or the time or the position was changed.",
                               (tag.source, psrc), (tag.source,), OFFSET_MISMATCH_FACTOR))
    return out


def check_gps_vs_clock(md: Any) -> list[Finding]:
    """Compare the device clock readings with the file's GPS clock.

    Outcomes per clock tag:

    - ``agrees``: the same moment (within 3 minutes plus the duration).
    - ``zone_resolved``: a zone-less reading differs from GPS time by a real UTC offset
      that the zone at the GPS point used: the reading is local time in that offset.
    - ``clock_local_as_utc``: a tag labelled UTC (or of unknown convention) differs by a
      real offset: the camera wrote local time (GoPro and many cameras do).
    - ``clock_wrong``: any other difference. The clock was never set, drifted or was edited;
      the reading is discounted. A single EXIF GPS fix may be older than the capture, so a
      clock *after* such a fix by up to a day is not called wrong.
    """
    ref = gps_reference(md)
    if ref is None:
        return []
    gps_t, gsrc, media_t, single_fix = ref
    gps_start = gps_t - timedelta(seconds=media_t)
    dur = float(getattr(md, "duration_s", None) or 0.0)
    place = _md_place(md)
    zone = zone_at(place[0], place[1]) if place else None
    zone_offsets = offsets_near(zone, gps_t) if zone is not None else set()
    out = []
    for tag in getattr(md, "times", ()) or ():
        if tag.meaning == "gps_fix" or unset_reason(tag.value):
            continue
        shift = timedelta(seconds=dur) if tag.meaning == "recording_end" else timedelta(0)
        tol = CLOCK_AGREEMENT + timedelta(seconds=dur)
        srcs = (tag.source, gsrc)
        if tag.tz_known:
            diff = tag.value.astimezone(timezone.utc) - shift - gps_start
            late_ok = single_fix and timedelta(0) <= diff <= timedelta(days=1)
            if abs(diff) <= tol or late_ok:
                extra = (f" (the GPS fix is {_dur(diff)} older than the capture)"
                         if late_ok and abs(diff) > tol else "")
                out.append(Finding("gps_vs_clock", "agrees", "info",
                                   f"The {tag.source} time agrees with the GPS clock [{gsrc}]{extra}.", srcs))
                continue
            off = infer_offset(tag.value.astimezone(timezone.utc).replace(tzinfo=None) - shift, gps_start)
            if off is not None and tag.tz_state in ("utc", "ambiguous") and off != timedelta(0) and \
                    (not zone_offsets or off in zone_offsets):
                out.append(Finding("gps_vs_clock", "clock_local_as_utc", "info",
                                   f"The {tag.source} tag reads {tag.raw!r} as UTC, {_dur(diff)} "
                                   f"{'ahead of' if diff > timedelta(0) else 'behind'} the GPS clock [{gsrc}]: "
                                   "the camera "
                                   f"wrote local time ({format_offset(off)}"
                                   + (f", the zone at its GPS position, {zone.key}" if zone is not None else "")
                                   + ") and labelled it UTC.", srcs, (tag.source,), WRONG_CLOCK_FACTOR,
                                   int(off.total_seconds())))
                continue
            out.append(Finding("gps_vs_clock", "clock_wrong", "conflict",
                               f"The {tag.source} tag ({_fmt(tag.value)}) is {_dur(diff)} "
                               f"{'ahead of' if diff > timedelta(0) else 'behind'} the GPS clock [{gsrc}], "
                               "which is not a time-zone difference: the device clock was wrong or the tag was edited.",
                               srcs, (tag.source,), WRONG_CLOCK_FACTOR))
            continue
        # zone-less (or ambiguous) wall-clock reading
        local = tag.value.replace(tzinfo=None) - shift
        if single_fix and zone is not None and offset_at(zone, gps_t) != timedelta(0) and \
                abs(local - gps_t.replace(tzinfo=None)) <= GPS_LOCAL_TOLERANCE:
            # the "UTC" GPS stamp reads like the local clock: a non-compliant writer stored local time
            out.append(Finding("gps_vs_clock", "gps_local_as_utc", "warning",
                               f"The GPS stamp [{gsrc}] reads {_fmt(gps_t)} as UTC, within "
                               f"{_dur(local - gps_t.replace(tzinfo=None))} of the camera's local clock "
                               f"[{tag.source}], while the zone at the GPS point ({zone.key}) is "
                               f"{format_offset(offset_at(zone, gps_t))}: the device stored local time in the GPS "
                               "stamp, so the stamp is not used as UTC.", srcs, (gsrc,), WRONG_CLOCK_FACTOR))
            continue
        off = infer_offset(local, gps_start, tolerance=tol)
        if off is None and single_fix:
            # the fix may be older than the capture: try every offset the zone allows
            for o in sorted(zone_offsets, key=lambda o: o.total_seconds()):
                d = (local - o) - gps_start.replace(tzinfo=None)
                if timedelta(0) <= d <= timedelta(days=1):
                    off = o
                    break
        if off is not None and (not zone_offsets or off in zone_offsets):
            out.append(Finding("gps_vs_clock", "zone_resolved", "info",
                               f"The {tag.source} tag reads {tag.raw!r} without a time zone; the GPS clock [{gsrc}] "
                               f"shows it is local time at {format_offset(off)}"
                               + (f" ({zone.key}, the zone at the file's GPS position)" if zone is not None else "")
                               + ".", srcs, (), 1.0, int(off.total_seconds())))
        elif off is not None:
            out.append(Finding("gps_vs_clock", "zone_elsewhere", "warning",
                               f"The {tag.source} tag reads {tag.raw!r}; the GPS clock [{gsrc}] implies local time at "
                               f"{format_offset(off)}, which is not the zone at the file's GPS position "
                               f"({zone.key if zone is not None else 'unknown'}).",
                               srcs, (tag.source,), OFFSET_MISMATCH_FACTOR, int(off.total_seconds())))
        else:
            diff = local - gps_start.replace(tzinfo=None)
            out.append(Finding("gps_vs_clock", "clock_wrong", "conflict",
                               f"The {tag.source} tag reads {tag.raw!r}, {_dur(diff)} from the GPS clock [{gsrc}] "
                               "in a way no time zone explains: the device clock was wrong or the tag was edited.",
                               srcs, (tag.source,), WRONG_CLOCK_FACTOR))
    return out


def check_duration(md: Any) -> list[Finding]:
    """Compare recording start and end tags (zone known) with the container duration.

    The gap between a start tag and an end tag should equal the duration; a tag of
    unknown meaning one duration after a start tag is the end of the recording (Android's
    MediaMuxer writes the end time into ``mvhd``).
    """
    dur = getattr(md, "duration_s", None)
    if not dur:
        return []
    tags = [t for t in (getattr(md, "times", ()) or ()) if t.tz_known and t.meaning != "gps_fix"
            and not unset_reason(t.value)]
    starts = [t for t in tags if t.meaning == "recording_start"]
    others = [t for t in tags if t.meaning in ("recording_end", "unknown")]
    out = []
    tol = max(2.0, 0.1 * dur)
    for s in starts:
        for e in others:
            gap = (e.value - s.value).total_seconds()
            srcs = (s.source, e.source)
            if abs(gap - dur) <= tol:
                what = ("marks the end of the recording" if e.meaning == "unknown"
                        else "is the end of the recording, as expected")
                out.append(Finding("duration", "end_confirmed", "info",
                                   f"The {e.source} time is {gap:.1f} s after the {s.source} start time, matching the "
                                   f"{dur:.1f} s duration: it {what}.", srcs))
            elif e.meaning == "recording_end":
                out.append(Finding("duration", "duration_mismatch", "warning",
                                   f"The {s.source} start and {e.source} end times are {gap:.1f} s apart, "
                                   "but the video "
                                   f"lasts {dur:.1f} s: the file was trimmed, or one of the times was changed.",
                                   srcs, (s.source, e.source), 0.8))
    return out


def check_clock_vs_publication(evidence: Iterable[Evidence]) -> list[Finding]:
    """Clock readings later than the first publication of footage this video matches.

    Footage cannot be filmed after it was first published, so a file time after that
    is the time of a re-upload, re-encode or edit, not of the filming: the reading is
    discounted (it still bounds when this copy was written).
    """
    items = list(evidence)
    pubs = [(e.latest, e) for e in items if e.kind == "known_footage_published" and e.latest is not None
            and e.reliability >= 0.9 and e.whole]
    if not pubs:
        return []
    first_t, first = min(pubs, key=lambda p: p[0])
    out = []
    for e in items:
        if e.kind != "metadata_time" or e.earliest is None or e.earliest <= first_t:
            continue
        out.append(Finding("clock_vs_publication", "copy_time", "conflict",
                           f"The {e.source} time ({e.raw or _fmt(e.earliest)}, at the earliest {_fmt(e.earliest)}) "
                           f"is later than the first publication of the matching known footage [{first.source}]: it is "
                           "when this copy was made or re-uploaded, not when the footage was filmed.",
                           (e.source, first.source), (e.source,), WRONG_CLOCK_FACTOR))
    return out


def cross_check(evidence: Iterable[Evidence]) -> tuple[list[Evidence], list[Finding]]:
    """Checks that need evidence from several sources (metadata and matches together).

    Returns the evidence with the findings applied, and the findings for the report.
    """
    items = list(evidence)
    found = check_clock_vs_publication(items)
    return apply_findings(items, found), found


def check_placeholder_gps(md: Any) -> list[Finding]:
    """Flag (0, 0) placeholder positions (QuickTime Keys, ``©xyz``, EXIF, tracks); they are never used."""
    out = []
    loc = getattr(md, "location", None)
    if loc is not None and is_placeholder(loc.lat, loc.lon):
        out.append(Finding("placeholder_gps", "placeholder", "warning",
                           f"The {loc.source} tag records {loc.raw or '0, 0'!r}, the (0, 0) placeholder a device "
                           "writes without a GPS fix; it is ignored.", (loc.source,)))
    track = getattr(md, "track", ()) or ()
    n = sum(1 for p in track if is_placeholder(p.lat, p.lon))
    if n:
        out.append(Finding("placeholder_gps", "placeholder_samples", "warning",
                           f"{n} of {len(track)} telemetry samples are at the (0, 0) placeholder (no fix yet); "
                           "they are ignored.", ("telemetry:GPS track",)))
    return out


def metadata_checks(md: Any) -> list[Finding]:
    """Every metadata consistency check, in a stable order."""
    return (check_unset_dates(md) + check_placeholder_gps(md) + check_offset_vs_zone(md) + check_gps_vs_clock(md)
            + check_duration(md))


def apply_findings(evidence: Iterable[Evidence], findings: Iterable[Finding]) -> list[Evidence]:
    """Scale the reliability of the items the findings affect; each keeps the reason as a note.

    Items brought to reliability 0 are dropped (their finding still explains why).
    """
    findings = [f for f in findings if f.affects and f.factor < 1.0]
    out = []
    for e in evidence:
        for f in findings:
            if e.source in f.affects and e.kind in ("metadata_time", "gps_time"):
                e = e.with_reliability(e.reliability * f.factor, f.message)
        if e.reliability > 0.0 or not e.notes:
            out.append(e)
    return out


# ---------------------------------------------------------------------------------------
# sun checks
# ---------------------------------------------------------------------------------------
def check_daylight(shows_sunlight: bool, when: datetime, lat: float, lon: float, *, source: str = "observation"
                   ) -> Finding:
    """Whether footage that shows (or lacks) sunlight fits the sun at a time and place.

    Parameters
    ----------
    shows_sunlight : bool
        ``True`` when the footage shows direct sunlight (sharp shadows).
    when : datetime
        Aware instant.
    lat, lon : float
        Place [deg].
    source : str
        What the observation is, for the message.
    """
    from .sun import sun_position

    el = float(sun_position(when, lat, lon).elevation_deg)
    up = el > -0.833
    where = f"{lat:.4f}, {lon:.4f} at {_fmt(when)}"
    if shows_sunlight and not up:
        return Finding("daylight", "sun_down", "conflict",
                       f"The footage shows sunlit shadows [{source}], but at {where} the sun was {abs(el):.1f} deg "
                       "below the horizon.", (source,))
    if shows_sunlight:
        return Finding("daylight", "agrees", "info",
                       f"The footage shows sunlight [{source}] and the sun was {el:.1f} deg above the horizon "
                       f"at {where}.",
                       (source,))
    return Finding("daylight", "no_sunlight", "info",
                   f"The footage shows no direct sunlight [{source}]; the sun was {el:.1f} deg "
                   f"{'above' if el >= 0 else 'below'} the horizon at {where} (cloud or shade can hide it).", (source,))


#: Absolute error of a measured shadow length, as a share of the object's height: the tip of a
#: shadow and the foot of the object are located to a few pixels whatever the length, so a short
#: near-noon shadow is not known to a relative 5% (issue 12: a +/-0.5 deg band at noon).
SHADOW_ABS_LENGTH_ERROR = 0.05
#: Above this sun elevation [deg] a shadow is too short for its bearing to mean anything: the
#: bearing is dropped.
HIGH_SUN_DEG = 70.0


def shadow_band(obs: Any) -> tuple[float, float, float | None, float]:
    """Elevation band [deg], sun azimuth [deg] (``None`` when dropped) and azimuth half-width [deg].

    A length measurement's band propagates both its relative error and
    :data:`SHADOW_ABS_LENGTH_ERROR`; the bearing is dropped when the band reaches
    :data:`HIGH_SUN_DEG`.
    """
    lo, hi = obs.elevation_interval_deg
    if getattr(obs, "sun_elevation_deg", None) is None:
        h, length = float(obs.object_height), float(obs.shadow_length)
        err = length * float(obs.length_uncertainty) + SHADOW_ABS_LENGTH_ERROR * h
        lo = math.degrees(math.atan2(h, length + err))
        hi = 90.0 if length - err <= 0 else math.degrees(math.atan2(h, length - err))
    az = obs.sun_azimuth_deg
    if az is not None and hi >= HIGH_SUN_DEG:
        az = None
    return lo, hi, az, float(obs.bearing_uncertainty_deg)


def check_sun_at_claim(obs: Any, start: datetime, end: datetime, lat: float, lon: float, *,
                       radius_km: float = 0.0, source: str = "observation") -> Finding:
    """Whether a shadow observation fits the sun anywhere in a claimed time span at a claimed place.

    The observation's elevation band (and bearing band) is widened by the claimed radius
    (the sun's elevation and azimuth move by at most about one degree per 111 km). The
    finding's ``code`` is ``"fits"``, ``"sun_down"`` (the sun never rose in the span),
    ``"elevation_mismatch"`` or ``"azimuth_mismatch"``; ``factor`` carries how far off the
    nearest fit is, as a reliability for the exclusion: 0.9 when the sun was down
    throughout, 0.85 for a gross mismatch (more than three band half-widths and 3 deg
    outside), otherwise 0.6.
    """
    import numpy as np

    from .sun import solar_position_arrays

    t0, t1 = start.timestamp(), end.timestamp()
    n = max(2, int(math.ceil((t1 - t0) / 120.0)) + 1)
    ts = np.linspace(t0, t1, n)
    el, az = solar_position_arrays(ts, float(lat), float(lon))
    pad = radius_km / 111.2
    lo, hi, az_obs, bearing_half = shadow_band(obs)
    half = max((hi - lo) / 2.0, 0.5)
    lo, hi = lo - pad, hi + pad
    ok_el = (el >= lo) & (el <= hi)
    ok = ok_el
    d_az = np.zeros_like(el)
    az_half = 180.0
    if az_obs is not None:
        az_half = bearing_half + pad * 2.0
        d_az = np.abs((az - az_obs + 180.0) % 360.0 - 180.0)
        ok = ok_el & (d_az <= az_half)
    span = f"between {_fmt(start)} and {_fmt(end)} within {radius_km:g} km of {lat:.4f}, {lon:.4f}"
    measured = f"a sun elevation of {lo + pad:.1f}-{hi - pad:.1f} deg" + (
        f" from the {az_obs:.0f} deg direction" if az_obs is not None else "")
    if bool(np.any(ok)):
        return Finding("sun_at_claim", "fits", "info",
                       f"The shadow measurement [{source}] ({measured}) fits the sun {span}.", (source,))
    if float(np.max(el)) <= -0.833:
        return Finding("sun_at_claim", "sun_down", "conflict",
                       f"The footage shows a sunlit shadow [{source}], but the sun was below the horizon {span}.",
                       (source,), factor=0.9)
    el_miss = np.where(el < lo, lo - el, np.where(el > hi, el - hi, 0.0))
    el_gross = el_miss > max(3.0, 3.0 * half)
    if az_obs is None:
        gross = bool(np.all(el_gross))
        return Finding("sun_at_claim", "elevation_mismatch", "conflict",
                       f"The shadow measurement [{source}] shows {measured}, but the sun stayed between "
                       f"{float(np.min(el)):.1f} and {float(np.max(el)):.1f} deg {span}, "
                       f"{float(np.min(el_miss)):.1f} deg short of the measurement at best.",
                       (source,), factor=0.85 if gross else 0.6)
    az_miss = np.maximum(d_az - az_half, 0.0)
    az_gross = az_miss > max(20.0, 3.0 * bearing_half)
    gross = bool(np.all(el_gross | az_gross))
    k = int(np.argmin(el_miss / max(half, 0.5) + az_miss / max(bearing_half, 1.0)))
    return Finding("sun_at_claim", "position_mismatch", "conflict",
                   f"The shadow measurement [{source}] shows {measured}, but {span} the sun never stood there: at its "
                   f"closest it was at {float(el[k]):.1f} deg elevation and {float(az[k]):.0f} deg azimuth.",
                   (source,), factor=0.85 if gross else 0.6)
