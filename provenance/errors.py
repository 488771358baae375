"""The exception tree of provenance, grouped by subject.

Every error the library raises on purpose derives from :class:`ProvenanceError`. Leaves also
inherit the matching built-in exception, so ``except FileNotFoundError`` or ``except ValueError``
in calling code keeps working. Each error carries its subject as attributes (``path``,
``footage_id``, ``line``, ``place``) as well as in its message.

::

    ProvenanceError
    ├── InvalidArgumentError (ValueError)        a wrong argument type, value or combination
    ├── MediaError                               the media file
    │   ├── MediaNotFoundError (FileNotFoundError)   missing, or not a regular file
    │   ├── UnsupportedMediaError (ValueError)       not a format provenance reads
    │   ├── CorruptMediaError (ValueError)           known format, damaged beyond use
    │   └── MediaTooLargeError (ValueError)          beyond a pixel, frame or duration budget
    ├── IndexStoreError (RuntimeError)           the known-footage index
    │   ├── IndexNotFoundError (FileNotFoundError)   no index at that location (never created silently)
    │   ├── CorruptIndexError                        damaged or foreign; never written to
    │   ├── DuplicateFootageError (ValueError)       footage id or content already indexed
    │   ├── HasherMismatchError (ValueError)         hashes made by another hasher than the index's
    │   └── ReadOnlyIndexError (PermissionError)     a write to an index opened read-only
    ├── ClaimError (ValueError)                  the claim to check
    │   ├── PlaceNotFoundError (LookupError)         a place name the gazetteer does not know
    │   └── AmbiguousPlaceError (LookupError)        several places fit and a choice is required
    ├── MissingExtraError (ImportError)          an optional dependency is not installed
    └── ToolError (RuntimeError)                 an external tool or library failed
        └── ToolNotFoundError (FileNotFoundError)    a required tool or library is absent
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AmbiguousPlaceError",
    "ClaimError",
    "CorruptIndexError",
    "CorruptMediaError",
    "DuplicateFootageError",
    "HasherMismatchError",
    "IndexNotFoundError",
    "IndexStoreError",
    "InvalidArgumentError",
    "MediaError",
    "MediaNotFoundError",
    "MediaTooLargeError",
    "MissingExtraError",
    "PlaceNotFoundError",
    "ProvenanceError",
    "ReadOnlyIndexError",
    "ToolError",
    "ToolNotFoundError",
    "UnsupportedMediaError",
]


class ProvenanceError(Exception):
    """Base class of every error raised by provenance.

    Parameters
    ----------
    message
        What was given, what was expected and how to fix it.
    path
        The file (or index location) concerned, if any.
    stderr
        The last line a tool or library reported, if one was involved.
    """

    def __init__(self, message: str, *, path: str | None = None, stderr: str | None = None):
        self.path = None if path is None else str(path)
        self.stderr = stderr
        self.message = message
        full = message
        if self.path is not None and self.path not in message:
            full = f"{message} [file: {self.path}]"
        if stderr and stderr.strip():
            full = f"{full} (tool said: {stderr.strip().splitlines()[-1]})"
        super().__init__(full)


class InvalidArgumentError(ProvenanceError, ValueError):
    """An argument has the wrong type, value or combination."""


# ---------------------------------------------------------------- media


class MediaError(ProvenanceError):
    """Base of the errors about a media file; ``path`` names it."""


class MediaNotFoundError(MediaError, FileNotFoundError):
    """The media file does not exist or is not a regular file (a FIFO, device or socket)."""


class UnsupportedMediaError(MediaError, ValueError):
    """The file is not a media format provenance can read (e.g. a text file named .mp4)."""


class CorruptMediaError(MediaError, ValueError):
    """The file has a known format but is truncated or damaged beyond use."""


class MediaTooLargeError(MediaError, ValueError):
    """Decoding would exceed a pixel, frame or duration budget; the message names the budget to raise."""


# ---------------------------------------------------------------- index


class IndexStoreError(ProvenanceError, RuntimeError):
    """Base of the errors about a known-footage index.

    Parameters
    ----------
    message
        What went wrong and how to fix it.
    path
        The index location.
    footage_id
        The footage item concerned, if any.
    line
        The catalogue line (1-based) or stored row concerned, if any.
    """

    def __init__(self, message: str, *, path: str | None = None, stderr: str | None = None,
                 footage_id: str | None = None, line: int | None = None):
        self.footage_id = footage_id
        self.line = line
        super().__init__(message, path=path, stderr=stderr)


class IndexNotFoundError(IndexStoreError, FileNotFoundError):
    """There is no index at the location and the call does not create one."""


class CorruptIndexError(IndexStoreError):
    """The index is damaged, foreign or newer than this version; it is never written to."""


class DuplicateFootageError(IndexStoreError, ValueError):
    """The footage id, or the same content under another id, is already in the index."""


class HasherMismatchError(IndexStoreError, ValueError):
    """The hashes were made by another hasher than the one the index was created with."""


class ReadOnlyIndexError(IndexStoreError, PermissionError):
    """A write was asked of an index opened read-only."""


# ---------------------------------------------------------------- claims


class ClaimError(ProvenanceError, ValueError):
    """Base of the errors about a claim to check.

    Parameters
    ----------
    message
        What was given and how to fix it.
    place
        The place text of the claim, if the error is about it.
    candidates
        Readable names of the places that fit, for an ambiguous name.
    """

    def __init__(self, message: str, *, place: str | None = None, candidates: Sequence[str] = ()):
        self.place = place
        self.candidates = tuple(candidates)
        super().__init__(message)


class PlaceNotFoundError(ClaimError, LookupError):
    """A place name could not be resolved by the offline gazetteer."""


class AmbiguousPlaceError(ClaimError, LookupError):
    """Several places carry the name and the call requires one; ``candidates`` lists them."""


# ---------------------------------------------------------------- environment


class MissingExtraError(ProvenanceError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class ToolError(ProvenanceError, RuntimeError):
    """An external tool or third-party library failed unexpectedly; ``stderr`` holds its last line."""


class ToolNotFoundError(ToolError, FileNotFoundError):
    """A required external tool (ffmpeg) or library (PyAV) cannot be found."""
