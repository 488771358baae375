"""Small helpers shared across the package (JSON conversion, time validation)."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from .errors import InvalidArgumentError

__all__ = ["aware_utc", "jsonable"]


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
