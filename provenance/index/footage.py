"""The known-footage index: durable records of published footage and fast frame-hash search.

:class:`FootageIndex` keeps its records in one SQL store (:mod:`provenance.index.sql`; SQLite
by default, one file; PostgreSQL for teams, ``pip install video-provenance[postgres]``) and searches
an in-memory :class:`~provenance.matching.candidates.CandidateTable` that is loaded from the
store on the first search and kept in step with writes, including writes by other processes.

Examples
--------
>>> from datetime import date, datetime, timezone
>>> import provenance
>>> with provenance.FootageIndex("known.db", mode="c") as index:     # creates it when absent
...     index.add("convoy.mp4", footage_id="tg-2022-0117",
...               published_at=datetime(2022, 1, 17, 9, 30, tzinfo=timezone.utc),
...               location=(54.78, 32.05, 5.0))
...     index.add("march.mp4", footage_id="tg-2022-0118", published_at=date(2022, 1, 18))  # the day only
>>> with provenance.FootageIndex("known.db", mode="r") as index:     # read-only; must exist
...     matches = index.search("viral.mp4")
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import (
    CorruptIndexError,
    DuplicateFootageError,
    HasherMismatchError,
    InvalidArgumentError,
    MediaNotFoundError,
    ReadOnlyIndexError,
)
from ..hashing import DEFAULT_HASHER, Fingerprint
from ..hashing.features import LocalFeatures
from ..hashing.fingerprinting import (
    REFERENCE_VARIANT_NAMES,
    REFERENCE_VARIANT_TIME_STEP_S,
    reference_rows,
    split_reference_times,
)
from ..matching.candidates import CandidateTable
from ..media.source import open_media
from .records import FootageRecord, ImportResult, IndexStats, footage_id_value, normalise_fields
from .sql import SQLStore, open_store
from .store import MODES, FrameRow
from .thumbnails import check_features, check_thumbnails, fingerprint_with_thumbnails, time_value

if TYPE_CHECKING:  # pragma: no cover
    from ..matching.match import Match

__all__ = ["HASH_BYTES", "FootageIndex", "sha256_file"]

logger = logging.getLogger(__name__)

#: Bytes per hash of the hashers this version knows (an index of another hasher learns its
#: size from its first footage).
HASH_BYTES: dict[str, int] = {DEFAULT_HASHER: 32}

#: Footage items whose decoded local features a FootageIndex keeps in memory (search verifies
#: a few candidates per query; ~15 kB each).
_FEATURE_CACHE_ITEMS = 256

#: Reference-row variants in the order matching numbers them (0: the frames themselves).
_ROW_KINDS: tuple[str, ...] = ("", *REFERENCE_VARIANT_NAMES)


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


class FootageIndex:
    """Known published footage: records, frame hashes and search.

    Parameters
    ----------
    location : str or PathLike
        Path of a SQLite index file or a ``postgresql://`` URL.
    mode : {"rw", "r", "c"}
        ``"rw"`` (default): read-write, the index must exist. ``"r"``: read-only, the index
        must exist; every write raises :class:`~provenance.errors.ReadOnlyIndexError` and
        nothing is written, not even a schema migration (older schemas are read as they
        are). ``"c"``: read-write, an empty index is created when there is none (as
        :meth:`create`). Like SQLite's ``mode=rw``, ``ro`` and ``rwc``.
    allow_damaged : bool
        Only with ``mode="r"``: open an index whose integrity check fails, read-only and
        without writing a byte, to read what is left (e.g. :meth:`export`);
        :attr:`problem` says what the check found. Default: such an index is refused.
    hasher : str, optional
        Frame hasher of a new index (default :data:`provenance.hashing.DEFAULT_HASHER`); it
        is fixed when the index is created and never changed by what is added or imported.
        Given for an existing index, it must be the index's.

    Raises
    ------
    IndexNotFoundError
        No index at the location and ``mode`` is not ``"c"``.
    CorruptIndexError
        The file is damaged, foreign or written by a newer provenance (it is left
        untouched), or a migration found a damaged row.
    HasherMismatchError
        ``hasher`` differs from the existing index's.
    IndexStoreError
        The server cannot be reached.
    MissingExtraError
        A PostgreSQL URL without ``video-provenance[postgres]`` installed.

    Notes
    -----
    Safe with several processes: each holds its own connection; searches notice writes
    committed by others (SQLite ``data_version`` / the store's change log) and update the
    in-memory candidate table before answering. One instance may be shared by threads.
    """

    def __init__(self, location: str | os.PathLike[str], *, mode: str = "rw", allow_damaged: bool = False,
                 hasher: str | None = None) -> None:
        if mode not in MODES:
            raise InvalidArgumentError(f"'mode' must be one of {MODES} (got {mode!r}): 'r' read-only, 'rw' "
                                       "read-write (the index must exist), 'c' create when absent")
        if allow_damaged and mode != "r":
            raise InvalidArgumentError("allow_damaged=True needs mode='r': a damaged index is never written to")
        if hasher is not None and (not isinstance(hasher, str) or not hasher.strip()):
            raise InvalidArgumentError(f"'hasher' must be a hasher name like {DEFAULT_HASHER!r} (got {hasher!r})")
        new_hasher = hasher or DEFAULT_HASHER
        create_meta = {"hasher": new_hasher}
        if new_hasher in HASH_BYTES:
            create_meta["nbytes"] = str(HASH_BYTES[new_hasher])
        self._store: SQLStore = open_store(location, mode=mode, allow_damaged=allow_damaged,
                                           create_meta=create_meta if mode != "r" else None)
        self._mode = mode
        self._lock = threading.RLock()
        self._table: CandidateTable | None = None
        self._table_seq = 0
        self._dirty = False  # own writes not yet applied to the table
        self._features: dict[str, list[tuple[float, LocalFeatures]]] = {}  # decoded, of recent candidates
        own = self._store.get_meta("hasher")
        if hasher is not None and own is not None and own != hasher:
            self._store.close()
            raise HasherMismatchError(f"the index's hasher is {own!r}, not {hasher!r}; hashers are never mixed",
                                      path=self.location)

    @classmethod
    def create(cls, location: str | os.PathLike[str], *, hasher: str | None = None) -> FootageIndex:
        """Open an index read-write, creating an empty one when there is none (``mode="c"``)."""
        return cls(location, mode="c", hasher=hasher)

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
    def mode(self) -> str:
        """How the index was opened: ``"r"``, ``"rw"`` or ``"c"``."""
        return self._mode

    @property
    def read_only(self) -> bool:
        """True when opened with ``mode="r"``."""
        return self._store.read_only

    @property
    def problem(self) -> str | None:
        """What the integrity check found when a damaged index was opened with ``allow_damaged``; else None."""
        return self._store.dialect.problem

    @property
    def hasher(self) -> str | None:
        """Frame hasher of the index (set when it was created; None only for an empty pre-v4 index)."""
        return self._store.get_meta("hasher")

    def __repr__(self) -> str:
        return f"FootageIndex({self.location!r}, mode={self._mode!r}, backend={self.backend!r})"

    def _repr_html_(self) -> str | None:
        """Notebook view: escaped HTML with collapsible sections (None: the text repr is shown)."""
        from .._util import html_repr  # the renderer lives in report/, imported on first display

        return html_repr(self)

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

    def _record(self, row: dict[str, Any]) -> FootageRecord:
        try:
            return FootageRecord.from_row(row)
        except CorruptIndexError as exc:
            raise CorruptIndexError(exc.message, path=self.location, footage_id=exc.footage_id,
                                    line=exc.line) from exc

    def records(self) -> Iterator[FootageRecord]:
        """Every record, ordered by footage_id.

        Raises
        ------
        CorruptIndexError
            A stored record does not decode (names its footage_id and row).
        """
        for row in self._store.records():
            yield self._record(row)

    def get(self, footage_id: str) -> FootageRecord:
        """The record of one footage item.

        Raises
        ------
        KeyError
            If no footage has this id.
        CorruptIndexError
            The stored record does not decode.
        """
        row = self._store.get(footage_id)
        if row is None:
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        return self._record(row)

    def frames(self, footage_id: str) -> Fingerprint:
        """Stored frame hashes of one footage item as a Fingerprint (the frames themselves, no variant rows).

        Raises
        ------
        KeyError
            If no footage has this id.
        CorruptIndexError
            The stored frames do not decode.
        """
        rec = self.get(footage_id)
        _, rows = self._store.frames([footage_id])
        own = [r for r in rows if r.variant == ""]
        if not own:
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        times, hashes = self._decode(own[0])
        return Fingerprint(times_s=times, hashes=hashes, hasher=rec.hasher, duration_s=rec.duration_s)

    def variant_frames(self, footage_id: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every stored frame row of one item by variant: ``{"": (times_s, hashes), "zoom85": ...}``.

        Raises
        ------
        KeyError
            If no footage has this id.
        """
        _, rows = self._store.frames([footage_id])
        if not rows:
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        return {r.variant: self._decode(r) for r in rows}

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
        t = time_value(time_s)
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
    def local_features(self, footage_id: str) -> list[tuple[float, LocalFeatures]]:
        """Local features stored with one footage item's frames (:meth:`add`), in time order.

        :meth:`search` verifies candidates geometrically with them
        (:func:`provenance.matching.verify.verify_candidate`).

        Returns
        -------
        list of (float, LocalFeatures)
            ``(time_s, features)`` per stored frame; empty when the item has none (added before
            schema v5, or by :meth:`add_fingerprint` without ``features``) or is not in the index.

        Raises
        ------
        CorruptIndexError
            A stored row does not decode.
        """
        with self._lock:
            hit = self._features.get(footage_id)
        if hit is not None:
            return hit
        out: list[tuple[float, LocalFeatures]] = []
        for t, data in self._store.features(footage_id):
            try:
                out.append((t, LocalFeatures.from_bytes(data)))
            except InvalidArgumentError as exc:
                raise CorruptIndexError(f"stored local features of {footage_id!r} at {t:.3f} s do not decode ({exc}); "
                                        "the index is damaged", path=self.location, footage_id=footage_id) from exc
        with self._lock:
            while len(self._features) >= _FEATURE_CACHE_ITEMS:
                self._features.pop(next(iter(self._features)))
            self._features[footage_id] = out
        return out

    def _writable(self) -> None:
        if self._store.read_only:
            raise ReadOnlyIndexError("the index is open read-only (mode='r'); open it with mode='rw' to change it",
                                     path=self.location)

    def add(
        self,
        path: str | os.PathLike[str],
        *,
        footage_id: str,
        published_at: datetime | date,
        filmed_at: datetime | tuple[datetime, datetime] | None = None,
        location: tuple[float, float] | tuple[float, float, float] | None = None,
        source_url: str | None = None,
        title: str | None = None,
        notes: str | None = None,
    ) -> FootageRecord:
        """Fingerprint a video file and index it, with thumbnails and local features of a few frames.

        The frames are decoded once: the same frames are hashed and up to
        :data:`~provenance.index.thumbnails.MAX_THUMBNAILS_PER_ITEM` of them (about one per
        :data:`~provenance.index.thumbnails.THUMBNAIL_EVERY_S` seconds) are kept as JPEG
        thumbnails, so reports can show the known frame beside a matching query frame
        (:meth:`thumbnail`), and as local features, so :meth:`search` can verify a candidate
        geometrically (rotated, inset or filmed copies; :mod:`provenance.matching.verify`).

        Parameters
        ----------
        path : str or PathLike
            The footage file.
        footage_id : str
            The desk's identifier; unique in the index.
        published_at : datetime or date
            When the footage was first seen published: an aware datetime (stored as UTC), or
            a ``date`` when only the day is known (a day in an unknown zone; the record says
            ``published_precision="day"``).
        filmed_at : datetime or (datetime, datetime), optional
            When it was filmed, exactly or as an interval (aware).
        location : (lat, lon) or (lat, lon, radius_km), optional
            Where it was filmed [deg, WGS84; km].
        source_url : str, optional
            An absolute http(s) URL.
        title, notes : str, optional
            Free text (tab and newline allowed; other control characters are refused).

        Returns
        -------
        FootageRecord

        Raises
        ------
        DuplicateFootageError
            The same file content is indexed under another id, or the footage_id is taken
            (``footage_id`` names the existing item).
        HasherMismatchError
            The file's hasher differs from the index's.
        ReadOnlyIndexError
            The index is open read-only.
        InvalidArgumentError
            Naive datetimes, bad location, empty footage_id, control characters, a non-http(s) URL.
        """
        self._writable()
        p = Path(path)
        if not p.is_file():
            raise MediaNotFoundError(f"no such file: {os.fspath(path)!r}", path=os.fspath(path))
        fid = footage_id_value(footage_id)
        fields = normalise_fields(published_at=published_at, filmed_at=filmed_at, location=location,
                                  source_url=source_url, title=title, notes=notes)
        with open_media(p) as media:  # one open serves the content hash and the decode
            sha = media.sha256()
            existing = self._existing_for(fid, sha)
            if existing is not None:
                return existing
            fp, thumbs, feats = fingerprint_with_thumbnails(media)
        return self._insert(fp, fid, fields, sha, thumbs, feats)

    def add_fingerprint(
        self,
        fp: Fingerprint,
        *,
        footage_id: str,
        published_at: datetime | date,
        filmed_at: datetime | tuple[datetime, datetime] | None = None,
        location: tuple[float, float] | tuple[float, float, float] | None = None,
        source_url: str | None = None,
        title: str | None = None,
        notes: str | None = None,
        content_sha256: str | None = None,
        thumbnails: Sequence[tuple[float, bytes]] | None = None,
        features: Sequence[tuple[float, bytes]] | None = None,
    ) -> FootageRecord:
        """Index precomputed frame hashes (same record fields as :meth:`add`).

        Parameters
        ----------
        fp : Fingerprint
            Frame times and hashes; its reference-side variants (``fingerprint(...,
            variants=False)``) are stored as variant rows, query-side variants are not.
        content_sha256 : str, optional
            SHA-256 hex of the source file, when known, so the same file is never indexed
            twice.
        thumbnails : sequence of (float, bytes), optional
            ``(time_s, jpeg)`` thumbnails of the footage to store with it (e.g. from
            :func:`~provenance.index.thumbnails.frame_thumbnails`): at most
            ``MAX_THUMBNAILS_PER_ITEM``, distinct finite times, JPEG bytes of at most
            ``MAX_THUMBNAIL_BYTES`` each. None (default): no thumbnails are stored.
        features : sequence of (float, bytes), optional
            ``(time_s, LocalFeatures.to_bytes())`` rows of the footage's frames (e.g. from
            :func:`~provenance.index.thumbnails.frame_features`) for geometric verification: at
            most ``MAX_THUMBNAILS_PER_ITEM``, distinct finite times. None (default): none are
            stored, and matches of this item are never verified geometrically.

        Raises
        ------
        DuplicateFootageError
            Duplicate footage_id or content.
        HasherMismatchError
            A hasher or hash size different from the index's.
        ReadOnlyIndexError
            The index is open read-only.
        InvalidArgumentError
            Invalid record fields, thumbnails or features.
        """
        self._writable()
        if not isinstance(fp, Fingerprint):
            raise InvalidArgumentError(f"fp must be a provenance.Fingerprint (got {type(fp).__name__})")
        fid = footage_id_value(footage_id)
        fields = normalise_fields(published_at=published_at, filmed_at=filmed_at, location=location,
                                  source_url=source_url, title=title, notes=notes)
        thumbs = check_thumbnails(thumbnails)
        feats = check_features(features)
        if content_sha256 is not None:
            if not isinstance(content_sha256, str) or len(content_sha256) != 64 or not all(
                    c in "0123456789abcdef" for c in content_sha256.lower()):
                raise InvalidArgumentError(f"content_sha256 must be 64 hex digits (got {content_sha256!r})")
            content_sha256 = content_sha256.lower()
            existing = self._existing_for(fid, content_sha256)
            if existing is not None:
                return existing
        return self._insert(fp, fid, fields, content_sha256, thumbs, feats)

    def _existing_for(self, fid: str, sha: str) -> FootageRecord | None:
        """The record when this exact content is already indexed under ``fid`` (a no-op add)."""
        other = self._store.find_sha(sha)
        if other is None:
            return None
        if other == fid:
            logger.info("footage %r is already indexed with the same content; skipped", fid)
            return self.get(fid)
        raise DuplicateFootageError(
            f"this file content (sha256 {sha[:12]}...) is already indexed as footage_id {other!r}; "
            f"not adding it again as {fid!r}", path=self.location, footage_id=other,
        )

    def check_hasher(self, hasher: str, nbytes: int | None = None, *, line: int | None = None) -> None:
        """Refuse hashes of another hasher (or hash size) than the index's.

        Raises
        ------
        HasherMismatchError
            Naming the catalogue ``line`` when given.
        """
        own = self._store.get_meta("hasher")
        own_nbytes = self._store.get_meta("nbytes")
        where = f"line {line}: " if line is not None else ""
        if own is not None and hasher != own:
            raise HasherMismatchError(
                f"{where}fingerprint hasher {hasher!r} differs from the index's {own!r}; "
                "hashers are never mixed: re-fingerprint with the index's hasher or use another index",
                path=self.location, line=line)
        if nbytes is not None and own_nbytes is not None and nbytes != int(own_nbytes):
            raise HasherMismatchError(
                f"{where}fingerprint has {nbytes}-byte hashes but the index holds {own_nbytes}-byte hashes "
                "(hashers are never mixed)", path=self.location, line=line)

    def _insert(self, fp: Fingerprint, fid: str, fields: dict[str, Any], sha: str | None,
                thumbnails: Sequence[tuple[float, bytes]] = (),
                features: Sequence[tuple[float, bytes]] = ()) -> FootageRecord:
        self.check_hasher(fp.hasher, fp.nbytes if len(fp) else None)
        if len(fp) and fp.nbytes == 0:
            raise InvalidArgumentError("fingerprint hashes have zero bytes per frame")
        if self._store.get(fid) is not None:
            raise DuplicateFootageError(f"footage_id {fid!r} is already in the index; remove it first or "
                                        "use update() to change its record", path=self.location, footage_id=fid)
        now = datetime.now(timezone.utc)
        record: dict[str, Any] = {
            "footage_id": fid, "title": None, "source_url": None, "filmed_at_start": None,
            "filmed_at_end": None, "lat": None, "lon": None, "radius_km": None, "notes": None,
            "published_precision": "instant",
            **fields,
            "content_sha256": sha, "hasher": fp.hasher, "n_frames": len(fp),
            "duration_s": None if fp.duration_s is None else float(fp.duration_s),
            "added_at": now.isoformat(),
        }
        frames = _frame_rows(fid, fp)
        meta = {"hasher": fp.hasher}  # only where an older empty index has none yet
        if len(fp):
            meta["nbytes"] = str(fp.nbytes)
        try:
            self._store.insert(record, frames, meta=meta, thumbnails=thumbnails, features=features)
        except DuplicateFootageError:
            # say which rule was broken when a concurrent writer won the race
            if sha is not None and (other := self._store.find_sha(sha)) not in (None, fid):
                raise DuplicateFootageError(f"this content is already indexed as footage_id {other!r}",
                                            path=self.location, footage_id=other) from None
            if self._store.get(fid) is not None:
                raise DuplicateFootageError(f"footage_id {fid!r} is already in the index", path=self.location,
                                            footage_id=fid) from None
            raise
        with self._lock:
            self._dirty = True
            self._features.pop(fid, None)
        return FootageRecord.from_row(record)

    def remove(self, footage_id: str) -> None:
        """Remove one footage item, its frame hashes, thumbnails and local features.

        Raises
        ------
        KeyError
            If no footage has this id.
        ReadOnlyIndexError
            The index is open read-only.
        """
        self._writable()
        if not self._store.delete(footage_id):
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        with self._lock:
            self._dirty = True
            self._features.pop(footage_id, None)

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
        ReadOnlyIndexError
            The index is open read-only.
        """
        self._writable()
        allowed = {"published_at", "filmed_at", "location", "source_url", "title", "notes"}
        bad = sorted(set(fields) - allowed)
        if bad:
            raise InvalidArgumentError(f"cannot update {bad}; updatable fields are {sorted(allowed)}")
        cols = normalise_fields(**fields)
        if not self._store.update(footage_id, cols):
            raise KeyError(f"no footage {footage_id!r} in index {self.location}")
        return self.get(footage_id)

    # ------------------------------------------------------------------ search
    def _decode(self, row: FrameRow) -> tuple[np.ndarray, np.ndarray]:
        """Frame times [s] and hashes of a stored row; refuses inconsistent sizes, naming the row."""
        n = len(row.times) // 8
        if row.nbytes <= 0 or len(row.times) % 8 or len(row.hashes) != n * row.nbytes:
            where = f"{row.footage_id!r}" + (f" (variant {row.variant!r})" if row.variant else "")
            raise CorruptIndexError(
                f"stored frames of {where} are inconsistent ({len(row.hashes)} hash bytes for "
                f"{len(row.times)} time bytes of {row.nbytes}-byte hashes); the index is damaged"
                + (f" at row {row.rowid}" if row.rowid is not None else ""),
                path=self.location, footage_id=row.footage_id, line=row.rowid)
        times = np.frombuffer(row.times, dtype="<f8").astype(np.float64, copy=False)
        if not np.isfinite(times).all():
            raise CorruptIndexError(f"stored frame times of {row.footage_id!r} are not finite; the index is damaged",
                                    path=self.location, footage_id=row.footage_id, line=row.rowid)
        hashes = np.frombuffer(row.hashes, dtype=np.uint8).reshape(n, row.nbytes)
        return times, hashes

    def _table_items(self, rows: list[FrameRow]) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """(footage_id, tagged times, hashes) per item, as the matching side reads reference rows
        (variant k at ``t + k * REFERENCE_VARIANT_TIME_STEP_S``)."""
        by_id: dict[str, list[FrameRow]] = {}
        for row in rows:
            by_id.setdefault(row.footage_id, []).append(row)
        for fid, parts in by_id.items():
            times, hashes = [], []
            for row in sorted(parts, key=lambda r: _ROW_KINDS.index(r.variant) if r.variant in _ROW_KINDS else 99):
                if row.variant not in _ROW_KINDS:
                    logger.warning("index %s: footage %r has rows of variant %r, unknown to this provenance; "
                                   "they are not searched", self.location, fid, row.variant)
                    continue
                t, h = self._decode(row)
                k = _ROW_KINDS.index(row.variant)
                times.append(t + k * REFERENCE_VARIANT_TIME_STEP_S if k else t)
                hashes.append(h)
            if times:
                yield fid, np.concatenate(times), np.concatenate(hashes)

    def _refresh(self) -> CandidateTable:
        """Load the candidate table, or bring it up to date with the store's change log."""
        with self._lock:
            nbytes = self._store.get_meta("nbytes")
            if self._table is None:
                table = CandidateTable(int(nbytes) if nbytes else HASH_BYTES.get(self.hasher or "", 32))
                self._store.changed()
                seq, rows = self._store.frames(None)
                for fid, t, h in self._table_items(rows):
                    table.add(fid, t, h)
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
                    for fid in touched:
                        self._features.pop(fid, None)
                    _, rows = self._store.frames(sorted(touched))
                    items = list(self._table_items(rows))
                    present = {fid for fid, _, _ in items}
                    for fid in touched - present:
                        self._table.remove(fid)
                    for fid, t, h in items:
                        self._table.add(fid, t, h)
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
        HasherMismatchError
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
            raise HasherMismatchError(
                f"query hasher {fp.hasher!r} differs from the index's {hasher!r}; hashers are never mixed",
                path=self.location)
        if len(self) == 0:
            return []
        table = self._refresh()
        return match_fingerprint(fp, table, threshold=threshold, reference_features=self.local_features)

    # ------------------------------------------------------------------ bulk
    def import_catalogue(self, path: str | os.PathLike[str], *, workers: int | None = 1,
                         progress: bool = False, fingerprinter: Callable[[str], Any] | None = None) -> ImportResult:
        """Add the footage listed in a CSV or JSON-lines catalogue.

        Columns (CSV header or JSON keys): ``footage_id``, ``published_at`` (ISO 8601 with a
        UTC offset, or a date ``YYYY-MM-DD`` when only the day is known), ``path`` (relative
        to the catalogue's folder) or ``url``, and optionally ``filmed_at`` or
        ``filmed_at_start``/``filmed_at_end``, ``lat``, ``lon``, ``radius_km``,
        ``source_url`` (http(s) only), ``title``, ``notes``. A JSON line may carry a
        ``fingerprint`` object (``times_s``, ``hashes`` as hex, ``hasher``) instead of a path,
        as written by :meth:`export`; its hasher must be the index's (never set by a row).

        Every row is validated; bad rows are reported with their line number, reason and
        error name, and the good rows are kept. URLs are never fetched: a row with a URL and
        no local path is reported. Text with control characters is refused (reported).

        Returns
        -------
        ImportResult

        Raises
        ------
        ReadOnlyIndexError
            The index is open read-only.
        """
        from .ingest import ingest_rows, read_catalogue

        self._writable()
        rows, errors = read_catalogue(path)
        result = ingest_rows(self, rows, workers=workers, client=None, progress=progress,
                             fingerprinter=fingerprinter)
        return ImportResult(result.added, result.skipped, tuple(sorted(errors + list(result.errors),
                                                                      key=lambda e: (e.line or 0))))

    def ingest(self, source: str | os.PathLike[str], *, workers: int | None = None, client: Any = None,
               progress: bool = False, published_at: datetime | None = None,
               fingerprinter: Callable[[str], Any] | None = None) -> ImportResult:
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

        Raises
        ------
        ReadOnlyIndexError
            The index is open read-only.
        """
        from .ingest import folder_rows, ingest_rows, read_catalogue

        self._writable()
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
        SQLite to PostgreSQL. Works on an index opened read-only (also a damaged one opened
        with ``allow_damaged``: a record that does not decode stops the export with
        :class:`~provenance.errors.CorruptIndexError` naming it).

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
                    d["fingerprint"] = {"hasher": fp.hasher, "duration_s": fp.duration_s,
                                        "times_s": fp.times_s.tolist(), "hashes": [bytes(h).hex() for h in fp.hashes]}
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
                n += 1
        os.replace(tmp, path)
        return n

    def stats(self) -> IndexStats:
        """Counts, hasher, schema version, disk and memory use."""
        n, f = self._store.count()
        nb = self._store.get_meta("nbytes")
        earliest = latest = None
        if n <= 100_000:
            recs = list(self.records())
            if recs:
                earliest = min(r.published_earliest_utc() for r in recs)
                latest = max(r.published_bound_utc() for r in recs)
        return IndexStats(
            backend=self.backend, location=self.location, n_footage=n, n_frames=f,
            hasher=self._store.get_meta("hasher"), nbytes=int(nb) if nb else None,
            schema_version=self._store.schema_version(), disk_bytes=self._store.disk_bytes(),
            earliest_published_at=earliest, latest_published_at=latest,
            table_bytes=self._table.memory_bytes() if self._table is not None else 0,
        )


def _frame_rows(fid: str, fp: Fingerprint) -> list[FrameRow]:
    """One stored row per reference-row variant (``""`` first) of a reference fingerprint."""
    times, hashes = reference_rows(fp)
    t, k = split_reference_times(times)
    out = []
    for kind in range(len(_ROW_KINDS)):
        sel = k == kind
        if kind and not sel.any():
            continue
        out.append(FrameRow(fid, fp.nbytes, t[sel].astype("<f8").tobytes(),
                            np.ascontiguousarray(hashes[sel], dtype=np.uint8).tobytes(), _ROW_KINDS[kind]))
    return out
