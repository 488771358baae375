"""C2PA manifest reading through the optional ``c2pa-python`` extra, fully offline.

A cheap byte scan first looks for a JUMBF/C2PA marker in the head and tail of the file;
without one the answer is ``"none_found"`` (never negative evidence) and c2pa is not even
imported.  With one, ``c2pa.Reader`` validates the manifest with remote manifest fetching and
OCSP turned off.  Without the extra the state is ``"unavailable"``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from ..media.source import MediaFile
from ._raw import BoundedReader
from .model import C2PAInfo

__all__ = ["has_c2pa_marker", "read_c2pa"]

log = logging.getLogger(__name__)

_SCAN = 4 * 1024 * 1024


def has_c2pa_marker(path: str | Path | MediaFile) -> bool:
    """True when the first or last 4 MiB of the file contain a C2PA JUMBF label."""
    if isinstance(path, MediaFile):  # the call's open media object: bounded reads, no new open
        head = path.read(0, _SCAN)
        if b"c2pa" in head and b"jumb" in head:
            return True
        if path.size > _SCAN:
            tail = path.read(max(path.size - _SCAN, _SCAN), _SCAN)
            return b"c2pa" in tail and b"jumb" in tail
        return False
    with open(path, "rb") as fh:
        r = BoundedReader(fh)
        head = r.read(0, _SCAN)
        if b"c2pa" in head and b"jumb" in head:
            return True
        if r.size > _SCAN:
            tail = r.read(max(r.size - _SCAN, _SCAN), _SCAN)
            return b"c2pa" in tail and b"jumb" in tail
    return False


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def summarise(store: dict[str, Any], validation_state: str | None) -> C2PAInfo:
    """Turn a c2pa manifest-store JSON (as ``Reader.json()`` gives it) into :class:`C2PAInfo`."""
    active = store.get("active_manifest")
    manifests = store.get("manifests") or {}
    m = manifests.get(active) if active else None
    if m is None and manifests:
        m = next(iter(manifests.values()))
    if m is None:
        return C2PAInfo(state="none_found")
    sig = m.get("signature_info") or {}
    actions: list[str] = []
    capture_time = None
    capture_loc = None
    for a in m.get("assertions") or []:
        label = str(a.get("label", ""))
        data = a.get("data") or {}
        if label.startswith("c2pa.actions"):
            for act in data.get("actions") or []:
                if act.get("action"):
                    actions.append(str(act["action"]))
                    if act["action"] == "c2pa.created" and capture_time is None:
                        capture_time = _parse_time(act.get("when"))
        elif label in ("stds.exif", "c2pa.metadata"):
            capture_time = capture_time or _parse_time(data.get("exif:DateTimeOriginal"))
            lat, lon = data.get("exif:GPSLatitude"), data.get("exif:GPSLongitude")
            try:
                if lat is not None and lon is not None:
                    capture_loc = (float(lat), float(lon))
            except (TypeError, ValueError):
                capture_loc = None
    ingredients = tuple(str(i.get("title", "")) for i in m.get("ingredients") or [])
    failures = []
    for v in store.get("validation_status") or []:
        failures.append(f"{v.get('code')}: {v.get('explanation', '')}".strip())
    signer = sig.get("issuer") or sig.get("common_name")
    return C2PAInfo(
        state=(validation_state or ("Invalid" if failures else "Valid")),
        claim_generator=m.get("claim_generator") or (
            (m.get("claim_generator_info") or [{}])[0].get("name")),
        signer=signer,
        signed_at=_parse_time(sig.get("time")),
        actions=tuple(actions),
        ingredients=ingredients,
        capture_time=capture_time,
        capture_location=capture_loc,
        validation_errors=tuple(failures),
    )


def _mime(media: MediaFile) -> str:
    head = media.head
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic"
    if head[8:12] == b"avif":
        return "image/avif"
    return "video/mp4"


def read_c2pa(path: str | Path | MediaFile) -> C2PAInfo:
    """Read and validate the C2PA manifest of ``path`` offline.

    Returns
    -------
    C2PAInfo
        ``state`` is ``"none_found"`` (no manifest), ``"unavailable"`` (extra not installed;
        install ``video-provenance[c2pa]``), ``"error"`` (manifest present but unreadable), or
        c2pa's validation state (``"Valid"``, ``"Invalid"``, ``"Trusted"``).
    """
    if not has_c2pa_marker(path):
        return C2PAInfo(state="none_found")
    try:
        import c2pa  # optional extra
    except ImportError:
        log.info("C2PA marker found but c2pa-python is not installed (pip install 'video-provenance[c2pa]')")
        return C2PAInfo(state="unavailable")
    settings = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    try:
        ctx = None
        if hasattr(c2pa, "Settings") and hasattr(c2pa.Settings, "from_dict") and hasattr(c2pa, "Context"):
            ctx = c2pa.Context(c2pa.Settings.from_dict(settings))
            if isinstance(path, MediaFile):
                reader = c2pa.Reader(_mime(path), path.stream(), context=ctx)
            else:
                reader = c2pa.Reader(str(path), context=ctx)
        else:  # older c2pa-python
            c2pa.load_settings(json.dumps(settings))
            reader = c2pa.Reader(str(path.path if isinstance(path, MediaFile) else path))
        store = json.loads(reader.json())
        state = None
        if hasattr(reader, "get_validation_state"):
            try:
                state = reader.get_validation_state()
            except Exception:  # noqa: BLE001 - optional detail
                state = None
        return summarise(store, state)
    except Exception as exc:  # noqa: BLE001 - c2pa raises its own error types
        msg = str(exc)
        if "ManifestNotFound" in msg or "no JUMBF" in msg or "NotFound" in type(exc).__name__:
            return C2PAInfo(state="none_found")
        log.warning("C2PA manifest of %s could not be read: %s", path, msg)
        return C2PAInfo(state="error", validation_errors=(msg[:300],))
