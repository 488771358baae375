"""ISO base media file format / QuickTime parser (mp4, mov, m4v, 3gp, heic).

Reads, without decoding media: ``ftyp`` brands; ``mvhd``/``tkhd``/``mdhd`` times (version 0
and 1, seconds since 1904-01-01) with timescale and duration; the display matrix; ``hdlr``
names; ``stsd`` codec, size and compressor name; ``udta`` strings (``©xyz``, ``©day``,
``©mak``, ``©mod``, ``©swr``, ``©too`` ...) and vendor atoms; ``meta``/``keys``/``ilst``
(``com.apple.quicktime.*``, ``com.android.*``, ``samsung.android.*`` ...); XMP packets; and
GoPro GPMF telemetry through the ``gpmd`` track's sample tables.

Nothing here trusts a size field: a box that claims more than its parent holds is clipped and
reported, sizes below the header length stop the level, depth and box count are capped, and
only ``moov``-like boxes are read into memory (``mdat`` is skipped by seeking).
"""

from __future__ import annotations

import logging
import math
import re
import struct
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO

from . import gpmf as _gpmf
from ._raw import MAX_DEPTH, MAX_ITEMS, MAX_READ, BoundedReader, RawResult, printable, short_hex

__all__ = ["EPOCH_1904", "parse_isobmff", "qt_time"]

log = logging.getLogger(__name__)

EPOCH_1904 = datetime(1904, 1, 1, tzinfo=timezone.utc)
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_CONTAINERS = {"moov", "trak", "mdia", "minf", "stbl", "udta", "edts", "dinf", "mvex", "tref", "gmhd"}
_MAX_GPMF_SAMPLES = 20_000
_MAX_SAMPLE_BYTES = 4 * 1024 * 1024

#: sample-entry fourcc -> ffprobe codec name
CODECS = {
    "avc1": "h264", "avc3": "h264", "hvc1": "hevc", "hev1": "hevc", "dvh1": "hevc", "dvhe": "hevc",
    "mp4v": "mpeg4", "jpeg": "mjpeg", "mjpa": "mjpeg", "mjpb": "mjpeg", "vp09": "vp9", "vp08": "vp8",
    "av01": "av1", "s263": "h263", "h263": "h263", "apch": "prores", "apcn": "prores", "apcs": "prores",
    "apco": "prores", "ap4h": "prores", "ap4x": "prores", "dvc ": "dvvideo", "dvcp": "dvvideo",
    "dv5n": "dvvideo", "dv5p": "dvvideo", "mp2v": "mpeg2video", "xvid": "mpeg4", "raw ": "rawvideo",
    "SVQ3": "svq3", "cvid": "cinepak", "png ": "png", "rle ": "qtrle", "hvc2": "hevc",
}


def qt_time(seconds: int) -> datetime | None:
    """Seconds since 1904-01-01 -> aware UTC datetime (``None`` for 0 or out of range)."""
    if seconds <= 0:
        return None
    try:
        return EPOCH_1904 + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _matrix_rotation(m: tuple[int, ...]) -> int:
    """Display matrix (a, b, u, c, d, v, x, y, w) -> rotation [deg] in ffprobe's convention."""
    a, b, c, d = m[0] / 65536.0, m[1] / 65536.0, m[3] / 65536.0, m[4] / 65536.0
    s0 = math.hypot(a, c)
    s1 = math.hypot(b, d)
    if s0 == 0 or s1 == 0:
        return 0
    rot = -math.degrees(math.atan2(b / s1, a / s0))
    r = int(round(rot))
    if r == -180:
        r = 180
    return 0 if r == 0 else r


class _Ctx:
    def __init__(self, res: RawResult, reader: BoundedReader):
        self.res = res
        self.reader = reader
        self.items = 0
        self.tracks: list[dict[str, Any]] = []
        self.cur: dict[str, Any] | None = None

    def count(self, where: str) -> bool:
        self.items += 1
        if self.items > MAX_ITEMS:
            self.res.problem("too_many_boxes", f"more than {MAX_ITEMS} boxes; stopped reading", where)
            return False
        return True


def _iter_boxes(buf: bytes, start: int, end: int, ctx: _Ctx, where: str):
    """Yield ``(type, payload_start, payload_end)`` of the boxes in ``buf[start:end]``."""
    pos = start
    end = min(end, len(buf))
    while pos + 8 <= end:
        if not ctx.count(where):
            return
        size, typ_b = struct.unpack_from(">I4s", buf, pos)
        hdr = 8
        if size == 1:
            if pos + 16 > end:
                ctx.res.problem("truncated_box", "64-bit box header cut off", where)
                return
            size = struct.unpack_from(">Q", buf, pos + 8)[0]
            hdr = 16
        elif size == 0:
            size = end - pos
        typ = typ_b.decode("latin-1")
        if size < hdr:
            ctx.res.problem("bad_box_size", f"box '{typ}' declares size {size} (< header); rest of level skipped",
                            f"{where}/{typ}")
            return
        box_end = pos + size
        if box_end > end:
            ctx.res.problem("box_exceeds_parent",
                            f"box '{typ}' declares {size} bytes but only {end - pos} remain; clipped (file truncated?)",
                            f"{where}/{typ}")
            box_end = end
        yield typ, pos + hdr, box_end
        pos = box_end


def parse_isobmff(fh: BinaryIO) -> RawResult:
    """Parse an ISO-BMFF/QuickTime file object.

    Parameters
    ----------
    fh : binary file object (seekable)

    Returns
    -------
    RawResult
        ``tags`` keyed ``"mp4:<box path>/<field>"``; ``track`` holds GPMF GPS rows.
    """
    reader = BoundedReader(fh)
    res = RawResult(container="mov")  # no ftyp: classic QuickTime
    ctx = _Ctx(res, reader)
    pos = 0
    top = 0
    seen_moov = False
    while pos + 8 <= reader.size:
        if not ctx.count("top"):
            break
        top += 1
        hdr_b = reader.read(pos, 16)
        if len(hdr_b) < 8:
            break
        size, typ_b = struct.unpack_from(">I4s", hdr_b, 0)
        hdr = 8
        if size == 1 and len(hdr_b) >= 16:
            size = struct.unpack_from(">Q", hdr_b, 8)[0]
            hdr = 16
        elif size == 0:
            size = reader.size - pos
        typ = typ_b.decode("latin-1")
        if size < hdr:
            res.problem("bad_box_size", f"top-level box '{typ}' declares size {size}; stopped", typ)
            break
        if pos + size > reader.size:
            res.problem("truncated", f"top-level box '{typ}' declares {size} bytes but only "
                        f"{reader.size - pos} remain: the file is truncated", typ)
        body_len = min(size, reader.size - pos) - hdr
        if typ == "ftyp":
            _ftyp(reader.read(pos + hdr, min(body_len, 4096)), res)
        elif typ in ("moov", "meta", "udta"):
            if body_len > MAX_READ:
                res.problem("box_too_large", f"'{typ}' of {body_len} bytes cut to {MAX_READ}", typ)
            body = reader.read(pos + hdr, body_len)
            if typ == "moov":
                seen_moov = True
                _container(body, 0, len(body), ctx, "moov", 1)
            elif typ == "meta":
                _meta(body, 0, len(body), ctx, "meta", 1, top_level=True)
            else:
                _container(body, 0, len(body), ctx, "udta", 1)
        elif typ == "mpvd":
            # Samsung Motion Photo: an embedded MP4 (the "live" part of the still)
            res.tags["mp4:mpvd/box_offset"] = pos
            res.tags["mp4:mpvd/offset"] = pos + hdr
            res.tags["mp4:mpvd/size"] = body_len
        elif typ == "uuid":
            body = reader.read(pos + hdr, min(body_len, 8 * 1024 * 1024))
            if body[:16] == _XMP_UUID:
                _xmp(body[16:], res, "mp4:uuid/XMP")
        pos += size
    if not seen_moov:
        res.problem("no_moov", "no 'moov' box found (file truncated or not a movie)", "moov")
    _finish(ctx)
    from .iptc import read_samsung_trailer

    read_samsung_trailer(reader, res)
    return res


def _ftyp(b: bytes, res: RawResult) -> None:
    if len(b) < 8:
        return
    major = b[:4].decode("latin-1")
    minor = struct.unpack_from(">I", b, 4)[0]
    compat = [b[i:i + 4].decode("latin-1") for i in range(8, len(b) - 3, 4)]
    res.tags["mp4:ftyp/major_brand"] = major
    res.tags["mp4:ftyp/minor_version"] = minor
    res.tags["mp4:ftyp/compatible_brands"] = compat
    brands = {major.strip(), *[c.strip() for c in compat]}
    res.container = "mp4"
    if major == "qt  ":
        res.container = "mov"
    elif brands & {"heic", "heix", "mif1", "msf1", "heim", "heis", "hevc", "avif"} and major != "mp42":
        res.container = "heic" if major != "avif" else "avif"
    elif major.startswith("3g"):
        res.container = "3gp"
    elif major.startswith("M4V"):
        res.container = "m4v"


def _container(buf: bytes, start: int, end: int, ctx: _Ctx, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        ctx.res.problem("too_deep", f"boxes nested deeper than {MAX_DEPTH}; skipped", path)
        return
    for typ, s, e in _iter_boxes(buf, start, end, ctx, path):
        p = f"{path}/{typ}"
        if typ == "trak":
            ctx.cur = {"index": len(ctx.tracks) + 1}
            ctx.tracks.append(ctx.cur)
            _container(buf, s, e, ctx, f"{path}/trak[{len(ctx.tracks)}]", depth + 1)
            ctx.cur = None
        elif typ == "udta":
            _udta(buf, s, e, ctx, p, depth + 1)
        elif typ == "meta":
            _meta(buf, s, e, ctx, p, depth + 1)
        elif typ in _CONTAINERS:
            _container(buf, s, e, ctx, p, depth + 1)
        elif typ == "mvhd":
            _mvhd(buf[s:e], ctx, p)
        elif typ == "tkhd":
            _tkhd(buf[s:e], ctx, p)
        elif typ == "mdhd":
            _mdhd(buf[s:e], ctx, p)
        elif typ == "hdlr":
            _hdlr(buf[s:e], ctx, p)
        elif typ == "stsd":
            _stsd(buf[s:e], ctx, p)
        elif typ in ("stts", "stsz", "stco", "co64", "stsc", "stz2") and ctx.cur is not None:
            ctx.cur[typ] = buf[s:e]
        elif typ == "uuid" and buf[s:s + 16] == _XMP_UUID:
            _xmp(buf[s + 16:e], ctx.res, f"mp4:{p}/XMP")
        elif typ == "uuid" and buf[s:s + 16] == _CANON_UUID:
            _canon_cr3(buf, s + 16, e, ctx, f"{p}/canon", depth + 1)


def _canon_cr3(buf: bytes, start: int, end: int, ctx: _Ctx, path: str, depth: int) -> None:
    """Canon CR3: CMT1 (IFD0), CMT2 (Exif IFD), CMT4 (GPS IFD) are whole TIFF blocks, CNCV the codec version."""
    from .tiff import read_tiff_block

    if depth > MAX_DEPTH:
        return
    for typ, s, e in _iter_boxes(buf, start, end, ctx, path):
        if typ == "CNCV":
            ctx.res.tags[f"mp4:{path}/CNCV"] = buf[s:e].split(b"\0", 1)[0].decode("latin-1")
        elif typ in ("CMT1", "CMT2", "CMT4"):
            ifd = {"CMT1": "Image", "CMT2": "EXIF", "CMT4": "GPS"}[typ]
            read_tiff_block(buf[s:e], ifd, ctx.res, f"mp4:{path}/{typ}")
            ctx.res.container = "cr3"


def _times(b: bytes, off: int, v: int) -> tuple[int, int, int]:
    if v == 1:
        c, m = struct.unpack_from(">QQ", b, off)
        return c, m, off + 16
    c, m = struct.unpack_from(">II", b, off)
    return c, m, off + 8


def _put_time(res: RawResult, key: str, secs: int) -> None:
    res.tags[key] = secs
    dt = qt_time(secs)
    res.tags[key + "_iso"] = dt.strftime("%Y-%m-%d %H:%M:%S") if dt else None


def _header_times(b: bytes, v: int) -> tuple[int, int, int, int]:
    """creation, modification [s since 1904], timescale [1/s] and duration [ticks] of an
    mvhd/mdhd payload of version ``v``; raises struct.error when it is too short."""
    c, m, off = _times(b, 4, v)
    ts = struct.unpack_from(">I", b, off)[0]
    dur = struct.unpack_from(">Q" if v == 1 else ">I", b, off + 4)[0]
    return c, m, ts, dur


def _mvhd(b: bytes, ctx: _Ctx, p: str) -> None:
    res = ctx.res
    if len(b) < 24:
        res.problem("truncated_box", "mvhd too short", p)
        return
    v = b[0]
    try:
        c, m, ts, dur = _header_times(b, v)
    except struct.error:
        res.problem("truncated_box", "mvhd too short", p)
        return
    res.tags[f"mp4:{p}/version"] = v
    _put_time(res, "mp4:moov/mvhd/creation_time", c)
    _put_time(res, "mp4:moov/mvhd/modification_time", m)
    res.tags["mp4:moov/mvhd/timescale"] = ts
    res.tags["mp4:moov/mvhd/duration"] = dur
    if ts:
        res.duration_s = dur / ts
    else:
        res.problem("zero_timescale", "mvhd timescale is 0; duration unknown", p)


def _tkhd(b: bytes, ctx: _Ctx, p: str) -> None:
    if ctx.cur is None or len(b) < 24:
        return
    v = b[0]
    try:
        c, m, off = _times(b, 4, v)
        tid = struct.unpack_from(">I", b, off)[0]
        off += 8 + (8 if v == 1 else 4) + 8 + 8
        matrix = struct.unpack_from(">9i", b, off)
        w, h = struct.unpack_from(">II", b, off + 36)
    except struct.error:
        ctx.res.problem("truncated_box", "tkhd too short", p)
        return
    t = ctx.cur
    t.update(tkhd_creation=c, tkhd_modification=m, track_id=tid, matrix=matrix,
             tk_width=w / 65536.0, tk_height=h / 65536.0)
    n = t["index"]
    _put_time(ctx.res, f"mp4:moov/trak[{n}]/tkhd/creation_time", c)
    _put_time(ctx.res, f"mp4:moov/trak[{n}]/tkhd/modification_time", m)
    ctx.res.tags[f"mp4:moov/trak[{n}]/tkhd/matrix"] = list(matrix)


def _mdhd(b: bytes, ctx: _Ctx, p: str) -> None:
    if ctx.cur is None or len(b) < 24:
        return
    v = b[0]
    try:
        c, m, ts, dur = _header_times(b, v)
    except struct.error:
        ctx.res.problem("truncated_box", "mdhd too short", p)
        return
    n = ctx.cur["index"]
    ctx.cur.update(timescale=ts, media_duration=dur)
    _put_time(ctx.res, f"mp4:moov/trak[{n}]/mdhd/creation_time", c)
    _put_time(ctx.res, f"mp4:moov/trak[{n}]/mdhd/modification_time", m)
    ctx.res.tags[f"mp4:moov/trak[{n}]/mdhd/timescale"] = ts
    ctx.res.tags[f"mp4:moov/trak[{n}]/mdhd/duration"] = dur


def _hdlr(b: bytes, ctx: _Ctx, p: str) -> None:
    if len(b) < 24:
        return
    htype = b[8:12].decode("latin-1")
    name_b = b[24:]
    name = ""
    if name_b:
        ln = name_b[0]
        if 0 < ln == len(name_b) - 1 or (0 < ln < len(name_b) and name_b[1:1 + ln].isascii()
                                         and b"\0" not in name_b[1:1 + ln] and name_b[0] < 32):
            name = name_b[1:1 + ln].decode("utf-8", "replace")
        else:
            name = name_b.split(b"\0", 1)[0].decode("utf-8", "replace")
    if ctx.cur is not None and p.endswith("/mdia/hdlr"):
        ctx.cur["handler_type"] = htype
        ctx.cur["handler_name"] = name
        n = ctx.cur["index"]
        ctx.res.tags[f"mp4:moov/trak[{n}]/mdia/hdlr/type"] = htype
        ctx.res.tags[f"mp4:moov/trak[{n}]/mdia/hdlr/name"] = name
    elif ctx.cur is not None:
        n = ctx.cur["index"]
        ctx.res.tags[f"mp4:moov/trak[{n}]/minf/hdlr/type"] = htype
        if name:
            ctx.cur.setdefault("data_handler_name", name)
            ctx.res.tags[f"mp4:moov/trak[{n}]/minf/hdlr/name"] = name
    else:
        ctx.res.tags[f"mp4:{p}/type"] = htype
        if name:
            ctx.res.tags[f"mp4:{p}/name"] = name


def _stsd(b: bytes, ctx: _Ctx, p: str) -> None:
    if ctx.cur is None or len(b) < 16:
        return
    n = ctx.cur["index"]
    esize, fmt_b = struct.unpack_from(">I4s", b, 8)
    fmt = fmt_b.decode("latin-1")
    ctx.cur["format"] = fmt
    ctx.res.tags[f"mp4:moov/trak[{n}]/stsd/format"] = fmt
    entry = b[8:8 + max(esize, 0)]
    if ctx.cur.get("handler_type") == "vide" and len(entry) >= 36:
        w, h = struct.unpack_from(">HH", entry, 32)
        ctx.cur.update(width=w, height=h)
        ctx.res.tags[f"mp4:moov/trak[{n}]/stsd/width"] = w
        ctx.res.tags[f"mp4:moov/trak[{n}]/stsd/height"] = h
        if len(entry) >= 82:
            ln = entry[50]
            if 0 < ln < 32:
                cname = entry[51:51 + ln].decode("latin-1").strip("\0")
                if cname:
                    ctx.cur["compressor"] = cname
                    ctx.res.tags[f"mp4:moov/trak[{n}]/stsd/compressor_name"] = cname


def _shown(text: str) -> str:
    """Text with control characters shown as ``\\xNN`` escapes (never a hex dump of the whole value)."""
    text = text.strip("\0").rstrip()
    return "".join(c if c.isprintable() or c in "\t\n" else f"\\x{ord(c):02x}" for c in text)


def _qt_string(b: bytes) -> str | None:
    """QuickTime udta string: u16 length, u16 language, text.

    Language codes below 0x400 are Macintosh language codes, whose text is Mac Roman (QuickTime File
    Format, "User data text"); above, packed ISO 639-2 codes with UTF-8 text.
    """
    if len(b) >= 4:
        ln, lang = struct.unpack_from(">HH", b, 0)
        if 0 < ln <= len(b) - 4:
            data = b[4:4 + ln]
            t = printable(data, limit=4096)
            if t is not None and (lang >= 0x400 or data.isascii()):
                return t
            try:
                return _shown(data.decode("utf-8"))
            except UnicodeDecodeError:
                return _shown(data.decode("mac_roman"))
    return None


def _3gpp_string(b: bytes) -> str | None:
    """3GPP asset string (TS 26.244 'titl', 'auth', 'dscp' ...): FullBox, u16 language, UTF-8 or UTF-16 text."""
    if len(b) < 6:
        return None
    data = b[6:]
    if data[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return _shown(data.decode("utf-16", "replace"))
    return _shown(data.split(b"\0", 1)[0].decode("utf-8", "replace"))


def _3gpp_loci(b: bytes) -> dict[str, Any] | None:
    """3GPP 'loci' (TS 26.244 8.10): name, role, longitude, latitude, altitude (16.16 fixed point), body, notes."""
    if len(b) < 7:
        return None
    pos = 6
    end = b.find(b"\0", pos)
    if end < 0 or end + 14 > len(b):
        return None
    name = b[pos:end].decode("utf-8", "replace")
    pos = end + 1
    role = b[pos]
    lon, lat, alt = struct.unpack_from(">iii", b, pos + 1)
    rest = b[pos + 13:].split(b"\0")
    out = {"name": name, "role": role, "lon": lon / 65536.0, "lat": lat / 65536.0, "alt_m": alt / 65536.0,
           "body": rest[0].decode("utf-8", "replace") if rest else ""}
    if not (-90 <= out["lat"] <= 90 and -180 <= out["lon"] <= 180):
        return None
    return out


#: 3GPP asset-information boxes holding one language-tagged string
_3GPP_STRINGS = {"titl", "dscp", "cprt", "perf", "auth", "gnre", "albm", "kywd", "clsf"}
#: Canon CR3 metadata box (ExifTool QuickTime/Canon 'uuid' 85c0b687-820f-11e0-8111-f4ce462b6a48)
_CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")


def _udta(buf: bytes, start: int, end: int, ctx: _Ctx, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    res = ctx.res
    for typ, s, e in _iter_boxes(buf, start, end, ctx, path):
        key = f"mp4:{path}/{typ}"
        body = buf[s:e]
        if typ == "meta":
            _meta(buf, s, e, ctx, f"{path}/meta", depth + 1)
            continue
        if typ == "XMP_":
            _xmp(body, res, key)
            continue
        if typ == "GPMF":
            st = _gpmf.GpmfState()
            _gpmf.parse_gpmf(body, st)
            for k, v in st.settings.items():
                res.tags[f"{key}/{k}"] = v
            continue
        if typ.startswith("\xa9"):
            text = _qt_string(body)
            if text is None and body[4:8] == b"data":
                text = _ilst_data(body[8:])  # iTunes-style item inside udta
            res.tags[key] = text if text is not None else short_hex(body)
            continue
        if typ in ("hdlr",):
            continue
        if typ == "loci":
            loc = _3gpp_loci(body)
            if loc is not None:
                res.tags[key] = (f"lat={loc['lat']:.5f} lon={loc['lon']:.5f} alt={loc['alt_m']:.2f} "
                                 f"role={loc['role']} body={loc['body']}")
                res.extra["loci"] = loc
                continue
        if typ in _3GPP_STRINGS and body[:4] == b"\0\0\0\0":
            text = _3gpp_string(body)
            if text is not None:
                res.tags[key] = text
                continue
        if typ == "TAGS" and body.startswith(b"PENTAX"):
            # Pentax movie tags: the make string opens the binary record (ExifTool Pentax::MOV)
            res.tags[f"{key}/Make"] = body[:24].split(b"\0", 1)[0].decode("latin-1").strip()
            res.tags[key] = short_hex(body)
            continue
        text = printable(body, limit=256)
        res.tags[key] = text if text is not None and text.strip() else short_hex(body)


def _meta(buf: bytes, start: int, end: int, ctx: _Ctx, path: str, depth: int, *, top_level: bool = False) -> None:
    if depth > MAX_DEPTH:
        return
    # ISO 'meta' is a FullBox (4 bytes version/flags); QuickTime's is not.
    if start + 8 <= end and buf[start + 4:start + 8] not in (b"hdlr", b"keys", b"ilst"):
        start += 4
    keys: list[str] = []
    for typ, s, e in _iter_boxes(buf, start, end, ctx, path):
        if typ == "hdlr":
            _hdlr(buf[s:e], ctx, f"{path}/hdlr")
        elif typ == "keys":
            keys = _keys(buf[s:e])
        elif typ == "ilst":
            _ilst(buf, s, e, ctx, path, keys)
        elif typ == "uuid" and buf[s:s + 16] == _XMP_UUID:
            _xmp(buf[s + 16:e], ctx.res, f"mp4:{path}/XMP")
        elif typ == "xml " and e - s > 4:
            _xmp(buf[s + 4:e], ctx.res, f"mp4:{path}/xml")
        elif top_level and typ in ("iinf", "iloc", "iprp", "pitm", "idat", "iref"):
            ctx.res.extra.setdefault("heif_boxes", []).append(typ)
            if typ in ("iinf", "iloc"):
                ctx.res.extra[f"heif_{typ}"] = buf[s:e][:1 << 20]
            if typ == "iprp":
                _iprp(buf, s, e, ctx, f"{path}/iprp", depth + 1)


def _iprp(buf: bytes, start: int, end: int, ctx: _Ctx, path: str, depth: int) -> None:
    """HEIF item properties: take the largest ``ispe`` as the image size."""
    for typ, s, e in _iter_boxes(buf, start, end, ctx, path):
        if typ == "ipco":
            for t2, s2, e2 in _iter_boxes(buf, s, e, ctx, f"{path}/ipco"):
                if t2 == "ispe" and e2 - s2 >= 12:
                    w, h = struct.unpack_from(">II", buf, s2 + 4)
                    best = ctx.res.extra.get("ispe")
                    if best is None or w * h > best[0] * best[1]:
                        ctx.res.extra["ispe"] = (w, h)
                elif t2 == "irot" and e2 - s2 >= 1 and "irot" not in ctx.res.extra:
                    # HEIF image rotation: angle x 90 deg anticlockwise (ffprobe's sign convention)
                    ang = (buf[s2] & 3) * 90
                    ctx.res.extra["irot"] = ang if ang <= 180 else ang - 360


def _keys(b: bytes) -> list[str]:
    out: list[str] = []
    if len(b) < 8:
        return out
    n = struct.unpack_from(">I", b, 4)[0]
    pos = 8
    for _ in range(min(n, 4096)):
        if pos + 8 > len(b):
            break
        sz = struct.unpack_from(">I", b, pos)[0]
        if sz < 8 or pos + sz > len(b):
            break
        out.append(b[pos + 8:pos + sz].decode("utf-8", "replace"))
        pos += sz
    return out


def _ilst_data(d: bytes) -> Any:
    """Decode the payload of an ilst 'data' box (after its 8-byte header)."""
    if len(d) < 8:
        return None
    tcode = struct.unpack_from(">I", d, 0)[0] & 0xFFFFFF
    v = d[8:]
    try:
        if tcode == 1:
            return v.decode("utf-8", "replace").rstrip("\0")
        if tcode == 2:
            return v.decode("utf-16-be", "replace")
        if tcode == 23 and len(v) == 4:
            return struct.unpack(">f", v)[0]
        if tcode == 24 and len(v) == 8:
            return struct.unpack(">d", v)[0]
        if tcode in (21, 22, 0) and len(v) in (1, 2, 4, 8):
            signed = tcode == 21
            return int.from_bytes(v, "big", signed=signed)
    except (struct.error, UnicodeDecodeError):
        return short_hex(v)
    t = printable(v, limit=1024)
    return t if t else short_hex(v)


def _ilst(buf: bytes, start: int, end: int, ctx: _Ctx, path: str, keys: list[str]) -> None:
    for typ, s, e in _iter_boxes(buf, start, end, ctx, f"{path}/ilst"):
        idx = struct.unpack(">I", typ.encode("latin-1"))[0]
        if keys and 1 <= idx <= len(keys):
            name = keys[idx - 1]
            key = f"mp4:{path}/keys/{name}"
        else:
            key = f"mp4:{path}/ilst/{typ}"
        for t2, s2, e2 in _iter_boxes(buf, s, e, ctx, key):
            if t2 == "data":
                ctx.res.tags[key] = _ilst_data(buf[s2:e2])
                break


_XMP_FIELDS = ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate", "photoshop:DateCreated",
               "exif:DateTimeOriginal", "xmp:CreatorTool", "tiff:Make", "tiff:Model",
               "exif:GPSLatitude", "exif:GPSLongitude", "GCamera:MotionPhoto")


def _xmp(b: bytes, res: RawResult, key: str) -> None:
    """Keep the XMP packet (cut at 4 KiB in the raw table), parse it, and file its fields under ``key``."""
    from .xmp import parse_xmp

    text = b[:65536].decode("utf-8", "replace")
    res.tags[key] = text[:4096]
    info = parse_xmp(b)
    if info.error:
        res.problem("xmp_unreadable", f"XMP packet not parsed: {info.error}; fields read by pattern", key)
        for f in _XMP_FIELDS:
            pre, name = f.split(":", 1)
            pres = "(?:xmp|xap)" if pre == "xmp" else re.escape(pre)  # "xap" is the pre-2004 prefix
            m = re.search(rf'\b{pres}:{name}\s*=\s*"([^"]*)"', text) or re.search(
                rf"<{pres}:{name}>([^<]*)</{pres}:{name}>", text)
            if m:
                res.tags[f"{key}/{f}"] = m.group(1).strip()
        return
    for f, v in info.fields.items():
        res.tags[f"{key}/{f}"] = v
    for i, ev in enumerate(info.history):
        res.tags[f"{key}/xmpMM:History[{i}]"] = " | ".join(
            x for x in (ev.action, ev.when, ev.software_agent, ev.changed) if x)
    for i, r in enumerate(info.derived_from):
        res.tags[f"{key}/xmpMM:DerivedFrom[{i}]"] = r
    for i, r in enumerate(info.ingredients):
        res.tags[f"{key}/xmpMM:Ingredients[{i}]"] = r
    res.extra.setdefault("xmp", []).append((key, info))


def scan_xmp(reader: BoundedReader, res: RawResult, *, limit: int = 4 * 1024 * 1024) -> None:
    """Find an XMP packet in the first ``limit`` bytes of any file (JPEG APP1, HEIF item, AVI _PMX)."""
    data = reader.read(0, limit)
    i = data.find(b"<x:xmpmeta")
    if i < 0:
        return
    j = data.find(b"</x:xmpmeta>", i)
    if j < 0:
        res.problem("xmp_truncated", "XMP packet without its end tag", "xmp")
        j = min(len(data), i + 65536)
    _xmp(data[i:j + 12], res, "xmp:packet")


def _u32s(b: bytes, off: int, n: int) -> tuple[int, ...]:
    n = max(0, min(n, (len(b) - off) // 4))
    return struct.unpack_from(f">{n}I", b, off)


def _sample_table(t: dict[str, Any], res: RawResult) -> list[tuple[int, int, float, float]]:
    """Return ``(offset, size, start_s, duration_s)`` for each sample of a track (capped)."""
    ts = t.get("timescale") or 0
    stsz, stco, co64, stsc, stts = (t.get(k) for k in ("stsz", "stco", "co64", "stsc", "stts"))
    if not ts or stsz is None or stsc is None or (stco is None and co64 is None) or len(stsz) < 12:
        return []
    fixed, count = struct.unpack_from(">II", stsz, 4)
    count = min(count, _MAX_GPMF_SAMPLES)
    sizes = [fixed] * count if fixed else list(_u32s(stsz, 12, count))
    count = len(sizes)
    if co64 is not None and len(co64) >= 8:
        nch = struct.unpack_from(">I", co64, 4)[0]
        nch = max(0, min(nch, (len(co64) - 8) // 8))
        chunks = list(struct.unpack_from(f">{nch}Q", co64, 8))
    else:
        stco_b: bytes = stco or b""
        nch = struct.unpack_from(">I", stco_b, 4)[0] if len(stco_b) >= 8 else 0
        chunks = list(_u32s(stco_b, 8, nch))
    ne = struct.unpack_from(">I", stsc, 4)[0] if len(stsc) >= 8 else 0
    ent = _u32s(stsc, 8, ne * 3)
    runs = [(ent[i], ent[i + 1]) for i in range(0, len(ent) - 2, 3)]
    offsets: list[int] = []
    for ri, (first, per) in enumerate(runs):
        last = runs[ri + 1][0] - 1 if ri + 1 < len(runs) else len(chunks)
        if per > _MAX_GPMF_SAMPLES:
            break
        for ch in range(first, last + 1):
            if ch - 1 >= len(chunks) or ch < 1:
                break
            off = chunks[ch - 1]
            for _ in range(per):
                if len(offsets) >= count:
                    break
                offsets.append(off)
                off += sizes[len(offsets) - 1]
            if len(offsets) >= count:
                break
        if len(offsets) >= count:
            break
    durs: list[int] = []
    if stts is not None and len(stts) >= 8:
        nt = struct.unpack_from(">I", stts, 4)[0]
        e2 = _u32s(stts, 8, nt * 2)
        for i in range(0, len(e2) - 1, 2):
            durs.extend([e2[i + 1]] * min(e2[i], count - len(durs)))
            if len(durs) >= count:
                break
    out = []
    tstart = 0
    for i, off in enumerate(offsets):
        d = durs[i] if i < len(durs) else 0
        out.append((off, sizes[i], tstart / ts, d / ts))
        tstart += d
    if len(offsets) < count:
        res.problem("sample_table_short", f"sample table locates {len(offsets)} of {count} samples",
                    f"mp4:moov/trak[{t['index']}]/stbl")
    return out


def _finish(ctx: _Ctx) -> None:
    res = ctx.res
    handlers = []
    video = None
    for t in ctx.tracks:
        for k in ("handler_name", "data_handler_name"):
            if t.get(k) and t[k] not in handlers:
                handlers.append(t[k])
        if video is None and t.get("handler_type") == "vide" and t.get("format") not in (None, "tmcd"):
            video = t
    res.extra["handlers"] = handlers
    if video is not None:
        fmt = video.get("format") or ""
        res.video_codec = CODECS.get(fmt, fmt.strip() or None)
        res.width = video.get("width") or (int(video.get("tk_width") or 0) or None)
        res.height = video.get("height") or (int(video.get("tk_height") or 0) or None)
        res.rotation_deg = _matrix_rotation(video["matrix"]) if video.get("matrix") else 0
        if video.get("compressor"):
            res.extra["compressor"] = video["compressor"]
        stts = video.get("stts")
        if stts and len(stts) >= 8 and video.get("timescale"):
            nt = struct.unpack_from(">I", stts, 4)[0]
            e2 = _u32s(stts, 8, min(nt, 100_000) * 2)
            n = sum(e2[0::2])
            tot = sum(c * d for c, d in zip(e2[0::2], e2[1::2]))
            if n and tot:
                res.frame_rate = n * video["timescale"] / tot
    elif res.container not in ("heic", "avif"):
        res.problem("no_video_track", "no video track found", "mp4:moov")
    if video is not None:
        _encoder_sei(video, ctx)
    if res.container in ("heic", "avif") and res.extra.get("ispe"):
        res.width, res.height = res.extra["ispe"]
        res.rotation_deg = res.extra.get("irot", 0)
    # GoPro 'fdsc' (GoPro SOS track) record: firmware, serials and the model name (HERO5 and later);
    # field offsets as ExifTool's GoPro::fdsc table reads them
    for t in ctx.tracks:
        if t.get("format") != "fdsc":
            continue
        samples = _sample_table(t, res)
        if samples:
            data = ctx.reader.read(samples[0][0], min(samples[0][1], 4096))
            if data[:4] == b"GPRO":
                for off, n, name in ((0x08, 15, "firmware"), (0x17, 16, "lens_serial"), (0x57, 15, "serial"),
                                     (0x66, 16, "model")):
                    v = data[off:off + n].split(b"\0", 1)[0]
                    if v and all(32 <= c < 127 for c in v):
                        res.tags[f"gopro:fdsc/{name}"] = v.decode("ascii").strip()
    # GoPro telemetry
    for t in ctx.tracks:
        if t.get("format") != "gpmd":
            continue
        st = _gpmf.GpmfState()
        for off, size, t0, dur in _sample_table(t, res):
            if size <= 0 or size > _MAX_SAMPLE_BYTES:
                res.problem("gpmf_sample_size", f"GPMF sample of {size} bytes skipped", "gpmf")
                continue
            data = ctx.reader.read(off, size)
            if len(data) < size:
                res.problem("gpmf_truncated", "GPMF sample past end of file (truncated)", "gpmf")
                break
            rows = _gpmf.parse_gpmf(data, st)
            for r in rows:
                n = r.pop("rows", 1) or 1
                i = r.pop("row", 0)
                r["media_time_s"] = t0 + dur * i / n
                if r.get("time") is None and r.get("stream_time") is not None:
                    r["time"] = r["stream_time"] + timedelta(seconds=dur * i / n)
                r["sample_start_s"] = t0
                r["first_in_sample"] = i == 0
                res.track.append(r)
        for r in res.track:
            if r.get("kind") == "GLPI" and r.get("system_time_s") is not None:
                # ExifTool converts the Karma clock with every SYST pair of the file
                r["time"] = _gpmf.syst_to_utc(r.pop("system_time_s"), st.syst)
        for k, setting in st.settings.items():
            res.tags.setdefault(f"gpmf:{k}", setting)
        for msg in st.problems[:5]:
            res.problem("gpmf", msg, "gpmf")


_SEI_SETTINGS = re.compile(rb"(x264 - core \d+[\x20-\x7e]{0,1500}|x265 \(build \d+\)[\x20-\x7e]{0,1500}|"
                           rb"Lavc\d+\.\d+\.\d+[\x20-\x7e]{0,40})")


def encoder_settings(data: bytes, *, lavc: bool = True) -> str | None:
    """The x264/x265 settings string (or, with ``lavc``, a Lavc tag) an encoder leaves in its first SEI."""
    m = _SEI_SETTINGS.search(data)
    while m is not None and not lavc and m.group(1).startswith(b"Lavc"):
        m = _SEI_SETTINGS.search(data, m.end())
    if m is None:
        return None
    text = m.group(1).decode("latin-1")
    return "".join(c for c in text if c.isprintable())[:600]


def _encoder_sei(video: dict[str, Any], ctx: _Ctx) -> None:
    """Read the first video chunk (at most 256 KiB) for an encoder settings string."""
    co = video.get("stco") or video.get("co64")
    if not co or len(co) < 12:
        return
    off = struct.unpack_from(">Q", co, 8)[0] if video.get("co64") is not None and not video.get("stco") \
        else struct.unpack_from(">I", co, 8)[0]
    text = encoder_settings(ctx.reader.read(off, 256 * 1024))
    if text:
        ctx.res.tags["h264:SEI/encoder_settings"] = text


def _uint(b: bytes, off: int, size: int) -> int:
    if size == 0:
        return 0
    if off + size > len(b):
        raise struct.error("short")
    return int.from_bytes(b[off:off + size], "big")


def heif_exif_extent(res: RawResult) -> tuple[int, int] | None:
    """File offset and length of the HEIF ``Exif`` item (from ``iinf`` + ``iloc``), or ``None``.

    Lets the EXIF reader get only the TIFF block of a HEIC instead of walking the boxes itself.
    """
    iinf, iloc = res.extra.get("heif_iinf"), res.extra.get("heif_iloc")
    if not iinf or not iloc or len(iinf) < 6 or len(iloc) < 8:
        return None
    try:
        v = iinf[0]
        pos = 6 if v == 0 else 8
        exif_id = None
        for _ in range(4096):
            if pos + 8 > len(iinf):
                break
            size, typ = struct.unpack_from(">I4s", iinf, pos)
            if size < 8:
                break
            if typ == b"infe":
                ev = iinf[pos + 8]
                q = pos + 12
                iid = _uint(iinf, q, 2 if ev < 3 else 4)
                q += (2 if ev < 3 else 4) + 2
                if ev >= 2 and iinf[q:q + 4] == b"Exif":
                    exif_id = iid
                    break
            pos += size
        if exif_id is None:
            return None
        v = iloc[0]
        off_sz, len_sz = iloc[4] >> 4, iloc[4] & 15
        base_sz, idx_sz = iloc[5] >> 4, (iloc[5] & 15) if v in (1, 2) else 0
        pos = 6
        n = _uint(iloc, pos, 2 if v < 2 else 4)
        pos += 2 if v < 2 else 4
        for _ in range(min(n, 65536)):
            iid = _uint(iloc, pos, 2 if v < 2 else 4)
            pos += 2 if v < 2 else 4
            if v in (1, 2):
                pos += 2
            pos += 2
            base = _uint(iloc, pos, base_sz)
            pos += base_sz
            ext = _uint(iloc, pos, 2)
            pos += 2
            first = None
            for _ in range(min(ext, 1024)):
                pos += idx_sz
                eo = _uint(iloc, pos, off_sz)
                pos += off_sz
                el = _uint(iloc, pos, len_sz)
                pos += len_sz
                if first is None:
                    first = (base + eo, el)
            if iid == exif_id and first is not None:
                return first
    except (struct.error, IndexError):
        res.problem("bad_heif_items", "HEIF iinf/iloc could not be read", "mp4:meta")
    return None
