"""Internal shapes shared by the container parsers: a bounded reader and the raw result.

The parsers never trust a size field: every read goes through :class:`BoundedReader`, which
clips to the file size and to a per-read cap, and every parser counts the boxes/elements it
visits against :data:`MAX_ITEMS`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .model import Problem

__all__ = ["BoundedReader", "RawResult", "MAX_ITEMS", "MAX_DEPTH", "MAX_READ"]

log = logging.getLogger(__name__)

#: Most boxes/elements/chunks visited in one file before a parser stops.
MAX_ITEMS = 20_000
#: Deepest nesting a parser follows.
MAX_DEPTH = 12
#: Largest single read [bytes] (e.g. a moov box); larger structures are cut and reported.
MAX_READ = 64 * 1024 * 1024


class BoundedReader:
    """Random-access reads over a binary file object, clipped to the file and to ``MAX_READ``.

    Parameters
    ----------
    fh : file object
        Opened in binary mode, seekable.
    """

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        fh.seek(0, os.SEEK_END)
        self.size = fh.tell()
        fh.seek(0)

    def read(self, offset: int, n: int, *, cap: int = MAX_READ) -> bytes:
        """Read at most ``min(n, cap)`` bytes at ``offset`` (fewer at end of file)."""
        if offset < 0 or offset >= self.size or n <= 0:
            return b""
        n = min(n, cap, self.size - offset)
        self.fh.seek(offset)
        return self.fh.read(n)


@dataclass
class RawResult:
    """What one parser read, before normalisation (internal, mutable).

    ``tags`` maps a source path (``"mp4:moov/mvhd/creation_time"``) to its value as read.
    ``times`` lists ``(source, kind, value, raw)`` candidates the parser decoded; the
    normaliser decides zone and meaning.  ``track`` holds telemetry samples as dicts.
    """

    container: str
    tags: dict[str, Any] = field(default_factory=dict)
    track: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    rotation_deg: int | None = None
    video_codec: str | None = None
    frame_rate: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def problem(self, code: str, message: str, source: str = "") -> None:
        """Record a problem once (same code and source are not repeated)."""
        for p in self.problems:
            if p.code == code and p.source == source:
                return
        log.debug("%s: %s (%s)", code, message, source)
        self.problems.append(Problem(code=code, message=message, source=source))


def printable(data: bytes, *, limit: int = 512) -> str | None:
    """Decode ``data`` as text when it looks like text (NULs stripped), else ``None``."""
    data = data[:limit].rstrip(b"\x00")
    if not data:
        return ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes everything
            return None
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\t\r\n") or 0x7F <= ord(c) < 0xA0)
    if bad:
        return None
    return text


def short_hex(data: bytes, limit: int = 64) -> str:
    """Hex of the first ``limit`` bytes, with an ellipsis and the total when cut."""
    if len(data) <= limit:
        return data.hex()
    return f"{data[:limit].hex()}...({len(data)} bytes)"
