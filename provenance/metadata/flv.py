"""FLV (Flash video) parser: the ``onMetaData`` script tag (AMF0) with width, height, duration, frame rate,
``metadatacreator`` and ``metadatadate`` (an AMF0 date: ms since 1970 UTC plus the writer's offset).

Only the first script tag within the first 1 MiB is read; AMF0 nesting and item counts are capped.
"""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO

from ._raw import BoundedReader, RawResult

__all__ = ["parse_amf0", "parse_flv"]

_MAX_ITEMS = 2000
_MAX_DEPTH = 8
_CODECS = {2: "flv1", 3: "flashsv", 4: "vp6f", 5: "vp6a", 6: "flashsv2", 7: "h264", 12: "hevc"}


class _Amf:
    def __init__(self, b: bytes):
        self.b = b
        self.pos = 0
        self.items = 0

    def u(self, fmt: str) -> Any:
        v = struct.unpack_from(fmt, self.b, self.pos)
        self.pos += struct.calcsize(fmt)
        return v[0]

    def s(self, long: bool = False) -> str:
        n = self.u(">I" if long else ">H")
        v = self.b[self.pos:self.pos + n]
        self.pos += n
        return v.decode("utf-8", "replace")

    def value(self, depth: int = 0) -> Any:
        self.items += 1
        if self.items > _MAX_ITEMS or depth > _MAX_DEPTH:
            raise ValueError("AMF0 structure too large")
        t = self.u(">B")
        if t == 0:
            return self.u(">d")
        if t == 1:
            return bool(self.u(">B"))
        if t == 2:
            return self.s()
        if t == 12:
            return self.s(long=True)
        if t in (3, 8):
            if t == 8:
                self.pos += 4  # approximate count; the end marker decides
            out: dict[str, Any] = {}
            while self.pos + 3 <= len(self.b):
                key = self.s()
                if not key and self.b[self.pos:self.pos + 1] == b"\x09":
                    self.pos += 1
                    break
                out[key] = self.value(depth + 1)
                self.items += 1
                if self.items > _MAX_ITEMS:
                    raise ValueError("AMF0 structure too large")
            return out
        if t == 10:
            n = min(self.u(">I"), _MAX_ITEMS)
            return [self.value(depth + 1) for _ in range(n)]
        if t == 11:
            ms = self.u(">d")
            tz = self.u(">h")
            return ("date", ms, tz)
        if t in (5, 6):
            return None
        raise ValueError(f"AMF0 type {t} not supported")


def parse_amf0(b: bytes) -> list[Any]:
    """Decode consecutive AMF0 values (``["onMetaData", {...}]``); stops at the first undecodable byte."""
    a = _Amf(b)
    out: list[Any] = []
    try:
        while a.pos < len(b) and len(out) < 4:
            out.append(a.value())
    except (struct.error, ValueError, IndexError):
        pass
    return out


def parse_flv(fh: BinaryIO) -> RawResult:
    """Parse an FLV file object.

    Returns
    -------
    RawResult
        ``tags["flv:<name>"]`` for each ``onMetaData`` entry (lower-cased names), ``width``/``height``,
        ``duration_s`` [s], ``frame_rate`` and ``video_codec``.
    """
    r = BoundedReader(fh)
    res = RawResult(container="flv")
    head = r.read(0, 1 << 20)
    if len(head) < 13 or head[:3] != b"FLV":
        res.problem("truncated", "FLV header cut off", "flv")
        return res
    pos = struct.unpack_from(">I", head, 5)[0] + 4
    for _ in range(64):
        if pos + 11 > len(head):
            break
        typ = head[pos] & 0x1F
        size = int.from_bytes(head[pos + 1:pos + 4], "big")
        body = head[pos + 11:pos + 11 + size]
        if typ == 9 and res.video_codec is None and body:
            res.video_codec = _CODECS.get(body[0] & 0x0F)
        if typ == 18:
            vals = parse_amf0(body)
            if len(vals) >= 2 and vals[0] == "onMetaData" and isinstance(vals[1], dict):
                _meta(vals[1], res)
                break
        pos += 11 + size + 4
    return res


def _meta(meta: dict[str, Any], res: RawResult) -> None:
    for k, v in meta.items():
        key = f"flv:{k.lower()}"
        if isinstance(v, tuple) and v and v[0] == "date":
            _, ms, tz = v
            try:
                utc = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
            except (OverflowError, ValueError):
                continue
            local = utc + timedelta(minutes=tz)
            sign = "-" if tz < 0 else "+"
            res.tags[key] = f"{local:%Y-%m-%dT%H:%M:%S.%f}{sign}{abs(tz) // 60:02d}:{abs(tz) % 60:02d}"
        elif isinstance(v, (str, int, float, bool)):
            res.tags[key] = v
    w, h, d, fr = meta.get("width"), meta.get("height"), meta.get("duration"), meta.get("framerate")
    if isinstance(w, float) and isinstance(h, float) and w > 0 and h > 0:
        res.width, res.height = int(w), int(h)
    if isinstance(d, float) and d > 0:
        res.duration_s = d
    if isinstance(fr, float) and fr > 0:
        res.frame_rate = fr
    res.rotation_deg = 0
