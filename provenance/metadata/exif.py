"""EXIF of stills (JPEG, HEIC, TIFF) through exifread, plus the JPEG frame size.

Reads DateTimeOriginal/DateTimeDigitized/DateTime with OffsetTime* and SubSec*, GPS
(latitude, longitude, altitude, date and time stamp, direction, positioning error), Make,
Model, Software; every other tag is kept raw (printable text).
"""

from __future__ import annotations

import logging
import struct
from fractions import Fraction
from typing import Any, BinaryIO

from ._raw import BoundedReader, RawResult

__all__ = ["jpeg_size", "parse_exif"]

log = logging.getLogger(__name__)

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _num(v: Any) -> float | None:
    try:
        if hasattr(v, "num") and hasattr(v, "den"):
            return None if v.den == 0 else v.num / v.den
        return float(Fraction(v)) if isinstance(v, str) else float(v)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _dms(values: Any) -> float | None:
    try:
        parts = [_num(x) for x in list(values)[:3]]
    except TypeError:
        return None
    if not parts or any(p is None for p in parts):
        return None
    while len(parts) < 3:
        parts.append(0.0)
    return parts[0] + parts[1] / 60.0 + parts[2] / 3600.0


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

    res = RawResult(container=container)
    reader = BoundedReader(fh)
    if container == "jpeg":
        size = jpeg_size(reader)
        if size:
            res.width, res.height = size
        res.video_codec = "mjpeg"  # as FFmpeg names a JPEG still
        res.rotation_deg = 0
    fh.seek(0)
    try:
        tags = exifread.process_file(fh, details=False, strict=False)
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
        w = _num(res.tags.get("exif:EXIF ExifImageWidth", "x").split()[0]) if "exif:EXIF ExifImageWidth" in res.tags else None
        h = _num(res.tags.get("exif:EXIF ExifImageLength", "x").split()[0]) if "exif:EXIF ExifImageLength" in res.tags else None
        if w and h:
            res.width, res.height = int(w), int(h)
    if not tags:
        res.problem("no_exif", "no EXIF found", "exif")
    from .iptc import read_jpeg_iptc, read_samsung_trailer

    if container == "jpeg":
        read_jpeg_iptc(reader, res)
    read_samsung_trailer(reader, res)
    return res
