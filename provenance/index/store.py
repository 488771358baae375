"""The small storage protocol behind :class:`~provenance.index.FootageIndex`.

A store keeps footage records and their frame hashes durably; it knows nothing of
search. Every backend (SQLite, PostgreSQL) implements :class:`FootageStore` and passes
the same conformance tests (``tests/index/test_conformance.py``).

Rows cross the protocol as plain values: the record fields as a dict of str, float,
int or None (times as ISO 8601 UTC strings), and frame times and hashes as bytes
(float64 little-endian and packed uint8). Nothing is ever pickled.

Since schema version 3 a store also keeps a few small JPEG thumbnails per footage item
(``(time_s, jpeg bytes)`` rows), written in the same transaction as the item and deleted
with it, so reports can show the known frame beside the query frame.

Every write also appends to a change log (``seq``, ``op``, ``footage_id``) in the same
transaction, so readers in other processes can bring their in-memory candidate table
up to date by reading only what changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["APPLICATION", "RECORD_COLUMNS", "SCHEMA_VERSION", "Change", "FootageStore", "FrameRow", "Thumbnail"]

#: Written in every index's metadata; a database without it is foreign and refused.
APPLICATION = "provenance-footage-index"

#: Current schema version; older stores are migrated on open, newer ones refused.
#: v2: index on published_at. v3: ``thumbnails`` table (footage_id, time_s, jpeg).
SCHEMA_VERSION = 3

#: Record columns, in order (frame times and hashes are stored beside them).
RECORD_COLUMNS: tuple[str, ...] = (
    "footage_id", "title", "source_url", "published_at", "filmed_at_start", "filmed_at_end",
    "lat", "lon", "radius_km", "notes", "content_sha256", "hasher", "n_frames", "duration_s", "added_at",
)

#: Columns that :meth:`FootageStore.update` may change.
UPDATABLE_COLUMNS: frozenset[str] = frozenset(
    {"title", "source_url", "published_at", "filmed_at_start", "filmed_at_end", "lat", "lon", "radius_km", "notes"}
)


@dataclass(frozen=True)
class Change:
    """One entry of a store's change log."""

    seq: int
    op: str  # "add", "remove" or "update"
    footage_id: str


@dataclass(frozen=True)
class FrameRow:
    """Frame data of one footage item as stored: times float64 LE bytes, hashes packed uint8 bytes."""

    footage_id: str
    nbytes: int
    times: bytes
    hashes: bytes


#: One stored thumbnail: (media time [s], JPEG bytes).
Thumbnail = tuple[float, bytes]


@runtime_checkable
class FootageStore(Protocol):
    """Durable storage of footage records and frame hashes.

    Implementations raise :class:`~provenance.errors.IndexStoreError` for a store they
    cannot open (corrupt, foreign, newer schema) and for conflicting writes (duplicate
    footage_id or content hash).
    """

    location: str
    backend: str

    def get_meta(self, key: str) -> str | None:
        """A metadata value (e.g. ``"hasher"``), or None."""

    def schema_version(self) -> int:
        """Schema version of the open store."""

    def insert(self, record: dict[str, Any], frames: FrameRow, *, meta: dict[str, str] | None = None,
               thumbnails: Sequence[Thumbnail] = ()) -> None:
        """Insert one record, its frames and thumbnails (distinct times), plus ``meta`` entries,
        in one transaction."""

    def delete(self, footage_id: str) -> bool:
        """Delete one record, its frames and its thumbnails; False if it was absent."""

    def thumbnail(self, footage_id: str, time_s: float) -> Thumbnail | None:
        """The stored thumbnail of one item nearest to ``time_s`` (earlier on a tie), or None."""

    def thumbnail_count(self, footage_id: str | None = None) -> int:
        """Number of stored thumbnails (of one item, or of all)."""

    def update(self, footage_id: str, fields: dict[str, Any]) -> bool:
        """Change record fields (keys from ``UPDATABLE_COLUMNS``); False if absent."""

    def get(self, footage_id: str) -> dict[str, Any] | None:
        """One record as a dict of ``RECORD_COLUMNS``, or None."""

    def find_sha(self, content_sha256: str) -> str | None:
        """footage_id of the record with this content hash, or None."""

    def count(self) -> tuple[int, int]:
        """(number of footage items, number of frames)."""

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, ordered by footage_id."""

    def frames(self, footage_ids: list[str] | None = None) -> tuple[int, list[FrameRow]]:
        """(change-log position, frame rows) read in one snapshot; all rows when ids is None."""

    def changes_since(self, seq: int) -> list[Change]:
        """Change-log entries after ``seq``, oldest first."""

    def changed(self) -> bool:
        """Cheap check: may another connection have written since the last call?"""

    def disk_bytes(self) -> int | None:
        """Bytes the store occupies on disk, where known."""

    def close(self) -> None:
        """Release the connection; idempotent."""
