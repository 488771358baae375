"""The exception tree of provenance.

Every error the library raises on purpose derives from :class:`ProvenanceError`.
Leaves also inherit the matching built-in exception, so ``except FileNotFoundError``
or ``except ValueError`` in calling code keeps working.
"""

from __future__ import annotations

__all__ = [
    "CorruptMediaError",
    "IndexStoreError",
    "InvalidArgumentError",
    "MediaNotFoundError",
    "MissingExtraError",
    "PlaceNotFoundError",
    "ProvenanceError",
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
        The file concerned, if any.
    stderr
        The last line a tool wrote to stderr, if a tool was involved.
    """

    def __init__(self, message: str, *, path: str | None = None, stderr: str | None = None):
        self.path = None if path is None else str(path)
        self.stderr = stderr
        full = message
        if self.path is not None and self.path not in message:
            full = f"{message} [file: {self.path}]"
        if stderr:
            full = f"{full} (tool said: {stderr.strip().splitlines()[-1] if stderr.strip() else ''})"
        super().__init__(full)


class InvalidArgumentError(ProvenanceError, ValueError):
    """An argument has the wrong type, value or combination."""


class MediaNotFoundError(ProvenanceError, FileNotFoundError):
    """The media file does not exist or is not a regular file."""


class UnsupportedMediaError(ProvenanceError, ValueError):
    """The file is not a media format provenance can read (e.g. a text file named .mp4)."""


class CorruptMediaError(ProvenanceError, ValueError):
    """The file has a known format but is truncated or damaged beyond use."""


class ToolNotFoundError(ProvenanceError, FileNotFoundError):
    """A required external tool (ffmpeg) or library (PyAV) cannot be found."""


class ToolError(ProvenanceError, RuntimeError):
    """An external tool ran but failed; ``stderr`` holds its last line."""


class MissingExtraError(ProvenanceError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class PlaceNotFoundError(ProvenanceError, LookupError):
    """A place name could not be resolved by the offline gazetteer."""


class IndexStoreError(ProvenanceError, RuntimeError):
    """The known-footage index cannot be opened, is corrupt, foreign, or was used wrongly."""
