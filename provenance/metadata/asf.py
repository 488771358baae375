"""ASF/WMV header: File Properties (creation date, play duration) and stream video size."""

from __future__ import annotations

import logging
import struct
from datetime import datetime, timedelta, timezone
from typing import BinaryIO

from ._raw import MAX_ITEMS, BoundedReader, RawResult

__all__ = ["ASF_MAGIC", "parse_asf"]

log = logging.getLogger(__name__)

ASF_MAGIC = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_FILE_PROPS = bytes.fromhex("a1dcab8c47a9cf118ee400c00c205365")
_STREAM_PROPS = bytes.fromhex("9107dcb7b7a9cf118ee600c00c205365")
_VIDEO_MEDIA = bytes.fromhex("c0ef19bc4d5bcf11a8fd00805f5c442b")
_EPOCH_1601 = datetime(1601, 1, 1, tzinfo=timezone.utc)


def parse_asf(fh: BinaryIO) -> RawResult:
    """Parse the ASF header object.

    Returns
    -------
    RawResult
        ``tags["asf:FileProperties/CreationDate"]`` (UTC text), duration [s] less preroll.
    """
    r = BoundedReader(fh)
    res = RawResult(container="asf")
    head = r.read(0, 30)
    if len(head) < 30:
        res.problem("truncated", "ASF header cut off", "asf")
        return res
    hsize, nobj = struct.unpack_from("<QI", head, 16)
    body = r.read(30, min(hsize, 4 * 1024 * 1024) - 30)
    pos = 0
    for _ in range(min(nobj, MAX_ITEMS)):
        if pos + 24 > len(body):
            break
        guid = body[pos:pos + 16]
        size = struct.unpack_from("<Q", body, pos + 16)[0]
        if size < 24:
            res.problem("bad_object_size", "ASF object size below 24 bytes", "asf")
            break
        obj = body[pos + 24:pos + size]
        if guid == _FILE_PROPS and len(obj) >= 80:
            ft, _packets, play, _send, preroll = struct.unpack_from("<QQQQQ", obj, 24)
            res.tags["asf:FileProperties/CreationDate_filetime"] = ft
            if ft:
                try:
                    dt = _EPOCH_1601 + timedelta(microseconds=ft // 10)
                    res.tags["asf:FileProperties/CreationDate"] = dt.strftime("%Y-%m-%d %H:%M:%S")
                except OverflowError:
                    res.problem("bad_date", "ASF creation date out of range", "asf:FileProperties")
            res.duration_s = max(play / 1e7 - preroll / 1000.0, 0.0) if play else None
        elif guid == _STREAM_PROPS and obj[:16] == _VIDEO_MEDIA and len(obj) >= 54 + 11:
            tsd = struct.unpack_from("<I", obj, 40)[0]
            tsd_off = 54
            if len(obj) >= tsd_off + 11 and tsd:
                w, h = struct.unpack_from("<II", obj, tsd_off)
                res.width, res.height = w, h
                if len(obj) >= tsd_off + 11 + 20:
                    cc = obj[tsd_off + 11 + 16:tsd_off + 11 + 20].decode("latin-1")
                    res.video_codec = {"WMV3": "wmv3", "WMV2": "wmv2", "WMV1": "wmv1", "WVP2": "vc1image",
                                       "WMVA": "vc1", "WVC1": "vc1"}.get(cc.upper(), cc.lower())
        pos += size
    res.rotation_deg = 0 if res.width else None
    return res
