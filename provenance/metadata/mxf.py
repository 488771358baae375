"""MXF (SMPTE 377M, broadcast cameras and editors) header metadata: who wrote the file and when.

An MXF file is a sequence of KLV triplets (16-byte SMPTE universal label, BER length, value).  The header
metadata holds local sets whose values are ``<u16 tag><u16 length><data>`` items.  Read here:

* Identification set (``...0d01010101013000``): CompanyName (3C01), ProductName (3C02), VersionString
  (3C04), Platform (3C08) and ModificationDate (3C06): the application that wrote or last modified the file.
* Preface (``...01012f00``): LastModifiedDate (3B02).
* Material and source packages (``...01013600``, ``...01013700``): PackageCreationDate (4405) and
  PackageModifiedDate (4404).

Timestamps are 8 bytes (year u16, month, day, hour, minute, second, milliseconds / 4) and are UTC
(SMPTE 377M, Timestamp type).  Only the first 4 MiB (header partition) are read; item counts are capped.
"""

from __future__ import annotations

import struct
from datetime import datetime
from typing import BinaryIO

from ._raw import BoundedReader, RawResult

__all__ = ["parse_mxf", "MXF_KEY"]

#: SMPTE universal-label prefix of every MXF key
MXF_KEY = bytes.fromhex("060e2b34")
_SET = bytes.fromhex("060e2b34025301010d010101")
_SETS = {bytes.fromhex("01013000"): "Identification", bytes.fromhex("01012f00"): "Preface",
         bytes.fromhex("01013600"): "MaterialPackage", bytes.fromhex("01013700"): "SourcePackage"}
_TEXT = {0x3C01: "CompanyName", 0x3C02: "ProductName", 0x3C04: "VersionString", 0x3C08: "Platform"}
_TIME = {0x3C06: "ModificationDate", 0x3B02: "LastModifiedDate", 0x4405: "PackageCreationDate",
         0x4404: "PackageModifiedDate"}
_SCAN = 4 * 1024 * 1024
_MAX_KLV = 20_000


def _ber(b: bytes, pos: int) -> tuple[int, int] | None:
    if pos >= len(b):
        return None
    first = b[pos]
    if first < 0x80:
        return first, 1
    n = first & 0x7F
    if n == 0 or n > 8 or pos + 1 + n > len(b):
        return None
    return int.from_bytes(b[pos + 1:pos + 1 + n], "big"), 1 + n


def _timestamp(v: bytes) -> str | None:
    if len(v) != 8:
        return None
    y, mo, d, h, mi, s, q = struct.unpack(">HBBBBBB", v)
    try:
        dt = datetime(y, mo, d, h, mi, s, min(q * 4, 999) * 1000)
    except ValueError:
        return None
    return f"{dt:%Y-%m-%d %H:%M:%S}.{dt.microsecond // 1000:03d}Z"


def parse_mxf(fh: BinaryIO) -> RawResult:
    """Parse an MXF file object's header metadata.

    Returns
    -------
    RawResult
        ``tags["mxf:<Set>/<Item>"]`` with the writing application's names and the UTC timestamps
        (``YYYY-MM-DD hh:mm:ss.mmmZ``).
    """
    r = BoundedReader(fh)
    res = RawResult(container="mxf")
    data = r.read(0, _SCAN)
    pos = 0
    n = 0
    while pos + 17 <= len(data) and n < _MAX_KLV:
        n += 1
        if data[pos:pos + 4] != MXF_KEY:
            res.problem("mxf_sync_lost", f"no SMPTE key at offset {pos}; stopped", "mxf")
            break
        key = data[pos:pos + 16]
        ln = _ber(data, pos + 16)
        if ln is None:
            break
        size, hl = ln
        vs = pos + 16 + hl
        ve = min(vs + size, len(data))
        if key[:12] == _SET and key[12:16] in _SETS:
            _local_set(data[vs:ve], _SETS[key[12:16]], res)
        pos = vs + size
    if not any(k.startswith("mxf:") for k in res.tags):
        res.problem("mxf_no_header_metadata", "no MXF header metadata sets found", "mxf")
    return res


def _local_set(v: bytes, name: str, res: RawResult) -> None:
    pos = 0
    while pos + 4 <= len(v):
        tag, ln = struct.unpack_from(">HH", v, pos)
        item = v[pos + 4:pos + 4 + ln]
        pos += 4 + ln
        if tag in _TEXT and name == "Identification":
            res.tags.setdefault(f"mxf:Identification/{_TEXT[tag]}", item.decode("utf-16-be", "replace").strip("\0 "))
        elif tag in _TIME:
            ts = _timestamp(item)
            if ts:
                res.tags.setdefault(f"mxf:{name}/{_TIME[tag]}", ts)
