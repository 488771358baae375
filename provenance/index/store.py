"""The small storage protocol behind :class:`~provenance.index.FootageIndex`.

A store keeps footage records and their frame hashes durably; it knows nothing of
search. There is one implementation, :class:`~provenance.index.sql.SQLStore`, with one
dialect per database (:mod:`provenance.index.dialects`: SQLite by default, PostgreSQL for
teams); both pass the same conformance tests (``tests/index/test_conformance.py``).

Rows cross the protocol as plain values: the record fields as a dict of str, float,
int or None (times as ISO 8601 text), and frame times and hashes as bytes (float64
little-endian and packed uint8). Nothing is ever pickled.

Schema history
--------------
- v1: ``meta``, ``footage`` (record columns plus all frame times and hashes as two BLOBs),
  ``changes`` (the change log).
- v2: an index on ``published_at``.
- v3: ``thumbnails`` (footage_id, time_s, jpeg): a few small JPEGs per item.
- v4: ``frames`` (footage_id, **variant**, nbytes, times, hashes): one row per footage item
  and reference-row variant (``""`` for the frames themselves, ``"zoom85"``, ``"zoom70"``, ``"full"``);
  before v4 the variant was encoded into the time column as ``t + k * 1e7`` s.
  ``footage.published_precision`` (``"instant"`` or ``"day"``); the hasher is written
  when the index is created; SQLite files carry :data:`SQLITE_APPLICATION_ID`.
- v5: ``features`` (footage_id, time_s, data): the local features (keypoints and binary
  descriptors, :class:`provenance.hashing.features.LocalFeatures` serialised) of the thumbnails'
  frames, for geometric verification of matches; items added before v5 simply have none.

Every write also appends to the change log (``seq``, ``op``, ``footage_id``) in the same
transaction, so readers in other processes can bring their in-memory candidate table
up to date by reading only what changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["APPLICATION", "LEGACY_VARIANT_TAGS", "LEGACY_VARIANT_TIME_STEP_S", "MODES", "RECORD_COLUMNS",
           "SCHEMA_VERSION", "SQLITE_APPLICATION_ID", "UPDATABLE_COLUMNS", "Change", "FeatureRow", "FootageStore",
           "FrameRow", "Thumbnail"]

#: Written in every index's metadata; a database without it is foreign and refused.
APPLICATION = "provenance-footage-index"

#: ``PRAGMA application_id`` of SQLite index files since v4 (bytes 68-71 of the header): "PRVN".
SQLITE_APPLICATION_ID = 0x5052564E

#: Current schema version; older stores are migrated on a read-write open, newer ones refused.
SCHEMA_VERSION = 5

#: How an index is opened: ``"r"`` read-only, it must exist; ``"rw"`` read-write, it must
#: exist; ``"c"`` read-write, created when absent (SQLite's URI modes ro, rw, rwc).
MODES = ("r", "rw", "c")

#: Record columns, in order.
RECORD_COLUMNS: tuple[str, ...] = (
    "footage_id", "title", "source_url", "published_at", "published_precision", "filmed_at_start",
    "filmed_at_end", "lat", "lon", "radius_km", "notes", "content_sha256", "hasher", "n_frames", "duration_s",
    "added_at",
)

#: Columns that :meth:`FootageStore.update` may change.
UPDATABLE_COLUMNS: frozenset[str] = frozenset(
    {"title", "source_url", "published_at", "published_precision", "filmed_at_start", "filmed_at_end", "lat", "lon",
     "radius_km", "notes"}
)

#: Schemas v1-v3 stored the k-th reference variant at media time ``t + k * 1e7`` s; these are
#: the names those files used for k = 1, 2 (frozen: migrations must not follow later renames).
LEGACY_VARIANT_TAGS: dict[int, str] = {0: "", 1: "zoom85", 2: "zoom70"}
#: Time step of that tag [s].
LEGACY_VARIANT_TIME_STEP_S = 1.0e7


@dataclass(frozen=True)
class Change:
    """One entry of a store's change log."""

    seq: int
    op: str  # "add", "remove" or "update"
    footage_id: str


@dataclass(frozen=True)
class FrameRow:
    """Frame data of one footage item and one reference-row variant, as stored.

    Attributes
    ----------
    footage_id : str
    nbytes : int
        Bytes per hash.
    times : bytes
        Media times [s], float64 little-endian.
    hashes : bytes
        Packed uint8 hashes, ``nbytes`` per time.
    variant : str
        ``""`` for the frames themselves, else the reference-side variant's name
        (:data:`provenance.hashing.fingerprinting.REFERENCE_VARIANT_NAMES`).
    rowid : int or None
        The database's row number where it has one (SQLite), to name a damaged row.
    """

    footage_id: str
    nbytes: int
    times: bytes
    hashes: bytes
    variant: str = ""
    rowid: int | None = None


#: One stored thumbnail: (media time [s], JPEG bytes).
Thumbnail = tuple[float, bytes]
#: Local features of one stored frame: (media time [s], ``LocalFeatures.to_bytes()``).
FeatureRow = tuple[float, bytes]


@runtime_checkable
class FootageStore(Protocol):
    """Durable storage of footage records and frame hashes.

    Implementations raise :class:`~provenance.errors.IndexNotFoundError` for a location
    without an index (unless created), :class:`~provenance.errors.CorruptIndexError` for a
    store they must not touch (damaged, foreign, newer schema),
    :class:`~provenance.errors.DuplicateFootageError` for conflicting writes and
    :class:`~provenance.errors.ReadOnlyIndexError` for writes to a read-only store.
    """

    location: str
    backend: str
    read_only: bool

    def get_meta(self, key: str) -> str | None:
        """A metadata value (e.g. ``"hasher"``), or None."""

    def set_meta(self, key: str, value: str) -> None:
        """Set a metadata value if it is unset (never overwrites)."""

    def schema_version(self) -> int:
        """Schema version of the open store."""

    def insert(self, record: dict[str, Any], frames: Sequence[FrameRow], *, meta: dict[str, str] | None = None,
               thumbnails: Sequence[Thumbnail] = (), features: Sequence[FeatureRow] = ()) -> None:
        """Insert one record, its frame rows (one per variant), thumbnails and local features
        (each at distinct times), plus unset ``meta`` entries, in one transaction."""

    def delete(self, footage_id: str) -> bool:
        """Delete one record, its frames, thumbnails and features; False if it was absent."""

    def thumbnail(self, footage_id: str, time_s: float) -> Thumbnail | None:
        """The stored thumbnail of one item nearest to ``time_s`` (earlier on a tie), or None."""

    def thumbnail_count(self, footage_id: str | None = None) -> int:
        """Number of stored thumbnails (of one item, or of all)."""

    def thumbnails(self, footage_id: str) -> list[Thumbnail]:
        """Every stored thumbnail of one item, in time order."""

    def features(self, footage_id: str) -> list[FeatureRow]:
        """Every stored local-feature row of one item, in time order (none before v5)."""

    def feature_count(self) -> int:
        """Number of stored local-feature rows (0 before v5)."""

    def update(self, footage_id: str, fields: dict[str, Any]) -> bool:
        """Change record fields (keys from ``UPDATABLE_COLUMNS``); False if absent."""

    def get(self, footage_id: str) -> dict[str, Any] | None:
        """One record as a dict of ``RECORD_COLUMNS`` (plus ``rowid`` where known), or None."""

    def find_sha(self, content_sha256: str) -> str | None:
        """footage_id of the record with this content hash, or None."""

    def count(self) -> tuple[int, int]:
        """(number of footage items, number of frames)."""

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, ordered by footage_id."""

    def frames(self, footage_ids: list[str] | None = None) -> tuple[int, list[FrameRow]]:
        """(change-log position, frame rows of every variant) read in one snapshot; all rows when
        ids is None."""

    def changes_since(self, seq: int) -> list[Change]:
        """Change-log entries after ``seq``, oldest first."""

    def changed(self) -> bool:
        """Cheap check: may another connection have written since the last call?"""

    def disk_bytes(self) -> int | None:
        """Bytes the store occupies on disk, where known."""

    def close(self) -> None:
        """Release the connection; idempotent."""
