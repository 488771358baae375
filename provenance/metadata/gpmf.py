"""GoPro Metadata Format (GPMF) KLV parser: GPS5, GPS9, GPSU, GoPro Karma GLPI/SYST, settings.

Pure functions over bytes.  GPMF is a stream of key-length-value records: a 4-byte key,
1-byte type, 1-byte structure size, 2-byte repeat count (big-endian), then
``size * repeat`` bytes padded to 4.  Type 0 means the payload is nested GPMF.

References: the GPMF specification (github.com/gopro/gpmf-parser, README) and ExifTool's
GoPro module for the Karma ``GLPI``/``SYST`` layout.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["GpmfState", "iter_klv", "parse_gpmf", "parse_gpsu"]

log = logging.getLogger(__name__)

_FMT = {
    "b": ("b", 1), "B": ("B", 1), "c": ("c", 1), "s": ("h", 2), "S": ("H", 2),
    "l": ("i", 4), "L": ("I", 4), "f": ("f", 4), "d": ("d", 8), "F": ("4s", 4),
    "G": ("16s", 16), "j": ("q", 8), "J": ("Q", 8), "q": ("i", 4), "Q": ("q", 8),
    "U": ("16s", 16),
}
_MAX_DEPTH = 8
_MAX_ITEMS = 50_000
_EPOCH_2000 = datetime(2000, 1, 1, tzinfo=timezone.utc)
_UNIX = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: GPMF keys kept as device facts (key -> name).
SETTING_KEYS = {
    "DVNM": "device_name", "MINF": "model", "FMWR": "firmware", "CASN": "serial",
    "FWVS": "other_firmware", "VERS": "metadata_version",
}


@dataclass
class GpmfState:
    """State carried across the samples of one file (Karma SYST clock pairs, counters)."""

    syst: list[tuple[float, float]] = field(default_factory=list)
    items: int = 0
    settings: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def iter_klv(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[str, str, int, int, int]]:
    """Yield ``(key, type, struct_size, repeat, payload_offset)`` for each record in ``data``.

    Stops at a null key, at a record that would run past ``end``, or at garbage.
    """
    end = len(data) if end is None else min(end, len(data))
    pos = start
    while pos + 8 <= end:
        key_b, typ, ssize, repeat = struct.unpack_from(">4sBBH", data, pos)
        if key_b == b"\0\0\0\0":
            return
        size = ssize * repeat
        if pos + 8 + size > end:
            return
        try:
            key = key_b.decode("ascii")
        except UnicodeDecodeError:
            return
        yield key, (chr(typ) if typ else "\0"), ssize, repeat, pos + 8
        pos += 8 + ((size + 3) & ~3)


def _decode(data: bytes, off: int, typ: str, ssize: int, repeat: int, type_str: str | None) -> list[Any]:
    """Decode one record into a list of rows (each a list of values)."""
    rows: list[Any] = []
    if typ == "c":
        if repeat > 1 and ssize > 1:
            return [[data[off + i * ssize: off + (i + 1) * ssize].rstrip(b"\0 ").decode("latin-1")]
                    for i in range(repeat)]
        return [[data[off: off + ssize * repeat].rstrip(b"\0").decode("latin-1")]]
    if typ == "U":
        return [[data[off + i * 16: off + (i + 1) * 16].decode("latin-1")] for i in range(repeat) if ssize == 16]
    if typ == "?":
        if not type_str:
            return []
        fmt = ">"
        for ch in type_str:
            if ch not in _FMT:
                return []
            fmt += _FMT[ch][0]
        need = struct.calcsize(fmt)
        if need > ssize:
            return []
        for i in range(repeat):
            rows.append(list(struct.unpack_from(fmt, data, off + i * ssize)))
        return rows
    if typ not in _FMT:
        return []
    code, width = _FMT[typ]
    if width == 0 or ssize % width:
        return []
    per = ssize // width
    fmt = ">" + code * per
    for i in range(repeat):
        rows.append(list(struct.unpack_from(fmt, data, off + i * ssize)))
    return rows


def _scale(rows: list[list[Any]], scal: list[float] | None) -> list[list[float]]:
    if not scal:
        return [[float(v) for v in r] for r in rows]
    out = []
    for r in rows:
        out.append([float(v) / (scal[i % len(scal)] or 1.0) for i, v in enumerate(r)])
    return out


def parse_gpsu(text: str) -> datetime | None:
    """GPSU ``yymmddhhmmss.sss`` (UTC) -> aware datetime, ``None`` when garbled."""
    text = text.strip("\0 ")
    try:
        base = datetime.strptime(text[:12], "%y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    frac = text[12:]
    if frac.startswith(".") and frac[1:].isdigit():
        base += timedelta(seconds=float("0" + frac))
    return base


def syst_to_utc(value: float, syst: list[tuple[float, float]]) -> datetime | None:
    """Karma system clock [s] -> UTC via SYST (system, unix) pairs, as ExifTool does."""
    if not syst:
        return None
    s = sorted(syst)
    i, j = 0, len(s) - 1
    while j - i > 1:
        t = (i + j) // 2
        if value < s[t][0]:
            j = t
        else:
            i = t
    if i == j or s[j][0] == s[i][0]:
        unix = s[i][1]
    else:
        unix = s[i][1] + (s[j][1] - s[i][1]) * (value - s[i][0]) / (s[j][0] - s[i][0])
    try:
        return _UNIX + timedelta(seconds=unix)
    except OverflowError:
        return None


def parse_gpmf(data: bytes, state: GpmfState, *, depth: int = 0) -> list[dict[str, Any]]:
    """Parse one GPMF payload (a ``gpmd`` sample or the ``udta/GPMF`` box).

    Parameters
    ----------
    data : bytes
    state : GpmfState
        Carries Karma SYST clock pairs and device settings across samples.

    Returns
    -------
    list of dict
        GPS rows in order, each with ``lat``, ``lon`` [deg], ``alt_m`` [m], ``speed_mps`` [m/s]
        (when given), ``time`` (aware UTC when stated for that row or stream), ``fix`` and
        ``kind`` (``"GPS5"``, ``"GPS9"``, ``"GLPI"``), and ``row``/``rows`` (index within its
        record).
    """
    out: list[dict[str, Any]] = []
    _walk(data, 0, len(data), state, out, depth)
    return out


def _walk(data: bytes, start: int, end: int, state: GpmfState, out: list[dict[str, Any]], depth: int) -> None:
    if depth > _MAX_DEPTH:
        state.problems.append("GPMF nesting too deep")
        return
    scal: list[float] | None = None
    type_str: str | None = None
    gpsu: datetime | None = None
    gpsf: int | None = None
    gpsp: float | None = None
    for key, typ, ssize, repeat, off in iter_klv(data, start, end):
        state.items += 1
        if state.items > _MAX_ITEMS:
            state.problems.append("GPMF item limit reached")
            return
        size = ssize * repeat
        if typ == "\0":
            _walk(data, off, off + size, state, out, depth + 1)
            continue
        try:
            rows = _decode(data, off, typ, ssize, repeat, type_str)
        except (struct.error, UnicodeDecodeError):
            state.problems.append(f"GPMF {key} undecodable")
            continue
        if key == "SCAL":
            scal = [float(r[0]) for r in rows] if rows and len(rows[0]) == 1 else (
                [float(v) for v in rows[0]] if rows else None)
        elif key == "TYPE" and rows:
            type_str = str(rows[0][0])
        elif key in SETTING_KEYS and rows and isinstance(rows[0][0], str):
            state.settings.setdefault(SETTING_KEYS[key], rows[0][0].strip())
        elif key == "GPSU" and rows:
            gpsu = parse_gpsu(str(rows[0][0]))
        elif key == "GPSF" and rows:
            gpsf = int(rows[0][0])
        elif key == "GPSP" and rows:
            gpsp = float(rows[0][0]) / 100.0
        elif key == "SYST" and rows:
            for r in _scale(rows, scal):
                if len(r) >= 2:
                    state.syst.append((r[0], r[1]))
        elif key == "GPS5":
            sc = _scale(rows, scal)
            for i, r in enumerate(sc):
                if len(r) < 5:
                    continue
                out.append({"kind": "GPS5", "lat": r[0], "lon": r[1], "alt_m": r[2], "speed_mps": r[3],
                            "stream_time": gpsu, "fix": gpsf, "dop_m": gpsp, "row": i, "rows": len(sc)})
        elif key == "GPS9":
            sc = _scale(rows, scal)
            for i, r in enumerate(sc):
                if len(r) < 7:
                    continue
                t = None
                try:
                    t = _EPOCH_2000 + timedelta(days=r[5], seconds=r[6])
                except (OverflowError, ValueError):
                    t = None
                out.append({"kind": "GPS9", "lat": r[0], "lon": r[1], "alt_m": r[2], "speed_mps": r[3],
                            "time": t, "stream_time": gpsu, "fix": int(r[8]) if len(r) > 8 else gpsf,
                            "row": i, "rows": len(sc)})
        elif key == "GLPI":
            sc = _scale(rows, scal)
            for i, r in enumerate(sc):
                if len(r) < 4:
                    continue
                spd = None
                if len(r) >= 8:
                    spd = (r[5] ** 2 + r[6] ** 2) ** 0.5
                out.append({"kind": "GLPI", "lat": r[1], "lon": r[2], "alt_m": r[3], "speed_mps": spd,
                            "time": None, "system_time_s": r[0], "row": i, "rows": len(sc)})
