"""DJI drone SRT telemetry sidecars (six known layouts).

Layouts (the coordinate order differs between them, so each is recognised by its own
signature, never guessed from the numbers):

* ``[latitude: ..] [longitude: ..] [altitude: ..]`` with a ``YYYY-MM-DD hh:mm:ss,mmm,uuu``
  line (Air 2S, Mavic Air 2, Mini 2 ...): latitude first, altitude in metres.
* ``[latitude : ..] [longtitude : ..] [rel_alt: .. abs_alt: ..]`` (newer firmware spelling).
* ``GPS (lon, lat, n), D ..m, H ..m`` (Mavic Mini): **longitude first**, third number is not an
  altitude; height above take-off from ``H``.
* ``GPS (lon, lat, n), HOME (lon, lat, alt), ... H ..m`` (Phantom 4 RTK): longitude first.
* ``GPS(lat,lon,altM) BAROMETER:..M`` with ``YYYY.MM.DD hh:mm:ss`` (Matrice 300): **latitude
  first**, altitude with an ``M`` suffix.
* ``HOME(lon,lat) YYYY.MM.DD hh:mm:ss`` / ``GPS(lon,lat,n) BAROMETER:..`` (Mavic Pro):
  longitude first.

None states a time zone: cue times are local wall-clock (naive).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any, BinaryIO

from ._raw import RawResult

__all__ = ["parse_dji_srt", "parse_srt_text"]

log = logging.getLogger(__name__)

_MAX_BYTES = 64 * 1024 * 1024
_MAX_CUES = 500_000
_TS = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})")
_NUM = r"(-?\d+(?:\.\d+)?)"
_BRACKET = {k: re.compile(rf"\[\s*{k}\s*:\s*{_NUM}", re.I) for k in ("latitude", "longitude", "longtitude", "altitude")}
# Mavic 3 and later put two values in one bracket: "[rel_alt: 1.300 abs_alt: 25.123]"
_ALT_IN = {k: re.compile(rf"\b{k}\s*:\s*{_NUM}", re.I) for k in ("abs_alt", "rel_alt")}
# gimbal and aircraft attitude: "[gb_yaw: -12.3 gb_pitch: -90.0 gb_roll: 0.0]", "F.PRY (p°, r°, y°)", "G.PRY (...)"
_KV = {k: re.compile(rf"\b{k}\s*:\s*{_NUM}", re.I) for k in ("gb_yaw", "gb_pitch", "gb_roll", "flight_yaw",
                                                               "flycYaw", "gimbal_yaw", "drone_yaw")}
_PRY = {k: re.compile(rf"{k}\s*\(\s*{_NUM}\s*°?\s*,\s*{_NUM}\s*°?\s*,\s*{_NUM}\s*°?\s*\)", re.I)
        for k in ("F.PRY", "G.PRY")}
_GPS_M300 = re.compile(rf"GPS\(\s*{_NUM}\s*,\s*{_NUM}\s*,\s*{_NUM}\s*M\s*\)", re.I)
_GPS_PAREN = re.compile(rf"GPS\s*\(\s*{_NUM}\s*,\s*{_NUM}\s*(?:,\s*{_NUM})?\s*\)")
_HOME = re.compile(rf"HOME\s*\(\s*{_NUM}\s*,\s*{_NUM}")
_H = re.compile(rf"(?:^|[\s,])H\s+{_NUM}\s*m", re.M)
_BARO = re.compile(rf"BAROMETER\s*:\s*{_NUM}", re.I)
_DT_DASH = re.compile(r"(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})(?:[,.](\d{1,3}))?(?:[,.](\d{1,3}))?")
_DT_DOT = re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:,(\d{1,3}))?(?:,(\d{1,3}))?")
_TAG = re.compile(r"<[^>]+>")


def _secs(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000.0


def _cue_time(text: str) -> tuple[datetime | None, str | None]:
    m = _DT_DASH.search(text)
    if m:
        y, mo, d, hh, mi, ss, ms, us = m.groups()
        micro = int((ms or "0").ljust(3, "0")) * 1000 + int((us or "0").ljust(3, "0"))
        try:
            return datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss), micro), m.group(0)
        except ValueError:
            return None, m.group(0)
    m = _DT_DOT.search(text)
    if m:
        y, mo, d, hh, mi, ss, ms, us = m.groups()
        micro = int((ms or "0").ljust(3, "0")) * 1000 + int((us or "0").ljust(3, "0"))
        try:
            return datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss), micro), m.group(0)
        except ValueError:
            return None, m.group(0)
    return None, None


def _position(text: str) -> tuple[dict[str, Any] | None, str]:
    lat = _BRACKET["latitude"].search(text)
    lon = _BRACKET["longitude"].search(text) or _BRACKET["longtitude"].search(text)
    if lat and lon:
        alt = _ALT_IN["abs_alt"].search(text) or _BRACKET["altitude"].search(text)
        pos0: dict[str, Any] = {"lat": float(lat.group(1)), "lon": float(lon.group(1)),
                                "alt_m": float(alt.group(1)) if alt else None}
        rel = _ALT_IN["rel_alt"].search(text)
        if rel:
            pos0["height_m"] = float(rel.group(1))
        return pos0, "bracket"
    m = _GPS_M300.search(text)
    if m:
        return {"lat": float(m.group(1)), "lon": float(m.group(2)), "alt_m": float(m.group(3))}, "m300"
    m = _GPS_PAREN.search(text)
    if m:
        # every other "GPS (a, b, n)" layout is longitude first
        pos: dict[str, Any] = {"lat": float(m.group(2)), "lon": float(m.group(1)), "alt_m": None}
        h = _H.search(text)
        b = _BARO.search(text)
        if h:
            pos["height_m"] = float(h.group(1))
        elif b:
            pos["height_m"] = float(b.group(1))
        if m.group(3) is not None:
            pos["n"] = float(m.group(3))
        return pos, "lon_first"
    return None, ""


_MAX_BLOCK = 4096


def _blocks(text: str) -> list[str]:
    """Split SRT text into cue blocks at blank lines (linear; each block cut to 4 KiB so that no
    regular expression ever runs over a long garbled stretch)."""
    out: list[str] = []
    cur: list[str] = []
    size = 0
    for line in text.splitlines():
        if not line.strip():
            if cur:
                out.append("\n".join(cur))
                cur, size = [], 0
            continue
        if size < _MAX_BLOCK:
            cur.append(line[:_MAX_BLOCK])
            size += len(cur[-1]) + 1
    if cur:
        out.append("\n".join(cur))
    return out


def parse_srt_text(text: str) -> RawResult:
    """Parse DJI SRT text into cues.

    Returns
    -------
    RawResult
        ``track`` rows with ``media_time_s`` [s] (cue start), ``time`` (naive local or None),
        ``lat``, ``lon`` [deg], ``alt_m`` [m] or None, ``height_m`` (above take-off);
        ``extra["cues"]`` the cue count, ``extra["layout"]`` the layout name.
    """
    res = RawResult(container="dji_srt")
    blocks = _blocks(text.replace("\ufeff", ""))
    cues = 0
    layouts: set[str] = set()
    bad = 0
    timed_by_clock = 0
    for block in blocks:
        m = _TS.search(block)
        if not m and not (re.match(r"\s*\d+\s*\n", block) and _cue_time(block)[0] is not None):
            continue
        cues += 1
        if cues > _MAX_CUES:
            res.problem("too_many_cues", f"more than {_MAX_CUES} cues; rest ignored", "srt")
            break
        body = _TAG.sub(" ", block[m.end():]) if m else _TAG.sub(" ", block.split("\n", 1)[-1])
        t, traw = _cue_time(body)
        if m:
            start: float | None = _secs(*m.groups()[:4])
        else:
            # Mavic 2 "style" cues carry no timing: media time from the cue clock relative to the first cue
            t0 = next((r["time"] for r in res.track if r.get("time") is not None), t)
            start = (t - t0).total_seconds() if t is not None and t0 is not None else None
            timed_by_clock += 1
        pos, layout = _position(body)
        if pos is not None:
            pos.update(_attitude(body))
        if pos is None:
            bad += 1
            continue
        if not (-90 <= pos["lat"] <= 90 and -180 <= pos["lon"] <= 180):
            res.problem("bad_position", f"cue {cues}: position out of range", "srt")
            continue
        layouts.add(layout)
        row = {"kind": "SRT", "media_time_s": start, "time": t, "time_raw": traw, **pos}
        res.track.append(row)
    res.extra["cues"] = cues
    res.extra["layout"] = ",".join(sorted(layouts))
    res.tags["srt:cues"] = cues
    if res.track:
        res.tags["srt:first_position"] = f"{res.track[0]['lat']},{res.track[0]['lon']}"
        if res.track[0].get("time_raw"):
            res.tags["srt:first_time"] = res.track[0]["time_raw"]
    if timed_by_clock:
        res.extra["layout"] += ",no_timing"
        res.problem("srt_no_timing", f"{timed_by_clock} cues carry no SRT timing; media time taken from the cue "
                    "clock relative to the first cue", "srt")
    if cues == 0:
        res.problem("no_cues", "no SRT cues found", "srt")
    elif bad:
        res.problem("cues_without_position", f"{bad} of {cues} cues carry no position", "srt")
    for block in reversed(blocks):
        m = _TS.search(block)
        if m:
            res.duration_s = _secs(*m.groups()[4:])
            break
    if res.duration_s is None and res.track and res.track[-1].get("media_time_s") is not None:
        res.duration_s = res.track[-1]["media_time_s"]
    return res


def _attitude(text: str) -> dict[str, float]:
    """Gimbal (camera) and aircraft yaw/pitch [deg] of one cue, where the layout states them."""
    out: dict[str, float] = {}
    for key, name in (("gb_yaw", "gimbal_yaw_deg"), ("gimbal_yaw", "gimbal_yaw_deg"), ("gb_pitch", "gimbal_pitch_deg"),
                      ("flight_yaw", "flight_yaw_deg"), ("flycYaw", "flight_yaw_deg"), ("drone_yaw", "flight_yaw_deg")):
        m = _KV[key].search(text)
        if m and name not in out:
            out[name] = float(m.group(1))
    for key, prefix in (("F.PRY", "flight"), ("G.PRY", "gimbal")):
        m = _PRY[key].search(text)
        if m:  # pitch, roll, yaw
            out.setdefault(f"{prefix}_pitch_deg", float(m.group(1)))
            out.setdefault(f"{prefix}_yaw_deg", float(m.group(3)))
    return out


def parse_dji_srt(fh: BinaryIO) -> RawResult:
    """Parse a DJI SRT file object (reads at most 64 MiB)."""
    data = fh.read(_MAX_BYTES)
    return parse_srt_text(data.decode("utf-8", "replace"))
