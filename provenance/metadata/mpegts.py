"""MPEG-TS / AVCHD (.mts/.m2ts): the camcorder MDPM record in H.264 SEI user data.

AVCHD camcorders store recording date, time *and time zone* in an unregistered-user-data SEI
message (UUID ``17ee8c60-f84d-11d9-8cd6-0800200c9a66`` followed by ``MDPM``).  Only the first
few MiB are scanned; transport packets are de-multiplexed per PID so that a message split
across packets is reassembled.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import BinaryIO

from ._raw import BoundedReader, RawResult

__all__ = ["parse_mdpm", "parse_mpegts", "unescape_rbsp"]

log = logging.getLogger(__name__)

_MDPM_UUID = bytes.fromhex("17ee8c60f84d11d98cd60800200c9a66")
_SCAN_BYTES = 4 * 1024 * 1024
_MAKES = {0x0103: "Panasonic", 0x0108: "Sony", 0x1011: "Canon", 0x1104: "JVC"}


def unescape_rbsp(data: bytes) -> bytes:
    """Remove H.264/H.265 emulation-prevention bytes: every ``00 00 03`` becomes ``00 00``.

    An encoder inserts ``03`` after two zero bytes whenever the next byte is 00-03, so that no start
    code appears inside a NAL unit (ITU-T H.264 section 7.4.1); the SEI payload is only readable
    once they are removed.
    """
    if b"\x00\x00\x03" not in data:
        return data
    out = bytearray()
    zeros = 0
    for byte in data:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _bcd(b: int) -> int:
    return (b >> 4) * 10 + (b & 0x0F)


def parse_mdpm(data: bytes) -> dict[str, object]:
    """Decode an MDPM block (bytes after ``MDPM``): date/time with zone, make code.

    Returns
    -------
    dict
        ``datetime`` (aware, with the camera's offset) and ``raw`` text, ``utc_offset_s``,
        ``dst`` flag, ``make`` when present.
    """
    out: dict[str, object] = {}
    if not data:
        return out
    n = data[0]
    pos = 1
    fields: dict[int, bytes] = {}
    for _ in range(min(n, 255)):
        if pos + 5 > len(data):
            break
        fields.setdefault(data[pos], data[pos + 1:pos + 5])
        pos += 5
    a, b = fields.get(0x18), fields.get(0x19)
    if a and b:
        tz = a[0]
        try:
            year = _bcd(a[1]) * 100 + _bcd(a[2])
            dt = datetime(year, _bcd(a[3]), _bcd(b[0]), _bcd(b[1]), _bcd(b[2]), _bcd(b[3]))
        except ValueError:
            dt = None
        if dt is not None:
            # time-zone byte: bit 5 = negative, bits 4..1 = hours, bit 0 = +30 min, bit 6 = DST
            off = ((tz >> 1) & 0x0F) * 3600 + (1800 if tz & 0x01 else 0)
            if tz & 0x20:
                off = -off
            out["utc_offset_s"] = off
            out["dst"] = bool(tz & 0x40)
            out["datetime"] = dt.replace(tzinfo=timezone(timedelta(seconds=off)))
            sign = "-" if off < 0 else "+"
            out["raw"] = f"{dt:%Y:%m:%d %H:%M:%S}{sign}{abs(off) // 3600:02d}:{abs(off) % 3600 // 60:02d}"
    mk = fields.get(0xE0)
    if mk:
        code = int.from_bytes(mk[:2], "big")
        out["make_code"] = code
        if code in _MAKES:
            out["make"] = _MAKES[code]
    # Sony writes the model name as text in tags 0xE4 onwards (4 bytes each, NUL padded), as ExifTool reads it
    model = b"".join(fields.get(t, b"") for t in range(0xE4, 0xEC)).split(b"\0", 1)[0]
    if model and all(32 <= c < 127 for c in model):
        out["model"] = model.decode("ascii").strip()
    return out


def parse_mpegts(fh: BinaryIO) -> RawResult:
    """Scan an MPEG transport stream for the AVCHD MDPM record.

    Returns
    -------
    RawResult
        ``tags["h264:MDPM/DateTimeOriginal"]`` (text with offset) and ``extra["mdpm"]``.
    """
    r = BoundedReader(fh)
    res = RawResult(container="mpegts")
    head = r.read(0, 8)
    stride, lead = (192, 4) if len(head) >= 5 and head[4] == 0x47 and head[0] != 0x47 else (188, 0)
    data = r.read(0, _SCAN_BYTES)
    per_pid: dict[int, bytearray] = {}
    pos = 0
    while pos + stride <= len(data):
        pkt = data[pos + lead:pos + stride]
        pos += stride
        if pkt[0] != 0x47:
            res.problem("ts_sync_lost", "transport stream lost sync", "mpegts")
            break
        pid = ((pkt[1] & 0x1F) << 8) | pkt[2]
        afc = (pkt[3] >> 4) & 0x3
        off = 4
        if afc in (2, 3):
            off += 1 + pkt[4]
        if afc in (1, 3) and off < len(pkt):
            per_pid.setdefault(pid, bytearray()).extend(pkt[off:])
    if pos < len(data) and pos + stride > len(data) and len(data) < _SCAN_BYTES and len(data) % stride:
        res.problem("truncated", "last transport packet is incomplete (file truncated)", "mpegts")
    for buf in per_pid.values():
        i = bytes(buf).find(_MDPM_UUID + b"MDPM")
        if i < 0 and b"MDPM" in buf:
            # the UUID itself may carry emulation-prevention bytes; search the unescaped stream
            buf = bytearray(unescape_rbsp(bytes(buf)))
            i = bytes(buf).find(_MDPM_UUID + b"MDPM")
        if i >= 0:
            info = parse_mdpm(unescape_rbsp(bytes(buf[i + 20:i + 20 + 1600]))[:1200])
            res.extra["mdpm"] = info
            if "raw" in info:
                res.tags["h264:MDPM/DateTimeOriginal"] = info["raw"]
            if "make" in info:
                res.tags["h264:MDPM/Make"] = info["make"]
            elif "make_code" in info:
                res.tags["h264:MDPM/MakeCode"] = info["make_code"]
            if "model" in info:
                res.tags["h264:MDPM/Model"] = info["model"]
            break
    return res
