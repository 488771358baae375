"""A small, bounded TIFF IFD reader for TIFF blocks embedded in other containers (Canon CR3 ``CMT1``-``CMT4``).

exifread expects a whole file and names tags after the IFD it starts in; a CR3 stores IFD0, the Exif IFD
and the GPS IFD as three separate TIFF blocks, each starting at its own header.  This reads one such
block's first IFD and files its entries under exifread's names (``"exif:Image Make"``,
``"exif:EXIF DateTimeOriginal"``, ``"exif:GPS GPSLatitude"``), so the normaliser treats them exactly like
a JPEG's EXIF.  Entry counts and offsets are checked against the block; nothing is trusted.
"""

from __future__ import annotations

import struct
from typing import Any

from ._raw import RawResult

__all__ = ["TAG_NAMES", "read_tiff_block"]

#: tag id -> name, per IFD kind (the provenance-relevant subset of TIFF/EXIF 2.32)
TAG_NAMES: dict[str, dict[int, str]] = {
    "Image": {0x010F: "Make", 0x0110: "Model", 0x0131: "Software", 0x0132: "DateTime", 0x013B: "Artist",
              0x0100: "ImageWidth", 0x0101: "ImageLength", 0x0112: "Orientation", 0x8298: "Copyright"},
    "EXIF": {0x9003: "DateTimeOriginal", 0x9004: "DateTimeDigitized", 0x9010: "OffsetTime",
             0x9011: "OffsetTimeOriginal", 0x9012: "OffsetTimeDigitized", 0x9290: "SubSecTime",
             0x9291: "SubSecTimeOriginal", 0x9292: "SubSecTimeDigitized", 0xA431: "BodySerialNumber",
             0xA434: "LensModel", 0xA002: "ExifImageWidth", 0xA003: "ExifImageLength", 0xA420: "ImageUniqueID"},
    "GPS": {0x0001: "GPSLatitudeRef", 0x0002: "GPSLatitude", 0x0003: "GPSLongitudeRef", 0x0004: "GPSLongitude",
            0x0005: "GPSAltitudeRef", 0x0006: "GPSAltitude", 0x0007: "GPSTimeStamp", 0x001D: "GPSDate",
            0x0011: "GPSImgDirection", 0x001F: "GPSHPositioningError"},
}
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8, 11: 4, 12: 8}
_MAX_ENTRIES = 1024


def _values(blk: bytes, bo: str, typ: int, count: int, field: bytes) -> Any:
    size = _SIZES.get(typ)
    if size is None or count <= 0 or count > 1 << 20:
        return None
    n = size * count
    if n <= 4:
        data = field[:n]
    else:
        off = struct.unpack(bo + "I", field)[0]
        if off + n > len(blk):
            return None
        data = blk[off:off + n]
    if typ == 2:
        return data.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
    if typ in (1, 7):
        return list(data)
    if typ in (5, 10):
        fmt = bo + ("I" if typ == 5 else "i") * (2 * count)
        nums = struct.unpack(fmt, data)
        return [(nums[i] / nums[i + 1]) if nums[i + 1] else None for i in range(0, len(nums), 2)]
    code = {3: "H", 4: "I", 9: "i", 11: "f", 12: "d"}[typ]
    return list(struct.unpack(bo + code * count, data))


def _text(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v) + "]" if len(v) != 1 \
            else (f"{v[0]:g}" if isinstance(v[0], float) else str(v[0]))
    return str(v)


def read_tiff_block(blk: bytes, ifd: str, res: RawResult, source: str) -> int:
    """Read the first IFD of a TIFF block into ``res.tags`` (exifread naming) and ``res.extra["gps"]``.

    Parameters
    ----------
    blk : bytes
        A TIFF block starting with ``II*\\0`` or ``MM\\0*``.
    ifd : str
        What the block's first IFD is: ``"Image"`` (IFD0), ``"EXIF"`` or ``"GPS"``.
    res : RawResult
        Receives the tags; a problem is listed when the block is unreadable.
    source : str
        Where the block was found, for the problem list.

    Returns
    -------
    int
        Number of entries read.
    """
    if blk[:4] not in (b"II*\0", b"MM\0*") or len(blk) < 8:
        res.problem("bad_tiff", "embedded TIFF block without a TIFF header", source)
        return 0
    bo = "<" if blk[:2] == b"II" else ">"
    off = struct.unpack_from(bo + "I", blk, 4)[0]
    if off + 2 > len(blk):
        res.problem("bad_tiff", "IFD offset past the end of the TIFF block", source)
        return 0
    n = min(struct.unpack_from(bo + "H", blk, off)[0], _MAX_ENTRIES, (len(blk) - off - 2) // 12)
    names = TAG_NAMES[ifd]
    gps = res.extra.setdefault("gps", {}) if ifd == "GPS" else None
    read = 0
    for i in range(n):
        p = off + 2 + 12 * i
        tag, typ, count = struct.unpack_from(bo + "HHI", blk, p)
        name = names.get(tag)
        if name is None:
            continue
        v = _values(blk, bo, typ, count, blk[p + 8:p + 12])
        if v is None:
            continue
        read += 1
        res.tags[f"exif:{ifd} {name}"] = _text(v)[:1024]
        if gps is not None and isinstance(v, list):
            if name in ("GPSLatitude", "GPSLongitude") and len(v) >= 3 and None not in v[:3]:
                gps["lat" if name == "GPSLatitude" else "lon"] = v[0] + v[1] / 60.0 + v[2] / 3600.0
            elif name == "GPSAltitude" and v and v[0] is not None:
                gps["alt_m"] = v[0]
            elif name == "GPSTimeStamp" and len(v) >= 3:
                gps["time"] = tuple(v[:3])
            elif name == "GPSImgDirection" and v:
                gps["heading_deg"] = v[0]
        elif gps is not None and name == "GPSDate":
            gps["date"] = str(v)
    if gps is not None:
        for key, ref, neg in (("lat", "GPSLatitudeRef", "S"), ("lon", "GPSLongitudeRef", "W")):
            if gps.get(key) is not None and res.tags.get(f"exif:GPS {ref}", "").upper().startswith(neg):
                gps[key] = -gps[key]
        if not gps:
            res.extra.pop("gps", None)
    return read
