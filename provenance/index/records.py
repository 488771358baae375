"""Value objects of the footage index and the validation of record fields (pure, no I/O)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .._util import aware_utc, jsonable
from ..errors import InvalidArgumentError

__all__ = ["FootageRecord", "ImportProblem", "ImportResult", "IndexStats", "normalise_fields"]


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(timezone.utc).isoformat()


def _parse_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(timezone.utc)


@dataclass(frozen=True)
class FootageRecord:
    """One indexed footage item.

    Attributes
    ----------
    footage_id : str
        The desk's identifier.
    title, source_url, notes : str or None
    published_at : datetime
        When it was first seen published (aware, UTC).
    filmed_at_start, filmed_at_end : datetime or None
        When it was filmed, as an interval (equal for an exact time; aware, UTC).
    lat, lon : float or None
        Where it was filmed [deg, WGS84].
    radius_km : float or None
        Uncertainty of the place [km].
    content_sha256 : str or None
        SHA-256 of the file's bytes (None when added from hashes alone).
    hasher : str
        Frame hasher name and version.
    n_frames : int
        Number of frame hashes stored.
    duration_s : float or None
        Clip duration [s].
    added_at : datetime
        When the record entered the index (UTC).
    """

    footage_id: str
    published_at: datetime
    hasher: str
    n_frames: int
    added_at: datetime
    title: str | None = None
    source_url: str | None = None
    filmed_at_start: datetime | None = None
    filmed_at_end: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    notes: str | None = None
    content_sha256: str | None = None
    duration_s: float | None = None

    @property
    def location(self) -> tuple[float, float] | None:
        """(lat, lon) [deg] or None."""
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)

    @property
    def filmed_at(self) -> tuple[datetime, datetime] | None:
        """(start, end) of the filming time or None."""
        return None if self.filmed_at_start is None else (self.filmed_at_start, self.filmed_at_end or self.filmed_at_start)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (datetimes as ISO 8601 UTC)."""
        return {k: jsonable(getattr(self, k)) for k in self.__dataclass_fields__}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FootageRecord:
        """Build from a store row (ISO strings for times)."""
        return cls(
            footage_id=row["footage_id"], title=row["title"], source_url=row["source_url"],
            published_at=_parse_iso(row["published_at"]),  # type: ignore[arg-type]
            filmed_at_start=_parse_iso(row["filmed_at_start"]), filmed_at_end=_parse_iso(row["filmed_at_end"]),
            lat=row["lat"], lon=row["lon"], radius_km=row["radius_km"], notes=row["notes"],
            content_sha256=row["content_sha256"], hasher=row["hasher"], n_frames=int(row["n_frames"]),
            duration_s=row["duration_s"], added_at=_parse_iso(row["added_at"]),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class ImportProblem:
    """A catalogue row or folder entry that was not added.

    Attributes
    ----------
    line : int or None
        1-based line of the catalogue where the row starts (None for folder entries).
    footage_id : str or None
    reason : str
        What is wrong and how to fix it.
    path : str or None
    """

    line: int | None
    footage_id: str | None
    reason: str
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "footage_id": self.footage_id, "reason": self.reason, "path": self.path}


@dataclass(frozen=True)
class ImportResult:
    """Outcome of :meth:`FootageIndex.import_catalogue` or :meth:`FootageIndex.ingest`.

    Attributes
    ----------
    added : tuple of str
        footage_ids added.
    skipped : tuple of ImportProblem
        Entries already indexed (same content), with why they were skipped.
    errors : tuple of ImportProblem
        Bad entries, with their line number and reason.
    """

    added: tuple[str, ...] = ()
    skipped: tuple[ImportProblem, ...] = ()
    errors: tuple[ImportProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no entry failed."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"added": list(self.added), "skipped": [p.to_dict() for p in self.skipped],
                "errors": [p.to_dict() for p in self.errors]}

    def __repr__(self) -> str:
        return f"ImportResult(added={len(self.added)}, skipped={len(self.skipped)}, errors={len(self.errors)})"


@dataclass(frozen=True)
class IndexStats:
    """Size and shape of an index.

    Attributes
    ----------
    backend : str
        ``"sqlite"`` or ``"postgresql"``.
    location : str
        File path or URL without password.
    n_footage, n_frames : int
    hasher : str or None
    nbytes : int or None
        Bytes per frame hash.
    schema_version : int
    disk_bytes : int or None
    earliest_published_at, latest_published_at : datetime or None
    table_bytes : int
        Memory of the in-memory candidate table [bytes] (0 until the first search).
    """

    backend: str
    location: str
    n_footage: int
    n_frames: int
    hasher: str | None
    nbytes: int | None
    schema_version: int
    disk_bytes: int | None
    earliest_published_at: datetime | None = None
    latest_published_at: datetime | None = None
    table_bytes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: jsonable(getattr(self, k)) for k in self.__dataclass_fields__}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: Any, name: str, *, required: bool = False, max_len: int = 10_000) -> str | None:
    if value is None:
        if required:
            raise InvalidArgumentError(f"{name!r} is required")
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name!r} must be a string (got {type(value).__name__})")
    if len(value) > max_len:
        raise InvalidArgumentError(f"{name!r} is longer than {max_len} characters")
    return value


def footage_id_value(value: Any) -> str:
    """Validate a footage_id: a non-empty string without control characters, <= 512 chars."""
    fid = _text(value, "footage_id", required=True, max_len=512)
    if not fid or not fid.strip() or _CONTROL.search(fid):  # type: ignore[arg-type]
        raise InvalidArgumentError(f"'footage_id' must be non-empty text without control characters (got {value!r})")
    return fid  # type: ignore[return-value]


def _filmed_at(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, datetime):
        t = aware_utc(value, "filmed_at")
        return _iso(t), _iso(t)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        a = aware_utc(value[0], "filmed_at[0]")
        b = aware_utc(value[1], "filmed_at[1]")
        if b < a:
            raise InvalidArgumentError(f"'filmed_at' interval ends before it starts ({a.isoformat()} > {b.isoformat()})")
        return _iso(a), _iso(b)
    raise InvalidArgumentError(
        f"'filmed_at' must be an aware datetime or a (start, end) pair of them (got {type(value).__name__})"
    )


def _location(value: Any) -> tuple[float | None, float | None, float | None]:
    if value is None:
        return None, None, None
    if not isinstance(value, (tuple, list)) or len(value) not in (2, 3):
        raise InvalidArgumentError(f"'location' must be (lat, lon) or (lat, lon, radius_km) (got {value!r})")
    try:
        nums = [float(v) for v in value]
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"'location' values must be numbers (got {value!r})") from exc
    if not all(math.isfinite(v) for v in nums):
        raise InvalidArgumentError(f"'location' values must be finite (got {value!r})")
    lat, lon = nums[0], nums[1]
    if not -90.0 <= lat <= 90.0 or not -180.0 <= lon <= 180.0:
        raise InvalidArgumentError(f"'location' must have lat in [-90, 90] and lon in [-180, 180] [deg] (got {value!r})")
    radius = nums[2] if len(nums) == 3 else None
    if radius is not None and radius < 0:
        raise InvalidArgumentError(f"'location' radius_km must be >= 0 (got {radius})")
    return lat, lon, radius


_MISSING = object()


def normalise_fields(
    *, published_at: Any = _MISSING, filmed_at: Any = _MISSING, location: Any = _MISSING,
    source_url: Any = _MISSING, title: Any = _MISSING, notes: Any = _MISSING,
) -> dict[str, Any]:
    """Validate record fields given by a caller and return them as store columns.

    Only the fields passed are returned (so :meth:`FootageIndex.update` can change some).

    Raises
    ------
    InvalidArgumentError
        A naive datetime, a bad interval or location, or a non-string text field.
    """
    out: dict[str, Any] = {}
    if published_at is not _MISSING:
        if published_at is None:
            raise InvalidArgumentError("'published_at' is required: when the footage was first seen (aware datetime)")
        out["published_at"] = _iso(aware_utc(published_at, "published_at"))
    if filmed_at is not _MISSING:
        out["filmed_at_start"], out["filmed_at_end"] = _filmed_at(filmed_at)
    if location is not _MISSING:
        out["lat"], out["lon"], out["radius_km"] = _location(location)
    if source_url is not _MISSING:
        out["source_url"] = _text(source_url, "source_url", max_len=4096)
    if title is not _MISSING:
        out["title"] = _text(title, "title", max_len=4096)
    if notes is not _MISSING:
        out["notes"] = _text(notes, "notes", max_len=1_000_000)
    return out
