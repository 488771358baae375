"""Hostile-input mutators shared by the fuzz test slice and benchmarks/metadata_agreement.py.

Each mutator takes the original bytes and a ``random.Random`` and returns new bytes.
"""

from __future__ import annotations

import random
import struct

__all__ = ["MUTATORS", "mutate", "self_nesting_mp4", "self_nesting_mkv"]

_FOURCCS = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"stsz", b"stco", b"co64", b"stsc", b"stts",
            b"udta", b"meta", b"ilst", b"keys", b"mvhd", b"tkhd", b"mdhd", b"hdlr", b"ftyp", b"uuid", b"\xa9xyz",
            b"LIST", b"RIFF", b"avih", b"strh", b"strf", b"IDIT", b"GPS5", b"GPSU", b"STRM", b"DEVC", b"iprp"]


def _positions(data: bytes, rng: random.Random) -> list[int]:
    """Offsets of size fields: 4 bytes before a known fourcc (ISO/RIFF style), else random."""
    pos = []
    for cc in rng.sample(_FOURCCS, 8):
        i = data.find(cc, 0, 1 << 22)
        if i >= 4:
            pos.append(i - 4 if cc not in (b"LIST", b"RIFF", b"avih", b"strh", b"strf", b"IDIT") else i + 4)
    if not pos:
        pos = [rng.randrange(0, max(1, len(data) - 4)) for _ in range(3)]
    return pos


def bit_flips(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    n = rng.choice([1, 2, 8, 64])
    hot = min(len(b), 65536)
    for _ in range(n):
        i = rng.randrange(hot) if rng.random() < 0.8 else rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def truncate(data: bytes, rng: random.Random) -> bytes:
    cut = rng.choice([rng.randrange(len(data)), rng.randrange(min(len(data), 4096)), len(data) // 2])
    return data[:max(cut, 1)]


def huge_size(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for p in _positions(data, rng)[:2]:
        b[p:p + 4] = struct.pack(">I", rng.choice([0xFFFFFFFF, 0x7FFFFFFF, len(data) * 4, 0xFFFFFFF0]))
    return bytes(b)


def zero_size(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for p in _positions(data, rng)[:2]:
        b[p:p + 4] = struct.pack(">I", rng.choice([0, 1, 7, 8]))
    return bytes(b)


def self_nesting_mp4(depth: int = 5000) -> bytes:
    """ftyp + a moov that nests ``udta/meta`` boxes ``depth`` levels deep (each claims its parent's size)."""
    inner = b""
    for i in range(depth):
        typ = [b"trak", b"udta", b"meta", b"mdia", b"moov"][i % 5]
        inner = struct.pack(">I", 8 + len(inner)) + typ + inner
    ftyp = struct.pack(">I", 16) + b"ftypisom" + b"\0\0\0\0"
    return ftyp + struct.pack(">I", 8 + len(inner)) + b"moov" + inner


def self_nesting_mkv(depth: int = 3000) -> bytes:
    """EBML header + Segment with Tags/Tag/SimpleTag nested ``depth`` deep."""
    def el(eid: bytes, payload: bytes) -> bytes:
        n = len(payload)
        return eid + bytes([0x01]) + n.to_bytes(7, "big") + payload

    inner = b""
    for _ in range(depth):
        inner = el(b"\x67\xc8", inner)
    tags = el(b"\x12\x54\xc3\x67", el(b"\x73\x73", inner))
    return el(b"\x1a\x45\xdf\xa3", el(b"\x42\x82", b"matroska")) + el(b"\x18\x53\x80\x67", tags)


def self_nest(data: bytes, rng: random.Random) -> bytes:
    """Replace a box's payload start with a copy of its own header (box contains itself)."""
    b = bytearray(data)
    for p in _positions(data, rng)[:1]:
        hdr = bytes(b[p:p + 8])
        b[p + 8:p + 16] = hdr
    return bytes(b)


MUTATORS = {"bit_flip": bit_flips, "truncate": truncate, "huge_size": huge_size, "zero_size": zero_size,
            "self_nest": self_nest}


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """Apply one randomly chosen mutator; returns (name, mutated bytes)."""
    name = rng.choice(sorted(MUTATORS))
    return name, MUTATORS[name](data, rng)
