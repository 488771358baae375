"""DV (IEC 61834 / SMPTE 314M DIF stream) parser: recording date and time, frame size, rate, duration.

A DIF stream is a sequence of 80-byte blocks.  The recording date and time are 5-byte packs in the
VAUX and subcode blocks: pack ``0x62`` (date: day, month, year in BCD) and ``0x63`` (time: frames,
seconds, minutes, hours in BCD).  They are the camcorder's wall clock with no zone.  Only the first
frames (at most 1.5 MB) are scanned.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from ._raw import BoundedReader, RawResult

__all__ = ["parse_dv"]

_SCAN = 1_500_000


def _bcd(b: int) -> int:
    return (b >> 4) * 10 + (b & 0x0F)


def _packs(data: bytes):
    """Yield the 5-byte packs of the VAUX (section 2) and subcode (section 1) DIF blocks."""
    for pos in range(0, len(data) - 79, 80):
        sct = data[pos] >> 5
        if sct == 2:
            for i in range(15):
                yield data[pos + 3 + 5 * i:pos + 8 + 5 * i]
        elif sct == 1:
            for i in range(6):
                q = pos + 3 + 8 * i + 3
                yield data[q:q + 5]


def parse_dv(fh: BinaryIO) -> RawResult:
    """Parse a raw DV DIF file object.

    Returns
    -------
    RawResult
        ``tags["dv:DateTimeOriginal"]`` (``YYYY:MM:DD hh:mm:ss``, no zone), size, frame rate and duration.
    """
    r = BoundedReader(fh)
    res = RawResult(container="dv")
    data = r.read(0, _SCAN)
    if len(data) < 80 or data[0] >> 5 != 0:
        res.problem("not_dv", "no DIF header block at the start", "dv")
        return res
    pal = bool(data[3] & 0x80)  # DSF: 625/50 system
    res.width, res.height = 720, (576 if pal else 480)
    res.frame_rate = 25.0 if pal else 30000 / 1001
    frame_bytes = 144_000 if pal else 120_000
    res.duration_s = r.size / frame_bytes / res.frame_rate
    res.video_codec = "dvvideo"
    res.rotation_deg = 0
    date = time = None
    for p in _packs(data):
        if len(p) < 5 or p[1:] == b"\xff\xff\xff\xff":
            continue
        if p[0] == 0x62 and date is None:
            yy = _bcd(p[4])
            date = (yy + (2000 if yy < 25 else 1900), _bcd(p[3] & 0x1F), _bcd(p[2] & 0x3F))
        elif p[0] == 0x63 and time is None:
            time = (_bcd(p[4] & 0x3F), _bcd(p[3] & 0x7F), _bcd(p[2] & 0x7F))
        if date and time:
            break
    if date and time:
        try:
            dt = datetime(*date, *time)
        except ValueError:
            res.problem("bad_time", f"DV recording date/time packs hold an impossible date {date} {time}", "dv")
        else:
            res.tags["dv:DateTimeOriginal"] = f"{dt:%Y:%m:%d %H:%M:%S}"
    res.tags["dv:VideoFormat"] = "625/50 (PAL)" if pal else "525/60 (NTSC)"
    return res
