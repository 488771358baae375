"""Finding the external tools provenance needs.

ffmpeg is looked up in this order: the explicit setting (:func:`set_ffmpeg`), the
``PROVENANCE_FFMPEG`` environment variable, ``ffmpeg`` on ``PATH``, then the binary shipped
by the ``imageio-ffmpeg`` package. Probing and decoding use PyAV, which bundles FFmpeg's
libraries, so no ``ffprobe`` is needed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import InvalidArgumentError, ToolNotFoundError

__all__ = ["find_ffmpeg", "require_av", "set_ffmpeg"]

ENV_VAR = "PROVENANCE_FFMPEG"
_explicit: str | None = None


def set_ffmpeg(path: str | os.PathLike[str] | None) -> None:
    """Deprecated: the library never runs an ffmpeg binary (PyAV decodes in-process).

    It still sets the binary :func:`find_ffmpeg` returns (used by the fixture and benchmark
    scripts), and will be removed in a later release.

    Parameters
    ----------
    path
        Path to an executable ffmpeg (``None`` restores the automatic lookup).
    """
    import warnings

    warnings.warn("provenance.set_ffmpeg() is deprecated and changes nothing in the analysis: probing and decoding "
                  "use PyAV's bundled FFmpeg libraries, never an ffmpeg binary", DeprecationWarning, stacklevel=2)
    global _explicit
    if path is None:
        _explicit = None
        return
    p = Path(path)
    if not p.is_file() or not os.access(p, os.X_OK):
        raise InvalidArgumentError(f"set_ffmpeg: {str(p)!r} is not an executable file")
    _explicit = str(p)


def find_ffmpeg() -> str:
    """Return the path of a usable ffmpeg binary.

    Raises
    ------
    ToolNotFoundError
        When none of the sources has one; the message says how to fix it.
    """
    if _explicit is not None:
        return _explicit
    env = os.environ.get(ENV_VAR)
    if env:
        if Path(env).is_file() and os.access(env, os.X_OK):
            return env
        raise ToolNotFoundError(
            f"{ENV_VAR}={env!r} does not point to an executable ffmpeg; fix the variable or unset it"
        )
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    try:
        import imageio_ffmpeg
    except ImportError:
        imageio_ffmpeg = None
    if imageio_ffmpeg is not None:
        try:
            return imageio_ffmpeg.get_ffmpeg_exe()
        except RuntimeError:
            pass
    raise ToolNotFoundError(
        "no ffmpeg found: install the imageio-ffmpeg package (pip install imageio-ffmpeg), "
        f"put ffmpeg on PATH, or set {ENV_VAR}=/path/to/ffmpeg"
    )


def require_av():
    """Import and return PyAV, or raise :class:`ToolNotFoundError` saying how to install it."""
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av is a core dependency
        raise ToolNotFoundError(
            "PyAV is required for probing and decoding: pip install av"
        ) from exc
    return av
