"""Value objects of the footage index and the validation of record fields (pure, no I/O)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from .._util import aware_utc, jsonable
from ..errors import CorruptIndexError, InvalidArgumentError

__all__ = ["DAY_LATEST_OFFSET", "FootageRecord", "ImportProblem", "ImportResult", "IndexStats", "PUBLISHED_PRECISIONS",
           "normalise_fields", "published_value", "url_value"]

#: ``published_precision`` values: an instant (aware datetime) or a calendar day (date) in an
#: unknown zone.
PUBLISHED_PRECISIONS = ("instant", "day")

#: A calendar day in an unknown zone ends, at the latest, at 24:00 in UTC-12 (the westernmost
#: civil zone): that day plus 36 h in UTC. It starts, at the earliest, at 00:00 in UTC+14.
DAY_LATEST_OFFSET = timedelta(hours=36)
DAY_EARLIEST_OFFSET = timedelta(hours=-14)


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(timezone.utc).isoformat()


def _parse_iso(text: Any, column: str, row: dict[str, Any]) -> datetime | None:
    """A stored ISO 8601 instant; a value that does not decode names its row."""
    if text is None:
        return None
    try:
        dt = datetime.fromisoformat(str(text))
        if dt.tzinfo is None:
            raise ValueError("no UTC offset")
        return dt.astimezone(timezone.utc)
    except (TypeError, ValueError) as exc:
        raise _bad_row(row, f"{column} {str(text)[:40]!r} is not an ISO 8601 time ({exc})") from exc


def _bad_row(row: dict[str, Any], why: str) -> CorruptIndexError:
    fid = row.get("footage_id")
    rowid = row.get("rowid")
    where = f"footage {fid!r}" + (f" (row {rowid})" if rowid is not None else "")
    return CorruptIndexError(f"stored record of {where} does not decode: {why}; the index is damaged",
                             footage_id=fid if isinstance(fid, str) else None,
                             line=rowid if isinstance(rowid, int) else None)


def published_value(value: Any, name: str = "published_at") -> tuple[str, str]:
    """(stored text, precision) of a publication time: an aware datetime or a date.

    Raises
    ------
    InvalidArgumentError
        Anything else, a naive datetime included.
    """
    if isinstance(value, datetime):
        return _iso(aware_utc(value, name)), "instant"  # type: ignore[return-value]
    if isinstance(value, date):
        return value.isoformat(), "day"
    raise InvalidArgumentError(
        f"{name!r} must be an aware datetime (an instant) or a date (a calendar day in an unknown zone) "
        f"(got {type(value).__name__})")


@dataclass(frozen=True)
class FootageRecord:
    """One indexed footage item.

    Attributes
    ----------
    footage_id : str
        The desk's identifier.
    title, source_url, notes : str or None
    published_at : datetime or date
        When it was first seen published: an aware UTC datetime, or a ``date`` when only
        the day is known (see ``published_precision``).
    published_precision : {"instant", "day"}
        ``"day"``: a calendar day in an unknown zone; use :meth:`published_bound_utc` for
        the latest instant it can mean.
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
    published_at: datetime | date
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
    published_precision: str = "instant"

    def published_bound_utc(self) -> datetime:
        """The latest UTC instant the first publication can have been.

        An instant is itself; a day in an unknown zone ends at 24:00 in UTC-12 at the latest,
        i.e. the day's date plus 36 h in UTC (so a bound built from it never cuts off part of
        that day anywhere).
        """
        if isinstance(self.published_at, datetime):
            return self.published_at
        return datetime.combine(self.published_at, time(0), tzinfo=timezone.utc) + DAY_LATEST_OFFSET

    def published_earliest_utc(self) -> datetime:
        """The earliest UTC instant the first publication can have been (00:00 at UTC+14 for a day)."""
        if isinstance(self.published_at, datetime):
            return self.published_at
        return datetime.combine(self.published_at, time(0), tzinfo=timezone.utc) + DAY_EARLIEST_OFFSET

    @property
    def location(self) -> tuple[float, float] | None:
        """(lat, lon) [deg] or None."""
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)

    @property
    def filmed_at(self) -> tuple[datetime, datetime] | None:
        """(start, end) of the filming time or None."""
        if self.filmed_at_start is None:
            return None
        return self.filmed_at_start, self.filmed_at_end or self.filmed_at_start

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (datetimes as ISO 8601 UTC)."""
        return {k: jsonable(getattr(self, k)) for k in self.__dataclass_fields__}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FootageRecord:
        """Build from a store row (ISO strings for times).

        Raises
        ------
        CorruptIndexError
            A stored value does not decode; names the footage and the row.
        """
        precision = row.get("published_precision") or "instant"
        if precision not in PUBLISHED_PRECISIONS:
            raise _bad_row(row, f"published_precision {str(precision)[:20]!r} is not one of {PUBLISHED_PRECISIONS}")
        published: datetime | date | None
        if precision == "day":
            try:
                published = date.fromisoformat(str(row["published_at"]))
            except ValueError as exc:
                raise _bad_row(row, f"published_at {str(row['published_at'])[:40]!r} is not a date") from exc
        else:
            published = _parse_iso(row["published_at"], "published_at", row)
        added = _parse_iso(row["added_at"], "added_at", row)
        if published is None or added is None:
            raise _bad_row(row, "published_at or added_at is missing")

        def num(name: str) -> float | None:
            v = row[name]
            if v is None:
                return None
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise _bad_row(row, f"{name} {str(v)[:20]!r} is not a finite number")
            return float(v)

        def text(name: str) -> str | None:
            v = row[name]
            if v is not None and not isinstance(v, str):
                raise _bad_row(row, f"{name} is not text")
            return v

        n_frames = row["n_frames"]
        if isinstance(n_frames, bool) or not isinstance(n_frames, int) or n_frames < 0:
            raise _bad_row(row, f"n_frames {str(n_frames)[:20]!r} is not a count")
        hasher = text("hasher")
        if not hasher:
            raise _bad_row(row, "hasher is missing")
        return cls(
            footage_id=str(row["footage_id"]), title=text("title"), source_url=text("source_url"),
            published_at=published, published_precision=precision,
            filmed_at_start=_parse_iso(row["filmed_at_start"], "filmed_at_start", row),
            filmed_at_end=_parse_iso(row["filmed_at_end"], "filmed_at_end", row),
            lat=num("lat"), lon=num("lon"), radius_km=num("radius_km"), notes=text("notes"),
            content_sha256=text("content_sha256"), hasher=hasher, n_frames=n_frames,
            duration_s=num("duration_s"), added_at=added,
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
    error : str or None
        Name of the library error behind it (e.g. ``"HasherMismatchError"``,
        ``"DuplicateFootageError"``, ``"InvalidArgumentError"``), where there is one.
    """

    line: int | None
    footage_id: str | None
    reason: str
    path: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "footage_id": self.footage_id, "reason": self.reason, "path": self.path,
                "error": self.error}


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
        Earliest and latest first-publication instants (UTC); a record known only to the day
        counts with the earliest and the latest instant that day can mean.
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


#: Control characters never stored: C0 (tab and newline are allowed in free text), DEL, C1,
#: and the Unicode bidirectional overrides and isolates that can make stored text read
#: differently on screen than it is ("Trojan source").
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_FREE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _text(value: Any, name: str, *, required: bool = False, max_len: int = 10_000,
          free_text: bool = False) -> str | None:
    if value is None:
        if required:
            raise InvalidArgumentError(f"{name!r} is required")
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name!r} must be a string (got {type(value).__name__})")
    if len(value) > max_len:
        raise InvalidArgumentError(f"{name!r} is longer than {max_len} characters")
    bad = (_CONTROL_FREE_TEXT if free_text else _CONTROL).search(value)
    if bad:
        raise InvalidArgumentError(
            f"{name!r} holds the control character U+{ord(bad.group()):04X} at position {bad.start()}; control "
            "characters (NUL, ESC, C0/C1, bidirectional overrides) are never stored"
            + ("" if not free_text else " (tab and newline are allowed)"))
    return value


def footage_id_value(value: Any) -> str:
    """Validate a footage_id: a non-empty string without control characters, <= 512 chars."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise InvalidArgumentError(f"'footage_id' must be non-empty text without control characters (got {value!r})")
    fid = _text(value, "footage_id", required=True, max_len=512)
    if not fid or not fid.strip():
        raise InvalidArgumentError(f"'footage_id' must be non-empty text without control characters (got {value!r})")
    return fid


def url_value(value: Any, name: str = "source_url") -> str | None:
    """Validate a stored URL: absolute ``http://`` or ``https://`` with a host, no spaces or controls."""
    text = _text(value, name, max_len=4096)
    if text is None:
        return None
    if any(c.isspace() for c in text):
        raise InvalidArgumentError(f"{name!r} must be an http(s) URL without spaces (got {text[:80]!r})")
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise InvalidArgumentError(f"{name!r} is not a URL ({exc}) (got {text[:80]!r})") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidArgumentError(
            f"{name!r} must be an absolute http:// or https:// URL (got {text[:80]!r}); other schemes "
            "(javascript:, file:, data:, ...) are never stored")
    return text


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
            raise InvalidArgumentError(
                f"'filmed_at' interval ends before it starts ({a.isoformat()} > {b.isoformat()})")
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
        raise InvalidArgumentError(
            f"'location' must have lat in [-90, 90] and lon in [-180, 180] [deg] (got {value!r})")
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
        A naive datetime, a bad interval or location, a non-string text field, a control
        character in text, or a source URL that is not http(s).
    """
    out: dict[str, Any] = {}
    if published_at is not _MISSING:
        if published_at is None:
            raise InvalidArgumentError("'published_at' is required: when the footage was first seen "
                                       "(an aware datetime, or a date when only the day is known)")
        out["published_at"], out["published_precision"] = published_value(published_at)
    if filmed_at is not _MISSING:
        out["filmed_at_start"], out["filmed_at_end"] = _filmed_at(filmed_at)
    if location is not _MISSING:
        out["lat"], out["lon"], out["radius_km"] = _location(location)
    if source_url is not _MISSING:
        out["source_url"] = url_value(source_url)
    if title is not _MISSING:
        out["title"] = _text(title, "title", max_len=4096, free_text=True)
    if notes is not _MISSING:
        out["notes"] = _text(notes, "notes", max_len=1_000_000, free_text=True)
    return out
