"""provenance: when and where a video was really filmed, and whether it is recycled footage.

The public API is imported lazily so that ``import provenance`` stays fast.

Examples
--------
>>> import provenance
>>> md = provenance.extract_metadata("clip.mov")
>>> index = provenance.FootageIndex("known.db")
>>> report = provenance.analyze("clip.mov", index=index,
...                             claim=provenance.Claim(time=date(2020, 8, 16), place="Smolensk"))
>>> report.verdict.status
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    AmbiguousPlaceError,
    ClaimError,
    CorruptIndexError,
    CorruptMediaError,
    DuplicateFootageError,
    HasherMismatchError,
    IndexNotFoundError,
    IndexStoreError,
    InvalidArgumentError,
    MediaError,
    MediaNotFoundError,
    MediaTooLargeError,
    MissingExtraError,
    PlaceNotFoundError,
    ProvenanceError,
    ReadOnlyIndexError,
    ToolError,
    ToolNotFoundError,
    UnsupportedMediaError,
)

logging.getLogger(__name__).addHandler(logging.NullHandler())

_LAZY = {
    "analyze": ".pipeline",
    "Claim": ".scoring.claim",
    "Evidence": ".scoring.evidence",
    "extract_keyframes": ".frames",
    "extract_metadata": ".metadata",
    "fingerprint": ".hashing.fingerprinting",
    "Fingerprint": ".hashing",
    "FootageIndex": ".index",
    "FootageRecord": ".index",
    "Grade": ".scoring.claim",
    "Keyframe": ".frames",
    "Match": ".matching",
    "MediaFile": ".media",
    "MediaLimits": ".media",
    "Metadata": ".metadata.model",
    "Report": ".report",
    "resolve_place": ".scoring.places",
    "set_ffmpeg": ".media.tools",
    "ShadowObservation": ".scoring.shadow",
    "sun_position": ".scoring.sun",
    "Verdict": ".scoring.claim",
    "When": ".scoring.fusion",
    "Where": ".scoring.fusion",
}

__all__ = [
    "AmbiguousPlaceError",
    "Claim",
    "ClaimError",
    "CorruptIndexError",
    "CorruptMediaError",
    "DuplicateFootageError",
    "Evidence",
    "Fingerprint",
    "FootageIndex",
    "FootageRecord",
    "Grade",
    "HasherMismatchError",
    "IndexNotFoundError",
    "IndexStoreError",
    "InvalidArgumentError",
    "Keyframe",
    "Match",
    "MediaError",
    "MediaFile",
    "MediaLimits",
    "MediaNotFoundError",
    "MediaTooLargeError",
    "Metadata",
    "MissingExtraError",
    "PlaceNotFoundError",
    "ProvenanceError",
    "ReadOnlyIndexError",
    "Report",
    "ShadowObservation",
    "ToolError",
    "ToolNotFoundError",
    "UnsupportedMediaError",
    "Verdict",
    "When",
    "Where",
    "__version__",
    "analyze",
    "extract_keyframes",
    "extract_metadata",
    "fingerprint",
    "resolve_place",
    "set_ffmpeg",
    "sun_position",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'provenance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from .frames import Keyframe, extract_keyframes
    from .hashing import Fingerprint
    from .hashing.fingerprinting import fingerprint
    from .index import FootageIndex, FootageRecord
    from .matching import Match
    from .media import MediaFile, MediaLimits
    from .media.tools import set_ffmpeg
    from .metadata import extract_metadata
    from .metadata.model import Metadata
    from .pipeline import analyze
    from .report import Report
    from .scoring.claim import Claim, Grade, Verdict
    from .scoring.evidence import Evidence
    from .scoring.fusion import When, Where
    from .scoring.places import resolve_place
    from .scoring.shadow import ShadowObservation
    from .scoring.sun import sun_position
