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


def _ifd_entries(blk: bytes, bo: str, off: int) -> dict[int, tuple[int, int, bytes]]:
    if off + 2 > len(blk):
        return {}
    n = min(struct.unpack_from(bo + "H", blk, off)[0], _MAX_ENTRIES, (len(blk) - off - 2) // 12)
    out = {}
    for i in range(n):
        p = off + 2 + 12 * i
        tag, typ, count = struct.unpack_from(bo + "HHI", blk, p)
        out[tag] = (typ, count, blk[p + 8:p + 12])
    return out


def largest_subifd_size(blk: bytes) -> tuple[int, int] | None:
    """Width and height [px] of the largest image among IFD0's SubIFDs (the raw image of NEF/DNG/ARW)."""
    if blk[:4] not in (b"II*\0", b"MM\0*") or len(blk) < 8:
        return None
    bo = "<" if blk[:2] == b"II" else ">"
    ifd0 = _ifd_entries(blk, bo, struct.unpack_from(bo + "I", blk, 4)[0])
    sub = ifd0.get(0x014A)
    if sub is None:
        return None
    offs = _values(blk, bo, sub[0], sub[1], sub[2]) or []
    best = None
    for o in offs[:16]:
        if not isinstance(o, int):
            continue
        e = _ifd_entries(blk, bo, o)
        if 0x0100 in e and 0x0101 in e:
            w = (_values(blk, bo, *e[0x0100]) or [0])[0]
            h = (_values(blk, bo, *e[0x0101]) or [0])[0]
            if isinstance(w, int) and isinstance(h, int) and (best is None or w * h > best[0] * best[1]):
                best = (w, h)
    return best


#: IFD tags that point to further IFDs (Exif, GPS, Interoperability, SubIFDs)
_POINTERS = (0x8769, 0x8825, 0xA005, 0x014A)
_MAX_IFDS = 64


def sanitize_tiff(blk: bytes) -> bytes:
    """A copy of a TIFF block in which no IFD entry claims more data than the block holds.

    exifread trusts entry counts and reads ``count x size`` bytes in one call; on a file object a
    damaged count of a few billion makes that one read allocate gigabytes.  Each entry of every IFD
    reachable from the header (IFD chain, Exif, GPS, Interoperability, SubIFDs) whose data would run
    past the block gets its count cut to what fits (0 when nothing does); nothing else changes, so
    every intact tag reads as before.
    """
    if blk[:4] not in (b"II*\0", b"MM\0*") or len(blk) < 8:
        return blk
    bo = "<" if blk[:2] == b"II" else ">"
    out = bytearray(blk)
    todo = [struct.unpack_from(bo + "I", blk, 4)[0]]
    seen: set[int] = set()
    while todo and len(seen) < _MAX_IFDS:
        off = todo.pop()
        if off in seen or off < 8 or off + 2 > len(blk):
            continue
        seen.add(off)
        n = min(struct.unpack_from(bo + "H", blk, off)[0], _MAX_ENTRIES, (len(blk) - off - 2) // 12)
        for i in range(n):
            p = off + 2 + 12 * i
            tag, typ, count = struct.unpack_from(bo + "HHI", blk, p)
            size = _SIZES.get(typ, 1)
            if size * count > 4:
                data_off = struct.unpack_from(bo + "I", blk, p + 8)[0]
                fits = max(0, (len(blk) - data_off) // size) if data_off < len(blk) else 0
                if count > fits:
                    struct.pack_into(bo + "I", out, p + 4, fits)
                    count = fits
            if tag in _POINTERS and typ in (4, 13) and count:
                v = _values(blk, bo, 4, min(count, 16), blk[p + 8:p + 12])
                todo.extend(x for x in (v or []) if isinstance(x, int))
        nxt = off + 2 + 12 * n
        if nxt + 4 <= len(blk):
            todo.append(struct.unpack_from(bo + "I", blk, nxt)[0])
    return bytes(out)
