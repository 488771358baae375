"""EXIF of stills (JPEG, HEIC, TIFF) through exifread, plus the JPEG frame size.

Reads DateTimeOriginal/DateTimeDigitized/DateTime with OffsetTime* and SubSec*, GPS
(latitude, longitude, altitude, date and time stamp, direction, positioning error), Make,
Model, Software; every other tag is kept raw (printable text).
"""

from __future__ import annotations

import io
import logging
import struct
from fractions import Fraction
from typing import Any, BinaryIO

from ._raw import BoundedReader, RawResult

__all__ = ["jpeg_size", "parse_exif"]

log = logging.getLogger(__name__)

#: largest TIFF/raw prefix handed to exifread [bytes]; IFDs and their values sit near the start
_MAX_TIFF_BYTES = 16 * 1024 * 1024
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _num(v: Any) -> float | None:
    try:
        if hasattr(v, "num") and hasattr(v, "den"):
            return None if v.den == 0 else v.num / v.den
        return float(Fraction(v)) if isinstance(v, str) else float(v)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _zero_over_zero(v: Any) -> bool:
    num = getattr(v, "num", getattr(v, "numerator", None))
    return num == 0 and getattr(v, "den", getattr(v, "denominator", 1)) == 0


def _dms(values: Any) -> float | None:
    try:
        vals = list(values)[:3]
        # 0/0 minutes or seconds (Nikon writes them when the fix is given in decimal minutes) count as 0
        parts = [0.0 if i and _zero_over_zero(x) else _num(x) for i, x in enumerate(vals)]
    except TypeError:
        return None
    nums = [p for p in parts if p is not None]
    if not parts or len(nums) != len(parts):
        return None
    while len(nums) < 3:
        nums.append(0.0)
    return nums[0] + nums[1] / 60.0 + nums[2] / 3600.0


def _jpeg_exif_block(reader: BoundedReader) -> bytes:
    """The TIFF block of the first ``Exif`` APP1 segment (walks at most 64 markers), or ``b""``."""
    pos = 2
    for _ in range(64):
        hdr = reader.read(pos, 4)
        if len(hdr) < 4 or hdr[0] != 0xFF or hdr[1] == 0xDA:
            return b""
        ln = struct.unpack(">H", hdr[2:4])[0]
        if ln < 2:
            return b""
        if hdr[1] == 0xE1:
            body = reader.read(pos + 4, ln - 2)
            if body.startswith(b"Exif\0\0") and body[6:10] in (b"II*\0", b"MM\0*"):
                return body[6:]
        pos += 2 + ln
    return b""


def jpeg_size(reader: BoundedReader) -> tuple[int, int] | None:
    """Width and height [px] from the first JPEG SOF marker (scans at most 64 segments)."""
    pos = 2
    for _ in range(64):
        hdr = reader.read(pos, 4)
        if len(hdr) < 4 or hdr[0] != 0xFF:
            return None
        marker = hdr[1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        ln = struct.unpack(">H", hdr[2:4])[0]
        if marker in _SOF:
            b = reader.read(pos + 4, 5)
            if len(b) < 5:
                return None
            h, w = struct.unpack(">HH", b[1:5])
            return w, h
        if marker == 0xDA or ln < 2:
            return None
        pos += 2 + ln
    return None


def parse_exif(fh: BinaryIO, container: str) -> RawResult:
    """Read EXIF from a JPEG/HEIC/TIFF file object.

    Returns
    -------
    RawResult
        ``tags`` keyed ``"exif:<IFD> <Tag>"`` (exifread's names) with printable values;
        ``extra["gps"]`` holds decoded ``lat``, ``lon`` [deg], ``alt_m`` [m], ``heading_deg``,
        ``hpe_m``, ``date``, ``time`` (h, m, s) when present.
    """
    import exifread  # core dependency; imported lazily to keep `import provenance` fast
    # exifread logs 'Possibly corrupted field' warnings with no handler of its own, so Python's last-resort
    # handler would print them from inside this library; the caller's logging configuration still applies
    _quiet = logging.getLogger("exifread")
    if not _quiet.handlers:
        _quiet.addHandler(logging.NullHandler())

    res = RawResult(container=container)
    reader = BoundedReader(fh)
    if container == "jpeg":
        size = jpeg_size(reader)
        if size:
            res.width, res.height = size
        res.video_codec = "mjpeg"  # as FFmpeg names a JPEG still
        res.rotation_deg = 0
    from .tiff import sanitize_tiff

    # exifread gets only the TIFF block, in memory, with entry counts clipped to the block (sanitize_tiff):
    # it reads count x size bytes in one call, and on a real file object a damaged count makes that read
    # allocate gigabytes up front (a fuzz case: 2.7 GB for an 8.7 kB CR2).  Handing it the block also reads
    # JPEGs where another APP1 (XMP) precedes the Exif one, which exifread's own JPEG walker gives up on.
    if container == "jpeg":
        blk = _jpeg_exif_block(reader)
    else:
        blk = reader.read(0, _MAX_TIFF_BYTES)
    try:
        tags = exifread.process_file(io.BytesIO(sanitize_tiff(blk)), details=False, strict=False) if blk else {}
    except Exception as exc:  # exifread raises many internal types on garbage
        res.problem("exif_unreadable", f"EXIF could not be read ({type(exc).__name__}: {exc})", "exif")
        return res
    gps: dict[str, Any] = {}
    for name, tag in tags.items():
        if name in ("JPEGThumbnail", "TIFFThumbnail") or name.startswith("Thumbnail "):
            continue
        try:
            text = str(tag.printable)
        except Exception:  # pragma: no cover - defensive against odd tag objects
            continue
        res.tags[f"exif:{name}"] = text[:1024]
        vals = getattr(tag, "values", None)
        if name == "GPS GPSLatitude":
            gps["lat"] = _dms(vals)
        elif name == "GPS GPSLongitude":
            gps["lon"] = _dms(vals)
        elif name == "GPS GPSAltitude" and vals:
            gps["alt_m"] = _num(vals[0])
        elif name == "GPS GPSImgDirection" and vals:
            gps["heading_deg"] = _num(vals[0])
        elif name == "GPS GPSHPositioningError" and vals:
            gps["hpe_m"] = _num(vals[0])
        elif name == "GPS GPSTimeStamp" and vals:
            try:
                gps["time"] = tuple(_num(v) for v in list(vals)[:3])
            except TypeError:
                pass
        elif name == "GPS GPSDate":
            gps["date"] = text.strip()
    ref = res.tags.get("exif:GPS GPSLatitudeRef", "N")
    if gps.get("lat") is not None and ref.strip().upper().startswith("S"):
        gps["lat"] = -gps["lat"]
    ref = res.tags.get("exif:GPS GPSLongitudeRef", "E")
    if gps.get("lon") is not None and ref.strip().upper().startswith("W"):
        gps["lon"] = -gps["lon"]
    if gps.get("alt_m") is not None and res.tags.get("exif:GPS GPSAltitudeRef", "0").strip() in ("1", "[1]"):
        gps["alt_m"] = -gps["alt_m"]
    if gps:
        res.extra["gps"] = gps
    if res.width is None:
        w = h = None
        if "exif:EXIF ExifImageWidth" in res.tags and "exif:EXIF ExifImageLength" in res.tags:
            w = _num((res.tags["exif:EXIF ExifImageWidth"].split() or ["x"])[0])
            h = _num((res.tags["exif:EXIF ExifImageLength"].split() or ["x"])[0])
        if w and h:
            res.width, res.height = int(w), int(h)
    if res.width is None and container == "tiff" and "exif:Image SubIFDs" not in res.tags:
        # a plain TIFF's IFD0 is the image; raws (NEF, DNG, CR2) keep the full-size image in a SubIFD
        w, h = (_num((res.tags.get(f"exif:Image {k}", "x").split() or ["x"])[0]) for k in ("ImageWidth", "ImageLength"))
        if w and h:
            res.width, res.height = int(w), int(h)
    if not tags:
        res.problem("no_exif", "no EXIF found", "exif")
    from .iptc import parse_iptc, read_jpeg_iptc, read_samsung_trailer

    if container == "jpeg":
        read_jpeg_iptc(reader, res)
    elif container == "tiff":
        head = reader.read(0, 1 << 20)
        if res.width is None:
            from .tiff import largest_subifd_size

            size = largest_subifd_size(head)
            if size:
                res.width, res.height = size
        i = head.find(b"\x1c\x02\x00\x00\x02")  # IPTC-NAA tag data: record 2 opens with its version
        if i >= 0:
            res.tags.update(parse_iptc(head[i:i + 65536]))
    read_samsung_trailer(reader, res)
    return res
