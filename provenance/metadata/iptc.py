"""IPTC-IIM (Photoshop APP13 'IPTC-NAA' resource) and the Samsung trailer of JPEG/HEIC files.

IPTC-IIM records are ``1C <record> <dataset> <u16 length> <data>``; the ones kept are the
Application record's (2) DateCreated (2:55, ``CCYYMMDD``), TimeCreated (2:60, ``HHMMSS±HHMM``),
DigitalCreationDate/Time (2:62, 2:63), By-line (2:80), OriginatingProgram (2:65), City/Country and
SpecialInstructions (2:40, where Facebook writes its "FBMD01..." marker).
The Samsung trailer (``SEFH``/``SEFT`` at the end of the file) holds ``Image_UTC_Data``: the capture
instant in milliseconds since 1970 (UTC), as ExifTool's Samsung ``TimeStamp``.
"""

from __future__ import annotations

import re
import struct

from ._raw import BoundedReader, RawResult

__all__ = ["IPTC_NAMES", "parse_iptc", "read_jpeg_iptc", "read_samsung_trailer"]

IPTC_NAMES = {55: "DateCreated", 60: "TimeCreated", 62: "DigitalCreationDate", 63: "DigitalCreationTime",
              80: "By-line", 65: "OriginatingProgram", 70: "ProgramVersion", 90: "City", 101: "Country",
              116: "CopyrightNotice", 40: "SpecialInstructions"}
_UTC = re.compile(rb"Image_UTC_Data(\d{10,13})")


def parse_iptc(data: bytes) -> dict[str, str]:
    """IPTC-IIM application records (2:xx) in ``data`` -> ``{"iptc:DateCreated": "20040226", ...}``."""
    out: dict[str, str] = {}
    pos = data.find(b"\x1c\x02")
    n = 0
    while 0 <= pos and pos + 5 <= len(data) and n < 4096:
        n += 1
        if data[pos] != 0x1C:  # end of one record set; a second set (another IPTC block) may follow
            pos = data.find(b"\x1c\x02", pos + 1)
            continue
        rec, ds, ln = data[pos + 1], data[pos + 2], struct.unpack_from(">H", data, pos + 3)[0]
        if ln & 0x8000:  # extended length: not used for the text records kept here
            break
        val = data[pos + 5:pos + 5 + ln]
        if rec == 2 and ds in IPTC_NAMES:
            out.setdefault(f"iptc:{IPTC_NAMES[ds]}", val.decode("utf-8", "replace").strip("\0 "))
        pos += 5 + ln
    return out


def read_jpeg_iptc(reader: BoundedReader, res: RawResult) -> None:
    """Walk the JPEG markers up to the first scan and read the APP13 'Photoshop 3.0' IPTC block."""
    pos = 2
    for _ in range(128):
        hdr = reader.read(pos, 4)
        if len(hdr) < 4 or hdr[0] != 0xFF:
            return
        marker = hdr[1]
        if marker == 0xDA:
            return
        ln = struct.unpack(">H", hdr[2:4])[0]
        if ln < 2:
            return
        if marker == 0xED:
            body = reader.read(pos + 4, ln - 2)
            if body.startswith(b"Photoshop 3.0"):
                i = body.find(b"8BIM\x04\x04")
                if i >= 0:
                    res.tags.update(parse_iptc(body[i:]))
        elif marker == 0xE1:
            # an IPTC-NAA tag inside the Exif IFD0 (ExifTool's "IPTC2"): fills what APP13 does not give
            body = reader.read(pos + 4, ln - 2)
            i = body.find(b"\x1c\x02\x00\x00\x02") if body.startswith(b"Exif\0\0") else -1
            if i >= 0:
                for k, v in parse_iptc(body[i:]).items():
                    if v:
                        res.tags.setdefault(k, v)
        pos += 2 + ln


def read_samsung_trailer(reader: BoundedReader, res: RawResult) -> None:
    """Read Samsung's trailer TimeStamp (last 64 KiB of the file) when the file ends with ``SEFT``."""
    if reader.size < 8 or reader.read(reader.size - 4, 4) != b"SEFT":
        return
    tail = reader.read(max(0, reader.size - 65536), 65536)
    m = _UTC.search(tail)
    if m:
        res.tags["samsung:TimeStamp"] = m.group(1).decode()
