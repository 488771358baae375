"""The known-footage index, storage only: records, schema, migrations, one SQL store.

:class:`FootageIndex` (:mod:`.footage`) is the front end; :mod:`.records` the value objects and
field validation; :mod:`.store` the storage protocol and schema history; :mod:`.sql` the one SQL
store with its migrations; :mod:`.dialects` what differs between SQLite and PostgreSQL;
:mod:`.thumbnails` the small JPEGs kept per item; :mod:`.ingest` catalogue import and bulk
ingestion. Search itself is :mod:`provenance.matching`.
"""

from __future__ import annotations

from .footage import FootageIndex, sha256_file
from .records import FootageRecord, ImportProblem, ImportResult, IndexStats
from .thumbnails import (
    MAX_THUMBNAIL_BYTES,
    MAX_THUMBNAILS_PER_ITEM,
    THUMBNAIL_EVERY_S,
    THUMBNAIL_MAX_SIDE,
    fingerprint_with_thumbnails,
    frame_thumbnails,
)

__all__ = [
    "MAX_THUMBNAILS_PER_ITEM",
    "MAX_THUMBNAIL_BYTES",
    "THUMBNAIL_EVERY_S",
    "THUMBNAIL_MAX_SIDE",
    "FootageIndex",
    "FootageRecord",
    "ImportProblem",
    "ImportResult",
    "IndexStats",
    "fingerprint_with_thumbnails",
    "frame_thumbnails",
    "sha256_file",
]
