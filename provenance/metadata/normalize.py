"""Raw tags -> :class:`~provenance.metadata.model.Metadata`: zones, meanings, places, device.

Device rules applied (each noted on the :class:`TimeTag` it shaped):

* QuickTime ``mvhd`` is *defined* as UTC, but cameras differ.  Apple (``com.apple.quicktime.*``
  keys or "Core Media" handlers) and Android (``com.android.version``) write UTC; Android
  stamps it when recording **stops**, so a start time ``end - duration`` is derived.
  Apple's ``creationdate`` carries the local offset and is the recording start; ``mvhd`` is
  when the file was finalised.  GoPro writes **local** wall-clock time; when GPMF GPS time is
  present the offset is derived from the two (rounded to 15 min).  A Samsung
  ``samsung.android.utc_offset`` settles the zone.  Other writers: ``ambiguous``.
* 0 (1904-01-01), 1970-01-01, and camera default dates (1 January, 00:0x) mean "unset":
  listed as a :class:`Problem`, never as a time.  A 1904-based value that only makes sense
  as a Unix (1970) timestamp is read as such and reported.
* EXIF ``DateTimeOriginal`` with ``OffsetTimeOriginal`` is exact; without it, an offset is
  inferred from ``GPSDateStamp``/``GPSTimeStamp`` when they agree within 5 min of a
  15-min offset; otherwise the disagreement is a Problem (untrustworthy clock).
"""

from __future__ import annotations

import logging
import math
import re
from datetime import datetime, timedelta, timezone
from typing import cast

from ._raw import RawResult
from .model import C2PAInfo, Device, Location, Metadata, Problem, TimeMeaning, TimeTag, TrackPoint, TzState, Writer

__all__ = ["implied_accuracy_m", "normalize", "parse_iso6709"]

log = logging.getLogger(__name__)

_UNIX_IN_1904 = 2_082_844_800  # seconds from 1904-01-01 to 1970-01-01
_M_PER_DEG = 111_320.0


def implied_accuracy_m(text: str) -> float | None:
    """Accuracy [m] implied by the decimals of a coordinate text (4 decimals -> ~11 m)."""
    m = re.search(r"\.(\d+)", text)
    d = len(m.group(1)) if m else 0
    return round(_M_PER_DEG * 10 ** (-d), 3)


def _iso_part(s: str, deg_digits: int) -> float:
    sign = -1.0 if s[0] == "-" else 1.0
    body = s[1:]
    ip, _, frac = body.partition(".")
    f = float("0." + frac) if frac else 0.0
    if len(ip) <= deg_digits:
        return sign * (int(ip) + f)
    if len(ip) <= deg_digits + 2:  # DDMM.mm
        return sign * (int(ip[:deg_digits]) + (int(ip[deg_digits:]) + f) / 60.0)
    return sign * (int(ip[:deg_digits]) + int(ip[deg_digits:deg_digits + 2]) / 60.0
                   + (int(ip[deg_digits + 2:]) + f) / 3600.0)


def parse_iso6709(text: str) -> tuple[float, float, float | None, float | None] | None:
    """Parse ISO 6709 ``+DD.dddd+DDD.dddd[+AAA.aaa]/`` -> (lat, lon, alt_m, implied accuracy_m)."""
    if not isinstance(text, str):
        return None
    m = re.match(r"^\s*([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?", text)
    if not m:
        return None
    try:
        lat = _iso_part(m.group(1), 2)
        lon = _iso_part(m.group(2), 3)
        alt = float(m.group(3)) if m.group(3) else None
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon, alt, implied_accuracy_m(m.group(1))


def _offset(text: str) -> int | None:
    m = re.match(r"^\s*([+-])(\d{2}):?(\d{2})\s*$", text or "")
    if not m:
        return None
    s = (int(m.group(2)) * 3600 + int(m.group(3)) * 60) * (-1 if m.group(1) == "-" else 1)
    return s if abs(s) <= 14 * 3600 else None


_DT_RE = re.compile(r"^(\d{4})[:\-/.](\d{2})[:\-/.](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
                    r"\s*(Z|[+-]\d{2}:?\d{2})?$")


def _parse_dt(text: str) -> tuple[datetime | None, int | None, bool]:
    """Parse EXIF/ISO style date text -> (naive local, offset seconds or None, date_only)."""
    if not isinstance(text, str):
        return None, None, False
    t = text.strip().rstrip("\0")
    m = _DT_RE.match(t)
    if not m:
        return None, None, False
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0),
                      int((frac or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None, None, False
    off = None
    if tz == "Z":
        off = 0
    elif tz:
        off = _offset(tz)
    return dt, off, hh is None


def _aware(local: datetime, off: int) -> datetime:
    return (local - timedelta(seconds=off)).replace(tzinfo=timezone.utc)


def _fmt_off(off: int) -> str:
    sign = "-" if off < 0 else "+"
    return f"{sign}{abs(off) // 3600:02d}:{abs(off) % 3600 // 60:02d}"


def _is_default_date(dt: datetime) -> bool:
    return (dt.month == 1 and dt.day == 1 and dt.hour == 0 and dt.minute < 5) or dt.year < 1985


class _Builder:
    def __init__(self, raw: RawResult):
        self.raw = raw
        self.tags = raw.tags
        self.times: list[TimeTag] = []
        self.problems: list[Problem] = list(raw.problems)

    def problem(self, code: str, message: str, source: str = "") -> None:
        if not any(p.code == code and p.source == source for p in self.problems):
            self.problems.append(Problem(code, message, source))

    def add(self, local: datetime, off: int | None, tz_state: str, meaning: str, source: str, raw: str,
            note: str = "") -> TimeTag | None:
        if any(t.source == source and t.raw == str(raw) for t in self.times):
            return None
        if _is_default_date(local):
            self.problem("time_unset", f"{source} holds {raw!r}, a default/epoch date: treated as unset", source)
            return None
        if off is not None and tz_state in ("utc", "offset"):
            value = _aware(local, off)
        else:
            value = local
        tt = TimeTag(value=value, tz_state=cast(TzState, tz_state), meaning=cast(TimeMeaning, meaning),
                     source=source, raw=str(raw),
                     utc_offset_s=off if tz_state in ("utc", "offset") else None, note=note)
        self.times.append(tt)
        return tt


def _qt_seconds(b: _Builder, key: str) -> tuple[datetime | None, str]:
    """mvhd-style seconds -> naive wall-clock as written, handling 0 and 1970 epochs."""
    secs = b.tags.get(key)
    if not isinstance(secs, int):
        return None, ""
    raw = str(secs)
    if secs == 0 or secs == _UNIX_IN_1904:
        b.problem("time_unset", f"{key} is {secs} ({'1904' if secs == 0 else '1970'}-01-01): unset", key)
        return None, raw
    try:
        dt = datetime(1904, 1, 1) + timedelta(seconds=secs)
    except OverflowError:
        b.problem("bad_time", f"{key} = {secs} is out of range", key)
        return None, raw
    if dt.year < 1980:
        unix = datetime(1970, 1, 1) + timedelta(seconds=secs)
        if 1990 <= unix.year <= datetime.now().year + 1:
            b.problem("epoch_1970", f"{key} = {secs} reads as {dt:%Y-%m-%d}; taken as a Unix-epoch value "
                      f"({unix:%Y-%m-%d %H:%M:%S})", key)
            dt = unix
    if dt > datetime.now() + timedelta(days=2):
        b.problem("future_time", f"{key} is in the future ({dt:%Y-%m-%d})", key)
    return dt, f"{dt:%Y-%m-%d %H:%M:%S} ({secs} s since 1904)"


def _gps_first_time(raw: RawResult) -> datetime | None:
    for r in raw.track:
        if isinstance(r.get("time"), datetime) and r["time"].tzinfo is not None:
            return r["time"]
    return None


def _mp4_times(b: _Builder) -> None:
    t = b.tags
    keys = {k.rsplit("/keys/", 1)[1]: v for k, v in t.items() if "/keys/" in k}
    apple = any(k.startswith("com.apple.quicktime.") for k in keys) or any(
        "Core Media" in h for h in b.raw.extra.get("handlers", []))
    android = "com.android.version" in keys
    samsung_off = keys.get("samsung.android.utc_offset")
    gopro = any(k.startswith("gpmf:") or "/GPMF/" in k for k in t) or any(
        h.strip().startswith("GoPro") for h in b.raw.extra.get("handlers", []))
    dur = b.raw.duration_s or 0.0
    created, craw = _qt_seconds(b, "mp4:moov/mvhd/creation_time")
    modified, mraw = _qt_seconds(b, "mp4:moov/mvhd/modification_time")
    src_c, src_m = "mp4:moov/mvhd/creation_time", "mp4:moov/mvhd/modification_time"
    if created is not None:
        if gopro:
            gps = _gps_first_time(b.raw)
            if gps is not None:
                diff = (created - gps.replace(tzinfo=None)).total_seconds()
                goff = int(round(diff / 900.0)) * 900
                resid = diff - goff
                if abs(goff) <= 14 * 3600 and abs(resid) <= 300:
                    note = (f"GoPro writes local time in mvhd; offset {_fmt_off(goff)} derived from GPMF GPS time "
                            f"{gps:%Y-%m-%d %H:%M:%S}Z (residual {resid:+.0f} s)")
                    b.add(created, goff, "offset", "recording_start", src_c, craw, note)
                    if modified is not None:
                        b.add(modified, goff, "offset", "modified", src_m, mraw, "GoPro local time; offset as creation")
                else:
                    b.add(created, None, "local_unknown", "recording_start", src_c, craw,
                          "GoPro writes local time in mvhd")
                    b.problem("clock_disagrees_gps", f"GoPro mvhd {created} is {diff:+.0f} s from GPS time {gps}: "
                              "no whole-quarter-hour offset explains it", src_c)
            else:
                b.add(created, None, "local_unknown", "recording_start", src_c, craw,
                      "GoPro writes local wall-clock time in mvhd; no GPS time to derive the zone")
                if modified is not None:
                    b.add(modified, None, "local_unknown", "modified", src_m, mraw, "GoPro local time")
        elif samsung_off is not None and _offset(str(samsung_off)) is not None:
            soff = _offset(str(samsung_off))
            tt = b.add(created, 0, "utc", "recording_end", src_c, craw,
                       f"Samsung writes UTC; local offset {samsung_off} from samsung.android.utc_offset")
            if tt is not None:
                b.times[-1] = TimeTag(tt.value, "offset", tt.meaning, tt.source, tt.raw, soff, tt.note)
                if dur:
                    b.times.append(TimeTag(tt.value - timedelta(seconds=dur), "offset", "recording_start",
                                           "derived:mvhd-duration", f"{tt.raw} - {dur:.3f} s", soff,
                                           "Samsung/Android stamp mvhd at stop; start = end - duration"))
        elif android:
            tt = b.add(created, 0, "utc", "recording_end", src_c, craw,
                       "Android writes mvhd in UTC when recording stops")
            if tt is not None and dur:
                b.times.append(TimeTag(tt.value - timedelta(seconds=dur), "utc", "recording_start",
                                       "derived:mvhd-duration", f"{tt.raw} - {dur:.3f} s", 0,
                                       "start = mvhd creation (recording end) - duration"))
        elif apple:
            b.add(created, 0, "utc", "file_written", src_c, craw,
                  "Apple writes mvhd in UTC when the file is finalised (not the capture start)")
        else:
            b.add(created, None, "ambiguous", "unknown", src_c, craw,
                  "QuickTime mvhd is defined as UTC but some cameras write local time")
    if modified is not None and not gopro:
        tz = "utc" if (apple or android or samsung_off is not None) else "ambiguous"
        b.add(modified, 0 if tz == "utc" else None, tz, "modified", src_m, mraw)
    # Apple / generic keys
    for k, v in t.items():
        if not k.endswith("/keys/com.apple.quicktime.creationdate"):
            continue
        dt, off, _ = _parse_dt(str(v))
        if dt is None:
            b.problem("bad_time", f"unparseable creationdate {v!r}", k)
        elif off is None:
            b.add(dt, None, "local_unknown", "recording_start", k, str(v))
        else:
            b.add(dt, off, "offset", "recording_start", k, str(v), "Apple creationdate: local time with offset")
    for k, v in t.items():
        if k.endswith("/udta/date"):
            # Apple Core Media / 3GPP 'date': ISO 8601 with zone (FLIR One, iOS exports)
            dt, off, date_only = _parse_dt(str(v))
            if dt is not None and not date_only:
                if off is None:
                    b.add(dt, None, "local_unknown", "recording_start", k, str(v), "udta date without zone")
                else:
                    b.add(dt, off, "utc" if off == 0 else "offset", "recording_start", k, str(v),
                          "udta 'date' (ISO 8601 with zone)")
    for k, v in t.items():
        if k.endswith("/©day") or k.endswith("/ilst/©day"):
            dt, off, date_only = _parse_dt(str(v))
            if dt is not None and not date_only:
                if off is None:
                    b.add(dt, None, "local_unknown", "recording_start", k, str(v))
                else:
                    b.add(dt, off, "utc" if off == 0 else "offset", "recording_start", k, str(v))
    _xmp_times(b)
    # contradictions: Apple creationdate vs mvhd
    ct = [x for x in b.times if x.source.endswith("creationdate") and x.tz_known]
    mv = [x for x in b.times if x.source == src_c and x.tz_known]
    if ct and mv:
        d = (mv[0].value - ct[0].value).total_seconds()
        if d < -60 or d > max(dur + 120, 300):
            b.problem("times_disagree", f"mvhd ({mv[0].value:%Y-%m-%d %H:%M:%S}Z) and creationdate "
                      f"({ct[0].value:%Y-%m-%d %H:%M:%S}Z) differ by {d:+.0f} s", src_c)
    # track headers that disagree with the movie header
    c = b.tags.get(src_c)
    if isinstance(c, int) and c:
        for k, v in t.items():
            if k.endswith("/tkhd/creation_time") and isinstance(v, int) and v and abs(v - c) > 3600:
                b.problem("track_time_disagrees", f"{k} differs from mvhd by {v - c:+d} s", k)


_HISTORY_MEANING = {"created": "file_written", "saved": "export", "converted": "export", "derived": "export",
                    "produced": "export", "rendered": "export", "published": "export", "edited": "modified"}


def _xmp_history_times(b: _Builder) -> None:
    """xmpMM:History events: when a program saved, converted or rendered the file (never the filming)."""
    for key, info in b.raw.extra.get("xmp", []):
        for i, ev in enumerate(info.history):
            if not ev.when:
                continue
            dt, off, _ = _parse_dt(ev.when)
            if dt is None:
                continue
            mean = _HISTORY_MEANING.get(ev.action.lower(), "modified")
            note = f"xmpMM:History '{ev.action or '?'}' by {ev.software_agent or 'unnamed software'}"
            src = f"{key}/xmpMM:History[{i}]/when"
            if off is None:
                b.add(dt, None, "local_unknown", mean, src, ev.when, note)
            else:
                b.add(dt, off, "utc" if off == 0 else "offset", mean, src, ev.when, note)


def _xmp_times(b: _Builder) -> None:
    _xmp_history_times(b)
    meaning = {"xmp:CreateDate": "recording_start", "xmp:ModifyDate": "modified",
               "xmp:MetadataDate": "file_written", "photoshop:DateCreated": "recording_start",
               "exif:DateTimeOriginal": "recording_start"}
    for k, v in b.tags.items():
        for f, mean in meaning.items():
            if k.endswith("/" + f):
                dt, off, date_only = _parse_dt(str(v))
                if dt is None:
                    continue
                if off is None:
                    b.add(dt, None, "local_unknown", mean, k, str(v),
                          "XMP without zone" + (" (date only)" if date_only else ""))
                else:
                    b.add(dt, off, "utc" if off == 0 else "offset", mean, k, str(v))


def _exif_times(b: _Builder) -> None:
    t = b.tags
    gps = b.raw.extra.get("gps", {})
    gps_dt = None
    if gps.get("date") and gps.get("time") and None not in gps["time"]:
        d, _, _ = _parse_dt(gps["date"])
        if d is not None:
            h, m, s = gps["time"]
            try:
                gps_dt = d + timedelta(hours=h, minutes=m, seconds=s)
                raw = f"{gps['date']} {int(h):02d}:{int(m):02d}:{s:06.3f}"
                b.add(gps_dt, 0, "utc", "gps_fix", "exif:GPS GPSDateStamp+GPSTimeStamp", raw, "GPS time is UTC")
            except (OverflowError, ValueError):
                gps_dt = None
    specs = [("EXIF DateTimeOriginal", "EXIF OffsetTimeOriginal", "EXIF SubSecTimeOriginal", "recording_start"),
             ("EXIF DateTimeDigitized", "EXIF OffsetTimeDigitized", "EXIF SubSecTimeDigitized", "digitized"),
             ("Image DateTime", "EXIF OffsetTime", "EXIF SubSecTime", "modified")]
    for tag, otag, sstag, meaning in specs:
        text = t.get(f"exif:{tag}")
        if not text:
            continue
        dt, inline_off, _ = _parse_dt(text)
        src = f"exif:{tag}"
        if dt is None:
            b.problem("bad_time", f"unparseable {tag} {text!r}", src)
            continue
        ss = t.get(f"exif:{sstag}", "")
        if ss and ss.strip().isdigit():
            dt = dt.replace(microsecond=int(ss.strip()[:6].ljust(6, "0")))
        off = _offset(t.get(f"exif:{otag}", ""))
        if off is None and inline_off is not None:
            off, otag = inline_off, f"{tag} text (ISO 8601 offset written inline by the editor)"
        if off is not None:
            tt = b.add(dt, off, "offset", meaning, src, text, f"offset from {otag}")
            if tt is not None and gps_dt is not None and meaning == "recording_start":
                dd = (tt.value.replace(tzinfo=None) - gps_dt).total_seconds()
                if abs(dd) > 3600:
                    b.problem("gps_time_disagrees", f"{tag} ({tt.value:%Y-%m-%d %H:%M:%S}Z) and GPS time "
                              f"({gps_dt:%Y-%m-%d %H:%M:%S}Z) differ by {dd / 3600:+.1f} h: stale GPS fix or "
                              "wrong clock", src)
        elif gps_dt is not None:
            diff = (dt - gps_dt).total_seconds()
            q = int(round(diff / 900.0)) * 900
            if abs(q) <= 14 * 3600 and abs(diff - q) <= 300:
                b.add(dt, q, "offset", meaning, src, text,
                      f"no OffsetTime tag; offset {_fmt_off(q)} inferred from GPS time (residual {diff - q:+.0f} s)")
            else:
                b.add(dt, None, "local_unknown", meaning, src, text, "no OffsetTime tag")
                if meaning == "recording_start":
                    b.problem("gps_time_disagrees", f"{tag} is {diff / 3600:+.2f} h from GPS time; no time-zone offset "
                              "explains it (wrong camera clock, or GPS time not in UTC)", src)
        else:
            b.add(dt, None, "local_unknown", meaning, src, text, "no OffsetTime tag and no GPS time")
    if gps_dt is None and gps.get("date"):
        d, _, _ = _parse_dt(gps["date"])
        dto = next((x for x in b.times if x.source == "exif:EXIF DateTimeOriginal"), None)
        if d is not None and dto is not None:
            local = dto.value.replace(tzinfo=None) if not dto.tz_known else dto.value.replace(tzinfo=None)
            if abs((local.date() - d.date()).days) > 1:
                b.problem("gps_time_disagrees", f"GPSDateStamp {gps['date']} is "
                          f"{(local.date() - d.date()).days} days from DateTimeOriginal: stale GPS fix",
                          "exif:GPS GPSDateStamp")
    _xmp_times(b)


def _other_times(b: _Builder) -> None:
    t = b.tags
    if "mkv:Info/DateUTC_iso" in t:
        dt, _, _ = _parse_dt(t["mkv:Info/DateUTC_iso"])
        if dt is not None:
            b.add(dt, 0, "utc", "mux", "mkv:Info/DateUTC", t["mkv:Info/DateUTC_iso"],
                  "Matroska DateUTC is when the file was muxed, not filmed")
    for k, v in t.items():
        if k.startswith("mkv:Tags/") and k.rsplit("/", 1)[-1].upper() in ("DATE_RECORDED", "DATE_ENCODED",
                                                                           "DATE_TAGGED"):
            dt, off, date_only = _parse_dt(str(v))
            if dt is None:
                continue
            name = k.rsplit("/", 1)[-1].upper()
            mean = "recording_start" if name == "DATE_RECORDED" else "export"
            if off is None:
                b.add(dt, None, "local_unknown", mean, k, str(v), "date only" if date_only else "")
            else:
                b.add(dt, off, "utc" if off == 0 else "offset", mean, k, str(v))
    mux = next((x for x in b.times if x.source == "mkv:Info/DateUTC"), None)
    rec = next((x for x in b.times if x.source.upper().endswith("/DATE_RECORDED")), None)
    if mux and rec:
        d = (mux.value.replace(tzinfo=None) - rec.value.replace(tzinfo=None)).total_seconds()
        if abs(d) > 86400 * 2:
            b.problem("times_disagree", f"Matroska DateUTC (mux) is {d / 86400:+.0f} days from DATE_RECORDED: "
                      "the file was remuxed later; DATE_RECORDED is the recording date", "mkv:Info/DateUTC")
    _xmp_times(b)
    if "riff:IDIT" in t:
        from .riff import parse_idit

        dt = parse_idit(t["riff:IDIT"])
        if dt is None:
            b.problem("bad_time", f"unparseable IDIT {t['riff:IDIT']!r}", "riff:IDIT")
        else:
            b.add(dt, None, "local_unknown", "recording_start", "riff:IDIT", t["riff:IDIT"], "AVI IDIT has no zone")
    if "riff:INFO/ICRD" in t:
        dt, off, _ = _parse_dt(t["riff:INFO/ICRD"])
        if dt is not None:
            b.add(dt, off, "local_unknown" if off is None else "offset", "recording_start", "riff:INFO/ICRD",
                  t["riff:INFO/ICRD"])
    if "asf:FileProperties/CreationDate" in t:
        dt, _, _ = _parse_dt(t["asf:FileProperties/CreationDate"])
        if dt is not None:
            b.add(dt, 0, "utc", "file_written", "asf:FileProperties/CreationDate",
                  t["asf:FileProperties/CreationDate"], "ASF creation date (FILETIME, UTC)")
    if "dv:DateTimeOriginal" in t:
        dt, _, _ = _parse_dt(t["dv:DateTimeOriginal"])
        if dt is not None:
            b.add(dt, None, "local_unknown", "recording_start", "dv:DateTimeOriginal", t["dv:DateTimeOriginal"],
                  "DV recording date/time packs: the camcorder's wall clock, no zone")
    if "flv:metadatadate" in t:
        dt, off, _ = _parse_dt(str(t["flv:metadatadate"]))
        if dt is not None:
            b.add(dt, off, "offset" if off is not None else "local_unknown", "file_written", "flv:metadatadate",
                  str(t["flv:metadatadate"]), "FLV onMetaData date (AMF0: ms since 1970 UTC) stamped by the tool "
                  "that wrote the metadata, e.g. FLVTool2")
    for k, mean in (("mxf:MaterialPackage/PackageCreationDate", "unknown"),
                    ("mxf:Identification/ModificationDate", "file_written"),
                    ("mxf:Preface/LastModifiedDate", "modified")):
        if k in t:
            dt, off, _ = _parse_dt(str(t[k]))
            if dt is not None:
                b.add(dt, 0, "utc", mean, k, str(t[k]), "SMPTE 377M timestamps are UTC" + (
                    "; the package was created by the camera or by the program that wrote the file"
                    if mean == "unknown" else ""))
    mdpm = b.raw.extra.get("mdpm") or {}
    if "datetime" in mdpm:
        dt = mdpm["datetime"]
        off = int(mdpm["utc_offset_s"])
        b.add(dt.replace(tzinfo=None), off, "offset", "recording_start", "h264:MDPM/DateTimeOriginal",
              str(mdpm["raw"]), "AVCHD MDPM carries the camera's zone" + (" (DST flag set)" if mdpm.get("dst") else ""))


def _iptc_samsung_times(b: _Builder) -> None:
    t = b.tags
    date = t.get("iptc:DateCreated")
    if isinstance(date, str) and re.fullmatch(r"\d{8}", date.strip()):
        tm = str(t.get("iptc:TimeCreated", "")).strip()
        m = re.fullmatch(r"(\d{2})(\d{2})(\d{2})(?:\.(\d+))?([+-]\d{4})?", tm)
        try:
            d = datetime(int(date[:4]), int(date[4:6]), int(date[6:8]))
        except ValueError:
            d = None
        if d is not None:
            raw = date + (f" {tm}" if tm else "")
            if m:
                d = d.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=int(m.group(3)),
                              microsecond=int((m.group(4) or "0")[:6].ljust(6, "0")))
                off = _offset(m.group(5)) if m.group(5) else None
                if off is not None:
                    b.add(d, off, "offset", "recording_start", "iptc:DateCreated+TimeCreated", raw,
                          "IPTC DateCreated with TimeCreated and its offset")
                else:
                    b.add(d, None, "local_unknown", "recording_start", "iptc:DateCreated+TimeCreated", raw)
            elif not _is_default_date(d):
                b.add(d, None, "local_unknown", "recording_start", "iptc:DateCreated", raw,
                      "IPTC DateCreated without TimeCreated: a date only (00:00 stands for the whole day)")
    ms = t.get("samsung:TimeStamp")
    if isinstance(ms, str) and ms.isdigit():
        secs = int(ms) / (1000.0 if len(ms) == 13 else 1.0)
        try:
            dt = datetime(1970, 1, 1) + timedelta(seconds=secs)
        except OverflowError:
            return
        b.add(dt, 0, "utc", "recording_start", "samsung:TimeStamp", ms,
              "Samsung trailer Image_UTC_Data: capture instant in ms since 1970 (UTC)")


def _location(b: _Builder) -> Location | None:
    t = b.tags
    for k, v in t.items():
        if k.endswith("/keys/com.apple.quicktime.location.ISO6709"):
            p = parse_iso6709(str(v))
            if p:
                acc = None
                for k2, v2 in t.items():
                    if k2.endswith("/keys/com.apple.quicktime.location.accuracy.horizontal"):
                        try:
                            acc = float(v2)
                        except (TypeError, ValueError):
                            acc = None
                head = None
                for k2, v2 in t.items():
                    if k2.endswith("/keys/com.apple.quicktime.direction.facing"):
                        try:
                            head = float(v2)
                        except (TypeError, ValueError):
                            head = None
                return Location(p[0], p[1], k, str(v), p[2], acc if acc is not None else p[3], head)
            b.problem("bad_location", f"unparseable ISO 6709 {v!r}", k)
    for k, v in t.items():
        if k.endswith("/©xyz") or k.endswith("/keys/location") or k.endswith("/keys/com.android.location"):
            p = parse_iso6709(str(v))
            if p and p[0] == 0 and p[1] == 0:
                b.problem("null_island", f"{k} holds {v!r}: 0,0 is what devices write without a fix; ignored", k)
                continue
            if p:
                return Location(p[0], p[1], k, str(v), p[2], p[3])
            b.problem("bad_location", f"unparseable ISO 6709 {v!r}", k)
    loci = b.raw.extra.get("loci")
    if loci is not None:
        k = next((k for k in t if k.endswith("/udta/loci")), "mp4:moov/udta/loci")
        if loci["lat"] == 0 and loci["lon"] == 0:
            b.problem("null_island", "3GPP loci holds 0,0 (no fix); ignored", k)
        else:
            # 16.16 fixed point: resolution 1/65536 deg (1.7 m), not the device's accuracy
            return Location(loci["lat"], loci["lon"], k, str(t.get(k, "")), loci["alt_m"], None)
    gps = b.raw.extra.get("gps") or {}
    if gps.get("lat") is not None and gps.get("lon") is not None:
        lat, lon = gps["lat"], gps["lon"]
        if -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0):
            raw = f"{t.get('exif:GPS GPSLatitude', '')} {t.get('exif:GPS GPSLatitudeRef', '')}, " \
                  f"{t.get('exif:GPS GPSLongitude', '')} {t.get('exif:GPS GPSLongitudeRef', '')}"
            return Location(lat, lon, "exif:GPS", raw, gps.get("alt_m"), gps.get("hpe_m"), gps.get("heading_deg"))
        b.problem("bad_location", f"EXIF GPS {lat},{lon} is out of range or null island", "exif:GPS")
    if b.raw.track:
        r0 = b.raw.track[0]
        src = f"{'srt' if r0.get('kind') == 'SRT' else 'gpmf'}:{r0.get('kind')}[0]"
        acc = r0.get("dop_m")
        return Location(r0["lat"], r0["lon"], src, f"{r0['lat']},{r0['lon']}", r0.get("alt_m"), acc,
                        r0.get("gimbal_yaw_deg"))
    return None


def _device(b: _Builder) -> Device:
    t = b.tags
    src: dict[str, str] = {}

    def first(field: str, keys: list[str]) -> str | None:
        for k in keys:
            for tk, v in t.items():
                if (tk == k or tk.endswith(k)) and isinstance(v, str) and v.strip():
                    src[field] = tk
                    return v.strip()
        return None

    make = first("make", ["exif:Image Make", "/keys/com.apple.quicktime.make", "/keys/com.android.manufacturer",
                          "/udta/©mak", "h264:MDPM/Make", "riff:INFO/IMAK", "/udta/TAGS/Make", "/tiff:Make"])
    model = first("model", ["exif:Image Model", "/keys/com.apple.quicktime.model", "/keys/com.android.model",
                            "/udta/©mod", "/udta/GPMF/model", "riff:INFO/IMOD", "h264:MDPM/Model", "/tiff:Model"])
    software = first("software", ["exif:Image Software", "/keys/com.apple.quicktime.software", "/udta/©swr",
                                  "riff:INFO/ISFT", "mkv:Info/WritingApp", "/ilst/©too", "/udta/©too",
                                  "/xmp:CreatorTool", "flv:metadatacreator", "iptc:OriginatingProgram",
                                  "mxf:Identification/ProductName"])
    encoder = first("encoder", ["/ilst/©too", "/udta/©too", "/keys/com.apple.quicktime.software"])
    muxer = first("muxer", ["mkv:Info/MuxingApp"])
    if encoder is None:
        # Matroska per-track ENCODER (the codec library, e.g. "Lavc58.91.100 libvpx-vp9") before the file-level one
        track_enc = sorted(k for k in t if k.startswith("mkv:Tags/uid") and k.endswith("/ENCODER"))
        encoder = first("encoder", [*track_enc, "/ENCODER", "h264:SEI/encoder_settings", "flv:metadatacreator"])
    firmware = first("firmware", ["/udta/FIRM", "/udta/GPMF/firmware", "gpmf:firmware"])
    serial = first("serial", ["/udta/GPMF/serial", "exif:EXIF BodySerialNumber", "gopro:fdsc/serial"])
    os_version = first("os_version", ["/keys/com.android.version"])
    author = first("author", ["/udta/auth", "/udta/©aut", "/ilst/©aut", "exif:Image Artist", "iptc:By-line"])
    if make is None and (firmware or "").startswith(("H", "HD")) and any(
            h.strip().startswith("GoPro") for h in b.raw.extra.get("handlers", [])):
        make = "GoPro"
        src["make"] = "rule:GoPro handler names"
    if model is None and make == "GoPro":
        for tk in ("gpmf:model", "gopro:fdsc/model"):
            if t.get(tk):
                model = t[tk]
                src["model"] = tk
    brands = ()
    if "mp4:ftyp/major_brand" in t:
        brands = tuple(dict.fromkeys([t["mp4:ftyp/major_brand"].strip(),
                                      *[c.strip() for c in t.get("mp4:ftyp/compatible_brands", [])]]))
    return Device(make=make, model=model, software=software, os_version=os_version, firmware=firmware,
                  serial=serial, encoder=encoder, muxer=muxer, author=author,
                  handlers=tuple(h.strip() for h in b.raw.extra.get("handlers", [])),
                  brands=brands, sources=src)


def _track(raw: RawResult) -> tuple[TrackPoint, ...]:
    out = []
    for r in raw.track:
        lat, lon = r.get("lat"), r.get("lon")
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        alt = r.get("alt_m")
        if alt is None and r.get("height_m") is not None:
            alt = None  # height above take-off is not an altitude
        out.append(TrackPoint(lat=lat, lon=lon, media_time_s=r.get("media_time_s"), time=r.get("time"),
                              alt_m=alt, speed_mps=r.get("speed_mps"), height_m=r.get("height_m"),
                              gimbal_yaw_deg=r.get("gimbal_yaw_deg"), gimbal_pitch_deg=r.get("gimbal_pitch_deg"),
                              flight_yaw_deg=r.get("flight_yaw_deg")))
    return tuple(out)


#: Longest duration a header may claim before it is ignored as garbage [s] (7 days: longer than any
#: real recording this library meets; CCTV exports run to hours, not weeks).
MAX_PLAUSIBLE_DURATION_S = 7 * 24 * 3600.0


def normalize(path: str, raw: RawResult, *, sidecar: RawResult | None = None,
              c2pa: C2PAInfo | None = None) -> Metadata:
    """Build the normalised :class:`Metadata` of one file from its parsers' raw output.

    Parameters
    ----------
    path : str
    raw : RawResult
        The container parser's output.
    sidecar : RawResult, optional
        A DJI SRT read next to the video; its track is used when the file has none.
    c2pa : C2PAInfo, optional
    """
    if raw.duration_s is not None and not 0.0 <= raw.duration_s <= MAX_PLAUSIBLE_DURATION_S:
        # a header's claim (e.g. an AVI whose strh.dwLength is 0xFFFFFFFF); it would also move the start
        # time derived from an end-of-recording clock by years
        raw.problems.append(Problem(
            "implausible_duration", f"the header claims a duration of {raw.duration_s:.0f} s; it is ignored"))
        raw.duration_s = None
    b = _Builder(raw)
    c = raw.container
    if c in ("mp4", "mov", "m4v", "3gp", "heic", "avif", "cr3"):
        _mp4_times(b)
        if raw.extra.get("gps") is not None or any(k.startswith("exif:") for k in b.tags):
            _exif_times(b)
    elif c in ("jpeg", "tiff"):
        _exif_times(b)
    else:
        _other_times(b)
    _iptc_samsung_times(b)
    if c == "dji_srt" and raw.track:
        r0 = raw.track[0]
        if r0.get("time") is not None:
            b.add(r0["time"], None, "local_unknown", "recording_start", "srt:cue[1]", r0.get("time_raw") or "",
                  "DJI SRT times are local wall-clock without zone")
    location = _location(b)
    track = _track(raw)
    tags = dict(raw.tags)
    if sidecar is not None:
        tags.update({f"sidecar:{k}": v for k, v in sidecar.tags.items()})
        for p in sidecar.problems:
            b.problem(p.code, p.message, f"sidecar:{p.source}")
        if not track:
            track = _track(sidecar)
        if sidecar.track and sidecar.track[0].get("time") is not None:
            r0 = sidecar.track[0]
            b.add(r0["time"], None, "local_unknown", "recording_start", "sidecar:srt:cue[1]",
                  r0.get("time_raw") or "", "DJI SRT times are local wall-clock without zone")
        if location is None and sidecar.track:
            r0 = sidecar.track[0]
            location = Location(r0["lat"], r0["lon"], "sidecar:srt:cue[1]", f"{r0['lat']},{r0['lon']}", r0.get("alt_m"))
    if location is not None and track:
        d = _dist_m(location.lat, location.lon, track[0].lat, track[0].lon)
        if d > 2000:
            b.problem("location_disagrees", f"file location is {d / 1000:.1f} km from the first telemetry sample",
                      location.source)
    if c2pa is not None and c2pa.capture_time is not None:
        ct = c2pa.capture_time
        if ct.tzinfo is not None:
            b.times.append(TimeTag(ct.astimezone(timezone.utc), "utc", "recording_start", "c2pa:capture",
                                   ct.isoformat(), int((ct.utcoffset() or timedelta(0)).total_seconds())))
    from .writer import fingerprint_writer

    writer = fingerprint_writer(raw.tags, raw.extra, c,
                                claim_generator=c2pa.claim_generator if c2pa is not None else None)
    times = _mark_written_times(b.times, writer, still=c in ("jpeg", "tiff", "heic", "avif", "cr3"))
    return Metadata(
        path=str(path), container=c, times=tuple(times), location=location, track=track,
        device=_device(b), duration_s=raw.duration_s, width=raw.width, height=raw.height,
        rotation_deg=raw.rotation_deg, video_codec=raw.video_codec, frame_rate=raw.frame_rate,
        c2pa=c2pa, writer=writer, problems=tuple(b.problems), raw=tags,
    )


#: time sources that the program writing the file stamps itself (not copied from the original)
_WRITE_STAMPS = ("mp4:moov/mvhd/", "mkv:Info/DateUTC", "asf:FileProperties/CreationDate", "/xmp:CreateDate",
                 "/xmp:ModifyDate", "/xmp:MetadataDate", "exif:Image DateTime", "flv:metadatadate",
                 "derived:mvhd-duration", "mxf:")


def _mark_written_times(times: list[TimeTag], writer: Writer, *, still: bool = False) -> list[TimeTag]:
    """Times an editor, platform or transcoder stamped when it wrote the file mean that, not filming.

    Editors get ``"export"``, platforms and transcoders ``"file_written"`` (``"mux"`` stays ``"mux"``).
    Tags the writer copies from the original (EXIF DateTimeOriginal, Apple creationdate, MDPM, a still's
    xmp:CreateDate) keep their meaning: they may still be the capture time, and a report weighs them with
    the writer in view.
    """
    if writer.kind not in ("editor", "platform", "transcoder"):
        return times
    new = "export" if writer.kind == "editor" else "file_written"
    # photo editors (Lightroom, Photoshop) copy the capture time into xmp:CreateDate; video editors stamp the render
    stamps = tuple(s for s in _WRITE_STAMPS if not (still and s == "/xmp:CreateDate"))
    out = []
    for t in times:
        if any(s in t.source for s in stamps) and t.meaning not in ("mux", new) and t.meaning != "modified":
            note = (f"{t.note}; " if t.note else "") + (
                f"written by {writer.name or writer.kind} ({writer.kind}) when it wrote the file: "
                "an upper bound for the filming time, not the filming time")
            t = TimeTag(t.value, t.tz_state, new, t.source, t.raw, t.utc_offset_s, note)  # type: ignore[arg-type]
        out.append(t)
    return out


def _dist_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(a)))
