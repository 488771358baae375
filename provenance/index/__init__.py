"""The known-footage index: durable records of published footage and fast frame-hash search.

:class:`FootageIndex` keeps its records in a storage backend (SQLite by default, one file;
PostgreSQL for teams, ``pip install provenance[postgres]``) behind the small protocol of
:mod:`provenance.index.store`, and searches an in-memory
:class:`~provenance.matching.candidates.CandidateTable` that is loaded from the store on the
first search and kept in step with writes, including writes by other processes.

Examples
--------
>>> from datetime import datetime, timezone
>>> import provenance
>>> with provenance.FootageIndex("known.db") as index:
...     index.add("convoy.mp4", footage_id="tg-2022-0117",
...               published_at=datetime(2022, 1, 17, 9, 30, tzinfo=timezone.utc),
...               location=(54.78, 32.05, 5.0))
...     matches = index.search("viral.mp4")
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import IndexStoreError, InvalidArgumentError, MediaNotFoundError
from ..hashing import Fingerprint
from ..hashing.fingerprinting import reference_rows, split_reference_times
from ..matching.candidates import CandidateTable
from .records import FootageRecord, ImportProblem, ImportResult, IndexStats, footage_id_value, normalise_fields
from .store import FootageStore, FrameRow

if TYPE_CHECKING:  # pragma: no cover
    from ..matching.match import Match

__all__ = ["MAX_THUMBNAILS_PER_ITEM", "THUMBNAIL_EVERY_S", "THUMBNAIL_MAX_SIDE", "FootageIndex", "FootageRecord",
           "ImportProblem", "ImportResult", "IndexStats", "frame_thumbnails"]

logger = logging.getLogger(__name__)


def sha256_file(path: str | os.PathLike[str], *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def _open_store(location: str | os.PathLike[str]) -> FootageStore:
    loc = os.fspath(location)
    if isinstance(loc, str) and loc.startswith(("postgresql://", "postgres://")):
        from .postgres_store import PostgresStore

        return PostgresStore(loc)
    if isinstance(loc, str) and "://" in loc:
        raise InvalidArgumentError(
            f"index location must be a file path or a 'postgresql://' URL (got {loc!r})"
        )
    from .sqlite_store import SQLiteStore

    return SQLiteStore(loc)


class FootageIndex:
    """Known published footage: records, frame hashes and search.

    Parameters
    ----------
    location : str or PathLike
        Path of a SQLite index file (created if absent) or a ``postgresql://`` URL.

    Raises
    ------
    IndexStoreError
        The file is corrupt or not a provenance index (it is left untouched), or the
        server cannot be reached.
    MissingExtraError
        A PostgreSQL URL without ``provenance[postgres]`` installed.

    Notes
    -----
    Safe with several processes: each holds its own connection; searches notice writes
    committed by others (SQLite ``data_version`` / the store's change log) and update the
    in-memory candidate table before answering. One instance may be shared by threads.
    """

    def __init__(self, location: str | os.PathLike[str]) -> None:
        self._store: FootageStore = _open_store(location)
        self._lock = threading.RLock()
        self._table: CandidateTable | None = None
        self._table_seq = 0
        self._dirty = False  # own writes not yet applied to the table

    # ------------------------------------------------------------------ basics
    @property
    def location(self) -> str:
        """Where the index lives (file path, or URL without password)."""
        return self._store.location

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._store.backend

    @property
    def hasher(self) -> str | None:
        """Frame hasher of the index (set by its first entry), or None while empty."""
        return self._store.get_meta("hasher")

    def __repr__(self) -> str:
        return f"FootageIndex({self.location!r}, backend={self.backend!r})"

    def __enter__(self) -> FootageIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store connection and drop the in-memory table; idempotent."""
        with self._lock:
            self._store.close()
            self._table = None

    def __len__(self) -> int:
        """Number of footage items."""
        return self._store.count()[0]

    def __contains__(self, footage_id: object) -> bool:
        return isinstance(footage_id, str) and self._store.get(footage_id) is not None

    def __iter__(self) -> Iterator[FootageRecord]:
        return self.records()

    def records(self) -> Iterator[FootageRecord]:
        """Every record, ordered by footage_id."""
        for row in self._store.records():
            yield FootageRecord.from_row(row)

    def get(self, footage_id: str) -> FootageRecord:
        """The record of one footage item.

        Raises
        ------
        KeyError
            If no footage has this id.
        """
        row = self._store.get(footage_id)
        if row is None:
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        return FootageRecord.from_row(row)

    def frames(self, footage_id: str) -> Fingerprint:
        """Stored frame hashes of one footage item as a Fingerprint.

        Raises
        ------
        KeyError
            If no footage has this id.
        """
        rec = self.get(footage_id)
        _, rows = self._store.frames([footage_id])
        if not rows:
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        times, hashes = _decode_frames(rows[0])
        media_times, variant = split_reference_times(times)
        keep = variant == 0
        return Fingerprint(times_s=media_times[keep], hashes=hashes[keep], hasher=rec.hasher,
                           duration_s=rec.duration_s)

    def nearest_thumbnail(self, footage_id: str, time_s: float) -> tuple[float, bytes] | None:
        """The stored thumbnail of one footage item nearest to a media time, with its time.

        Parameters
        ----------
        footage_id : str
        time_s : float
            Media time of the footage [s].

        Returns
        -------
        (float, bytes) or None
            ``(time_s, jpeg)`` of the nearest stored thumbnail (the earlier one on a tie);
            None when the item has none (indexed from precomputed hashes, or before
            thumbnails existed) or is not in the index.
        """
        t = _time_value(time_s)
        if not isinstance(footage_id, str):
            raise InvalidArgumentError(f"footage_id must be a str (got {type(footage_id).__name__})")
        return self._store.thumbnail(footage_id, t)

    def thumbnail(self, footage_id: str, time_s: float) -> bytes | None:
        """JPEG bytes of the stored thumbnail of one footage item nearest to ``time_s`` [s].

        None when the item has no thumbnails or is not in the index (see
        :meth:`nearest_thumbnail`, which also gives the thumbnail's time).
        """
        hit = self.nearest_thumbnail(footage_id, time_s)
        return None if hit is None else hit[1]

    # ------------------------------------------------------------------ writes
    def add(
        self,
        path: str | os.PathLike[str],
        *,
        footage_id: str,
        published_at: datetime,
        filmed_at: datetime | tuple[datetime, datetime] | None = None,
        location: tuple[float, float] | tuple[float, float, float] | None = None,
        source_url: str | None = None,
        title: str | None = None,
        notes: str | None = None,
    ) -> FootageRecord:
        """Fingerprint a video file and index it, with a few small thumbnails of its frames.

        The frames are decoded once: the same frames are hashed and give up to
        :data:`MAX_THUMBNAILS_PER_ITEM` JPEG thumbnails (about one per
        :data:`THUMBNAIL_EVERY_S` seconds, longer side :data:`THUMBNAIL_MAX_SIDE` px), so
        reports can show the known frame beside a matching query frame
        (:meth:`thumbnail`).

        Parameters
        ----------
        path : str or PathLike
            The footage file.
        footage_id : str
            The desk's identifier; unique in the index.
        published_at : datetime
            When the footage was first seen published (aware; stored as UTC).
        filmed_at : datetime or (datetime, datetime), optional
            When it was filmed, exactly or as an interval (aware).
        location : (lat, lon) or (lat, lon, radius_km), optional
            Where it was filmed [deg, WGS84; km].
        source_url, title, notes : str, optional

        Returns
        -------
        FootageRecord

        Raises
        ------
        IndexStoreError
            The same file content is indexed under another id (named in the message), the
            footage_id is taken, or the file's hasher differs from the index's.
        InvalidArgumentError
            Naive datetimes, bad location, empty footage_id.
        """
        p = Path(path)
        if not p.is_file():
            raise MediaNotFoundError(f"no such file: {os.fspath(path)!r}", path=os.fspath(path))
        fid = footage_id_value(footage_id)
        fields = normalise_fields(published_at=published_at, filmed_at=filmed_at, location=location,
                                  source_url=source_url, title=title, notes=notes)
        sha = sha256_file(p)
        existing = self._existing_for(fid, sha)
        if existing is not None:
            return existing
        fp, thumbs = fingerprint_with_thumbnails(p)
        return self._insert(fp, fid, fields, sha, thumbs)

    def add_fingerprint(
        self,
        fp: Fingerprint,
        *,
        footage_id: str,
        published_at: datetime,
        filmed_at: datetime | tuple[datetime, datetime] | None = None,
        location: tuple[float, float] | tuple[float, float, float] | None = None,
        source_url: str | None = None,
        title: str | None = None,
        notes: str | None = None,
        content_sha256: str | None = None,
        thumbnails: Sequence[tuple[float, bytes]] | None = None,
    ) -> FootageRecord:
        """Index precomputed frame hashes (same record fields as :meth:`add`).

        Parameters
        ----------
        fp : Fingerprint
            Frame times and hashes; its variants are not stored.
        content_sha256 : str, optional
            SHA-256 hex of the source file, when known, so the same file is never indexed
            twice.
        thumbnails : sequence of (float, bytes), optional
            ``(time_s, jpeg)`` thumbnails of the footage to store with it (e.g. from
            :func:`frame_thumbnails`): at most :data:`MAX_THUMBNAILS_PER_ITEM`, distinct
            finite times, JPEG bytes of at most :data:`MAX_THUMBNAIL_BYTES` each. None
            (default): no thumbnails are stored.

        Raises
        ------
        IndexStoreError
            Duplicate footage_id or content, or a hasher different from the index's.
        InvalidArgumentError
            Invalid record fields or thumbnails.
        """
        if not isinstance(fp, Fingerprint):
            raise InvalidArgumentError(f"fp must be a provenance.Fingerprint (got {type(fp).__name__})")
        fid = footage_id_value(footage_id)
        fields = normalise_fields(published_at=published_at, filmed_at=filmed_at, location=location,
                                  source_url=source_url, title=title, notes=notes)
        thumbs = _check_thumbnails(thumbnails)
        if content_sha256 is not None:
            if not isinstance(content_sha256, str) or len(content_sha256) != 64 or not all(
                    c in "0123456789abcdef" for c in content_sha256.lower()):
                raise InvalidArgumentError(f"content_sha256 must be 64 hex digits (got {content_sha256!r})")
            content_sha256 = content_sha256.lower()
            existing = self._existing_for(fid, content_sha256)
            if existing is not None:
                return existing
        return self._insert(fp, fid, fields, content_sha256, thumbs)

    def _existing_for(self, fid: str, sha: str) -> FootageRecord | None:
        """The record when this exact content is already indexed under ``fid`` (a no-op add)."""
        other = self._store.find_sha(sha)
        if other is None:
            return None
        if other == fid:
            logger.info("footage %r is already indexed with the same content; skipped", fid)
            return self.get(fid)
        raise IndexStoreError(
            f"this file content (sha256 {sha[:12]}...) is already indexed as footage_id {other!r}; "
            f"not adding it again as {fid!r}", path=self.location,
        )

    def _check_hasher(self, fp: Fingerprint) -> None:
        hasher = self._store.get_meta("hasher")
        nbytes = self._store.get_meta("nbytes")
        if hasher is not None and fp.hasher != hasher:
            raise IndexStoreError(
                f"fingerprint hasher {fp.hasher!r} differs from the index's {hasher!r}; "
                "hashers are never mixed: re-fingerprint with the index's hasher or use another index",
                path=self.location,
            )
        if nbytes is not None and fp.nbytes != int(nbytes):
            raise IndexStoreError(
                f"fingerprint has {fp.nbytes}-byte hashes but the index holds {nbytes}-byte hashes",
                path=self.location,
            )

    def _insert(self, fp: Fingerprint, fid: str, fields: dict[str, Any], sha: str | None,
                thumbnails: Sequence[tuple[float, bytes]] = ()) -> FootageRecord:
        self._check_hasher(fp)
        if len(fp) and fp.nbytes == 0:
            raise InvalidArgumentError("fingerprint hashes have zero bytes per frame")
        if self._store.get(fid) is not None:
            raise IndexStoreError(f"footage_id {fid!r} is already in the index; remove it first or "
                                  "use update() to change its record", path=self.location)
        now = datetime.now(timezone.utc)
        record: dict[str, Any] = {
            "footage_id": fid, "title": None, "source_url": None, "filmed_at_start": None,
            "filmed_at_end": None, "lat": None, "lon": None, "radius_km": None, "notes": None,
            **fields,
            "content_sha256": sha, "hasher": fp.hasher, "n_frames": len(fp),
            "duration_s": None if fp.duration_s is None else float(fp.duration_s),
            "added_at": now.isoformat(),
        }
        # Reference-side variant rows (centre crops) are stored as ordinary rows; matching
        # decodes their time tag (see provenance.hashing.fingerprinting.reference_rows).
        times, hashes = reference_rows(fp)
        frames = FrameRow(fid, fp.nbytes, times.astype("<f8").tobytes(), np.ascontiguousarray(hashes).tobytes())
        try:
            self._store.insert(record, frames, meta={"hasher": fp.hasher, "nbytes": str(fp.nbytes)},
                               thumbnails=thumbnails)
        except IndexStoreError:
            # say which rule was broken when a concurrent writer won the race
            if sha is not None and (other := self._store.find_sha(sha)) not in (None, fid):
                raise IndexStoreError(f"this content is already indexed as footage_id {other!r}",
                                      path=self.location) from None
            if self._store.get(fid) is not None:
                raise IndexStoreError(f"footage_id {fid!r} is already in the index", path=self.location) from None
            raise
        # the store may have kept an earlier writer's hasher: check we did not mix
        self._check_hasher(fp)
        with self._lock:
            self._dirty = True
        return FootageRecord.from_row(record)

    def remove(self, footage_id: str) -> None:
        """Remove one footage item, its frame hashes and its thumbnails.

        Raises
        ------
        KeyError
            If no footage has this id.
        """
        if not self._store.delete(footage_id):
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        with self._lock:
            self._dirty = True

    def update(self, footage_id: str, **fields: Any) -> FootageRecord:
        """Change record fields: published_at, filmed_at, location, source_url, title, notes.

        Returns
        -------
        FootageRecord
            The updated record.

        Raises
        ------
        KeyError
            If no footage has this id.
        InvalidArgumentError
            An unknown or non-updatable field, or an invalid value.
        """
        allowed = {"published_at", "filmed_at", "location", "source_url", "title", "notes"}
        bad = sorted(set(fields) - allowed)
        if bad:
            raise InvalidArgumentError(f"cannot update {bad}; updatable fields are {sorted(allowed)}")
        cols = normalise_fields(**fields)
        if not self._store.update(footage_id, cols):
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        return self.get(footage_id)

    # ------------------------------------------------------------------ search
    def _refresh(self) -> CandidateTable:
        """Load the candidate table, or bring it up to date with the store's change log."""
        with self._lock:
            nbytes = self._store.get_meta("nbytes")
            if self._table is None:
                table = CandidateTable(int(nbytes) if nbytes else 32)
                self._store.changed()
                seq, rows = self._store.frames(None)
                for row in rows:
                    table.add(row.footage_id, *_decode_frames(row))
                del rows
                table.flush()
                self._table, self._table_seq, self._dirty = table, seq, False
                logger.debug("loaded candidate table: %d frames of %d footage", len(table), len(table.footage_ids()))
                return table
            if nbytes and self._table.nbytes != int(nbytes) and len(self._table) == 0:
                self._table = CandidateTable(int(nbytes))
            if self._store.changed() or self._dirty:
                self._dirty = False
                changes = self._store.changes_since(self._table_seq)
                if changes:
                    touched = {c.footage_id for c in changes if c.op in ("add", "remove")}
                    _, rows = self._store.frames(sorted(touched))
                    present = {r.footage_id for r in rows}
                    for fid in touched - present:
                        self._table.remove(fid)
                    for row in rows:
                        self._table.add(row.footage_id, *_decode_frames(row))
                    # only what the log showed is applied: later changes (even to other
                    # ids) are read next time, so none is skipped
                    self._table_seq = changes[-1].seq
                    self._dirty = True
            return self._table

    def candidate_table(self) -> CandidateTable:
        """The up-to-date in-memory candidate table (loaded on first use)."""
        return self._refresh()

    def search(self, query: str | os.PathLike[str] | Fingerprint, *, threshold: float | None = None) -> list[Match]:
        """Find indexed footage that a query clip re-uses.

        Parameters
        ----------
        query : str, PathLike or Fingerprint
            A video file (fingerprinted with variants) or a precomputed Fingerprint.
        threshold : float, optional
            Decision threshold on the match score (default: the calibrated global one).

        Returns
        -------
        list of Match
            Best first, above the threshold only.

        Raises
        ------
        IndexStoreError
            The query's hasher differs from the index's.
        """
        from ..matching.match import match_fingerprint

        if isinstance(query, Fingerprint):
            fp = query
        else:
            from ..hashing.fingerprinting import fingerprint

            fp = fingerprint(query)
        hasher = self._store.get_meta("hasher")
        if hasher is None:
            return []
        if fp.hasher != hasher:
            raise IndexStoreError(
                f"query hasher {fp.hasher!r} differs from the index's {hasher!r}; hashers are never mixed",
                path=self.location,
            )
        table = self._refresh()
        return match_fingerprint(fp, table, threshold=threshold)

    # ------------------------------------------------------------------ bulk
    def import_catalogue(self, path: str | os.PathLike[str], *, workers: int | None = 1,
                         progress: bool = False, fingerprinter: Any = None) -> ImportResult:
        """Add the footage listed in a CSV or JSON-lines catalogue.

        Columns (CSV header or JSON keys): ``footage_id``, ``published_at`` (ISO 8601 with a
        UTC offset), ``path`` (relative to the catalogue's folder) or ``url``, and optionally
        ``filmed_at`` or ``filmed_at_start``/``filmed_at_end``, ``lat``, ``lon``,
        ``radius_km``, ``source_url``, ``title``, ``notes``. A JSON line may carry a
        ``fingerprint`` object (``times_s``, ``hashes`` as hex, ``hasher``) instead of a path,
        as written by :meth:`export`.

        Every row is validated; bad rows are reported with their line number and reason and
        the good rows are kept. URLs are never fetched: a row with a URL and no local path
        is reported.

        Returns
        -------
        ImportResult
        """
        from .ingest import ingest_rows, read_catalogue

        rows, errors = read_catalogue(path)
        result = ingest_rows(self, rows, workers=workers, client=None, progress=progress,
                             fingerprinter=fingerprinter)
        return ImportResult(result.added, result.skipped, tuple(sorted(errors + list(result.errors),
                                                                      key=lambda e: (e.line or 0))))

    def ingest(self, source: str | os.PathLike[str], *, workers: int | None = None, client: Any = None,
               progress: bool = False, published_at: datetime | None = None,
               fingerprinter: Any = None) -> ImportResult:
        """Index a whole archive folder or catalogue, in parallel and resumably.

        Files are fingerprinted in worker processes (or on a ``dask.distributed`` cluster
        when ``client`` is given) and written by this process, one transaction per item,
        so an interrupted run loses nothing that was reported added; running it again skips
        content already indexed.

        Parameters
        ----------
        source : str or PathLike
            A folder (every video file under it; footage_id = path relative to the folder)
            or a catalogue file (``.csv``, ``.jsonl``, ``.ndjson``, ``.json``).
        workers : int, optional
            Worker processes (default: number of CPUs).
        client : dask.distributed.Client, optional
            Fingerprint on this cluster instead of local processes.
        progress : bool
            Show a progress bar (tqdm).
        published_at : datetime, optional
            For folders: first-seen time of every file (default: each file's modification
            time, UTC).
        fingerprinter : callable, optional
            ``path -> Fingerprint`` run in the workers (a module-level, picklable function);
            default: :func:`provenance.fingerprint` without variants, plus stored thumbnails
            from the same decode (a custom fingerprinter stores none).

        Returns
        -------
        ImportResult
        """
        from .ingest import folder_rows, ingest_rows, read_catalogue

        src = Path(source)
        if src.is_dir():
            rows, errors = folder_rows(src, published_at=published_at)
        elif src.is_file():
            rows, errors = read_catalogue(src)
        else:
            raise MediaNotFoundError(f"no such folder or catalogue: {os.fspath(source)!r}", path=os.fspath(source))
        result = ingest_rows(self, rows, workers=workers, client=client, progress=progress,
                             fingerprinter=fingerprinter)
        return ImportResult(result.added, result.skipped, tuple(errors) + result.errors)

    def export(self, path: str | os.PathLike[str], *, fingerprints: bool = True) -> int:
        """Write every record (and its frame hashes) as JSON lines.

        The file can be read back by :meth:`import_catalogue`, e.g. to move an index from
        SQLite to PostgreSQL.

        Returns
        -------
        int
            Number of records written.
        """
        import json

        n = 0
        tmp = Path(os.fspath(path) + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for rec in self.records():
                d = rec.to_dict()
                if fingerprints:
                    fp = self.frames(rec.footage_id)
                    d["fingerprint"] = {"hasher": fp.hasher, "duration_s": fp.duration_s, "times_s": fp.times_s.tolist(),
                                        "hashes": [bytes(h).hex() for h in fp.hashes]}
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
                n += 1
        os.replace(tmp, path)
        return n

    def stats(self) -> IndexStats:
        """Counts, hasher, schema version, disk and memory use."""
        n, f = self._store.count()
        nb = self._store.get_meta("nbytes")
        earliest = latest = None
        pubs = [r["published_at"] for r in self._store.records()] if n <= 100_000 else []
        if pubs:
            earliest = datetime.fromisoformat(min(pubs))
            latest = datetime.fromisoformat(max(pubs))
        return IndexStats(
            backend=self.backend, location=self.location, n_footage=n, n_frames=f,
            hasher=self._store.get_meta("hasher"), nbytes=int(nb) if nb else None,
            schema_version=self._store.schema_version(), disk_bytes=self._store.disk_bytes(),
            earliest_published_at=earliest, latest_published_at=latest,
            table_bytes=self._table.memory_bytes() if self._table is not None else 0,
        )


def _decode_frames(row: FrameRow) -> tuple[np.ndarray, np.ndarray]:
    """Frame times [s] and hashes of a stored row; refuses inconsistent sizes."""
    times = np.frombuffer(row.times, dtype="<f8").astype(np.float64, copy=False)
    if row.nbytes <= 0 or len(row.hashes) != times.shape[0] * row.nbytes:
        raise IndexStoreError(
            f"stored frames of {row.footage_id!r} are inconsistent ({len(row.hashes)} hash bytes for "
            f"{times.shape[0]} times of {row.nbytes} bytes); the index is damaged"
        )
    hashes = np.frombuffer(row.hashes, dtype=np.uint8).reshape(times.shape[0], row.nbytes)
    return times, hashes


#: About one stored thumbnail per this many seconds of footage (:meth:`FootageIndex.add`).
THUMBNAIL_EVERY_S = 2.0
#: Most thumbnails stored per footage item.
MAX_THUMBNAILS_PER_ITEM = 32
#: Longer side of stored thumbnails [px].
THUMBNAIL_MAX_SIDE = 160
#: Largest JPEG accepted as a stored thumbnail [bytes] (a 160 px thumbnail is ~4-8 kB).
MAX_THUMBNAIL_BYTES = 64_000


def _time_value(time_s: Any) -> float:
    if isinstance(time_s, bool) or not isinstance(time_s, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"time_s must be a number of seconds (got {type(time_s).__name__})")
    t = float(time_s)
    if not np.isfinite(t):
        raise InvalidArgumentError(f"time_s must be finite (got {time_s!r})")
    return t


def _check_thumbnails(thumbnails: Any) -> list[tuple[float, bytes]]:
    """Validated ``(time_s, jpeg)`` pairs in time order; refuses anything a store should not keep."""
    from ..media.thumbnails import JPEG_MAGIC

    if thumbnails is None:
        return []
    if isinstance(thumbnails, (str, bytes, bytearray, dict)):
        raise InvalidArgumentError("thumbnails must be a sequence of (time_s, jpeg_bytes) pairs")
    out: list[tuple[float, bytes]] = []
    try:
        items = list(thumbnails)
    except TypeError as exc:
        raise InvalidArgumentError("thumbnails must be a sequence of (time_s, jpeg_bytes) pairs") from exc
    if len(items) > MAX_THUMBNAILS_PER_ITEM:
        raise InvalidArgumentError(f"at most {MAX_THUMBNAILS_PER_ITEM} thumbnails per footage item "
                                   f"(got {len(items)})")
    for item in items:
        try:
            t, data = item
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(
                f"thumbnails must hold (time_s, jpeg_bytes) pairs (got {type(item).__name__})") from exc
        t = _time_value(t)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgumentError(f"a thumbnail must be JPEG bytes (got {type(data).__name__})")
        data = bytes(data)
        if not data.startswith(JPEG_MAGIC):
            raise InvalidArgumentError(f"the thumbnail at {t:.3f} s is not a JPEG")
        if len(data) > MAX_THUMBNAIL_BYTES:
            raise InvalidArgumentError(f"the thumbnail at {t:.3f} s has {len(data)} bytes; at most "
                                       f"{MAX_THUMBNAIL_BYTES} (make it with provenance.media.thumbnails.make_thumbnail)")
        out.append((t, data))
    out.sort(key=lambda p: p[0])
    for a, b in zip(out, out[1:]):
        if a[0] == b[0]:
            raise InvalidArgumentError(f"two thumbnails at the same time {a[0]:.3f} s")
    return out


def thumbnail_frame_indices(times_s: Sequence[float], *, every_s: float = THUMBNAIL_EVERY_S,
                            max_count: int = MAX_THUMBNAILS_PER_ITEM) -> list[int]:
    """Indices of the frames (times in ascending order) to keep as thumbnails.

    About one per ``every_s`` seconds, evenly spread from the first frame to the last, at
    most ``max_count``; one frame (the middle one) for a clip shorter than ``every_s``.
    """
    t = np.asarray(times_s, dtype=np.float64)
    if t.size == 0 or max_count < 1:
        return []
    span = float(t[-1] - t[0])
    n = int(min(max_count, t.size, max(1, np.floor(span / every_s + 1e-9) + 1)))
    targets = [t[0] + span / 2] if n == 1 else np.linspace(t[0], t[-1], n)
    out: list[int] = []
    for target in targets:
        i = int(np.argmin(np.abs(t - target)))
        if i not in out:
            out.append(i)
    return sorted(out)


def frame_thumbnails(frames: Sequence[tuple[Any, ...]], *, every_s: float = THUMBNAIL_EVERY_S,
                     max_count: int = MAX_THUMBNAILS_PER_ITEM,
                     max_side: int = THUMBNAIL_MAX_SIDE) -> list[tuple[float, bytes]]:
    """``(time_s, jpeg)`` thumbnails of decoded frames, as :meth:`FootageIndex.add` stores them.

    Parameters
    ----------
    frames : sequence of (time_s, image, ...)
        Decoded frames in time order, e.g. from :func:`provenance.frames.select_frames`.
    every_s, max_count, max_side
        Spacing [s], most thumbnails kept, longer side [px].
    """
    from ..media.thumbnails import make_thumbnail

    idx = thumbnail_frame_indices([float(f[0]) for f in frames], every_s=every_s, max_count=max_count)
    return [(float(frames[i][0]), make_thumbnail(frames[i][1], max_side)) for i in idx]


def fingerprint_with_thumbnails(path: str | os.PathLike[str]) -> tuple[Fingerprint, list[tuple[float, bytes]]]:
    """Reference fingerprint of a file (as ``fingerprint(path, variants=False, fps=INDEX_FPS)``)
    and its thumbnails (:func:`frame_thumbnails`), from one decode."""
    from ..frames import select_frames
    from ..hashing.fingerprinting import INDEX_FPS, fingerprint_images

    frames, borders, duration = select_frames(path, fps=INDEX_FPS)
    fp = fingerprint_images([f[0] for f in frames], [f[1] for f in frames], borders=borders,
                            variants=False, duration_s=duration)
    return fp, frame_thumbnails(frames)
