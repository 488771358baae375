"""Small helpers shared across the package (JSON conversion, time validation, terminal-safe text)."""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from .errors import InvalidArgumentError

__all__ = ["aware_utc", "html_repr", "jsonable", "terminal_safe"]


def jsonable(value: Any) -> Any:
    """Convert dataclasses, datetimes, numpy values and containers to JSON-safe values."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    return value


def aware_utc(value: Any, name: str) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive datetimes are refused.

    Raises
    ------
    InvalidArgumentError
        When ``value`` is not a timezone-aware datetime.
    """
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{name!r} must be a timezone-aware datetime (got {type(value).__name__})")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidArgumentError(
            f"{name!r} must be timezone-aware (got naive {value.isoformat()}); "
            "add tzinfo, e.g. datetime(..., tzinfo=timezone.utc)"
        )
    return value.astimezone(timezone.utc)


# C0 controls (ESC starts CSI/OSC sequences, CR overwrites a line, BEL, backspace), DEL, C1 controls
# (U+009B is a one-character CSI, U+009D an OSC), bidirectional overrides, embeddings and isolates
# (they reorder what the reader sees: "Trojan Source"), and the Unicode line and paragraph separators.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                              "\u202a-\u202e\u2066-\u2069]")
_TERMINAL_UNSAFE_LINE = re.compile(_TERMINAL_UNSAFE.pattern[:-1] + "\\n\\t]")


def _visible(m: re.Match[str]) -> str:
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c <= 0xFF else f"\\u{c:04x}"


def terminal_safe(value: object, *, multiline: bool = True) -> str:
    """Text that cannot drive a terminal: control and bidi characters shown as visible escapes.

    Every string that comes from a media file, an index or a user passes through here
    before the CLI prints it, so an OSC/CSI sequence in a title tag or a file name is shown
    as ``\\x1b]...`` rather than obeyed (JSON output keeps the exact text).

    Parameters
    ----------
    value
        Any value; it is converted with ``str``.
    multiline
        Keep newlines and tabs (a whole view); ``False`` escapes them too (one field).

    Returns
    -------
    str
        The text with C0/C1 controls, DEL, bidirectional overrides and isolates, and Unicode
        line separators replaced by ``\\xNN`` / ``\\uNNNN``.

    Examples
    --------
    >>> terminal_safe("Canon\\x1b]0;pwned\\x07")
    'Canon\\\\x1b]0;pwned\\\\x07'
    """
    pattern = _TERMINAL_UNSAFE if multiline else _TERMINAL_UNSAFE_LINE
    return pattern.sub(_visible, str(value))


def html_repr(obj: object) -> str | None:
    """Notebook HTML of a result object (``Match``, ``Fingerprint``, ``FootageIndex``, ``Metadata``).

    The rooms below ``report/`` call this from their ``_repr_html_``: the renderers live in
    :mod:`provenance.report.html`, which is imported here on first display only, by name, so no
    lower room depends on the report room in its code.

    Returns
    -------
    str or None
        Escaped HTML, or ``None`` (IPython then shows the text repr) when the object has no
        HTML view or rendering fails.
    """
    import importlib

    render = getattr(importlib.import_module("provenance.report.html"), "object_html", None)
    return None if render is None else render(obj)
