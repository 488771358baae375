"""RIFF/AVI parser: avih/strh/strf (size, codec, frame rate, duration), IDIT and INFO tags.

The ``movi`` list and ``idx1`` are skipped by seeking; only header lists are read.
Duration comes from the video stream header (``strh`` length x scale / rate), which stays
right for files larger than 1 GiB (OpenDML ``AVIX`` chains), where ``avih`` counts only the
first RIFF chunk.
"""

from __future__ import annotations

import logging
import re
import struct
from datetime import datetime
from typing import Any, BinaryIO

from ._raw import MAX_DEPTH, MAX_ITEMS, BoundedReader, RawResult, printable
from .matroska import FOURCC

__all__ = ["parse_idit", "parse_riff"]

log = logging.getLogger(__name__)

_INFO_NAMES = {
    "ISFT": "Software", "ICRD": "DateCreated", "INAM": "Title", "IART": "Artist", "ICMT": "Comment",
    "ICOP": "Copyright", "IENG": "Engineer", "ISRC": "Source", "IPRD": "Product", "IKEY": "Keywords",
    "IMAK": "Make", "IMOD": "Model",
}
_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}


def parse_idit(text: str) -> datetime | None:
    """Parse an AVI ``IDIT``/``ICRD`` date (several camera spellings) -> naive datetime."""
    t = text.strip().strip("\0").strip()
    m = re.match(r"^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})", t)
    try:
        if m:
            mon = _MONTHS.get(m.group(1).upper())
            if mon is None:
                return None
            return datetime(int(m.group(6)), mon, int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
        m = re.match(r"^(\d{4})[-/:.](\d{1,2})[-/:.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?", t)
        if m:
            y, mo, d, hh, mi = (int(x) for x in m.groups()[:5])
            return datetime(y, mo, d, hh, mi, int(m.group(6) or 0))
        m = re.match(r"^(\d{4})[-/:.](\d{1,2})[-/:.](\d{1,2})$", t)
        if m:
            y, mo, d = (int(x) for x in m.groups())
            return datetime(y, mo, d)
    except ValueError:
        return None
    return None


class _P:
    def __init__(self, r: BoundedReader, res: RawResult):
        self.r = r
        self.res = res
        self.items = 0
        self.streams: list[dict[str, Any]] = []


def _chunks(p: _P, start: int, end: int, top: bool = False):
    pos = start
    end = min(end, p.r.size)
    while pos + 8 <= end:
        p.items += 1
        if p.items > MAX_ITEMS:
            p.res.problem("too_many_chunks", f"more than {MAX_ITEMS} RIFF chunks; stopped", "riff")
            return
        h = p.r.read(pos, 12)
        if len(h) < 8:
            return
        cid = h[:4].decode("latin-1")
        size = struct.unpack_from("<I", h, 4)[0]
        if top and cid != "RIFF":
            yield cid, "", pos + 8, 0
            return
        if pos + 8 + size > end:
            p.res.problem("truncated", f"chunk '{cid}' declares {size} bytes past its parent/file end: truncated?",
                          f"riff:{cid}")
            size = end - pos - 8
        yield cid, (h[8:12].decode("latin-1") if len(h) >= 12 else ""), pos + 8, size
        pos += 8 + size + (size & 1)


def _walk(p: _P, start: int, end: int, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    res = p.res
    for cid, ltype, ds, size in _chunks(p, start, end, top=depth == 0):
        if depth == 0 and cid != "RIFF":
            res.problem("trailing_data", f"non-RIFF data after the last RIFF chunk (at '{cid[:4]!r}'); ignored",
                        "riff")
            return
        if cid in ("RIFF", "LIST"):
            if ltype in ("movi", "rec "):
                continue
            if ltype == "strl":
                p.streams.append({})
            _walk(p, ds + 4, ds + size, f"{path}/{ltype.strip()}", depth + 1)
            continue
        if cid in ("idx1", "JUNK", "ix00", "ix01", "indx"):
            continue
        body = p.r.read(ds, min(size, 1 << 20))
        if cid == "avih" and len(body) >= 40:
            us, _mbps, _pad, _flags, frames, _init, nstreams, _buf, w, h = struct.unpack_from("<10I", body, 0)
            res.tags["riff:avih/MicroSecPerFrame"] = us
            res.tags["riff:avih/TotalFrames"] = frames
            res.tags["riff:avih/Streams"] = nstreams
            res.tags["riff:avih/Width"] = w
            res.tags["riff:avih/Height"] = h
        elif cid == "strh" and len(body) >= 36 and p.streams:
            st = p.streams[-1]
            st["type"] = body[:4].decode("latin-1")
            st["handler"] = body[4:8].decode("latin-1")
            st["scale"], st["rate"], st["start"], st["length"] = struct.unpack_from("<4I", body, 20)
        elif cid == "strf" and p.streams and p.streams[-1].get("type") == "vids" and len(body) >= 20:
            st = p.streams[-1]
            st["width"], st["height"] = struct.unpack_from("<ii", body, 4)
            st["compression"] = body[16:20].decode("latin-1")
        elif cid == "dmlh" and len(body) >= 4:
            res.tags["riff:odml/dmlh/TotalFrames"] = struct.unpack_from("<I", body, 0)[0]
        elif cid == "IDIT":
            res.tags["riff:IDIT"] = (printable(body) or body.hex()).strip()
        elif cid == "strd":
            text = printable(body[:64])
            res.tags[f"riff:{path}/strd"] = text if text else body[:64].hex()
            if body.startswith(b"AVIF") or b"\0" in body[:4]:
                m = re.search(rb"(\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2})", body[:4096])
                if m:
                    res.tags["riff:strd/DateTime"] = m.group(1).decode()
        elif cid in _INFO_NAMES or (path.endswith("/INFO") and cid.isalnum()):
            text = printable(body)
            res.tags[f"riff:INFO/{cid}"] = (text if text is not None else body[:64].hex()).strip()


def parse_riff(fh: BinaryIO) -> RawResult:
    """Parse a RIFF/AVI file object.

    Returns
    -------
    RawResult
        ``tags`` keyed ``"riff:avih/..."``, ``"riff:IDIT"``, ``"riff:INFO/<ID>"``.
    """
    r = BoundedReader(fh)
    res = RawResult(container="avi")
    p = _P(r, res)
    _walk(p, 0, r.size, "", 0)
    video = next((s for s in p.streams if s.get("type") == "vids"), None)
    if video is not None:
        w, h = video.get("width"), video.get("height")
        res.width = w if w else res.tags.get("riff:avih/Width")
        res.height = abs(h) if h else res.tags.get("riff:avih/Height")
        cc = (video.get("compression") or video.get("handler") or "").strip()
        res.video_codec = FOURCC.get(cc.upper(), cc.lower() or None)
        res.tags["riff:strf/Compression"] = cc
        if video.get("scale") and video.get("rate"):
            res.frame_rate = video["rate"] / video["scale"]
            if video.get("length"):
                res.duration_s = video["length"] * video["scale"] / video["rate"]
        res.rotation_deg = 0
    if res.duration_s is None and res.tags.get("riff:avih/MicroSecPerFrame"):
        frames = res.tags.get("riff:odml/dmlh/TotalFrames") or res.tags.get("riff:avih/TotalFrames") or 0
        res.duration_s = frames * res.tags["riff:avih/MicroSecPerFrame"] / 1e6 or None
    if video is None:
        res.problem("no_video_stream", "no video stream header found", "riff:hdrl")
    return res
