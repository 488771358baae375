"""Metadata stage: read what a file says about its own time, place and origin.

One pure parser per container (``isobmff``, ``matroska``, ``riff``, ``asf``, ``mpegts``,
``exif``, ``dji_srt``, ``gpmf``, ``c2pa``) and one normaliser (``normalize``) that turns raw
tags into typed, sourced evidence.  The entry point is :func:`extract_metadata`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

from ..errors import CorruptMediaError, ProvenanceError, UnsupportedMediaError
from ..media.source import MediaFile, open_media
from ._raw import RawResult
from .model import C2PAInfo, Device, Location, Metadata, Problem, TimeTag, TrackPoint

__all__ = [
    "C2PAInfo",
    "Device",
    "Location",
    "Metadata",
    "Problem",
    "TimeTag",
    "TrackPoint",
    "extract_metadata",
    "sniff_format",
]

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

_ISO_TOP = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot", b"uuid", b"meta", b"PICT", b"styp"}
_SRT_RE = re.compile(rb"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.S)
#: DJI Mavic 2 / Mavic Pro "style" SRT without cue timings: the index line, then the date line, then [latitude ...]
_SRT_DJI_NOTIME = re.compile(
    rb"^\s*\d+\s*\r?\n\s*\d{4}[.-]\d{1,2}[.-]\d{1,2} \d{1,2}:\d{2}:\d{2}[^\n]*\r?\n\s*\[\s*lat", re.S)
_ASF = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
#: Containers we do not parse natively but FFmpeg (PyAV) opens: DV DIF, MPEG-PS/ES, FLV, Ogg, RealMedia.
#: Anything else unknown is refused at once rather than handed to FFmpeg's slow format probing.
_FFMPEG_ONLY = (b"\x1f\x07\x00", b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3", b"FLV", b"OggS", b".RMF")


def sniff_format(head: bytes) -> str | None:
    """Name the container from the first bytes of a file (not from its extension).

    Returns
    -------
    str or None
        ``"isobmff"``, ``"jpeg"``, ``"tiff"``, ``"matroska"``, ``"avi"``, ``"asf"``, ``"mpegts"``,
        ``"dji_srt"``, ``"text"`` (readable text that is no known sidecar) or ``None``.
    """
    if len(head) >= 8 and head[4:8] in _ISO_TOP:
        return "isobmff"
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] in (b"AVI ", b"AVIX", b"AMV "):
        return "avi"
    if head[:16] == _ASF:
        return "asf"
    if head[:4] == b"FLV\x01":
        return "flv"
    if head[:4] == b"\x06\x0e\x2b\x34" and head[4:5] == b"\x02":
        return "mxf"
    if head[:3] == b"\x1f\x07\x00" and len(head) >= 80:
        return "dv"
    if len(head) > 376 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return "mpegts"
    if len(head) > 392 and head[4] == 0x47 and head[196] == 0x47 and head[388] == 0x47:
        return "mpegts"
    body = head.lstrip(b"\xef\xbb\xbf")
    if _SRT_RE.match(body) or _SRT_DJI_NOTIME.match(body):
        return "dji_srt"
    if body and b"\x00" not in body[:4096]:
        try:
            body[:4096].decode("utf-8")
            return "text"
        except UnicodeDecodeError as exc:
            if exc.start > 4000:  # cut inside a multi-byte character at the end of the sniff window
                return "text"
    return None


def _parser(fmt: str) -> Callable[[BinaryIO], RawResult]:
    if fmt == "isobmff":
        from .isobmff import parse_isobmff

        return parse_isobmff
    if fmt == "matroska":
        from .matroska import parse_matroska

        return parse_matroska
    if fmt == "avi":
        from .riff import parse_riff

        return parse_riff
    if fmt == "asf":
        from .asf import parse_asf

        return parse_asf
    if fmt == "mpegts":
        from .mpegts import parse_mpegts

        return parse_mpegts
    if fmt == "dji_srt":
        from .dji_srt import parse_dji_srt

        return parse_dji_srt
    if fmt == "flv":
        from .flv import parse_flv

        return parse_flv
    if fmt == "mxf":
        from .mxf import parse_mxf

        return parse_mxf
    if fmt == "dv":
        from .dv import parse_dv

        return parse_dv
    if fmt in ("jpeg", "tiff"):
        from .exif import parse_exif

        return lambda fh: parse_exif(fh, fmt)
    raise UnsupportedMediaError(f"no parser for format {fmt!r}")  # pragma: no cover


def _probe_fallback(path: Path | MediaFile, raw: RawResult) -> None:
    """Fill size/codec/duration from PyAV for containers whose pure parser does not give them."""
    try:
        from ..media.probe import probe
    except ImportError:  # pragma: no cover - media stage missing
        return
    try:
        info = probe(path)
    except ProvenanceError as exc:
        raw.problem("probe_failed", f"PyAV could not open the file ({exc})", "probe")
        return
    except Exception as exc:  # noqa: BLE001 - decoder libraries raise their own types
        raw.problem("probe_failed", f"PyAV could not open the file ({type(exc).__name__})", "probe")
        return
    raw.duration_s = raw.duration_s if raw.duration_s is not None else info.duration_s
    raw.width = raw.width or info.width
    raw.height = raw.height or info.height
    raw.video_codec = raw.video_codec or info.video_codec
    raw.frame_rate = raw.frame_rate or info.frame_rate
    if raw.rotation_deg is None:
        raw.rotation_deg = info.rotation_deg
    for k, v in (info.tags or {}).items():
        raw.tags.setdefault(f"probe:{k}", v)


def _find_sidecar(path: Path) -> Path | None:
    for ext in (".srt", ".SRT", ".Srt"):
        cand = path.with_suffix(ext)
        if cand != path and cand.is_file():
            return cand
    return None


def extract_metadata(path: str | os.PathLike[str] | MediaFile, *, sidecar: bool = True, c2pa: bool = True) -> Metadata:
    """Read and normalise the provenance metadata of a video, still or telemetry file.

    The format is recognised from the file's first bytes, not its extension.  Reads are
    bounded (headers only; media data is skipped by seeking), so huge files are cheap.

    Parameters
    ----------
    path : str, path-like or MediaFile
        The file, or the call's open :class:`~provenance.media.MediaFile` (shared, not reopened).
    sidecar : bool, default True
        Also read a DJI ``.srt`` telemetry file with the same stem next to a video.
    c2pa : bool, default True
        Look for a C2PA manifest (validated offline through the ``c2pa`` extra when present).

    Returns
    -------
    Metadata
        Times with zone state and meaning, location, telemetry track, device, duration [s],
        size [px], rotation [deg], codec, C2PA summary and the problems found.

    Raises
    ------
    MediaNotFoundError
        The path does not exist or is not a regular file.
    UnsupportedMediaError
        The file is text (and no SRT) or of an unknown binary format.
    CorruptMediaError
        The file is empty, or of a known format but nothing at all could be read.

    Examples
    --------
    >>> md = extract_metadata("clip.mov")                         # doctest: +SKIP
    >>> [(t.meaning, t.value.isoformat(), t.tz_state) for t in md.times]  # doctest: +SKIP
    """
    with open_media(path) as media:
        return _extract_metadata(media, sidecar=sidecar, c2pa=c2pa)


def _extract_metadata(media: MediaFile, *, sidecar: bool, c2pa: bool) -> Metadata:
    """:func:`extract_metadata` over the call's open media object (one open serves every reader)."""
    p = media.path
    fh = cast(BinaryIO, media.stream())  # a seekable binary stream; the parsers need only read/seek/tell
    with fh:
        head = fh.read(4096)
        fmt = sniff_format(head)
        if fmt == "text":
            raise UnsupportedMediaError(
                f"{p.name!r} is a text file, not media (expected a video, photo or DJI .srt telemetry; "
                f"the extension {p.suffix!r} does not make it one)", path=str(p))
        if fmt is None:
            raw = RawResult(container="unknown")
            if head.startswith(_FFMPEG_ONLY):
                _probe_fallback(media, raw)
            if raw.width is None and raw.duration_s is None:
                raise UnsupportedMediaError(
                    f"unknown media format (first bytes {head[:8].hex()}); supported: MP4/MOV/HEIC, Matroska/WebM, "
                    "AVI, ASF/WMV, MPEG-TS/AVCHD, JPEG/TIFF, DJI SRT, and what FFmpeg opens", path=str(p))
            raw.container = "ffmpeg"
        else:
            fh.seek(0)
            try:
                raw = _parser(fmt)(fh)
            except ProvenanceError:
                raise
            except (MemoryError, RecursionError) as exc:
                raise CorruptMediaError(f"{fmt} structure too large or deep to read safely", path=str(p)) from exc
            except Exception as exc:  # noqa: BLE001 - a parser bug must not escape as a random type
                log.debug("parser %s failed on %s", fmt, p, exc_info=True)
                raise CorruptMediaError(f"could not parse {fmt} structure ({type(exc).__name__}: {exc})",
                                        path=str(p)) from exc
            if fmt == "isobmff" and raw.container in ("heic", "avif"):
                import io

                from ._raw import BoundedReader
                from .exif import parse_exif
                from .isobmff import heif_exif_extent

                # Hand exifread only the Exif item's TIFF block: its own HEIF box walker can loop forever
                # on hostile sizes.
                ext = heif_exif_extent(raw)
                blob = b""
                if ext is not None:
                    item = BoundedReader(fh).read(ext[0], min(ext[1], 4 * 1024 * 1024))
                    if len(item) >= 4:
                        skip = int.from_bytes(item[:4], "big")
                        blob = item[4 + skip:] if 4 + skip < len(item) else b""
                if blob[:4] in (b"II*\x00", b"MM\x00*"):
                    ex = parse_exif(io.BytesIO(blob), raw.container)
                else:
                    ex = RawResult(container=raw.container)
                    ex.problem("no_exif", "no readable Exif item in the HEIF file", "exif")
                raw.tags.update(ex.tags)
                raw.extra.update({k: v for k, v in ex.extra.items()})
                raw.problems = [q for q in raw.problems if q.code != "no_moov"]
            if fmt in ("jpeg", "tiff", "avi") or raw.container in ("heic", "avif"):
                from ._raw import BoundedReader
                from .isobmff import scan_xmp

                if not any("XMP" in k or k.startswith("xmp:") for k in raw.tags):
                    scan_xmp(BoundedReader(fh), raw)
            if fmt in ("mpegts",) or (fmt == "isobmff" and raw.container not in ("heic", "avif") and raw.width is None
                                      and raw.duration_s is None and "mp4:moov/mvhd/timescale" in raw.tags):
                _probe_fallback(media, raw)
            if not raw.tags and raw.duration_s is None and raw.width is None and not raw.track:
                why = "; ".join(q.message for q in raw.problems) or "no structure"
                raise CorruptMediaError(f"{fmt} file but nothing could be read ({why})", path=str(p))
    side = None
    if sidecar and fmt not in ("dji_srt", "jpeg", "tiff"):
        sp = _find_sidecar(p)
        if sp is not None:
            from .dji_srt import parse_dji_srt

            try:
                with open(sp, "rb") as sfh:
                    side = parse_dji_srt(sfh)
                side.tags["srt:path"] = str(sp)
            except OSError as exc:
                raw.problem("sidecar_unreadable", f"sidecar {sp.name} unreadable: {exc}", str(sp))
    c2 = None
    if c2pa and fmt in ("jpeg", "isobmff", "tiff"):
        from .c2pa import read_c2pa

        try:
            c2 = read_c2pa(media)
        except OSError as exc:
            c2 = C2PAInfo(state="error", validation_errors=(str(exc),))
    from .normalize import normalize

    return normalize(str(p), raw, sidecar=side, c2pa=c2)
