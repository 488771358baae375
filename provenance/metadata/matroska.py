"""Matroska / WebM (EBML) parser: Info (DateUTC, MuxingApp, WritingApp, Duration), Tracks, Tags.

Clusters are skipped by seeking; Tags written after the clusters are found through the
SeekHead.  Element sizes are never trusted beyond their parent.
"""

from __future__ import annotations

import logging
import struct
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO

from ._raw import MAX_DEPTH, MAX_ITEMS, BoundedReader, RawResult

__all__ = ["EPOCH_2001", "parse_matroska"]

log = logging.getLogger(__name__)

EPOCH_2001 = datetime(2001, 1, 1, tzinfo=timezone.utc)
_SEGMENT, _SEEKHEAD, _INFO, _TRACKS = 0x18538067, 0x114D9B74, 0x1549A966, 0x1654AE6B
_TAGS, _CLUSTER = 0x1254C367, 0x1F43B675
_CUES, _CHAPTERS, _ATTACH = 0x1C53BB6B, 0x1043A770, 0x1941A469
_MASTER = {_SEEKHEAD, _INFO, _TRACKS, _TAGS, 0x4DBB, 0xAE, 0xE0, 0xE1, 0x7373, 0x63C0, 0x67C8}
_CODECS = {
    "V_MPEG4/ISO/AVC": "h264", "V_MPEGH/ISO/HEVC": "hevc", "V_VP8": "vp8", "V_VP9": "vp9", "V_AV1": "av1",
    "V_MPEG4/ISO/ASP": "mpeg4", "V_MPEG4/ISO/SP": "mpeg4", "V_MJPEG": "mjpeg", "V_THEORA": "theora",
    "V_MPEG2": "mpeg2video", "V_MPEG1": "mpeg1video", "V_PRORES": "prores", "V_FFV1": "ffv1",
}
#: BITMAPINFOHEADER fourcc -> ffprobe codec name (V_MS/VFW/FOURCC and AVI)
FOURCC = {
    "MP42": "msmpeg4v2", "MP43": "msmpeg4v3", "DIV3": "msmpeg4v3", "DIVX": "mpeg4", "DX50": "mpeg4",
    "XVID": "mpeg4", "FMP4": "mpeg4", "MP4V": "mpeg4", "MJPG": "mjpeg", "H264": "h264", "AVC1": "h264",
    "X264": "h264", "WMV3": "wmv3", "WMV2": "wmv2", "WMV1": "wmv1", "DVSD": "dvvideo", "CVID": "cinepak",
    "MPG4": "msmpeg4v1", "HEVC": "hevc", "H265": "hevc", "VP80": "vp8", "VP90": "vp9",
}


def _vint(b: bytes, pos: int, *, is_id: bool) -> tuple[int, int] | None:
    """Read an EBML variable-length integer; returns (value, length) or None."""
    if pos >= len(b):
        return None
    first = b[pos]
    if first == 0:
        return None
    ln = 1
    mask = 0x80
    while not first & mask:
        mask >>= 1
        ln += 1
    if pos + ln > len(b) or ln > 8:
        return None
    val = first if is_id else first & (mask - 1)
    for i in range(1, ln):
        val = (val << 8) | b[pos + i]
    if not is_id and val == (1 << (7 * ln)) - 1:
        val = -1  # unknown size
    return val, ln


class _P:
    def __init__(self, res: RawResult):
        self.res = res
        self.items = 0
        self.tracks: list[dict[str, Any]] = []
        self.tag_target = ""
        self.seeks: dict[int, int] = {}
        self.done: set[int] = set()


def _elements(b: bytes, start: int, end: int, p: _P):
    pos = start
    end = min(end, len(b))
    while pos < end:
        p.items += 1
        if p.items > MAX_ITEMS:
            p.res.problem("too_many_elements", f"more than {MAX_ITEMS} EBML elements; stopped", "mkv")
            return
        idv = _vint(b, pos, is_id=True)
        if idv is None:
            return
        eid, il = idv
        sv = _vint(b, pos + il, is_id=False)
        if sv is None:
            return
        size, sl = sv
        ds = pos + il + sl
        if size < 0 or ds + size > end:
            if size >= 0 and eid != _SEGMENT:
                p.res.problem("element_exceeds_parent", f"EBML element 0x{eid:X} runs past its parent; clipped", "mkv")
            size = end - ds
        yield eid, ds, ds + size
        pos = ds + size


def _uint(b: bytes) -> int:
    return int.from_bytes(b[:8], "big") if b else 0


def _str(b: bytes) -> str:
    return b.split(b"\0", 1)[0].decode("utf-8", "replace")


def _walk(b: bytes, start: int, end: int, p: _P, parent: int, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    res = p.res
    for eid, s, e in _elements(b, start, end, p):
        d = b[s:e]
        if parent == _INFO:
            if eid == 0x2AD7B1:
                res.tags["mkv:Info/TimecodeScale"] = _uint(d)
            elif eid == 0x4489 and len(d) in (4, 8):
                res.tags["mkv:Info/Duration"] = struct.unpack(">f" if len(d) == 4 else ">d", d)[0]
            elif eid == 0x4461 and len(d) == 8:
                ns = struct.unpack(">q", d)[0]
                res.tags["mkv:Info/DateUTC"] = ns
                try:
                    res.tags["mkv:Info/DateUTC_iso"] = (EPOCH_2001 + timedelta(microseconds=ns // 1000)).strftime(
                        "%Y-%m-%d %H:%M:%S")
                except OverflowError:
                    res.problem("bad_date", "DateUTC out of range", "mkv:Info/DateUTC")
            elif eid == 0x4D80:
                res.tags["mkv:Info/MuxingApp"] = _str(d)
            elif eid == 0x5741:
                res.tags["mkv:Info/WritingApp"] = _str(d)
            elif eid == 0x7BA9:
                res.tags["mkv:Info/Title"] = _str(d)
        elif parent == _SEEKHEAD and eid == 0x4DBB:
            sid = pos_ = None
            for e2, s2, t2 in _elements(b, s, e, p):
                if e2 == 0x53AB:
                    sid = _uint(b[s2:t2])
                elif e2 == 0x53AC:
                    pos_ = _uint(b[s2:t2])
            if sid is not None and pos_ is not None:
                p.seeks.setdefault(sid, pos_)
        elif parent == _TRACKS and eid == 0xAE:
            t: dict[str, Any] = {}
            p.tracks.append(t)
            for e2, s2, t2 in _elements(b, s, e, p):
                v = b[s2:t2]
                if e2 == 0x83:
                    t["type"] = _uint(v)
                elif e2 == 0x86:
                    t["codec_id"] = _str(v)
                elif e2 == 0x63A2:
                    t["private"] = v[:64]
                elif e2 == 0x23E383:
                    t["default_duration_ns"] = _uint(v)
                elif e2 == 0xE0:
                    for e3, s3, t3 in _elements(b, s2, t2, p):
                        if e3 == 0xB0:
                            t["width"] = _uint(b[s3:t3])
                        elif e3 == 0xBA:
                            t["height"] = _uint(b[s3:t3])
        elif parent == _TAGS and eid == 0x7373:
            _tag(b, s, e, p, depth + 1)
        elif eid in (_INFO, _TRACKS, _TAGS, _SEEKHEAD):
            p.done.add(eid)
            _walk(b, s, e, p, eid, depth + 1)


def _tag(b: bytes, s: int, e: int, p: _P, depth: int) -> None:
    target = ""
    for eid, s2, e2 in _elements(b, s, e, p):
        if eid == 0x63C0:
            for e3, s3, t3 in _elements(b, s2, e2, p):
                if e3 == 0x68CA:
                    target = f"level{_uint(b[s3:t3])}"
                elif e3 in (0x63C5, 0x63C9):
                    target = f"uid{_uint(b[s3:t3])}"
        elif eid == 0x67C8:
            _simple(b, s2, e2, p, target, depth + 1)


def _simple(b: bytes, s: int, e: int, p: _P, target: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    name = value = None
    for eid, s2, e2 in _elements(b, s, e, p):
        if eid == 0x45A3:
            name = _str(b[s2:e2])
        elif eid == 0x4487:
            value = _str(b[s2:e2])
        elif eid == 0x67C8:
            _simple(b, s2, e2, p, target, depth + 1)
    if name:
        key = f"mkv:Tags/{name}" if not target or target == "level50" else f"mkv:Tags/{target}/{name}"
        p.res.tags.setdefault(key, value)


def parse_matroska(fh: BinaryIO) -> RawResult:
    """Parse a Matroska/WebM file object.

    Returns
    -------
    RawResult
        ``tags`` keyed ``"mkv:Info/..."`` and ``"mkv:Tags/<NAME>"``.
    """
    r = BoundedReader(fh)
    res = RawResult(container="matroska")
    p = _P(res)
    head = r.read(0, 4096)
    pos = 0
    seg_start = None
    seg_end = r.size
    for eid, s, e in _elements(head, 0, len(head), p):
        if eid == 0x1A45DFA3:
            for e2, s2, t2 in _elements(head, s, e, p):
                if e2 == 0x4282:
                    dt = _str(head[s2:t2])
                    res.tags["mkv:EBML/DocType"] = dt
                    if dt == "webm":
                        res.container = "webm"
            pos = e
        elif eid == _SEGMENT:
            seg_start = s
            break
    if seg_start is None:
        # Segment header might be beyond the first read with a large EBML header
        res.problem("no_segment", "no Matroska Segment found", "mkv")
        return res
    # real segment size from the header
    sv = _vint(head, seg_start - 8 if seg_start >= 8 else 0, is_id=False)  # not needed; clip to file
    pos = seg_start
    visited = 0
    while pos < seg_end and visited < 4096:
        visited += 1
        hb = r.read(pos, 16)
        idv = _vint(hb, 0, is_id=True)
        if idv is None:
            break
        eid, il = idv
        sv = _vint(hb, il, is_id=False)
        if sv is None:
            break
        size, sl = sv
        ds = pos + il + sl
        if size < 0:
            if eid == _CLUSTER:
                break  # live stream: use the SeekHead for what follows
            size = r.size - ds
        if ds + size > r.size:
            res.problem("truncated", f"element 0x{eid:X} declares {size} bytes past end of file: truncated", "mkv")
        if eid in (_INFO, _TRACKS, _TAGS, _SEEKHEAD):
            body = r.read(ds, min(size, 16 * 1024 * 1024))
            p.done.add(eid)
            _walk(body, 0, len(body), p, eid, 1)
        elif eid == _CLUSTER and _TAGS in p.seeks and _TAGS not in p.done:
            break
        pos = ds + size
    for sid in (_INFO, _TRACKS, _TAGS):
        if sid in p.seeks and sid not in p.done:
            off = seg_start + p.seeks[sid]
            hb = r.read(off, 16)
            idv = _vint(hb, 0, is_id=True)
            if idv is None or idv[0] != sid:
                res.problem("bad_seek", f"SeekHead points to 0x{sid:X} at {off}, not found there", "mkv")
                continue
            sv = _vint(hb, idv[1], is_id=False)
            if sv is None or sv[0] < 0:
                continue
            body = r.read(off + idv[1] + sv[1], min(sv[0], 16 * 1024 * 1024))
            p.done.add(sid)
            _walk(body, 0, len(body), p, sid, 1)
    scale = res.tags.get("mkv:Info/TimecodeScale", 1_000_000) or 1_000_000
    if "mkv:Info/Duration" in res.tags:
        res.duration_s = res.tags["mkv:Info/Duration"] * scale / 1e9
    for i, t in enumerate(p.tracks, 1):
        res.tags[f"mkv:Tracks/{i}/CodecID"] = t.get("codec_id")
        if t.get("type") == 1 and res.width is None:
            cid = t.get("codec_id") or ""
            codec = _CODECS.get(cid)
            if codec is None and cid == "V_MS/VFW/FOURCC" and len(t.get("private", b"")) >= 20:
                cc = t["private"][16:20].decode("latin-1").upper()
                codec = FOURCC.get(cc, cc.lower())
            res.video_codec = codec or cid or None
            res.width, res.height = t.get("width"), t.get("height")
            res.tags[f"mkv:Tracks/{i}/PixelWidth"] = t.get("width")
            res.tags[f"mkv:Tracks/{i}/PixelHeight"] = t.get("height")
            if t.get("default_duration_ns"):
                res.frame_rate = 1e9 / t["default_duration_ns"]
    res.rotation_deg = 0 if res.width else None
    from .isobmff import encoder_settings

    sei = encoder_settings(r.read(0, 1 << 20), lavc=False)
    if sei:
        res.tags["h264:SEI/encoder_settings"] = sei
    return res
