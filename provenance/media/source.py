"""The media object: one validated path, one open file, shared by every reader of a call.

:class:`MediaFile` checks the path once (a regular, non-empty file; FIFOs, devices and sockets
are refused from ``os.stat`` before anything opens them), opens it once, and serves

* bounded byte reads and independent file views for the byte-level metadata parsers and the
  C2PA scan (``os.pread``: each view has its own position, none reads the whole file);
* magic-byte sniffing (still image or video) and the still's dimensions from its header;
* PyAV containers for probing, the packet layout pass and decoding, each opened over a fresh
  view of the same descriptor, so FFmpeg never opens the path (nor, through a hostile
  playlist or reference, any other file) itself.

It also carries the budgets of a call (:class:`MediaLimits`): limits on what is decoded,
never on what a header claims. Every foreign exception raised while it is used through
:func:`media_errors` becomes a :class:`~provenance.errors.MediaError` naming the path.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import logging
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from ..errors import (
    CorruptMediaError,
    InvalidArgumentError,
    MediaError,
    MediaNotFoundError,
    MediaTooLargeError,
    ProvenanceError,
    UnsupportedMediaError,
)

if TYPE_CHECKING:  # pragma: no cover
    import av.container

__all__ = [
    "DEFAULT_MAX_DECODED_FRAMES",
    "DEFAULT_MAX_DURATION_S",
    "DEFAULT_MAX_FRAME_PIXELS",
    "DEFAULT_MAX_PACKETS",
    "DEFAULT_MAX_PIXELS",
    "STILL_FORMATS",
    "MediaFile",
    "MediaLimits",
    "media_errors",
    "open_media",
    "still_dimensions",
]

log = logging.getLogger(__name__)

#: Largest still image decoded [pixels]: 100 MP (a 12,000 x 8,000 frame grab decodes to 288 MB).
DEFAULT_MAX_PIXELS = 100_000_000
#: Largest video frame decoded [pixels]: 8K UHD plus margin (8,192 x 8,192).
DEFAULT_MAX_FRAME_PIXELS = 8192 * 8192
#: Longest video, from demuxed and decoded timestamps [s] (24 h).
DEFAULT_MAX_DURATION_S = 24 * 3600.0
#: Most video packets demuxed in the layout pass (24 h at 60 frames/s).
DEFAULT_MAX_PACKETS = 24 * 3600 * 60
#: Most video frames decoded in one pass (frames skipped between grid points count too).
DEFAULT_MAX_DECODED_FRAMES = 24 * 3600 * 60

#: Still-image formats recognised from their first bytes; each is a one-frame clip at 0 s.
STILL_FORMATS = ("jpeg", "png", "gif", "bmp", "webp", "tiff")

StillFormat = Literal["jpeg", "png", "gif", "bmp", "webp", "tiff"]
#: ``read(offset, n) -> bytes``: bounded random access to a file.
ReadFn = Callable[[int, int], bytes]


@dataclass(frozen=True)
class MediaLimits:
    """Budgets of one call, checked against what is decoded (or read from a header before decoding).

    Attributes
    ----------
    max_pixels : int
        Largest still image [pixels], checked from the header before decoding.
    max_frame_pixels : int
        Largest video frame [pixels], checked from the stream header and enforced by the decoder.
    max_duration_s : float
        Longest video [s], from demuxed timestamps (a container's claimed duration is not used).
    max_packets : int
        Most video packets demuxed.
    max_decoded_frames : int
        Most video frames decoded in one pass.
    """

    max_pixels: int = DEFAULT_MAX_PIXELS
    max_frame_pixels: int = DEFAULT_MAX_FRAME_PIXELS
    max_duration_s: float = DEFAULT_MAX_DURATION_S
    max_packets: int = DEFAULT_MAX_PACKETS
    max_decoded_frames: int = DEFAULT_MAX_DECODED_FRAMES

    def __post_init__(self) -> None:
        for name in ("max_pixels", "max_frame_pixels", "max_packets", "max_decoded_frames"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidArgumentError(f"MediaLimits.{name} must be an int >= 1 (got {value!r})")
        d = self.max_duration_s
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 < d < float("inf"):
            raise InvalidArgumentError(f"MediaLimits.max_duration_s must be a finite number > 0 s (got {d!r})")


class _View(io.RawIOBase):
    """A read-only, seekable view of an open descriptor with its own position (``os.pread``)."""

    def __init__(self, fd: int, size: int):
        super().__init__()
        self._fd = fd
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("I/O operation on a closed media view")
        n = min(len(buffer), self._size - self._pos)
        if n <= 0:
            return 0
        data = os.pread(self._fd, n, self._pos)
        k = len(data)
        memoryview(buffer)[:k] = data
        self._pos += k
        return k

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            pos = offset
        elif whence == os.SEEK_CUR:
            pos = self._pos + offset
        elif whence == os.SEEK_END:
            pos = self._size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if pos < 0:
            raise OSError(22, "negative seek position")
        self._pos = pos
        return pos

    def tell(self) -> int:
        return self._pos


def _check_path(path: object) -> Path:
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise InvalidArgumentError(f"expected a file path (str or os.PathLike), got {type(path).__name__}")
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise MediaNotFoundError(f"no such file: {str(p)!r}", path=str(p)) from None
    except (OSError, ValueError) as exc:  # permission, name too long, embedded NUL
        raise MediaNotFoundError(f"cannot access {str(p)!r}: {exc}", path=str(p)) from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("directory" if stat.S_ISDIR(st.st_mode) else "FIFO" if stat.S_ISFIFO(st.st_mode)
                else "socket" if stat.S_ISSOCK(st.st_mode) else "device" if stat.S_ISCHR(st.st_mode)
                or stat.S_ISBLK(st.st_mode) else "special file")
        raise MediaNotFoundError(f"not a regular file ({kind}): {str(p)!r}", path=str(p))
    if st.st_size == 0:
        raise CorruptMediaError(f"file is empty (0 bytes): {str(p)!r}", path=str(p))
    return p


_BMP_INFO_SIZES = (12, 40, 52, 56, 64, 108, 124)  # BITMAPCOREHEADER ... BITMAPV5HEADER


def sniff_still(head: bytes) -> StillFormat | None:
    """Name the still-image format from a file's first bytes (None: not a still image)."""
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:2] == b"BM" and len(head) >= 26 and int.from_bytes(head[14:18], "little") in _BMP_INFO_SIZES:
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def still_dimensions(fmt: str, read: ReadFn) -> tuple[int, int] | None:
    """(width, height) [px] of a still from its header, without decoding (None when unreadable).

    Parameters
    ----------
    fmt : str
        One of :data:`STILL_FORMATS`.
    read : callable
        ``read(offset, n) -> bytes``, bounded random access to the file.
    """
    if fmt == "png":
        h = read(0, 24)
        return (int.from_bytes(h[16:20], "big"), int.from_bytes(h[20:24], "big")) if h[12:16] == b"IHDR" else None
    if fmt == "gif":
        h = read(0, 10)
        return (int.from_bytes(h[6:8], "little"), int.from_bytes(h[8:10], "little")) if len(h) == 10 else None
    if fmt == "bmp":
        h = read(0, 26)
        if int.from_bytes(h[14:18], "little") == 12:
            return int.from_bytes(h[18:20], "little"), int.from_bytes(h[20:22], "little")
        w = int.from_bytes(h[18:22], "little", signed=True)
        hh = int.from_bytes(h[22:26], "little", signed=True)
        return abs(w), abs(hh)
    if fmt == "webp":
        h = read(0, 30)
        chunk = h[12:16]
        if chunk == b"VP8X":
            return 1 + int.from_bytes(h[24:27], "little"), 1 + int.from_bytes(h[27:30], "little")
        if chunk == b"VP8L" and h[20:21] == b"\x2f":
            bits = int.from_bytes(h[21:25], "little")
            return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
        if chunk == b"VP8 " and h[23:26] == b"\x9d\x01\x2a":
            return int.from_bytes(h[26:28], "little") & 0x3FFF, int.from_bytes(read(28, 2), "little") & 0x3FFF
        return None
    if fmt == "jpeg":
        return _jpeg_dimensions(read)
    if fmt == "tiff":
        return _tiff_dimensions(read)
    return None


def _jpeg_dimensions(read: ReadFn) -> tuple[int, int] | None:
    """Walk the JPEG markers to the first SOF (bounded: at most 4,096 markers)."""
    pos = 2
    for _ in range(4096):
        h = read(pos, 4)
        if len(h) < 4:
            return None
        if h[0] != 0xFF:
            return None
        marker = h[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(h[2:4], "big")
        if length < 2:
            return None
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            sof = read(pos + 4, 5)
            if len(sof) < 5:
                return None
            return int.from_bytes(sof[3:5], "big"), int.from_bytes(sof[1:3], "big")
        if marker == 0xDA:  # start of scan before any frame header
            return None
        pos += 2 + length
    return None


def _tiff_dimensions(read: ReadFn) -> tuple[int, int] | None:
    """ImageWidth and ImageLength of the first IFD."""
    h = read(0, 8)
    if len(h) < 8:
        return None
    order: Literal["little", "big"] = "little" if h[:2] == b"II" else "big"
    ifd = int.from_bytes(h[4:8], order)
    n = int.from_bytes(read(ifd, 2), order)
    if not 0 < n <= 4096:
        return None
    entries = read(ifd + 2, 12 * n)
    dims: dict[int, int] = {}
    for i in range(len(entries) // 12):
        e = entries[12 * i: 12 * i + 12]
        tag = int.from_bytes(e[0:2], order)
        typ = int.from_bytes(e[2:4], order)
        if tag in (256, 257):
            dims[tag] = int.from_bytes(e[8:10], order) if typ == 3 else int.from_bytes(e[8:12], order)
    if 256 in dims and 257 in dims:
        return dims[256], dims[257]
    return None


class MediaFile:
    """A media file opened once for one call, shared by every stage that reads it.

    Parameters
    ----------
    path : str or os.PathLike
        The file. It must be a regular, non-empty file; FIFOs, devices and sockets are refused
        before any open.
    limits : MediaLimits, optional
        Budgets of the call (default :class:`MediaLimits`'s documented defaults); raise them
        for unusually large but legitimate media.

    Raises
    ------
    InvalidArgumentError
        ``path`` is not a str or path-like.
    MediaNotFoundError
        No regular file at ``path``.
    CorruptMediaError
        The file is empty.

    Examples
    --------
    >>> with MediaFile("clip.mp4") as media:  # doctest: +SKIP
    ...     md = provenance.extract_metadata(media)
    ...     fp = provenance.fingerprint(media)
    """

    def __init__(self, path: str | os.PathLike[str], *, limits: MediaLimits | None = None):
        if limits is not None and not isinstance(limits, MediaLimits):
            raise InvalidArgumentError(f"'limits' must be a MediaLimits (got {type(limits).__name__})")
        self.limits = limits or MediaLimits()
        self.path = _check_path(path)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            # O_NONBLOCK: a path swapped for a FIFO after the stat cannot block the open
            fd = os.open(self.path, flags)
        except FileNotFoundError:
            raise MediaNotFoundError(f"no such file: {str(self.path)!r}", path=str(self.path)) from None
        except OSError as exc:
            raise MediaNotFoundError(f"cannot open {str(self.path)!r}: {exc.strerror}", path=str(self.path)) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            raise MediaNotFoundError(f"not a regular file: {str(self.path)!r}", path=str(self.path))
        self._fd: int | None = fd
        self._used_av = False
        #: File size [bytes] when opened.
        self.size = st.st_size
        self._head = self.read(0, 4096)
        #: Still-image format from the magic bytes, None for anything else (handed to FFmpeg).
        self.still_format: StillFormat | None = sniff_still(self._head)

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Close the file (views and containers made from it stop working)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if self._used_av:
                from . import _av

                if _av.FREE_BY_GC:  # PyAV 12: free the decoder threads of this call's containers now
                    gc.collect()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._fd is None

    def __del__(self) -> None:  # a media object dropped without close() must not leak its descriptor
        fd = getattr(self, "_fd", None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
            self._fd = None

    def __enter__(self) -> MediaFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MediaFile({str(self.path)!r}, {self.size} bytes{', closed' if self.closed else ''})"

    def _need_fd(self) -> int:
        if self._fd is None:
            raise InvalidArgumentError(f"media file {self.path.name!r} is closed")
        return self._fd

    # ------------------------------------------------------------------ bytes
    @property
    def name(self) -> str:
        return self.path.name

    @property
    def head(self) -> bytes:
        """The first 4,096 bytes (fewer for a smaller file)."""
        return self._head

    @property
    def is_still(self) -> bool:
        """True for a still image (JPEG, PNG, GIF, BMP, WebP, TIFF by magic bytes, not by name)."""
        return self.still_format is not None

    @property
    def heif_brand(self) -> str | None:
        """The ISO-BMFF brand of a HEIF/AVIF still image (``"heic"``, ``"mif1"``, ``"avif"``, ...), else None.

        FFmpeg exposes one tile of a HEIF grid image, not the picture, so these are not decoded.
        """
        h = self._head
        if h[4:8] != b"ftyp":
            return None
        size = int.from_bytes(h[:4], "big")
        brands = [h[8:12]] + [h[i:i + 4] for i in range(16, min(size, len(h)) - 3, 4)]
        if brands[0] in (b"qt  ", b"isom", b"mp41", b"mp42", b"avc1", b"iso2", b"iso4", b"iso5", b"iso6", b"3gp4",
                         b"3gp5", b"M4V ", b"MSNV", b"dash", b"crx "):
            return None
        for b in brands:
            if b in (b"heic", b"heix", b"heim", b"heis", b"mif1", b"avif", b"avic"):
                return b.decode("ascii")
        return None

    def read(self, offset: int, n: int) -> bytes:
        """At most ``n`` bytes at ``offset`` (fewer at the end of the file; never past it)."""
        fd = self._need_fd()
        if offset < 0 or n <= 0 or offset >= self.size:
            return b""
        try:
            return os.pread(fd, min(n, self.size - offset), offset)
        except OSError as exc:
            raise CorruptMediaError(f"cannot read {self.name!r}: {exc.strerror}", path=str(self.path)) from exc

    def stream(self, *, buffered: bool = True) -> io.BufferedReader | io.RawIOBase:
        """A new read-only, seekable binary file object over the file, with its own position.

        Closing it does not close the media file.
        """
        view = _View(self._need_fd(), self.size)
        return io.BufferedReader(view, buffer_size=64 * 1024) if buffered else view

    def sha256(self, *, chunk: int = 1 << 20) -> str:
        """Hex SHA-256 of the file's bytes (read in ``chunk``-byte blocks)."""
        h = hashlib.sha256()
        pos = 0
        while pos < self.size:
            block = self.read(pos, chunk)
            if not block:
                break
            h.update(block)
            pos += len(block)
        return h.hexdigest()

    def still_size(self) -> tuple[int, int] | None:
        """(width, height) [px] of a still image from its header (None when not a still or unreadable)."""
        if self.still_format is None:
            return None
        return still_dimensions(self.still_format, self.read)

    # ------------------------------------------------------------------ PyAV
    @contextlib.contextmanager
    def container(self) -> Iterator[av.container.InputContainer]:
        """A PyAV input container over a fresh view of the file (one pass: probe, layout or decode).

        The path is never reopened: FFmpeg reads through the descriptor this object holds.
        Failures to open become library errors.
        """
        from . import _av

        view = self.stream(buffered=False)
        self._used_av = True
        with media_errors(self):
            c = _av.open_input(view, self)
        try:
            yield c
        finally:
            with contextlib.suppress(Exception):
                c.close()
            view.close()
            if _av.FREE_BY_GC:
                del c
                gc.collect()


@contextlib.contextmanager
def open_media(source: str | os.PathLike[str] | MediaFile, *,
               limits: MediaLimits | None = None) -> Iterator[MediaFile]:
    """Use ``source`` as a :class:`MediaFile`: an open one is shared (and left open), a path is opened and closed."""
    if isinstance(source, MediaFile):
        source._need_fd()
        yield source
        return
    media = MediaFile(source, limits=limits)
    try:
        yield media
    finally:
        media.close()


@contextlib.contextmanager
def media_errors(media: MediaFile | str | os.PathLike[str], what: str = "read") -> Iterator[None]:
    """Turn any foreign exception raised inside the block into the library's media error.

    PyAV's ``av.error.*`` (``InvalidDataError`` -> :class:`UnsupportedMediaError` when nothing
    was read yet, else :class:`CorruptMediaError`), Pillow's ``DecompressionBombError`` and OpenCV's
    ``cv2.error`` (:class:`MediaTooLargeError` for size limits), ``MemoryError``
    (:class:`MediaTooLargeError`), ``OSError`` and the ``TypeError``/``AttributeError``/
    ``ValueError`` of an API drift all carry the path. Library errors pass through unchanged.
    """
    path = str(media.path) if isinstance(media, MediaFile) else os.fspath(media)
    name = Path(path).name
    try:
        yield
    except ProvenanceError:
        raise
    except MemoryError as exc:
        raise MediaTooLargeError(f"not enough memory to {what} {name!r}; the media is too large",
                                 path=path) from exc
    except RecursionError as exc:
        raise CorruptMediaError(f"structure of {name!r} nests too deep to {what}", path=path) from exc
    except Exception as exc:  # noqa: BLE001 - this is the one layer where foreign errors become ours
        raise translate_error(exc, path, what) from exc


def translate_error(exc: BaseException, path: str, what: str = "read") -> MediaError:
    """The library error for a foreign exception ``exc`` raised while reading ``path``."""
    name = Path(path).name
    detail = f"{type(exc).__name__}: {exc}"[:500]
    mod = type(exc).__module__ or ""
    if mod.startswith("av"):
        tname = type(exc).__name__
        if tname in ("InvalidDataError", "DemuxerNotFoundError", "DecoderNotFoundError", "PatchWelcomeError"):
            return UnsupportedMediaError(
                f"FFmpeg cannot {what} {name!r} (expected a video such as mp4, mov, mkv, avi, or a still image)",
                path=path, stderr=detail)
        if tname == "MemoryError":
            return MediaTooLargeError(f"FFmpeg ran out of memory to {what} {name!r}", path=path, stderr=detail)
        return CorruptMediaError(f"FFmpeg failed to {what} {name!r}", path=path, stderr=detail)
    if mod.startswith("PIL") and type(exc).__name__ == "DecompressionBombError":
        return MediaTooLargeError(f"image {name!r} is too large to decode", path=path, stderr=detail[:300])
    if mod.startswith("cv2"):  # OpenCV serves only the optional OCR (extra "ocr"); matched by name, never imported
        text = str(exc)
        if "CV_IO_MAX_IMAGE_PIXELS" in text or "Insufficient memory" in text or "alloc" in text.lower():
            return MediaTooLargeError(f"image {name!r} is too large to decode", path=path, stderr=detail[:300])
        return CorruptMediaError(f"OpenCV failed to {what} {name!r}", path=path, stderr=detail[:300])
    if isinstance(exc, OSError):
        return CorruptMediaError(f"cannot {what} {name!r}: {exc.strerror or exc}", path=path, stderr=detail)
    if isinstance(exc, (TypeError, AttributeError)):
        log.debug("API drift or bug while reading %s", path, exc_info=True)
        return CorruptMediaError(f"cannot {what} {name!r} with this PyAV/OpenCV version ({detail})",
                                 path=path, stderr=detail)
    return CorruptMediaError(f"cannot {what} {name!r} ({detail})", path=path, stderr=detail)
